//! Which build is which: `--version` names the commit the binary was built from.

use super::*;

use xconnect_model::version::Build;

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
