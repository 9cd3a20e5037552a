//! `xconnect bench api`: starts a server on loopback with the embedded store, then drives N
//! concurrent signed clients, first through creates (VPC, vswitch, security group, rule, route
//! entry), then through describes, and reports calls per second and latency percentiles. Every
//! loop stops at its deadline or its call budget, whichever comes first. `--front alibaba` runs
//! the same workload through Alibaba Cloud's RPC actions (no route entry: Alibaba's API names no
//! next hop the benchmark could route to without a peering).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xconnect_client::{Client, Credentials};
use xconnect_model::wire::*;

use crate::output::{self, Format};
use crate::serve::{OperatorKey, ServeArgs};

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// The reachability analyzer on a generated topology: build time and memory, one question,
    /// a matrix, one route change. No server; pure computation.
    Analyzer(crate::bench_analyzer::AnalyzerArgs),
    /// The data plane on this host (as root): a generated model of VPCs with two instances each
    /// brought up from nothing in real namespaces, then single route changes applied; all is
    /// removed after.
    Dataplane(crate::bench_dataplane::DataplaneArgs),
    /// Throughput and latency of the API with durable commits on the embedded store.
    Api {
        /// Concurrent clients, each signing as its own tenant account.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Seconds each phase (creates, then describes) runs.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The most calls one client makes in one phase.
        #[arg(long, default_value_t = 200_000)]
        max_calls: usize,
        /// Where the server keeps its data (default: a fresh directory that is removed after).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Which API the clients call: xconnect's REST API, or Alibaba Cloud's RPC actions
        /// (CreateVpc, CreateVSwitch, CreateSecurityGroup, AuthorizeSecurityGroup, then
        /// DescribeVpcAttribute, DescribeVSwitchAttributes, DescribeSecurityGroupAttribute).
        #[arg(long, value_enum, default_value_t = Front::Rest)]
        front: Front,
    },
}

/// The API a benchmark's clients call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Front {
    Rest,
    Alibaba,
}

