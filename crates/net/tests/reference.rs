//! A property test: on random topologies and random packets, the path walker's answer equals
//! that of a slow reference written beside it. The reference decides each check the obvious way
//! (scan every route of a table for the longest match, every rule for the winner, every
//! attachment of a hub for the blocks it carries) and walks the hops one by one in the order the
//! walker's module documents: egress, route tables (over a pair or through a hub into one other
//! network, which must deliver), delivery, ingress, the way back.
//!
//! Two worlds. One VPC with many vswitches, instances, rules and blackhole routes. And two to
//! four VPCs of three accounts in three regions, some sharing a block, joined by router
//! interface pairs (active, one side deactivated, never connected, or naming the wrong peer)
//! with routes over them; attached to two hubs (the hub owner's or another account's networks,
//! advertising their vswitches or named blocks, made in an order that decides which of two
//! overlapping blocks a hub keeps), with an inter-region bandwidth or none; a VBR with a host in
//! each of its data centre blocks; VPCs granted to a hub but not attached. For each packet, from
//! an instance or a data centre host, every hop (kind, whose network, which component, passed),
//! the code and hop that stopped it, what it reached and the bandwidth reported must agree.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use proptest::prelude::*;
use proptest::{array, collection::vec, option};
use xconnect_model::connectivity::{BlockCode, ConnectivityAnswer, HopKind};
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, TEST_BANDWIDTH_KBPS, View};

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

// ---- many networks: pairs, hubs, a VBR ----

/// Regions in sorted order, as the store keeps an inter-region bandwidth's two.
const REGIONS: &[&str] = &["cn-beijing", "cn-hangzhou", "cn-qingdao"];
/// The region pairs an inter-region bandwidth joins, as indexes into `REGIONS`.
const REGION_PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];
const ACCOUNTS: u8 = 3;
const HUBS: u8 = 2;
/// Security groups per VPC.
const VPC_GROUPS: u8 = 2;
const SPECS: &[RouterInterfaceSpec] =
    &[RouterInterfaceSpec::Mini2, RouterInterfaceSpec::Small1, RouterInterfaceSpec::Large1];
/// Inter-region bandwidths and VBR ports, in Mbit/s.
const MBPS: &[u32] = &[2, 5, 20];
/// The data centre's blocks: two of its own, and two that clash with VPC blocks 10.1 and 10.3.
const DC_BLOCKS: &[&str] = &["192.168.0.0/24", "192.168.1.0/24", "10.1.1.0/24", "10.3.0.0/16"];
/// Custom route destinations besides other VPCs' blocks.
const FIXED_ROUTES: &[&str] = &["0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16", "192.168.1.0/24", "10.3.0.0/16"];
/// Blocks rules name as peers.
const PEER_BLOCKS: &[&str] =
    &["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16", "10.2.1.0/24", "10.1.0.5/32", "192.168.0.0/16"];
/// Addresses in no network of the world, or only in the data centre's.
const ELSEWHERE: &[&str] = &["192.168.0.9", "192.168.1.5", "172.16.0.1"];

/// Ids by kind, for `id`.
const ACCOUNT: u8 = 1;
const VPC: u8 = 2;
const VSWITCH: u8 = 3;
const INSTANCE: u8 = 4;
const GROUP: u8 = 5;
const RULE: u8 = 6;
const ROUTE: u8 = 7;
const VROUTER: u8 = 8;
const INTERFACE: u8 = 9;
const TABLE: u8 = 10;
const HUB: u8 = 11;
const ATTACHMENT: u8 = 12;
const GRANT: u8 = 13;
const BANDWIDTH: u8 = 14;
const PACKAGE: u8 = 15;
const VBR: u8 = 16;
const HOST: u8 = 17;
const PORT: u8 = 18;

/// VPC `v`'s block is 10.b.0.0/16, `b` being `v` or, when it `shares`, that (most often 0, VPC
/// 0's block, so that hubs have overlapping blocks to refuse); its vswitches are 10.b.k.0/24 for
/// the bits k of `vswitches`.
#[derive(Debug, Clone)]
struct VpcSpec {
    account: u8,
    region: u8,
    shares: Option<u8>,
    vswitches: u8,
    attach: Option<AttachSpec>,
    /// Granted to hub 0 (when not attached: the `not_attached` case).
    granted: bool,
    /// Its groups admit everything from `PEER_BLOCKS[admits]` at the weakest priority, so that
    /// packets often get past ingress to the way back, and stronger rules still decide.
    admits: Option<u8>,
}

/// A network's attachment: to which hub, when (ties go by id), and the blocks it names (indexes
/// into its candidates, each left out when it overlaps one named before) or none, to advertise
/// its own.
#[derive(Debug, Clone)]
struct AttachSpec {
    hub: u8,
    made: u8,
    named: Option<Vec<u8>>,
}

/// Where a pair stands: connected, one side deactivated, or never connected.
#[derive(Debug, Clone, Copy)]
enum PairState {
    Active,
    InitiatorOff,
    AcceptorOff,
    Idle,
}

/// What is wrong with how the two sides name each other, if anything.
#[derive(Debug, Clone, Copy)]
enum Naming {
    Right,
    AcceptorNamesAnother,
    /// The acceptor names the initiator's id under another VRouter: no pair, from either side.
    AcceptorNamesWrongVRouter,
    AcceptorGone,
}

/// A route over a pair, to the other VPC's block or to one of its vswitch blocks.
#[derive(Debug, Clone, Copy)]
enum Toward {
    Vpc,
    VSwitch(u8),
}

/// A pair from VPC `a` (the initiator) to the `b`th VPC after it (never itself), and the
/// routes over it each way.
#[derive(Debug, Clone)]
struct PairSpec {
    a: u8,
    b: u8,
    state: PairState,
    naming: Naming,
    spec: u8,
    there: Option<Toward>,
    back: Option<Toward>,
}

/// A custom route's destination: a VPC's block, a vswitch block of it (which it may not have), or
/// one of `FIXED_ROUTES`.
#[derive(Debug, Clone, Copy)]
enum Dest {
    Vpc(u8),
    VSwitch(u8, u8),
    Fixed(u8),
}

/// A custom route of VPC `vpc`: a blackhole, or over its `k`th router interface (a blackhole
/// when it has none).
#[derive(Debug, Clone)]
struct RouteSpec {
    vpc: u8,
    dest: Dest,
    over: Option<u8>,
}

/// A hub: its owner, and its bandwidth (an index into `MBPS`) for each of `REGION_PAIRS`.
#[derive(Debug, Clone)]
struct HubSpec {
    owner: u8,
    bandwidths: [Option<u8>; 3],
}

/// The VBR: its data centre blocks (bits of `DC_BLOCKS`), a host at .5 of each.
#[derive(Debug, Clone)]
struct VbrSpec {
    account: u8,
    region: u8,
    routes: u8,
    mbps: u8,
    attach: Option<AttachSpec>,
}

