//! The choices the CLI knows itself: the completion scripts it prints, the fixed words it refuses
//! before any request, and what the server says of a misspelt region or zone.

use std::process::Command;

use super::{BIN, ok, operator, start, xconnect};

/// `completions bash` offers the shipped catalogue's regions and zones and each fixed choice,
/// and bash loads the script as it is.
#[test]
fn completion_scripts_offer_the_choices() {
    let bash = ok(Command::new(BIN).args(["completions", "bash"]).output().unwrap());
    for word in ["cn-qingdao", "cn-qingdao-b", "us-east-1", "chinese-mainland"] {
        assert!(bash.contains(word), "bash completes {word}");
    }
    for choices in ["tcp udp icmp all", "icmp tcp udp", "ingress egress", "initiator acceptor", "tenant partner"] {
        assert!(bash.contains(&format!("compgen -W \"{choices}\"")), "bash completes {choices}");
    }
    assert!(bash.contains("Mini.2") && bash.contains("Xlarge.1"), "bash completes specs");
    assert!(bash.contains("completions") && bash.contains("configure"), "and the commands");

    // Loaded into bash, it registers a completion for xconnect.
    let script = std::env::temp_dir().join(format!("xconnect-completion-{}.bash", std::process::id()));
    std::fs::write(&script, &bash).unwrap();
    let loaded = Command::new("bash")
        .args(["-c", &format!("source '{}' && complete -p xconnect", script.display())])
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_file(&script);
    assert!(loaded.status.success(), "bash loads the script: {}", String::from_utf8_lossy(&loaded.stderr));
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("xconnect"));

    for shell in ["zsh", "fish"] {
        let script = ok(Command::new(BIN).args(["completions", shell]).output().unwrap());
        assert!(script.contains("cn-qingdao") && script.contains("icmp"), "{shell} completes regions and protocols");
    }
    let out = Command::new(BIN).args(["completions", "cmd.exe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A fixed choice the model does not have is refused by the CLI itself: exit code 2, the
/// choices listed, and no request sent (nothing listens at the endpoint, which would be exit
/// code 1 and "nothing answers").
#[test]
fn a_wrong_choice_is_refused_before_any_request() {
    let config = std::env::temp_dir().join(format!("xconnect-cli-choices-{}.toml", std::process::id()));
    let env = [
        ("XCONNECT_ENDPOINT", "http://127.0.0.1:9"),
        ("XCONNECT_ACCESS_KEY_ID", "ak-222222222222222222222222"),
        ("XCONNECT_ACCESS_KEY_SECRET", "secret"),
    ];
    let rule = ["security-group", "rule-add", "sg-x", "--direction", "ingress", "--cidr", "10.0.0.0/8"];
    let cases: [(Vec<&str>, &str); 5] = [
        ([&rule[..], &["--protocol", "sctp"]].concat(), "[possible values: tcp, udp, icmp, all]"),
        (vec!["connectivity", "test", "--from", "i-x", "--to", "10.0.0.1", "--protocol", "all"], "icmp, tcp, udp"),
        (vec!["router-interface", "create", "--vpc", "vpc-x", "--role", "both", "--peer-region", "x"], "initiator"),
        (
            vec![
                "router-interface",
                "create",
                "--vpc",
                "v",
                "--role",
                "initiator",
                "--peer-region",
                "x",
                "--spec",
                "Huge.9",
            ],
            "Mini.2",
        ),
        (vec!["admin", "account", "create", "--kind", "operator", "--name", "x"], "tenant, partner"),
    ];
    for (args, listed) in cases {
        let out = xconnect(&config, &env, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("invalid value") && stderr.contains(listed), "{args:?}: {stderr}");
    }
}

/// A misspelt region or zone reaches the server (which may run another catalogue than the one
/// shipped), and its refusal names the closest it knows.
#[test]
fn a_misspelt_region_or_zone_is_answered_with_the_closest() {
    let server = start();
    let config = operator(&server);
    let out = xconnect(&config, &[], &["vpc", "create", "--region", "cn-qindao", "--cidr", "10.0.0.0/16"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("UnknownRegion") && stderr.contains("did you mean cn-qingdao?"), "{stderr}");

    // Display names are taken as before; a zone one letter off gets the region's zones nearest it.
    let vpc = ok(xconnect(
        &config,
        &[],
        &["vpc", "create", "--region", "China (Qingdao)", "--cidr", "10.0.0.0/16", "--query", "id"],
    ));
    let out = xconnect(
        &config,
        &[],
        &["vswitch", "create", "--vpc", vpc.trim(), "--zone", "cn-qingdao-x", "--cidr", "10.0.1.0/24"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("UnknownZone"), "{stderr}");
    assert!(stderr.contains("did you mean cn-qingdao-b or cn-qingdao-c?"), "{stderr}");
}
