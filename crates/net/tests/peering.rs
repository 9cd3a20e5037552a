//! The path walker across a router interface pair: two accounts' VPCs, A in Qingdao
//! (192.168.0.0/16, instance 192.168.1.10) and B in Beijing (172.16.0.0/16, instance
//! 172.16.1.20), built up step by step as seed 001 does, with the verdict after each step; then
//! what breaks it again (deactivation, a third VPC behind B, a missing route back), and what
//! account A may see of B's side.

use xconnect_model::connectivity::{BlockCode, ConnectivityAnswer, HopKind};
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

fn id<T: ResourceId>(n: u8) -> T {
    T::from_entropy(&[n; ID_ENTROPY_BYTES])
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse("c", s).unwrap()
}

fn at() -> Timestamp {
    Timestamp::from_millis(0)
}

/// One account's VPC with one vswitch, one group and one instance; `n` numbers its ids
/// (account n, VPC n+1, vswitch n+2, group n+3, instance n+4).
fn vpc(s: &mut Snapshot, n: u8, region: &str, block: &str, vsw: &str, ip: &str) {
    let region = RegionId::from_trusted(region.into());
    s.vpcs.push(Vpc {
        id: id(n + 1),
        account_id: id(n),
        region: region.clone(),
        cidr_block: cidr(block),
        name: None,
        description: Description::default(),
        vrouter_id: id(n + 1),
        route_table_id: id(n + 1),
        created_at: at(),
    });
    s.vswitches.push(VSwitch {
        id: id(n + 2),
        account_id: id(n),
        vpc_id: id(n + 1),
        region: region.clone(),
        zone: "z".into(),
        cidr_block: cidr(vsw),
        name: None,
        description: Description::default(),
        created_at: at(),
    });
    s.instances.push(Instance {
        id: id(n + 4),
        account_id: id(n),
        vpc_id: id(n + 1),
        vswitch_id: id(n + 2),
        region,
        zone: "z".into(),
        private_ip: ip.parse().unwrap(),
        security_group_ids: vec![id(n + 3)],
        name: None,
        description: Description::default(),
        created_at: at(),
    });
}

const A: u8 = 10;
const B: u8 = 50;
const C: u8 = 90;
const RI_A: u8 = 200;
const RI_B: u8 = 201;

fn interface(n: u8, owner: u8, role: RouterInterfaceRole, peer: Option<(u8, u8)>) -> RouterInterface {
    RouterInterface {
        id: id(n),
        account_id: id(owner),
        vpc_id: id(owner + 1),
        vrouter_id: id(owner + 1),
        region: RegionId::from_trusted("r".into()),
        role,
        spec: Some(RouterInterfaceSpec::Mini2),
        status: RouterInterfaceStatus::Idle,
        peer_region: RegionId::from_trusted("r".into()),
        peer: peer.map(|(ri, account)| RouterInterfacePeer {
            account_id: id(account),
            vrouter_id: id(account + 1),
            router_interface_id: id(ri),
        }),
        name: None,
        description: Description::default(),
        created_at: at(),
        connected_at: None,
    }
}

fn route(n: u8, owner: u8, dest: &str, ri: u8) -> RouteEntry {
    RouteEntry {
        id: id(n),
        account_id: id(owner),
        route_table_id: id(owner + 1),
        vpc_id: id(owner + 1),
        destination_cidr_block: cidr(dest),
        next_hop: NextHop::RouterInterface { router_interface_id: id(ri) },
        description: Description::default(),
        created_at: at(),
    }
}

fn icmp_from(n: u8, owner: u8, block: &str) -> SecurityGroupRule {
    SecurityGroupRule {
        id: id(n),
        security_group_id: id(owner + 3),
        direction: Direction::Ingress,
        protocol: Protocol::Icmp,
        port_range: None,
        peer: RulePeer::Cidr { cidr_block: cidr(block) },
        priority: 1,
        policy: Policy::Accept,
        description: Description::default(),
        created_at: at(),
    }
}

