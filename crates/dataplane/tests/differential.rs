//! The differential test: random small topologies (VPCs of two accounts, instances with random
//! security-group rules, router interface pairs active or not with routes on either side or
//! not and now and then a route over a pair to a third VPC, a hub some VPCs attach to, some
//! advertising a block that overlaps another's), realised by one agent that follows them from one to the
//! next; for every ordered pair of instances the real ping and the analyzer must agree.
//! The seed is printed; `XC_SEED=<n>` replays one.

use std::process::{Child, Stdio};

mod common;

use common::Made;
use xconnect_dataplane as dp;
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

/// xorshift64*: small, seedable, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Ids whose tails (which name namespaces and links) differ by `n`, and by the run's `tag`
/// from any other run on the host.
fn id<T: ResourceId>(tag: &[u8; 4], n: u8) -> T {
    let mut b = [n; ID_ENTROPY_BYTES];
    b[ID_ENTROPY_BYTES - 4..].copy_from_slice(tag);
    T::from_entropy(&b)
}

fn topology(r: &mut Rng, tag: &[u8; 4]) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let accounts: [AccountId; 2] = [id(tag, 1), id(tag, 2)];
    let mut s = Snapshot::default();
    let vpcs = 2 + r.below(2) as u8;
    for v in 0..vpcs {
        let owner = accounts[r.below(2) as usize].clone();
        let vpc: VpcId = id(tag, 10 + v);
        s.vpcs.push(Vpc {
            id: vpc.clone(),
            account_id: owner.clone(),
            region: region.clone(),
            cidr_block: Cidr::parse("c", &format!("10.{}.0.0/16", v + 1)).unwrap(),
            name: None,
            description: Description::default(),
            vrouter_id: id(tag, 10 + v),
            route_table_id: id(tag, 10 + v),
            created_at: at,
        });
        s.vswitches.push(VSwitch {
            id: id(tag, 20 + v),
            account_id: owner.clone(),
            vpc_id: vpc.clone(),
            region: region.clone(),
            zone: "z".into(),
            cidr_block: Cidr::parse("c", &format!("10.{}.1.0/24", v + 1)).unwrap(),
            name: None,
            description: Description::default(),
            created_at: at,
        });
        for j in 0..1 + r.below(2) as u8 {
            let n = 30 + v * 4 + j;
            s.instances.push(Instance {
                id: id(tag, n),
                account_id: owner.clone(),
                vpc_id: vpc.clone(),
                vswitch_id: id(tag, 20 + v),
                region: region.clone(),
                zone: "z".into(),
                private_ip: format!("10.{}.1.{}", v + 1, 10 + j).parse().unwrap(),
                security_group_ids: vec![id(tag, n + 20)],
                name: None,
                description: Description::default(),
                created_at: at,
            });
        }
    }
    // Security-group rules: peers by block, by address or by group; accept or drop; some
    // outbound drops.
    let members: Vec<(SecurityGroupId, String)> =
        s.instances.iter().map(|i| (i.security_group_ids[0].clone(), i.private_ip.to_string())).collect();
    let mut n = 100u8;
    for i in s.instances.clone() {
        // Often a broad accept, so that the narrower rules (and the routes) decide.
        if r.chance(60) {
            s.rules.push(SecurityGroupRule {
                id: id(tag, n),
                security_group_id: i.security_group_ids[0].clone(),
                direction: Direction::Ingress,
                protocol: Protocol::All,
                port_range: None,
                peer: RulePeer::Cidr { cidr_block: Cidr::parse("c", "10.0.0.0/8").unwrap() },
                priority: 1 + r.below(100) as u8,
                policy: Policy::Accept,
                description: Description::default(),
                created_at: at,
            });
            n += 1;
        }
        for _ in 0..r.below(3) {
            let (peer_group, peer_ip) = &members[r.below(members.len() as u64) as usize];
            let peer = match r.below(3) {
                0 => RulePeer::Cidr { cidr_block: Cidr::parse("c", &format!("{peer_ip}/32")).unwrap() },
                1 => RulePeer::Cidr {
                    cidr_block: Cidr::parse("c", &format!("10.{}.0.0/16", 1 + r.below(u64::from(vpcs)))).unwrap(),
                },
                _ => RulePeer::SecurityGroup {
                    security_group_id: peer_group.clone(),
                    account_id: s
                        .instances
                        .iter()
                        .find(|x| &x.security_group_ids[0] == peer_group)
                        .unwrap()
                        .account_id
                        .clone(),
                },
            };
            let direction = if r.chance(80) { Direction::Ingress } else { Direction::Egress };
            let policy = if direction == Direction::Egress || r.chance(20) { Policy::Drop } else { Policy::Accept };
            s.rules.push(SecurityGroupRule {
                id: id(tag, n),
                security_group_id: i.security_group_ids[0].clone(),
                direction,
                protocol: if r.chance(50) { Protocol::Icmp } else { Protocol::All },
                port_range: None,
                peer,
                priority: 1 + r.below(100) as u8,
                policy,
                description: Description::default(),
                created_at: at,
            });
            n += 1;
        }
    }
    // Between VPCs: a pair (active or not, each side's route or not), or both on the hub.
    let hub: HubId = id(tag, 200);
    for a in 0..vpcs as usize {
        for b in a + 1..vpcs as usize {
            let (va, vb) = (s.vpcs[a].clone(), s.vpcs[b].clone());
            match r.below(3) {
                0 => {
                    let active = r.chance(75);
                    let (ia, ib): (RouterInterfaceId, RouterInterfaceId) = (id(tag, n), id(tag, n + 1));
                    n += 2;
                    for (me, peer, mine, theirs, role) in [
                        (&va, &vb, &ia, &ib, RouterInterfaceRole::Initiator),
                        (&vb, &va, &ib, &ia, RouterInterfaceRole::Acceptor),
                    ] {
                        s.router_interfaces.push(RouterInterface {
                            id: mine.clone(),
                            account_id: me.account_id.clone(),
                            vpc_id: me.id.clone(),
                            vrouter_id: me.vrouter_id.clone(),
                            region: me.region.clone(),
                            role,
                            spec: Some(RouterInterfaceSpec::Small1),
                            status: if active {
                                RouterInterfaceStatus::Active
                            } else {
                                RouterInterfaceStatus::Inactive
                            },
                            peer_region: peer.region.clone(),
                            peer: Some(RouterInterfacePeer {
                                account_id: peer.account_id.clone(),
                                vrouter_id: peer.vrouter_id.clone(),
                                router_interface_id: theirs.clone(),
                            }),
                            name: None,
                            description: Description::default(),
                            created_at: at,
                            connected_at: None,
                        });
                        // (One route per destination in a table, as the API keeps it.)
                        let taken = |s: &Snapshot, to: &Cidr| {
                            s.route_entries.iter().any(|e| e.vpc_id == me.id && e.destination_cidr_block == *to)
                        };
                        if r.chance(80) && !taken(&s, &peer.cidr_block) {
                            s.route_entries.push(RouteEntry {
                                id: id(tag, n),
                                account_id: me.account_id.clone(),
                                route_table_id: me.route_table_id.clone(),
                                vpc_id: me.id.clone(),
                                destination_cidr_block: peer.cidr_block,
                                next_hop: NextHop::RouterInterface { router_interface_id: mine.clone() },
                                description: Description::default(),
                                created_at: at,
                            });
                            n += 1;
                        }
                        // Now and then a route over the pair to a third VPC's block: peering
                        // is not transitive, so the peer must not carry it on.
                        let third = s.vpcs.iter().find(|v| v.id != me.id && v.id != peer.id).cloned();
                        if let Some(third) = third.filter(|_| r.chance(40))
                            && !taken(&s, &third.cidr_block)
                        {
                            s.route_entries.push(RouteEntry {
                                id: id(tag, n),
                                account_id: me.account_id.clone(),
                                route_table_id: me.route_table_id.clone(),
                                vpc_id: me.id.clone(),
                                destination_cidr_block: third.cidr_block,
                                next_hop: NextHop::RouterInterface { router_interface_id: mine.clone() },
                                description: Description::default(),
                                created_at: at,
                            });
                            n += 1;
                        }
                    }
                }
                1 => {
                    for v in [&va, &vb] {
                        if s.attachments.iter().any(|x| x.network_id == v.id.as_str()) {
                            continue;
                        }
                        // Its vswitch's block; now and then another VPC's whole block as well,
                        // which overlaps that VPC's own advertisement: the hub keeps the one
                        // attached first, and nobody learns the other.
                        let mut blocks = vec![s.vswitches.iter().find(|w| w.vpc_id == v.id).unwrap().cidr_block];
                        let others: Vec<Cidr> = s.vpcs.iter().filter(|o| o.id != v.id).map(|o| o.cidr_block).collect();
                        if r.chance(35) {
                            blocks.push(others[r.below(others.len() as u64) as usize]);
                        }
                        s.attachments.push(Attachment {
                            id: id(tag, n),
                            hub_id: hub.clone(),
                            hub_account_id: accounts[0].clone(),
                            network_type: NetworkKind::Vpc,
                            network_id: v.id.to_string(),
                            network_account_id: v.account_id.clone(),
                            region: v.region.clone(),
                            cidr_blocks: blocks,
                            advertises_default: true,
                            description: Description::default(),
                            created_at: Timestamp::from_millis(i64::from(n)),
                        });
                        n += 1;
                    }
                }
                _ => {}
            }
        }
    }
    s
}

