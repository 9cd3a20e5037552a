//! `xconnect doctor`: whether this machine can run the server, the client and the data plane's
//! agent. Each check says ok, warn or fail, and with a warning or a failure what to do about it;
//! the command exits 1 when a check failed.
//!
//! It checks what the code really uses: the programs the agent runs (`nft` with JSON, `tc` with
//! htb and bfifo, `conntrack`: `dataplane/src/sys.rs` and `apply.rs`) and the ones people run
//! beside it; the kernel features the agent makes (network namespaces, veths, 802.1Q interfaces,
//! htb, nftables tables with conntrack), tried for real in a scratch namespace when run as root
//! and otherwise looked up in the kernel's module lists; and the server of the profile:
//! answering, its clock close to this one, its build, and the profile's key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use serde::Serialize;
use xconnect_client::Client;

use crate::config;
use crate::output::Format;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    /// Works, or may, with less than the whole (802.1Q untagged, no iperf3), or was not checked.
    Warn,
    /// Cannot work until the fix is made.
    Fail,
}

/// One check's answer, as printed and as `--output json` gives it.
#[derive(Debug, Serialize)]
struct Check {
    check: String,
    status: Status,
    detail: String,
    /// What to do, for a warning or a failure.
    fix: Option<String>,
}

impl Check {
    fn ok(check: &str, detail: impl Into<String>) -> Check {
        Check { check: check.to_owned(), status: Status::Ok, detail: detail.into(), fix: None }
    }

    fn warn(check: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { check: check.to_owned(), status: Status::Warn, detail: detail.into(), fix: Some(fix.into()) }
    }

    fn fail(check: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { check: check.to_owned(), status: Status::Fail, detail: detail.into(), fix: Some(fix.into()) }
    }
}

/// `doctor` found a check that failed. It has printed which and what to do, so the exit code is
/// all that is left to say.
#[derive(Debug)]
pub struct ChecksFailed;

impl std::fmt::Display for ChecksFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a check failed")
    }
}

impl std::error::Error for ChecksFailed {}

pub async fn run(profile: &str, format: Format) -> Result<()> {
    let mut checks = vec![root()];
    let tools: Vec<(&Tool, Option<PathBuf>)> = TOOLS.iter().map(|t| (t, find(t.name))).collect();
    checks.extend(tools.iter().map(|(t, at)| tool(t, at.as_deref())));
    let path_of = |name: &str| tools.iter().find(|(t, _)| t.name == name).and_then(|(_, at)| at.clone());
    checks.extend(kernel(is_root(), &path_of));
    checks.extend(server(profile).await);
    match format {
        Format::Json => crate::output::print_json(&checks),
        Format::Table => print(&checks),
    }
    if checks.iter().any(|c| c.status == Status::Fail) { Err(ChecksFailed.into()) } else { Ok(()) }
}

/// One line per check; a warning's or failure's fix indented beneath it; a count at the end.
fn print(checks: &[Check]) {
    let width = checks.iter().map(|c| c.check.len()).max().unwrap_or(0);
    for c in checks {
        let status = match c.status {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        outln!("{status:<4}  {:<width$}  {}", c.check, c.detail);
        if let Some(fix) = &c.fix {
            outln!("{:<4}  {:<width$}  fix: {fix}", "", "");
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    outln!("\n{} ok, {} warnings, {} failed", count(Status::Ok), count(Status::Warn), count(Status::Fail));
}

/// Whether this process runs as root (its effective user id, from the kernel's own account).
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().nth(1));
    uid == Some("0")
}

fn root() -> Check {
    if is_root() {
        Check::ok("root", "running as root, as the agent must")
    } else {
        // Only the agent needs it: the server and the client commands run as anyone.
        Check::warn(
            "root",
            "not running as root: the server and the client commands need no more, but the agent (`xconnect \
             agent run`) makes namespaces and links, which only root can, and the kernel checks below cannot be \
             tried for real",
            "run the agent, and this doctor for the kernel checks, as root: `sudo xconnect doctor`",
        )
    }
}

/// A program the data plane or its users run.
struct Tool {
    name: &'static str,
    /// The Debian package it comes in.
    package: &'static str,
    /// Whether the agent cannot do its work without it (a failure), or people miss it (a warning).
    agent: bool,
    why: &'static str,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "ip",
        package: "iproute2",
        agent: false,
        why: "looking into the agent's namespaces (`ip netns`), `bench dataplane` and the kernel checks below \
              (the agent itself speaks netlink)",
    },
    Tool {
        name: "nft",
        package: "nftables",
        agent: true,
        why: "the agent loads each instance's security groups and each router's table with it (`nft -j -f -`)",
    },
    Tool { name: "tc", package: "iproute2", agent: true, why: "the agent shapes links to what was bought with it" },
    Tool {
        name: "conntrack",
        package: "conntrack",
        agent: true,
        // The agent ignores conntrack's exit status (it fails when nothing matched), so a
        // missing program is silent there: the flows of a revoked rule would simply go on.
        why: "the agent cuts the tracked flows of a revoked rule with it: without it they go on",
    },
    Tool {
        name: "ping",
        package: "iputils-ping",
        agent: false,
        why: "the seeds' real ping (XCONNECT_REAL_PING=1) and `instance exec -- ping`",
    },
    Tool { name: "iperf3", package: "iperf3", agent: false, why: "measuring bandwidth between instances" },
];

