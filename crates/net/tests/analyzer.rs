//! The path walker on small topologies written as data: each case is a topology change, a
//! question, and the expected verdict, blocking code and hop trail.

use xconnect_model::connectivity::{BlockCode, HopKind};
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

fn id<T: ResourceId>(n: u8) -> T {
    T::from_entropy(&[n; ID_ENTROPY_BYTES])
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse("c", s).unwrap()
}

const ACCOUNT: u8 = 1;
const VPC: u8 = 2;
const VSW_A: u8 = 3;
const VSW_B: u8 = 4;
const SG_A: u8 = 5;
const SG_B: u8 = 6;
const I_A: u8 = 7;
const I_B: u8 = 8;

/// One VPC 192.168.0.0/16 with vswitches 192.168.1.0/24 (instance a, .10, in sg-a) and
/// 192.168.2.0/24 (instance b, .20, in sg-b); no rules, no custom routes.
fn base() -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let vswitch = |n: u8, block: &str| VSwitch {
        id: id(n),
        account_id: id(ACCOUNT),
        vpc_id: id(VPC),
        region: region.clone(),
        zone: "cn-qingdao-b".into(),
        cidr_block: cidr(block),
        name: None,
        description: Description::default(),
        created_at: at,
    };
    let instance = |n: u8, vsw: u8, ip: &str, sg: u8| Instance {
        id: id(n),
        account_id: id(ACCOUNT),
        vpc_id: id(VPC),
        vswitch_id: id(vsw),
        region: region.clone(),
        zone: "cn-qingdao-b".into(),
        private_ip: ip.parse().unwrap(),
        security_group_ids: vec![id(sg)],
        name: None,
        description: Description::default(),
        created_at: at,
    };
    Snapshot {
        vpcs: vec![Vpc {
            id: id(VPC),
            account_id: id(ACCOUNT),
            region: region.clone(),
            cidr_block: cidr("192.168.0.0/16"),
            name: None,
            description: Description::default(),
            vrouter_id: id(VPC),
            route_table_id: id(VPC),
            created_at: at,
        }],
        vswitches: vec![vswitch(VSW_A, "192.168.1.0/24"), vswitch(VSW_B, "192.168.2.0/24")],
        instances: vec![instance(I_A, VSW_A, "192.168.1.10", SG_A), instance(I_B, VSW_B, "192.168.2.20", SG_B)],
        rules: vec![],
        route_entries: vec![],
        ..Default::default()
    }
}

/// A rule with every field that matters to the analyzer spelled out at the call site.
#[allow(clippy::too_many_arguments)]
fn rule(
    n: u8,
    group: u8,
    direction: Direction,
    protocol: Protocol,
    ports: Option<&str>,
    peer: RulePeer,
    priority: u8,
    policy: Policy,
) -> SecurityGroupRule {
    SecurityGroupRule {
        id: id(n),
        security_group_id: id(group),
        direction,
        protocol,
        port_range: ports.map(|p| PortRange::parse("p", p).unwrap()),
        peer,
        priority,
        policy,
        description: Description::default(),
        created_at: Timestamp::from_millis(0),
    }
}

fn from_block(s: &str) -> RulePeer {
    RulePeer::Cidr { cidr_block: cidr(s) }
}

fn from_group(g: u8) -> RulePeer {
    RulePeer::SecurityGroup { security_group_id: id(g), account_id: id(ACCOUNT) }
}

fn blackhole(n: u8, dest: &str) -> RouteEntry {
    RouteEntry {
        id: id(n),
        account_id: id(ACCOUNT),
        route_table_id: id(VPC),
        vpc_id: id(VPC),
        destination_cidr_block: cidr(dest),
        next_hop: NextHop::Blackhole,
        description: Description::default(),
        created_at: Timestamp::from_millis(0),
    }
}

fn ask(
    s: Snapshot,
    to: &str,
    protocol: Protocol,
    port: Option<u16>,
) -> xconnect_model::connectivity::ConnectivityAnswer {
    let view = View::new(s);
    view.test(&Question { from: id(I_A), to: to.parse().unwrap(), protocol, port }).expect("instance a is in the view")
}

/// What each case expects: reachable, or the blocking code; and the kinds of hops walked.
struct Case {
    name: &'static str,
    change: fn(&mut Snapshot),
    to: &'static str,
    protocol: Protocol,
    port: Option<u16>,
    blocked: Option<BlockCode>,
    hops: &'static [HopKind],
}

