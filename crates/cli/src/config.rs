//! Client profiles: the endpoint and key a command signs with. They live in a TOML file
//! (`$XCONNECT_CONFIG`, else `$XDG_CONFIG_HOME/xconnect/config.toml`, else
//! `~/.config/xconnect/config.toml`), written with mode 0600; the environment variables
//! XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and XCONNECT_ACCESS_KEY_SECRET override a profile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use xconnect_client::Credentials;

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<String>,
}

pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:7878";

pub fn path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("XCONNECT_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_CONFIG_HOME") {
        return Ok(PathBuf::from(p).join("xconnect/config.toml"));
    }
    let home = std::env::var_os("HOME").ok_or_else(|| anyhow!("neither XCONNECT_CONFIG nor HOME is set"))?;
    Ok(PathBuf::from(home).join(".config/xconnect/config.toml"))
}

pub fn load() -> Result<ConfigFile> {
    let p = path()?;
    match std::fs::read_to_string(&p) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("{} is not a valid config file", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
    }
}

/// Writes the file with mode 0600, through a temporary file so a crash never leaves half of it.
pub fn save(config: &ConfigFile) -> Result<PathBuf> {
    let p = path()?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = toml::to_string_pretty(config)?;
    write_private(&p, text.as_bytes())?;
    Ok(p)
}

/// The endpoint of a profile, with the environment on top, and its key if it has one: what
/// `doctor` checks, with or without a key.
pub fn settings(profile: &str) -> Result<(String, Option<Credentials>)> {
    let config = load()?;
    let p = config.profiles.get(profile).cloned().unwrap_or_default();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let endpoint = env("XCONNECT_ENDPOINT").or(p.endpoint).unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
    let id = env("XCONNECT_ACCESS_KEY_ID").or(p.access_key_id);
    let secret = env("XCONNECT_ACCESS_KEY_SECRET").or(p.access_key_secret);
    let creds = match (id, secret) {
        (Some(access_key_id), Some(access_key_secret)) => {
            Some(Credentials { endpoint: endpoint.clone(), access_key_id, access_key_secret })
        }
        _ => None,
    };
    Ok((endpoint, creds))
}

/// The credentials a command runs with: the profile's, with the environment on top.
pub fn credentials(profile: &str) -> Result<Credentials> {
    match settings(profile)?.1 {
        Some(creds) => Ok(creds),
        None => bail!(
            "no access key for profile '{profile}': run `xconnect configure --profile {profile}` or set \
             XCONNECT_ACCESS_KEY_ID and XCONNECT_ACCESS_KEY_SECRET"
        ),
    }
}

/// Writes a file readable only by its owner, whole or not at all.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    // Written beside it and renamed over it: killed at any point, the file is the old one or
    // the new one, never half of either.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