/// Where `name` is: on the PATH, or else in a system directory a root shell has on its PATH
/// (a user's PATH often leaves out /usr/sbin, where `nft`, `tc` and `conntrack` live).
fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let system = ["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from);
    std::env::split_paths(&path).chain(system).map(|d| d.join(name)).find(|p| executable(p))
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn tool(t: &Tool, at: Option<&Path>) -> Check {
    let check = format!("tool.{}", t.name);
    let install = format!("install it: `apt-get install {}` (Debian and Ubuntu)", t.package);
    match at {
        Some(p) => {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let elsewhere = !std::env::split_paths(&path).any(|d| p.parent() == Some(d.as_path()));
            let note = if elsewhere { " (not on this PATH; root's has it)" } else { "" };
            Check::ok(&check, format!("{}{note}", p.display()))
        }
        None if t.agent => Check::fail(&check, format!("not installed, and {}", t.why), install),
        None => Check::warn(&check, format!("not installed; it is for {}", t.why), install),
    }
}

/// A kernel feature the agent uses.
struct Feature {
    check: &'static str,
    /// What it is, in a few words.
    what: &'static str,
    /// What the agent needs it for: "the agent needs them {why}".
    why: &'static str,
    /// The kernel modules that provide it, for looking it up when it cannot be tried.
    modules: &'static [&'static str],
    /// What to do when it is missing.
    fix: &'static str,
}

const NETNS: Feature = Feature {
    check: "kernel.netns",
    what: "network namespaces",
    why: "for each VPC router, instance, hub router, VBR and data centre host",
    modules: &[],
    fix: "run the agent on a host (or a container with CAP_SYS_ADMIN and CAP_NET_ADMIN) whose kernel has network \
          namespaces (CONFIG_NET_NS)",
};
const VETH: Feature = Feature {
    check: "kernel.veth",
    what: "veth pairs",
    why: "for every link between two namespaces",
    modules: &["veth"],
    fix: "load the module: `modprobe veth` (CONFIG_VETH)",
};
const VLAN: Feature = Feature {
    check: "kernel.vlan",
    what: "802.1Q interfaces",
    why: "to carry a VBR's VLAN tagged",
    modules: &["8021q"],
    fix: "load the module: `modprobe 8021q` (CONFIG_VLAN_8021Q); without it the agent carries a VBR's VLAN \
          untagged, and `agent status` says so",
};
const VXLAN: Feature = Feature {
    check: "kernel.vxlan",
    what: "VXLAN interfaces",
    why: "only once the data plane spans several hosts (today's agent realises one host and makes none)",
    modules: &["vxlan"],
    fix: "load the module: `modprobe vxlan` (CONFIG_VXLAN); a single-host data plane works without it",
};
const HTB: Feature = Feature {
    check: "kernel.htb",
    what: "htb with a bfifo leaf",
    why: "to shape pair, inter-region and VBR links to what was bought",
    modules: &["sch_htb"],
    fix: "load the module: `modprobe sch_htb` (CONFIG_NET_SCH_HTB)",
};
const NFTABLES: Feature = Feature {
    check: "kernel.nftables",
    what: "nftables inet tables with conntrack state, sets and ranges, loaded as JSON",
    why: "for security groups and routers' tables",
    modules: &["nf_tables", "nft_ct"],
    fix: "load the modules: `modprobe nf_tables nft_ct` (CONFIG_NF_TABLES, CONFIG_NF_TABLES_INET, CONFIG_NFT_CT), \
          and use an nft built with JSON support (Debian's is)",
};
const CONNTRACK: Feature = Feature {
    check: "kernel.conntrack",
    what: "conntrack over netlink",
    why: "to cut the tracked flows of a revoked rule",
    modules: &["nf_conntrack", "nf_conntrack_netlink"],
    fix: "load the module: `modprobe nf_conntrack_netlink` (CONFIG_NF_CT_NETLINK)",
};

