//! The desired state applied to real namespaces, as root: two instances of one VPC, where the
//! real ping gets through exactly when the analyzer says it does: with the security-group rule,
//! and not after it is revoked. Applying twice is applying once. Every namespace made here is
//! deleted at the end, with what ran inside.

use std::net::IpAddr;

mod common;

use common::Made;
use xconnect_dataplane as dp;
use xconnect_model::dataplane::KernelNextHop;
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

fn id<T: ResourceId>(seed: &[u8; 4], n: u8) -> T {
    let mut b = [n; ID_ENTROPY_BYTES];
    b[ID_ENTROPY_BYTES - 4..].copy_from_slice(seed);
    T::from_entropy(&b)
}

fn snapshot(seed: &[u8; 4], with_rule: bool) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let vswitch = VSwitch {
        id: id(seed, 3),
        account_id: id(seed, 1),
        vpc_id: id(seed, 2),
        region: region.clone(),
        zone: "z".into(),
        cidr_block: Cidr::parse("c", "10.7.1.0/24").unwrap(),
        name: None,
        description: Description::default(),
        created_at: at,
    };
    let instance = |n: u8, ip: &str, sg: u8| Instance {
        id: id(seed, n),
        account_id: id(seed, 1),
        vpc_id: id(seed, 2),
        vswitch_id: id(seed, 3),
        region: region.clone(),
        zone: "z".into(),
        private_ip: ip.parse().unwrap(),
        security_group_ids: vec![id(seed, sg)],
        name: None,
        description: Description::default(),
        created_at: at,
    };
    let mut s = Snapshot {
        vpcs: vec![Vpc {
            id: id(seed, 2),
            account_id: id(seed, 1),
            region: region.clone(),
            cidr_block: Cidr::parse("c", "10.7.0.0/16").unwrap(),
            name: None,
            description: Description::default(),
            vrouter_id: id(seed, 2),
            route_table_id: id(seed, 2),
            created_at: at,
        }],
        vswitches: vec![vswitch],
        instances: vec![instance(10, "10.7.1.10", 20), instance(11, "10.7.1.11", 21)],
        ..Default::default()
    };
    if with_rule {
        s.rules.push(SecurityGroupRule {
            id: id(seed, 30),
            security_group_id: id(seed, 21),
            direction: Direction::Ingress,
            protocol: Protocol::Icmp,
            port_range: None,
            peer: RulePeer::Cidr { cidr_block: Cidr::parse("c", "10.7.1.10/32").unwrap() },
            priority: 1,
            policy: Policy::Accept,
            description: Description::default(),
            created_at: at,
        });
    }
    s
}