fn ping(from_ns: &str, to: &str) -> Child {
    let mut cmd = dp::command_in(from_ns, "ping").unwrap();
    cmd.args(["-c", "1", "-W", "1", to]).stdout(Stdio::null()).stderr(Stdio::null());
    cmd.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_random_topologies_the_real_ping_and_the_analyzer_agree() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let seed = match std::env::var("XC_SEED") {
        Ok(s) => s.parse().expect("XC_SEED is a number"),
        Err(_) => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).unwrap();
            u64::from_le_bytes(b) | 1
        }
    };
    eprintln!("XC_SEED={seed}");
    let mut r = Rng(seed);
    let mut tag = [0u8; 4];
    getrandom::fill(&mut tag).unwrap();
    let mut agent = dp::Agent::new();
    let mut made = Made::default();
    let mut compared = 0;
    let mut reached = 0;
    for round in 0..6 {
        let s = topology(&mut r, &tag);
        let desired = View::new(s.clone()).desired_state();
        agent.reconcile(&desired, made.add(&desired)).await.unwrap();
        // A fresh agent, as after a restart, reads the kernel and finds nothing to do: what
        // the agent wrote reads back as what it wanted (nft's spelling of every rule included).
        let (fresh, _) = dp::Agent::new().diff(&desired, made.add(&desired)).await.unwrap();
        assert!(fresh.is_empty(), "XC_SEED={seed} round {round}: a restarted agent would redo {fresh:#?}");
        let view = View::new(s.clone());
        let mut runs = Vec::new();
        for from in &s.instances {
            let ns = xconnect_net::plan::instance_namespace(from.id.as_str());
            for to in s.instances.iter().filter(|t| t.id != from.id) {
                let q = Question { from: from.id.clone(), to: to.private_ip, protocol: Protocol::Icmp, port: None };
                let answer = view.test(&q).unwrap();
                runs.push((from.private_ip, to.private_ip, answer, ping(&ns, &to.private_ip.to_string())));
            }
        }
        for (from, to, answer, mut child) in runs {
            let pinged = child.wait().unwrap().success();
            assert_eq!(
                pinged, answer.reachable,
                "XC_SEED={seed} round {round}: {from} -> {to}: ping {pinged}, analyzer {answer:#?}\n{s:#?}"
            );
            compared += 1;
            reached += usize::from(pinged);
        }
    }
    eprintln!("{compared} pairs compared, {reached} reachable");
    assert!(compared >= 12);
}