/// The kernel checks: tried for real in a scratch namespace as root, else looked up.
fn kernel(root: bool, path_of: &dyn Fn(&str) -> Option<PathBuf>) -> Vec<Check> {
    let features = [&NETNS, &VETH, &VLAN, &VXLAN, &HTB, &NFTABLES, &CONNTRACK];
    let all_looked_up = |reason| features.iter().map(|f| looked_up(f, reason)).collect();
    let ip = match (path_of("ip"), root) {
        (_, false) => return all_looked_up("only root can make a namespace to try it in"),
        (None, true) => return all_looked_up("ip is not installed to try it with"),
        (Some(ip), true) => ip,
    };
    remove_stale_scratch(&ip);
    let scratch = match Scratch::make(ip) {
        Ok(s) => s,
        Err(e) => {
            let detail = format!("{}: cannot make one ({e}); the agent needs them {}", NETNS.what, NETNS.why);
            let mut checks = vec![Check::fail(NETNS.check, detail, NETNS.fix)];
            checks.extend(features[1..].iter().map(|f| looked_up(f, "no namespace to try it in")));
            return checks;
        }
    };
    let made = format!("{}: made {} to try the rest in", NETNS.what, scratch.name);
    let mut checks = vec![Check::ok(NETNS.check, made)];
    let veth = scratch.ip(&["link", "add", "xcda", "type", "veth", "peer", "name", "xcdb"]);
    checks.push(tried(&VETH, veth.clone(), Status::Fail));
    if veth.is_ok() {
        let vlan = scratch.ip(&["link", "add", "link", "xcda", "name", "xcdv", "type", "vlan", "id", "10"]);
        // The agent carries the VLAN untagged where the kernel has no 802.1Q: less, not broken.
        checks.push(tried(&VLAN, vlan, Status::Warn));
        // Made with no remote and never up: nothing is sent.
        let vxlan = scratch.ip(&["link", "add", "xcdx", "type", "vxlan", "id", "42", "dstport", "4789"]);
        checks.push(tried(&VXLAN, vxlan, Status::Warn));
        checks.push(match path_of("tc") {
            Some(tc) => tried(&HTB, shape(&scratch, &tc), Status::Fail),
            None => looked_up(&HTB, "tc is not installed to try it with"),
        });
    } else {
        checks.push(looked_up(&VLAN, "no veth to try it on"));
        checks.push(looked_up(&VXLAN, "no veth to try it beside"));
        checks.push(looked_up(&HTB, "no veth to try it on"));
    }
    checks.push(match path_of("nft") {
        Some(nft) => tried(&NFTABLES, scratch.exec(&nft, &["-j", "-f", "-"], Some(NFT_DOCUMENT)), Status::Fail),
        None => looked_up(&NFTABLES, "nft is not installed to try it with"),
    });
    // After the table above, whose conntrack match has the kernel track this namespace's flows.
    checks.push(match path_of("conntrack") {
        Some(conntrack) => tried(&CONNTRACK, scratch.exec(&conntrack, &["-L"], None), Status::Fail),
        None => looked_up(&CONNTRACK, "conntrack is not installed to try it with"),
    });
    checks
}

