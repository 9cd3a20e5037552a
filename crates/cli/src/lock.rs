//! An exclusive lock on a directory (the server's data directory, the agent's state directory),
//! so that a second process started on it refuses to run instead of writing beside the first.
//! The lock is the kernel's (`flock` on `<dir>/lock`): it goes with the process however the
//! process ends, so a crash never leaves a stale lock behind. The file holds the holder's pid,
//! for the refusal to name.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Held for as long as the process uses the directory; dropping it releases the lock.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Locks `dir` (which must exist) for `what` ("xconnect server", "xconnect agent"), or says
    /// which process holds it and what to do: `hint` is the way out (another directory, ...).
    pub fn acquire(dir: &Path, what: &str, hint: &str) -> Result<DirLock> {
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => "another process".to_owned(),
                    pid => format!("process {pid}"),
                };
                bail!("{} is in use by {holder} (an {what} holds {}); {hint}", dir.display(), path.display());
            }
            Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("cannot lock {}", path.display())),
        }
        // Only the holder writes the file, so the pid in it is always the holder's.
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "{}", std::process::id())?;
        file.sync_all()?;
        Ok(DirLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_until_the_first_is_dropped() {
        let dir = std::env::temp_dir().join(format!("xconnect-lock-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = DirLock::acquire(&dir, "xconnect server", "stop it first").unwrap();
        let e = DirLock::acquire(&dir, "xconnect server", "stop it first").unwrap_err().to_string();
        assert!(e.contains(&format!("process {}", std::process::id())) && e.contains("stop it first"), "{e}");
        drop(first);
        DirLock::acquire(&dir, "xconnect server", "stop it first").expect("free again once dropped");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
