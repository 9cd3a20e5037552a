//! Peering through the API, on both stores: seed 001 step by step with the connectivity verdict
//! after each step (the tutorial's order matters), every refusal of connect and its neighbours
//! with nothing changed after it, a third account that can neither see nor connect to either
//! side, the pair limits, and the orders.

use xconnect_client::Client;
use xconnect_model::connectivity::{BlockCode, ConnectivityAnswer};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::testing::Kind;

use crate::harness::{Network, Server, network, refused};

/// One account's side of seed 001: a VPC with a vswitch, a group and an instance.
struct Side {
    c: Client,
    account: AccountId,
    vpc: Vpc,
    group: SecurityGroup,
    instance: Instance,
}

impl Side {
    async fn new(server: &Server, name: &str, region: &str, zone: &str, block: &str, vsw: &str) -> Side {
        let c = server.tenant(name).await;
        let account = c.caller().await.unwrap().id;
        let Network { vpc, group, instance } = network(&c, region, zone, block, vsw, None).await;
        Side { c, account, vpc, group, instance }
    }

    async fn interface(&self, role: &str, peer_region: &str, spec: Option<&str>) -> RouterInterface {
        self.c
            .router_interface_create(&RouterInterfaceCreateRequest {
                vpc_id: self.vpc.id.to_string(),
                role: role.into(),
                peer_region: peer_region.into(),
                spec: spec.map(Into::into),
                ..Default::default()
            })
            .await
            .unwrap()
    }

    fn names(&self, ri: &RouterInterface) -> RouterInterfacePeerRequest {
        RouterInterfacePeerRequest {
            peer_account_id: self.account.to_string(),
            peer_vrouter_id: self.vpc.vrouter_id.to_string(),
            peer_router_interface_id: ri.id.to_string(),
            peer_region: None,
        }
    }

    async fn route(&self, dest: &str, ri: &RouterInterface) -> Result<RouteEntry, xconnect_client::ClientError> {
        self.c
            .route_entry_create(&RouteEntryCreateRequest {
                route_table_id: self.vpc.route_table_id.to_string(),
                destination_cidr_block: dest.into(),
                next_hop_type: "router_interface".into(),
                next_hop_id: Some(ri.id.to_string()),
                ..Default::default()
            })
            .await
    }

    async fn admit(&self, block: &str) {
        let req = SecurityGroupRuleCreateRequest {
            direction: "ingress".into(),
            protocol: "icmp".into(),
            cidr_block: Some(block.into()),
            ..Default::default()
        };
        self.c.security_group_rule_create(self.group.id.as_str(), &req).await.unwrap();
    }

    async fn ping(&self, to: &Side) -> ConnectivityAnswer {
        let req = ConnectivityTestRequest {
            from_instance_id: Some(self.instance.id.to_string()),
            destination_ip: to.instance.private_ip.to_string(),
            ..Default::default()
        };
        self.c.connectivity_test(&req).await.unwrap()
    }
}

fn code(a: &ConnectivityAnswer) -> Option<BlockCode> {
    a.blocked.as_ref().map(|b| b.code)
}

/// Account A in Qingdao and account B in Beijing, as seed 001 has them.
async fn two_sides(server: &Server) -> (Side, Side) {
    let a = Side::new(server, "A", "cn-qingdao", "cn-qingdao-b", "192.168.0.0/16", "192.168.0.0/24").await;
    let b = Side::new(server, "B", "cn-beijing", "cn-beijing-a", "172.16.0.0/16", "172.16.0.0/24").await;
    (a, b)
}

