//! The CLI in a script's hands: its output piped into a reader that stops early, `--query`
//! given a field the result does not have, and an endpoint where nothing answers.

use std::process::{Command, Stdio};

use super::{BIN, operator, start, xconnect};

/// `xconnect region list | head -0`, as it were: the reader is gone before anything is written.
/// The program must end quietly, as `ls` does, not panic (exit 101) on the broken pipe.
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    let server = start();
    let config = operator(&server);
    for args in [&["region", "list"][..], &["region", "list", "--output", "json"], &["audit", "list", "--all"]] {
        let mut child = Command::new(BIN)
            .args(args)
            .env("XCONNECT_CONFIG", &config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} said: {stderr}");
    }
}

/// A misspelt `--query` field is refused, naming the fields there are, instead of printing
/// blank lines and exiting 0.
#[test]
fn query_refuses_a_field_the_result_does_not_have() {
    let server = start();
    let config = operator(&server);
    let out = xconnect(&config, &[], &["admin", "account", "list", "--query", "id,nmae"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("'nmae'") && stderr.contains("name"), "{stderr}");
    // Every field a result has, even when empty (`null`), is taken.
    let out = xconnect(&config, &[], &["admin", "account", "list", "--query", "id,name"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.ends_with("\toperator")));
}

/// Where nothing listens, the CLI says so and what to do, not only that a request failed.
#[test]
fn a_refused_connection_says_the_server_may_not_be_running() {
    // A port that was free a moment ago: nothing listens on it now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = std::env::temp_dir().join(format!("xconnect-cli-nothing-{port}.toml"));
    let env = [
        ("XCONNECT_ENDPOINT", endpoint.as_str()),
        ("XCONNECT_ACCESS_KEY_ID", "ak-222222222222222222222222"),
        ("XCONNECT_ACCESS_KEY_SECRET", "secret"),
    ];
    let out = xconnect(&config, &env, &["region", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("nothing answers at {endpoint}")), "{stderr}");
    assert!(stderr.contains("is the server running there?") && stderr.contains("refused"), "{stderr}");
}
