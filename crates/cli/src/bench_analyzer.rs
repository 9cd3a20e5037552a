//! `xconnect bench analyzer`: the path walker on a generated topology the size the analyzer is
//! built for (10,000 VPCs, 100,000 instances, 1,000,000 custom routes by default): how long the
//! view takes to build and how much memory it holds, one question's latency, a matrix of 1,000
//! instances, and one route change. Pure computation in this process: no server, no store.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

use crate::output::{self, Format};

#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzerArgs {
    #[arg(long, default_value_t = 10_000)]
    vpcs: u32,
    /// Instances (and vswitches) per VPC.
    #[arg(long, default_value_t = 10)]
    instances_per_vpc: u32,
    /// Custom routes per VPC.
    #[arg(long, default_value_t = 100)]
    routes_per_vpc: u32,
    /// Questions to time one by one.
    #[arg(long, default_value_t = 100_000)]
    questions: u32,
    /// Instances in the matrix (every ordered pair is answered).
    #[arg(long, default_value_t = 1_000)]
    matrix: u32,
    /// Route changes to time.
    #[arg(long, default_value_t = 1_000)]
    changes: u32,
    /// Instead of the topology: compare the route table's longest-prefix match (a prefix trie)
    /// with a scan of its routes sorted most specific first, on tables of several sizes.
    #[arg(long)]
    compare_lpm: bool,
}

/// A deterministic generator, so every run asks the same questions of the same topology.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

fn id<T: ResourceId>(kind: u8, n: u64) -> T {
    let mut b = [0u8; ID_ENTROPY_BYTES];
    b[0] = kind;
    b[1..9].copy_from_slice(&n.to_be_bytes());
    T::from_entropy(&b)
}

fn cidr(a: u8, b: u8, c: u8, len: u8) -> Cidr {
    Cidr::parse("cidr", &format!("{a}.{b}.{c}.0/{len}")).expect("generated blocks are valid")
}

/// Every VPC is 10.0.0.0/16 (VPCs may overlap; paths inside one do not see the others) with
/// vswitches 10.0.k.0/24, an instance at 10.0.k.10 in each, one security group letting icmp in
/// from the VPC and tcp 22 from anywhere, and blackhole routes to 172.16.k.0/24 and beyond.
fn topology(a: &AnalyzerArgs) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let account: AccountId = id(1, 0);
    let mut s = Snapshot::default();
    for v in 0..u64::from(a.vpcs) {
        let vpc: VpcId = id(2, v);
        let group: SecurityGroupId = id(5, v);
        s.vpcs.push(Vpc {
            id: vpc.clone(),
            account_id: account.clone(),
            region: region.clone(),
            cidr_block: cidr(10, 0, 0, 16),
            name: None,
            description: Description::default(),
            vrouter_id: id(8, v),
            route_table_id: id(9, v),
            created_at: at,
        });
        for k in 0..a.instances_per_vpc {
            let n = v * u64::from(a.instances_per_vpc) + u64::from(k);
            s.vswitches.push(VSwitch {
                id: id(3, n),
                account_id: account.clone(),
                vpc_id: vpc.clone(),
                region: region.clone(),
                zone: "cn-qingdao-b".into(),
                cidr_block: cidr(10, 0, k as u8, 24),
                name: None,
                description: Description::default(),
                created_at: at,
            });
            s.instances.push(Instance {
                id: id(4, n),
                account_id: account.clone(),
                vpc_id: vpc.clone(),
                vswitch_id: id(3, n),
                region: region.clone(),
                zone: "cn-qingdao-b".into(),
                private_ip: IpAddr::V4(Ipv4Addr::new(10, 0, k as u8, 10)),
                security_group_ids: vec![group.clone()],
                name: None,
                description: Description::default(),
                created_at: at,
            });
        }
        for (r, (protocol, ports, block)) in [
            (Protocol::Icmp, None, cidr(10, 0, 0, 16)),
            (Protocol::Tcp, Some(PortRange { from: 22, to: 22 }), cidr(0, 0, 0, 0)),
        ]
        .into_iter()
        .enumerate()
        {
            s.rules.push(SecurityGroupRule {
                id: id(6, v * 2 + r as u64),
                security_group_id: group.clone(),
                direction: Direction::Ingress,
                protocol,
                port_range: ports,
                peer: RulePeer::Cidr { cidr_block: block },
                priority: 1,
                policy: Policy::Accept,
                description: Description::default(),
                created_at: at,
            });
        }
        for r in 0..a.routes_per_vpc {
            s.route_entries.push(RouteEntry {
                id: id(7, v * u64::from(a.routes_per_vpc) + u64::from(r)),
                account_id: account.clone(),
                route_table_id: id(9, v),
                vpc_id: vpc.clone(),
                destination_cidr_block: cidr(172, 16 + (r / 256) as u8, (r % 256) as u8, 24),
                next_hop: NextHop::Blackhole,
                description: Description::default(),
                created_at: at,
            });
        }
    }
    s
}

