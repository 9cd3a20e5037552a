//! As root: each seed realised by the agent and answered by a real ping, a killed agent converging,
//! metering into statements across restarts, and the grant and a bandwidth change holding in the
//! kernel.

use super::seeds::{seed, seed_with};
use super::*;

/// A seed brought up for real by the agent on this host (as root), on a server and an agent
/// state directory of its own, so that the seeds run side by side: the script's closing
/// connectivity tests are followed by a real ping from inside the instance or data centre host
/// (`XCONNECT_REAL_PING=1`, see examples/lib.sh), which must be answered. `check` then looks at
/// the realised seed (given the client's config and the state directory). Teardown removes every
/// namespace the agent made and leaves none of them behind. The agent touches only the
/// namespaces in its own state directory's record, and their names end in the random tails of
/// this server's ids, so two of these tests never touch each other's.
fn seed_ends_in_a_real_ping(script: &str, check: impl FnOnce(&Path, &str)) {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc_geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let server = start();
    let config = operator(&server);
    let state = server.dir.join("agent");
    let state = state.to_str().unwrap();
    let _teardown = Teardown(&config, state);
    let out = seed_with(&server, script, None, &[("XCONNECT_REAL_PING", "1"), ("XCONNECT_AGENT_STATE", state)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches(", 2 received").count(), 2, "{script}: a real ping answered from each side\n{stdout}");
    let now = json(xconnect(&config, &[], &["agent", "status", "--state", state, "-o", "json"]));
    assert_eq!(now["in_sync"], true, "{now:#}");
    check(&config, state);

    let wanted = now["summary"][0]["wanted"].as_u64().unwrap();
    let names = recorded_namespaces(state);
    // Teardown also removes the scratch namespaces of any agent killed while probing the kernel,
    // another test's included: counted apart.
    let gone = json(xconnect(&config, &[], &["agent", "teardown", "--state", state, "-o", "json"]));
    let ours = gone.as_array().unwrap().iter().filter(|n| !n.as_str().unwrap().starts_with("xc-probe-")).count();
    assert_eq!(ours as u64, wanted, "teardown removes every namespace made: {gone}");
    none_left(&names);
}

/// The namespaces in the agent's record: the one `.namespaces` file, for its one server (its
/// meters may lie beside it).
fn recorded_namespaces(state: &str) -> Vec<String> {
    let records: Vec<PathBuf> = std::fs::read_dir(state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "namespaces"))
        .collect();
    let [record] = &records[..] else { panic!("one record in {state}: {records:?}") };
    let names: Vec<String> = std::fs::read_to_string(record).unwrap().lines().map(str::to_owned).collect();
    assert!(names.iter().all(|n| n.starts_with("xc-")), "{names:?}");
    names
}

fn none_left(names: &[String]) {
    assert!(!names.is_empty(), "the record names the namespaces made");
    let left = String::from_utf8(Command::new("ip").args(["netns", "list"]).output().unwrap().stdout).unwrap();
    for n in names {
        assert!(!left.lines().any(|l| l.split_whitespace().next() == Some(n)), "{n} is left: {left}");
    }
}

#[test]
fn seed_000_ends_in_a_real_ping() {
    seed_ends_in_a_real_ping("seed-000.sh", |_, _| ());
}

#[test]
fn seed_000_cross_border_ends_in_a_real_ping() {
    seed_ends_in_a_real_ping("seed-000-cross-border.sh", |_, _| ());
}

#[test]
fn seed_001_ends_in_a_real_ping() {
    seed_ends_in_a_real_ping("seed-001.sh", |_, _| ());
}

#[test]
fn seed_002_ends_in_a_real_ping() {
    seed_ends_in_a_real_ping("seed-002.sh", |_, _| ());
}

#[test]
fn seed_003_ends_in_a_real_ping() {
    seed_ends_in_a_real_ping("seed-003.sh", |_, _| ());
}