async fn seed_001_in_order(kind: Kind) {
    let server = Server::start_on(kind).await;
    let (a, b) = two_sides(&server).await;
    let ri_a = a.interface("initiator", "China (Beijing)", Some("Mini.2")).await;
    let ri_b = b.interface("acceptor", "China (Qingdao)", None).await;
    assert_eq!((ri_a.status, ri_b.spec), (RouterInterfaceStatus::Idle, None));

    // Before any peer is set, connect fails and says why; so it does before the acceptor names
    // the initiator, and nothing changes.
    let before = server.snapshot().await;
    assert_eq!(refused(a.c.router_interface_action(ri_a.id.as_str(), "connect").await).1, "RouterInterface.PeerNotSet");
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
    let before_connect = server.snapshot().await;
    let (status, code_) = refused(a.c.router_interface_action(ri_a.id.as_str(), "connect").await);
    assert_eq!((status, code_.as_str()), (422, "RouterInterface.PeerNotConfirmed"));
    assert_eq!(server.snapshot().await, before_connect);
    assert_ne!(before, before_connect, "set-peer changed the initiator");

    // Only the initiator initiates.
    b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
    assert_eq!(
        refused(b.c.router_interface_action(ri_b.id.as_str(), "connect").await).1,
        "RouterInterface.NotInitiator"
    );
    let connected = a.c.router_interface_action(ri_a.id.as_str(), "connect").await.unwrap();
    assert_eq!(connected.status, RouterInterfaceStatus::Active);
    let ri_b_now = b.c.router_interface_get(ri_b.id.as_str()).await.unwrap();
    assert_eq!(ri_b_now.status, RouterInterfaceStatus::Active);
    assert_eq!(ri_b_now.spec, Some(RouterInterfaceSpec::Mini2), "the acceptor's spec follows the initiator's");

    // Before routes: no route.
    assert_eq!(code(&a.ping(&b).await), Some(BlockCode::NoRoute));
    a.route("172.16.0.0/16", &ri_a).await.unwrap();
    b.route("192.168.0.0/16", &ri_b).await.unwrap();
    // Before the security-group rules: ingress denied.
    assert_eq!(code(&a.ping(&b).await), Some(BlockCode::IngressDenied));
    b.admit("192.168.0.0/16").await;
    a.admit("172.16.0.0/16").await;
    for (from, to) in [(&a, &b), (&b, &a)] {
        let answer = from.ping(to).await;
        assert!(answer.reachable, "{answer:#?}");
        assert_eq!(answer.bandwidth_kbps, Some(2000));
    }

    // After deactivation (either side): peer not active; the acceptor's deactivation shows
    // in the initiator's answer as the other account's doing.
    b.c.router_interface_action(ri_b.id.as_str(), "deactivate").await.unwrap();
    let answer = a.ping(&b).await;
    assert_eq!(code(&answer), Some(BlockCode::PeerNotActive));
    assert!(answer.blocked.unwrap().fix.contains(b.account.as_str()));
    b.c.router_interface_action(ri_b.id.as_str(), "activate").await.unwrap();
    assert!(a.ping(&b).await.reachable);
    a.c.router_interface_action(ri_a.id.as_str(), "deactivate").await.unwrap();
    assert_eq!(code(&b.ping(&a).await), Some(BlockCode::PeerNotActive));

    // The initiator's spec is its order; the acceptor has none.
    let orders = a.c.order_list(&ListQuery::default()).await.unwrap().items;
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].product, orders[0].item.as_str()), (OrderProduct::RouterInterface, "Mini.2"));
    assert_eq!((orders[0].resource_id.as_str(), orders[0].bandwidth_mbps), (ri_a.id.as_str(), 2));
    assert!(orders[0].ended_at.is_none());
    assert!(b.c.order_list(&ListQuery::default()).await.unwrap().items.is_empty());

    // Deleting: refused while routes use the interface, and (for B's, still Active) while
    // Active; once free, it goes and its order ends.
    assert_eq!(refused(a.c.router_interface_delete(ri_a.id.as_str()).await).1, "DependencyViolation");
    b.c.route_entry_delete(b.c.route_entry_list(&ListQuery::default()).await.unwrap().items[0].id.as_str())
        .await
        .unwrap();
    assert_eq!(refused(b.c.router_interface_delete(ri_b.id.as_str()).await).1, "RouterInterface.StillActive");
    let route_a = a.c.route_entry_list(&ListQuery::default()).await.unwrap().items[0].id.clone();
    a.c.route_entry_delete(route_a.as_str()).await.unwrap();
    a.c.router_interface_delete(ri_a.id.as_str()).await.unwrap();
    let orders = a.c.order_list(&ListQuery::default()).await.unwrap().items;
    assert!(orders[0].ended_at.is_some());
    // B's side was left Inactive with its peer gone: it leads nowhere and cannot come back.
    assert_eq!(b.c.router_interface_get(ri_b.id.as_str()).await.unwrap().status, RouterInterfaceStatus::Inactive);
    b.route("192.168.0.0/16", &ri_b).await.unwrap();
    assert_eq!(code(&b.ping(&a).await), Some(BlockCode::PeerNotActive));
    let (status, code_) = refused(b.c.router_interface_action(ri_b.id.as_str(), "activate").await);
    assert_eq!((status, code_.as_str()), (422, "RouterInterface.PeerNotConfirmed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_001_in_order_on_sqlite() {
    seed_001_in_order(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_001_in_order_on_postgres() {
    seed_001_in_order(Kind::Postgres).await;
}

/// Each disagreement between the two sides has its own code, and a refused connect changes
/// nothing on either side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mismatch_has_its_code_and_changes_nothing() {
    let server = Server::start().await;
    let (a, b) = two_sides(&server).await;
    let ri_a = a.interface("initiator", "cn-beijing", Some("Large.1")).await;
    let ri_b = b.interface("acceptor", "cn-qingdao", None).await;
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
    let connect = || a.c.router_interface_action(ri_a.id.as_str(), "connect");

    let wrong: [(RouterInterfacePeerRequest, &str); 3] = [
        (
            RouterInterfacePeerRequest { peer_account_id: b.account.to_string(), ..a.names(&ri_a) },
            "RouterInterface.PeerAccountMismatch",
        ),
        (
            RouterInterfacePeerRequest { peer_region: Some("cn-hangzhou".into()), ..a.names(&ri_a) },
            "RouterInterface.PeerRegionMismatch",
        ),
        (
            RouterInterfacePeerRequest {
                peer_vrouter_id: "vrt-222222222222222222222222".into(),
                peer_region: Some("cn-qingdao".into()),
                ..a.names(&ri_a)
            },
            "RouterInterface.PeerVRouterMismatch",
        ),
    ];
    for (req, expected) in wrong {
        b.c.router_interface_set_peer(ri_b.id.as_str(), &req).await.unwrap();
        let before = server.snapshot().await;
        let (status, code_) = refused(connect().await);
        assert_eq!((status, code_.as_str()), (422, expected));
        assert_eq!(server.snapshot().await, before, "{expected} changed something");
    }
    // The initiator's own view of the other side can be wrong too.
    b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
    let wrong_region = RouterInterfacePeerRequest { peer_region: Some("cn-hangzhou".into()), ..b.names(&ri_b) };
    a.c.router_interface_set_peer(ri_a.id.as_str(), &wrong_region).await.unwrap();
    assert_eq!(refused(connect().await).1, "RouterInterface.PeerRegionMismatch");
    let right = RouterInterfacePeerRequest { peer_region: Some("cn-beijing".into()), ..b.names(&ri_b) };
    // ... and so can the account and the VRouter it names: each mismatch from both sides.
    let initiator_wrong: [(RouterInterfacePeerRequest, &str); 2] = [
        (
            RouterInterfacePeerRequest { peer_account_id: a.account.to_string(), ..right.clone() },
            "RouterInterface.PeerAccountMismatch",
        ),
        (
            RouterInterfacePeerRequest { peer_vrouter_id: "vrt-222222222222222222222222".into(), ..right.clone() },
            "RouterInterface.PeerVRouterMismatch",
        ),
    ];
    for (req, expected) in initiator_wrong {
        a.c.router_interface_set_peer(ri_a.id.as_str(), &req).await.unwrap();
        let before = server.snapshot().await;
        let (status, code_) = refused(connect().await);
        assert_eq!((status, code_.as_str()), (422, expected), "the initiator's side");
        assert_eq!(server.snapshot().await, before, "{expected} changed something");
    }
    a.c.router_interface_set_peer(ri_a.id.as_str(), &right).await.unwrap();

    // Two initiators do not make a pair.
    let ri_b2 = b.interface("initiator", "cn-qingdao", Some("Mini.2")).await;
    b.c.router_interface_set_peer(ri_b2.id.as_str(), &a.names(&ri_a)).await.unwrap();
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b2)).await.unwrap();
    assert_eq!(refused(connect().await).1, "RouterInterface.PeerNotAcceptor");

    // Connected once; the same pair again, and a second pair between the same VRouters, are
    // refused; a connected interface's peer cannot change.
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
    connect().await.unwrap();
    assert_eq!(refused(connect().await).1, "RouterInterface.IncorrectStatus");
    assert_eq!(
        refused(a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b2)).await).1,
        "RouterInterface.IncorrectStatus"
    );
    let ri_a2 = a.interface("initiator", "cn-beijing", Some("Mini.2")).await;
    let ri_b3 = b.interface("acceptor", "cn-qingdao", None).await;
    a.c.router_interface_set_peer(ri_a2.id.as_str(), &b.names(&ri_b3)).await.unwrap();
    b.c.router_interface_set_peer(ri_b3.id.as_str(), &a.names(&ri_a2)).await.unwrap();
    let before = server.snapshot().await;
    let (status, code_) = refused(a.c.router_interface_action(ri_a2.id.as_str(), "connect").await);
    assert_eq!((status, code_.as_str()), (409, "RouterInterface.PairExists"));
    assert_eq!(server.snapshot().await, before);

    // At most five interfaces per VRouter (A has two).
    for _ in 0..3 {
        a.interface("acceptor", "cn-beijing", None).await;
    }
    let req = RouterInterfaceCreateRequest {
        vpc_id: a.vpc.id.to_string(),
        role: "acceptor".into(),
        peer_region: "cn-beijing".into(),
        ..Default::default()
    };
    assert_eq!(refused(a.c.router_interface_create(&req).await), (409, "QuotaExceeded".to_owned()));
}