/// The two VPCs and the two interfaces, created but not connected.
fn created() -> Snapshot {
    let mut s = Snapshot::default();
    vpc(&mut s, A, "cn-qingdao", "192.168.0.0/16", "192.168.1.0/24", "192.168.1.10");
    vpc(&mut s, B, "cn-beijing", "172.16.0.0/16", "172.16.1.0/24", "172.16.1.20");
    s.router_interfaces.push(interface(RI_A, A, RouterInterfaceRole::Initiator, Some((RI_B, B))));
    s.router_interfaces.push(interface(RI_B, B, RouterInterfaceRole::Acceptor, Some((RI_A, A))));
    s
}

fn connect(s: &mut Snapshot) {
    for ri in &mut s.router_interfaces {
        ri.status = RouterInterfaceStatus::Active;
    }
}

fn routes(s: &mut Snapshot) {
    s.route_entries.push(route(210, A, "172.16.0.0/16", RI_A));
    s.route_entries.push(route(211, B, "192.168.0.0/16", RI_B));
}

fn rules(s: &mut Snapshot) {
    s.rules.push(icmp_from(220, B, "192.168.0.0/16"));
    s.rules.push(icmp_from(221, A, "172.16.0.0/16"));
}

/// Everything of seed 001: connected, routed and admitted both ways.
fn seeded() -> Snapshot {
    let mut s = created();
    connect(&mut s);
    routes(&mut s);
    rules(&mut s);
    s
}

fn ping(s: Snapshot, from: u8, to: &str) -> ConnectivityAnswer {
    let q = Question { from: id(from + 4), to: to.parse().unwrap(), protocol: Protocol::Icmp, port: None };
    View::new(s).test(&q).expect("the source is in the view")
}

fn code(a: &ConnectivityAnswer) -> Option<BlockCode> {
    a.blocked.as_ref().map(|b| b.code)
}

fn kinds(a: &ConnectivityAnswer) -> Vec<HopKind> {
    a.hops.iter().map(|h| h.kind).collect()
}

use HopKind::*;

#[test]
fn the_tutorials_order_matters() {
    // Interfaces created, routes added, but the pair not connected: the route leads to an Idle
    // interface.
    let mut s = created();
    routes(&mut s);
    let a = ping(s.clone(), A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::PeerNotActive), "{a:#?}");
    assert_eq!(kinds(&a), [Egress, Route, Peering]);
    assert!(a.blocked.unwrap().fix.contains("router-interface connect"));

    // Connected, but no routes yet.
    let mut s = created();
    connect(&mut s);
    let a = ping(s.clone(), A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::NoRoute));
    assert_eq!(kinds(&a), [Egress, Route]);

    // Routes, but no security-group rule: B's group denies the ping.
    routes(&mut s);
    let a = ping(s.clone(), A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::IngressDenied));
    assert_eq!(kinds(&a), [Egress, Route, Peering, Route, Delivery, Ingress]);
    assert_eq!(a.bandwidth_kbps, Some(2000));

    // Everything: reachable both ways, at the pair's 2 Mbit/s.
    rules(&mut s);
    for (from, to) in [(A, "172.16.1.20"), (B, "192.168.1.10")] {
        let a = ping(s.clone(), from, to);
        assert!(a.reachable, "{a:#?}");
        assert_eq!(kinds(&a), [Egress, Route, Peering, Route, Delivery, Ingress, ReturnRoute]);
        assert_eq!(a.bandwidth_kbps, Some(2000));
        let dst: InstanceId = id(if from == A { B + 4 } else { A + 4 });
        assert_eq!(a.to_instance_id, Some(dst));
    }
}

#[test]
fn a_missing_route_back_is_named_with_the_interface_to_use() {
    let mut s = seeded();
    s.route_entries.retain(|r| r.account_id != id(B));
    let a = ping(s, A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::NoReturnRoute));
    let ri_b: RouterInterfaceId = id(RI_B);
    let fix = a.blocked.unwrap().fix;
    assert!(fix.contains(ri_b.as_str()) && fix.contains("192.168.1.10"), "{fix}");
}

