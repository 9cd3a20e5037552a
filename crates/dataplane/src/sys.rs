//! The system calls and programs under everything else: the rules for the namespace names the
//! agent may touch, running a thread or a program inside a namespace, and the three programs
//! the agent drives (`nft`, `tc`, `conntrack`) and the forwarding sysctl. No policy here: what to
//! run is decided above.

use std::ffi::CString;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every namespace the agent makes starts with this, and it touches no other.
pub const PREFIX: &str = "xc-";

/// Where named namespaces are mounted, as iproute2 keeps them.
pub(crate) const NETNS_DIR: &str = "/run/netns";

pub(crate) fn path(name: &str) -> PathBuf {
    Path::new(NETNS_DIR).join(name)
}

/// Refuses a name the agent does not own: checked before anything is made, entered or deleted.
pub(crate) fn owned(name: &str) -> io::Result<()> {
    let valid = name.starts_with(PREFIX)
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{name:?} is not a namespace name the agent owns")))
    }
}

pub(crate) fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == -1 { Err(io::Error::last_os_error()) } else { Ok(()) }
}

pub(crate) fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

pub(crate) fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_encoded_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// Runs `f` on a short-lived thread that has entered the namespace: a namespace is per thread,
/// so the caller's threads stay where they were, and what `f` opens (a socket, a file under
/// `/proc/sys/net`) belongs to the namespace it entered.
pub(crate) fn on_thread_in<T: Send + 'static>(
    namespace: &str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let p = path(namespace);
    std::thread::spawn(move || -> io::Result<T> {
        let ns = File::open(p)?;
        // SAFETY: setns on this short-lived thread only.
        check(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) })?;
        f()
    })
    .join()
    .map_err(|_| io::Error::other("a thread inside a namespace panicked"))?
}

/// A command that runs inside the namespace: the child enters it before it executes.
pub fn command_in(namespace: &str, program: &str) -> io::Result<Command> {
    owned(namespace)?;
    let ns = File::open(path(namespace))?;
    let mut cmd = Command::new(program);
    // SAFETY: setns(2) is async-signal-safe; the file stays open in the parent until spawn.
    unsafe {
        cmd.pre_exec(move || check(libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET)));
    }
    Ok(cmd)
}

/// Runs the command to its end, feeding it `stdin`; its error output becomes the error.
pub(crate) fn run(mut cmd: Command, stdin: Option<&str>) -> io::Result<()> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{:?} failed: {}", cmd.get_program(), String::from_utf8_lossy(&out.stderr))))
    }
}

/// Turns forwarding on inside a router namespace (a new namespace starts with it off).
pub(crate) fn forwarding_on(namespace: &str) -> io::Result<()> {
    on_thread_in(namespace, || std::fs::write("/proc/sys/net/ipv4/ip_forward", b"1"))
}

/// Whether forwarding is on in the namespace.
pub(crate) fn forwarding(namespace: &str) -> io::Result<bool> {
    on_thread_in(namespace, || Ok(std::fs::read("/proc/sys/net/ipv4/ip_forward")?.first() == Some(&b'1')))
}

/// Runs `nft -j -f -` on a document (one transaction: all of it takes, or none).
pub(crate) fn nft_load(namespace: &str, document: &str) -> io::Result<()> {
    let mut cmd = command_in(namespace, "nft")?;
    cmd.args(["-j", "-f", "-"]);
    run(cmd, Some(document))
}

/// nft's JSON listing of an `inet` table; none when there is no such table.
pub(crate) fn nft_list(namespace: &str, table: &str) -> io::Result<Option<String>> {
    let mut cmd = command_in(namespace, "nft")?;
    cmd.args(["-j", "list", "table", "inet", table]);
    let out = cmd.stderr(Stdio::null()).output()?;
    Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Runs `tc` with these arguments inside the namespace.
pub(crate) fn tc(namespace: &str, args: &[&str]) -> io::Result<()> {
    let mut cmd = command_in(namespace, "tc")?;
    cmd.args(args);
    run(cmd, None)
}

/// What `tc` prints for these arguments (its standard output, whatever its exit status).
pub(crate) fn tc_show(namespace: &str, args: &[&str]) -> io::Result<String> {
    let mut cmd = command_in(namespace, "tc")?;
    cmd.args(args);
    Ok(String::from_utf8_lossy(&cmd.output()?.stdout).into_owned())
}

/// Forgets the tracked flows from a source, so that a revoked rule stops flows it admitted.
pub(crate) fn conntrack_forget(namespace: &str, source: &str) -> io::Result<()> {
    let mut cmd = command_in(namespace, "conntrack")?;
    cmd.args(["-D", "-s", source]);
    // conntrack exits non-zero when nothing matched: that is not a failure here.
    let _ = run(cmd, None);
    Ok(())
}