/// Bad requests: spec rules, own VRouter as peer, routes over another VRouter's interface or
/// onto a vswitch block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_nothing_changed() {
    let server = Server::start().await;
    let (a, b) = two_sides(&server).await;
    let ri_a = a.interface("initiator", "cn-beijing", Some("Small.1")).await;
    let ri_b = b.interface("acceptor", "cn-qingdao", None).await;
    let before = server.snapshot().await;
    let create = |role: &str, spec: Option<&str>, region: &str| RouterInterfaceCreateRequest {
        vpc_id: a.vpc.id.to_string(),
        role: role.into(),
        peer_region: region.into(),
        spec: spec.map(Into::into),
        ..Default::default()
    };
    for (req, field) in [
        (create("initiator", None, "cn-beijing"), "spec"),
        (create("initiator", Some("Huge.9"), "cn-beijing"), "spec"),
        (create("acceptor", Some("Large.1"), "cn-beijing"), "spec"),
        (create("sideways", None, "cn-beijing"), "role"),
    ] {
        match a.c.router_interface_create(&req).await {
            Err(xconnect_client::ClientError::Api { status: 400, body }) => {
                assert_eq!(body.code, "InvalidParameter");
                assert!(body.message.starts_with(field), "{}", body.message);
            }
            other => panic!("{req:?}: {other:?}"),
        }
    }
    assert_eq!(refused(a.c.router_interface_create(&create("acceptor", None, "atlantis")).await).1, "UnknownRegion");
    let elsewhere =
        RouterInterfaceCreateRequest { region: Some("cn-beijing".into()), ..create("acceptor", None, "cn-beijing") };
    assert_eq!(refused(a.c.router_interface_create(&elsewhere).await).1, "RouterInterface.RegionMismatch");
    let own = RouterInterfacePeerRequest { peer_vrouter_id: a.vpc.vrouter_id.to_string(), ..b.names(&ri_b) };
    assert_eq!(refused(a.c.router_interface_set_peer(ri_a.id.as_str(), &own).await).1, "RouterInterface.SameVRouter");
    let itself = RouterInterfacePeerRequest { peer_router_interface_id: ri_a.id.to_string(), ..b.names(&ri_b) };
    assert_eq!(refused(a.c.router_interface_set_peer(ri_a.id.as_str(), &itself).await).1, "RouterInterface.OwnPeer");
    // A route over B's interface from A's table: B's interface is not A's to use.
    assert_eq!(refused(a.route("172.16.0.0/16", &ri_b).await), (404, "NotFound".to_owned()));
    // A route over an interface of another of A's VRouters.
    let other =
        a.c.vpc_create(&VpcCreateRequest {
            region: "cn-qingdao".into(),
            cidr_block: "10.0.0.0/16".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let ri_other =
        a.c.router_interface_create(&RouterInterfaceCreateRequest {
            vpc_id: other.id.to_string(),
            role: "acceptor".into(),
            peer_region: "cn-beijing".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(refused(a.route("172.16.0.0/16", &ri_other).await).1, "RouteEntry.NextHopNotInVRouter");
    assert_eq!(refused(a.route("192.168.0.128/25", &ri_a).await).1, "RouteEntry.OverlapsVSwitch");
    let no_id = RouteEntryCreateRequest {
        route_table_id: a.vpc.route_table_id.to_string(),
        destination_cidr_block: "172.16.0.0/16".into(),
        next_hop_type: "router_interface".into(),
        ..Default::default()
    };
    assert_eq!(refused(a.c.route_entry_create(&no_id).await).1, "InvalidParameter");
    a.c.router_interface_delete(ri_other.id.as_str()).await.unwrap();
    a.c.vpc_delete(other.id.as_str()).await.unwrap();
    assert_eq!(server.snapshot().await, before);
    // A VPC with an interface is not deleted under it.
    assert_eq!(refused(a.c.vpc_delete(a.vpc.id.as_str()).await).1, "DependencyViolation");
}

/// A third account can neither see nor connect to either side, nor act on them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_account_neither_sees_nor_connects() {
    let server = Server::start().await;
    let (a, b) = two_sides(&server).await;
    let c = Side::new(&server, "C", "cn-beijing", "cn-beijing-a", "10.0.0.0/16", "10.0.0.0/24").await;
    let ri_a = a.interface("initiator", "cn-beijing", Some("Mini.2")).await;
    let ri_b = b.interface("acceptor", "cn-qingdao", None).await;
    b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
    let before = server.snapshot().await;

    for ri in [&ri_a, &ri_b] {
        let id = ri.id.as_str();
        assert_eq!(refused(c.c.router_interface_get(id).await), (404, "NotFound".to_owned()));
        for action in ["connect", "deactivate", "activate"] {
            assert_eq!(refused(c.c.router_interface_action(id, action).await).0, 404, "{action}");
        }
        assert_eq!(refused(c.c.router_interface_delete(id).await).0, 404);
        let elsewhere = RouterInterfacePeerRequest {
            peer_router_interface_id: "ri-2222222222222222222222zz".into(),
            ..c.names(&ri_a)
        };
        assert_eq!(refused(c.c.router_interface_set_peer(id, &elsewhere).await).0, 404);
        assert_eq!(refused(c.c.router_interface_modify(id, &ModifyRequest::default()).await).0, 404);
    }
    assert!(c.c.router_interface_list(&ListQuery::default()).await.unwrap().items.is_empty());
    assert_eq!(server.snapshot().await, before);

    // C's own initiator naming B's acceptor: B's side names A's, so C hears exactly what it would
    // for an interface that does not exist.
    let ri_c = c.interface("initiator", "cn-qingdao", Some("Mini.2")).await;
    c.c.router_interface_set_peer(ri_c.id.as_str(), &b.names(&ri_b)).await.unwrap();
    let (status, body) = match c.c.router_interface_action(ri_c.id.as_str(), "connect").await {
        Err(xconnect_client::ClientError::Api { status, body }) => (status, body),
        other => panic!("{other:?}"),
    };
    assert_eq!((status, body.code.as_str()), (422, "RouterInterface.PeerNotConfirmed"));
    let ghost =
        RouterInterfacePeerRequest { peer_router_interface_id: "ri-2222222222222222222222zz".into(), ..b.names(&ri_b) };
    c.c.router_interface_set_peer(ri_c.id.as_str(), &ghost).await.unwrap();
    let ghost_body = match c.c.router_interface_action(ri_c.id.as_str(), "connect").await {
        Err(xconnect_client::ClientError::Api { body, .. }) => body,
        other => panic!("{other:?}"),
    };
    assert_eq!(ghost_body.code, body.code);
    assert_eq!(
        ghost_body.message.replace("ri-2222222222222222222222zz", "X"),
        body.message.replace(ri_b.id.as_str(), "X"),
        "an existing interface and a missing one read alike"
    );
    assert_eq!(b.c.router_interface_get(ri_b.id.as_str()).await.unwrap().status, RouterInterfaceStatus::Idle);
}

/// Seed 001 step 6 in the same region: a group of another account is a source, named with its
/// account; across regions only CIDR sources work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_groups_across_accounts() {
    let server = Server::start().await;
    let a = Side::new(&server, "A", "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.0.0/24").await;
    let b = Side::new(&server, "B", "cn-beijing", "cn-beijing-b", "172.16.0.0/16", "172.16.0.0/24").await;
    let far = Side::new(&server, "F", "cn-qingdao", "cn-qingdao-b", "10.0.0.0/16", "10.0.0.0/24").await;
    let ri_a = a.interface("initiator", "cn-beijing", Some("Middle.1")).await;
    let ri_b = b.interface("acceptor", "cn-beijing", None).await;
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
    b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
    a.c.router_interface_action(ri_a.id.as_str(), "connect").await.unwrap();
    a.route("172.16.0.0/24", &ri_a).await.unwrap();
    b.route("192.168.0.0/24", &ri_b).await.unwrap();
    assert_eq!(code(&a.ping(&b).await), Some(BlockCode::IngressDenied));

    let by_group = |group: &SecurityGroup, account: &AccountId| SecurityGroupRuleCreateRequest {
        direction: "ingress".into(),
        protocol: "icmp".into(),
        peer_security_group_id: Some(group.id.to_string()),
        peer_account_id: Some(account.to_string()),
        ..Default::default()
    };
    // Naming A's group without A's account reads as a group that does not exist.
    let unnamed = SecurityGroupRuleCreateRequest { peer_account_id: None, ..by_group(&a.group, &a.account) };
    assert_eq!(refused(b.c.security_group_rule_create(b.group.id.as_str(), &unnamed).await).0, 404);
    b.c.security_group_rule_create(b.group.id.as_str(), &by_group(&a.group, &a.account)).await.unwrap();
    let answer = a.ping(&b).await;
    assert!(answer.reachable, "{answer:#?}");
    assert_eq!(answer.bandwidth_kbps, Some(100_000));
    // Another account's group in another region is taken as named (looking it up would tell B
    // where it is), and admits nothing: group peers match only within one region (net's
    // `a_group_of_another_account_in_the_same_region_admits_its_members`).
    b.c.security_group_rule_create(b.group.id.as_str(), &by_group(&far.group, &far.account)).await.unwrap();
}

/// Two initiators of one VRouter connecting at once to two acceptors of another: one pair per
/// two VRouters holds under the race, on each store.
async fn one_pair_wins_a_race(kind: Kind) {
    let server = Server::start_on(kind).await;
    let (a, b) = two_sides(&server).await;
    let mut initiators = Vec::new();
    for _ in 0..2 {
        let ri_a = a.interface("initiator", "cn-beijing", Some("Mini.5")).await;
        let ri_b = b.interface("acceptor", "cn-qingdao", None).await;
        a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
        b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
        initiators.push(ri_a.id.to_string());
    }
    let (one, two) = tokio::join!(
        a.c.router_interface_action(&initiators[0], "connect"),
        a.c.router_interface_action(&initiators[1], "connect")
    );
    let (won, lost) = match (one, two) {
        (Ok(w), l @ Err(_)) | (l @ Err(_), Ok(w)) => (w, l),
        other => panic!("exactly one connect must win: {other:?}"),
    };
    assert_eq!(won.status, RouterInterfaceStatus::Active);
    assert_eq!(refused(lost), (409, "RouterInterface.PairExists".to_owned()));
    let active = ListQuery { status: Some("Active".into()), ..Default::default() };
    assert_eq!(a.c.router_interface_list(&active).await.unwrap().items.len(), 1);
    assert_eq!(b.c.router_interface_list(&active).await.unwrap().items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pair_wins_a_race_on_sqlite() {
    one_pair_wins_a_race(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pair_wins_a_race_on_postgres() {
    one_pair_wins_a_race(Kind::Postgres).await;
}

/// The data plane's desired state, as the operator's agent reads it: the two routers and
/// instances of a connected pair and its shaped link, a table for each instance's groups and
/// one for each router (nothing is carried on from one pair to another). Tenants may not
/// read it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_reads_the_desired_state() {
    let server = Server::start().await;
    let (a, b) = two_sides(&server).await;
    let ri_a = a.interface("initiator", "cn-beijing", Some("Small.1")).await;
    let ri_b = b.interface("acceptor", "cn-qingdao", None).await;
    a.c.router_interface_set_peer(ri_a.id.as_str(), &b.names(&ri_b)).await.unwrap();
    b.c.router_interface_set_peer(ri_b.id.as_str(), &a.names(&ri_a)).await.unwrap();
    a.c.router_interface_action(ri_a.id.as_str(), "connect").await.unwrap();
    let d = server.operator.desired_state_get().await.unwrap();
    assert_eq!(d.namespaces.len(), 4);
    assert_eq!(d.veths.len(), 3);
    assert!(d.shaping.iter().all(|s| s.bought_kbps == 10_000) && d.shaping.len() == 2);
    assert_eq!(d.rulesets.len(), 4);
    assert_eq!(refused(a.c.desired_state_get().await).0, 403);
}