fn ping(from_ns: &str, to: &str) -> bool {
    let mut cmd = dp::command_in(from_ns, "ping").unwrap();
    cmd.args(["-c", "1", "-W", "1", to]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd.status().unwrap().success()
}

fn verdict(s: Snapshot, seed: &[u8; 4]) -> bool {
    let q = Question {
        from: id(seed, 10),
        to: "10.7.1.11".parse::<IpAddr>().unwrap(),
        protocol: Protocol::Icmp,
        port: None,
    };
    View::new(s).test(&q).unwrap().reachable
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_ping_gets_through_exactly_when_the_analyzer_says() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let desired = View::new(snapshot(&seed, true)).desired_state();
    let mut made = Made::default();
    made.add(&desired);
    let result = async {
        dp::apply(&desired, &[]).await?;
        assert!(dp::apply(&desired, &[]).await?.is_empty(), "a second pass finds nothing to do");
        let a = dxp(&desired, "10.7.1.10");
        assert!(verdict(snapshot(&seed, true), &seed));
        assert!(ping(&a, "10.7.1.11"), "with the rule the analyzer says reachable, and so does ping");
        let revoked = View::new(snapshot(&seed, false)).desired_state();
        // A ping running while the rule is revoked stops getting through: the tracked flow is
        // cut, not left to run on as established. (Bounded: 20 pings 0.2 s apart.)
        let mut running = dp::command_in(&a, "ping").unwrap();
        let running = running
            .args(["-c", "20", "-i", "0.2", "-W", "1", "10.7.1.11"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        // A fresh agent (as after a restart) reads the table from the kernel, finds it differs
        // and replaces it: the one ruleset, nothing else.
        let changed = dp::apply(&revoked, &[]).await;
        let out = running.wait_with_output().unwrap();
        let changed = changed?;
        assert_eq!(changed.len(), 1, "{changed:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let received: u32 = text
            .split(", ")
            .find(|p| p.ends_with(" received"))
            .and_then(|p| p.trim_end_matches(" received").trim().parse().ok())
            .unwrap_or(0);
        assert!((1..=10).contains(&received), "the running ping was cut when the rule went: {text}");
        assert!(!verdict(snapshot(&seed, false), &seed));
        assert!(!ping(&a, "10.7.1.11"), "without it both say no");
        std::io::Result::Ok(())
    }
    .await;
    result.unwrap();
}

/// The namespace of the instance holding `ip`.
fn dxp(d: &xconnect_model::dataplane::DesiredState, ip: &str) -> String {
    d.addresses.iter().find(|a| a.address.starts_with(&format!("{ip}/"))).unwrap().namespace.clone()
}

/// Two VPCs of two accounts joined by a router interface pair (seed 001's shape, Mini.2): the
/// real ping crosses the shaped pair both ways; with one side deactivated, the routes over it
/// turn into blackholes and the ping is lost, as the analyzer answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_ping_crosses_an_active_pair_and_not_an_inactive_one() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let desired = View::new(peered(&seed, true, RouterInterfaceSpec::Mini2)).desired_state();
    let mut made = Made::default();
    made.add(&desired);
    assert_eq!(desired.shaping.len(), 2, "the pair is shaped at both ends");
    dp::apply(&desired, &[]).await.unwrap();
    let a = dxp(&desired, "10.7.1.10");
    let b = dxp(&desired, "172.16.1.5");
    let asks = |s: Snapshot| {
        let q =
            Question { from: id(&seed, 10), to: "172.16.1.5".parse().unwrap(), protocol: Protocol::Icmp, port: None };
        View::new(s).test(&q).unwrap().reachable
    };
    assert!(asks(peered(&seed, true, RouterInterfaceSpec::Mini2)));
    assert!(ping(&a, "172.16.1.5"), "across the active pair");
    assert!(!ping(&b, "10.7.1.10"), "A's group admits nothing from B: inbound is denied");
    dp::apply(&View::new(peered(&seed, false, RouterInterfaceSpec::Mini2)).desired_state(), &[]).await.unwrap();
    assert!(!asks(peered(&seed, false, RouterInterfaceSpec::Mini2)));
    assert!(!ping(&a, "172.16.1.5"), "the inactive pair carries nothing");
}

fn peered(seed: &[u8; 4], active: bool, spec: RouterInterfaceSpec) -> Snapshot {
    let seed = *seed;
    {
        let mut s = snapshot(&seed, true);
        // A second VPC, B (172.16.0.0/16), with one instance that admits icmp from A's VPC.
        let mut b = s.vpcs[0].clone();
        b.id = id(&seed, 40);
        b.account_id = id(&seed, 41);
        b.cidr_block = Cidr::parse("c", "172.16.0.0/16").unwrap();
        b.route_table_id = id(&seed, 40);
        b.vrouter_id = id(&seed, 40);
        let mut vsw = s.vswitches[0].clone();
        vsw.id = id(&seed, 42);
        vsw.vpc_id = b.id.clone();
        vsw.account_id = b.account_id.clone();
        vsw.cidr_block = Cidr::parse("c", "172.16.1.0/24").unwrap();
        let mut i = s.instances[1].clone();
        i.id = id(&seed, 43);
        i.vpc_id = b.id.clone();
        i.vswitch_id = vsw.id.clone();
        i.account_id = b.account_id.clone();
        i.private_ip = "172.16.1.5".parse().unwrap();
        i.security_group_ids = vec![id(&seed, 44)];
        let mut rule = s.rules[0].clone();
        rule.id = id(&seed, 45);
        rule.security_group_id = id(&seed, 44);
        rule.peer = RulePeer::Cidr { cidr_block: Cidr::parse("c", "10.7.0.0/16").unwrap() };
        let ri = |n: u8, owner: &Vpc, role, peer_n: u8, peer: &Vpc| RouterInterface {
            id: id(&seed, n),
            account_id: owner.account_id.clone(),
            vpc_id: owner.id.clone(),
            vrouter_id: owner.vrouter_id.clone(),
            region: owner.region.clone(),
            role,
            spec: Some(spec),
            status: if active { RouterInterfaceStatus::Active } else { RouterInterfaceStatus::Inactive },
            peer_region: peer.region.clone(),
            peer: Some(RouterInterfacePeer {
                account_id: peer.account_id.clone(),
                vrouter_id: peer.vrouter_id.clone(),
                router_interface_id: id(&seed, peer_n),
            }),
            name: None,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
            connected_at: None,
        };
        let a_vpc = s.vpcs[0].clone();
        s.router_interfaces.push(ri(50, &a_vpc, RouterInterfaceRole::Initiator, 51, &b));
        s.router_interfaces.push(ri(51, &b, RouterInterfaceRole::Acceptor, 50, &a_vpc));
        let route = |n: u8, vpc: &Vpc, dest: &str, over: u8| RouteEntry {
            id: id(&seed, n),
            account_id: vpc.account_id.clone(),
            route_table_id: vpc.route_table_id.clone(),
            vpc_id: vpc.id.clone(),
            destination_cidr_block: Cidr::parse("c", dest).unwrap(),
            next_hop: NextHop::RouterInterface { router_interface_id: id(&seed, over) },
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
        };
        s.route_entries.push(route(52, &a_vpc, "172.16.0.0/16", 50));
        s.route_entries.push(route(53, &b, "10.7.0.0/16", 51));
        s.vpcs.push(b);
        s.vswitches.push(vsw);
        s.instances.push(i);
        s.rules.push(rule);
        s
    }
}

/// Seed 001's pair A-B, and a second pair B-C to a third VPC C (192.168.0.0/16) whose instance
/// admits everything from 10.0.0.0/8 and 172.16.0.0/12. A routes C's block over its pair to B,
/// B routes it on over its pair to C, and C routes A's block back to B: a path exists only by
/// passing through B, and peering is not transitive.
fn chained(seed: &[u8; 4]) -> Snapshot {
    let mut s = peered(seed, true, RouterInterfaceSpec::Mini2);
    let b = s.vpcs.iter().find(|v| v.id == id(seed, 40)).unwrap().clone();
    let mut c = b.clone();
    c.id = id(seed, 70);
    c.account_id = id(seed, 71);
    c.cidr_block = Cidr::parse("c", "192.168.0.0/16").unwrap();
    c.route_table_id = id(seed, 70);
    c.vrouter_id = id(seed, 70);
    let mut vsw = s.vswitches.iter().find(|v| v.vpc_id == b.id).unwrap().clone();
    vsw.id = id(seed, 72);
    vsw.vpc_id = c.id.clone();
    vsw.account_id = c.account_id.clone();
    vsw.cidr_block = Cidr::parse("c", "192.168.1.0/24").unwrap();
    let mut i = s.instances.iter().find(|i| i.vpc_id == b.id).unwrap().clone();
    i.id = id(seed, 73);
    i.vpc_id = c.id.clone();
    i.vswitch_id = vsw.id.clone();
    i.account_id = c.account_id.clone();
    i.private_ip = "192.168.1.5".parse().unwrap();
    i.security_group_ids = vec![id(seed, 74)];
    for (n, block) in [(75, "10.0.0.0/8"), (76, "172.16.0.0/12")] {
        let mut rule = s.rules[0].clone();
        rule.id = id(seed, n);
        rule.security_group_id = id(seed, 74);
        rule.peer = RulePeer::Cidr { cidr_block: Cidr::parse("c", block).unwrap() };
        s.rules.push(rule);
    }
    let pair_template = s.router_interfaces[0].clone();
    let ri = |n: u8, owner: &Vpc, role, peer_n: u8, peer: &Vpc| RouterInterface {
        id: id(seed, n),
        account_id: owner.account_id.clone(),
        vpc_id: owner.id.clone(),
        vrouter_id: owner.vrouter_id.clone(),
        role,
        peer_region: peer.region.clone(),
        peer: Some(RouterInterfacePeer {
            account_id: peer.account_id.clone(),
            vrouter_id: peer.vrouter_id.clone(),
            router_interface_id: id(seed, peer_n),
        }),
        ..pair_template.clone()
    };
    s.router_interfaces.push(ri(60, &b, RouterInterfaceRole::Initiator, 61, &c));
    s.router_interfaces.push(ri(61, &c, RouterInterfaceRole::Acceptor, 60, &b));
    let route_template = s.route_entries[0].clone();
    let route = |n: u8, vpc: &Vpc, dest: &str, over: u8| RouteEntry {
        id: id(seed, n),
        account_id: vpc.account_id.clone(),
        route_table_id: vpc.route_table_id.clone(),
        vpc_id: vpc.id.clone(),
        destination_cidr_block: Cidr::parse("c", dest).unwrap(),
        next_hop: NextHop::RouterInterface { router_interface_id: id(seed, over) },
        ..route_template.clone()
    };
    let a = s.vpcs[0].clone();
    s.route_entries.push(route(62, &a, "192.168.0.0/16", 50));
    s.route_entries.push(route(63, &b, "192.168.0.0/16", 60));
    s.route_entries.push(route(64, &c, "10.7.0.0/16", 61));
    s.route_entries.push(route(65, &c, "172.16.0.0/16", 61));
    s.vpcs.push(c);
    s.vswitches.push(vsw);
    s.instances.push(i);
    s
}

/// Peering is not transitive, in the kernel as in the analyzer, whatever routes the tenants
/// write: with A-B and B-C paired and every route in place for A to reach C through B, the real
/// ping from A to C fails and the analyzer says so (B's router drops what comes in over one pair
/// and would leave over another), while B reaches C over their own pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_through_a_middle_vpc_carries_nothing_in_the_kernel_or_the_analyzer() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let s = chained(&seed);
    let desired = View::new(s.clone()).desired_state();
    let mut made = Made::default();
    made.add(&desired);
    dp::apply(&desired, &[]).await.unwrap();
    let (a, b) = (dxp(&desired, "10.7.1.10"), dxp(&desired, "172.16.1.5"));
    let question = |from: u8| Question {
        from: id(&seed, from),
        to: "192.168.1.5".parse().unwrap(),
        protocol: Protocol::Icmp,
        port: None,
    };
    let from_b = View::new(s.clone()).test(&question(43)).unwrap();
    assert!(from_b.reachable, "B reaches C over their own pair: {from_b:#?}");
    assert!(ping(&b, "192.168.1.5"), "the real ping from B to C");
    let from_a = View::new(s).test(&question(10)).unwrap();
    assert!(!from_a.reachable, "A reaches C only through B: {from_a:#?}");
    let blocked = from_a.blocked.as_ref().expect("the analyzer names the check that stops it");
    assert!(!blocked.fix.is_empty(), "and says what would fix it: {blocked:#?}");
    assert!(!ping(&a, "192.168.1.5"), "the real ping from A to C, through B, is lost");
}

/// TCP goodput across a pair is the bought bandwidth, 97% to 101% of it (a shaper without the
/// framing overhead in its rate delivers about 4.4% less, and must fail): iperf3's receiver figure over
/// 4 seconds after a first one left out (TCP's slow start), at Mini.2 (2 Mbit/s) and Small.5
/// (50 Mbit/s). Meanwhile a ping's median round trip stays under 100 ms: the queue is bounded.
/// The iperf3 server serves one test and ends; the client's run is bounded by its duration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goodput_across_a_pair_is_the_bought_bandwidth_and_ping_under_load_stays_quick() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    for spec in [RouterInterfaceSpec::Mini2, RouterInterfaceSpec::Small5] {
        let mut seed = [0u8; 4];
        getrandom::fill(&mut seed).unwrap();
        let mut s = peered(&seed, true, spec);
        // B admits everything from A's VPC (the icmp rule becomes an all-protocols one).
        for r in s.rules.iter_mut().filter(|r| r.security_group_id == id(&seed, 44)) {
            r.protocol = Protocol::All;
        }
        let desired = View::new(s).desired_state();
        let mut made = Made::default();
        made.add(&desired);
        dp::apply(&desired, &[]).await.unwrap();
        let (a, b) = (dxp(&desired, "10.7.1.10"), dxp(&desired, "172.16.1.5"));
        // Three tries at most, the best counted: on a shared 2-core machine a run can lose the
        // CPU for a while (50 Mbit/s has read from 48.0 to 49.96 on one afternoon); what is
        // asserted is that the link delivers what was bought.
        let bought = f64::from(spec.mbps());
        let mut best: f64 = 0.0;
        let mut loaded_rtt = f64::INFINITY;
        for _ in 0..3 {
            let mut server = dp::command_in(&b, "iperf3").unwrap();
            let mut server =
                server.args(["-s", "-1", "-B", "172.16.1.5"]).stdout(std::process::Stdio::null()).spawn().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            let mut client = dp::command_in(&a, "iperf3").unwrap();
            let client = client
                .args(["-c", "172.16.1.5", "-O", "1", "-t", "4", "-J"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            // Once the queue has filled, pings share the link with the flow: their round trips
            // show what the queue holds back.
            std::thread::sleep(std::time::Duration::from_millis(1500));
            let mut ping = dp::command_in(&a, "ping").unwrap();
            let ping = ping.args(["-c", "10", "-i", "0.25", "-W", "2", "172.16.1.5"]).output().unwrap();
            let out = client.wait_with_output().unwrap();
            let _ = server.kill();
            let _ = server.wait();
            assert!(out.status.success(), "iperf3: {}", String::from_utf8_lossy(&out.stdout));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let got = report["end"]["sum_received"]["bits_per_second"].as_f64().unwrap() / 1e6;
            let rtts = round_trips_ms(&String::from_utf8_lossy(&ping.stdout));
            eprintln!("{spec}: {got:.3} Mbit/s received for {bought} bought; ping under load {rtts:?} ms");
            best = best.max(got);
            loaded_rtt = loaded_rtt.min(median(rtts));
            if (0.97..=1.01).contains(&(got / bought)) {
                break;
            }
        }
        let got = best;
        assert!((0.97..=1.01).contains(&(got / bought)), "{spec}: {got:.3} Mbit/s received for {bought} bought");
        // The leaf queue holds about 50 ms at the bought rate (an unbounded one held over a
        // second of it, as the notes measured); a round trip adds the other direction's wait.
        assert!(loaded_rtt < 100.0, "{spec}: ping under load took {loaded_rtt:.1} ms (median)");
    }
}

/// The round trips ping printed (`time=12.3 ms`), in milliseconds.
fn round_trips_ms(out: &str) -> Vec<f64> {
    out.lines().filter_map(|l| l.split("time=").nth(1)?.split_whitespace().next()?.parse().ok()).collect()
}

/// The median of `v`; infinite for none (every ping lost).
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::INFINITY;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seed 002's shape: two VPCs in two regions on one hub. Attached, the ping crosses the hub
/// (at the inter-region bandwidth, or at the test bandwidth without one, enough for ping);
/// with B not attached there is no route, for the kernel as for the analyzer.
fn hubbed(seed: &[u8; 4], attached: bool, irb: Option<u32>) -> Snapshot {
    let mut s = peered(seed, true, RouterInterfaceSpec::Mini2);
    s.router_interfaces.clear();
    s.route_entries.clear();
    let beijing = RegionId::from_trusted("cn-beijing".into());
    s.vpcs[1].region = beijing.clone();
    s.vswitches[1].region = beijing.clone();
    s.instances[2].region = beijing.clone();
    let hub: HubId = id(seed, 60);
    let attach = |n: u8, vpc: &Vpc, block: &str| Attachment {
        id: id(seed, n),
        hub_id: hub.clone(),
        hub_account_id: s.vpcs[0].account_id.clone(),
        network_type: NetworkKind::Vpc,
        network_id: vpc.id.to_string(),
        network_account_id: vpc.account_id.clone(),
        region: vpc.region.clone(),
        cidr_blocks: vec![Cidr::parse("c", block).unwrap()],
        advertises_default: false,
        description: Description::default(),
        created_at: Timestamp::from_millis(i64::from(n)),
    };
    let mut atts = vec![attach(61, &s.vpcs[0], "10.7.1.0/24")];
    if attached {
        atts.push(attach(62, &s.vpcs[1], "172.16.1.0/24"));
    }
    s.attachments = atts;
    if let Some(mbps) = irb {
        s.inter_region_bandwidths.push(InterRegionBandwidth {
            id: id(seed, 63),
            account_id: s.vpcs[0].account_id.clone(),
            hub_id: hub,
            bandwidth_package_id: id(seed, 64),
            region_a: beijing,
            region_b: RegionId::from_trusted("cn-qingdao".into()),
            bandwidth_mbps: mbps,
            created_at: Timestamp::from_millis(0),
        });
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_ping_crosses_a_hub_between_regions() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let asks = |s: Snapshot| {
        let q =
            Question { from: id(&seed, 10), to: "172.16.1.5".parse().unwrap(), protocol: Protocol::Icmp, port: None };
        View::new(s).test(&q).unwrap()
    };
    let mut made = Made::default();
    for (attached, irb) in [(true, Some(5)), (true, None), (false, None)] {
        let s = hubbed(&seed, attached, irb);
        let answer = asks(s.clone());
        let desired = View::new(s).desired_state();
        dp::apply(&desired, made.add(&desired)).await.unwrap();
        let a = dxp(&desired, "10.7.1.10");
        let pinged = ping(&a, "172.16.1.5");
        assert_eq!(pinged, answer.reachable, "attached {attached}, {irb:?}: {answer:#?}");
        assert_eq!(answer.reachable, attached);
        if attached {
            let kbps = irb.map_or(10, |m| u64::from(m) * 1000);
            assert_eq!(answer.bandwidth_kbps, Some(kbps));
            assert!(desired.shaping.iter().any(|s| s.bought_kbps == kbps), "the regions' link is shaped to {kbps}");
        }
    }
}

/// Runs `ip`, `tc` or `nft` inside a namespace, as someone meddling with the agent's work would.
fn meddle(ns: &str, program: &str, args: &str) {
    let mut cmd = dp::command_in(ns, program).unwrap();
    let out = cmd.args(args.split_whitespace()).output().unwrap();
    assert!(out.status.success(), "{program} {args}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The agent reads the kernel, not its memory: what was taken away under it is put back, what
/// was added in its namespaces is taken away, and a fresh agent (as after a restart) finds the
/// same differences and leaves the kernel as the desired state says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_changed_under_the_agent_is_put_right_and_stale_objects_go() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let desired = View::new(peered(&seed, true, RouterInterfaceSpec::Mini2)).desired_state();
    let mut made = Made::default();
    made.add(&desired);
    let mut agent = dp::Agent::new();
    agent.reconcile(&desired, &[]).await.unwrap();
    let (a, b) = (dxp(&desired, "10.7.1.10"), dxp(&desired, "172.16.1.5"));
    let shaped = desired.shaping[0].clone();
    let (ra, la) = (shaped.namespace.as_str(), shaped.interface.as_str());
    let pair_route = desired
        .routes
        .iter()
        .find(|r| {
            r.namespace == ra && matches!(&r.next_hop, KernelNextHop::Gateway { interface, .. } if interface == la)
        })
        .unwrap();
    meddle(ra, "ip", &format!("route del {}", pair_route.destination));
    meddle(ra, "ip", &format!("route add 198.51.100.0/24 dev {la}"));
    meddle(ra, "ip", &format!("addr add 100.127.0.1/30 dev {la}"));
    meddle(ra, "ip", "link add xcjunk type veth peer name xcjunk2");
    meddle(ra, "tc", &format!("class change dev {la} parent 1: classid 1:10 htb rate 1mbit ceil 1mbit"));
    meddle(&a, "ip", "link set eth0 down");
    meddle(&b, "nft", "delete table inet xc");
    // A rule added at the end of a table: its first rule, with the agent's mark, is untouched.
    meddle(&a, "nft", "add rule inet xc output drop");
    assert!(!ping(&a, "172.16.1.5"), "the meddling broke the path");

    let mut fresh = dp::Agent::new();
    let (found, _) = fresh.diff(&desired, &[]).await.unwrap();
    // (The link set down also took the routes through it: those are missing too.)
    assert!(found.routes_missing.contains(pair_route), "{found:#?}");
    assert_eq!(found.routes_stale.len(), 1, "{found:#?}");
    assert_eq!(found.addresses_stale.len(), 1, "{found:#?}");
    assert_eq!(found.links_stale.len(), 2, "{found:#?}");
    assert_eq!(found.shaping_missing.len(), 1, "{found:#?}");
    assert_eq!(found.rulesets_missing.len(), 2, "{found:#?}");
    assert_eq!(found.veths_missing.len(), 1, "the link set down: {found:#?}");
    // The agent that was running all along sees the same (it keeps sockets, not beliefs).
    assert_eq!(agent.diff(&desired, &[]).await.unwrap().0, found);
    agent.reconcile(&desired, &[]).await.unwrap();
    assert!(fresh.diff(&desired, &[]).await.unwrap().0.is_empty(), "everything put right");
    assert!(ping(&a, "172.16.1.5"), "and the path works again");
}

/// Pings once from `from_ns` to `to`, as the seeds' closing ping does, and asks the analyzer
/// the same question: the two must agree. Returns the answer.
fn agree(s: &Snapshot, from: InstanceId, from_ns: &str, to: &str, case: &str) -> bool {
    let q = Question { from, to: to.parse().unwrap(), protocol: Protocol::Icmp, port: None };
    let answer = View::new(s.clone()).test(&q).unwrap();
    let pinged = ping(from_ns, to);
    assert_eq!(pinged, answer.reachable, "{case}: the real ping and the analyzer disagree: {answer:#?}");
    answer.reachable
}

/// Carries one agent through `cases` in order, as it would follow the model from each to the
/// next; after each, the real ping from 10.7.1.10 to 172.16.1.5 and the analyzer agree, and
/// their verdict is the case's.
async fn each_case<const N: usize>(seed: &[u8; 4], cases: [(&str, Snapshot, bool); N]) {
    let mut agent = dp::Agent::new();
    let mut made = Made::default();
    for (case, s, expect) in cases {
        let desired = View::new(s.clone()).desired_state();
        agent.reconcile(&desired, made.add(&desired)).await.unwrap();
        let a = dxp(&desired, "10.7.1.10");
        assert_eq!(agree(&s, id(seed, 10), &a, "172.16.1.5", case), expect, "{case}");
    }
}

/// Seed 001's steps, each left out in turn (the peer, either side's route, the security-group
/// rule): the real ping fails exactly as the analyzer says, and with every step it passes.
/// One agent carries the kernel from each case to the next, as it would follow the model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_missing_peering_step_stops_the_real_ping_as_the_analyzer_says() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let full = peered(&seed, true, RouterInterfaceSpec::Mini2);
    let mut no_peer = full.clone();
    for ri in &mut no_peer.router_interfaces {
        ri.status = RouterInterfaceStatus::Idle;
        ri.peer = None;
    }
    let without = |route: u8| {
        let mut s = full.clone();
        s.route_entries.retain(|r| r.id != id::<RouteEntryId>(&seed, route));
        s
    };
    let mut no_rule = full.clone();
    no_rule.rules.retain(|r| r.security_group_id != id::<SecurityGroupId>(&seed, 44));
    each_case(
        &seed,
        [
            ("every step", full.clone(), true),
            ("no peer set", no_peer, false),
            ("no route to the peer", without(52), false),
            ("no route back", without(53), false),
            ("no security-group rule", no_rule, false),
            ("every step again", full, true),
        ],
    )
    .await;
}

/// Seed 002's steps left out in turn: the attachment and the inter-region bandwidth. Without
/// the bandwidth the regions still get the 10 kbit/s test bandwidth (enough for ping, as
/// SPEC.md says): the ping passes and the analyzer agrees (the link's shaping to 10 kbit/s is
/// checked above). The grant is kept by the API (no attachment without it), so its absence is
/// tested through the API: `without_the_grant_the_real_ping_fails_as_the_analyzer_says` in
/// the CLI's tests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_missing_hub_step_stops_the_real_ping_as_the_analyzer_says() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let granted = |mut s: Snapshot| {
        s.grants.push(Grant {
            id: id(&seed, 70),
            account_id: s.vpcs[1].account_id.clone(),
            network_type: NetworkKind::Vpc,
            network_id: s.vpcs[1].id.to_string(),
            region: s.vpcs[1].region.clone(),
            grantee_account_id: s.vpcs[0].account_id.clone(),
            hub_id: id(&seed, 60),
            remarks: Description::default(),
            created_at: Timestamp::from_millis(0),
        });
        s
    };
    each_case(
        &seed,
        [
            ("every step", granted(hubbed(&seed, true, Some(5))), true),
            ("granted, not attached", granted(hubbed(&seed, false, Some(5))), false),
            ("no inter-region bandwidth", granted(hubbed(&seed, true, None)), true),
        ],
    )
    .await;
}
