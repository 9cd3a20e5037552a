//! The server in an operator's hands: the log line of each request (as text and as JSON), the
//! figures at /metrics, the lock on the data directory (and the agent's state directory), a
//! stop that finishes the requests in flight, per-account throttling, and a backup made while
//! the server runs, restored and served again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xconnect_store::testing::{Kind, TestDatabase};

use super::{BIN, json, ok, operator, start, start_on, xconnect};

/// A server started with extra arguments, its standard error in a file; stopped when dropped.
struct Logged {
    child: Child,
    endpoint: String,
    dir: PathBuf,
    log: PathBuf,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fresh_dir(what: &str) -> PathBuf {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let dir = std::env::temp_dir()
        .join(format!("xconnect-{what}-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `xconnect serve --data <dir>/data` with `args`, its log in `<dir>/serve.log`.
fn serve_logged(dir: &Path, args: &[&str]) -> Logged {
    let log = dir.join("serve.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.join("data"))
        .args(args)
        .env_remove("XCONNECT_LOG")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut endpoint = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines().take(5) {
        if let Some(rest) = line.unwrap().strip_prefix("xconnect listening on ") {
            endpoint = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let endpoint = endpoint.unwrap_or_else(|| panic!("serve prints its address; log: {}", read(&log)));
    Logged { child, endpoint, dir: dir.to_owned(), log }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// An unsigned GET over a plain socket; the whole answer, head and body.
fn get(endpoint: &str, path: &str) -> String {
    let mut s = TcpStream::connect(endpoint.trim_start_matches("http://")).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: xconnect\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

/// A tenant of `server` as environment variables for [`xconnect`]; its account id.
fn tenant(config: &Path, endpoint: &str, name: &str) -> (Vec<(&'static str, String)>, String) {
    let made =
        json(xconnect(config, &[], &["admin", "account", "create", "--kind", "tenant", "--name", name, "-o", "json"]));
    let env = vec![
        ("XCONNECT_ENDPOINT", endpoint.to_owned()),
        ("XCONNECT_ACCESS_KEY_ID", made["access_key"]["access_key_id"].as_str().unwrap().to_owned()),
        ("XCONNECT_ACCESS_KEY_SECRET", made["access_key"]["access_key_secret"].as_str().unwrap().to_owned()),
    ];
    (env, made["account"]["id"].as_str().unwrap().to_owned())
}

fn as_env<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn operator_of(server: &Logged) -> PathBuf {
    let config = server.dir.join("config.toml");
    let key = server.dir.join("data/operator.key");
    ok(xconnect(&config, &[], &["configure", "--endpoint", &server.endpoint, "--operator-key", key.to_str().unwrap()]));
    config
}

/// Each request is one log line with its id, account, method, route, status and latency; as
/// JSON with --log-format json; and without colour codes in a file.
#[test]
fn every_request_is_logged_once_with_its_id_and_account() {
    let dir = fresh_dir("log");
    let server = serve_logged(&dir, &["--log-format", "json"]);
    let config = operator_of(&server);
    let (env, account) = tenant(&config, &server.endpoint, "logged");
    let made = json(xconnect(
        &config,
        &as_env(&env),
        &["vpc", "create", "--region", "cn-qingdao", "--cidr", "10.0.0.0/16", "-o", "json"],
    ));
    let id = made["id"].as_str().unwrap();
    ok(xconnect(&config, &as_env(&env), &["vpc", "delete", id]));
    let refused = xconnect(&config, &as_env(&env), &["vpc", "get", id]);
    assert!(!refused.status.success());
    let lines: Vec<serde_json::Value> = read(&server.log)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let requests: Vec<&serde_json::Value> = lines.iter().filter(|l| l["message"] == "answered").collect();
    let create: Vec<_> = requests.iter().filter(|l| l["route"] == "/v1/vpcs" && l["method"] == "POST").collect();
    assert_eq!(create.len(), 1, "one line for the one create: {requests:#?}");
    let c = create[0];
    assert_eq!(c["status"], 201);
    assert_eq!(c["account"], account.as_str());
    assert_eq!(c["level"], "INFO");
    assert!(c["request_id"].as_str().unwrap().starts_with("req-"), "{c}");
    assert!(c["latency_ms"].as_f64().unwrap() >= 0.0);
    // The refusal (a 404) is logged too, by its route's template, not the id asked for.
    let miss =
        requests.iter().find(|l| l["route"] == "/v1/vpcs/{vpc_id}" && l["method"] == "GET").expect("the 404 is logged");
    assert_eq!(miss["status"], 404);
    drop(server);

    let dir = fresh_dir("log");
    let server = serve_logged(&dir, &[]);
    let config = operator_of(&server);
    ok(xconnect(&config, &[], &["region", "list"]));
    let text = read(&server.log);
    let line = text.lines().find(|l| l.contains("route=\"/v1/regions\"")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(" INFO ") && line.contains("status=200") && line.contains("request_id=\"req-"), "{line}");
    assert!(!text.contains('\u{1b}'), "no colour codes in a file: {text:?}");
}

/// After a seed's worth of requests, /metrics shows each, by route and status, with latency,
/// store commits and the nonce cache.
#[test]
fn metrics_count_the_requests_a_seed_made() {
    let server = start();
    let config = operator(&server);
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-001.sh");
    let key: toml::Value = toml::from_str(&read(&server.dir.join("data/operator.key"))).unwrap();
    let out = Command::new("bash")
        .arg(&seed)
        .env("XCONNECT_BIN", BIN)
        .env("XCONNECT_ENDPOINT", &server.endpoint)
        .env("XCONNECT_ACCESS_KEY_ID", key["access_key_id"].as_str().unwrap())
        .env("XCONNECT_ACCESS_KEY_SECRET", key["access_key_secret"].as_str().unwrap())
        .env("XCONNECT_CONFIG", &config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer = get(&server.endpoint, "/metrics");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("content-type: text/plain; version=0.0.4"), "{answer}");
    let sample = |name: &str| -> f64 {
        answer
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no sample {name}: {answer}"))
    };
    assert!(sample("xconnect_http_requests_total{method=\"POST\",route=\"/v1/vpcs\",status=\"201\"}") >= 2.0);
    assert!(
        sample("xconnect_http_requests_total{method=\"POST\",route=\"/v1/router-interfaces\",status=\"201\"}") >= 2.0
    );
    assert!(sample("xconnect_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/vpcs\"}") >= 2.0);
    assert!(sample("xconnect_store_commits_total") >= 10.0);
    assert!(sample("xconnect_store_commit_batch_size_count") >= 10.0);
    assert!(sample("xconnect_nonce_cache_entries") >= 10.0);
    assert_eq!(sample("xconnect_http_requests_in_flight"), 1.0, "this scrape is the one in flight");
    // A path no route knows is counted as unmatched, never by its path.
    assert!(get(&server.endpoint, "/no/such/thing").starts_with("HTTP/1.1 404"));
    let answer = get(&server.endpoint, "/metrics");
    assert!(answer.contains("route=\"unmatched\",status=\"404\"} 1"), "{answer}");
    assert!(!answer.contains("/no/such/thing"));
}

/// A second server on one data directory refuses to start and names the process that holds it;
/// once that one has stopped, it starts.
#[test]
fn a_second_server_on_one_data_directory_is_refused() {
    let mut server = start();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(server.dir.join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("in use by process {}", server.child.id())), "{stderr}");
    assert!(stderr.contains("another --data"), "{stderr}");
    server.pause();
    server.resume();
}

/// Two agents on one state directory: the second refuses, and so does a teardown beside a
/// running agent. (The holder here is flock(1), which takes the same kernel lock.)
#[test]
fn the_agents_state_directory_is_locked() {
    let dir = fresh_dir("agent-lock");
    // --no-fork: the lock's holder is the process this test ends, not a child it leaves behind.
    let mut holder = Command::new("flock")
        .args(["--no-fork"])
        .arg(dir.join("lock"))
        .args(["-c", "echo held; exec sleep 30"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    BufReader::new(holder.stdout.take().unwrap()).read_line(&mut said).unwrap();
    assert_eq!(said, "held\n");
    let out = Command::new(BIN)
        .args(["agent", "teardown", "--state"])
        .arg(&dir)
        .env("XCONNECT_CONFIG", "/dev/null")
        .output()
        .unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "teardown ran beside the holder");
    assert!(stderr.contains("xconnect agent") && stderr.contains("another --state"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SIGTERM with a request in flight: the request is answered, the server says it is stopping
/// and that it finished, and exits 0.
#[test]
fn a_stop_finishes_the_requests_in_flight_and_says_so() {
    let dir = fresh_dir("stop");
    let mut server = serve_logged(&dir, &[]);
    let mut s = TcpStream::connect(server.endpoint.trim_start_matches("http://")).unwrap();
    // Half a body: the request is in flight, waiting for the rest.
    write!(
        s,
        "POST /v1/vpcs HTTP/1.1\r\nHost: xconnect\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{{}}"
    )
    .unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !read(&server.log).contains("shutting down") {
        assert!(Instant::now() < deadline, "no word of stopping: {}", read(&server.log));
        std::thread::sleep(Duration::from_millis(50));
    }
    write!(s, "  ").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "the unsigned request is answered, not cut: {answer}");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let log = read(&server.log);
    assert!(log.contains("in_flight=1") && log.contains("stopped: every request in flight was answered"), "{log}");
}

/// Past its rate an account is refused with 429 Throttling.User and told when to retry; another
/// account is not held up by it.
#[test]
fn an_account_past_its_rate_is_throttled() {
    let dir = fresh_dir("throttle");
    let server = serve_logged(&dir, &["--throttle-rate", "1", "--throttle-burst", "3"]);
    let config = operator_of(&server);
    let (env, _) = tenant(&config, &server.endpoint, "busy");
    let env = as_env(&env);
    // The operator's own calls above took from the operator's bucket, not the tenant's.
    let mut refused = None;
    for _ in 0..6 {
        let out = xconnect(&config, &env, &["vpc", "list"]);
        if !out.status.success() {
            refused = Some(String::from_utf8_lossy(&out.stderr).into_owned());
            break;
        }
    }
    let refused = refused.expect("six calls at once exceed a burst of three");
    assert!(refused.contains("Throttling.User") && refused.contains("retry after 1 s"), "{refused}");
    let (other, _) = tenant(&config, &server.endpoint, "quiet");
    ok(xconnect(&config, &as_env(&other), &["vpc", "list"]));
    let answer = get(&server.endpoint, "/metrics");
    assert!(answer.contains("xconnect_http_requests_throttled_total 1"), "{answer}");
    assert!(answer.contains("route=\"/v1/vpcs\",status=\"429\"} 1"), "{answer}");
}

/// A backup taken while the server runs, restored into a new data directory (and database):
/// the server started on it has what the old one had, and the old keys still sign (seal.key
/// came with it).
fn backed_up_online_and_restored(database: Option<(String, String)>) {
    let server = start_on(database.as_ref().map(|(from, _)| from.clone()));
    let config = operator(&server);
    let (env, _) = tenant(&config, &server.endpoint.clone(), "kept");
    let env = as_env(&env);
    let vpc = json(xconnect(
        &config,
        &env,
        &["vpc", "create", "--region", "cn-qingdao", "--cidr", "10.1.0.0/16", "-o", "json"],
    ));
    let backup = server.dir.join("backup");
    let data = server.dir.join("data");
    let mut args = vec!["admin", "backup", backup.to_str().unwrap(), "--data", data.to_str().unwrap(), "-o", "json"];
    if let Some((from, _)) = &database {
        args.extend(["--database", from.as_str()]);
    }
    let made = json(xconnect(&config, &[], &args));
    assert_eq!(made["store"], if database.is_some() { "postgres" } else { "sqlite" });
    assert_eq!(made["keys"], serde_json::json!(["seal.key", "operator.key"]));
    // Made after the backup: not in it.
    ok(xconnect(&config, &env, &["vpc", "create", "--region", "cn-qingdao", "--cidr", "10.2.0.0/16"]));
    let again = xconnect(&config, &[], &args);
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"), "a backup is never written over");

    let restored = fresh_dir("restored");
    let into = restored.join("data");
    let mut args = vec!["admin", "restore", backup.to_str().unwrap(), "--data", into.to_str().unwrap()];
    if let Some((_, to)) = &database {
        args.extend(["--database", to.as_str()]);
    }
    ok(xconnect(&config, &[], &args));
    let twice = xconnect(&config, &[], &args);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"), "a restore never overwrites");
    drop(server);
    let extra: Vec<&str> = match &database {
        Some((_, to)) => vec!["--database", to.as_str()],
        None => vec![],
    };
    let second = serve_logged(&restored, &extra);
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(k, v)| if *k == "XCONNECT_ENDPOINT" { (*k, second.endpoint.as_str()) } else { (*k, *v) })
        .collect();
    let vpcs = json(xconnect(&config, &env, &["vpc", "list", "-o", "json"]));
    let ids: Vec<&str> = vpcs["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![vpc["id"].as_str().unwrap()]);
}

#[test]
fn a_backup_taken_online_restores_into_a_working_server_on_sqlite() {
    backed_up_online_and_restored(None);
}

#[test]
fn a_backup_taken_online_restores_into_a_working_server_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let from = runtime.block_on(TestDatabase::new(Kind::Postgres));
    let to = runtime.block_on(TestDatabase::new(Kind::Postgres));
    backed_up_online_and_restored(Some((from.url.clone(), to.url.clone())));
}