/// A check of what was tried: ok, or `missing` with what the kernel said.
fn tried(f: &Feature, result: Result<(), String>, missing: Status) -> Check {
    match result {
        Ok(()) => Check::ok(f.check, format!("{}: tried, works", f.what)),
        Err(e) => {
            let detail = format!("{}: the kernel refused ({e}); the agent needs them {}", f.what, f.why);
            Check { status: missing, ..Check::fail(f.check, detail, f.fix) }
        }
    }
}

/// A check of what could not be tried, from the kernel's module lists: ok when each module is
/// there, a warning when one is not seen (a kernel may have it built in without saying so).
fn looked_up(f: &Feature, reason: &str) -> Check {
    let unchecked = format!("{}: could not check for real ({reason})", f.what);
    if f.modules.is_empty() {
        // Network namespaces have no module: this process being in one says the kernel has them.
        return if Path::new("/proc/self/ns/net").exists() {
            Check::ok(f.check, format!("{}: this process is in one (not tried: {reason})", f.what))
        } else {
            Check::warn(f.check, format!("{unchecked}, and /proc/self/ns/net is not there"), f.fix)
        };
    }
    let seen: Vec<(&str, Option<&str>)> = f.modules.iter().map(|m| (*m, module(m))).collect();
    let missing: Vec<&str> = seen.iter().filter(|(_, at)| at.is_none()).map(|(m, _)| *m).collect();
    if missing.is_empty() {
        let found: Vec<String> = seen.iter().map(|(m, at)| format!("{m} {}", at.unwrap_or_default())).collect();
        Check::ok(f.check, format!("{}: {} (not tried: {reason})", f.what, found.join(", ")))
    } else {
        Check::warn(
            f.check,
            format!(
                "{unchecked}, and the kernel's module lists do not show {} (built into a kernel, it may not be \
                 listed); the agent needs them {}",
                missing.join(" or "),
                f.why
            ),
            format!("{}; as root, `xconnect doctor` tries it", f.fix),
        )
    }
}

/// Where the kernel's own lists show a module: loaded, in the kernel (`/sys/module` holds the
/// loaded ones and the built-in ones with parameters), built in, or installed to be loaded.
fn module(name: &str) -> Option<&'static str> {
    let loaded = std::fs::read_to_string("/proc/modules").unwrap_or_default();
    if loaded.lines().any(|l| l.split(' ').next() == Some(name)) {
        return Some("loaded");
    }
    if Path::new("/sys/module").join(name).exists() {
        return Some("in the kernel");
    }
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    let dir = Path::new("/lib/modules").join(release.trim());
    // Lines name files such as `kernel/net/8021q/8021q.ko` or `…/sch_htb.ko.zst:` (modules.dep
    // follows with its dependencies); a module's name has `_` where its file may have `-`.
    let listed = |file: &str| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        text.lines().any(|l| {
            let path = l.split(':').next().unwrap_or(l);
            let base = path.rsplit('/').next().unwrap_or(path);
            base.split(".ko").next().is_some_and(|m| m.replace('-', "_") == name)
        })
    };
    if listed("modules.builtin") {
        Some("built in")
    } else if listed("modules.dep") {
        Some("installed")
    } else {
        None
    }
}

/// The scratch namespaces' prefix, apart from the agent's `xc-`: `xcd-` and the process id.
const SCRATCH: &str = "xcd-";

/// The namespace the kernel checks try things in, deleted (with all it holds) when dropped.
struct Scratch {
    name: String,
    ip: PathBuf,
}

impl Scratch {
    fn make(ip: PathBuf) -> Result<Scratch, String> {
        let name = format!("{SCRATCH}{}", std::process::id());
        invoke(&ip, &["netns", "add", &name], None)?;
        Ok(Scratch { name, ip })
    }

    /// `ip -n NAME ...`.
    fn ip(&self, args: &[&str]) -> Result<(), String> {
        invoke(&self.ip, &[&["-n", self.name.as_str()], args].concat(), None)
    }

