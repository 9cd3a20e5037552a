//! The Linux data plane's kernel side: the network namespaces the agent owns (made, listed and
//! deleted here), and applying a desired state inside them (`apply`).
//!
//! Namespaces are made without forking: a short-lived thread unshares its network namespace and
//! bind-mounts it onto `/run/netns/NAME`, as `ip netns add` does, so that `ip netns` and the
//! agent see the same namespaces. Only names that start with [`PREFIX`] are ever touched.

mod apply;
pub mod meter;
mod nft;
mod reconcile;
pub mod record;

pub use apply::{apply, command_in};
pub use nft::ruleset_hash;
pub use reconcile::{Agent, Diff, Link, Observed, SeenShaping, remove_stale_probes};

use std::ffi::CString;
use std::io;
use std::path::{Path, PathBuf};

/// Every namespace the agent makes starts with this, and it touches no other.
pub const PREFIX: &str = "xc-";

/// Where named namespaces are mounted, as iproute2 keeps them.
const NETNS_DIR: &str = "/run/netns";

pub(crate) fn path(name: &str) -> PathBuf {
    Path::new(NETNS_DIR).join(name)
}

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

fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_encoded_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// Makes `/run/netns` a shared mount point, as iproute2 does, so that namespaces mounted under
/// it are seen in every mount namespace.
fn prepare_dir() -> io::Result<()> {
    std::fs::create_dir_all(NETNS_DIR)?;
    let dir = cstr(Path::new(NETNS_DIR))?;
    // SAFETY: plain mount(2) calls with valid, NUL-terminated paths.
    unsafe {
        if libc::mount(
            std::ptr::null(),
            dir.as_ptr(),
            std::ptr::null(),
            libc::MS_SHARED | libc::MS_REC,
            std::ptr::null(),
        ) == 0
        {
            return Ok(());
        }
        // Not a mount point yet: bind it onto itself first.
        check(libc::mount(
            dir.as_ptr(),
            dir.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND | libc::MS_REC,
            std::ptr::null(),
        ))?;
        check(libc::mount(
            std::ptr::null(),
            dir.as_ptr(),
            std::ptr::null(),
            libc::MS_SHARED | libc::MS_REC,
            std::ptr::null(),
        ))
    }
}

/// Whether the named namespace exists (its file may be there without being a namespace: see
/// [`live`]).
pub fn exists(name: &str) -> bool {
    path(name).exists()
}

/// Whether the name is a namespace one can enter: its file has a namespace mounted on it. A
/// run killed between making the file and mounting leaves a plain empty file, which is not.
pub fn live(name: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(path(name)), std::fs::metadata(NETNS_DIR)) {
        (Ok(f), Ok(dir)) => f.dev() != dir.dev(),
        _ => false,
    }
}

/// Makes the namespace unless it exists: applying twice is the same as once. A file left
/// without its namespace (a run killed half way) is made again.
pub fn ensure(name: &str) -> io::Result<()> {
    owned(name)?;
    if live(name) {
        return Ok(());
    }
    if exists(name) {
        std::fs::remove_file(path(name))?;
    }
    prepare_dir()?;
    let target = path(name);
    std::fs::OpenOptions::new().write(true).create_new(true).open(&target)?;
    let target_c = cstr(&target)?;
    // The namespace is per thread: a thread of its own unshares, mounts its namespace onto the
    // file and ends, leaving the caller's threads where they were.
    let made = std::thread::spawn(move || -> io::Result<()> {
        // SAFETY: unshare and mount with valid arguments, on this thread only.
        unsafe {
            check(libc::unshare(libc::CLONE_NEWNET))?;
            let own = c"/proc/thread-self/ns/net";
            check(libc::mount(own.as_ptr(), target_c.as_ptr(), std::ptr::null(), libc::MS_BIND, std::ptr::null()))
        }
    })
    .join()
    .map_err(|_| io::Error::other("the namespace thread panicked"))?;
    if made.is_err() {
        let _ = std::fs::remove_file(&target);
    }
    made
}

/// The namespaces the agent owns, by name, sorted.
pub fn list() -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    match std::fs::read_dir(NETNS_DIR) {
        Ok(entries) => {
            for e in entries {
                let name = e?.file_name().to_string_lossy().into_owned();
                if owned(&name).is_ok() {
                    out.push(name);
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    out.sort();
    Ok(out)
}

/// The processes inside a namespace, found by comparing each process's namespace with it.
pub fn pids(name: &str) -> io::Result<Vec<i32>> {
    owned(name)?;
    let want = std::fs::metadata(path(name))?;
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc")? {
        let e = e?;
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        if let Ok(m) = std::fs::metadata(e.path().join("ns/net")) {
            use std::os::unix::fs::MetadataExt;
            if m.ino() == want.ino() && m.dev() == want.dev() {
                out.push(pid);
            }
        }
    }
    Ok(out)
}

/// Deletes the namespace: the processes the agent ran inside it are ended first (a process
/// left inside would keep the namespace and its links alive), then it is unmounted and its
/// file removed. Deleting one that does not exist is not an error.
pub fn delete(name: &str) -> io::Result<()> {
    owned(name)?;
    if !exists(name) {
        return Ok(());
    }
    for pid in pids(name)? {
        // SAFETY: kill(2) on a process found inside a namespace only the agent makes.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    let target = path(name);
    let target_c = cstr(&target)?;
    // SAFETY: umount2 with a valid path; a lazy detach never blocks.
    unsafe {
        let _ = libc::umount2(target_c.as_ptr(), libc::MNT_DETACH);
    }
    match std::fs::remove_file(&target) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Deletes every namespace the agent owns; returns their names.
pub fn teardown() -> io::Result<Vec<String>> {
    let all = list()?;
    for name in &all {
        delete(name)?;
    }
    Ok(all)
}