/// The resident memory of this process in bytes, from /proc.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Debug, serde::Serialize)]
struct Report {
    vpcs: u32,
    instances: u64,
    custom_routes: u64,
    build_seconds: f64,
    view_memory_mib: f64,
    question_p50_us: f64,
    question_p99_us: f64,
    matrix_instances: u32,
    matrix_pairs: u64,
    matrix_seconds: f64,
    route_change_p50_us: f64,
    route_change_p99_us: f64,
}

/// Nanoseconds per lookup of a scan of the sorted routes and of the route table (a trie), on one
/// table of `system` vswitch routes and `custom` routes of mixed lengths, for the same addresses.
fn compare_lpm(system: u32, custom: u32, lookups: u32) -> (f64, f64) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let at = Timestamp::from_millis(0);
    let vswitches: Vec<VSwitch> = (0..system)
        .map(|k| VSwitch {
            id: id(3, u64::from(k)),
            account_id: id(1, 0),
            vpc_id: id(2, 0),
            region: RegionId::from_trusted("r".into()),
            zone: "z".into(),
            cidr_block: cidr(10, (k / 256) as u8, (k % 256) as u8, 24),
            name: None,
            description: Description::default(),
            created_at: at,
        })
        .collect();
    let custom: Vec<RouteEntry> = (0..custom)
        .map(|r| {
            let len = [8u8, 12, 16, 20, 24, 28, 32][r as usize % 7];
            let raw = u32::from(Ipv4Addr::new(172, 16, 0, 0)) ^ ((rng.next() as u32) & 0x0fff_ffff);
            let net = ipnet::Ipv4Net::new(Ipv4Addr::from(raw), len).expect("valid").trunc();
            RouteEntry {
                id: id(7, u64::from(r)),
                account_id: id(1, 0),
                route_table_id: id(9, 0),
                vpc_id: id(2, 0),
                destination_cidr_block: Cidr::from_net(ipnet::IpNet::V4(net)),
                next_hop: NextHop::Blackhole,
                description: Description::default(),
                created_at: at,
            }
        })
        .collect();
    let mut unique = std::collections::HashSet::new();
    let custom: Vec<RouteEntry> = custom.into_iter().filter(|r| unique.insert(r.destination_cidr_block)).collect();
    let table = xconnect_net::RouteTable::new(&vswitches, &custom);
    let addresses: Vec<Ipv4Addr> = (0..lookups)
        .map(|i| {
            if i % 2 == 0 {
                Ipv4Addr::new(10, rng.below(40) as u8, rng.below(256) as u8, 7)
            } else {
                Ipv4Addr::from(0xac10_0000 ^ (rng.next() as u32 & 0x0fff_ffff))
            }
        })
        .collect();
    let started = Instant::now();
    let mut found = 0usize;
    for a in &addresses {
        // The first route (most specific first) that holds the address.
        found += usize::from(table.routes().iter().any(|r| r.destination.contains_addr(IpAddr::V4(*a))));
    }
    let scan = started.elapsed();
    let started = Instant::now();
    let mut found_trie = 0usize;
    for a in &addresses {
        found_trie += usize::from(table.lookup(IpAddr::V4(*a)).is_some());
    }
    let lpm = started.elapsed();
    assert_eq!(found, found_trie, "both find the same routes");
    let per = |d: Duration| d.as_secs_f64() * 1e9 / f64::from(lookups);
    (per(scan), per(lpm))
}

