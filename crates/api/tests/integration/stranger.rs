//! Every endpoint called by a stranger account against another tenant's resources answers 404,
//! exactly as for an id that does not exist, and changes nothing. The operator may read them
//! but not change them; tenants may not use the operator's endpoints.

use xconnect_client::ClientError;
use xconnect_model::wire::*;

use crate::World;
use crate::harness::{Server, refused};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_sees_nothing_and_changes_nothing() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let b = server.tenant("B").await;
    let w = World::build(&a).await;
    let before = server.snapshot().await;
    let modify = ModifyRequest { name: Some("mine".into()), description: Some("taken".into()) };
    let (vpc, vsw, sg, sg2, rule, inst, route, table) = (
        w.vpc.id.as_str(),
        w.vswitch.id.as_str(),
        w.group.id.as_str(),
        w.other_group.id.as_str(),
        w.rule.id.as_str(),
        w.instance.id.as_str(),
        w.route.id.as_str(),
        w.vpc.route_table_id.as_str(),
    );
    let a_account = w.vpc.account_id.to_string();

    let mut answers: Vec<(&str, Result<(), ClientError>)> = vec![
        ("vpc get", b.vpc_get(vpc).await.map(drop)),
        ("vpc modify", b.vpc_modify(vpc, &modify).await.map(drop)),
        ("vpc delete", b.vpc_delete(vpc).await),
        ("vswitch get", b.vswitch_get(vsw).await.map(drop)),
        ("vswitch modify", b.vswitch_modify(vsw, &modify).await.map(drop)),
        ("vswitch delete", b.vswitch_delete(vsw).await),
        ("security group get", b.security_group_get(sg).await.map(drop)),
        ("security group modify", b.security_group_modify(sg, &modify).await.map(drop)),
        ("security group delete", b.security_group_delete(sg2).await),
        ("rule list", b.security_group_rule_list(sg, &ListQuery::default()).await.map(drop)),
        ("rule delete", b.security_group_rule_delete(sg, rule).await),
        ("instance get", b.instance_get(inst).await.map(drop)),
        (
            "instance modify",
            b.instance_modify(inst, &InstanceModifyRequest { name: Some("x".into()), ..Default::default() })
                .await
                .map(drop),
        ),
        ("instance delete", b.instance_delete(inst).await),
        ("route table get", b.route_table_get(table).await.map(drop)),
        ("route entry get", b.route_entry_get(route).await.map(drop)),
        (
            "route entry modify",
            b.route_entry_modify(route, &RouteEntryModifyRequest { description: Some("x".into()) }).await.map(drop),
        ),
        ("route entry delete", b.route_entry_delete(route).await),
        ("account get", b.account_get(&a_account).await.map(drop)),
    ];
    // Creating inside another account's VPC, vswitch, group or route table.
    answers.push((
        "vswitch create in a stranger's VPC",
        b.vswitch_create(&VSwitchCreateRequest {
            vpc_id: vpc.into(),
            zone: "cn-beijing-a".into(),
            cidr_block: "192.168.1.0/24".into(),
            ..Default::default()
        })
        .await
        .map(drop),
    ));
    answers.push((
        "security group create in a stranger's VPC",
        b.security_group_create(&SecurityGroupCreateRequest { vpc_id: vpc.into(), ..Default::default() })
            .await
            .map(drop),
    ));
    answers.push((
        "instance in a stranger's vswitch",
        b.instance_create(&InstanceCreateRequest {
            vswitch_id: vsw.into(),
            security_group_ids: vec![sg.into()],
            ..Default::default()
        })
        .await
        .map(drop),
    ));
    answers.push((
        "rule in a stranger's group",
        b.security_group_rule_create(
            sg,
            &SecurityGroupRuleCreateRequest {
                direction: "ingress".into(),
                protocol: "all".into(),
                cidr_block: Some("0.0.0.0/0".into()),
                ..Default::default()
            },
        )
        .await
        .map(drop),
    ));
    answers.push((
        "route in a stranger's table",
        b.route_entry_create(&RouteEntryCreateRequest {
            route_table_id: table.into(),
            destination_cidr_block: "10.0.0.0/8".into(),
            next_hop_type: "blackhole".into(),
            ..Default::default()
        })
        .await
        .map(drop),
    ));
    for (what, answer) in answers {
        assert_eq!(refused(answer), (404, "NotFound".into()), "{what}");
    }

    // An id that never existed reads exactly the same.
    let ghost = "vpc-aaaaaaaaaaaaaaaaaaaaaaaa";
    assert_eq!(refused(b.vpc_get(ghost).await), (404, "NotFound".into()));

    // Lists show the stranger only its own (empty) world, and refuse to look elsewhere.
    assert!(b.vpc_list(&ListQuery::default()).await.unwrap().items.is_empty());
    assert!(b.instance_list(&ListQuery::default()).await.unwrap().items.is_empty());
    assert!(b.route_entry_list(&ListQuery::default()).await.unwrap().items.is_empty());
    assert!(
        b.audit_list(&ListQuery::default()).await.unwrap().items.iter().all(|e| e.account_id.to_string() != a_account)
    );
    let peek = ListQuery { account_id: Some(a_account.clone()), ..Default::default() };
    assert_eq!(refused(b.vpc_list(&peek).await), (403, "Forbidden".into()));

    // Tenants cannot use the operator's endpoints.
    let acct = AccountCreateRequest { kind: "tenant".into(), name: "C".into() };
    assert_eq!(refused(b.account_create(&acct).await), (403, "Forbidden".into()));
    assert_eq!(refused(b.account_list(&ListQuery::default()).await), (403, "Forbidden".into()));
    assert_eq!(refused(b.access_key_create(&a_account).await), (403, "Forbidden".into()));

    // The operator reads everything but changes nothing of a tenant's.
    let op = &server.operator;
    assert_eq!(op.vpc_get(vpc).await.unwrap(), w.vpc);
    assert_eq!(refused(op.vpc_modify(vpc, &modify).await), (403, "Forbidden".into()));
    assert_eq!(refused(op.vpc_delete(vpc).await), (403, "Forbidden".into()));

    assert_eq!(server.snapshot().await, before, "nothing changed");
}
