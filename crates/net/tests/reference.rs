//! A property test: on random topologies and random packets, the path walker's verdict and
//! blocking code equal those of a slow reference written beside it, which decides each check
//! the obvious way (scan every route for the longest match, every rule for the winner).

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use xconnect_model::connectivity::BlockCode;
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

fn id<T: ResourceId>(kind: u8, n: u8) -> T {
    let mut b = [0u8; ID_ENTROPY_BYTES];
    b[0] = kind;
    b[1] = n;
    T::from_entropy(&b)
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse("c", s).unwrap()
}

/// Destinations of custom routes: wide, narrow and default, none over a vswitch (10.0.0-3.0/24).
const ROUTE_BLOCKS: &[&str] =
    &["0.0.0.0/0", "10.1.0.0/16", "10.0.200.0/24", "192.168.0.0/16", "10.0.5.7/32", "172.16.0.0/12"];
/// Blocks rules name as peers.
const RULE_BLOCKS: &[&str] =
    &["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/25", "10.0.0.5/32", "172.16.0.0/12"];
const PROTOCOLS: &[Protocol] = &[Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::All];
const GROUPS: u8 = 4;
const VSWITCHES: u8 = 4;

#[derive(Debug, Clone)]
struct RuleSpec {
    group: u8,
    egress: bool,
    protocol: usize,
    ports: (u16, u16),
    peer_block: Option<usize>,
    peer_group: u8,
    priority: u8,
    drop: bool,
}

#[derive(Debug, Clone)]
struct World {
    /// (vswitch, host octet, groups bitmask)
    instances: Vec<(u8, u8, u8)>,
    rules: Vec<RuleSpec>,
    routes: Vec<usize>,
}

fn world() -> impl Strategy<Value = World> {
    let instance = (0..VSWITCHES, 2u8..12, 1u8..(1 << GROUPS));
    let rule =
        (
            0..GROUPS,
            any::<bool>(),
            0..PROTOCOLS.len(),
            (1u16..30, 0u16..30),
            proptest::option::of(0..RULE_BLOCKS.len()),
            0..GROUPS,
            1u8..4,
            any::<bool>(),
        )
            .prop_map(|(group, egress, protocol, (from, span), peer_block, peer_group, priority, drop)| {
                RuleSpec { group, egress, protocol, ports: (from, from + span), peer_block, peer_group, priority, drop }
            });
    (
        proptest::collection::vec(instance, 1..8),
        proptest::collection::vec(rule, 0..12),
        proptest::collection::btree_set(0..ROUTE_BLOCKS.len(), 0..4),
    )
        .prop_map(|(instances, rules, routes)| World { instances, rules, routes: routes.into_iter().collect() })
}

fn snapshot(w: &World) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let account: AccountId = id(1, 0);
    let vpc: VpcId = id(2, 0);
    let vswitches = (0..VSWITCHES)
        .map(|k| VSwitch {
            id: id(3, k),
            account_id: account.clone(),
            vpc_id: vpc.clone(),
            region: region.clone(),
            zone: "z".into(),
            cidr_block: cidr(&format!("10.0.{k}.0/24")),
            name: None,
            description: Description::default(),
            created_at: at,
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let instances = w
        .instances
        .iter()
        .enumerate()
        .filter(|(_, (vsw, host, _))| seen.insert((*vsw, *host)))
        .map(|(n, (vsw, host, groups))| Instance {
            id: id(4, n as u8),
            account_id: account.clone(),
            vpc_id: vpc.clone(),
            vswitch_id: id(3, *vsw),
            region: region.clone(),
            zone: "z".into(),
            private_ip: IpAddr::V4(Ipv4Addr::new(10, 0, *vsw, *host)),
            security_group_ids: (0..GROUPS).filter(|g| groups & (1 << g) != 0).map(|g| id(5, g)).collect(),
            name: None,
            description: Description::default(),
            created_at: at,
        })
        .collect();
    let rules = w
        .rules
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let protocol = PROTOCOLS[r.protocol];
            SecurityGroupRule {
                id: id(6, n as u8),
                security_group_id: id(5, r.group),
                direction: if r.egress { Direction::Egress } else { Direction::Ingress },
                protocol,
                port_range: protocol.has_ports().then_some(PortRange { from: r.ports.0, to: r.ports.1 }),
                peer: match r.peer_block {
                    Some(b) => RulePeer::Cidr { cidr_block: cidr(RULE_BLOCKS[b]) },
                    None => {
                        RulePeer::SecurityGroup { security_group_id: id(5, r.peer_group), account_id: account.clone() }
                    }
                },
                priority: r.priority,
                policy: if r.drop { Policy::Drop } else { Policy::Accept },
                description: Description::default(),
                created_at: at,
            }
        })
        .collect();
    let route_entries = w
        .routes
        .iter()
        .map(|&b| RouteEntry {
            id: id(7, b as u8),
            account_id: account.clone(),
            route_table_id: id(2, 0),
            vpc_id: vpc.clone(),
            destination_cidr_block: cidr(ROUTE_BLOCKS[b]),
            next_hop: NextHop::Blackhole,
            description: Description::default(),
            created_at: at,
        })
        .collect();
    let vpcs = vec![Vpc {
        id: vpc.clone(),
        account_id: account.clone(),
        region,
        cidr_block: cidr("10.0.0.0/16"),
        name: None,
        description: Description::default(),
        vrouter_id: id(8, 0),
        route_table_id: id(2, 0),
        created_at: at,
    }];
    Snapshot { vpcs, vswitches, instances, rules, route_entries, ..Default::default() }
}