#[derive(Debug, Clone)]
struct InstanceSpec {
    vpc: u8,
    vswitch: u8,
    host: u8,
    groups: u8,
}

#[derive(Debug, Clone)]
enum PeerSpec {
    Block(u8),
    /// A group of VPC `vpc`, named under its owner or, sometimes, under another account.
    Group {
        vpc: u8,
        group: u8,
        named: Option<u8>,
    },
}

#[derive(Debug, Clone)]
struct NetRuleSpec {
    vpc: u8,
    group: u8,
    egress: bool,
    protocol: u8,
    ports: (u16, u16),
    peer: PeerSpec,
    priority: u8,
    drop: bool,
}

#[derive(Debug, Clone)]
struct Networks {
    vpcs: Vec<VpcSpec>,
    instances: Vec<InstanceSpec>,
    rules: Vec<NetRuleSpec>,
    pairs: Vec<PairSpec>,
    routes: Vec<RouteSpec>,
    hubs: [HubSpec; HUBS as usize],
    vbr: Option<VbrSpec>,
}

fn attach() -> impl Strategy<Value = AttachSpec> {
    // Most networks on hub 0, so that they learn from each other; named blocks are often a whole
    // VPC's, which clashes with every VPC sharing its block.
    let block = prop_oneof![1 => Just(0u8), 2 => 0u8..5];
    (prop_oneof![3 => Just(0u8), 1 => Just(1u8)], 0u8..3, option::weighted(0.6, vec(block, 1..3)))
        .prop_map(|(hub, made, named)| AttachSpec { hub, made, named })
}

fn networks() -> impl Strategy<Value = Networks> {
    let vpc = (
        0..ACCOUNTS,
        // Most in one region, where group peers match.
        prop_oneof![3 => Just(0u8), 1 => 1u8..3],
        option::weighted(0.45, prop_oneof![3 => Just(0u8), 1 => 1u8..4]),
        1u8..16,
        option::weighted(0.7, attach()),
        proptest::bool::weighted(0.2),
        option::weighted(0.7, 0u8..2),
    )
        .prop_map(|(account, region, shares, vswitches, attach, granted, admits)| VpcSpec {
            account,
            region,
            shares,
            vswitches,
            attach,
            granted,
            admits,
        });
    let instance = (0u8..4, 0u8..4, 2u8..6, 1u8..(1 << VPC_GROUPS))
        .prop_map(|(vpc, vswitch, host, groups)| InstanceSpec { vpc, vswitch, host, groups });
    let peer = prop_oneof![
        1 => (0..PEER_BLOCKS.len() as u8).prop_map(PeerSpec::Block),
        1 => (0u8..4, 0..VPC_GROUPS, option::weighted(0.2, 0..ACCOUNTS))
            .prop_map(|(vpc, group, named)| PeerSpec::Group { vpc, group, named }),
    ];
    // (egress, drop): outbound is allowed by default, so an egress rule matters mostly as a drop.
    let way = prop_oneof![
        12 => Just((false, false)),
        2 => Just((false, true)),
        2 => Just((true, false)),
        3 => Just((true, true)),
    ];
    let rule = (0u8..4, 0..VPC_GROUPS, way, 0..PROTOCOLS.len() as u8, (1u16..30, 0u16..30), peer, 1u8..4).prop_map(
        |(vpc, group, (egress, drop), protocol, (from, span), peer, priority)| NetRuleSpec {
            vpc,
            group,
            egress,
            protocol,
            ports: (from, from + span),
            peer,
            priority,
            drop,
        },
    );
    let toward = prop_oneof![3 => Just(Toward::Vpc), 1 => (0u8..4).prop_map(Toward::VSwitch)];
    let pair = (
        0u8..4,
        0u8..4,
        prop_oneof![
            9 => Just(PairState::Active),
            1 => Just(PairState::InitiatorOff),
            1 => Just(PairState::AcceptorOff),
            1 => Just(PairState::Idle),
        ],
        prop_oneof![
            12 => Just(Naming::Right),
            1 => Just(Naming::AcceptorNamesAnother),
            1 => Just(Naming::AcceptorNamesWrongVRouter),
            1 => Just(Naming::AcceptorGone),
        ],
        0..SPECS.len() as u8,
        option::weighted(0.9, toward.clone()),
        option::weighted(0.8, toward),
    )
        .prop_map(|(a, b, state, naming, spec, there, back)| PairSpec { a, b, state, naming, spec, there, back });
    let dest = prop_oneof![
        1 => (0u8..4).prop_map(Dest::Vpc),
        1 => (0u8..4, 0u8..4).prop_map(|(v, k)| Dest::VSwitch(v, k)),
        1 => (0..FIXED_ROUTES.len() as u8).prop_map(Dest::Fixed),
    ];
    let route =
        (0u8..4, dest, option::weighted(0.6, 0u8..4)).prop_map(|(vpc, dest, over)| RouteSpec { vpc, dest, over });
    let hub = (0..ACCOUNTS, array::uniform3(option::weighted(0.5, 0..MBPS.len() as u8)))
        .prop_map(|(owner, bandwidths)| HubSpec { owner, bandwidths });
    let vbr = (0..ACCOUNTS, 0u8..3, 1u8..16, 0..MBPS.len() as u8, option::weighted(0.8, attach()))
        .prop_map(|(account, region, routes, mbps, attach)| VbrSpec { account, region, routes, mbps, attach });
    (
        vec(vpc, 2..=4),
        vec(instance, 2..10),
        vec(rule, 0..24),
        vec(pair, 0..=3),
        vec(route, 0..4),
        array::uniform2(hub),
        option::weighted(0.4, vbr),
    )
        .prop_map(|(vpcs, instances, rules, pairs, routes, hubs, vbr)| Networks {
            vpcs,
            instances,
            rules,
            pairs,
            routes,
            hubs,
            vbr,
        })
}

fn region(n: u8) -> RegionId {
    RegionId::from_trusted(REGIONS[usize::from(n)].into())
}

fn at(ms: u8) -> Timestamp {
    Timestamp::from_millis(i64::from(ms))
}

/// The blocks the attachment of a VPC with block 10.b.0.0/16 may name, all inside it.
fn vpc_offers(b: u8) -> [Cidr; 5] {
    ["0.0/16", "0.0/23", "2.0/24", "3.0/24", "9.0/24"].map(|tail| cidr(&format!("10.{b}.{tail}")))
}

/// The candidates the indexes name, less each that overlaps one taken before (the control layer
/// refuses an attachment whose blocks overlap each other).
fn named(candidates: &[Cidr], indexes: &[u8]) -> Vec<Cidr> {
    let mut out: Vec<Cidr> = Vec::new();
    for &i in indexes {
        let c = candidates[usize::from(i) % candidates.len()];
        if !out.iter().any(|o| o.overlaps(&c)) {
            out.push(c);
        }
    }
    out
}

