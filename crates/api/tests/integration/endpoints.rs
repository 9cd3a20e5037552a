//! Every endpoint's happy path, on SQLite and on PostgreSQL, plus idempotent creates, the
//! audit trail and races that only one request may win.

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::testing::Kind;

use crate::World;
use crate::harness::{Server, refused};

async fn walk_every_endpoint(kind: Kind) {
    let server = Server::start_on(kind).await;
    let op = &server.operator;

    // Accounts and keys (operator).
    let me = op.caller().await.unwrap();
    assert_eq!(me.kind, AccountKind::Operator);
    let made =
        op.account_create(&AccountCreateRequest { kind: "partner".into(), name: "Equinix".into() }).await.unwrap();
    assert_eq!(made.account.kind, AccountKind::Partner);
    assert_eq!(op.account_get(made.account.id.as_str()).await.unwrap(), made.account);
    let second = op.access_key_create(made.account.id.as_str()).await.unwrap();
    let keys = op.access_key_list(made.account.id.as_str()).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k.id == second.access_key_id));
    let accounts = op.account_list(&ListQuery::default()).await.unwrap();
    assert_eq!(accounts.items.len(), 2);

    let a = server.tenant("A").await;
    assert_eq!(a.caller().await.unwrap().kind, AccountKind::Tenant);
    let regions = a.region_list().await.unwrap();
    assert!(regions.regions.iter().any(|r| r.id == "us-east-1"));

    // VPC.
    let w = World::build(&a).await;
    assert_eq!(w.vpc.region.as_str(), "cn-beijing", "a display name resolves to the region id");
    assert_eq!(a.vpc_get(w.vpc.id.as_str()).await.unwrap(), w.vpc);
    let page = a.vpc_list(&ListQuery { region: Some("cn-beijing".into()), ..Default::default() }).await.unwrap();
    assert_eq!(page.items, vec![w.vpc.clone()]);
    assert!(
        a.vpc_list(&ListQuery { region: Some("cn-qingdao".into()), ..Default::default() })
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let renamed = a
        .vpc_modify(
            w.vpc.id.as_str(),
            &ModifyRequest { name: Some("vpc-a2".into()), description: Some("seed 003".into()) },
        )
        .await
        .unwrap();
    assert_eq!((renamed.name.unwrap().as_str(), renamed.description.as_str()), ("vpc-a2", "seed 003"));

    // Vswitch.
    assert_eq!(a.vswitch_get(w.vswitch.id.as_str()).await.unwrap(), w.vswitch);
    let page = a.vswitch_list(&ListQuery { vpc_id: Some(w.vpc.id.to_string()), ..Default::default() }).await.unwrap();
    assert_eq!(page.items, vec![w.vswitch.clone()]);
    let v = a
        .vswitch_modify(w.vswitch.id.as_str(), &ModifyRequest { name: Some("vsw".into()), description: None })
        .await
        .unwrap();
    assert_eq!(v.name.unwrap().as_str(), "vsw");

    // Security groups and rules.
    assert_eq!(a.security_group_get(w.group.id.as_str()).await.unwrap(), w.group);
    assert_eq!(a.security_group_list(&ListQuery::default()).await.unwrap().items.len(), 2);
    let g = a
        .security_group_modify(w.group.id.as_str(), &ModifyRequest { name: Some("web".into()), description: None })
        .await
        .unwrap();
    assert_eq!(g.name.unwrap().as_str(), "web");
    let group_rule = a
        .security_group_rule_create(
            w.group.id.as_str(),
            &SecurityGroupRuleCreateRequest {
                direction: "ingress".into(),
                protocol: "tcp".into(),
                port_range: Some("22/22".into()),
                peer_security_group_id: Some(w.other_group.id.to_string()),
                priority: Some(10),
                policy: Some("drop".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        group_rule.peer,
        RulePeer::SecurityGroup { security_group_id: w.other_group.id.clone(), account_id: w.vpc.account_id.clone() }
    );
    let rules = a.security_group_rule_list(w.group.id.as_str(), &ListQuery::default()).await.unwrap();
    assert_eq!(rules.items, vec![w.rule.clone(), group_rule.clone()]);

    // Instance.
    assert_eq!(w.instance.private_ip.to_string(), "192.168.100.10");
    let auto = a
        .instance_create(&InstanceCreateRequest {
            vswitch_id: w.vswitch.id.to_string(),
            security_group_ids: vec![w.group.id.to_string()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(auto.private_ip.to_string(), "192.168.100.2", "the lowest free, unreserved address");
    assert_eq!(a.instance_get(w.instance.id.as_str()).await.unwrap(), w.instance);
    assert_eq!(a.instance_list(&ListQuery::default()).await.unwrap().items.len(), 2);
    let moved = a
        .instance_modify(
            w.instance.id.as_str(),
            &InstanceModifyRequest {
                security_group_ids: Some(vec![w.other_group.id.to_string(), w.group.id.to_string()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.security_group_ids, vec![w.other_group.id.clone(), w.group.id.clone()]);

    // Route table and entries.
    let table = a.route_table_get(w.vpc.route_table_id.as_str()).await.unwrap();
    let lines: Vec<(String, &str, RouteKind)> =
        table.entries.iter().map(|e| (e.destination_cidr_block.to_string(), e.next_hop.type_name(), e.kind)).collect();
    assert_eq!(
        lines,
        vec![
            ("192.168.100.0/24".to_owned(), "local", RouteKind::System),
            ("10.0.0.0/8".to_owned(), "blackhole", RouteKind::Custom),
        ]
    );
    assert_eq!(a.route_entry_get(w.route.id.as_str()).await.unwrap(), w.route);
    let page = a
        .route_entry_list(&ListQuery { route_table_id: Some(w.vpc.route_table_id.to_string()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.items, vec![w.route.clone()]);
    let r = a
        .route_entry_modify(w.route.id.as_str(), &RouteEntryModifyRequest { description: Some("drop".into()) })
        .await
        .unwrap();
    assert_eq!(r.description.as_str(), "drop");

    // Deletes, innermost first; each is gone afterwards.
    a.security_group_rule_delete(w.group.id.as_str(), group_rule.id.as_str()).await.unwrap();
    a.route_entry_delete(w.route.id.as_str()).await.unwrap();
    assert_eq!(refused(a.route_entry_get(w.route.id.as_str()).await), (404, "NotFound".into()));
    a.instance_delete(w.instance.id.as_str()).await.unwrap();
    a.instance_delete(auto.id.as_str()).await.unwrap();
    assert_eq!(refused(a.instance_get(auto.id.as_str()).await), (404, "NotFound".into()));
    a.vswitch_delete(w.vswitch.id.as_str()).await.unwrap();
    a.security_group_delete(w.group.id.as_str()).await.unwrap();
    a.security_group_delete(w.other_group.id.as_str()).await.unwrap();
    assert!(a.security_group_rule_list(w.group.id.as_str(), &ListQuery::default()).await.is_err());
    a.vpc_delete(w.vpc.id.as_str()).await.unwrap();
    assert_eq!(refused(a.vpc_get(w.vpc.id.as_str()).await), (404, "NotFound".into()));
    assert_eq!(refused(a.route_table_get(w.vpc.route_table_id.as_str()).await), (404, "NotFound".into()));

    // The audit trail has every change, each with its request id and result.
    let events = a.audit_list(&ListQuery { max_results: Some(100), ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = events.items.iter().map(|e| e.action.as_str()).collect();
    for expected in ["vpc_create", "vswitch_modify", "security_group_rule_create", "instance_modify", "vpc_delete"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    assert!(events.items.iter().all(|e| e.result == "ok" && e.account_id == w.vpc.account_id));
    let everything = op.audit_list(&ListQuery { max_results: Some(100), ..Default::default() }).await.unwrap();
    assert!(everything.items.iter().any(|e| e.action == "account_create"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_on_sqlite() {
    walk_every_endpoint(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_on_postgres() {
    walk_every_endpoint(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_walk_the_whole_list() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let mut made = Vec::new();
    for n in 0..7 {
        let v = a
            .vpc_create(&VpcCreateRequest {
                region: "cn-qingdao".into(),
                cidr_block: format!("10.{n}.0.0/16"),
                ..Default::default()
            })
            .await
            .unwrap();
        made.push(v.id);
    }
    let mut seen = Vec::new();
    let mut q = ListQuery { max_results: Some(3), ..Default::default() };
    loop {
        let p = a.vpc_list(&q).await.unwrap();
        assert!(p.items.len() <= 3);
        seen.extend(p.items.into_iter().map(|v| v.id));
        match p.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, made);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_tokens_make_creates_idempotent() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let req = VpcCreateRequest {
        region: "cn-qingdao".into(),
        cidr_block: "192.168.0.0/16".into(),
        client_token: Some("retry-1".into()),
        ..Default::default()
    };
    let first = a.vpc_create(&req).await.unwrap();
    let again = a.vpc_create(&req).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(a.vpc_list(&ListQuery::default()).await.unwrap().items.len(), 1);
    let different = VpcCreateRequest { cidr_block: "10.0.0.0/16".into(), ..req };
    assert_eq!(refused(a.vpc_create(&different).await), (409, "IdempotentParameterMismatch".into()));
    // Tokens belong to their account: another tenant may use the same one.
    let b = server.tenant("B").await;
    assert_ne!(b.vpc_create(&different).await.unwrap().id, first.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_in_the_audit_trail_under_their_request_id() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let e = a
        .vpc_create(&VpcCreateRequest {
            region: "cn-qingdao".into(),
            cidr_block: "192.168.1.0/16".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let xconnect_client::ClientError::Api { body, .. } = e else { panic!("{e}") };
    let events = a.audit_list(&ListQuery::default()).await.unwrap();
    let ev = events.items.iter().find(|ev| ev.request_id.as_str() == body.request_id).expect("the refusal is recorded");
    assert_eq!((ev.action.as_str(), ev.result.as_str()), ("vpc_create", "InvalidCidr.HostBitsSet"));
}

/// Twenty requests race to create overlapping vswitches; the overlap check runs inside each
/// transaction, so exactly one wins, on either backend.
async fn only_one_overlapping_vswitch_wins(kind: Kind) {
    let server = Server::start_on(kind).await;
    let a = server.tenant("A").await;
    let vpc = a
        .vpc_create(&VpcCreateRequest {
            region: "cn-qingdao".into(),
            cidr_block: "10.0.0.0/16".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let a = a.clone();
            let req = VSwitchCreateRequest {
                vpc_id: vpc.id.to_string(),
                zone: "cn-qingdao-b".into(),
                // Blocks of different sizes that all contain 10.0.1.0.
                cidr_block: ["10.0.0.0/16", "10.0.0.0/20", "10.0.0.0/23", "10.0.1.0/24"][i % 4].into(),
                ..Default::default()
            };
            tokio::spawn(async move { a.vswitch_create(&req).await })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.code(), Some("VSwitch.CidrOverlap"), "{e}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(a.vswitch_list(&ListQuery::default()).await.unwrap().items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_overlaps_on_sqlite() {
    only_one_overlapping_vswitch_wins(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_overlaps_on_postgres() {
    only_one_overlapping_vswitch_wins(Kind::Postgres).await;
}

/// 32 writers adding rules to one security group at once, on PostgreSQL: every rule lands, none
/// is answered 503 (serialization failures are retried until they go through).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_raced_into_one_group_all_land_on_postgres() {
    let server = Server::start_on(Kind::Postgres).await;
    let a = server.tenant("A").await;
    let w = World::build(&a).await;
    let tasks: Vec<_> = (0..32)
        .map(|t| {
            let (a, group) = (a.clone(), w.group.id.to_string());
            tokio::spawn(async move {
                for n in 0..6 {
                    let req = SecurityGroupRuleCreateRequest {
                        direction: "ingress".into(),
                        protocol: "tcp".into(),
                        port_range: Some(format!("{p}/{p}", p = 1000 + t * 10 + n)),
                        cidr_block: Some("10.0.0.0/8".into()),
                        ..Default::default()
                    };
                    a.security_group_rule_create(&group, &req).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let all = ListQuery { max_results: Some(100), ..Default::default() };
    let mut count = 0;
    let mut q = all.clone();
    loop {
        let p = a.security_group_rule_list(w.group.id.as_str(), &q).await.unwrap();
        count += p.items.len();
        match p.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(count, 1 + 32 * 6, "the world's rule and every raced one");
}
