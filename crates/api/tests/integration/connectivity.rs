//! Connectivity tests through the API: the verdict follows the model as it changes, a failing
//! answer names its hop, code and fix, and only the owner (and the operator) may ask.

use xconnect_model::connectivity::BlockCode;
use xconnect_model::wire::*;

use crate::World;
use crate::harness::{Server, refused};

fn ask(from: &str, to: &str, protocol: Option<&str>, port: Option<i64>) -> ConnectivityTestRequest {
    ConnectivityTestRequest {
        from_instance_id: Some(from.into()),
        from_host_id: None,
        destination_ip: to.into(),
        protocol: protocol.map(Into::into),
        port,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_follow_the_model() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let w = World::build(&a).await;
    let vsw2 = a
        .vswitch_create(&VSwitchCreateRequest {
            vpc_id: w.vpc.id.to_string(),
            zone: "cn-beijing-b".into(),
            cidr_block: "192.168.101.0/24".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let b = a
        .instance_create(&InstanceCreateRequest {
            vswitch_id: vsw2.id.to_string(),
            security_group_ids: vec![w.other_group.id.to_string()],
            private_ip: Some("192.168.101.20".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let from = w.instance.id.as_str();
    let code = |answer: &xconnect_model::connectivity::ConnectivityAnswer| answer.blocked.as_ref().map(|b| b.code);

    // The second group has no rules yet: inbound is denied, and the fix names the group.
    let answer = a.connectivity_test(&ask(from, "192.168.101.20", None, None)).await.unwrap();
    assert!(!answer.reachable);
    assert_eq!(code(&answer), Some(BlockCode::IngressDenied));
    assert_eq!(answer.to_instance_id.as_ref(), Some(&b.id));
    assert!(answer.blocked.as_ref().unwrap().fix.contains(w.other_group.id.as_str()));

    // A rule naming the source's group lets icmp in; tcp stays out.
    a.security_group_rule_create(
        w.other_group.id.as_str(),
        &SecurityGroupRuleCreateRequest {
            direction: "ingress".into(),
            protocol: "icmp".into(),
            peer_security_group_id: Some(w.group.id.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let answer = a.connectivity_test(&ask(from, "192.168.101.20", None, None)).await.unwrap();
    assert!(answer.reachable, "{answer:#?}");
    assert_eq!(answer.hops.len(), 5);
    assert!(answer.hops.iter().all(|h| h.passed && h.account_id == w.vpc.account_id));
    let answer = a.connectivity_test(&ask(from, "192.168.101.20", Some("tcp"), Some(22))).await.unwrap();
    assert_eq!(code(&answer), Some(BlockCode::IngressDenied));

    // The world's 10.0.0.0/8 blackhole, an address outside every route, and a free address.
    let answer = a.connectivity_test(&ask(from, "10.1.2.3", None, None)).await.unwrap();
    assert_eq!(code(&answer), Some(BlockCode::Blackhole));
    assert!(answer.blocked.unwrap().fix.contains(w.route.id.as_str()));
    let answer = a.connectivity_test(&ask(from, "172.16.100.10", None, None)).await.unwrap();
    assert_eq!(code(&answer), Some(BlockCode::NoRoute));
    let answer = a.connectivity_test(&ask(from, "192.168.101.99", None, None)).await.unwrap();
    assert_eq!(code(&answer), Some(BlockCode::NoInstance));

    // The operator may ask about anyone's instance; a stranger may not learn it exists.
    assert!(server.operator.connectivity_test(&ask(from, "192.168.101.20", None, None)).await.unwrap().reachable);
    let stranger = server.tenant("B").await;
    assert_eq!(
        refused(stranger.connectivity_test(&ask(from, "192.168.101.20", None, None)).await),
        (404, "NotFound".into())
    );

    // Every pair at once: the named ones, or all of the caller's.
    let m = a
        .connectivity_matrix(&ConnectivityMatrixRequest {
            instance_ids: Some(vec![w.instance.id.to_string(), b.id.to_string()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(m.instance_ids, vec![w.instance.id.clone(), b.id.clone()]);
    // b's group lets in icmp from a's group; a's group lets in icmp from 172.16.0.0/12 only.
    assert_eq!(m.verdicts, vec![vec!["self", "reachable"], vec!["ingress_denied", "self"]]);
    let all = a.connectivity_matrix(&ConnectivityMatrixRequest::default()).await.unwrap();
    assert_eq!(all.verdicts, m.verdicts);
    let tcp = ConnectivityMatrixRequest { protocol: Some("tcp".into()), port: Some(22), ..Default::default() };
    let m = a.connectivity_matrix(&tcp).await.unwrap();
    assert_eq!(m.verdicts[0][1], "ingress_denied");
    // Another VPC of the same blocks: b's address there is another instance's in a's VPC.
    let twin_vpc = a
        .vpc_create(&VpcCreateRequest {
            region: "cn-beijing".into(),
            cidr_block: "192.168.0.0/16".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let twin_vsw = a
        .vswitch_create(&VSwitchCreateRequest {
            vpc_id: twin_vpc.id.to_string(),
            zone: "cn-beijing-a".into(),
            cidr_block: "192.168.101.0/24".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let twin_group = a
        .security_group_create(&SecurityGroupCreateRequest { vpc_id: twin_vpc.id.to_string(), ..Default::default() })
        .await
        .unwrap();
    let c = a
        .instance_create(&InstanceCreateRequest {
            vswitch_id: twin_vsw.id.to_string(),
            security_group_ids: vec![twin_group.id.to_string()],
            private_ip: Some("192.168.101.20".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let pair = ConnectivityMatrixRequest {
        instance_ids: Some(vec![w.instance.id.to_string(), c.id.to_string()]),
        ..Default::default()
    };
    let m = a.connectivity_matrix(&pair).await.unwrap();
    assert_eq!(m.verdicts[0][1], "address_elsewhere", "{m:?}");
    assert_eq!(m.verdicts[1][0], "no_route", "{m:?}");
    let theirs = ConnectivityMatrixRequest { instance_ids: Some(vec![b.id.to_string()]), ..Default::default() };
    assert_eq!(refused(stranger.connectivity_matrix(&theirs).await), (404, "NotFound".into()));
    let twice = ConnectivityMatrixRequest {
        instance_ids: Some(vec![b.id.to_string(), b.id.to_string()]),
        ..Default::default()
    };
    assert_eq!(refused(a.connectivity_matrix(&twice).await), (400, "InvalidParameter".into()));

    // Bad questions.
    for (what, req) in [
        ("not an address", ask(from, "192.168.101", None, None)),
        ("tcp without a port", ask(from, "192.168.101.20", Some("tcp"), None)),
        ("icmp with a port", ask(from, "192.168.101.20", None, Some(22))),
        ("port out of range", ask(from, "192.168.101.20", Some("udp"), Some(70000))),
        ("unknown protocol", ask(from, "192.168.101.20", Some("gre"), None)),
        ("not an instance id", ask("vpc-x", "192.168.101.20", None, None)),
    ] {
        assert_eq!(refused(a.connectivity_test(&req).await), (400, "InvalidParameter".into()), "{what}");
    }
}