/// The model state a world stands for.
fn networks_snapshot(w: &Networks) -> Snapshot {
    let mut s = Snapshot::default();
    let n = w.vpcs.len() as u8;
    let block = |v: u8| w.vpcs[usize::from(v)].shares.unwrap_or(v);
    for (v, spec) in (0u8..).zip(&w.vpcs) {
        let b = block(v);
        let vpc = Vpc {
            id: id(VPC, v),
            account_id: id(ACCOUNT, spec.account),
            region: region(spec.region),
            cidr_block: cidr(&format!("10.{b}.0.0/16")),
            name: None,
            description: Description::default(),
            vrouter_id: id(VROUTER, v),
            route_table_id: id(TABLE, v),
            created_at: at(0),
        };
        for k in (0..4).filter(|k| spec.vswitches & (1 << k) != 0) {
            s.vswitches.push(VSwitch {
                id: id(VSWITCH, v * 4 + k),
                account_id: vpc.account_id.clone(),
                vpc_id: vpc.id.clone(),
                region: vpc.region.clone(),
                zone: "z".into(),
                cidr_block: cidr(&format!("10.{b}.{k}.0/24")),
                name: None,
                description: Description::default(),
                created_at: at(0),
            });
        }
        s.vpcs.push(vpc);
    }
    for (i, spec) in (0u8..).zip(&w.instances) {
        let v = spec.vpc % n;
        let vpc = &s.vpcs[usize::from(v)];
        let vswitches: Vec<&VSwitch> = s.vswitches.iter().filter(|v| v.vpc_id == vpc.id).collect();
        let vswitch = vswitches[usize::from(spec.vswitch) % vswitches.len()];
        let IpAddr::V4(net) = vswitch.cidr_block.net().network() else { unreachable!("the world is IPv4") };
        let ip = IpAddr::V4(Ipv4Addr::from(u32::from(net) + u32::from(spec.host)));
        if s.instances.iter().any(|i| i.vpc_id == vpc.id && i.private_ip == ip) {
            continue;
        }
        let instance = Instance {
            id: id(INSTANCE, i),
            account_id: vpc.account_id.clone(),
            vpc_id: vpc.id.clone(),
            vswitch_id: vswitch.id.clone(),
            region: vpc.region.clone(),
            zone: "z".into(),
            private_ip: ip,
            security_group_ids: (0..VPC_GROUPS)
                .filter(|g| spec.groups & (1 << g) != 0)
                .map(|g| id(GROUP, v * VPC_GROUPS + g))
                .collect(),
            name: None,
            description: Description::default(),
            created_at: at(0),
        };
        s.instances.push(instance);
    }
    for (i, r) in (0u8..).zip(&w.rules) {
        let protocol = PROTOCOLS[usize::from(r.protocol)];
        let peer = match r.peer {
            PeerSpec::Block(b) => RulePeer::Cidr { cidr_block: cidr(PEER_BLOCKS[usize::from(b)]) },
            PeerSpec::Group { vpc, group, named } => RulePeer::SecurityGroup {
                security_group_id: id(GROUP, (vpc % n) * VPC_GROUPS + group),
                account_id: match named {
                    Some(a) => id(ACCOUNT, a),
                    None => s.vpcs[usize::from(vpc % n)].account_id.clone(),
                },
            },
        };
        s.rules.push(SecurityGroupRule {
            id: id(RULE, i),
            security_group_id: id(GROUP, (r.vpc % n) * VPC_GROUPS + r.group),
            direction: if r.egress { Direction::Egress } else { Direction::Ingress },
            protocol,
            port_range: protocol.has_ports().then_some(PortRange { from: r.ports.0, to: r.ports.1 }),
            peer,
            priority: r.priority,
            policy: if r.drop { Policy::Drop } else { Policy::Accept },
            description: Description::default(),
            created_at: at(0),
        });
    }
    for (v, spec) in (0u8..).zip(&w.vpcs) {
        let Some(admits) = spec.admits else { continue };
        for g in 0..VPC_GROUPS {
            s.rules.push(SecurityGroupRule {
                id: id(RULE, 100 + v * VPC_GROUPS + g),
                security_group_id: id(GROUP, v * VPC_GROUPS + g),
                direction: Direction::Ingress,
                protocol: Protocol::All,
                port_range: None,
                peer: RulePeer::Cidr { cidr_block: cidr(PEER_BLOCKS[usize::from(admits)]) },
                priority: 3,
                policy: Policy::Accept,
                description: Description::default(),
                created_at: at(0),
            });
        }
    }
    let toward = |v: u8, t: Toward| match t {
        Toward::Vpc => cidr(&format!("10.{}.0.0/16", block(v))),
        Toward::VSwitch(k) => cidr(&format!("10.{}.{k}.0/24", block(v))),
    };
    let mut joined: Vec<(u8, u8)> = Vec::new();
    for p in &w.pairs {
        let a = p.a % n;
        let b = (a + 1 + p.b % (n - 1)) % n;
        // One pair per two VRouters.
        if joined.iter().any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a)) {
            continue;
        }
        let number = joined.len() as u8;
        joined.push((a, b));
        let (va, vb) = (s.vpcs[usize::from(a)].clone(), s.vpcs[usize::from(b)].clone());
        let (initiator, acceptor): (RouterInterfaceId, RouterInterfaceId) =
            (id(INTERFACE, 2 * number), id(INTERFACE, 2 * number + 1));
        let side = |me: &RouterInterfaceId, vpc: &Vpc, role, other: &RouterInterfaceId, peer: &Vpc| RouterInterface {
            id: me.clone(),
            account_id: vpc.account_id.clone(),
            vpc_id: vpc.id.clone(),
            vrouter_id: vpc.vrouter_id.clone(),
            region: vpc.region.clone(),
            role,
            spec: None,
            status: RouterInterfaceStatus::Active,
            peer_region: peer.region.clone(),
            peer: Some(RouterInterfacePeer {
                account_id: peer.account_id.clone(),
                vrouter_id: peer.vrouter_id.clone(),
                router_interface_id: other.clone(),
            }),
            name: None,
            description: Description::default(),
            created_at: at(0),
            connected_at: None,
        };
        let mut i = side(&initiator, &va, RouterInterfaceRole::Initiator, &acceptor, &vb);
        let mut r = side(&acceptor, &vb, RouterInterfaceRole::Acceptor, &initiator, &va);
        (i.status, r.status) = match p.state {
            PairState::Active => (RouterInterfaceStatus::Active, RouterInterfaceStatus::Active),
            PairState::InitiatorOff => (RouterInterfaceStatus::Inactive, RouterInterfaceStatus::Active),
            PairState::AcceptorOff => (RouterInterfaceStatus::Active, RouterInterfaceStatus::Inactive),
            PairState::Idle => (RouterInterfaceStatus::Idle, RouterInterfaceStatus::Idle),
        };
        // The initiator chose the spec; the acceptor took it when the two were connected.
        i.spec = Some(SPECS[usize::from(p.spec)]);
        r.spec = r.status.connected().then_some(SPECS[usize::from(p.spec)]);
        match (p.naming, r.peer.as_mut()) {
            (Naming::AcceptorNamesAnother, Some(named)) => named.router_interface_id = id(INTERFACE, 250),
            (Naming::AcceptorNamesWrongVRouter, Some(named)) => named.vrouter_id = id(VROUTER, 250),
            _ => {}
        }
        s.router_interfaces.push(i);
        if !matches!(p.naming, Naming::AcceptorGone) {
            s.router_interfaces.push(r);
        }
        let over = |ri: &RouterInterfaceId| NextHop::RouterInterface { router_interface_id: ri.clone() };
        if let Some(t) = p.there {
            add_route(&mut s, a, toward(b, t), over(&initiator));
        }
        if let Some(t) = p.back {
            add_route(&mut s, b, toward(a, t), over(&acceptor));
        }
    }
    for r in &w.routes {
        let v = r.vpc % n;
        let dest = match r.dest {
            Dest::Vpc(t) => toward(t % n, Toward::Vpc),
            Dest::VSwitch(t, k) => toward(t % n, Toward::VSwitch(k)),
            Dest::Fixed(f) => cidr(FIXED_ROUTES[usize::from(f)]),
        };
        let vpc: VpcId = id(VPC, v);
        let mine: Vec<&RouterInterfaceId> =
            s.router_interfaces.iter().filter(|ri| ri.vpc_id == vpc).map(|ri| &ri.id).collect();
        let hop = match r.over {
            Some(k) if !mine.is_empty() => {
                NextHop::RouterInterface { router_interface_id: mine[usize::from(k) % mine.len()].clone() }
            }
            _ => NextHop::Blackhole,
        };
        add_route(&mut s, v, dest, hop);
    }
    let owner = |h: u8| -> AccountId { id(ACCOUNT, w.hubs[usize::from(h)].owner) };
    for (h, hub) in (0u8..).zip(&w.hubs) {
        for (k, mbps) in (0u8..).zip(hub.bandwidths) {
            let Some(mbps) = mbps else { continue };
            let (a, b) = REGION_PAIRS[usize::from(k)];
            s.inter_region_bandwidths.push(InterRegionBandwidth {
                id: id(BANDWIDTH, h * 3 + k),
                account_id: owner(h),
                hub_id: id(HUB, h),
                bandwidth_package_id: id(PACKAGE, h),
                region_a: region(a as u8),
                region_b: region(b as u8),
                bandwidth_mbps: MBPS[usize::from(mbps)],
                created_at: at(0),
            });
        }
    }
    for (v, spec) in (0u8..).zip(&w.vpcs) {
        let vpc = s.vpcs[usize::from(v)].clone();
        let own: Vec<Cidr> = s.vswitches.iter().filter(|w| w.vpc_id == vpc.id).map(|w| w.cidr_block).collect();
        let network =
            Network { kind: NetworkKind::Vpc, id: vpc.id.to_string(), account: vpc.account_id, region: vpc.region };
        match &spec.attach {
            Some(a) => {
                let blocks = a.named.as_ref().map(|ix| named(&vpc_offers(block(v)), ix));
                attach_network(&mut s, v, a, owner(a.hub % HUBS), network, own, blocks);
            }
            None if spec.granted => grant(&mut s, v, &network, 0, owner(0)),
            None => {}
        }
    }
    if let Some(spec) = &w.vbr {
        let routes: Vec<Cidr> =
            (0..DC_BLOCKS.len()).filter(|k| spec.routes & (1 << k) != 0).map(|k| cidr(DC_BLOCKS[k])).collect();
        let vbr = Vbr {
            id: id(VBR, 0),
            account_id: id(ACCOUNT, spec.account),
            shared_port_id: id(PORT, 0),
            region: region(spec.region),
            vlan_id: 100,
            bandwidth_mbps: MBPS[usize::from(spec.mbps)],
            local_gateway_ip: "10.254.0.1".parse().unwrap(),
            peer_gateway_ip: "10.254.0.2".parse().unwrap(),
            peering_subnet: cidr("10.254.0.0/30"),
            routes: routes.clone(),
            name: None,
            description: Description::default(),
            created_at: at(0),
        };
        for (k, r) in (0u8..).zip(&routes) {
            let IpAddr::V4(net) = r.net().network() else { unreachable!("the world is IPv4") };
            s.hosts.push(DataCentreHost {
                id: id(HOST, k),
                account_id: vbr.account_id.clone(),
                vbr_id: vbr.id.clone(),
                ip: IpAddr::V4(Ipv4Addr::from(u32::from(net) + 5)),
                name: None,
                created_at: at(0),
            });
        }
        if let Some(a) = &spec.attach {
            let network = Network {
                kind: NetworkKind::Vbr,
                id: vbr.id.to_string(),
                account: vbr.account_id.clone(),
                region: vbr.region.clone(),
            };
            let blocks = a.named.as_ref().map(|ix| named(&routes, ix));
            attach_network(&mut s, 50, a, owner(a.hub % HUBS), network, routes.clone(), blocks);
        }
        s.vbrs.push(vbr);
    }
    s
}

