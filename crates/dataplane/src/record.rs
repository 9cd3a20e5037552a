//! The agent's crash-safety record: the names of the namespaces it may have made on this host for
//! one server, written before they are made, so that a run killed anywhere still knows, when it
//! starts again or when the host is torn down, every namespace it may have left behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use xconnect_model::dataplane::DesiredState;

/// What a record's file name ends with, so that teardown finds every server's record.
const EXTENSION: &str = "namespaces";

/// One server's record in the agent's state directory: a file of namespace names, one a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    path: PathBuf,
}

/// A pass under way, between widening the record and narrowing it again.
#[derive(Debug)]
#[must_use = "a pass that succeeded narrows the record with `Record::finish`"]
pub struct Pass {
    /// What the record held before the pass.
    made: Vec<String>,
    /// What the record holds while the pass runs: what it held and what the pass may make.
    held: Vec<String>,
    /// The desired state's namespaces, sorted: what the record holds once the pass is done.
    wanted: Vec<String>,
}

impl Pass {
    /// What the record held before the pass: the namespaces an earlier run may have made. Those
    /// the desired state no longer holds are the pass's to remove.
    pub fn made(&self) -> &[String] {
        &self.made
    }
}

impl Record {
    /// The record of the server at `endpoint` in the state directory, which is made if missing.
    /// One per server, so that agents of two servers on one host keep apart.
    pub fn open(state: &Path, endpoint: &str) -> io::Result<Record> {
        std::fs::create_dir_all(state).map_err(|e| context(e, format!("cannot make {}", state.display())))?;
        Ok(Record { path: state.join(format!("{}.{EXTENSION}", endpoint.replace(['/', ':'], "_"))) })
    }

