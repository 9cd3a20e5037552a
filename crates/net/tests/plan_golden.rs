//! The data plane's desired state of each seed of `examples/`, built here as the model state the
//! seed's script leaves (ids, times and addresses fixed, so the output is the same on every run
//! and machine), planned by `View::desired_state`, and compared with a checked-in golden file,
//! `tests/golden/seed-NNN.json`, whose nftables documents are spelled out as JSON rather than as
//! strings. Any change to what the plan makes shows up as a diff of that file in review.
//!
//! `UPDATE_GOLDEN=1 cargo nextest run -p xconnect-net --test plan_golden` writes the files anew;
//! otherwise a difference fails with the lines that differ.

use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;
use xconnect_model::dataplane::DesiredState;
use xconnect_model::*;
use xconnect_net::analyzer::{Snapshot, View};

/// A fixed id: every byte of its entropy is `n`, so its tail (what names derive from) is too.
fn id<T: ResourceId>(n: u8) -> T {
    T::from_entropy(&[n; ID_ENTROPY_BYTES])
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse("c", s).unwrap()
}

fn region(s: &str) -> RegionId {
    RegionId::from_trusted(s.into())
}

/// Resources are made in the order of their numbers, a second apart, as a script makes them:
/// what is made first gets its link subnet first.
fn at(n: u8) -> Timestamp {
    Timestamp::from_millis(1_767_225_600_000 + 1000 * i64::from(n))
}

/// An account's VPC with one vswitch, one security group and one instance at the vswitch's
/// first free address (the first host after the gateway), numbered from `n`: VPC `n` (also its
/// VRouter and route table), vswitch `n + 1`, group `n + 2`, instance `n + 3`.
fn vpc(s: &mut Snapshot, n: u8, account: u8, region_id: &str, block: &str, vswitch: &str) {
    let vswitch = cidr(vswitch);
    let ipnet::IpNet::V4(net) = vswitch.net() else { unreachable!("the seeds' blocks are IPv4") };
    let ip = IpAddr::V4((u32::from(net.network()) + 2).into());
    s.vpcs.push(Vpc {
        id: id(n),
        account_id: id(account),
        region: region(region_id),
        cidr_block: cidr(block),
        name: None,
        description: Description::default(),
        vrouter_id: id(n),
        route_table_id: id(n),
        created_at: at(n),
    });
    s.vswitches.push(VSwitch {
        id: id(n + 1),
        account_id: id(account),
        vpc_id: id(n),
        region: region(region_id),
        zone: "z".into(),
        cidr_block: vswitch,
        name: None,
        description: Description::default(),
        created_at: at(n + 1),
    });
    s.instances.push(Instance {
        id: id(n + 3),
        account_id: id(account),
        vpc_id: id(n),
        vswitch_id: id(n + 1),
        region: region(region_id),
        zone: "z".into(),
        private_ip: ip,
        security_group_ids: vec![id(n + 2)],
        name: None,
        description: Description::default(),
        created_at: at(n + 3),
    });
}

/// An inbound icmp rule on the group of the VPC numbered `vpc_n`.
fn admit_icmp(s: &mut Snapshot, n: u8, vpc_n: u8, from: &str) {
    s.rules.push(SecurityGroupRule {
        id: id(n),
        security_group_id: id(vpc_n + 2),
        direction: Direction::Ingress,
        protocol: Protocol::Icmp,
        port_range: None,
        peer: RulePeer::Cidr { cidr_block: cidr(from) },
        priority: 1,
        policy: Policy::Accept,
        description: Description::default(),
        created_at: at(n),
    });
}

fn vpc_of(s: &Snapshot, n: u8) -> Vpc {
    let want: VpcId = id(n);
    s.vpcs.iter().find(|v| v.id == want).unwrap().clone()
}

