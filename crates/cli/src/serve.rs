//! `xconnect serve`: opens the data directory and the store, makes the operator's key on the
//! first start, and serves the API until interrupted.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use xconnect_control::{Control, Quotas, Sealer, secrets::KEY_LEN};
use xconnect_store::Store;

use crate::lock::DirLock;

/// Everything `serve` needs to start.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The data directory: the embedded database, the key that seals access key secrets, and
    /// the operator's key file.
    #[arg(long, default_value = "./xconnect-data", env = "XCONNECT_DATA")]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878", env = "XCONNECT_LISTEN")]
    pub listen: SocketAddr,
    /// A postgres:// URL puts the store in PostgreSQL (or a database that speaks its protocol)
    /// instead of the embedded SQLite file in the data directory. Servers sharing one database
    /// must share the data directory's seal.key too.
    #[arg(long, env = "XCONNECT_DATABASE")]
    pub database: Option<String>,
    /// A region catalogue (TOML) to use instead of the shipped one.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// A price list (TOML) to use instead of the shipped one (crates/control/default-prices.toml).
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// Requests a second each account may send, sustained; more are refused with 429 and a
    /// Retry-After. 0 admits every request.
    #[arg(long, default_value_t = 200, env = "XCONNECT_THROTTLE_RATE")]
    pub throttle_rate: u32,
    /// Requests an account may send at once after a quiet spell, above its rate.
    #[arg(long, default_value_t = 400, env = "XCONNECT_THROTTLE_BURST", value_parser = clap::value_parser!(u32).range(1..))]
    pub throttle_burst: u32,
    /// Seconds a stopping server waits for the requests in flight before it stops anyway.
    #[arg(long, default_value_t = 30, env = "XCONNECT_SHUTDOWN_GRACE")]
    pub shutdown_grace: u64,
}

/// The operator's key file, `<data>/operator.key`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct OperatorKey {
    pub access_key_id: String,
    pub access_key_secret: String,
}

/// Reads the sealing key, or makes one on the first start.
fn seal_key(data: &Path) -> Result<[u8; KEY_LEN]> {
    let path = data.join("seal.key");
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).context("seal.key is not text")?;
            let raw = hex_decode(text.trim())
                .with_context(|| format!("{} is not {KEY_LEN} hex-encoded bytes", path.display()))?;
            Ok(raw)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = Sealer::generate_key();
            let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
            crate::config::write_private(&path, format!("{text}\n").as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn hex_decode(s: &str) -> Option<[u8; KEY_LEN]> {
    if s.len() != KEY_LEN * 2 {
        return None;
    }
    let mut out = [0u8; KEY_LEN];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Opens the store and the control plane as `serve` would, and writes the operator's key if
/// this is the first start. Returns the control plane and, on a first start, the key file.
pub async fn open(args: &ServeArgs) -> Result<(Control, Option<PathBuf>, DirLock)> {
    std::fs::create_dir_all(&args.data).with_context(|| format!("cannot create {}", args.data.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&args.data, std::fs::Permissions::from_mode(0o700))?;
    }
    // Before anything in the directory is read or written: two servers on one SQLite file
    // would each batch their own commits, and two first starts would each write an operator key.
    let lock = DirLock::acquire(
        &args.data,
        "xconnect server",
        "stop that server first, or start this one with another --data (servers that share a \
         PostgreSQL database each have their own data directory, with a copy of its seal.key)",
    )?;
    let catalog = match &args.catalog {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            xconnect_control::catalog::parse_catalog(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => xconnect_control::default_catalog(),
    };
    let sealer = Sealer::new(&seal_key(&args.data)?);
    let store = match &args.database {
        Some(url) => Store::open(url).await,
        None => Store::open_sqlite_file(&args.data.join("xconnect.db")).await,
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut control = Control::new(store, catalog, sealer, Quotas::default());
    if let Some(p) = &args.prices {
        let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        let prices = xconnect_control::billing::parse_prices(&text)
            .and_then(|prices| {
                xconnect_control::billing::check_price_areas(&prices, control.catalog()).map(|()| prices)
            })
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        control = control.with_prices(prices);
    }
    control.seal_check().await.map_err(|_| {
        anyhow::anyhow!(
            "{} does not open the access key secrets in this database: start with the data directory \
             (its seal.key) that made them",
            args.data.join("seal.key").display()
        )
    })?;
    if control.operator_exists().await.map_err(|e| anyhow::anyhow!("{e}"))? {
        return Ok((control, None, lock));
    }
    // The key file is written (and synced) before the key becomes valid, so a crash in between
    // leaves a key file for no operator, which the next start replaces, and never an operator
    // whose key nobody has.
    let (id, secret) = Control::operator_key_new();
    let path = args.data.join("operator.key");
    let file = OperatorKey { access_key_id: id.to_string(), access_key_secret: secret.clone() };
    crate::config::write_private(&path, toml::to_string(&file)?.as_bytes())?;
    if control.operator_bootstrap_with(id, secret).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        Ok((control, Some(path), lock))
    } else {
        // Another server sharing the database made the operator first; this key is not valid.
        std::fs::remove_file(&path).ok();
        Ok((control, None, lock))
    }
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let (control, written, _lock) = open(&args).await?;
    if let Some(path) = written {
        println!("created the operator account; its access key is in {}", path.display());
    }
    let metrics = Arc::new(xconnect_api::Metrics::default());
    let settings = xconnect_api::Settings {
        throttle: (args.throttle_rate > 0)
            .then_some(xconnect_api::Rate { per_second: args.throttle_rate, burst: args.throttle_burst }),
        metrics: metrics.clone(),
        build: crate::build(),
    };
    // Alibaba Cloud's RPC API beside /v1, on the same listener and the same operations.
    let fronts: &[xconnect_api::Front] = &[xconnect_front_alibaba::front];
    let app =
        xconnect_api::router_with(control.clone(), &settings, fronts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => bail!("cannot listen on {}: {e}", args.listen),
    };
    let backend = match control.store().backend() {
        xconnect_store::Backend::Sqlite => format!("SQLite in {}", args.data.join("xconnect.db").display()),
        xconnect_store::Backend::Postgres => "PostgreSQL".to_owned(),
    };
    println!("xconnect listening on http://{} (store: {backend})", listener.local_addr()?);
    let grace = Duration::from_secs(args.shutdown_grace);
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let counted = metrics.clone();
    let serving = xconnect_api::serve(listener, app, async move {
        shutdown().await;
        tracing::info!(
            in_flight = counted.in_flight(),
            "shutting down: taking no new requests, finishing the ones in flight (for up to {} s)",
            grace.as_secs()
        );
        let _ = stopping.send(true);
    });
    tokio::select! {
        served = serving => {
            served?;
            tracing::info!("stopped: every request in flight was answered");
        }
        () = async {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(
                in_flight = metrics.in_flight(),
                "stopped after {} s with requests still in flight; their clients see the connection close",
                grace.as_secs()
            );
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so the server finishes the requests it has and stops.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
