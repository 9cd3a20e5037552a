//! Which build is which: `--version` names the commit the binary was built from, the server
//! names its build on every answer, and a client warns once when the server's is another.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use super::*;

use xconnect_model::version::{Build, VERSION_HEADER};

/// The build `xconnect --version` names.
fn version() -> Build {
    let out = ok(Command::new(BIN).arg("--version").output().unwrap());
    let line = out.strip_suffix('\n').unwrap_or(&out);
    let build = line.strip_prefix("xconnect ").and_then(Build::parse);
    build.unwrap_or_else(|| panic!("--version says `xconnect VERSION (commit HASH)`: {out:?}"))
}

#[test]
fn version_names_the_commit() {
    let b = version();
    assert_eq!(b.version, env!("CARGO_PKG_VERSION"));
    // Built from this repository's checkout, the commit is a short hash; from a tarball, unknown.
    let hash = b.commit.strip_suffix("-dirty").unwrap_or(&b.commit);
    assert!(
        b.commit == "unknown" || (hash.len() >= 7 && hash.bytes().all(|c| c.is_ascii_hexdigit())),
        "a short hash, with -dirty when the tree had changes, or unknown: {}",
        b.commit
    );
}

/// One plain HTTP/1.1 GET; the answer's head (lower-cased header names) and body.
fn get(endpoint: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(endpoint.trim_start_matches("http://")).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nhost: xconnect\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_ascii_lowercase(), body.to_owned())
}

/// The value of header `name` in a head `get` returned.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':')).map(str::trim)
}

#[test]
fn the_server_names_its_build_on_every_answer() {
    let server = start();
    let mine = version();
    // Unsigned, refused for want of a signature, and a route that does not exist: each names it.
    for (path, status) in [("/healthz", "200"), ("/v1/vpcs", "401"), ("/v1/no-such-route", "404")] {
        let (head, _) = get(&server.endpoint, path);
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{path}: {head}");
        let named = header(&head, VERSION_HEADER).and_then(Build::parse);
        // Lower-cased with the head: the hash is lower-case hex already.
        assert_eq!(named, Some(mine.clone()), "{path}: {head}");
    }
    // A client of the same build says nothing of it.
    let config = operator(&server);
    let out = xconnect(&config, &[], &["whoami"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "a client of the server's build does not warn");
}

/// A stand-in for a server of another build, over real HTTP on loopback: it answers each list
/// request with an empty page, the first with a next page to fetch, and counts the requests.
fn other_build(listener: TcpListener, build: &'static str) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut served = 0;
        for stream in listener.incoming() {
            let mut s = stream.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            if head.is_empty() {
                break;
            }
            let last = head.lines().next().unwrap().contains("next_token=page-2");
            let body = if last { r#"{"items":[],"next_token":null}"# } else { r#"{"items":[],"next_token":"page-2"}"# };
            write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{VERSION_HEADER}: {build}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            served += 1;
            if last {
                break;
            }
        }
        served
    })
}

#[test]
fn a_client_warns_once_of_a_server_of_another_build() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = other_build(listener, "0.0.1 (commit 0000000)");
    let config = std::env::temp_dir().join("xconnect-cli-other-build.toml");
    let env = [
        ("XCONNECT_ENDPOINT", endpoint.as_str()),
        ("XCONNECT_ACCESS_KEY_ID", "ak-222222222222222222222222"),
        ("XCONNECT_ACCESS_KEY_SECRET", "secret"),
    ];
    let out = xconnect(&config, &env, &["vpc", "list", "--all"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(server.join().unwrap(), 2, "two pages, two answers naming the other build");
    let warning = format!(
        "warning: the server at {endpoint} runs xconnect 0.0.1 (commit 0000000), this client is {};",
        version()
    );
    assert_eq!(stderr.matches(&warning).count(), 1, "warned once:\n{stderr}");
    assert_eq!(stderr.lines().count(), 1, "and nothing else:\n{stderr}");
}