#[test]
fn deactivating_either_side_stops_the_pair() {
    for side in [RI_A, RI_B] {
        let mut s = seeded();
        let ri = s.router_interfaces.iter_mut().find(|r| r.id == id(side)).unwrap();
        ri.status = RouterInterfaceStatus::Inactive;
        let a = ping(s, A, "172.16.1.20");
        assert_eq!(code(&a), Some(BlockCode::PeerNotActive), "side {side}");
        let fix = a.blocked.unwrap().fix;
        if side == RI_A {
            assert!(fix.contains("router-interface activate"), "{fix}");
        } else {
            let b: AccountId = id(B);
            assert!(fix.contains(b.as_str()), "the other side's owner must act: {fix}");
        }
    }
}

#[test]
fn a_pair_whose_sides_do_not_name_each_other_carries_nothing() {
    let mut s = seeded();
    // B's side names some other interface: the two are not a pair.
    s.router_interfaces[1].peer.as_mut().unwrap().router_interface_id = id(250);
    let a = ping(s, A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::PeerNotActive));
}

#[test]
fn peering_is_not_transitive() {
    // C (10.0.0.0/16) is peered with B; A routes C's block to B, and B routes it on to C.
    let mut s = seeded();
    vpc(&mut s, C, "cn-beijing", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.30");
    let mut bc = interface(202, B, RouterInterfaceRole::Initiator, Some((203, C)));
    let mut cb = interface(203, C, RouterInterfaceRole::Acceptor, Some((202, B)));
    bc.status = RouterInterfaceStatus::Active;
    cb.status = RouterInterfaceStatus::Active;
    s.router_interfaces.extend([bc, cb]);
    s.route_entries.push(route(212, A, "10.0.0.0/16", RI_A));
    s.route_entries.push(route(213, B, "10.0.0.0/16", 202));
    let a = ping(s, A, "10.0.1.30");
    assert_eq!(code(&a), Some(BlockCode::NoRoute));
    assert_eq!(kinds(&a), [Egress, Route, Peering, Route]);
    assert!(a.hops[3].check.contains("is transitive"), "{}", a.hops[3].check);
}

/// Seed 001's pair with B's VPC moved to A's region, Qingdao.
fn one_region() -> Snapshot {
    let mut s = seeded();
    let qingdao = RegionId::from_trusted("cn-qingdao".into());
    s.vpcs.iter_mut().filter(|v| v.account_id == id(B)).for_each(|v| v.region = qingdao.clone());
    s.vswitches.iter_mut().filter(|v| v.account_id == id(B)).for_each(|v| v.region = qingdao.clone());
    s.instances.iter_mut().filter(|i| i.account_id == id(B)).for_each(|i| i.region = qingdao.clone());
    for ri in &mut s.router_interfaces {
        if ri.account_id == id(B) {
            ri.region = qingdao.clone();
        } else {
            ri.peer_region = qingdao.clone();
        }
    }
    s
}

/// B admits icmp from the members of A's group, named with A's account.
fn admits_a_group(mut s: Snapshot, owner: u8) -> Snapshot {
    s.rules.retain(|r| r.security_group_id != id(B + 3));
    let mut rule = icmp_from(222, B, "0.0.0.0/32");
    rule.peer = RulePeer::SecurityGroup { security_group_id: id(A + 3), account_id: id(owner) };
    s.rules.push(rule);
    s
}

#[test]
fn a_group_of_another_account_in_the_same_region_admits_its_members() {
    assert!(ping(admits_a_group(one_region(), A), A, "172.16.1.20").reachable);
    // Named under another owner than its own, the group matches nothing (rules naming another
    // account's group are taken without looking it up, so this must not open anything).
    let a = ping(admits_a_group(one_region(), B), A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::IngressDenied), "{a:#?}");
    // Across regions only CIDR peers work: seed 001's VPCs are in Qingdao and Beijing.
    let a = ping(admits_a_group(seeded(), A), A, "172.16.1.20");
    assert_eq!(code(&a), Some(BlockCode::IngressDenied), "{a:#?}");
}

#[test]
fn the_source_account_sees_its_own_hops_and_only_whose_the_others_are() {
    let a = xconnect_net::redact(ping(seeded(), A, "172.16.1.20"), &id(A), false);
    assert!(a.reachable);
    let b: AccountId = id(B);
    for h in &a.hops {
        if h.account_id == b {
            assert_eq!(h.component, format!("in account {b}'s network"));
        } else {
            assert!(!h.component.starts_with("in account"), "{h:?}");
        }
    }
    assert_eq!(a.to_instance_id, None, "B's instance id is B's to give");
    assert_eq!(a.bandwidth_kbps, Some(2000));
}