    /// Runs a program inside the namespace, as the agent runs `nft`, `tc` and `conntrack`.
    fn exec(&self, program: &Path, args: &[&str], stdin: Option<&str>) -> Result<(), String> {
        let program = program.to_string_lossy();
        invoke(&self.ip, &[&["netns", "exec", self.name.as_str(), &program], args].concat(), stdin)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = invoke(&self.ip, &["netns", "del", &self.name], None);
    }
}

/// Deletes the scratch namespaces of doctors that are gone (killed while trying).
fn remove_stale_scratch(ip: &Path) {
    let Ok(entries) = std::fs::read_dir("/run/netns") else { return };
    for name in entries.flatten().filter_map(|e| e.file_name().into_string().ok()) {
        let Some(pid) = name.strip_prefix(SCRATCH).filter(|p| p.bytes().all(|b| b.is_ascii_digit())) else { continue };
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = invoke(ip, &["netns", "del", &name], None);
        }
    }
}

/// Shapes the scratch veth as the agent shapes a link: an htb root, a class at the rate, and a
/// byte-limited bfifo leaf.
fn shape(s: &Scratch, tc: &Path) -> Result<(), String> {
    let dev = ["dev", "xcda"];
    s.exec(tc, &[&["qdisc", "replace"][..], &dev, &["root", "handle", "1:", "htb", "default", "10"]].concat(), None)?;
    let class = [&["class", "replace"][..], &dev, &["parent", "1:", "classid", "1:10", "htb", "rate", "2mbit"]];
    s.exec(tc, &[&class.concat()[..], &["ceil", "2mbit", "burst", "1514"]].concat(), None)?;
    s.exec(
        tc,
        &[&["qdisc", "add"][..], &dev, &["parent", "1:10", "handle", "10:", "bfifo", "limit", "16000"]].concat(),
        None,
    )
}

/// A table of the shapes the agent writes (`net/src/plan.rs`): an input chain dropping by
/// default with replies let through by their conntrack state, a set of addresses, a port
/// range, an interface match in a forward chain; as JSON, which only an nft built with JSON
/// support reads.
const NFT_DOCUMENT: &str = r#"{"nftables": [
  {"add": {"table": {"family": "inet", "name": "xcd"}}},
  {"add": {"chain": {"family": "inet", "table": "xcd", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}},
  {"add": {"rule": {"family": "inet", "table": "xcd", "chain": "input", "expr": [
    {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}},
  {"add": {"rule": {"family": "inet", "table": "xcd", "chain": "input", "comment": "xcd", "expr": [
    {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"set": ["192.0.2.1", "192.0.2.2"]}}},
    {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"range": [22, 80]}}},
    {"accept": null}]}}},
  {"add": {"chain": {"family": "inet", "table": "xcd", "name": "forward", "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}},
  {"add": {"rule": {"family": "inet", "table": "xcd", "chain": "forward", "expr": [
    {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "xcda"}},
    {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "xcdb"}}, {"drop": null}]}}}
]}"#;

/// Runs a program to its end, feeding it `stdin`; what it said on its error output, on one
/// line, when it failed.
fn invoke(program: &Path, args: &[&str], stdin: Option<&str>) -> Result<(), String> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said: Vec<&str> = said.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    Err(if said.is_empty() { format!("{} exited with {}", program.display(), out.status) } else { said.join(" ") })
}

/// How far apart the clocks may be before requests are refused, and before it is worth a word.
const SKEW_REFUSED: Duration = xconnect_api::MAX_SKEW;
const SKEW_WARNED: Duration = Duration::from_secs(5);

