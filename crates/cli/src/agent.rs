//! `xconnect agent`: the Linux data plane's agent (operator): the desired state it realises,
//! its passes (apply what differs, meter the links, report usage to billing), its status and
//! teardown; and running a command inside an instance's or a host's namespace.

use std::path::Path;

use anyhow::{Context, Result};
use clap::Subcommand;
use xconnect_client::{Client, ClientError};
use xconnect_dataplane::record::{Record, write_private};
use xconnect_model::wire::UsageReportRequest;

use crate::output::{self, Format};
use crate::{CommandFailed, client};

#[derive(Debug, Subcommand)]
pub enum AgentCmd {
    /// Print the desired state the agent realises: namespaces, links, addresses, routes,
    /// nftables rulesets and shaping, as the server computes them from the model.
    Plan,
    /// Realise the desired state on this host (as root), again every interval, or once.
    ///
    /// Reads the desired state from the server (operator credentials) and applies it: namespaces,
    /// veths, addresses, routes, nftables rulesets and shaping. Namespaces this agent made that
    /// the state no longer holds are removed; the record of what it made is kept in --state.
    /// A pass that fails (the server unreachable, a command refused) is tried again, up to 10 s
    /// apart; metered bytes are counted meanwhile and reported once billing takes them.
    Run {
        /// Apply until nothing differs (three passes at most) and exit; an error if the kernel
        /// did not get there.
        #[arg(long)]
        once: bool,
        /// Milliseconds between two runs.
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
        /// Where the agent keeps the names of the namespaces it made (and its meters' windows).
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
        /// Seconds in a metering window: the bytes each metered link sent in a window are
        /// reported to billing as outbound data transfer once the window closes.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i64).range(1..=86_400))]
        meter_window_seconds: i64,
        /// Serve the agent's figures (passes, how they ended, how long they took) in
        /// Prometheus' text format at http://ADDR/metrics, e.g. 127.0.0.1:9478.
        #[arg(long)]
        metrics_listen: Option<std::net::SocketAddr>,
    },
    /// What is realised on this host, what is pending and what is stale, read from the kernel:
    /// namespaces, links, addresses, routes, rulesets and shaping (`-o json` lists each).
    Status {
        /// Where the agent keeps the names of the namespaces it made.
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
    },
    /// Remove everything the agent made on this host (the namespaces in its record, with their
    /// links and the processes inside them).
    Teardown {
        /// Where the agent keeps the names of the namespaces it made.
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
    },
}