/// The data plane's desired state of seed 001: two routers, two instances, one shaped pair,
/// the routes over it and each instance's ruleset; deactivating a side takes the link away and
/// turns the routes over it into blackholes, as the analyzer answers.
#[test]
fn the_desired_state_realises_the_pair() {
    use xconnect_model::dataplane::*;
    let d = View::new(seeded()).desired_state();
    assert_eq!(d, View::new(seeded()).desired_state(), "the same model, the same state");
    assert_eq!(d.namespaces.iter().filter(|n| n.role == NamespaceRole::Router).count(), 2);
    assert_eq!(d.namespaces.iter().filter(|n| n.role == NamespaceRole::Instance).count(), 2);
    assert!(d.namespaces.iter().all(|n| n.name.starts_with("xc-")));
    assert_eq!(d.veths.len(), 3, "two instance links and the pair's");
    for v in &d.veths {
        assert!(v.a_name.len() <= 15 && v.b_name.len() <= 15, "{v:?}");
    }
    // The pair's link is shaped at both ends to deliver Mini.2's 2 Mbit/s of payload.
    assert_eq!(d.shaping.len(), 2);
    for s in &d.shaping {
        assert_eq!((s.bought_kbps, s.rate_kbps), (2000, 2092));
        assert!(s.queue_bytes >= 16 * 1024);
    }
    // A's router sends B's block over the pair, to the far end of the link.
    let a_router = xconnect_net::plan::router_namespace(id::<VpcId>(A + 1).as_str());
    let over = d
        .routes
        .iter()
        .find(|r| r.namespace == a_router && r.destination.to_string() == "172.16.0.0/16")
        .expect("A routes B's block");
    let b_router = xconnect_net::plan::router_namespace(id::<VpcId>(B + 1).as_str());
    let far = d
        .addresses
        .iter()
        .find(|a| a.namespace == b_router && a.interface.starts_with("xcp"))
        .expect("B's end of the pair has an address");
    assert!(far.address.starts_with("100.") && far.address.ends_with("/30"), "{far:?}");
    assert!(
        matches!(&over.next_hop, KernelNextHop::Gateway { via, interface } if far.address.starts_with(&format!("{via}/")) && interface.starts_with("xcp")),
        "{over:?}"
    );
    // B's instance admits icmp from A's block, and denies the rest by default; replies pass.
    let b_ns = xconnect_net::plan::instance_namespace(id::<InstanceId>(B + 4).as_str());
    let doc = &d.rulesets.iter().find(|r| r.namespace == b_ns).unwrap().nftables;
    let doc: serde_json::Value = serde_json::from_str(doc).unwrap();
    let cmds = doc["nftables"].as_array().unwrap();
    let input = cmds.iter().find(|c| c["add"]["chain"]["name"] == "input").unwrap();
    assert_eq!(input["add"]["chain"]["policy"], "drop", "{doc:#}");
    let rules: Vec<&serde_json::Value> =
        cmds.iter().filter_map(|c| c["add"].get("rule")).filter(|r| r["chain"] == "input").collect();
    assert_eq!(rules[0]["expr"][0]["match"]["right"], serde_json::json!(["established", "related"]), "replies pass");
    let last = rules.last().unwrap();
    assert_eq!(
        last["expr"],
        serde_json::json!([
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                "right": {"prefix": {"addr": "192.168.0.0", "len": 16}}}},
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "icmp"}},
            {"accept": null}
        ]),
        "{doc:#}"
    );

    let mut s = seeded();
    s.router_interfaces[1].status = RouterInterfaceStatus::Inactive;
    let d = View::new(s).desired_state();
    assert_eq!((d.veths.len(), d.shaping.len()), (2, 0), "no link for an inactive pair");
    let over =
        d.routes.iter().find(|r| r.namespace == a_router && r.destination.to_string() == "172.16.0.0/16").unwrap();
    assert_eq!(over.next_hop, KernelNextHop::Blackhole);
}