/// An active router interface pair: initiator `n` on VPC `a`, acceptor `n + 1` on VPC `b`, and
/// a route in each VPC's table over it (route entries `n + 2` and `n + 3`).
fn pair(s: &mut Snapshot, n: u8, a: u8, b: u8, spec: RouterInterfaceSpec, a_to: &str, b_to: &str) {
    let (va, vb) = (vpc_of(s, a), vpc_of(s, b));
    let ri = |me: u8, owner: &Vpc, role, peer_n: u8, peer: &Vpc| RouterInterface {
        id: id(me),
        account_id: owner.account_id.clone(),
        vpc_id: owner.id.clone(),
        vrouter_id: owner.vrouter_id.clone(),
        region: owner.region.clone(),
        role,
        spec: (role == RouterInterfaceRole::Initiator).then_some(spec),
        status: RouterInterfaceStatus::Active,
        peer_region: peer.region.clone(),
        peer: Some(RouterInterfacePeer {
            account_id: peer.account_id.clone(),
            vrouter_id: peer.vrouter_id.clone(),
            router_interface_id: id(peer_n),
        }),
        name: None,
        description: Description::default(),
        created_at: at(me),
        connected_at: Some(at(n + 1)),
    };
    s.router_interfaces.push(ri(n, &va, RouterInterfaceRole::Initiator, n + 1, &vb));
    s.router_interfaces.push(ri(n + 1, &vb, RouterInterfaceRole::Acceptor, n, &va));
    let route = |me: u8, vpc: &Vpc, dest: &str, over: u8| RouteEntry {
        id: id(me),
        account_id: vpc.account_id.clone(),
        route_table_id: vpc.route_table_id.clone(),
        vpc_id: vpc.id.clone(),
        destination_cidr_block: cidr(dest),
        next_hop: NextHop::RouterInterface { router_interface_id: id(over) },
        description: Description::default(),
        created_at: at(me),
    };
    s.route_entries.push(route(n + 2, &va, a_to, n));
    s.route_entries.push(route(n + 3, &vb, b_to, n + 1));
}

/// A network as an attachment names it, with its own blocks (a VPC's vswitch blocks, a VBR's
/// data centre routes).
struct Network {
    kind: NetworkKind,
    id: String,
    account_id: AccountId,
    region: RegionId,
    own: Vec<Cidr>,
}

fn vpc_network(s: &Snapshot, vpc_n: u8) -> Network {
    let v = vpc_of(s, vpc_n);
    let own = s.vswitches.iter().filter(|w| w.vpc_id == v.id).map(|w| w.cidr_block).collect();
    Network { kind: NetworkKind::Vpc, id: v.id.to_string(), account_id: v.account_id, region: v.region, own }
}

/// Attachment `n` of a network to hub `hub` (owned by account `owner`): with the blocks named,
/// or the network's own when none are.
fn attach(s: &mut Snapshot, n: u8, hub: u8, owner: u8, network: Network, named: &[&str]) {
    s.attachments.push(Attachment {
        id: id(n),
        hub_id: id(hub),
        hub_account_id: id(owner),
        network_type: network.kind,
        network_id: network.id,
        network_account_id: network.account_id,
        region: network.region,
        cidr_blocks: if named.is_empty() { network.own } else { named.iter().map(|b| cidr(b)).collect() },
        advertises_default: named.is_empty(),
        description: Description::default(),
        created_at: at(n),
    });
}

fn attach_vpc(s: &mut Snapshot, n: u8, hub: u8, owner: u8, vpc_n: u8, named: &[&str]) {
    let network = vpc_network(s, vpc_n);
    attach(s, n, hub, owner, network, named);
}

/// The grant of VPC `vpc_n` to hub `hub` of account `grantee` (another account's VPC is
/// attached only with one).
fn grant(s: &mut Snapshot, n: u8, vpc_n: u8, hub: u8, grantee: u8) {
    let v = vpc_of(s, vpc_n);
    s.grants.push(Grant {
        id: id(n),
        account_id: v.account_id,
        network_type: NetworkKind::Vpc,
        network_id: v.id.to_string(),
        region: v.region,
        grantee_account_id: id(grantee),
        hub_id: id(hub),
        remarks: Description::default(),
        created_at: at(n),
    });
}

/// Bandwidth between two regions of a hub, its regions in order as the store keeps them.
fn inter_region(s: &mut Snapshot, n: u8, hub: u8, account: u8, a: &str, b: &str, mbps: u32) {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    s.inter_region_bandwidths.push(InterRegionBandwidth {
        id: id(n),
        account_id: id(account),
        hub_id: id(hub),
        bandwidth_package_id: id(n + 1),
        region_a: region(a),
        region_b: region(b),
        bandwidth_mbps: mbps,
        created_at: at(n),
    });
}