/// A custom route in VPC `v`'s table, unless the table cannot hold it: a destination inside
/// (or equal to) one of the VPC's vswitch blocks, or one the table already routes. The control
/// layer also refuses a destination that holds a vswitch block; such wider routes are kept here,
/// as in the one-VPC world, for the longest match to choose against.
fn add_route(s: &mut Snapshot, v: u8, dest: Cidr, next_hop: NextHop) {
    let vpc: VpcId = id(VPC, v);
    let inside = s.vswitches.iter().any(|w| w.vpc_id == vpc && w.cidr_block.contains(&dest));
    if inside || s.route_entries.iter().any(|r| r.vpc_id == vpc && r.destination_cidr_block == dest) {
        return;
    }
    s.route_entries.push(RouteEntry {
        id: id(ROUTE, s.route_entries.len() as u8),
        account_id: s.vpcs[usize::from(v)].account_id.clone(),
        route_table_id: id(TABLE, v),
        vpc_id: vpc,
        destination_cidr_block: dest,
        next_hop,
        description: Description::default(),
        created_at: at(0),
    });
}

/// A network as an attachment or a grant names it.
struct Network {
    kind: NetworkKind,
    id: String,
    account: AccountId,
    region: RegionId,
}

/// Attachment `n` of a network to its hub: with the blocks named, or its own (`own`) when none
/// were. Another account's network is attached under its owner's grant.
fn attach_network(
    s: &mut Snapshot,
    n: u8,
    a: &AttachSpec,
    hub_owner: AccountId,
    network: Network,
    own: Vec<Cidr>,
    blocks: Option<Vec<Cidr>>,
) {
    let hub = a.hub % HUBS;
    if network.account != hub_owner {
        grant(s, n, &network, hub, hub_owner.clone());
    }
    s.attachments.push(Attachment {
        // Ids run against the order the attachments are listed in, so that only the ids can
        // break a tie in the time they were made.
        id: id(ATTACHMENT, 100 - n),
        hub_id: id(HUB, hub),
        hub_account_id: hub_owner,
        network_type: network.kind,
        network_id: network.id,
        network_account_id: network.account,
        region: network.region,
        advertises_default: blocks.is_none(),
        cidr_blocks: blocks.unwrap_or(own),
        description: Description::default(),
        created_at: at(a.made),
    });
}