/// Seed 004's VBR carries VLAN 1200 between the VBR and its data centre: tagged where the
/// kernel has 802.1Q (checked in the kernel), untagged and said so where it has not.
#[test]
fn seed_004_ends_in_a_real_ping_over_its_vlan() {
    seed_ends_in_a_real_ping("seed-004.sh", |config, state| {
        let now = json(xconnect(config, &[], &["agent", "status", "--state", state, "-o", "json"]));
        let vbr_links = now["vbr_links"].as_str().unwrap();
        if vbr_links.starts_with("802.1Q") {
            let plan = json(xconnect(config, &[], &["agent", "plan"]));
            let vlan = plan["vlans"].as_array().unwrap().iter().find(|v| v["vlan_id"] == 1200).unwrap().clone();
            let ns = vlan["namespace"].as_str().unwrap();
            let shown = Command::new("ip")
                .args(["-n", ns, "-d", "link", "show", vlan["name"].as_str().unwrap()])
                .output()
                .unwrap();
            assert!(String::from_utf8_lossy(&shown.stdout).contains("vlan protocol 802.1Q id 1200"), "{shown:?}");
        } else {
            assert!(vbr_links.contains("no 802.1Q"), "{vbr_links}");
        }
    });
}

/// Crash safety, as root, with every seed's resources on one server (made through the API; the
/// agent has not run): the agent is killed part way through bringing them all up (at three
/// stages, seen through `agent status`), and a restarted agent converges to the desired state.
/// Teardown leaves no namespace and no process that ran inside one.
#[test]
fn a_killed_agent_converges() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc_geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let server = start();
    let config = operator(&server);
    let state = server.dir.join("agent");
    let state = state.to_str().unwrap();
    let _teardown = Teardown(&config, state);
    for script in
        ["seed-000.sh", "seed-000-cross-border.sh", "seed-001.sh", "seed-002.sh", "seed-003.sh", "seed-004.sh"]
    {
        let out = seed(&server, script, None);
        assert!(out.status.success(), "{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    let status = |args: &[&str]| {
        json(xconnect(&config, &[], &[&["agent", "status", "--state", state, "-o", "json"], args].concat()))
    };
    let wanted = status(&[])["summary"][0]["wanted"].as_u64().unwrap();
    assert!(wanted >= 30, "every seed's namespaces: {wanted}");

    // Killed as soon as `agent status` shows it part way, at three stages: some namespaces
    // made, some links, every link (the addresses, routes, tables and shaping under way);
    // each time from nothing (the last kill's leftovers are what the restart starts from). A
    // try in which the agent finished before it was killed, or went past the stage unseen, is
    // made again (five tries a stage).
    let mut killed = Vec::new();
    for stage in ["namespaces", "links", "after the links"] {
        for _ in 0..5 {
            ok(xconnect(&config, &[], &["agent", "teardown", "--state", state]));
            let agent = Stop(
                Command::new(BIN)
                    .args(["agent", "run", "--state", state])
                    .env("XCONNECT_CONFIG", &config)
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap(),
            );
            let part_way = |s: &serde_json::Value| {
                let kinds = s["summary"].as_array().unwrap();
                let made = |kind: &str| {
                    let k = kinds.iter().find(|k| k["kind"] == kind).unwrap();
                    (k["realised"].as_u64().unwrap(), k["wanted"].as_u64().unwrap())
                };
                s["in_sync"] == false
                    && match stage {
                        "after the links" => made("links").0 == made("links").1,
                        kind => (1..made(kind).1).contains(&made(kind).0),
                    }
            };
            let mut seen = false;
            for _ in 0..200 {
                let now = status(&[]);
                seen = part_way(&now);
                if seen || now["in_sync"] == true {
                    break;
                }
            }
            drop(agent);
            // Still part way once it is dead: it was killed mid-apply.
            let left = status(&[]);
            if seen && left["in_sync"] == false {
                eprintln!("killed part way ({stage}): {}", left["summary"]);
                killed.push(stage);
                break;
            }
        }
    }
    assert_eq!(killed.len(), 3, "the agent was killed part way at each stage: {killed:?}");
    ok(xconnect(&config, &[], &["agent", "run", "--once", "--state", state]));
    let after = status(&[]);
    assert_eq!(after["in_sync"], true, "{after:#}");

    // A process left running inside an instance goes with teardown, as do the namespaces.
    let instances = json(xconnect(&config, &[], &["instance", "list", "--all", "-o", "json"]));
    let first = instances["items"][0]["id"].as_str().unwrap().to_owned();
    let mut sleeper = Command::new(BIN)
        .args(["instance", "exec", &first, "--", "sleep", "60"])
        .env("XCONNECT_CONFIG", &config)
        .spawn()
        .unwrap();
    // Wait until it is inside one of the agent's namespaces: a process that never got in would
    // also end, and would prove nothing about teardown.
    let names = recorded_namespaces(state);
    let inside: Vec<String> = (0..100)
        .find_map(|_| {
            let pids: Vec<String> = names
                .iter()
                .flat_map(|n| {
                    let out = Command::new("ip").args(["netns", "pids", n]).output().unwrap();
                    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect::<Vec<_>>()
                })
                .collect();
            if pids.is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            } else {
                Some(pids)
            }
        })
        .expect("the process got into the instance's namespace within 5 s");
    ok(xconnect(&config, &[], &["agent", "teardown", "--state", state]));
    let ended = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        sleeper.try_wait().unwrap().is_some()
    });
    if !ended {
        let _ = sleeper.kill();
    }
    assert!(ended, "teardown ended the process running inside the instance");
    for pid in &inside {
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "process {pid} inside the instance was killed");
    }
    none_left(&names);
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

