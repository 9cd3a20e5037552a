//! The seed scripts of `examples/` against a real server, each ending reachable from both sides,
//! and every account's statement checked line by line against the price list; and a seed run
//! with a profile of the config file instead of the environment.

use super::*;

/// Runs one of the repository's seed scripts against `server` as its README says: the endpoint
/// and the operator's key in the environment, the binary under test as `xconnect`.
pub(super) fn seed(server: &Serve, script: &str, secret: Option<&str>) -> Output {
    seed_with(server, script, secret, &[])
}

pub(super) fn seed_with(server: &Serve, script: &str, secret: Option<&str>, env: &[(&str, &str)]) -> Output {
    let key: toml::Value =
        toml::from_str(&std::fs::read_to_string(server.dir.join("data/operator.key")).unwrap()).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    Command::new("bash")
        .arg(examples.join(script))
        .env("XCONNECT_BIN", BIN)
        .env("XCONNECT_ENDPOINT", &server.endpoint)
        .env("XCONNECT_ACCESS_KEY_ID", key["access_key_id"].as_str().unwrap())
        .env("XCONNECT_ACCESS_KEY_SECRET", secret.unwrap_or_else(|| key["access_key_secret"].as_str().unwrap()))
        .env_remove("XCONNECT_CONFIG")
        .env_remove("XCONNECT_PROFILE")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// Runs `script` on a server of its own, as the README does: it must end with both sides
/// answering reachable, after which the statements it left add up. The server is returned for
/// what a seed checks further.
fn seed_runs_to_a_reachable_ping_from_each_side(script: &str) -> Serve {
    let server = start();
    let out = seed(&server, script, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches(": reachable").count(), 2, "{script}: both sides answer reachable\n{stdout}");
    assert!(stdout.matches("\n== ").count() >= 5, "{script} prints its steps");
    statements_add_up(&server);
    server
}

#[test]
fn seed_000_runs_to_a_reachable_ping_from_each_side() {
    seed_runs_to_a_reachable_ping_from_each_side("seed-000.sh");
}

#[test]
fn seed_000_cross_border_runs_to_a_reachable_ping_from_each_side() {
    seed_runs_to_a_reachable_ping_from_each_side("seed-000-cross-border.sh");
}

#[test]
fn seed_001_runs_to_a_reachable_ping_from_each_side() {
    seed_runs_to_a_reachable_ping_from_each_side("seed-001.sh");
}

#[test]
fn seed_002_runs_to_a_reachable_ping_from_each_side() {
    seed_runs_to_a_reachable_ping_from_each_side("seed-002.sh");
}

#[test]
fn seed_003_runs_to_a_reachable_ping_from_each_side() {
    seed_runs_to_a_reachable_ping_from_each_side("seed-003.sh");
}

#[test]
fn seed_004_runs_to_a_reachable_ping_from_each_side_and_its_transfer_is_billed_once() {
    let server = seed_runs_to_a_reachable_ping_from_each_side("seed-004.sh");
    transfer_is_billed_once_per_window(&server);
}

#[test]
fn a_failing_step_fails_the_seed_script() {
    let server = start();
    let out = seed(&server, "seed-001.sh", Some("not-the-secret"));
    assert!(!out.status.success(), "a failing step fails the script");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unauthenticated.SignatureMismatch"));
}

/// The operator's key from a profile, as `xconnect configure --operator-key` writes it: named
/// with `--profile` (a key left in the environment is then not the one used) or by
/// XCONNECT_PROFILE; a tenant's profile is refused before anything is made.
#[test]
fn a_seed_runs_with_a_profile() {
    let server = start();
    let config = server.dir.join("profiles.toml");
    let key = server.dir.join("data/operator.key");
    let configure = ["configure", "--profile", "ops", "--endpoint", &server.endpoint, "--operator-key"];
    ok(xconnect(&config, &[], &[&configure[..], &[key.to_str().unwrap()]].concat()));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new("bash")
            .arg(examples.join("seed-001.sh"))
            .args(args)
            .env("XCONNECT_BIN", BIN)
            .env("XCONNECT_CONFIG", &config)
            .env_remove("XCONNECT_ENDPOINT")
            .env_remove("XCONNECT_ACCESS_KEY_ID")
            .env_remove("XCONNECT_ACCESS_KEY_SECRET")
            .env_remove("XCONNECT_PROFILE")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), format!("{stdout}\n{stderr}"))
    };
    let stale = [("XCONNECT_ACCESS_KEY_ID", "ak-222222222222222222222222"), ("XCONNECT_ACCESS_KEY_SECRET", "stale")];
    for (args, env) in [(&["--profile", "ops"][..], &stale[..]), (&[], &[("XCONNECT_PROFILE", "ops")])] {
        let (success, said) = run(args, env);
        assert!(success, "{args:?} {env:?} failed:\n{said}");
        assert_eq!(said.matches(": reachable").count(), 2, "{args:?} {env:?}: both sides answer reachable\n{said}");
    }

    let ops = [("XCONNECT_PROFILE", "ops")];
    ok(xconnect(
        &config,
        &ops,
        &["admin", "account", "create", "--kind", "tenant", "--name", "t", "--save-profile", "t"],
    ));
    let (success, said) = run(&["--profile", "t"], &[]);
    assert!(!success);
    assert!(said.contains("profile 't' signs as a tenant account; the seeds need the operator's key"), "{said}");
    assert!(!said.contains("\n== "), "nothing was made:\n{said}");
    let (success, said) = run(&["--profile"], &[]);
    assert!(!success && said.contains("usage: "), "{said}");
}

