//! `xconnect admin backup` and `admin restore`: the store and the data directory's keys, copied
//! together, while the server runs. The two belong together: the store holds every access key's
//! secret sealed with `seal.key`, so a store restored without the key it was sealed with opens
//! no key at all (the server refuses to start on it, saying so).
//!
//! A backup is a directory: `xconnect.db` (SQLite, copied from one snapshot with `VACUUM INTO`)
//! or `xconnect.pgdump` (PostgreSQL, `pg_dump --format=custom`, also one snapshot), `seal.key`,
//! `operator.key` when the data directory has one, and `backup.toml` saying what it holds. Both
//! copies read one consistent snapshot and neither stops the server's writes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::lock::DirLock;
use crate::output::{self, Format};

/// Where the store to copy lives: as `serve` was given it.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The server's data directory (its seal.key, and the SQLite file unless --database).
    #[arg(long, default_value = "./xconnect-data", env = "XCONNECT_DATA")]
    data: PathBuf,
    /// The server's PostgreSQL URL, if its store is in PostgreSQL (pg_dump and pg_restore do
    /// the copying; they come with PostgreSQL's client package).
    #[arg(long, env = "XCONNECT_DATABASE")]
    database: Option<String>,
}

/// What a backup holds, written as its `backup.toml`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// `sqlite` or `postgres`.
    pub store: String,
    /// The file the store was copied to, in the backup's directory.
    pub file: String,
    /// The xconnect that made it.
    pub version: String,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// The keys copied with it.
    pub keys: Vec<String>,
}

const MANIFEST: &str = "backup.toml";
const SQLITE_FILE: &str = "xconnect.db";
const PG_FILE: &str = "xconnect.pgdump";
/// The data directory's files a backup carries: the key that seals access key secrets (without
/// which the store's keys are lost), and the operator's key file.
const KEYS: [&str; 2] = ["seal.key", "operator.key"];

pub fn backup(f: Format, store: &StoreArgs, dest: &Path) -> Result<()> {
    if !store.data.join("seal.key").exists() {
        bail!(
            "{} has no seal.key: give --data the server's data directory (a backup without its seal.key could not open any access key)",
            store.data.display()
        );
    }
    if dest.exists() && std::fs::read_dir(dest)?.next().is_some() {
        bail!("{} is not empty: back up into a new directory", dest.display());
    }
    make_private_dir(dest)?;
    let (kind, file) = match &store.database {
        None => {
            xconnect_store::sqlite_snapshot(&store.data.join(SQLITE_FILE), &dest.join(SQLITE_FILE))
                .map_err(anyhow::Error::msg)?;
            ("sqlite", SQLITE_FILE)
        }
        Some(url) => {
            run(Command::new(pg_tool("pg_dump")?)
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(dest.join(PG_FILE))
                .arg(url))?;
            ("postgres", PG_FILE)
        }
    };
    set_private(&dest.join(file))?;
    let mut keys = Vec::new();
    for key in KEYS {
        let from = store.data.join(key);
        if from.exists() {
            let bytes = std::fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
            crate::config::write_private(&dest.join(key), &bytes)?;
            keys.push(key.to_owned());
        }
    }
    let manifest = Manifest {
        store: kind.to_owned(),
        file: file.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: xconnect_model::Timestamp::from_millis(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64,
        )
        .to_string(),
        keys,
    };
    crate::config::write_private(&dest.join(MANIFEST), toml::to_string(&manifest)?.as_bytes())?;
    match f {
        Format::Json => output::print_json(&manifest),
        Format::Table => outln!("backed up the {kind} store and {} to {}", manifest.keys.join(", "), dest.display()),
    }
    Ok(())
}

pub fn restore(f: Format, store: &StoreArgs, from: &Path) -> Result<()> {
    let text = std::fs::read_to_string(from.join(MANIFEST)).with_context(|| {
        format!("{} is not a backup made by `xconnect admin backup` (no {MANIFEST})", from.display())
    })?;
    let manifest: Manifest =
        toml::from_str(&text).with_context(|| format!("cannot read {}", from.join(MANIFEST).display()))?;
    match (manifest.store.as_str(), &store.database) {
        ("sqlite", Some(_)) => bail!("{} holds a SQLite store: restore it without --database", from.display()),
        ("postgres", None) => {
            bail!("{} holds a PostgreSQL store: give --database the URL to restore it into", from.display())
        }
        _ => {}
    }
    // The data directory is locked for the whole restore, so no server starts on it halfway.
    make_private_dir(&store.data)?;
    let _lock =
        DirLock::acquire(&store.data, "xconnect server", "stop that server before restoring into its data directory")?;
    let taken: Vec<PathBuf> =
        KEYS.iter().map(|k| store.data.join(k)).chain([store.data.join(SQLITE_FILE)]).filter(|p| p.exists()).collect();
    if !taken.is_empty() {
        let names: Vec<String> = taken.iter().map(|p| p.display().to_string()).collect();
        bail!("{} already exists: restore into a new data directory, or move it away first", names.join(", "));
    }
    match &store.database {
        None => {
            let dest = store.data.join(SQLITE_FILE);
            std::fs::copy(from.join(&manifest.file), &dest)
                .with_context(|| format!("cannot copy {}", from.join(&manifest.file).display()))?;
            set_private(&dest)?;
            std::fs::File::open(&dest)?.sync_all()?;
        }
        Some(url) => {
            // Into an empty database: --clean would drop what a live server there is using.
            run(Command::new(pg_tool("pg_restore")?)
                .args(["--no-owner", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(url)
                .arg(from.join(&manifest.file)))?;
        }
    }
    // The keys last: a data directory with seal.key but no store would start a fresh store
    // sealed with the old key, which is harmless; the other way round the store is unreadable.
    for key in &manifest.keys {
        let bytes =
            std::fs::read(from.join(key)).with_context(|| format!("cannot read {}", from.join(key).display()))?;
        crate::config::write_private(&store.data.join(key), &bytes)?;
    }
    match f {
        Format::Json => output::print_json(&manifest),
        Format::Table => outln!(
            "restored the {} store of {} and {} into {}; start the server with --data {}",
            manifest.store,
            manifest.created_at,
            manifest.keys.join(", "),
            store.data.display(),
            store.data.display()
        ),
    }
    Ok(())
}

fn make_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    set_private(dir)
}

fn set_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}

/// PostgreSQL's `name` tool: the newest of Debian's /usr/lib/postgresql/*/bin (a pg_dump must be
/// at least as new as the server, and Debian's /usr/bin wrapper may pick by cluster), else on
/// PATH.
fn pg_tool(name: &str) -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin").join(name))))
        .filter(|(_, p)| p.is_file())
        .collect();
    versions.sort();
    if let Some((_, path)) = versions.pop() {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file()))
        .with_context(|| {
            format!("{name} not found: install PostgreSQL's client tools (apt-get install postgresql-client)")
        })
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.output().with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!("{:?} failed: {}", cmd.get_program(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