/// Seed 000: account A's VPC in Beijing and account B's in Shanghai on A's hub (B's attached
/// with its vswitch's block, under B's grant), 20 Mbit/s between the two regions.
fn seed_000() -> Snapshot {
    let mut s = Snapshot::default();
    vpc(&mut s, 10, 1, "cn-beijing", "10.1.0.0/16", "10.1.1.0/24");
    vpc(&mut s, 20, 2, "cn-shanghai", "10.2.0.0/16", "10.2.1.0/24");
    attach_vpc(&mut s, 31, 30, 1, 10, &[]);
    grant(&mut s, 32, 20, 30, 1);
    attach_vpc(&mut s, 33, 30, 1, 20, &["10.2.1.0/24"]);
    inter_region(&mut s, 34, 30, 1, "cn-shanghai", "cn-beijing", 20);
    admit_icmp(&mut s, 40, 10, "10.2.1.0/24");
    admit_icmp(&mut s, 41, 20, "10.1.0.0/16");
    s
}

/// Seed 001: account A's VPC1 in Qingdao peered with account B's VPC2 in Beijing at Mini.2,
/// a route each way and icmp admitted from the other VPC.
fn seed_001() -> Snapshot {
    let mut s = Snapshot::default();
    vpc(&mut s, 10, 1, "cn-qingdao", "192.168.0.0/16", "192.168.0.0/24");
    vpc(&mut s, 20, 2, "cn-beijing", "172.16.0.0/16", "172.16.0.0/24");
    pair(&mut s, 30, 10, 20, RouterInterfaceSpec::Mini2, "172.16.0.0/16", "192.168.0.0/16");
    admit_icmp(&mut s, 40, 10, "172.16.0.0/16");
    admit_icmp(&mut s, 41, 20, "192.168.0.0/16");
    s
}

/// Seed 002: account A's hub across China North 2 (Beijing) and China North 1 (Qingdao), B's
/// VPC attached under its grant, 5 Mbit/s between the regions.
fn seed_002() -> Snapshot {
    let mut s = Snapshot::default();
    vpc(&mut s, 10, 1, "cn-beijing", "192.168.0.0/16", "192.168.1.0/24");
    vpc(&mut s, 20, 2, "cn-qingdao", "172.16.0.0/16", "172.16.1.0/24");
    attach_vpc(&mut s, 31, 30, 1, 10, &[]);
    grant(&mut s, 32, 20, 30, 1);
    attach_vpc(&mut s, 33, 30, 1, 20, &[]);
    admit_icmp(&mut s, 40, 10, "172.16.0.0/16");
    admit_icmp(&mut s, 41, 20, "192.168.0.0/16");
    inter_region(&mut s, 42, 30, 1, "cn-qingdao", "cn-beijing", 5);
    s
}

/// Seed 003: VPC A in Beijing peered with VPC B (a /12) in Hangzhou at Large.1, routes to each
/// other's vswitch block only.
fn seed_003() -> Snapshot {
    let mut s = Snapshot::default();
    vpc(&mut s, 10, 1, "cn-beijing", "192.168.0.0/16", "192.168.100.0/24");
    vpc(&mut s, 20, 2, "cn-hangzhou", "172.16.0.0/12", "172.16.100.0/24");
    pair(&mut s, 30, 10, 20, RouterInterfaceSpec::Large1, "172.16.100.0/24", "192.168.100.0/24");
    admit_icmp(&mut s, 40, 10, "172.16.100.0/24");
    admit_icmp(&mut s, 41, 20, "192.168.100.0/24");
    s
}

/// Seed 004: a data centre in Virginia behind a VBR on a shared port (VLAN 1200, 100 Mbit/s)
/// with one host, joined by a hub to a VPC in Beijing, 20 Mbit/s across the border.
fn seed_004() -> Snapshot {
    let mut s = Snapshot::default();
    let vbr = Vbr {
        id: id(10),
        account_id: id(1),
        shared_port_id: id(9),
        region: region("us-east-1"),
        vlan_id: 1200,
        bandwidth_mbps: 100,
        local_gateway_ip: "10.254.0.1".parse().unwrap(),
        peer_gateway_ip: "10.254.0.2".parse().unwrap(),
        peering_subnet: cidr("10.254.0.0/30"),
        routes: vec![cidr("192.168.10.0/24")],
        name: None,
        description: Description::default(),
        created_at: at(10),
    };
    s.hosts.push(DataCentreHost {
        id: id(11),
        account_id: id(1),
        vbr_id: vbr.id.clone(),
        ip: "192.168.10.5".parse().unwrap(),
        name: None,
        created_at: at(11),
    });
    vpc(&mut s, 20, 1, "cn-beijing", "172.16.0.0/16", "172.16.1.0/24");
    admit_icmp(&mut s, 25, 20, "192.168.10.0/24");
    let network = Network {
        kind: NetworkKind::Vbr,
        id: vbr.id.to_string(),
        account_id: vbr.account_id.clone(),
        region: vbr.region.clone(),
        own: vbr.routes.clone(),
    };
    s.vbrs.push(vbr);
    attach(&mut s, 31, 30, 1, network, &[]);
    attach_vpc(&mut s, 32, 30, 1, 20, &[]);
    inter_region(&mut s, 33, 30, 1, "us-east-1", "cn-beijing", 20);
    s
}

