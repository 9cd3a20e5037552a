//! `xconnect configure` as a person and as a script meet it: asking on a real terminal (a pty
//! from util-linux's `script`), refusing off one when given nothing, and `configure list`.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{BIN, Serve, json, ok, start, xconnect};

/// `xconnect configure --profile NAME` run on a pseudo-terminal, its output read as it comes.
struct Pty {
    child: std::process::Child,
    output: mpsc::Receiver<Vec<u8>>,
    seen: String,
}

impl Pty {
    fn configure(config: &std::path::Path, profile: &str) -> Pty {
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &format!("'{BIN}' configure --profile {profile}"), "/dev/null"])
            .env("XCONNECT_CONFIG", config)
            .env_remove("XCONNECT_ACCESS_KEY_ID")
            .env_remove("XCONNECT_ACCESS_KEY_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("`script` (util-linux, in Debian's essential bsdutils) gives the test a terminal");
        let mut stdout = child.stdout.take().unwrap();
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty { child, output, seen: String::new() }
    }

    /// Waits until the terminal has shown `prompt`, then types `answer` and Enter. Typed only
    /// once the question is up, as a person would: the secret's is typed with the echo off.
    fn answer(&mut self, prompt: &str, answer: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.seen.contains(prompt) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!("no '{prompt}' on the terminal; it shows: {}", self.seen),
            }
        }
        // What was read up to the prompt is not looked at again for the next one.
        let after = self.seen.find(prompt).unwrap() + prompt.len();
        self.seen = self.seen[after..].to_owned();
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Everything the terminal showed after the last prompt, and whether the command succeeded.
    fn finish(mut self) -> (bool, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut all = std::mem::take(&mut self.seen);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => all.push_str(&String::from_utf8_lossy(&bytes)),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("configure did not end; it shows: {all}");
                }
            }
        }
        drop(self.child.stdin.take());
        (self.child.wait().unwrap().success(), all)
    }
}

/// The operator key's id and secret, as a person would copy them from the file.
fn operator_key(server: &Serve) -> (String, String) {
    let text = std::fs::read_to_string(server.dir.join("data/operator.key")).unwrap();
    let field = |name: &str| {
        let line = text.lines().find_map(|l| l.strip_prefix(&format!("{name} = "))).unwrap();
        line.trim().trim_matches('"').to_owned()
    };
    (field("access_key_id"), field("access_key_secret"))
}

/// On a terminal, `configure` with no flags asks for the endpoint, key id and secret, the
/// secret without echo; the profile it writes works. Asked again, Enter keeps each value.
#[test]
fn configure_on_a_terminal_asks_and_writes_the_profile() {
    let server = start();
    let config = server.dir.join("config.toml");
    let (id, secret) = operator_key(&server);

    let mut pty = Pty::configure(&config, "ops");
    pty.answer("Endpoint [http://127.0.0.1:7878]: ", &server.endpoint);
    pty.answer("Access key id: ", &id);
    pty.answer("Access key secret: ", &secret);
    let (success, shown) = pty.finish();
    assert!(success, "{shown}");
    assert!(shown.contains("profile 'ops' written"), "{shown}");
    assert!(!shown.contains(&secret), "the secret is not echoed: {shown}");
    let me = json(xconnect(&config, &[], &["--profile", "ops", "whoami", "-o", "json"]));
    assert_eq!(me["kind"], "operator");

    // The current values are the answers Enter gives.
    let mut pty = Pty::configure(&config, "ops");
    pty.answer(&format!("Endpoint [{}]: ", server.endpoint), "");
    pty.answer(&format!("Access key id [{id}]: "), "");
    pty.answer("Access key secret [keep the current one]: ", "");
    let (success, shown) = pty.finish();
    assert!(success, "{shown}");
    let me = json(xconnect(&config, &[], &["--profile", "ops", "whoami", "-o", "json"]));
    assert_eq!(me["kind"], "operator");
}

/// Off a terminal, with nothing to write, `configure` refuses with exit code 2 and names the
/// flags a script passes, and leaves the config file as it was (here: not there at all).
#[test]
fn configure_with_nothing_off_a_terminal_exits_2() {
    let dir = std::env::temp_dir().join(format!("xconnect-cli-configure-{}", std::process::id()));
    let config = dir.join("config.toml");
    let out = xconnect(&config, &[], &["configure"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for flag in ["--endpoint", "--access-key-id", "--access-key-secret", "--operator-key"] {
        assert!(stderr.contains(flag), "names {flag}: {stderr}");
    }
    assert!(out.stdout.is_empty(), "says nothing was written");
    assert!(!config.exists(), "writes nothing");
}

/// `configure list` shows each profile's endpoint and key id, never its secret, as a table or
/// as JSON; `--endpoint` beside `list` is refused rather than half obeyed.
#[test]
fn configure_list_shows_profiles_without_secrets() {
    let dir = std::env::temp_dir().join(format!("xconnect-cli-configure-list-{}", std::process::id()));
    let config = dir.join("config.toml");
    let endpoint = "http://127.0.0.1:7878";
    let (id, secret) = ("ak-222222222222222222222222", "a-secret-never-shown");
    let set = |profile: &str, endpoint: &str| {
        ok(xconnect(
            &config,
            &[],
            &[
                "configure",
                "--profile",
                profile,
                "--endpoint",
                endpoint,
                "--access-key-id",
                id,
                "--access-key-secret",
                secret,
            ],
        ))
    };
    set("default", endpoint);
    set("staging", "http://127.0.0.1:7979");

    let table = ok(xconnect(&config, &[], &["configure", "list"]));
    assert!(table.starts_with("PROFILE"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("default") && l.contains(endpoint) && l.contains(id)));
    assert!(table.lines().any(|l| l.starts_with("staging") && l.contains("http://127.0.0.1:7979")));
    assert!(!table.contains(secret), "{table}");

    let listed = json(xconnect(&config, &[], &["configure", "list", "--output", "json"]));
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1],
        serde_json::json!({"name": "staging", "endpoint": "http://127.0.0.1:7979", "access_key_id": id})
    );
    assert!(!listed.to_string().contains(secret));

    let out = xconnect(&config, &[], &["configure", "--endpoint", "http://x", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