fn grant(s: &mut Snapshot, n: u8, network: &Network, hub: u8, grantee: AccountId) {
    s.grants.push(Grant {
        id: id(GRANT, n),
        account_id: network.account.clone(),
        network_type: network.kind,
        network_id: network.id.clone(),
        region: network.region.clone(),
        grantee_account_id: grantee,
        hub_id: id(HUB, hub),
        remarks: Description::default(),
        created_at: at(0),
    });
}

/// Who sends a packet: an instance, or a data centre host (an instance when there is none).
#[derive(Debug, Clone)]
enum Origin {
    Instance(u8),
    Host(u8),
}

/// A sender, as resolved in a snapshot.
enum Source<'s> {
    Instance(&'s Instance),
    Host(&'s DataCentreHost),
}

impl<'s> Source<'s> {
    fn of(s: &'s Snapshot, from: &Origin) -> Source<'s> {
        match *from {
            Origin::Host(h) if !s.hosts.is_empty() => Source::Host(pick(&s.hosts, h).expect("there are hosts")),
            Origin::Instance(i) | Origin::Host(i) => {
                Source::Instance(pick(&s.instances, i).expect("every world has an instance"))
            }
        }
    }

    /// The id of the network it sends from: its VPC or its VBR.
    fn network(&self) -> &'s str {
        match self {
            Source::Instance(i) => i.vpc_id.as_str(),
            Source::Host(h) => h.vbr_id.as_str(),
        }
    }
}

/// Where to: an instance's address (any, or one in another network than the sender's), a
/// host's, an address in the VPCs' blocks (10.b.k.h, held or not), one in a block the sender's
/// hub carries from another network (where the conflicts are: a block, an offset into it), or
/// one elsewhere.
#[derive(Debug, Clone)]
enum Target {
    Instance(u8),
    Neighbour(u8),
    Host(u8),
    Address(u8, u8, u8),
    Offered(u8, u16),
    Elsewhere(u8),
}

#[derive(Debug, Clone)]
struct Ask {
    from: Origin,
    to: Target,
    protocol: u8,
    port: u16,
}

fn ask() -> impl Strategy<Value = Ask> {
    let from = prop_oneof![4 => (0u8..16).prop_map(Origin::Instance), 1 => (0u8..4).prop_map(Origin::Host)];
    let to = prop_oneof![
        2 => (0u8..16).prop_map(Target::Instance),
        3 => (0u8..16).prop_map(Target::Neighbour),
        1 => (0u8..4).prop_map(Target::Host),
        2 => (0u8..4, prop_oneof![0u8..4, Just(9u8)], prop_oneof![2u8..6, Just(99u8)])
            .prop_map(|(b, k, h)| Target::Address(b, k, h)),
        // Offsets land in a /16's first vswitches, or its empty 10.b.9.0/24.
        2 => (0u8..16, prop_oneof![Just(2u16), Just(0x103), Just(0x205), Just(0x305), Just(0x905)])
            .prop_map(|(k, offset)| Target::Offered(k, offset)),
        1 => (0..ELSEWHERE.len() as u8).prop_map(Target::Elsewhere),
    ];
    // Packets carry a protocol, never `All`.
    (from, to, 0u8..3, 1u16..32).prop_map(|(from, to, protocol, port)| Ask { from, to, protocol, port })
}

fn pick<T>(list: &[T], i: u8) -> Option<&T> {
    (!list.is_empty()).then(|| &list[usize::from(i) % list.len()])
}

fn address(s: &Snapshot, from: &Source<'_>, to: &Target) -> IpAddr {
    let instance = |i: u8| pick(&s.instances, i).expect("every world has an instance").private_ip;
    match *to {
        Target::Instance(i) => instance(i),
        Target::Neighbour(i) => {
            let others: Vec<&Instance> = s.instances.iter().filter(|d| d.vpc_id.as_str() != from.network()).collect();
            pick(&others, i).map_or_else(|| instance(i), |d| d.private_ip)
        }
        Target::Host(i) => pick(&s.hosts, i).map(|h| h.ip).unwrap_or_else(|| instance(i)),
        Target::Address(b, k, h) => IpAddr::V4(Ipv4Addr::new(10, b, k, h)),
        Target::Offered(k, offset) => {
            let hub = s.attachments.iter().find(|a| a.network_id == from.network()).map(|a| &a.hub_id);
            let offered: Vec<Cidr> = s
                .attachments
                .iter()
                .filter(|a| Some(&a.hub_id) == hub && a.network_id != from.network())
                .flat_map(|a| a.cidr_blocks.iter().copied())
                .collect();
            match pick(&offered, k) {
                Some(block) => {
                    let IpNet::V4(net) = block.net() else { unreachable!("the world is IPv4") };
                    let size = 1u32 << (32 - net.prefix_len());
                    IpAddr::V4(Ipv4Addr::from(u32::from(net.network()) + u32::from(offset) % size))
                }
                None => instance(k),
            }
        }
        Target::Elsewhere(e) => ELSEWHERE[usize::from(e)].parse().unwrap(),
    }
}

// ---- the reference: every decision by a plain scan ----

/// An answer as the comparison sees it: each hop (kind, whose network, which component,
/// passed), the code of what stopped the packet and at which hop, what it reached, and the
/// bandwidth on the way.
#[derive(Debug, Default, PartialEq)]
struct Trail {
    hops: Vec<(HopKind, AccountId, String, bool)>,
    blocked: Option<(BlockCode, usize)>,
    to_instance: Option<InstanceId>,
    to_host: Option<DataCentreHostId>,
    kbps: Option<u64>,
    test_only: bool,
}

impl Trail {
    fn of(a: &ConnectivityAnswer) -> Trail {
        Trail {
            hops: a.hops.iter().map(|h| (h.kind, h.account_id.clone(), h.component.clone(), h.passed)).collect(),
            blocked: a.blocked.as_ref().map(|b| (b.code, b.hop)),
            to_instance: a.to_instance_id.clone(),
            to_host: a.to_host_id.clone(),
            kbps: a.bandwidth_kbps,
            test_only: a.test_bandwidth_only,
        }
    }

    fn hop(&mut self, kind: HopKind, owner: &AccountId, component: impl Into<String>, passed: bool) {
        self.hops.push((kind, owner.clone(), component.into(), passed));
    }

    /// The bandwidth on the way is the narrowest of the links passed.
    fn narrow(&mut self, kbps: u64) {
        self.kbps = Some(self.kbps.map_or(kbps, |k| k.min(kbps)));
    }

    fn stop(mut self, code: BlockCode) -> Trail {
        self.blocked = Some((code, self.hops.len() - 1));
        self
    }
}

/// A network a route table belongs to.
#[derive(Clone, Copy)]
enum Net<'s> {
    Vpc(&'s Vpc),
    Vbr(&'s Vbr),
}

impl<'s> Net<'s> {
    fn by_id(s: &'s Snapshot, id: &str) -> Net<'s> {
        match s.vpcs.iter().find(|v| v.id.as_str() == id) {
            Some(v) => Net::Vpc(v),
            None => Net::Vbr(s.vbrs.iter().find(|v| v.id.as_str() == id).expect("every network is in the snapshot")),
        }
    }

    fn id(self) -> &'s str {
        match self {
            Net::Vpc(v) => v.id.as_str(),
            Net::Vbr(v) => v.id.as_str(),
        }
    }

    fn owner(self) -> &'s AccountId {
        match self {
            Net::Vpc(v) => &v.account_id,
            Net::Vbr(v) => &v.account_id,
        }
    }

    fn region(self) -> &'s RegionId {
        match self {
            Net::Vpc(v) => &v.region,
            Net::Vbr(v) => &v.region,
        }
    }

    /// What a route hop names: a VPC's route table, or the VBR.
    fn table(self) -> &'s str {
        match self {
            Net::Vpc(v) => v.route_table_id.as_str(),
            Net::Vbr(v) => v.id.as_str(),
        }
    }

    /// Its own blocks: a VPC's vswitches, a VBR's data centre routes.
    fn own(self, s: &Snapshot) -> Vec<Cidr> {
        match self {
            Net::Vpc(v) => s.vswitches.iter().filter(|w| w.vpc_id == v.id).map(|w| w.cidr_block).collect(),
            Net::Vbr(v) => v.routes.clone(),
        }
    }
}