const ALL: &[HopKind] = &[HopKind::Egress, HopKind::Route, HopKind::Delivery, HopKind::Ingress, HopKind::ReturnRoute];

fn allow_icmp_from_a_block(s: &mut Snapshot) {
    s.rules.push(rule(
        20,
        SG_B,
        Direction::Ingress,
        Protocol::Icmp,
        None,
        from_block("192.168.1.0/24"),
        1,
        Policy::Accept,
    ));
}

#[test]
fn cases() {
    let cases = [
        Case {
            name: "inbound is denied by default",
            change: |_| {},
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::IngressDenied),
            hops: &ALL[..4],
        },
        Case {
            name: "an ingress rule for the source block lets icmp in",
            change: allow_icmp_from_a_block,
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: None,
            hops: ALL,
        },
        Case {
            name: "the icmp rule does not open tcp",
            change: allow_icmp_from_a_block,
            to: "192.168.2.20",
            protocol: Protocol::Tcp,
            port: Some(22),
            blocked: Some(BlockCode::IngressDenied),
            hops: &ALL[..4],
        },
        Case {
            name: "a tcp rule opens its port range only",
            change: |s| {
                s.rules.push(rule(
                    21,
                    SG_B,
                    Direction::Ingress,
                    Protocol::Tcp,
                    Some("22/22"),
                    from_block("0.0.0.0/0"),
                    1,
                    Policy::Accept,
                ))
            },
            to: "192.168.2.20",
            protocol: Protocol::Tcp,
            port: Some(23),
            blocked: Some(BlockCode::IngressDenied),
            hops: &ALL[..4],
        },
        Case {
            name: "a group peer matches members of that group",
            change: |s| {
                s.rules.push(rule(
                    22,
                    SG_B,
                    Direction::Ingress,
                    Protocol::All,
                    None,
                    from_group(SG_A),
                    1,
                    Policy::Accept,
                ))
            },
            to: "192.168.2.20",
            protocol: Protocol::Udp,
            port: Some(53),
            blocked: None,
            hops: ALL,
        },
        Case {
            name: "a group peer does not match others",
            change: |s| {
                s.rules.push(rule(
                    22,
                    SG_B,
                    Direction::Ingress,
                    Protocol::All,
                    None,
                    from_group(SG_B),
                    1,
                    Policy::Accept,
                ))
            },
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::IngressDenied),
            hops: &ALL[..4],
        },
        Case {
            name: "at equal priority a drop beats an accept",
            change: |s| {
                allow_icmp_from_a_block(s);
                s.rules.push(rule(
                    23,
                    SG_B,
                    Direction::Ingress,
                    Protocol::Icmp,
                    None,
                    from_block("192.168.1.10/32"),
                    1,
                    Policy::Drop,
                ));
            },
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::IngressDenied),
            hops: &ALL[..4],
        },
        Case {
            name: "a lower priority number wins over a drop",
            change: |s| {
                allow_icmp_from_a_block(s);
                s.rules.push(rule(
                    23,
                    SG_B,
                    Direction::Ingress,
                    Protocol::Icmp,
                    None,
                    from_block("192.168.1.10/32"),
                    2,
                    Policy::Drop,
                ));
            },
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: None,
            hops: ALL,
        },
        Case {
            name: "an egress drop stops it at the source",
            change: |s| {
                allow_icmp_from_a_block(s);
                s.rules.push(rule(
                    24,
                    SG_A,
                    Direction::Egress,
                    Protocol::All,
                    None,
                    from_block("192.168.2.0/24"),
                    1,
                    Policy::Drop,
                ));
            },
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::EgressDenied),
            hops: &ALL[..1],
        },
        Case {
            name: "no route leaves the VPC",
            change: |_| {},
            to: "172.16.100.10",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::NoRoute),
            hops: &ALL[..2],
        },
        Case {
            name: "a default blackhole catches what no other route covers",
            change: |s| s.route_entries.push(blackhole(30, "0.0.0.0/0")),
            to: "172.16.100.10",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::Blackhole),
            hops: &ALL[..2],
        },
        Case {
            name: "the local route is more specific than a default blackhole",
            change: |s| {
                allow_icmp_from_a_block(s);
                s.route_entries.push(blackhole(30, "0.0.0.0/0"));
            },
            to: "192.168.2.20",
            protocol: Protocol::Icmp,
            port: None,
            blocked: None,
            hops: ALL,
        },
        Case {
            name: "a /32 blackhole wins over a wider one",
            change: |s| {
                s.route_entries.push(blackhole(30, "10.0.0.0/8"));
                s.route_entries.push(blackhole(31, "10.1.2.3/32"));
            },
            to: "10.1.2.3",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::Blackhole),
            hops: &ALL[..2],
        },
        Case {
            name: "an address no instance holds",
            change: |_| {},
            to: "192.168.2.99",
            protocol: Protocol::Icmp,
            port: None,
            blocked: Some(BlockCode::NoInstance),
            hops: &ALL[..3],
        },
    ];
    for c in cases {
        let mut s = base();
        (c.change)(&mut s);
        let a = ask(s, c.to, c.protocol, c.port);
        let kinds: Vec<HopKind> = a.hops.iter().map(|h| h.kind).collect();
        assert_eq!(a.blocked.as_ref().map(|b| b.code), c.blocked, "{}: {:#?}", c.name, a);
        assert_eq!(a.reachable, c.blocked.is_none(), "{}", c.name);
        assert_eq!(kinds, c.hops, "{}", c.name);
        // Every hop but the blocking one passed.
        for (i, h) in a.hops.iter().enumerate() {
            let blocking = a.blocked.as_ref().is_some_and(|b| b.hop == i);
            assert_eq!(h.passed, !blocking, "{}: hop {i}", c.name);
        }
    }
}