/// The checks of the profile's server: it answers, its clock, its build, the profile's key.
async fn server(profile: &str) -> Vec<Check> {
    let (endpoint, creds) = match config::settings(profile) {
        Ok(s) => s,
        Err(e) => {
            let path = config::path().map(|p| p.display().to_string()).unwrap_or_else(|_| "the config file".into());
            let not = |check: &str| Check::warn(check, "not checked: the config file cannot be read", "see config");
            return vec![
                Check::fail(
                    "config",
                    format!("{e:#}"),
                    format!("correct {path}, or move it away and run `xconnect configure`"),
                ),
                not("server"),
                not("clock"),
                not("version"),
                not("credentials"),
            ];
        }
    };
    let mut checks = vec![config_check(profile, &endpoint)];
    let health = match xconnect_client::health(&endpoint).await {
        Ok(h) if h.status == 200 && h.body == "ok\n" => h,
        answer => {
            let detail = match answer {
                Ok(h) => {
                    format!("{endpoint}/healthz answered {} {:?}: not an xconnect server", h.status, h.body.trim())
                }
                Err(e) => e.to_string(),
            };
            let not = |check: &str| Check::warn(check, "not checked: the server does not answer", "see server");
            checks.push(Check::fail(
                "server",
                detail,
                format!(
                    "start the server there (`xconnect serve --listen {}`), or point the profile at the one that runs: \
                     `xconnect configure --profile {profile} --endpoint URL`",
                    listen_address(&endpoint)
                ),
            ));
            checks.extend([not("clock"), not("version"), not("credentials")]);
            return checks;
        }
    };
    checks.push(Check::ok("server", format!("{endpoint} answers (GET /healthz)")));
    checks.push(clock(&health));
    checks.push(version(&endpoint, health.build.as_ref()));
    checks.push(credentials(profile, creds).await);
    checks
}

/// Which profile, file and endpoint the server checks are of.
fn config_check(profile: &str, endpoint: &str) -> Check {
    let path = config::path().map(|p| p.display().to_string()).unwrap_or_default();
    let known = config::load().is_ok_and(|c| c.profiles.contains_key(profile));
    let from = if std::env::var("XCONNECT_ENDPOINT").is_ok_and(|v| !v.is_empty()) {
        "from XCONNECT_ENDPOINT"
    } else if known {
        "from the profile"
    } else {
        "the default"
    };
    let profile_is =
        if known { format!("profile '{profile}' of {path}") } else { format!("no profile '{profile}' in {path}") };
    Check::ok("config", format!("{profile_is}; endpoint {endpoint} ({from})"))
}

