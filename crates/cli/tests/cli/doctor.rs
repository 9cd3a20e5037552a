//! `xconnect doctor` on this machine: every check named, the server's found against a real one
//! and a failure with what to do where nothing listens, a key the server does not have refused,
//! and the kernel checks passing as root (where `.ci/run` runs the tests).

use super::*;

/// Every check `doctor` makes, in its order.
const CHECKS: &[&str] = &[
    "root",
    "tool.ip",
    "tool.nft",
    "tool.tc",
    "tool.conntrack",
    "tool.ping",
    "tool.iperf3",
    "kernel.netns",
    "kernel.veth",
    "kernel.vlan",
    "kernel.vxlan",
    "kernel.htb",
    "kernel.nftables",
    "kernel.conntrack",
    "config",
    "server",
    "clock",
    "version",
    "credentials",
];

/// Runs `doctor --output json`: its exit status and its checks by name.
fn doctor(config: &Path, env: &[(&str, &str)], profile: &str) -> (Output, Vec<serde_json::Value>) {
    let out = xconnect(config, env, &["doctor", "--profile", profile, "--output", "json"]);
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    let names: Vec<&str> = checks.iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(names, CHECKS, "each check, named, in order");
    for c in &checks {
        let status = c["status"].as_str().unwrap();
        assert!(["ok", "warn", "fail"].contains(&status), "{c}");
        assert!(!c["detail"].as_str().unwrap().is_empty(), "{c}");
        assert_eq!(c["fix"].is_string(), status != "ok", "a fix with each warning and failure only: {c}");
    }
    let failed = checks.iter().any(|c| c["status"] == "fail");
    assert_eq!(out.status.code(), Some(if failed { 1 } else { 0 }), "exit 1 exactly when a check failed");
    (out, checks)
}

fn check<'a>(checks: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    checks.iter().find(|c| c["check"] == name).unwrap()
}

#[test]
fn doctor_finds_the_server_its_clock_its_build_and_the_key() {
    let server = start();
    let config = operator(&server);
    let (_, checks) = doctor(&config, &[], "default");
    for name in ["config", "server", "clock", "version", "credentials"] {
        assert_eq!(check(&checks, name)["status"], "ok", "{:#}", check(&checks, name));
    }
    assert!(check(&checks, "credentials")["detail"].as_str().unwrap().contains("operator"));

    // A key the server does not have is a failure, with how to configure one.
    let wrong = [("XCONNECT_ACCESS_KEY_ID", "ak-222222222222222222222222"), ("XCONNECT_ACCESS_KEY_SECRET", "secret")];
    let (out, checks) = doctor(&config, &wrong, "default");
    assert_eq!(out.status.code(), Some(1));
    let c = check(&checks, "credentials");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(c["detail"].as_str().unwrap().contains("Unauthenticated.UnknownAccessKey"), "{c:#}");
    assert!(c["fix"].as_str().unwrap().contains("xconnect configure --profile default"), "{c:#}");
}

#[test]
fn doctor_fails_where_no_server_listens_and_says_to_start_one() {
    // A port that was free a moment ago: nothing listens on it now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = std::env::temp_dir().join(format!("xconnect-cli-doctor-{port}.toml"));
    let env = [("XCONNECT_ENDPOINT", endpoint.as_str())];
    let (out, checks) = doctor(&config, &env, "default");
    assert_eq!(out.status.code(), Some(1));
    let c = check(&checks, "server");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(c["detail"].as_str().unwrap().contains(&format!("nothing answers at {endpoint}")), "{c:#}");
    let fix = c["fix"].as_str().unwrap();
    assert!(fix.contains(&format!("xconnect serve --listen 127.0.0.1:{port}")), "{c:#}");
    // What needs the server is not checked, and says so rather than failing again.
    for name in ["clock", "version", "credentials"] {
        assert_eq!(check(&checks, name)["status"], "warn", "{:#}", check(&checks, name));
    }
    // The table says the same to a person: the failure, and what to do beneath it.
    let out = xconnect(&config, &env, &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    let line = table.lines().position(|l| l.starts_with("FAIL  server")).unwrap_or_else(|| panic!("{table}"));
    assert!(table.lines().nth(line + 1).unwrap().trim_start().starts_with("fix: start the server"), "{table}");
}

/// As root, the kernel checks are tried in a scratch namespace of their own, which is gone
/// afterwards, and what the data plane cannot do without works (802.1Q may be missing: the
/// agent then carries VLANs untagged, a warning).
#[test]
fn doctor_as_root_tries_the_kernel_and_leaves_nothing_behind() {
    let config = std::env::temp_dir().join("xconnect-cli-doctor-kernel.toml");
    let (_, checks) = doctor(&config, &[("XCONNECT_ENDPOINT", "http://127.0.0.1:1")], "default");
    assert_eq!(check(&checks, "root")["status"], "ok", "the data plane's tests run as root (as .ci/run does)");
    for name in ["kernel.netns", "kernel.veth", "kernel.htb", "kernel.nftables", "kernel.conntrack"] {
        assert_eq!(check(&checks, name)["status"], "ok", "{:#}", check(&checks, name));
    }
    assert_ne!(check(&checks, "kernel.vlan")["status"], "fail");
    assert_ne!(check(&checks, "kernel.vxlan")["status"], "fail");
    let netns = check(&checks, "kernel.netns")["detail"].as_str().unwrap();
    let scratch = netns.split_whitespace().find(|w| w.starts_with("xcd-")).unwrap_or_else(|| panic!("{netns}"));
    assert!(!Path::new("/run/netns").join(scratch).exists(), "{scratch} is deleted again");
}