/// `unit * num / den`, rounded half up, as the statements round.
fn round(unit: i64, num: i64, den: i64) -> i64 {
    ((i128::from(unit) * i128::from(num) * 2 + i128::from(den)) / (2 * i128::from(den))) as i64
}

/// The shipped price list, read here on its own, not through the service.
fn prices() -> toml::Value {
    toml::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../control/default-prices.toml")).unwrap(),
    )
    .unwrap()
}

/// After a seed has run: each account's statement for this month, checked line by line against
/// the shipped price list (read here on its own, not through the service) and the account's
/// orders and packages.
fn statements_add_up(server: &Serve) {
    let config = operator(server);
    let op = |args: &[&str]| json(xconnect(&config, &[], &[args, &["-o", "json"]].concat()));
    let prices = prices();
    let per_mbps = |a: &str, b: &str| -> i64 {
        let pairs = prices["bandwidth_package"]["pairs"].as_array().unwrap();
        pairs
            .iter()
            .find(|p| {
                let areas: Vec<&str> = p["areas"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
                match areas.as_slice() {
                    [x] => *x == a && *x == b,
                    [x, y] => (*x == a && *y == b) || (*x == b && *y == a),
                    _ => false,
                }
            })
            .map_or(prices["bandwidth_package"]["default_per_mbps_month"].as_integer().unwrap(), |p| {
                p["per_mbps_month"].as_integer().unwrap()
            })
    };
    let month = op(&["admin", "clock", "get"])["now"].as_str().unwrap()[..7].to_owned();
    let ms = |v: &serde_json::Value| -> i64 {
        time::OffsetDateTime::parse(v.as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp_nanos() as i64
            / 1_000_000
    };
    let (year, mon): (i32, u8) = (month[..4].parse().unwrap(), month[5..].parse().unwrap());
    let m0 =
        time::Date::from_calendar_date(year, time::Month::try_from(mon).unwrap(), 1).unwrap().midnight().assume_utc();
    let month_ms = i64::from(time::util::days_in_month(m0.month(), year)) * 86_400_000;

    let accounts = op(&["admin", "account", "list", "--all"]);
    let mut charged = 0;
    for a in accounts["items"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        let st = op(&["billing", "statement", "--month", &month, "--account", id]);
        let orders = op(&["order", "list", "--all", "--account", id])["items"].as_array().unwrap().clone();
        let packages =
            op(&["bandwidth-package", "list", "--all", "--account", id])["items"].as_array().unwrap().clone();
        let lines = st["lines"].as_array().unwrap();
        assert_eq!(lines.len(), orders.len(), "{id}: one line per order this month\n{st:#}");
        let as_of = ms(&st["as_of"]);
        for o in &orders {
            let resource = o["resource_id"].as_str().unwrap();
            let line =
                lines.iter().find(|l| l["resource_id"] == resource).unwrap_or_else(|| panic!("no line for {resource}"));
            let mbps = o["bandwidth_mbps"].as_i64().unwrap();
            let (unit, amount) = match o["product"].as_str().unwrap() {
                "router_interface" => {
                    let unit = prices["router_interface"][o["item"].as_str().unwrap()].as_integer().unwrap();
                    let to = o.get("ended_at").filter(|e| !e.is_null()).map(ms).unwrap_or(as_of);
                    (unit, round(unit, to - ms(&o["started_at"]), month_ms))
                }
                "shared_port" => {
                    let unit = prices["shared_port"]["per_mbps_month"].as_integer().unwrap() * mbps;
                    (unit, round(unit, as_of - ms(&o["started_at"]), month_ms))
                }
                "bandwidth_package" => {
                    let p = packages.iter().find(|p| p["id"] == resource).unwrap();
                    let unit = per_mbps(p["area_a"].as_str().unwrap(), p["area_b"].as_str().unwrap()) * mbps;
                    let months = p["period"].as_i64().unwrap() * if p["billing_mode"] == "yearly" { 12 } else { 1 };
                    (unit, unit * months)
                }
                other => panic!("unexpected product {other}"),
            };
            assert_eq!(line["unit_price_cents"].as_i64().unwrap(), unit, "{id} {resource}: unit price");
            assert_eq!(line["amount_cents"].as_i64().unwrap(), amount, "{id} {resource}: amount\n{line:#}");
        }
        let total: i64 = lines.iter().map(|l| l["amount_cents"].as_i64().unwrap()).sum();
        assert_eq!(st["total_cents"].as_i64().unwrap(), total, "{id}: the total adds up");
        charged += usize::from(!lines.is_empty());
    }
    // Each seed leaves one account with charges.
    assert_eq!(charged, 1, "accounts with charges");
}

/// After seed 004 has run: metered outbound data transfer of its tenant, 1.5 GB at the price
/// per GB, recorded once per window.
fn transfer_is_billed_once_per_window(server: &Serve) {
    let config = operator(server);
    let op = |args: &[&str]| json(xconnect(&config, &[], &[args, &["-o", "json"]].concat()));
    let prices = prices();
    let month = op(&["admin", "clock", "get"])["now"].as_str().unwrap()[..7].to_owned();
    let accounts = op(&["admin", "account", "list", "--all"]);
    let tenant = accounts["items"].as_array().unwrap().iter().find(|a| a["name"] == "seed004-tenant").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let window = format!("{month}-01T00:00:00Z");
    let report = |bytes: &str| {
        xconnect(
            &config,
            &[],
            &[
                "billing",
                "report-usage",
                "--account",
                &tenant,
                "--counter",
                "xc-veth-test",
                "--resource",
                "vbr-link",
                "--window-start",
                &window,
                "--bytes-out",
                bytes,
            ],
        )
    };
    ok(report("1500000000"));
    ok(report("1500000000"));
    let conflict = report("1");
    assert!(!conflict.status.success());
    assert!(String::from_utf8_lossy(&conflict.stderr).contains("Usage.WindowConflict"));
    let st = op(&["billing", "statement", "--month", &month, "--account", &tenant]);
    let transfer: Vec<&serde_json::Value> =
        st["lines"].as_array().unwrap().iter().filter(|l| l["product"] == "data_transfer").collect();
    assert_eq!(transfer.len(), 1);
    let per_gb = prices["data_transfer"]["per_gb_out"].as_integer().unwrap();
    assert_eq!(transfer[0]["amount_cents"].as_i64().unwrap(), round(per_gb, 1_500_000_000, 1_000_000_000));
}