    /// Every server's record in the state directory, sorted by file name; none when the
    /// directory cannot be read (nothing was ever recorded there).
    pub fn all(state: &Path) -> io::Result<Vec<Record>> {
        let Ok(entries) = std::fs::read_dir(state) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == EXTENSION) {
                out.push(Record { path });
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Where the record is kept; the agent keeps its other files for this server beside it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names the record holds; none when there is no record yet, or it cannot be read (a
    /// pass then only removes what the kernel shows it, and writes the record anew).
    pub fn read(&self) -> Vec<String> {
        self.names().unwrap_or_default()
    }

    /// The names the record holds, or why they cannot be read: teardown must not pass over a
    /// record it could not read. Blank lines are no names: an empty line read as one would be a
    /// namespace the agent does not own, and every pass would fail removing it.
    pub fn names(&self) -> io::Result<Vec<String>> {
        Ok(std::fs::read_to_string(&self.path)?.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
    }

    /// Starts a pass towards `desired`: before anything is made, the record is widened to what
    /// it held and every namespace the pass may make, so that a run killed half way still knows,
    /// on restart, every namespace it may have left.
    pub fn begin(&self, desired: &DesiredState) -> io::Result<Pass> {
        let made = self.read();
        let mut wanted: Vec<String> = desired.namespaces.iter().map(|n| n.name.clone()).collect();
        wanted.sort();
        let mut held: Vec<String> = made.iter().chain(&wanted).cloned().collect();
        held.sort();
        held.dedup();
        if held != made {
            self.write(&held)?;
        }
        Ok(Pass { made, held, wanted })
    }

    /// Ends a pass that succeeded: what it removed is gone, so the record holds the desired
    /// state's namespaces again. A pass that failed is not finished: the record keeps every
    /// namespace that may still exist, for the next pass to remove.
    pub fn finish(&self, pass: Pass) -> io::Result<()> {
        if pass.held != pass.wanted {
            self.write(&pass.wanted)?;
        }
        Ok(())
    }

    /// Removes the record, once every namespace in it is gone.
    pub fn remove(self) -> io::Result<()> {
        std::fs::remove_file(&self.path)
    }

    fn write(&self, names: &[String]) -> io::Result<()> {
        write_private(&self.path, names.iter().map(|n| format!("{n}\n")).collect::<String>().as_bytes())
    }
}

/// Writes a file readable only by its owner, whole or not at all.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Written beside it and renamed over it: killed at any point, the file is the old one or
    // the new one, never half of either.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(|e| context(e, format!("cannot write {}", tmp.display())))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).map_err(|e| context(e, format!("cannot write {}", path.display())))
}

/// The error with what was being done in front of it, as the agent reports it.
fn context(e: io::Error, doing: String) -> io::Error {
    io::Error::new(e.kind(), format!("{doing}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use xconnect_model::dataplane::{Namespace, NamespaceRole};

    /// A directory of its own under the system's temporary one, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).unwrap();
            let tag: String = b.iter().map(|x| format!("{x:02x}")).collect();
            let dir = std::env::temp_dir().join(format!("xconnect-record-{tag}"));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn desired(names: &[&str]) -> DesiredState {
        let namespaces = names
            .iter()
            .map(|n| Namespace { name: n.to_string(), role: NamespaceRole::Instance, resource_id: format!("i-{n}") })
            .collect();
        DesiredState { namespaces, ..DesiredState::default() }
    }

    fn on_disk(r: &Record) -> String {
        std::fs::read_to_string(r.path()).unwrap()
    }

    #[test]
    fn one_record_per_server_in_a_state_directory_made_on_open() {
        let tmp = TempDir::new();
        let state = tmp.0.join("state");
        let a = Record::open(&state, "http://127.0.0.1:7878").unwrap();
        let b = Record::open(&state, "http://10.0.0.1:7878").unwrap();
        assert!(state.is_dir());
        assert_eq!(a.path(), state.join("http___127.0.0.1_7878.namespaces"));
        assert_ne!(a, b);
        assert_eq!(a.read(), Vec::<String>::new(), "no record yet holds nothing");
    }

    #[test]
    fn widened_before_the_pass_and_narrowed_after_it() {
        let tmp = TempDir::new();
        let r = Record::open(&tmp.0, "http://127.0.0.1:7878").unwrap();
        let first = r.begin(&desired(&["xc-b", "xc-a"])).unwrap();
        assert!(first.made().is_empty());
        assert_eq!(on_disk(&r), "xc-a\nxc-b\n", "written, sorted, before anything is made");
        r.finish(first).unwrap();
        assert_eq!(on_disk(&r), "xc-a\nxc-b\n");

        // The next desired state drops xc-a and adds xc-c: while the pass runs the record holds
        // all three, since xc-a may still exist and xc-c may already.
        let second = r.begin(&desired(&["xc-b", "xc-c"])).unwrap();
        assert_eq!(second.made(), ["xc-a", "xc-b"]);
        assert_eq!(on_disk(&r), "xc-a\nxc-b\nxc-c\n");
        r.finish(second).unwrap();
        assert_eq!(r.read(), ["xc-b", "xc-c"]);
    }

    #[test]
    fn a_pass_killed_before_it_finished_leaves_everything_it_may_have_made() {
        let tmp = TempDir::new();
        let r = Record::open(&tmp.0, "http://127.0.0.1:7878").unwrap();
        r.finish(r.begin(&desired(&["xc-a"])).unwrap()).unwrap();
        let killed = r.begin(&desired(&["xc-b"])).unwrap();
        drop(killed);
        let again = Record::open(&tmp.0, "http://127.0.0.1:7878").unwrap();
        assert_eq!(again.begin(&desired(&["xc-b"])).unwrap().made(), ["xc-a", "xc-b"]);
    }

    #[test]
    fn a_record_emptied_by_a_pass_holds_no_names() {
        let tmp = TempDir::new();
        let r = Record::open(&tmp.0, "http://127.0.0.1:7878").unwrap();
        r.finish(r.begin(&desired(&["xc-a"])).unwrap()).unwrap();
        // Every resource deleted: the pass removes xc-a and leaves nothing to record.
        r.finish(r.begin(&desired(&[])).unwrap()).unwrap();
        assert_eq!(on_disk(&r), "");
        assert!(r.begin(&desired(&[])).unwrap().made().is_empty());
        // Records written before held a blank line when empty; it is not a name.
        std::fs::write(r.path(), "\n").unwrap();
        assert!(r.read().is_empty());
        assert!(r.names().unwrap().is_empty());
    }

    #[test]
    fn teardown_finds_every_servers_record_and_nothing_else() {
        let tmp = TempDir::new();
        assert!(Record::all(&tmp.0.join("never-made")).unwrap().is_empty());
        let a = Record::open(&tmp.0, "http://a:1").unwrap();
        let b = Record::open(&tmp.0, "http://b:1").unwrap();
        a.finish(a.begin(&desired(&["xc-a"])).unwrap()).unwrap();
        b.finish(b.begin(&desired(&["xc-b1", "xc-b2"])).unwrap()).unwrap();
        write_private(&a.path().with_extension("meters"), b"{}").unwrap();
        let all = Record::all(&tmp.0).unwrap();
        assert_eq!(all, [a.clone(), b]);
        assert_eq!(all[1].names().unwrap(), ["xc-b1", "xc-b2"]);
        a.remove().unwrap();
        assert_eq!(Record::all(&tmp.0).unwrap().len(), 1);
    }

    #[test]
    fn written_whole_and_readable_only_by_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempDir::new();
        let path = tmp.0.join("file");
        write_private(&path, b"old").unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!tmp.0.join("file.tmp").exists(), "the temporary file is renamed, not left");
        let err = write_private(&tmp.0.join("missing/file"), b"x").unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
    }
}
