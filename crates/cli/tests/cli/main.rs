//! The `xconnect` binary end to end, one test binary with a file per concern: the README's
//! quickstart and the commands' help (`quickstart.rs`), the seed scripts against a real server
//! with the statements they leave (`seeds.rs`), and, as root, each seed realised by the agent in
//! network namespaces and answered by a real ping (`dataplane.rs`), the CLI in a script's
//! hands (`scripting.rs`), a server killed mid-write (`kill.rs`), the choices and completions the
//! CLI knows itself (`completions.rs`), `configure` on a terminal and off one (`configure.rs`),
//! which build a binary and a server are (`version.rs`), `doctor` on this machine
//! (`doctor.rs`), and the server in an operator's hands: its log, metrics, locks, stop,
//! throttling and backups (`operations.rs`). This file holds what they share: a server on a
//! fresh data directory, the binary under test, and teardown guards.

mod completions;
mod configure;
mod dataplane;
mod doctor;
mod kill;
mod operations;
mod quickstart;
mod scripting;
mod seeds;
mod version;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xconnect");

/// A server process this test started; stopped by its id when dropped.
struct Serve {
    child: Child,
    endpoint: String,
    dir: PathBuf,
    /// The PostgreSQL database it keeps its store in, when not the embedded one.
    database: Option<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start() -> Serve {
    start_on(None)
}

/// A server on a fresh data directory, its store in `database` (a postgres:// URL) or, with
/// none, in the embedded SQLite file.
fn start_on(database: Option<String>) -> Serve {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let dir =
        std::env::temp_dir().join(format!("xconnect-cli-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>()));
    let (child, endpoint, said_key) = serve(&dir, "127.0.0.1:0", database.as_deref());
    assert!(said_key, "the first start says where the operator's key is");
    Serve { child, endpoint, dir, database }
}

/// Starts `xconnect serve` on `dir`'s data at `listen` (its store in `database` if given);
/// returns it, its address and whether it said where a new operator key is.
fn serve(dir: &Path, listen: &str, database: Option<&str>) -> (Child, String, bool) {
    let mut command = Command::new(BIN);
    command.args(["serve", "--listen", listen, "--data"]).arg(dir.join("data"));
    if let Some(url) = database {
        command.args(["--database", url]);
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut endpoint = None;
    let mut said_key = false;
    for line in lines.by_ref().take(5) {
        let line = line.unwrap();
        said_key |= line.contains("operator.key");
        if let Some(rest) = line.strip_prefix("xconnect listening on ") {
            endpoint = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    (child, endpoint.expect("serve prints its address"), said_key)
}

impl Serve {
    /// Stops the server; its data stays for [`Serve::resume`].
    fn pause(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same data, at the same address.
    fn resume(&mut self) {
        let listen = self.endpoint.trim_start_matches("http://").to_owned();
        let (child, endpoint, _) = serve(&self.dir, &listen, self.database.as_deref());
        assert_eq!(endpoint, self.endpoint);
        self.child = child;
    }
}

fn xconnect(config: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("XCONNECT_CONFIG", config)
        .env_remove("XCONNECT_ACCESS_KEY_ID")
        .env_remove("XCONNECT_ACCESS_KEY_SECRET");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The client configured as the operator of `server`; the config file's path.
fn operator(server: &Serve) -> PathBuf {
    let config = server.dir.join("config.toml");
    let key = server.dir.join("data/operator.key");
    ok(xconnect(&config, &[], &["configure", "--endpoint", &server.endpoint, "--operator-key", key.to_str().unwrap()]));
    config
}

/// Whatever happens in a data-plane test, what the agent made under this state directory goes
/// with it.
struct Teardown<'a>(&'a Path, &'a str);

impl Drop for Teardown<'_> {
    fn drop(&mut self) {
        let _ = xconnect(self.0, &[], &["agent", "teardown", "--state", self.1]);
    }
}

/// An agent process this test started; stopped by its id when dropped.
struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(out: Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}