pub fn run(a: AnalyzerArgs, format: Format) -> Result<()> {
    if a.compare_lpm {
        let mut rows = Vec::new();
        let mut report = Vec::new();
        for (system, custom) in [(10u32, 100u32), (150, 200), (150, 2_000), (1_000, 20_000)] {
            let (scan, trie) = compare_lpm(system, custom, 1_000_000);
            rows.push(vec![format!("{} routes", system + custom), format!("{scan:.0} ns"), format!("{trie:.0} ns")]);
            report.push(serde_json::json!({ "routes": system + custom, "scan_ns": scan, "trie_ns": trie }));
        }
        match format {
            Format::Json => output::print_json(&report),
            Format::Table => print!("{}", output::table(&["TABLE", "SORTED SCAN", "PREFIX TRIE"], &rows)),
        }
        return Ok(());
    }
    if a.vpcs == 0 || a.instances_per_vpc == 0 || a.instances_per_vpc > 250 || a.routes_per_vpc > 60_000 {
        bail!("use at least one VPC, 1 to 250 instances and at most 60,000 routes per VPC");
    }
    let instances = u64::from(a.vpcs) * u64::from(a.instances_per_vpc);
    // The view owns the snapshot it is built from, so its memory is counted from before the
    // topology is generated (an upper bound: freed temporaries may stay in the resident set).
    let before = rss();
    let snapshot = topology(&a);
    let started = Instant::now();
    let mut view = View::new(snapshot);
    let build = started.elapsed();
    let memory = rss().saturating_sub(before);

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut times = Vec::with_capacity(a.questions as usize);
    let mut reachable = 0u64;
    for _ in 0..a.questions {
        let from: InstanceId = id(4, u64::from(rng.below(instances as u32)));
        let to = match rng.below(4) {
            0 => IpAddr::V4(Ipv4Addr::new(172, 16, rng.below(200) as u8, 7)),
            1 => IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8)),
            _ => IpAddr::V4(Ipv4Addr::new(10, 0, rng.below(a.instances_per_vpc) as u8, 10)),
        };
        let q = Question { from, to, protocol: Protocol::Icmp, port: None };
        let t = Instant::now();
        let answer = view.test(&q);
        times.push(t.elapsed());
        reachable += u64::from(answer.is_some_and(|a| a.reachable));
    }
    times.sort_unstable();

    // The matrix: the first `matrix` instances, every ordered pair.
    let m = a.matrix.min(instances as u32);
    let members: Vec<(InstanceId, IpAddr)> = (0..u64::from(m))
        .map(|n| {
            let i: InstanceId = id(4, n);
            let ip = view.instance(&i).expect("generated").private_ip;
            (i, ip)
        })
        .collect();
    let started = Instant::now();
    let mut pairs = 0u64;
    for (from, _) in &members {
        for (to, ip) in &members {
            if from != to {
                let q = Question { from: from.clone(), to: *ip, protocol: Protocol::Icmp, port: None };
                std::hint::black_box(view.test(&q));
                pairs += 1;
            }
        }
    }
    let matrix = started.elapsed();

    // Route changes: a new blackhole in a random VPC, each applied to the view alone.
    let mut changes = Vec::with_capacity(a.changes as usize);
    for c in 0..a.changes {
        let v = u64::from(rng.below(a.vpcs));
        let entry = RouteEntry {
            id: id(10, u64::from(c)),
            account_id: id(1, 0),
            route_table_id: id(9, v),
            vpc_id: id(2, v),
            destination_cidr_block: cidr(192, 168, (c % 256) as u8, 24),
            next_hop: NextHop::Blackhole,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
        };
        let t = Instant::now();
        view.route_entry_upsert(entry);
        changes.push(t.elapsed());
    }
    changes.sort_unstable();

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let report = Report {
        vpcs: a.vpcs,
        instances,
        custom_routes: u64::from(a.vpcs) * u64::from(a.routes_per_vpc),
        build_seconds: build.as_secs_f64(),
        view_memory_mib: memory as f64 / (1024.0 * 1024.0),
        question_p50_us: us(percentile(&times, 0.5)),
        question_p99_us: us(percentile(&times, 0.99)),
        matrix_instances: m,
        matrix_pairs: pairs,
        matrix_seconds: matrix.as_secs_f64(),
        route_change_p50_us: us(percentile(&changes, 0.5)),
        route_change_p99_us: us(percentile(&changes, 0.99)),
    };
    match format {
        Format::Json => output::print_json(&report),
        Format::Table => {
            let rows = vec![
                vec![
                    "topology".into(),
                    format!(
                        "{} VPCs, {} instances, {} custom routes",
                        report.vpcs, report.instances, report.custom_routes
                    ),
                    String::new(),
                ],
                vec![
                    "build the view".into(),
                    format!("{:.2} s, {:.0} MiB", report.build_seconds, report.view_memory_mib),
                    "< 2 s, < 2 GiB".into(),
                ],
                vec![
                    "one question".into(),
                    format!(
                        "p50 {:.2} µs, p99 {:.2} µs ({reachable} of {} reachable)",
                        report.question_p50_us, report.question_p99_us, a.questions
                    ),
                    "p50 < 10 µs".into(),
                ],
                vec![
                    "matrix".into(),
                    format!(
                        "{} instances, {} pairs in {:.2} s",
                        report.matrix_instances, report.matrix_pairs, report.matrix_seconds
                    ),
                    "1,000 instances < 5 s".into(),
                ],
                vec![
                    "one route change".into(),
                    format!("p50 {:.1} µs, p99 {:.1} µs", report.route_change_p50_us, report.route_change_p99_us),
                    "< 1 ms".into(),
                ],
            ];
            print!("{}", output::table(&["MEASURE", "RESULT", "GOAL"], &rows));
        }
    }
    Ok(())
}