/// Metering, as root: with seed 001 realised and the agent running with one-second windows,
/// a hundred 1000-byte pings across the pair show up on both accounts' statements as outbound
/// data transfer under their router interfaces: at least the frames of the answered pings, and
/// not more than all of them and a little (the windows are reported once each). The pings are
/// sent while the server is down: the agent keeps running, keeps the closed windows on disk,
/// is killed, and once server and agent are started again the reports reach billing.
#[test]
fn bytes_sent_across_a_pair_reach_both_statements_across_restarts() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc_geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut server = start();
    let out = seed(&server, "seed-001.sh", None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let config = operator(&server);
    let state = server.dir.join("agent");
    let state = state.to_str().unwrap();
    let _teardown = Teardown(&config, state);
    let log = server.dir.join("agent.log");
    let run_agent = || {
        Command::new(BIN)
            .args(["agent", "run", "--state", state, "--interval-ms", "200", "--meter-window-seconds", "1"])
            .env("XCONNECT_CONFIG", &config)
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap())
            .spawn()
            .unwrap()
    };
    let mut agent = run_agent();
    let instances = json(xconnect(&config, &[], &["instance", "list", "--all", "-o", "json"]));
    let items = instances["items"].as_array().unwrap();
    let (from, to) = (items[0]["id"].as_str().unwrap(), items[1]["private_ip"].as_str().unwrap());
    // The agent realises the model within a second or so of starting.
    let up = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        xconnect(&config, &[], &["instance", "exec", from, "--", "ping", "-c", "1", "-W", "1", to]).status.success()
    });
    if !up {
        let _ = agent.kill();
    }
    assert!(up, "the running agent realised seed 001");
    let agent = Stop(agent);
    // Counting starts at the agent's first reading of the counters (its open windows are
    // saved then): bytes sent before that are not this test's to find.
    let counting = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::fs::read_dir(state).unwrap().flatten().any(|e| {
            e.path().extension().is_some_and(|x| x == "meters") && std::fs::metadata(e.path()).unwrap().len() > 0
        })
    });
    assert!(counting, "the agent reads the meters");
    // With the server down `instance exec` cannot look the instance up: its namespace is
    // asked for first.
    let ns = ok(xconnect(&config, &[], &["instance", "exec", from, "--", "ip", "netns", "identify"]));
    server.pause();
    let ping = Command::new("ip")
        .args(["netns", "exec", ns.trim(), "ping", "-q", "-c", "100", "-i", "0.02", "-s", "1000", to])
        .output()
        .unwrap();
    assert!(ping.status.success(), "{}", String::from_utf8_lossy(&ping.stdout));
    // Under load a burst can overflow the shaped link's short queue: what is metered is what
    // crossed, so the bounds follow the replies that came back.
    let summary = String::from_utf8_lossy(&ping.stdout).into_owned();
    let received: u64 = summary
        .split(", ")
        .find_map(|p| p.strip_suffix(" received"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no summary from ping: {summary}"));
    assert!(received >= 50, "{summary}");
    // The windows close while billing cannot be reached: their reports wait in the meters file,
    // and the agent, failing to read the desired state, keeps going.
    let meters = || {
        std::fs::read_dir(state)
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "meters"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect::<String>()
    };
    let waiting = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        meters().lines().filter(|l| l.starts_with("report\t")).count() >= 2
    });
    assert!(waiting, "both ends' windows wait to be reported: {}", meters());
    let mut agent = agent;
    assert!(agent.0.try_wait().unwrap().is_none(), "the agent outlives the server");
    drop(agent);
    server.resume();
    let agent = Stop(run_agent());
    let month = String::from_utf8(Command::new("date").args(["-u", "+%Y-%m"]).output().unwrap().stdout).unwrap();
    let metered = |account: &str| {
        let st = json(xconnect(
            &config,
            &[],
            &["billing", "statement", "--month", month.trim(), "--account", account, "-o", "json"],
        ));
        let lines: Vec<serde_json::Value> =
            st["lines"].as_array().unwrap().iter().filter(|l| l["product"] == "data_transfer").cloned().collect();
        let bytes = lines.iter().map(|l| {
            let gb: f64 = l["quantity"].as_str().unwrap().trim_end_matches(" GB").parse().unwrap();
            (gb * 1e9).round() as u64
        });
        (bytes.sum::<u64>(), lines)
    };
    // A frame of 1000 bytes of data, 8 of ICMP, 20 of IP and 14 of Ethernet, each way for each
    // reply. The last window is reported once it closes: within a few seconds (bounded wait).
    let least = received * 1042;
    let accounts: Vec<&str> = items.iter().map(|i| i["account_id"].as_str().unwrap()).collect();
    for _ in 0..40 {
        if accounts.iter().all(|a| metered(a).0 >= least) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(agent);
    for a in accounts {
        let (bytes, lines) = metered(a);
        assert_eq!(lines.len(), 1, "one line, for the account's router interface: {lines:#?}");
        assert!(lines[0]["resource_id"].as_str().unwrap().starts_with("ri-"), "{lines:#?}");
        assert!(
            (least..100 * 1042 + 20_000).contains(&bytes),
            "{a}: {bytes} bytes metered: {summary}\n{lines:#?}\nagent: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
}

/// A VPC (`<block>.0.0/16`) with a vswitch (`<block>.1.0/24`), a security group admitting
/// `protocol` from `cidr`, and one instance, made through `cli` (one account's commands);
/// returns the VPC, the instance and its address.
fn vpc_with_instance(
    cli: &dyn Fn(&[&str]) -> String,
    region: &str,
    zone: &str,
    block: &str,
    protocol: &str,
    cidr: &str,
) -> (String, String, String) {
    let vpc = cli(&["vpc", "create", "--region", region, "--cidr", &format!("{block}.0.0/16"), "--query", "id"]);
    let subnet = format!("{block}.1.0/24");
    let vsw = cli(&["vswitch", "create", "--vpc", &vpc, "--zone", zone, "--cidr", &subnet, "--query", "id"]);
    let sg = cli(&["security-group", "create", "--vpc", &vpc, "--query", "id"]);
    cli(&["security-group", "rule-add", &sg, "--direction", "ingress", "--protocol", protocol, "--cidr", cidr]);
    let made = cli(&["instance", "create", "--vswitch", &vsw, "--security-group", &sg, "--query", "id,private_ip"]);
    let (id, ip) = made.split_once('\t').unwrap();
    (vpc, id.to_owned(), ip.to_owned())
}

/// The grant, through the API and for real (as root): account B's VPC cannot be attached to
/// account A's hub before B grants it. The refused attachment changes nothing, the agent
/// realises what there is, and the real ping from A's instance to B's is lost, as the analyzer
/// answers. Once B grants and A attaches, the same ping is answered.
#[test]
fn without_the_grant_the_real_ping_fails_as_the_analyzer_says() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc_geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let server = start();
    let config = operator(&server);
    let state = server.dir.join("agent");
    let state = state.to_str().unwrap();
    let _teardown = Teardown(&config, state);
    let mut account = std::collections::BTreeMap::new();
    for name in ["a", "b"] {
        let made = json(xconnect(
            &config,
            &[],
            &["admin", "account", "create", "--kind", "tenant", "--name", name, "--save-profile", name, "-o", "json"],
        ));
        account.insert(name, made["account"]["id"].as_str().unwrap().to_owned());
    }
    let run = |who: &str, args: &[&str]| xconnect(&config, &[], &[&["--profile", who], args].concat());
    let on = |who: &str, args: &[&str]| ok(run(who, args)).trim().to_owned();
    let mut ends = Vec::new();
    for (who, region, zone, block) in
        [("a", "China North 2", "cn-beijing-a", "192.168"), ("b", "China North 1", "cn-qingdao-b", "172.16")]
    {
        let (vpc, id, ip) = vpc_with_instance(&|args| on(who, args), region, zone, block, "icmp", "0.0.0.0/0");
        ends.push((vpc, region, id, ip));
    }
    let [(vpc_a, region_a, from, _), (vpc_b, region_b, _, to)] = &ends[..] else { unreachable!() };
    let hub = on("a", &["hub", "create", "--name", "h", "--query", "id"]);
    on("a", &["attachment", "create", "--hub", &hub, "--vpc", vpc_a, "--region", region_a]);
    let attach_b =
        ["attachment", "create", "--hub", &hub, "--vpc", vpc_b, "--owner", &account["b"], "--region", region_b];
    let refused = run("a", &attach_b);
    assert!(!refused.status.success(), "attached without a grant");
    eprintln!("without the grant: {}", String::from_utf8_lossy(&refused.stderr).trim());
    let attached = json(run("a", &["attachment", "list", "--hub", &hub, "-o", "json"]));
    assert_eq!(attached["items"].as_array().unwrap().len(), 1, "the refused attachment changed nothing");

    let agree = |expect: bool| {
        ok(xconnect(&config, &[], &["agent", "run", "--once", "--state", state]));
        // (An unreachable answer is the command's verdict, in its exit status too.)
        let asked = run("a", &["connectivity", "test", "--from", from, "--to", to, "-o", "json"]);
        let answer: serde_json::Value = serde_json::from_slice(&asked.stdout).unwrap();
        assert_eq!(asked.status.success(), expect);
        let pinged = run("a", &["instance", "exec", from, "--", "ping", "-c", "2", "-W", "2", to]).status.success();
        assert_eq!(answer["reachable"], expect, "{answer:#}");
        assert_eq!(pinged, expect, "the real ping and the analyzer disagree: {answer:#}");
    };
    agree(false);
    on("b", &["grant", "create", "--vpc", vpc_b, "--region", region_b, "--hub", &hub, "--grantee", &account["a"]]);
    on("a", &attach_b);
    agree(true);
}

/// Goodput at the bought bandwidth through the API, as root: one tenant's two VPCs in two
/// regions on its hub, a 50 Mbit/s inter-region bandwidth, the agent running. iperf3's
/// receiver gets 50 Mbit/s within 5%; the bandwidth is then changed to 2 Mbit/s through the
/// API, the running agent carries it to the kernel, and 2 Mbit/s holds within 5%.
#[test]
fn a_bandwidth_changed_through_the_api_holds_in_the_kernel_within_seconds() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc_geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let server = start();
    let config = operator(&server);
    ok(xconnect(
        &config,
        &[],
        &["admin", "account", "create", "--kind", "tenant", "--name", "t", "--save-profile", "t"],
    ));
    let t = |args: &[&str]| ok(xconnect(&config, &[], &[&["--profile", "t"], args].concat())).trim().to_owned();
    let mut ends = Vec::new();
    for (region, zone, block) in [("China North 1", "cn-qingdao-b", "10.1"), ("China North 2", "cn-beijing-a", "10.2")]
    {
        let (vpc, id, ip) = vpc_with_instance(&t, region, zone, block, "all", "10.0.0.0/8");
        ends.push((vpc, region, id, ip));
    }
    let hub = t(&["hub", "create", "--name", "goodput", "--query", "id"]);
    for (vpc, region, _, _) in &ends {
        t(&["attachment", "create", "--hub", &hub, "--vpc", vpc, "--region", region]);
    }
    let pkg = t(&[
        "bandwidth-package",
        "create",
        "--name",
        "goodput",
        "--bandwidth",
        "60",
        "--area",
        "Mainland China",
        "--area",
        "Mainland China",
        "--billing-mode",
        "monthly",
        "--period",
        "1",
        "--hub",
        &hub,
        "--query",
        "id",
    ]);
    t(&["bandwidth-package", "pay", &pkg]);
    let irb = t(&[
        "inter-region-bandwidth",
        "create",
        "--hub",
        &hub,
        "--package",
        &pkg,
        "--region",
        "China North 1",
        "--region",
        "China North 2",
        "--bandwidth",
        "50",
        "--query",
        "id",
    ]);

    let state = server.dir.join("agent");
    let state = state.to_str().unwrap();
    let _teardown = Teardown(&config, state);
    let _agent = Stop(
        Command::new(BIN)
            .args(["agent", "run", "--state", state, "--interval-ms", "200"])
            .env("XCONNECT_CONFIG", &config)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let in_sync = || {
        (0..50).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let s = xconnect(&config, &[], &["agent", "status", "--state", state, "-o", "json"]);
            s.status.success() && serde_json::from_slice::<serde_json::Value>(&s.stdout).unwrap()["in_sync"] == true
        })
    };
    assert!(in_sync(), "the running agent realised the hub");
    let (from, (_, _, to_id, to_ip)) = (&ends[0].2, &ends[1]);
    // Best of three 4-second runs at most (after a first second left out, TCP's slow start):
    // on a shared 2-core machine a run can lose the CPU for a while.
    let goodput = |bought: f64| {
        let mut best: f64 = 0.0;
        for _ in 0..3 {
            let server = Command::new(BIN)
                .args(["instance", "exec", to_id, "--", "iperf3", "-s", "-1", "-B", to_ip])
                .env("XCONNECT_CONFIG", &config)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let server = Stop(server);
            std::thread::sleep(std::time::Duration::from_millis(400));
            let out = xconnect(
                &config,
                &[],
                &["instance", "exec", from, "--", "iperf3", "-c", to_ip, "-O", "1", "-t", "4", "-J"],
            );
            drop(server);
            assert!(out.status.success(), "iperf3: {}", String::from_utf8_lossy(&out.stdout));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let got = report["end"]["sum_received"]["bits_per_second"].as_f64().unwrap() / 1e6;
            eprintln!("{got:.3} Mbit/s received for {bought} bought");
            best = best.max(got);
            if delivers(got, bought) {
                break;
            }
        }
        best
    };
    let got = goodput(50.0);
    assert!(delivers(got, 50.0), "{got:.3} Mbit/s received for 50 bought");
    let changed = std::time::Instant::now();
    t(&["inter-region-bandwidth", "modify", &irb, "--bandwidth", "2"]);
    assert!(in_sync(), "the change reached the kernel");
    eprintln!("2 Mbit/s in the kernel {} ms after the API took it", changed.elapsed().as_millis());
    let got = goodput(2.0);
    assert!(delivers(got, 2.0), "{got:.3} Mbit/s received for 2 bought");
}

/// Whether TCP goodput is what was bought: 97% to 101% of it. The shaper's rate carries the
/// framing overhead (1514/1448), so a shaper without it would deliver about 4.4% less and fail
/// here, where a 5% bound let it pass.
fn delivers(got: f64, bought: f64) -> bool {
    (0.97..=1.01).contains(&(got / bought))
}