/// The address `xconnect serve --listen` takes for an endpoint URL: its host and port.
fn listen_address(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// The server's clock against this one. The answer's `Date` is whole seconds, taken somewhere
/// between sending and receiving; only the part of the difference that cannot be put down to
/// that is counted.
fn clock(h: &xconnect_client::Health) -> Check {
    let Some(date) = h.date else {
        return Check::warn("clock", "the server's answer has no Date header to compare clocks by", "none needed");
    };
    let secs = |t: SystemTime| match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    let (date, sent, received) = (secs(date), secs(h.sent), secs(h.received));
    // The server's clock read something in [date, date + 1) at a moment in [sent, received].
    let ahead = date - received;
    let behind = sent - (date + 1.0);
    let (skew, word) = if ahead > 0.0 {
        (ahead, "ahead of")
    } else if behind > 0.0 {
        (behind, "behind")
    } else {
        return Check::ok("clock", "the server's clock agrees with this one within a second");
    };
    let detail = format!("the server's clock is {} {word} this one", seconds(skew));
    let fix = "set both clocks right and keep them so: `timedatectl set-ntp true` (or chrony) on each machine";
    if skew > SKEW_REFUSED.as_secs_f64() {
        Check::fail(
            "clock",
            format!(
                "{detail}: the server refuses every request signed more than {} minutes from its clock",
                SKEW_REFUSED.as_secs() / 60
            ),
            fix,
        )
    } else if skew > SKEW_WARNED.as_secs_f64() {
        let more = if word == "ahead of" {
            // A request dated before a restarted server started is refused as a possible replay.
            "; just after the server restarts, it refuses this machine's requests for as long as this clock is behind"
        } else {
            ""
        };
        Check::warn(
            "clock",
            format!("{detail}: requests are refused when it reaches {} minutes{more}", SKEW_REFUSED.as_secs() / 60),
            fix,
        )
    } else {
        Check::ok("clock", format!("{detail}, well within the {} minutes allowed", SKEW_REFUSED.as_secs() / 60))
    }
}

/// `12 s`, `3 min 4 s`, `2 h 5 min`.
fn seconds(s: f64) -> String {
    let s = s.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// The server's build against this one's.
fn version(endpoint: &str, theirs: Option<&xconnect_model::version::Build>) -> Check {
    let mine = crate::build();
    match theirs {
        None => Check::warn(
            "version",
            format!("{endpoint} does not say which build it is (older than this client, or a proxy drops the header)"),
            "none needed if commands work; otherwise use a client of the server's build",
        ),
        Some(theirs) if mine.differs(theirs) => Check::warn(
            "version",
            format!("the server runs xconnect {theirs}, this client is {mine}"),
            "use a client of the server's build, or restart the server with this one",
        ),
        Some(theirs) => Check::ok("version", format!("the server runs xconnect {theirs}, as this client does")),
    }
}

/// The profile's key, tried with a signed call.
async fn credentials(profile: &str, creds: Option<xconnect_client::Credentials>) -> Check {
    let configure = format!(
        "`xconnect configure --profile {profile} --access-key-id ID --access-key-secret SECRET`, or with the \
         operator's key `xconnect configure --profile {profile} --operator-key DATA/operator.key`"
    );
    let Some(creds) = creds else {
        return Check::warn(
            "credentials",
            format!("profile '{profile}' has no access key: client commands and the agent need one"),
            configure,
        );
    };
    let id = creds.access_key_id.clone();
    let caller = match Client::new(creds) {
        Ok(c) => c.caller().await,
        Err(e) => Err(e),
    };
    let refused = |e| format!("the server refuses key {id}: {e}");
    match caller {
        Ok(a) => Check::ok("credentials", format!("key {id} signs as account {} ({}, {})", a.id, a.name, a.kind)),
        Err(e) => match e.code() {
            Some("Unauthenticated.UnknownAccessKey" | "Unauthenticated.SignatureMismatch") => {
                Check::fail("credentials", refused(e), format!("use a key the server has: {configure}"))
            }
            Some("Unauthenticated.RequestExpired" | "Unauthenticated.DatedBeforeStart") => {
                Check::fail("credentials", refused(e), "set the clocks right (see clock)")
            }
            _ => Check::fail(
                "credentials",
                format!("whoami with key {id} failed: {e}"),
                "try again; if it goes on failing, the server's log says why (look for the request id)",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `/healthz` would have answered, dated `date` seconds after the request was sent at
    /// a whole second, the answer taking `took` seconds.
    fn answered(date: i64, took: f64) -> xconnect_client::Health {
        let at = |s: f64| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(1_796_188_498.0 + s);
        xconnect_client::Health {
            status: 200,
            body: "ok\n".into(),
            date: Some(at(date as f64)),
            build: None,
            sent: at(0.0),
            received: at(took),
        }
    }

    #[test]
    fn the_clock_counts_only_the_skew_the_date_cannot_explain() {
        let cases: &[(i64, f64, Status, &str)] = &[
            // The Date header drops the fraction, and the server read its clock somewhere
            // between sending and receiving: none of this is skew.
            (0, 0.2, Status::Ok, "within a second"),
            (-1, 0.2, Status::Ok, "within a second"),
            (2, 2.5, Status::Ok, "within a second"),
            (4, 0.5, Status::Ok, "4 s ahead of"),
            (-7, 0.5, Status::Warn, "6 s behind"),
            (10, 0.5, Status::Warn, "after the server restarts"),
            (16 * 60, 0.5, Status::Fail, "16 min 0 s ahead of"),
            (-2 * 3600, 0.5, Status::Fail, "1 h 59 min behind"),
        ];
        for (date, took, status, says) in cases {
            let c = clock(&answered(*date, *took));
            assert_eq!(c.status, *status, "{date} s after, {took} s taken: {}", c.detail);
            assert!(c.detail.contains(says), "{date} s after, {took} s taken: {}", c.detail);
        }
        let undated = xconnect_client::Health { date: None, ..answered(0, 0.1) };
        assert_eq!(clock(&undated).status, Status::Warn);
    }

    #[test]
    fn an_endpoint_gives_the_address_to_serve_on() {
        assert_eq!(listen_address("http://127.0.0.1:7878"), "127.0.0.1:7878");
        assert_eq!(listen_address("http://[::1]:7878/"), "[::1]:7878");
        assert_eq!(listen_address("127.0.0.1:7878"), "127.0.0.1:7878");
    }
}
