//! The CLI in a script's hands: its output piped into a reader that stops early, and
//! `--query` given a field the result does not have.

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