/// What one phase measured.
#[derive(Debug, serde::Serialize)]
pub struct PhaseReport {
    pub phase: &'static str,
    pub clients: usize,
    pub calls: usize,
    pub errors: usize,
    pub seconds: f64,
    pub calls_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The regions the benchmark spreads VPCs over, so it stays inside per-region quotas.
const REGIONS: &[&str] = &[
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-east-1",
    "us-west-1",
    "eu-central-1",
    "eu-west-1",
];
/// Vswitches (and groups, rules, routes) made in each VPC before moving to the next.
const ROUNDS_PER_VPC: usize = 40;

pub async fn run(cmd: BenchCmd, format: Format) -> Result<()> {
    let (clients, seconds, max_calls, data, front) = match cmd {
        BenchCmd::Analyzer(args) => return crate::bench_analyzer::run(args, format),
        BenchCmd::Dataplane(args) => return crate::bench_dataplane::run(args, format).await,
        BenchCmd::Api { clients, seconds, max_calls, data, front } => (clients, seconds, max_calls, data, front),
    };
    if clients == 0 || seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    let (dir, remove) = match data {
        Some(d) => (d, false),
        None => (std::env::temp_dir().join(format!("xconnect-bench-{}", std::process::id())), true),
    };
    // Unthrottled: the benchmark measures what the server can do, not what one account may.
    let args = ServeArgs {
        data: dir.clone(),
        listen: "127.0.0.1:0".parse()?,
        database: None,
        catalog: None,
        prices: None,
        throttle_rate: 0,
        throttle_burst: 1,
        shutdown_grace: 0,
    };
    let (control, _, _lock) = crate::serve::open(&args).await?;
    let settings = xconnect_api::Settings { build: crate::build(), ..Default::default() };
    let app = xconnect_api::router_with(control, &settings, &[xconnect_front_alibaba::front])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(xconnect_api::serve(listener, app, async move {
        let _ = stopped.await;
    }));

    let key: OperatorKey = toml::from_str(
        &std::fs::read_to_string(dir.join("operator.key")).context("the benchmark needs a fresh data directory")?,
    )?;
    let operator = Client::new(Credentials {
        endpoint: endpoint.clone(),
        access_key_id: key.access_key_id,
        access_key_secret: key.access_key_secret,
    })?;
    let mut tenants = Vec::with_capacity(clients);
    for i in 0..clients {
        let made = operator
            .account_create(&AccountCreateRequest { kind: "tenant".into(), name: format!("bench-{i}") })
            .await?;
        tenants.push(Client::new(Credentials {
            endpoint: endpoint.clone(),
            access_key_id: made.access_key.access_key_id.to_string(),
            access_key_secret: made.access_key.access_key_secret,
        })?);
    }

    let budget = Duration::from_secs(seconds);
    let (creates, made) = match front {
        Front::Rest => phase(&tenants, budget, max_calls, creates).await,
        Front::Alibaba => phase(&tenants, budget, max_calls, alibaba::creates).await,
    };
    let creates = report("create", clients, creates);
    let describes = {
        let started = Instant::now();
        let deadline = started + budget;
        let tasks: Vec<_> = tenants
            .iter()
            .zip(made)
            .map(|(c, ids)| match front {
                Front::Rest => tokio::spawn(describes(c.clone(), ids, deadline, max_calls)),
                Front::Alibaba => tokio::spawn(alibaba::describes(c.clone(), ids, deadline, max_calls)),
            })
            .collect();
        let mut all = Samples::default();
        for t in tasks {
            all.merge(t.await?);
        }
        all.elapsed = started.elapsed();
        report("describe", clients, all)
    };

    let _ = stop.send(());
    let _ = server.await;
    if remove {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match format {
        Format::Json => output::print_json(&[&creates, &describes]),
        Format::Table => {
            let rows: Vec<Vec<String>> = [&creates, &describes]
                .iter()
                .map(|r| {
                    vec![
                        r.phase.to_owned(),
                        r.clients.to_string(),
                        r.calls.to_string(),
                        r.errors.to_string(),
                        format!("{:.0}", r.calls_per_second),
                        format!("{:.2}", r.p50_ms),
                        format!("{:.2}", r.p99_ms),
                    ]
                })
                .collect();
            print!("{}", output::table(&["PHASE", "CLIENTS", "CALLS", "ERRORS", "CALLS/S", "P50_MS", "P99_MS"], &rows));
        }
    }
    if creates.errors + describes.errors > 0 {
        bail!("{} calls failed", creates.errors + describes.errors);
    }
    Ok(())
}

/// Latencies in microseconds and the count of failed calls.
#[derive(Default)]
struct Samples {
    micros: Vec<u32>,
    errors: usize,
    elapsed: Duration,
}

impl Samples {
    fn merge(&mut self, other: Samples) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
    }

    /// Times one call and counts it.
    async fn time<T, E: std::fmt::Display>(
        &mut self,
        call: impl std::future::Future<Output = Result<T, E>>,
    ) -> Option<T> {
        let start = Instant::now();
        let r = call.await;
        self.micros.push(start.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                if self.errors == 0 {
                    eprintln!("first failed call: {e}");
                }
                self.errors += 1;
                None
            }
        }
    }
}