// ---- the reference: every decision by a plain scan ----

fn rule_matches(
    r: &SecurityGroupRule,
    protocol: Protocol,
    port: Option<u16>,
    peer: IpAddr,
    peer_groups: &[SecurityGroupId],
) -> bool {
    let protocol_ok = r.protocol == Protocol::All || r.protocol == protocol;
    let port_ok = match r.port_range {
        None => true,
        Some(range) => port.is_some_and(|p| range.from <= p && p <= range.to),
    };
    let peer_ok = match &r.peer {
        RulePeer::Cidr { cidr_block } => cidr_block.contains_addr(peer),
        RulePeer::SecurityGroup { security_group_id, .. } => peer_groups.contains(security_group_id),
    };
    protocol_ok && port_ok && peer_ok
}

/// Allowed? The matching rules with the lowest priority number decide; any drop among them wins.
fn reference_allows(
    s: &Snapshot,
    groups: &[SecurityGroupId],
    direction: Direction,
    protocol: Protocol,
    port: Option<u16>,
    peer: IpAddr,
    peer_groups: &[SecurityGroupId],
) -> bool {
    let matching: Vec<&SecurityGroupRule> = s
        .rules
        .iter()
        .filter(|r| groups.contains(&r.security_group_id) && r.direction == direction)
        .filter(|r| rule_matches(r, protocol, port, peer, peer_groups))
        .collect();
    let Some(best) = matching.iter().map(|r| r.priority).min() else {
        return direction == Direction::Egress;
    };
    !matching.iter().any(|r| r.priority == best && r.policy == Policy::Drop)
}

/// The longest-prefix route: Some(vswitch) for local, None for blackhole; Err for no route.
fn reference_route(s: &Snapshot, ip: IpAddr) -> Result<Option<VSwitchId>, ()> {
    let mut best: Option<(u8, Option<VSwitchId>)> = None;
    for v in &s.vswitches {
        if v.cidr_block.contains_addr(ip) && best.as_ref().is_none_or(|(len, _)| v.cidr_block.prefix_len() > *len) {
            best = Some((v.cidr_block.prefix_len(), Some(v.id.clone())));
        }
    }
    for r in &s.route_entries {
        let c = r.destination_cidr_block;
        if c.contains_addr(ip) && best.as_ref().is_none_or(|(len, _)| c.prefix_len() > *len) {
            best = Some((c.prefix_len(), None));
        }
    }
    best.map(|(_, hop)| hop).ok_or(())
}

fn reference(s: &Snapshot, q: &Question) -> Option<BlockCode> {
    let src = s.instances.iter().find(|i| i.id == q.from).unwrap();
    let dst = s.instances.iter().find(|i| i.private_ip == q.to);
    let dst_groups = dst.map(|d| d.security_group_ids.clone()).unwrap_or_default();
    if !reference_allows(s, &src.security_group_ids, Direction::Egress, q.protocol, q.port, q.to, &dst_groups) {
        return Some(BlockCode::EgressDenied);
    }
    let vswitch = match reference_route(s, q.to) {
        Err(()) => return Some(BlockCode::NoRoute),
        Ok(None) => return Some(BlockCode::Blackhole),
        Ok(Some(v)) => v,
    };
    let Some(dst) = dst.filter(|d| d.vswitch_id == vswitch) else { return Some(BlockCode::NoInstance) };
    if !reference_allows(
        s,
        &dst.security_group_ids,
        Direction::Ingress,
        q.protocol,
        q.port,
        src.private_ip,
        &src.security_group_ids,
    ) {
        return Some(BlockCode::IngressDenied);
    }
    match reference_route(s, src.private_ip) {
        Ok(Some(_)) => None,
        _ => Some(BlockCode::NoReturnRoute),
    }
}

fn packet() -> impl Strategy<Value = (usize, u8, u8, usize, u16)> {
    // (source index, third octet, fourth octet, protocol, port): destinations fall inside the
    // vswitches (often on an instance), in route blocks outside them, or nowhere.
    (
        0usize..8,
        prop_oneof![0u8..4, Just(5u8), Just(200u8)],
        prop_oneof![2u8..12, Just(7u8), Just(99u8)],
        0usize..3,
        1u16..32,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_walker_agrees_with_the_reference(
        w in world(),
        packets in proptest::collection::vec(packet(), 1..16),
        outside in any::<bool>(),
    ) {
        let s = snapshot(&w);
        let view = View::new(s.clone());
        for (from, third, fourth, protocol, port) in packets {
            let src = &s.instances[from % s.instances.len()];
            let to = if outside { Ipv4Addr::new(192, 168, third, fourth) } else { Ipv4Addr::new(10, 0, third, fourth) };
            let to = IpAddr::V4(to);
            let protocol = PROTOCOLS[protocol];
            let q = Question { from: src.id.clone(), to, protocol, port: protocol.has_ports().then_some(port) };
            let answer = view.test(&q).unwrap();
            let expected = reference(&s, &q);
            prop_assert_eq!(answer.blocked.as_ref().map(|b| b.code), expected, "{:?}", q);
            prop_assert_eq!(answer.reachable, expected.is_none());
        }
    }
}
