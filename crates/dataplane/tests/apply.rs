//! The desired state applied to real namespaces, as root: two instances of one VPC, where the
//! real ping gets through exactly when the analyzer says it does: with the security-group rule,
//! and not after it is revoked. Applying twice is applying once. Every namespace made here is
//! deleted at the end, with what ran inside.

use std::net::IpAddr;

use xconnect_dataplane as dp;
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

fn id<T: ResourceId>(seed: &[u8; 4], n: u8) -> T {
    let mut b = [n; ID_ENTROPY_BYTES];
    b[ID_ENTROPY_BYTES - 4..].copy_from_slice(seed);
    T::from_entropy(&b)
}

fn snapshot(seed: &[u8; 4], with_rule: bool) -> Snapshot {
    let at = Timestamp::from_millis(0);
    let region = RegionId::from_trusted("cn-qingdao".into());
    let vswitch = VSwitch {
        id: id(seed, 3),
        account_id: id(seed, 1),
        vpc_id: id(seed, 2),
        region: region.clone(),
        zone: "z".into(),
        cidr_block: Cidr::parse("c", "10.7.1.0/24").unwrap(),
        name: None,
        description: Description::default(),
        created_at: at,
    };
    let instance = |n: u8, ip: &str, sg: u8| Instance {
        id: id(seed, n),
        account_id: id(seed, 1),
        vpc_id: id(seed, 2),
        vswitch_id: id(seed, 3),
        region: region.clone(),
        zone: "z".into(),
        private_ip: ip.parse().unwrap(),
        security_group_ids: vec![id(seed, sg)],
        name: None,
        description: Description::default(),
        created_at: at,
    };
    let mut s = Snapshot {
        vpcs: vec![Vpc {
            id: id(seed, 2),
            account_id: id(seed, 1),
            region: region.clone(),
            cidr_block: Cidr::parse("c", "10.7.0.0/16").unwrap(),
            name: None,
            description: Description::default(),
            vrouter_id: id(seed, 2),
            route_table_id: id(seed, 2),
            created_at: at,
        }],
        vswitches: vec![vswitch],
        instances: vec![instance(10, "10.7.1.10", 20), instance(11, "10.7.1.11", 21)],
        ..Default::default()
    };
    if with_rule {
        s.rules.push(SecurityGroupRule {
            id: id(seed, 30),
            security_group_id: id(seed, 21),
            direction: Direction::Ingress,
            protocol: Protocol::Icmp,
            port_range: None,
            peer: RulePeer::Cidr { cidr_block: Cidr::parse("c", "10.7.1.10/32").unwrap() },
            priority: 1,
            policy: Policy::Accept,
            description: Description::default(),
            created_at: at,
        });
    }
    s
}

fn ping(from_ns: &str, to: &str) -> bool {
    let mut cmd = dp::command_in(from_ns, "ping").unwrap();
    cmd.args(["-c", "1", "-W", "1", to]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd.status().unwrap().success()
}

fn verdict(s: Snapshot, seed: &[u8; 4]) -> bool {
    let q = Question {
        from: id(seed, 10),
        to: "10.7.1.11".parse::<IpAddr>().unwrap(),
        protocol: Protocol::Icmp,
        port: None,
    };
    View::new(s).test(&q).unwrap().reachable
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_ping_gets_through_exactly_when_the_analyzer_says() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the data plane's tests run as root (as .ci/run does)");
    let mut seed = [0u8; 4];
    getrandom::fill(&mut seed).unwrap();
    let desired = View::new(snapshot(&seed, true)).desired_state();
    let _cleanup = Cleanup(desired.namespaces.iter().map(|n| n.name.clone()).collect());
    let result = async {
        dp::apply(&desired, false).await?;
        dp::apply(&desired, false).await?;
        let a = dxp(&desired, "10.7.1.10");
        assert!(verdict(snapshot(&seed, true), &seed));
        assert!(ping(&a, "10.7.1.11"), "with the rule the analyzer says reachable, and so does ping");
        let revoked = View::new(snapshot(&seed, false)).desired_state();
        dp::apply(&revoked, false).await?;
        assert!(!verdict(snapshot(&seed, false), &seed));
        assert!(!ping(&a, "10.7.1.11"), "without it both say no");
        std::io::Result::Ok(())
    }
    .await;
    result.unwrap();
}

/// Deletes the namespaces a test made, whether it passes or panics.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if std::env::var_os("XC_KEEP").is_some() {
            return;
        }
        for n in &self.0 {
            let _ = dp::delete(n);
        }
    }
}

/// The namespace of the instance holding `ip`.
fn dxp(d: &xconnect_model::dataplane::DesiredState, ip: &str) -> String {
    d.addresses.iter().find(|a| a.address.starts_with(&format!("{ip}/"))).unwrap().namespace.clone()
}