pub async fn run(profile: &str, f: Format, cmd: AgentCmd) -> Result<()> {
    match cmd {
        AgentCmd::Plan => {
            let c = client(profile).await?;
            output::print_json(&c.desired_state_get().await?);
            Ok(())
        }
        AgentCmd::Run { once, interval_ms, state, meter_window_seconds, metrics_listen } => {
            let c = client(profile).await?;
            let record = Record::open(&state, &c.credentials().endpoint)?;
            let _lock = lock_state(&state)?;
            let figures = std::sync::Arc::new(PassFigures::default());
            if let Some(addr) = metrics_listen {
                serve_figures(addr, figures.clone()).await?;
            }
            let meters_file = record.path().with_extension("meters");
            let mut metering = xconnect_dataplane::meter::Metering::load(
                meter_window_seconds,
                &std::fs::read_to_string(&meters_file).unwrap_or_default(),
            );
            // Every pass takes the same path: read the kernel, apply what differs. The agent
            // keeps its sockets between passes; killed and restarted, it reads everything anew.
            let mut agent = xconnect_dataplane::Agent::new();
            let interval = std::time::Duration::from_millis(interval_ms);
            let mut wait = interval;
            // What the last desired state said to meter: counting goes on while the server
            // cannot be reached, and the windows that close meanwhile wait on disk. Before any
            // desired state is read nothing is metered (the saved windows wait for it).
            let mut meters = None;
            loop {
                let started = std::time::Instant::now();
                let pass = agent_pass(&c, &mut agent, &record, once).await;
                let pass = match pass {
                    Ok(now) => {
                        let now = meters.insert(now);
                        meter_pass(&c, &mut agent, now, &mut metering, &meters_file).await
                    }
                    Err(e) => {
                        if let Some(m) = &meters
                            && let Err(m) = meter_pass(&c, &mut agent, m, &mut metering, &meters_file).await
                        {
                            eprintln!("metering: {m:#}");
                        }
                        Err(e)
                    }
                };
                figures.record(pass.is_ok(), started.elapsed());
                match pass {
                    Ok(()) if once => return Ok(()),
                    Ok(()) => wait = interval,
                    Err(e) if once => return Err(e),
                    // A pass that failed (the server unreachable, a command the kernel refused)
                    // leaves the kernel as it was; the next one starts over from what is there.
                    // The wait doubles, up to 10 s, while passes keep failing.
                    Err(e) => {
                        eprintln!("pass failed, trying again in {} ms: {e:#}", wait.as_millis());
                        wait = (wait * 2).min(std::time::Duration::from_secs(10).max(interval));
                    }
                }
                tokio::time::sleep(wait).await;
            }
        }
        AgentCmd::Status { state } => {
            let c = client(profile).await?;
            let desired = c.desired_state_get().await?;
            let made = Record::open(&state, &c.credentials().endpoint)?.read();
            let mut agent = xconnect_dataplane::Agent::new();
            let (diff, _) = agent.diff(&desired, &made).await.context("cannot read this host's kernel state")?;
            let vlans = agent.vlans_tagged().map(|tagged| {
                if tagged {
                    "802.1Q, tagged with the shared port's VLAN id"
                } else {
                    "untagged: this kernel has no 802.1Q VLAN support"
                }
            });
            // VLAN interfaces are links of their own when the kernel makes them.
            let vlan_links = if agent.vlans_tagged() == Some(true) { desired.vlans.len() } else { 0 };
            let kinds: [(&str, usize, usize, usize); 6] = [
                ("namespaces", desired.namespaces.len(), diff.namespaces_missing.len(), diff.namespaces_stale.len()),
                (
                    "links",
                    desired.veths.len() + vlan_links,
                    diff.veths_missing.len() + diff.vlans_missing.len(),
                    diff.links_stale.len(),
                ),
                ("addresses", desired.addresses.len(), diff.addresses_missing.len(), diff.addresses_stale.len()),
                ("routes", desired.routes.len(), diff.routes_missing.len(), diff.routes_stale.len()),
                ("rulesets", desired.rulesets.len(), diff.rulesets_missing.len(), 0),
                ("shaping", desired.shaping.len(), diff.shaping_missing.len(), diff.shaping_stale.len()),
            ];
            match f {
                output::Format::Json => output::print_json(&serde_json::json!({
                    "in_sync": diff.is_empty(),
                    "vbr_links": vlans,
                    "summary": kinds.iter().map(|(k, w, p, s)| serde_json::json!({
                        "kind": k, "wanted": w, "realised": w - p, "pending": p, "stale": s,
                    })).collect::<Vec<_>>(),
                    "diff": diff,
                })),
                output::Format::Table => {
                    let rows: Vec<Vec<String>> = kinds
                        .iter()
                        .map(|(k, w, p, s)| {
                            vec![k.to_string(), w.to_string(), (w - p).to_string(), p.to_string(), s.to_string()]
                        })
                        .collect();
                    print!("{}", output::table(&["KIND", "WANTED", "REALISED", "PENDING", "STALE"], &rows));
                    println!(
                        "{}",
                        if diff.is_empty() {
                            "in sync"
                        } else {
                            "not in sync: `xconnect agent status -o json` lists what differs"
                        }
                    );
                    if let Some(v) = vlans {
                        println!("VBR links: {v}");
                    }
                }
            }
            Ok(())
        }
        AgentCmd::Teardown { state } => {
            // Not beside a running agent, which would make again what this removes.
            let _lock = if state.exists() { Some(lock_state(&state)?) } else { None };
            // Scratch namespaces of agents killed while asking the kernel what it can do.
            let mut gone = xconnect_dataplane::remove_stale_probes().context("cannot remove stale probes")?;
            for record in Record::all(&state)? {
                for ns in record.names()? {
                    xconnect_dataplane::delete(&ns).with_context(|| format!("cannot remove {ns}"))?;
                    gone.push(ns);
                }
                record.remove()?;
            }
            match f {
                output::Format::Json => output::print_json(&gone),
                output::Format::Table => println!("removed {} namespaces", gone.len()),
            }
            Ok(())
        }
    }
}

