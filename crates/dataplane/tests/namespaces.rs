//! Real network namespaces, as root: made without forking, seen by `ip netns`, made twice as
//! once, holding their own interfaces, and gone with the processes inside them when deleted.
//! Every name carries a random part, and each test deletes what it made.

use std::process::Command;

use xconnect_dataplane as dp;

fn name(what: &str) -> String {
    let mut b = [0u8; 3];
    getrandom::fill(&mut b).unwrap();
    format!("xc-test-{what}-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

fn root() {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    assert_eq!(uid, 0, "the data plane's tests run as root (as .ci/run does): network namespaces need it");
}

#[test]
fn a_namespace_is_made_once_seen_by_ip_and_deleted_with_its_processes() {
    root();
    let ns = name("life");
    dp::ensure(&ns).unwrap();
    dp::ensure(&ns).unwrap();
    assert!(dp::list().unwrap().contains(&ns));
    let listed = String::from_utf8(Command::new("ip").args(["netns", "list"]).output().unwrap().stdout).unwrap();
    assert!(listed.contains(&ns), "{listed}");
    // It is a namespace of its own: only a loopback in it.
    let links = Command::new("ip").args(["-n", &ns, "-o", "link"]).output().unwrap();
    let links = String::from_utf8(links.stdout).unwrap();
    assert_eq!(links.lines().count(), 1, "{links}");
    assert!(links.contains("lo:"));
    // A process inside it is ended when it goes.
    let mut sleeper = Command::new("ip").args(["netns", "exec", &ns, "sleep", "30"]).spawn().unwrap();
    for _ in 0..50 {
        if !dp::pids(&ns).unwrap().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(dp::pids(&ns).unwrap().len(), 1);
    dp::delete(&ns).unwrap();
    assert!(!sleeper.wait().unwrap().success(), "the process inside was ended");
    assert!(!dp::exists(&ns));
    dp::delete(&ns).unwrap();
}

#[test]
fn names_the_agent_does_not_own_are_never_touched() {
    for bad in ["netns0", "xc-../etc", "default", "", "xc-a b"] {
        assert!(dp::ensure(bad).is_err(), "{bad}");
        assert!(dp::delete(bad).is_err(), "{bad}");
    }
}

/// A run killed between making a namespace's file and mounting the namespace on it leaves a
/// plain empty file: that is not a namespace, and the next run makes a real one in its place.
#[test]
fn a_namespace_file_left_half_made_is_made_again() {
    root();
    let ns = name("half");
    dp::ensure(&ns).unwrap();
    dp::delete(&ns).unwrap();
    std::fs::write(format!("/run/netns/{ns}"), b"").unwrap();
    assert!(dp::exists(&ns) && !dp::live(&ns));
    dp::ensure(&ns).unwrap();
    assert!(dp::live(&ns));
    let links = Command::new("ip").args(["-n", &ns, "-o", "link"]).output().unwrap();
    dp::delete(&ns).unwrap();
    assert!(String::from_utf8_lossy(&links.stdout).contains("lo:"), "{links:?}");
    assert!(!dp::exists(&ns));
}