fn report(phase: &'static str, clients: usize, mut s: Samples) -> PhaseReport {
    s.micros.sort_unstable();
    let pct = |p: f64| -> f64 {
        if s.micros.is_empty() {
            return 0.0;
        }
        let i = ((s.micros.len() as f64 - 1.0) * p).round() as usize;
        f64::from(s.micros[i]) / 1000.0
    };
    let secs = s.elapsed.as_secs_f64().max(f64::EPSILON);
    PhaseReport {
        phase,
        clients,
        calls: s.micros.len(),
        errors: s.errors,
        seconds: secs,
        calls_per_second: s.micros.len() as f64 / secs,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

/// Runs `work` on every client at once until the budget is spent; returns the merged samples
/// and what each client made.
async fn phase<F, Fut>(clients: &[Client], budget: Duration, max: usize, work: F) -> (Samples, Vec<Vec<Made>>)
where
    F: Fn(Client, Instant, usize) -> Fut,
    Fut: std::future::Future<Output = (Samples, Vec<Made>)> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + budget;
    let tasks: Vec<_> = clients.iter().map(|c| tokio::spawn(work(c.clone(), deadline, max))).collect();
    let mut all = Samples::default();
    let mut made = Vec::new();
    for t in tasks {
        let (s, m) = t.await.expect("a benchmark task does not panic");
        all.merge(s);
        made.push(m);
    }
    all.elapsed = started.elapsed();
    (all, made)
}

/// Something a client made, to describe later.
#[derive(Debug, Clone)]
enum Made {
    Vpc(String),
    VSwitch(String),
    /// A security group and its region (Alibaba's describe names it).
    Group(String, String),
}

/// One client's creates: a VPC, then rounds of vswitch, group, rule and route entry in it.
async fn creates(c: Client, deadline: Instant, max: usize) -> (Samples, Vec<Made>) {
    let mut s = Samples::default();
    let mut made = Vec::new();
    'vpcs: for k in 0..REGIONS.len() * 10 {
        if Instant::now() >= deadline || s.micros.len() >= max {
            break;
        }
        let req = VpcCreateRequest {
            region: REGIONS[k % REGIONS.len()].into(),
            cidr_block: format!("10.{}.0.0/16", k % 256),
            ..Default::default()
        };
        let Some(vpc) = s.time(c.vpc_create(&req)).await else { break };
        made.push(Made::Vpc(vpc.id.to_string()));
        let zone = xconnect_control::default_catalog()
            .region(vpc.region.as_str())
            .map(|r| r.zones[0].clone())
            .unwrap_or_default();
        for i in 0..ROUNDS_PER_VPC {
            if Instant::now() >= deadline || s.micros.len() >= max {
                break 'vpcs;
            }
            let vsw = VSwitchCreateRequest {
                vpc_id: vpc.id.to_string(),
                zone: zone.clone(),
                cidr_block: format!("10.{}.{i}.0/24", k % 256),
                ..Default::default()
            };
            if let Some(v) = s.time(c.vswitch_create(&vsw)).await {
                made.push(Made::VSwitch(v.id.to_string()));
            }
            let sg = SecurityGroupCreateRequest { vpc_id: vpc.id.to_string(), ..Default::default() };
            if let Some(g) = s.time(c.security_group_create(&sg)).await {
                let rule = SecurityGroupRuleCreateRequest {
                    direction: "ingress".into(),
                    protocol: "tcp".into(),
                    port_range: Some(format!("{}/{}", 1000 + i, 1000 + i)),
                    cidr_block: Some("172.16.0.0/12".into()),
                    ..Default::default()
                };
                s.time(c.security_group_rule_create(g.id.as_str(), &rule)).await;
                made.push(Made::Group(g.id.to_string(), vpc.region.to_string()));
            }
            let route = RouteEntryCreateRequest {
                route_table_id: vpc.route_table_id.to_string(),
                destination_cidr_block: format!("192.168.{i}.0/24"),
                next_hop_type: "blackhole".into(),
                ..Default::default()
            };
            s.time(c.route_entry_create(&route)).await;
        }
    }
    (s, made)
}

/// One client's describes, round-robin over what it made.
async fn describes(c: Client, made: Vec<Made>, deadline: Instant, max: usize) -> Samples {
    let mut s = Samples::default();
    if made.is_empty() {
        return s;
    }
    for i in 0..max {
        if Instant::now() >= deadline {
            break;
        }
        match &made[i % made.len()] {
            Made::Vpc(id) => s.time(c.vpc_get(id)).await.map(drop),
            Made::VSwitch(id) => s.time(c.vswitch_get(id)).await.map(drop),
            Made::Group(id, _) => s.time(c.security_group_get(id)).await.map(drop),
        };
    }
    s
}

