//! The README's quickstart through the client commands, in tables and in JSON; sealed secrets
//! across a restart; the help and the errors a new user meets.

use super::*;

#[test]
fn the_quickstart_works() {
    let server = start();
    let config = server.dir.join("config.toml");
    let key = server.dir.join("data/operator.key");
    let out = ok(xconnect(
        &config,
        &[],
        &["configure", "--endpoint", &server.endpoint, "--operator-key", key.to_str().unwrap()],
    ));
    assert!(out.contains("profile 'default' written"));
    assert!(ok(xconnect(&config, &[], &["whoami"])).contains("operator"));

    let mut tenants = Vec::new();
    for name in ["A", "B"] {
        let made = json(xconnect(
            &config,
            &[],
            &["admin", "account", "create", "--kind", "tenant", "--name", name, "-o", "json"],
        ));
        tenants.push((
            made["access_key"]["access_key_id"].as_str().unwrap().to_owned(),
            made["access_key"]["access_key_secret"].as_str().unwrap().to_owned(),
        ));
    }
    let mut vpcs = Vec::new();
    for ((id, secret), cidr) in tenants.iter().zip(["192.168.0.0/16", "172.16.0.0/12"]) {
        let env = [("XCONNECT_ACCESS_KEY_ID", id.as_str()), ("XCONNECT_ACCESS_KEY_SECRET", secret.as_str())];
        let vpc = json(xconnect(
            &config,
            &env,
            &["vpc", "create", "--region", "cn-qingdao", "--cidr", cidr, "--name", "vpc1", "-o", "json"],
        ));
        let vpc_id = vpc["id"].as_str().unwrap().to_owned();
        assert!(vpc_id.starts_with("vpc-"));
        assert_eq!(vpc["cidr_block"], cidr);
        let table = ok(xconnect(&config, &env, &["vpc", "list"]));
        assert!(table.starts_with("ID"), "a table with headers: {table}");
        assert!(table.contains(&vpc_id) && table.contains(cidr));
        assert_eq!(table.lines().count(), 2, "each tenant sees its own VPC only: {table}");
        let got = json(xconnect(&config, &env, &["vpc", "get", &vpc_id, "-o", "json"]));
        assert_eq!(got, vpc);
        vpcs.push(vpc_id);
    }

    // --save-profile writes the new key to a profile, which --profile then signs with.
    let out = xconnect(
        &config,
        &[],
        &["admin", "account", "create", "--kind", "tenant", "--name", "C", "--save-profile", "carol"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("profile 'carol' written"));
    ok(out);
    let vpc = json(xconnect(
        &config,
        &[],
        &["--profile", "carol", "vpc", "create", "--region", "us-east-1", "--cidr", "10.0.0.0/8", "-o", "json"],
    ));
    assert_eq!(vpc["region"], "us-east-1");
    let me = json(xconnect(&config, &[], &["--profile", "carol", "whoami", "-o", "json"]));
    assert_eq!((me["name"].as_str(), me["id"].as_str()), (Some("C"), vpc["account_id"].as_str()));

    // The tutorials' closing ping, answered from the model: exit 0 when it arrives, 3 when not.
    let carol = |args: &[&str]| {
        let mut all = vec!["--profile", "carol"];
        all.extend_from_slice(args);
        xconnect(&config, &[], &all)
    };
    let vpc_id = vpc["id"].as_str().unwrap();
    let vsw = json(carol(&[
        "vswitch",
        "create",
        "--vpc",
        vpc_id,
        "--zone",
        "us-east-1a",
        "--cidr",
        "10.1.0.0/24",
        "-o",
        "json",
    ]));
    let vsw = vsw["id"].as_str().unwrap();
    let sg = json(carol(&["security-group", "create", "--vpc", vpc_id, "-o", "json"]));
    let sg = sg["id"].as_str().unwrap();
    ok(carol(&[
        "security-group",
        "rule-add",
        sg,
        "--direction",
        "ingress",
        "--protocol",
        "icmp",
        "--cidr",
        "10.1.0.0/24",
    ]));
    let one = json(carol(&["instance", "create", "--vswitch", vsw, "--security-group", sg, "-o", "json"]));
    let two = json(carol(&["instance", "create", "--vswitch", vsw, "--security-group", sg, "-o", "json"]));
    let to = two["private_ip"].as_str().unwrap();
    let out = ok(carol(&["connectivity", "test", "--from", one["id"].as_str().unwrap(), "--to", to]));
    assert!(out.lines().next().unwrap().ends_with("reachable"), "{out}");
    assert!(out.contains("ingress") && out.contains("return_route"), "{out}");
    let out = carol(&["connectivity", "test", "--from", one["id"].as_str().unwrap(), "--to", "10.1.0.99"]);
    assert_eq!(out.status.code(), Some(3), "unreachable exits 3");
    assert!(String::from_utf8_lossy(&out.stdout).contains("blocked: no_instance"));
    let matrix = ok(carol(&["connectivity", "matrix"]));
    assert_eq!(matrix.lines().count(), 3, "a header and the two ordered pairs: {matrix}");
    assert!(matrix.lines().skip(1).all(|l| l.ends_with("reachable")), "{matrix}");

    // Errors exit non-zero with the server's code and message.
    let (id, secret) = &tenants[0];
    let env = [("XCONNECT_ACCESS_KEY_ID", id.as_str()), ("XCONNECT_ACCESS_KEY_SECRET", secret.as_str())];
    let out = xconnect(&config, &env, &["vpc", "create", "--region", "cn-qingdao", "--cidr", "192.168.1.0/16"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("InvalidCidr.HostBitsSet") && err.contains("did you mean 192.168.0.0/16"), "{err}");
    let out = xconnect(&config, &env, &["vpc", "get", &vpcs[1], "-o", "json"]);
    assert!(!out.status.success());
    let body: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(body["code"], "NotFound", "another tenant's VPC does not exist for A");
}

/// The data directory keeps its secrets to itself: key files readable by their owner only, and
/// no access key secret in the database in plain text. A second start keeps the operator.
#[test]
fn secrets_stay_sealed_and_a_restart_keeps_the_operator() {
    use std::os::unix::fs::PermissionsExt;
    let mut server = start();
    let config = server.dir.join("config.toml");
    let data = server.dir.join("data");
    let key = data.join("operator.key");
    ok(xconnect(&config, &[], &["configure", "--endpoint", &server.endpoint, "--operator-key", key.to_str().unwrap()]));
    let made =
        json(xconnect(&config, &[], &["admin", "account", "create", "--kind", "partner", "--name", "P", "-o", "json"]));
    let secret = made["access_key"]["access_key_secret"].as_str().unwrap().to_owned();
    let operator_secret = std::fs::read_to_string(&key).unwrap();
    for file in ["operator.key", "seal.key"] {
        let mode = std::fs::metadata(data.join(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
    assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);

    // Stop the server (the process this test started) and look at what it left on disk.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("xconnect.db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!stored.is_empty());
    let contains = |needle: &str| stored.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!contains(&secret), "a tenant's secret is in the database in plain text");
    let op_secret =
        operator_secret.lines().find_map(|l| l.strip_prefix("access_key_secret = ")).unwrap().trim_matches('"');
    assert!(!contains(op_secret), "the operator's secret is in the database in plain text");

    // A second start on the same data directory makes no new operator; the old key still works.
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut endpoint = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines().take(5) {
        let line = line.unwrap();
        assert!(!line.contains("operator.key"), "a restart does not make a new operator key: {line}");
        if let Some(rest) = line.strip_prefix("xconnect listening on ") {
            endpoint = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    server.child = child;
    server.endpoint = endpoint.unwrap();
    assert_eq!(std::fs::read_to_string(&key).unwrap(), operator_secret);
    let env = [("XCONNECT_ENDPOINT", server.endpoint.as_str())];
    assert!(ok(xconnect(&config, &env, &["whoami"])).contains("operator"));
    let accounts = json(xconnect(&config, &env, &["admin", "account", "list", "-o", "json"]));
    assert_eq!(accounts["items"].as_array().unwrap().len(), 2, "the operator and the partner");

    // With another seal.key the secrets cannot be opened: the server says so and does not start.
    let _ = server.child.kill();
    let _ = server.child.wait();
    std::fs::write(data.join("seal.key"), format!("{}\n", "ab".repeat(32))).unwrap();
    let out = Command::new(BIN).args(["serve", "--listen", "127.0.0.1:0", "--data"]).arg(&data).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not open the access key secrets"));
}

#[test]
fn help_explains_the_commands() {
    let out = ok(Command::new(BIN).arg("--help").output().unwrap());
    for word in ["serve", "configure", "vpc", "vswitch", "instance", "security-group", "route-entry", "audit", "bench"]
    {
        assert!(out.contains(word), "--help lists {word}");
    }
    let out = ok(Command::new(BIN).args(["vpc", "create", "--help"]).output().unwrap());
    assert!(out.contains("--region") && out.contains("--cidr"));
}

#[test]
fn commands_without_credentials_say_what_to_do() {
    let dir = std::env::temp_dir().join("xconnect-cli-nocreds");
    let out = xconnect(&dir.join("none.toml"), &[], &["vpc", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("xconnect configure"));
}
