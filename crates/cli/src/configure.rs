//! `xconnect configure`: writes a profile (endpoint and access key) to the config file, from
//! flags or, on a terminal, by asking for them; `configure list` shows the profiles.

use std::io::{BufRead, IsTerminal, Write};
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use xconnect_model::wire::Page;

use crate::output::{self, Format};
use crate::{Usage, config, serve};

// A subcommand beside flags: `configure --endpoint X` stays the command it always was (scripts
// and the tests run it), `configure list` is another, and the two never mix.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConfigureArgs {
    #[command(subcommand)]
    command: Option<ConfigureCmd>,
    /// The server's address; http://127.0.0.1:7878 when the profile has none.
    #[arg(long)]
    endpoint: Option<String>,
    /// The access key's id (ak-...).
    #[arg(long)]
    access_key_id: Option<String>,
    /// The access key's secret. A flag's value shows in the shell's history and to `ps`: on a
    /// terminal, `xconnect configure` asks for it without echoing it instead.
    #[arg(long)]
    access_key_secret: Option<String>,
    /// Take the key from a server's operator.key file.
    #[arg(long, conflicts_with_all = ["access_key_id", "access_key_secret"])]
    operator_key: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigureCmd {
    /// The profiles of the config file: each one's endpoint and access key id (never its secret).
    List,
}

pub fn run(profile: &str, f: Format, args: ConfigureArgs) -> Result<()> {
    if let Some(ConfigureCmd::List) = args.command {
        return list(f);
    }
    let given = args.endpoint.is_some()
        || args.access_key_id.is_some()
        || args.access_key_secret.is_some()
        || args.operator_key.is_some();
    let mut cfg = config::load()?;
    let entry = cfg.profiles.entry(profile.to_owned()).or_default();
    if !given {
        if !std::io::stdin().is_terminal() {
            // Nothing to write and no one to ask: say what a script must pass, rather than
            // write the profile unchanged and say it was written.
            return Err(Usage(format!(
                "configure has nothing to write and standard input is not a terminal to ask on: pass \
                 --endpoint URL --access-key-id ID --access-key-secret SECRET (or --operator-key FILE) \
                 for profile '{profile}'"
            ))
            .into());
        }
        ask_for(profile, entry)?;
    }
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

/// Asks on the terminal for the endpoint, the access key id and its secret, each with what the
/// profile holds as the answer Enter gives. The questions go to standard error, so that
/// standard output says only what was written, as with flags.
fn ask_for(profile: &str, entry: &mut config::Profile) -> Result<()> {
    eprintln!("Profile '{profile}' (Enter keeps the value in brackets)");
    let current = entry.endpoint.clone().unwrap_or_else(|| config::DEFAULT_ENDPOINT.to_owned());
    // A typo here would show only at the first command; the client's own check says it now.
    let endpoint = loop {
        let answer = ask("Endpoint", Some(&current), &current, false)?;
        let creds = xconnect_client::Credentials {
            endpoint: answer.clone(),
            access_key_id: String::new(),
            access_key_secret: String::new(),
        };
        match xconnect_client::Client::new(creds) {
            Ok(_) => break answer,
            Err(e) => eprintln!("{e}"),
        }
    };
    entry.endpoint = Some(endpoint);
    let id = ask("Access key id", entry.access_key_id.as_deref(), entry.access_key_id.as_deref().unwrap_or(""), false)?;
    // A new key's secret is never the old key's: only the same key keeps its secret on Enter.
    let kept = entry.access_key_secret.clone().filter(|_| entry.access_key_id.as_deref() == Some(id.as_str()));
    let secret = match &kept {
        Some(s) => ask("Access key secret", Some("keep the current one"), s, true)?,
        None => ask("Access key secret", None, "", true)?,
    };
    entry.access_key_id = Some(id);
    entry.access_key_secret = Some(secret);
    Ok(())
}

/// One question: `label [shown]: `, answered by a line, or by Enter for `kept` (asked again
/// while that is empty). A secret is read with the terminal's echo off.
fn ask(label: &str, shown: Option<&str>, kept: &str, secret: bool) -> Result<String> {
    loop {
        // The echo goes off before the question shows: what is typed as soon as it shows must
        // not show.
        let echo = secret.then(EchoOff::new);
        match shown {
            Some(s) => eprint!("{label} [{s}]: "),
            None => eprint!("{label}: "),
        }
        std::io::stderr().flush()?;
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        if echo.is_some() {
            drop(echo);
            // The Enter typed was not echoed either.
            eprintln!();
        }
        if read.context("cannot read standard input")? == 0 {
            bail!("standard input ended before the {} was given", label.to_lowercase());
        }
        let answer = line.trim();
        if !answer.is_empty() {
            return Ok(answer.to_owned());
        }
        if !kept.is_empty() {
            return Ok(kept.to_owned());
        }
    }
}

/// The terminal's echo turned off while it lives, through `stty` on standard input (no crate
/// needed for one flag of one terminal), and its settings put back as they were when it goes,
/// or when Ctrl-C ends the program while it lives. Where `stty` cannot, the secret shows as
/// typed, and the user is told so before typing it.
struct EchoOff {
    saved: Option<String>,
    interrupt: Option<tokio::task::JoinHandle<()>>,
}

impl EchoOff {
    fn new() -> EchoOff {
        let stty = |args: &[&str]| {
            std::process::Command::new("stty").args(args).stdin(Stdio::inherit()).stderr(Stdio::null()).output()
        };
        let saved = match stty(&["-g"]) {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).ok().map(|s| s.trim().to_owned()),
            _ => None,
        };
        let saved = saved.filter(|_| stty(&["-echo"]).is_ok_and(|o| o.status.success()));
        if saved.is_none() {
            eprint!("(stty cannot turn the terminal's echo off: the secret will show) ");
            let _ = std::io::stderr().flush();
        }
        // Killed by Ctrl-C with the echo off, the program would leave the shell typing blind.
        let interrupt = saved.clone().and_then(|settings| {
            let handle = tokio::runtime::Handle::try_current().ok()?;
            Some(handle.spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    restore(&settings);
                    eprintln!();
                    std::process::exit(130);
                }
            }))
        });
        EchoOff { saved, interrupt }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(task) = self.interrupt.take() {
            task.abort();
        }
        if let Some(settings) = &self.saved {
            restore(settings);
        }
    }
}

/// Puts the terminal's settings back as `stty -g` printed them.
fn restore(settings: &str) {
    let _ = std::process::Command::new("stty").arg(settings).stdin(Stdio::inherit()).status();
}

/// A profile as `configure list` shows it: never its secret.
#[derive(Debug, serde::Serialize)]
struct ProfileEntry {
    name: String,
    endpoint: Option<String>,
    access_key_id: Option<String>,
}

impl output::Row for ProfileEntry {
    const HEADERS: &'static [&'static str] = &["PROFILE", "ENDPOINT", "ACCESS_KEY_ID"];
    fn cells(&self) -> Vec<String> {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        vec![self.name.clone(), dash(&self.endpoint), dash(&self.access_key_id)]
    }
}

/// Every profile of the config file, in name order, as a page like any other list's.
fn list(f: Format) -> Result<()> {
    let items = config::load()?
        .profiles
        .into_iter()
        .map(|(name, p)| ProfileEntry { name, endpoint: p.endpoint, access_key_id: p.access_key_id })
        .collect();
    output::page(f, &Page { items, next_token: None });
    Ok(())
}