/// Where a route sends a packet.
#[derive(Clone, Copy)]
enum Via<'s> {
    Local(&'s VSwitch),
    DataCentre,
    Blackhole,
    Interface(&'s RouterInterfaceId),
    /// Through the hub, to the network of this attachment.
    Hub(&'s Attachment),
}

/// What `net` learns from its hub, and the blocks the hub's other attachments advertise that it
/// leaves out (its conflicts). The hub takes every attachment's blocks in the order the
/// attachments were made (ties by id), each unless it overlaps one taken before; a network
/// installs each block the hub took from another attachment unless it overlaps one of the
/// network's own blocks or one the network advertises, or is the destination of one of its
/// custom routes.
fn learning<'s>(s: &'s Snapshot, net: Net<'s>) -> (Vec<(Cidr, &'s Attachment)>, Vec<Cidr>) {
    let Some(mine) = s.attachments.iter().find(|a| a.network_id == net.id()) else { return (vec![], vec![]) };
    let mut made: Vec<&Attachment> = s.attachments.iter().filter(|a| a.hub_id == mine.hub_id).collect();
    made.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut hub: Vec<(Cidr, &Attachment)> = Vec::new();
    for a in &made {
        for b in &a.cidr_blocks {
            if !hub.iter().any(|(h, _)| h.overlaps(b)) {
                hub.push((*b, a));
            }
        }
    }
    let own = net.own(s);
    let custom: Vec<Cidr> =
        s.route_entries.iter().filter(|r| r.vpc_id.as_str() == net.id()).map(|r| r.destination_cidr_block).collect();
    let (mut learned, mut left_out) = (Vec::new(), Vec::new());
    for a in made.iter().filter(|a| a.id != mine.id) {
        for b in &a.cidr_blocks {
            let taken = hub.iter().any(|(h, by)| h == b && by.id == a.id);
            let clash = own.iter().chain(&mine.cidr_blocks).any(|o| o.overlaps(b)) || custom.contains(b);
            if taken && !clash {
                learned.push((*b, *a));
            } else {
                left_out.push(*b);
            }
        }
    }
    (learned, left_out)
}

/// Every route of a network's table: its vswitches or data centre blocks, its custom entries,
/// and what it learned.
fn routes<'s>(s: &'s Snapshot, net: Net<'s>) -> Vec<(Cidr, Via<'s>)> {
    let mut routes = Vec::new();
    match net {
        Net::Vpc(vpc) => {
            routes.extend(s.vswitches.iter().filter(|w| w.vpc_id == vpc.id).map(|w| (w.cidr_block, Via::Local(w))));
            for r in s.route_entries.iter().filter(|r| r.vpc_id == vpc.id) {
                let via = match &r.next_hop {
                    NextHop::Blackhole => Via::Blackhole,
                    NextHop::RouterInterface { router_interface_id } => Via::Interface(router_interface_id),
                    other => panic!("the world makes no custom route to {other:?}"),
                };
                routes.push((r.destination_cidr_block, via));
            }
        }
        Net::Vbr(vbr) => routes.extend(vbr.routes.iter().map(|c| (*c, Via::DataCentre))),
    }
    routes.extend(learning(s, net).0.into_iter().map(|(c, a)| (c, Via::Hub(a))));
    routes
}

/// The longest-prefix match, by a scan.
fn longest<'s>(routes: &[(Cidr, Via<'s>)], ip: IpAddr) -> Option<Via<'s>> {
    let mut best: Option<&(Cidr, Via<'s>)> = None;
    for r in routes.iter().filter(|(c, _)| c.contains_addr(ip)) {
        if let Some((b, _)) = best {
            assert_ne!(b.prefix_len(), r.0.prefix_len(), "two routes to {b}: the world must not make them");
        }
        if best.is_none_or(|(b, _)| r.0.prefix_len() > b.prefix_len()) {
            best = Some(r);
        }
    }
    best.map(|(_, via)| *via)
}

/// Whether the hub offered `net` a block holding `ip` that it left out.
fn conflicts(s: &Snapshot, net: Net<'_>, ip: IpAddr) -> bool {
    learning(s, net).1.iter().any(|c| c.contains_addr(ip))
}

