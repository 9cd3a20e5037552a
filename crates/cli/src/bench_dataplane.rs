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
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    vpcs: u32,
    /// Route changes to time, one at a time (a blackhole route added, then taken away): each a
    /// whole pass of the agent, reading every namespace's state from the kernel and applying
    /// what differs.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    changes: u32,
    /// Also time route changes made through the API, end to end: a server (on loopback, its
    /// own data directory) is given as many VPCs through its API, an agent (`agent run`,
    /// polling every 500 ms as by default) brings them up, and each change is timed from the
    /// API's answer to the route in the kernel.
    #[arg(long)]
    through_api: bool,
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
    let api = if a.through_api {
        let mut t = through_api(a.vpcs, a.changes).await.context("timing changes through the API")?;
        t.sort();
        Some((percentile(&t, 0.5), percentile(&t, 0.99), t.len()))
    } else {
        None
    };
    let mut rows = vec![
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
    if let Some((p50, p99, n)) = api {
        rows.push(vec![
            "a route change through the API".to_owned(),
            format!("p50 {:.0} ms, p99 {:.0} ms ({n} changes)", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3),
            "< 1 s".to_owned(),
        ]);
    }
    match format {
        Format::Json => print_json(&serde_json::json!({
            "vpcs": a.vpcs, "namespaces": names.len(), "bring_up_seconds": up.as_secs_f64(),
            "route_change_p50_ms": p50.as_secs_f64() * 1e3, "route_change_p99_ms": p99.as_secs_f64() * 1e3,
            "api_route_change_p50_ms": api.map(|(p50, _, _)| p50.as_secs_f64() * 1e3),
            "api_route_change_p99_ms": api.map(|(_, p99, _)| p99.as_secs_f64() * 1e3),
        })),
        Format::Table => print!("{}", table(&["MEASURE", "RESULT", "GOAL"], &rows)),
    }
    Ok(())
}

