//! `xconnect bench dataplane`: how long the agent takes to bring a model up in real namespaces
//! from nothing, and to carry one route change to the kernel. Needs root; everything it makes
//! carries the agent's prefix and a random part, and is removed at the end.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use xconnect_model::*;
use xconnect_net::analyzer::{Snapshot, View};

use crate::output::{Format, print_json, table};

#[derive(Debug, clap::Args)]
pub struct DataplaneArgs {
    /// VPCs to bring up, each with one vswitch, one security group and two instances.
    #[arg(long, default_value_t = 100)]
    vpcs: u32,
    /// Route changes to time, one at a time (a blackhole route added, then taken away): each a
    /// whole pass of the agent, reading every namespace's state from the kernel and applying
    /// what differs.
    #[arg(long, default_value_t = 20)]
    changes: u32,
}

/// An id whose last characters (which namespace names are made from) carry its kind and
/// number, and whose others this run's seed: distinct within a run, apart from other runs'.
fn id<T: ResourceId>(seed: &[u8; 6], kind: u8, n: u32) -> T {
    let mut b = [0u8; ID_ENTROPY_BYTES];
    b[4..10].copy_from_slice(seed);
    b[10] = kind;
    b[11..15].copy_from_slice(&n.to_be_bytes());
    T::from_entropy(&b)
}

fn model(seed: &[u8; 6], vpcs: u32) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let mut s = Snapshot::default();
    for v in 0..vpcs {
        let (vpc, vsw, sg): (VpcId, VSwitchId, SecurityGroupId) = (id(seed, 1, v), id(seed, 2, v), id(seed, 3, v));
        let block = format!("10.{}.{}.0/24", 100 + v / 256, v % 256);
        s.vpcs.push(Vpc {
            id: vpc.clone(),
            account_id: id(seed, 9, 0),
            region: region.clone(),
            cidr_block: Cidr::parse("c", &format!("10.{}.0.0/16", 100 + v / 256)).expect("valid"),
            name: None,
            description: Description::default(),
            vrouter_id: id(seed, 4, v),
            route_table_id: id(seed, 5, v),
            created_at: at,
        });
        let cidr = Cidr::parse("c", &block).expect("valid");
        s.vswitches.push(VSwitch {
            id: vsw.clone(),
            account_id: id(seed, 9, 0),
            vpc_id: vpc.clone(),
            region: region.clone(),
            zone: "z".into(),
            cidr_block: cidr,
            name: None,
            description: Description::default(),
            created_at: at,
        });
        for k in 0..2u32 {
            let ip = format!("10.{}.{}.{}", 100 + v / 256, v % 256, 10 + k);
            s.instances.push(Instance {
                id: id(seed, 6 + k as u8, v),
                account_id: id(seed, 9, 0),
                vpc_id: vpc.clone(),
                vswitch_id: vsw.clone(),
                region: region.clone(),
                zone: "z".into(),
                private_ip: ip.parse().expect("valid"),
                security_group_ids: vec![sg.clone()],
                name: None,
                description: Description::default(),
                created_at: at,
            });
        }
        s.rules.push(SecurityGroupRule {
            id: id(seed, 8, v),
            security_group_id: sg,
            direction: Direction::Ingress,
            protocol: Protocol::Icmp,
            port_range: None,
            peer: RulePeer::Cidr { cidr_block: cidr },
            priority: 1,
            policy: Policy::Accept,
            description: Description::default(),
            created_at: at,
        });
    }
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn run(a: DataplaneArgs, format: Format) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    anyhow::ensure!(unsafe { libc_geteuid() } == 0, "bench dataplane makes network namespaces: run it as root");
    // Ids unlike any other run's: from a fresh id of the service's own kind.
    let fresh: VpcId = xconnect_control::new_id();
    let tail = fresh.as_str().as_bytes();
    let mut seed = [0u8; 6];
    seed.copy_from_slice(&tail[tail.len() - 6..]);
    let snapshot = model(&seed, a.vpcs);
    let desired = View::new(snapshot.clone()).desired_state();
    let names: Vec<String> = desired.namespaces.iter().map(|n| n.name.clone()).collect();
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    anyhow::ensure!(distinct.len() == names.len(), "the generated model's namespace names collide");
    let result = async {
        let mut agent = xconnect_dataplane::Agent::new();
        let started = Instant::now();
        agent.reconcile(&desired, &[]).await?;
        let up = started.elapsed();
        let mut times = Vec::new();
        for n in 0..a.changes {
            let mut s = snapshot.clone();
            if n % 2 == 0 {
                s.route_entries.push(RouteEntry {
                    id: id(&seed, 10, n),
                    account_id: id(&seed, 9, 0),
                    route_table_id: id(&seed, 5, 0),
                    vpc_id: id(&seed, 1, 0),
                    destination_cidr_block: Cidr::parse("c", "192.0.2.0/24").expect("valid"),
                    next_hop: NextHop::Blackhole,
                    description: Description::default(),
                    created_at: Timestamp::from_millis(0),
                });
            }
            let next = View::new(s).desired_state();
            let started = Instant::now();
            agent.pass(&next, &[]).await?;
            times.push(started.elapsed());
        }
        std::io::Result::Ok((up, times))
    }
    .await;
    for n in &names {
        let _ = xconnect_dataplane::delete(n);
    }
    let (up, mut times) = result.context("applying the model")?;
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    let rows = vec![
        vec![
            "bring up from nothing".to_owned(),
            format!(
                "{} VPCs, {} instances, {} namespaces in {:.2} s",
                a.vpcs,
                a.vpcs * 2,
                names.len(),
                up.as_secs_f64()
            ),
            "100 VPCs < 10 s".to_owned(),
        ],
        vec![
            "one route change".to_owned(),
            format!(
                "p50 {:.1} ms, p99 {:.1} ms ({} changes)",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                times.len()
            ),
            "< 100 ms".to_owned(),
        ],
    ];
    match format {
        Format::Json => print_json(&serde_json::json!({
            "vpcs": a.vpcs, "namespaces": names.len(), "bring_up_seconds": up.as_secs_f64(),
            "route_change_p50_ms": p50.as_secs_f64() * 1e3, "route_change_p99_ms": p99.as_secs_f64() * 1e3,
        })),
        Format::Table => print!("{}", table(&["MEASURE", "RESULT", "GOAL"], &rows)),
    }
    Ok(())
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