#[test]
fn fixes_say_what_to_change() {
    let a = ask(base(), "192.168.2.20", Protocol::Icmp, None);
    let fix = a.blocked.unwrap().fix;
    let sg_b: SecurityGroupId = id(SG_B);
    assert!(fix.contains(sg_b.as_str()) && fix.contains("192.168.1.10/32") && fix.contains("icmp"), "{fix}");

    let a = ask(base(), "172.16.100.10", Protocol::Icmp, None);
    let fix = a.blocked.unwrap().fix;
    let table: RouteTableId = id(VPC);
    assert!(fix.contains("172.16.100.10") && fix.contains(table.as_str()), "{fix}");

    let mut s = base();
    s.route_entries.push(blackhole(30, "10.0.0.0/8"));
    let a = ask(s, "10.9.9.9", Protocol::Icmp, None);
    let entry: RouteEntryId = id(30);
    assert!(a.blocked.unwrap().fix.contains(entry.as_str()));
}

#[test]
fn an_unknown_source_has_no_answer() {
    let view = View::new(base());
    let q = Question { from: id(99), to: "192.168.2.20".parse().unwrap(), protocol: Protocol::Icmp, port: None };
    assert!(view.test(&q).is_none());
}

#[test]
fn one_route_change_updates_the_answer() {
    let mut s = base();
    allow_icmp_from_a_block(&mut s);
    let mut view = View::new(s);
    let q = Question { from: id(I_A), to: "10.9.9.9".parse().unwrap(), protocol: Protocol::Icmp, port: None };
    assert_eq!(view.test(&q).unwrap().blocked.unwrap().code, BlockCode::NoRoute);
    assert!(view.route_entry_upsert(blackhole(40, "10.0.0.0/8")));
    assert_eq!(view.test(&q).unwrap().blocked.unwrap().code, BlockCode::Blackhole);
    assert!(view.route_entry_remove(&id(VPC), &id(40)));
    assert!(!view.route_entry_remove(&id(VPC), &id(40)), "removed once");
    assert_eq!(view.test(&q).unwrap().blocked.unwrap().code, BlockCode::NoRoute);
}

#[test]
fn replies_pass_the_sources_groups_and_rules_can_change() {
    // Instance a's group has no ingress rule at all, yet its ping to b gets its replies: the
    // groups are stateful, so only the request is checked against them.
    let mut s = base();
    allow_icmp_from_a_block(&mut s);
    let mut view = View::new(s);
    let q = Question { from: id(I_A), to: "192.168.2.20".parse().unwrap(), protocol: Protocol::Icmp, port: None };
    assert!(view.test(&q).unwrap().reachable);
    // Revoking b's only rule (one group's rules replaced, the rest of the view untouched).
    view.security_group_rules_set(id(SG_B), vec![]);
    assert_eq!(view.test(&q).unwrap().blocked.unwrap().code, BlockCode::IngressDenied);
}