/// A seed's model state, as its script leaves it.
type Seed = fn() -> Snapshot;

const SEEDS: &[(&str, Seed)] = &[
    ("seed-000", seed_000),
    ("seed-001", seed_001),
    ("seed-002", seed_002),
    ("seed-003", seed_003),
    ("seed-004", seed_004),
];

/// The desired state as the golden file holds it: pretty JSON, each ruleset's nftables
/// document parsed, so that a rule that changes is a line that changes.
fn render(d: &DesiredState) -> String {
    let mut v = serde_json::to_value(d).unwrap();
    for rs in v["rulesets"].as_array_mut().unwrap() {
        let doc: Value = serde_json::from_str(rs["nftables"].as_str().unwrap()).expect("a ruleset is JSON");
        rs["nftables"] = doc;
    }
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.json"))
}

/// The lines that differ between `want` and `got` (a longest-common-subsequence diff), each
/// hunk with three lines of context and the line numbers where it starts.
fn line_diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let w = b.len() + 1;
    let mut common = vec![0u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i * w + j] = if a[i] == b[j] {
                common[(i + 1) * w + j + 1] + 1
            } else {
                common[(i + 1) * w + j].max(common[i * w + j + 1])
            };
        }
    }
    // Each line of the walk: its sign, and where it is in each file.
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, j));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || common[(i + 1) * w + j] >= common[i * w + j + 1]) {
            ops.push(('-', i, j));
            i += 1;
        } else {
            ops.push(('+', i, j));
            j += 1;
        }
    }
    let near = |k: usize| ops[k.saturating_sub(3)..(k + 4).min(ops.len())].iter().any(|o| o.0 != ' ');
    let mut out = String::new();
    let mut shown = false;
    for (k, &(sign, i, j)) in ops.iter().enumerate() {
        if !near(k) {
            shown = false;
            continue;
        }
        if !shown {
            out += &format!("@@ golden line {}, planned line {}\n", i + 1, j + 1);
            shown = true;
        }
        let line = if sign == '+' { b[j] } else { a[i] };
        out += &format!("{sign}{line}\n");
    }
    out
}

#[test]
fn each_seeds_desired_state_is_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for (name, seed) in SEEDS {
        let got = render(&View::new(seed()).desired_state());
        let path = golden(name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => {
                failures.push(format!("{name}: the plan differs from {}:\n{}", path.display(), line_diff(&want, &got)))
            }
            Err(e) => failures.push(format!("{name}: cannot read {}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(if the change is meant, write the files anew: UPDATE_GOLDEN=1 cargo nextest run -p xconnect-net --test plan_golden)",
        failures.join("\n")
    );
}

/// The plan depends on the model, not on the order the store happened to list it in.
#[test]
fn a_seeds_plan_does_not_depend_on_the_order_of_its_snapshot() {
    for (name, seed) in SEEDS {
        let s = seed();
        let mut reversed = s.clone();
        reversed.vpcs.reverse();
        reversed.vswitches.reverse();
        reversed.instances.reverse();
        reversed.rules.reverse();
        reversed.route_entries.reverse();
        reversed.router_interfaces.reverse();
        reversed.attachments.reverse();
        reversed.inter_region_bandwidths.reverse();
        reversed.grants.reverse();
        reversed.vbrs.reverse();
        reversed.hosts.reverse();
        assert_eq!(View::new(s).desired_state(), View::new(reversed).desired_state(), "{name}");
    }
}

#[test]
fn a_line_diff_shows_what_changed_with_context() {
    let want = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
    let got = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
    let diff = line_diff(want, got);
    assert!(diff.contains("-e\n+E\n"), "{diff}");
    assert!(diff.contains("+j\n"), "{diff}");
    assert!(diff.starts_with("@@ golden line 2, planned line 2\n b\n"), "{diff}");
    assert!(line_diff(want, want).is_empty());
}
