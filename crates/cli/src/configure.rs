//! `xconnect configure`: writes a profile (endpoint and access key) to the config file.

use anyhow::{Context, Result};
use clap::Args;

use crate::{config, serve};

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// e.g. http://127.0.0.1:7878
    #[arg(long)]
    endpoint: Option<String>,
    #[arg(long)]
    access_key_id: Option<String>,
    #[arg(long)]
    access_key_secret: Option<String>,
    /// Take the key from a server's operator.key file.
    #[arg(long, conflicts_with_all = ["access_key_id", "access_key_secret"])]
    operator_key: Option<std::path::PathBuf>,
}

pub fn run(profile: &str, args: ConfigureArgs) -> Result<()> {
    let mut cfg = config::load()?;
    let entry = cfg.profiles.entry(profile.to_owned()).or_default();
    if let Some(e) = args.endpoint {
        entry.endpoint = Some(e);
    }
    if let Some(path) = args.operator_key {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let key: serve::OperatorKey =
            toml::from_str(&text).with_context(|| format!("{} is not an operator key file", path.display()))?;
        entry.access_key_id = Some(key.access_key_id);
        entry.access_key_secret = Some(key.access_key_secret);
    }
    if let Some(id) = args.access_key_id {
        entry.access_key_id = Some(id);
    }
    if let Some(secret) = args.access_key_secret {
        entry.access_key_secret = Some(secret);
    }
    if entry.endpoint.is_none() {
        entry.endpoint = Some(config::DEFAULT_ENDPOINT.to_owned());
    }
    let path = config::save(&cfg)?;
    outln!("profile '{profile}' written to {}", path.display());
    Ok(())
}