/// The same workload in Alibaba Cloud's actions, through the Alibaba front.
mod alibaba {
    use super::*;

    const VPC: &str = "2016-04-28";
    const ECS: &str = "2014-05-26";

    /// A string field of an answer.
    fn field(v: &serde_json::Value, name: &str) -> Option<String> {
        v.get(name).and_then(|f| f.as_str()).map(str::to_owned)
    }

    /// One client's creates: a VPC, then rounds of vswitch, group and rule in it.
    pub async fn creates(c: Client, deadline: Instant, max: usize) -> (Samples, Vec<Made>) {
        let mut s = Samples::default();
        let mut made = Vec::new();
        'vpcs: for k in 0..REGIONS.len() * 10 {
            if Instant::now() >= deadline || s.micros.len() >= max {
                break;
            }
            let region = REGIONS[k % REGIONS.len()];
            let params = [("RegionId", region.to_owned()), ("CidrBlock", format!("10.{}.0.0/16", k % 256))];
            let Some(vpc) = s.time(c.alibaba(VPC, "CreateVpc", &params)).await.and_then(|v| field(&v, "VpcId")) else {
                break;
            };
            made.push(Made::Vpc(vpc.clone()));
            let zone =
                xconnect_control::default_catalog().region(region).map(|r| r.zones[0].clone()).unwrap_or_default();
            for i in 0..ROUNDS_PER_VPC {
                if Instant::now() >= deadline || s.micros.len() >= max {
                    break 'vpcs;
                }
                let vsw = [
                    ("VpcId", vpc.clone()),
                    ("ZoneId", zone.clone()),
                    ("CidrBlock", format!("10.{}.{i}.0/24", k % 256)),
                ];
                if let Some(v) =
                    s.time(c.alibaba(VPC, "CreateVSwitch", &vsw)).await.and_then(|v| field(&v, "VSwitchId"))
                {
                    made.push(Made::VSwitch(v));
                }
                let sg = [("RegionId", region.to_owned()), ("VpcId", vpc.clone())];
                let group = s.time(c.alibaba(ECS, "CreateSecurityGroup", &sg)).await;
                if let Some(g) = group.and_then(|g| field(&g, "SecurityGroupId")) {
                    let rule = [
                        ("RegionId", region.to_owned()),
                        ("SecurityGroupId", g.clone()),
                        ("Permissions.1.IpProtocol", "TCP".to_owned()),
                        ("Permissions.1.PortRange", format!("{}/{}", 1000 + i, 1000 + i)),
                        ("Permissions.1.SourceCidrIp", "172.16.0.0/12".to_owned()),
                    ];
                    s.time(c.alibaba(ECS, "AuthorizeSecurityGroup", &rule)).await;
                    made.push(Made::Group(g, region.to_owned()));
                }
            }
        }
        (s, made)
    }

    /// One client's describes, round-robin over what it made.
    pub async fn describes(c: Client, made: Vec<Made>, deadline: Instant, max: usize) -> Samples {
        let mut s = Samples::default();
        if made.is_empty() {
            return s;
        }
        for i in 0..max {
            if Instant::now() >= deadline {
                break;
            }
            let (product, action, params) = match &made[i % made.len()] {
                Made::Vpc(id) => (VPC, "DescribeVpcAttribute", vec![("VpcId", id.clone())]),
                Made::VSwitch(id) => (VPC, "DescribeVSwitchAttributes", vec![("VSwitchId", id.clone())]),
                Made::Group(id, region) => (
                    ECS,
                    "DescribeSecurityGroupAttribute",
                    vec![("RegionId", region.clone()), ("SecurityGroupId", id.clone())],
                ),
            };
            let call = c.alibaba(product, action, &params);
            s.time(call).await;
        }
        s
    }
}