/// The interface `ri` and its peer, when both exist, name each other (id, account and VRouter)
/// and are Active.
fn pair<'s>(s: &'s Snapshot, ri: &RouterInterfaceId) -> Option<(&'s RouterInterface, &'s RouterInterface)> {
    let names = |a: &RouterInterface, b: &RouterInterface| {
        a.peer.as_ref().is_some_and(|p| {
            p.router_interface_id == b.id && p.account_id == b.account_id && p.vrouter_id == b.vrouter_id
        })
    };
    let near = s.router_interfaces.iter().find(|r| &r.id == ri)?;
    let far = s.router_interfaces.iter().find(|r| names(near, r))?;
    let active = near.status == RouterInterfaceStatus::Active && far.status == RouterInterfaceStatus::Active;
    (names(far, near) && active).then_some((near, far))
}

fn vpc_of<'s>(s: &'s Snapshot, id: &VpcId) -> &'s Vpc {
    s.vpcs.iter().find(|v| &v.id == id).expect("every VPC is in the snapshot")
}

/// Where a packet lands: a vswitch of a VPC, or a VBR's data centre.
enum Landing<'s> {
    VSwitch(&'s Vpc, &'s VSwitch),
    DataCentre(&'s Vbr),
}

/// Where the route tables send a packet from `home` to `to`, security aside: the hops of each
/// table, pair and hub on the way, then the vswitch or data centre it lands in, or the code of
/// what stops it. A packet that came over a pair or through a hub is delivered in the network it
/// came into, or not at all.
fn follow<'s>(s: &'s Snapshot, home: Net<'s>, to: IpAddr, trail: &mut Trail) -> Result<Landing<'s>, BlockCode> {
    let (mut here, mut arrived) = (home, false);
    loop {
        let (owner, table) = (here.owner(), here.table());
        let Some(via) = longest(&routes(s, here), to) else {
            trail.hop(HopKind::Route, owner, table, false);
            let granted = s.grants.iter().any(|g| g.network_id == here.id());
            let attached = s.attachments.iter().any(|a| a.network_id == here.id());
            return Err(if conflicts(s, here, to) {
                BlockCode::RouteConflict
            } else if matches!(here, Net::Vpc(_)) && !arrived && granted && !attached {
                BlockCode::NotAttached
            } else {
                BlockCode::NoRoute
            });
        };
        let onwards = matches!(via, Via::Interface(_) | Via::Hub(_));
        let stopped = matches!(via, Via::Blackhole) || (arrived && onwards);
        trail.hop(HopKind::Route, owner, table, !stopped);
        match (here, via) {
            (Net::Vpc(vpc), Via::Local(vswitch)) => return Ok(Landing::VSwitch(vpc, vswitch)),
            (Net::Vbr(vbr), Via::DataCentre) => return Ok(Landing::DataCentre(vbr)),
            (_, Via::Blackhole) => return Err(BlockCode::Blackhole),
            // Neither peering nor a hub is transitive.
            _ if arrived => return Err(BlockCode::NoRoute),
            (_, Via::Interface(ri)) => {
                let Some((near, far)) = pair(s, ri) else {
                    trail.hop(HopKind::Peering, owner, ri.as_str(), false);
                    return Err(BlockCode::PeerNotActive);
                };
                trail.hop(HopKind::Peering, owner, format!("{} → {}", near.id, far.id), true);
                // The initiator chose the pair's bandwidth.
                let bought = [near, far].into_iter().find(|r| r.role == RouterInterfaceRole::Initiator);
                if let Some(spec) = bought.and_then(|r| r.spec) {
                    trail.narrow(u64::from(spec.mbps()) * 1000);
                }
                here = Net::Vpc(vpc_of(s, &far.vpc_id));
            }
            (_, Via::Hub(a)) => {
                if here.region() != &a.region {
                    let bandwidth = s.inter_region_bandwidths.iter().find(|b| {
                        let (x, y) = (&b.region_a, &b.region_b);
                        b.hub_id == a.hub_id
                            && ((x, y) == (here.region(), &a.region) || (y, x) == (here.region(), &a.region))
                    });
                    match bandwidth {
                        Some(b) => trail.narrow(u64::from(b.bandwidth_mbps) * 1000),
                        None => {
                            trail.narrow(TEST_BANDWIDTH_KBPS);
                            trail.test_only = true;
                        }
                    }
                }
                trail.hop(HopKind::Hub, &a.hub_account_id, a.hub_id.as_str(), true);
                here = Net::by_id(s, &a.network_id);
            }
            (_, Via::Local(_) | Via::DataCentre) => {
                unreachable!("a VPC's table delivers to vswitches, a VBR's to its data centre")
            }
        }
        arrived = true;
    }
}

/// The far end of a packet as a rule sees it: its address, and its groups and account when it is
/// an instance in the rule's region (a group peer matches nothing else).
struct Peer<'a> {
    ip: IpAddr,
    member: Option<(&'a [SecurityGroupId], &'a AccountId)>,
}

fn rule_matches(r: &SecurityGroupRule, protocol: Protocol, port: Option<u16>, peer: &Peer<'_>) -> bool {
    let protocol_ok = r.protocol == Protocol::All || r.protocol == protocol;
    let port_ok = match r.port_range {
        None => true,
        Some(range) => port.is_some_and(|p| range.from <= p && p <= range.to),
    };
    let peer_ok = match &r.peer {
        RulePeer::Cidr { cidr_block } => cidr_block.contains_addr(peer.ip),
        RulePeer::SecurityGroup { security_group_id, account_id } => {
            peer.member.is_some_and(|(groups, account)| groups.contains(security_group_id) && account == account_id)
        }
    };
    protocol_ok && port_ok && peer_ok
}

/// Allowed? The matching rules with the lowest priority number decide; any drop among them wins.
fn allows(
    s: &Snapshot,
    groups: &[SecurityGroupId],
    direction: Direction,
    protocol: Protocol,
    port: Option<u16>,
    peer: &Peer<'_>,
) -> bool {
    let matching: Vec<&SecurityGroupRule> = s
        .rules
        .iter()
        .filter(|r| groups.contains(&r.security_group_id) && r.direction == direction)
        .filter(|r| rule_matches(r, protocol, port, peer))
        .collect();
    let Some(best) = matching.iter().map(|r| r.priority).min() else {
        return direction == Direction::Egress;
    };
    !matching.iter().any(|r| r.priority == best && r.policy == Policy::Drop)
}

fn list(groups: &[SecurityGroupId]) -> String {
    groups.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")
}

/// The sender, as the far end and the way back see it.
struct Sender<'a> {
    ip: IpAddr,
    groups: &'a [SecurityGroupId],
    network: &'a str,
    account: &'a AccountId,
    region: &'a RegionId,
}

/// A packet: where to, and what.
struct Sent {
    to: IpAddr,
    protocol: Protocol,
    port: Option<u16>,
}

fn instance_at<'s>(s: &'s Snapshot, vswitch: &VSwitch, ip: IpAddr) -> Option<&'s Instance> {
    s.instances.iter().find(|i| i.vswitch_id == vswitch.id && i.private_ip == ip)
}