/// Locks the agent's state directory: two agents on one would each remove what the other made.
fn lock_state(state: &Path) -> Result<crate::lock::DirLock> {
    crate::lock::DirLock::acquire(
        state,
        "xconnect agent",
        "stop that agent first (one agent realises a host's whole data plane), or give this one another --state",
    )
}

/// What the agent counts of its passes, for `--metrics-listen`.
struct PassFigures {
    ok: xconnect_metrics::Counter,
    failed: xconnect_metrics::Counter,
    duration: xconnect_metrics::Histogram,
    /// Unix seconds of the last pass that succeeded, 0 before the first.
    last_ok: xconnect_metrics::Gauge,
}

impl Default for PassFigures {
    fn default() -> PassFigures {
        PassFigures {
            ok: Default::default(),
            failed: Default::default(),
            duration: xconnect_metrics::Histogram::new(xconnect_metrics::SECONDS),
            last_ok: Default::default(),
        }
    }
}

impl PassFigures {
    fn record(&self, ok: bool, took: std::time::Duration) {
        self.duration.observe(took.as_secs_f64());
        if ok {
            self.ok.inc();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            self.last_ok.set(now.as_secs() as i64);
        } else {
            self.failed.inc();
        }
    }

    fn exposition(&self) -> String {
        let mut e = xconnect_metrics::Exposition::new();
        e.counters(
            "xconnect_agent_passes_total",
            "Passes of the agent (read the desired state and the kernel, apply what differs, meter), by outcome.",
            [
                (vec![("outcome", "ok".to_owned())], self.ok.get()),
                (vec![("outcome", "failed".to_owned())], self.failed.get()),
            ],
        );
        e.histogram(
            "xconnect_agent_pass_duration_seconds",
            "How long each pass took, failed ones too.",
            &self.duration,
        );
        e.gauge(
            "xconnect_agent_last_successful_pass_timestamp_seconds",
            "When the last pass that succeeded ended (unix seconds; 0 before the first).",
            self.last_ok.get(),
        );
        e.finish()
    }
}

/// Serves the figures at `addr`/metrics, in the background for as long as the agent runs.
async fn serve_figures(addr: std::net::SocketAddr, figures: std::sync::Arc<PassFigures>) -> Result<()> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} for metrics"))?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || async move {
            ([("content-type", xconnect_metrics::CONTENT_TYPE)], figures.exposition())
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(())
}

/// Sends the closed metering windows billing has not taken yet; returns those that are settled:
/// accepted, recorded before (a report is recorded once), or refused for good (bad input). What
/// could not be taken now stays for the next pass: the server unreachable (then the rest is not
/// tried either), a 5xx, or a refusal that can pass (the signature, a forbidden key, a limit).
async fn report_usage(
    c: &Client,
    reports: &[xconnect_dataplane::meter::Report],
) -> Vec<xconnect_dataplane::meter::Report> {
    let mut settled = Vec::new();
    for r in reports {
        let req = UsageReportRequest {
            account_id: r.account_id.clone(),
            counter_id: r.counter_id.clone(),
            resource_id: r.resource_id.clone(),
            window_start: xconnect_model::Timestamp::from_millis(r.window_start_ms).to_string(),
            window_seconds: r.window_seconds,
            bytes_out: i64::try_from(r.bytes_out).unwrap_or(i64::MAX),
        };
        match c.usage_report(&req).await {
            Ok(_) => eprintln!(
                "reported {} bytes out of {} for the window at {}",
                r.bytes_out, r.counter_id, req.window_start
            ),
            Err(e) if matches!(e.code(), Some("Usage.WindowConflict" | "Usage.WindowOverlap")) => {
                eprintln!("usage of {} for {} was recorded before: {e}", r.counter_id, req.window_start);
            }
            Err(e) if e.status().is_some_and(|s| s < 500 && !matches!(s, 401 | 403 | 408 | 429)) => {
                eprintln!("usage of {} refused, not sent again: {e}", r.counter_id)
            }
            Err(e @ ClientError::Transport(_)) => {
                eprintln!("usage not sent yet, billing cannot be reached: {e}");
                break;
            }
            Err(e) => {
                eprintln!("usage of {} not sent yet: {e}", r.counter_id);
                continue;
            }
        }
        settled.push(r.clone());
    }
    settled
}

