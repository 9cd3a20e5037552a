//! Names the git commit the binary is built from, for `xconnect --version` and the version the
//! server sends on every answer: `XCONNECT_COMMIT` is the short hash, with `-dirty` when tracked
//! files differ from it, or `unknown` outside a git checkout of this repository (a tarball, a
//! machine without git). A build from a tarball whose commit is known can set XCONNECT_COMMIT
//! itself.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=XCONNECT_COMMIT");
    let commit = match std::env::var("XCONNECT_COMMIT") {
        Ok(c) if !c.is_empty() => c,
        _ => from_git().unwrap_or_else(|| "unknown".to_owned()),
    };
    println!("cargo:rustc-env=XCONNECT_COMMIT={commit}");
}

/// Runs git in this crate's directory; its standard output, trimmed, if it succeeded.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        // Reading must not write: without this, `git status` refreshes the index, which is one
        // of the files watched below, and the next build would run this again for nothing.
        .arg("--no-optional-locks")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn from_git() -> Option<String> {
    // This crate must be `crates/cli` of the checkout git finds: sources unpacked inside some
    // other repository (a home directory kept in git) are not built from that repository's
    // commit.
    if git(&["rev-parse", "--show-prefix"])? != "crates/cli/" {
        return None;
    }
    let hash = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"])?.is_empty();
    watch()?;
    Some(if dirty { format!("{hash}-dirty") } else { hash })
}

/// Tells cargo what to watch, so that the commit is read again when it can have changed and
/// not on every build: HEAD, the branch it names and the packed refs (a commit, a checkout),
/// the index (a staged change), and the tracked tree itself (an edit not yet staged makes the
/// build dirty). A worktree has a git directory of its own (for HEAD and the index) apart
/// from the repository's common one (for the refs), and `.git` is then a file, so both are
/// asked of git rather than assumed. The tree is watched by its top-level entries, not its
/// root, whose `target/` changes with every build.
fn watch() -> Option<()> {
    let dirs = git(&["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--show-toplevel"])?;
    let [git_dir, common, top] = <[&str; 3]>::try_from(dirs.lines().collect::<Vec<_>>()).ok()?;
    let (git_dir, common, top) = (Path::new(git_dir), Path::new(common), Path::new(top));
    let mut paths: Vec<PathBuf> = vec![git_dir.join("HEAD"), git_dir.join("index"), common.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(common.join(branch));
    }
    let tracked = git(&["ls-files", "--full-name", ":/"])?;
    let mut entries: Vec<&str> = tracked.lines().map(|p| p.split('/').next().unwrap_or(p)).collect();
    entries.sort_unstable();
    entries.dedup();
    paths.extend(entries.into_iter().map(|e| top.join(e)));
    // A path that does not exist would make cargo run this on every build.
    for p in paths.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    Some(())
}