/// What the walker must answer for a packet from an instance.
fn expect(s: &Snapshot, q: &Question) -> Trail {
    let src = s.instances.iter().find(|i| i.id == q.from).expect("packets are sent from instances of the snapshot");
    let home = Net::Vpc(vpc_of(s, &src.vpc_id));
    // Egress rules naming a group match the instance the packet would land on, if it is in the
    // source's region: where the routes lead is found first.
    let far = match follow(s, home, q.to, &mut Trail::default()) {
        Ok(Landing::VSwitch(_, vswitch)) => instance_at(s, vswitch, q.to),
        _ => None,
    };
    let member = far.filter(|d| d.region == src.region).map(|d| (d.security_group_ids.as_slice(), &d.account_id));
    let out = allows(s, &src.security_group_ids, Direction::Egress, q.protocol, q.port, &Peer { ip: q.to, member });
    let mut trail = Trail::default();
    trail.hop(HopKind::Egress, &src.account_id, list(&src.security_group_ids), out);
    if !out {
        return trail.stop(BlockCode::EgressDenied);
    }
    let landing = follow(s, home, q.to, &mut trail);
    let sender = Sender {
        ip: src.private_ip,
        groups: &src.security_group_ids,
        network: home.id(),
        account: &src.account_id,
        region: &src.region,
    };
    land(s, trail, landing, &sender, &Sent { to: q.to, protocol: q.protocol, port: q.port })
}

/// What the walker must answer for a packet from a data centre host: it reaches its VBR over
/// the port, and no security group stands in its way out.
fn expect_from_host(s: &Snapshot, host: &DataCentreHost, sent: &Sent) -> Trail {
    let vbr = s.vbrs.iter().find(|v| v.id == host.vbr_id).expect("hosts are behind the snapshot's VBR");
    let mut trail = Trail::default();
    trail.hop(HopKind::DataCentre, &host.account_id, vbr.id.as_str(), true);
    trail.narrow(u64::from(vbr.bandwidth_mbps) * 1000);
    let landing = follow(s, Net::Vbr(vbr), sent.to, &mut trail);
    let sender =
        Sender { ip: host.ip, groups: &[], network: vbr.id.as_str(), account: &host.account_id, region: &vbr.region };
    land(s, trail, landing, &sender, sent)
}

/// Delivery where the packet landed, the destination's groups inbound, and the way back.
fn land(
    s: &Snapshot,
    mut trail: Trail,
    landing: Result<Landing<'_>, BlockCode>,
    src: &Sender<'_>,
    sent: &Sent,
) -> Trail {
    match landing {
        Err(code) => trail.stop(code),
        Ok(Landing::VSwitch(vpc, vswitch)) => {
            let Some(dst) = instance_at(s, vswitch, sent.to) else {
                trail.hop(HopKind::Delivery, &vpc.account_id, vswitch.id.as_str(), false);
                return trail.stop(BlockCode::NoInstance);
            };
            trail.to_instance = Some(dst.id.clone());
            trail.hop(HopKind::Delivery, &dst.account_id, vswitch.id.as_str(), true);
            let member = (src.region == &dst.region).then_some((src.groups, src.account));
            let peer = Peer { ip: src.ip, member };
            let allowed = allows(s, &dst.security_group_ids, Direction::Ingress, sent.protocol, sent.port, &peer);
            trail.hop(HopKind::Ingress, &dst.account_id, list(&dst.security_group_ids), allowed);
            if !allowed {
                return trail.stop(BlockCode::IngressDenied);
            }
            way_back(s, trail, Net::Vpc(vpc), src)
        }
        Ok(Landing::DataCentre(vbr)) => {
            let owner = &vbr.account_id;
            if src.network != vbr.id.as_str() {
                trail.hop(HopKind::DataCentre, owner, vbr.id.as_str(), true);
                trail.narrow(u64::from(vbr.bandwidth_mbps) * 1000);
            }
            let Some(host) = s.hosts.iter().find(|h| h.vbr_id == vbr.id && h.ip == sent.to) else {
                trail.hop(HopKind::Delivery, owner, vbr.id.as_str(), false);
                return trail.stop(BlockCode::NoInstance);
            };
            trail.to_host = Some(host.id.clone());
            trail.hop(HopKind::Delivery, owner, vbr.id.as_str(), true);
            // The data centre's own firewalls are not modelled: everything is let in.
            trail.hop(HopKind::Ingress, owner, vbr.id.as_str(), true);
            way_back(s, trail, Net::Vbr(vbr), src)
        }
    }
}

/// The reply passes the groups (they are stateful) but needs a route from where the packet
/// landed back to the sender's network: delivered there, over an active pair into it, or
/// through the hub to its attachment.
fn way_back(s: &Snapshot, mut trail: Trail, here: Net<'_>, src: &Sender<'_>) -> Trail {
    let code = match longest(&routes(s, here), src.ip) {
        Some(Via::Local(_) | Via::DataCentre) if here.id() == src.network => None,
        Some(Via::Interface(ri)) => match pair(s, ri) {
            None => Some(BlockCode::PeerNotActive),
            Some((_, far)) if far.vpc_id.as_str() == src.network => None,
            Some(_) => Some(BlockCode::NoReturnRoute),
        },
        Some(Via::Hub(a)) if a.network_id == src.network => None,
        None if conflicts(s, here, src.ip) => Some(BlockCode::RouteConflict),
        _ => Some(BlockCode::NoReturnRoute),
    };
    trail.hop(HopKind::ReturnRoute, here.owner(), here.table(), code.is_none());
    match code {
        None => trail,
        Some(code) => trail.stop(code),
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
            prop_assert_eq!(Trail::of(&answer), expect(&s, &q), "{:?}", q);
            prop_assert_eq!(answer.reachable, answer.blocked.is_none());
        }
    }
}

proptest! {
    // More cases than for one VPC: a case must line up a pair or a hub with a packet that uses it.
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn across_pairs_and_hubs_the_walker_agrees_with_the_reference(w in networks(), asks in vec(ask(), 1..32)) {
        let s = networks_snapshot(&w);
        let view = View::new(s.clone());
        for ask in asks {
            let from = Source::of(&s, &ask.from);
            let to = address(&s, &from, &ask.to);
            let protocol = PROTOCOLS[usize::from(ask.protocol)];
            let sent = Sent { to, protocol, port: protocol.has_ports().then_some(ask.port) };
            let (answer, expected) = match from {
                Source::Host(host) => {
                    (view.test_from_host(&host.id, to, protocol, sent.port), expect_from_host(&s, host, &sent))
                }
                Source::Instance(src) => {
                    let q = Question { from: src.id.clone(), to, protocol, port: sent.port };
                    (view.test(&q), expect(&s, &q))
                }
            };
            let answer = answer.expect("the source is in the view");
            prop_assert_eq!(Trail::of(&answer), expected, "{:?} to {}", ask, to);
            prop_assert_eq!(answer.reachable, answer.blocked.is_none());
        }
    }
}