/// One pass of the agent: the desired state from the server, the record of what may exist
/// written before anything is made, the difference applied (until none is left with `once`).
/// Returns what is to be metered.
async fn agent_pass(
    c: &Client,
    agent: &mut xconnect_dataplane::Agent,
    record: &Record,
    once: bool,
) -> Result<Vec<xconnect_model::dataplane::Meter>> {
    let desired = c.desired_state_get().await.context("reading the desired state")?;
    // The record is widened to what may exist before anything is made, and narrowed only after
    // the pass succeeded.
    let pass = record.begin(&desired)?;
    let started = std::time::Instant::now();
    let made = pass.made();
    let diff = if once { agent.reconcile(&desired, made).await } else { agent.pass(&desired, made).await };
    let diff = diff.context("applying the desired state")?;
    record.finish(pass)?;
    if !diff.is_empty() || once {
        eprintln!(
            "applied {} changes ({} namespaces, {} links, {} routes, {} rulesets wanted) in {} ms",
            diff.len(),
            desired.namespaces.len(),
            desired.veths.len(),
            desired.routes.len(),
            desired.rulesets.len(),
            started.elapsed().as_millis()
        );
    }
    Ok(desired.meters)
}

/// Reads the metered links' byte counters, closes the windows the clock has left behind, and
/// sends billing what it has not taken yet. The meters file is written before anything is sent
/// and after it is settled, so a report is neither lost nor counted twice across a restart.
async fn meter_pass(
    c: &Client,
    agent: &mut xconnect_dataplane::Agent,
    meters: &[xconnect_model::dataplane::Meter],
    metering: &mut xconnect_dataplane::meter::Metering,
    file: &Path,
) -> Result<()> {
    let readings = agent.counters(meters).await.context("reading the byte counters")?;
    let saved = metering.save();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    metering.tick(i64::try_from(now.as_millis()).unwrap_or(i64::MAX), &readings);
    if metering.save() != saved {
        write_private(file, metering.save().as_bytes())?;
    }
    if !metering.unsent().is_empty() {
        let settled = report_usage(c, metering.unsent()).await;
        if !settled.is_empty() {
            metering.settle(|r| settled.contains(r));
            write_private(file, metering.save().as_bytes())?;
        }
    }
    Ok(())
}

/// Runs a command inside the namespace that realises `what` (an instance or a data centre
/// host), with this terminal; fails with the command's own exit status.
pub fn exec_in(ns: &str, what: &str, command: &[String]) -> Result<()> {
    let mut cmd = xconnect_dataplane::command_in(ns, &command[0])
        .with_context(|| format!("{what} is not realised on this host (namespace {ns}): run `xconnect agent run`"))?;
    let status = cmd.args(&command[1..]).status().with_context(|| format!("cannot run {}", command[0]))?;
    if !status.success() {
        return Err(CommandFailed(status.code().unwrap_or(1)).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_count_passes_by_outcome_with_their_durations() {
        let f = PassFigures::default();
        f.record(true, std::time::Duration::from_millis(20));
        f.record(true, std::time::Duration::from_millis(30));
        f.record(false, std::time::Duration::from_secs(2));
        let text = f.exposition();
        assert!(text.contains("xconnect_agent_passes_total{outcome=\"ok\"} 2\n"), "{text}");
        assert!(text.contains("xconnect_agent_passes_total{outcome=\"failed\"} 1\n"), "{text}");
        assert!(text.contains("xconnect_agent_pass_duration_seconds_bucket{le=\"0.025\"} 1\n"), "{text}");
        assert!(text.contains("xconnect_agent_pass_duration_seconds_count 3\n"), "{text}");
        assert!(!text.contains("xconnect_agent_last_successful_pass_timestamp_seconds 0\n"), "{text}");
    }
}