/// A child process of the bench, ended by its id when dropped.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Route changes through the API, each timed from the API's answer until `ip route` in the
/// VPC's router namespace shows it (a blackhole route added, then taken away). The server, the
/// agent and their files are this bench's own and go when it ends.
async fn through_api(vpcs: u32, changes: u32) -> Result<Vec<Duration>> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    let dir = std::env::temp_dir().join(format!("xconnect-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let mut server = Child(
            Command::new(&exe)
                .args(["serve", "--listen", "127.0.0.1:0", "--data"])
                .arg(dir.join("data"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?,
        );
        let out = server.0.stdout.take().context("the server's output")?;
        let endpoint = std::io::BufReader::new(out)
            .lines()
            .take(5)
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("xconnect listening on ")?.split_whitespace().next().map(str::to_owned))
            .context("the server did not say where it listens")?;
        let key: toml::Value = toml::from_str(&std::fs::read_to_string(dir.join("data/operator.key"))?)?;
        let field = |v: &toml::Value, k: &str| v[k].as_str().map(str::to_owned).context("the operator's key");
        let cli = |key: &str, secret: &str, args: &[&str]| -> Result<String> {
            let out = Command::new(&exe)
                .args(args)
                .env("XCONNECT_CONFIG", dir.join("config.toml"))
                .env("XCONNECT_ENDPOINT", &endpoint)
                .env("XCONNECT_ACCESS_KEY_ID", key)
                .env("XCONNECT_ACCESS_KEY_SECRET", secret)
                .output()?;
            anyhow::ensure!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            Ok(String::from_utf8(out.stdout)?.trim().to_owned())
        };
        let (op_key, op_secret) = (field(&key, "access_key_id")?, field(&key, "access_key_secret")?);
        let op = |args: &[&str]| cli(&op_key, &op_secret, args);
        // The same size as the bench's model: VPCs of ten tenants at a time (ten VPCs in a
        // region is an account's quota), each with a vswitch, a group and two instances.
        let mut first = None;
        for a in 0..vpcs.div_ceil(10) {
            let made = op(&[
                "admin",
                "account",
                "create",
                "--kind",
                "tenant",
                "--name",
                &format!("bench-{a}"),
                "--query",
                "access_key.access_key_id,access_key.access_key_secret",
            ])?;
            let (key, secret) = made.split_once('\t').context("the tenant's key")?;
            let t = |args: &[&str]| cli(key, secret, args);
            for v in 0..(vpcs - a * 10).min(10) {
                let block = |third: u32| format!("10.{v}.{third}.0/{}", if third == 0 { 16 } else { 24 });
                let vpc = t(&["vpc", "create", "--region", "China North 1", "--cidr", &block(0), "--query", "id"])?;
                let vsw = t(&[
                    "vswitch",
                    "create",
                    "--vpc",
                    &vpc,
                    "--zone",
                    "cn-qingdao-b",
                    "--cidr",
                    &block(1),
                    "--query",
                    "id",
                ])?;
                let sg = t(&["security-group", "create", "--vpc", &vpc, "--query", "id"])?;
                for _ in 0..2 {
                    t(&["instance", "create", "--vswitch", &vsw, "--security-group", &sg, "--query", "id"])?;
                }
                first.get_or_insert((key.to_owned(), secret.to_owned(), vpc));
            }
        }
        let (t_key, t_secret, vpc) = first.context("no VPC to change")?;
        let (t_key, t_secret) = (t_key.as_str(), t_secret.as_str());
        let t = |args: &[&str]| cli(t_key, t_secret, args);
        let table = t(&["vpc", "get", &vpc, "--query", "route_table_id"])?;
        let state = dir.join("agent");
        let state = state.to_str().context("a temporary path")?;
        let agent = Child(
            Command::new(&exe)
                .args(["agent", "run", "--state", state])
                .env("XCONNECT_CONFIG", dir.join("config.toml"))
                .env("XCONNECT_ENDPOINT", &endpoint)
                .env("XCONNECT_ACCESS_KEY_ID", &op_key)
                .env("XCONNECT_ACCESS_KEY_SECRET", &op_secret)
                .stderr(Stdio::null())
                .spawn()?,
        );
        let router = xconnect_net::plan::router_namespace(&vpc);
        let shown = |dest: &str| -> Result<bool> {
            let out = Command::new("ip").args(["-n", &router, "route", "show", dest]).stderr(Stdio::null()).output()?;
            Ok(out.status.success() && !out.stdout.is_empty())
        };
        // Waits (at most 10 s, looking every 2 ms) until the route is shown or not.
        let until = |dest: &str, there: bool| -> Result<Duration> {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if shown(dest)? == there {
                    return Ok(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            anyhow::bail!("{dest} was not {} within 10 s", if there { "in the kernel" } else { "gone" })
        };
        let timed = async {
            let started = Instant::now();
            // Timed once the agent has brought everything up (its first pass).
            loop {
                let status = cli(&op_key, &op_secret, &["agent", "status", "--state", state, "-o", "json"]);
                let in_sync = status.ok().and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
                if in_sync.is_some_and(|s| s["in_sync"] == true) {
                    break;
                }
                anyhow::ensure!(started.elapsed() < Duration::from_secs(120), "the agent did not bring the VPCs up");
                std::thread::sleep(Duration::from_millis(200));
            }
            let client = xconnect_client::Client::new(xconnect_client::Credentials {
                endpoint: endpoint.clone(),
                access_key_id: t_key.to_owned(),
                access_key_secret: t_secret.to_owned(),
            })?;
            let mut times = Vec::new();
            for n in 0..changes.div_ceil(2) {
                let dest = format!("198.18.{}.0/24", n % 256);
                // A change lands anywhere in the agent's 500 ms between two passes: without
                // these waits each would come just after the pass that showed the last one,
                // and wait out a whole interval every time.
                tokio::time::sleep(Duration::from_millis(u64::from(n) * 193 % 500)).await;
                let entry = client
                    .route_entry_create(&xconnect_model::wire::RouteEntryCreateRequest {
                        route_table_id: table.clone(),
                        destination_cidr_block: dest.clone(),
                        next_hop_type: "blackhole".into(),
                        next_hop_id: None,
                        description: None,
                        client_token: None,
                    })
                    .await?;
                times.push(until(&dest, true)?);
                tokio::time::sleep(Duration::from_millis(u64::from(n) * 311 % 500)).await;
                client.route_entry_delete(entry.id.as_str()).await?;
                times.push(until(&dest, false)?);
            }
            Ok(times)
        }
        .await;
        // Whatever happened, what the agent made goes (an error of the timing comes first).
        drop(agent);
        let torn = cli(&op_key, &op_secret, &["agent", "teardown", "--state", state]);
        let times = timed?;
        torn?;
        Ok(times)
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
