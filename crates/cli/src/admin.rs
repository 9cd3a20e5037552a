//! `xconnect admin`: the operator's commands: accounts, their access keys, and the service's clock.

use anyhow::Result;
use clap::Subcommand;
use xconnect_model::wire::{AccountCreateRequest, Page};

use crate::output::{self, Format};
use crate::{ListArgs, choices, config, print_pages};

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Tenant and partner accounts.
    #[command(subcommand)]
    Account(AdminAccountCmd),
    /// Access keys of accounts.
    #[command(subcommand, name = "access-key")]
    AccessKey(AdminKeyCmd),
    /// The service's clock, which package terms run on.
    #[command(subcommand)]
    Clock(AdminClockCmd),
    /// Copy the store and the data directory's keys into a new directory, while the server
    /// runs (run it on the server's host: it reads the data directory).
    ///
    /// SQLite is copied from one snapshot with VACUUM INTO, PostgreSQL with pg_dump; seal.key
    /// and operator.key go with it, since the store's access key secrets are sealed with
    /// seal.key. Restore with `xconnect admin restore`.
    Backup {
        /// A new (or empty) directory to write the backup to.
        dir: std::path::PathBuf,
        #[command(flatten)]
        store: crate::backup::StoreArgs,
    },
    /// Restore a backup into a new data directory (and, for PostgreSQL, an empty database),
    /// with no server running on it; then start the server with that --data.
    Restore {
        /// The backup's directory, as `admin backup` wrote it.
        dir: std::path::PathBuf,
        #[command(flatten)]
        store: crate::backup::StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAccountCmd {
    /// Create a tenant or partner account; prints its id and first access key (shown once).
    Create {
        /// A tenant owns networks; a partner owns physical connections and pushes shared ports.
        #[arg(long, value_parser = choices::account_kind())]
        kind: String,
        #[arg(long)]
        name: String,
        /// Also write the new key to this profile of the config file, with the current endpoint.
        #[arg(long)]
        save_profile: Option<String>,
    },
    /// Show one account by id.
    Get { id: String },
    /// List your accounts (operator only), a page at a time (--all for every page).
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdminKeyCmd {
    /// Another access key for an account (the secret is shown once).
    Create {
        #[arg(long)]
        account: String,
    },
    /// List an account's access keys (never their secrets).
    List {
        #[arg(long)]
        account: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminClockCmd {
    /// The service's clock: the real time plus the offset the operator added.
    Get,
    /// Move the clock ahead (operator only), for trying out terms and expiry.
    Advance {
        #[arg(long, default_value_t = 0)]
        days: i64,
        #[arg(long, default_value_t = 0)]
        seconds: i64,
    },
}

pub async fn run(profile: &str, f: Format, cmd: AdminCmd) -> Result<()> {
    // Backups are made and restored on the server's host, from its files: no client.
    let c = match cmd {
        AdminCmd::Backup { dir, store } => return crate::backup::backup(f, &store, &dir),
        AdminCmd::Restore { dir, store } => return crate::backup::restore(f, &store, &dir),
        _ => &crate::client(profile).await?,
    };
    match cmd {
        AdminCmd::Backup { .. } | AdminCmd::Restore { .. } => unreachable!("answered above"),
        AdminCmd::Account(AdminAccountCmd::Create { kind, name, save_profile }) => {
            let made = c.account_create(&AccountCreateRequest { kind, name }).await?;
            if let Some(profile) = save_profile {
                let mut cfg = config::load()?;
                cfg.profiles.insert(
                    profile.clone(),
                    config::Profile {
                        endpoint: Some(c.credentials().endpoint.clone()),
                        access_key_id: Some(made.access_key.access_key_id.to_string()),
                        access_key_secret: Some(made.access_key.access_key_secret.clone()),
                    },
                );
                let path = config::save(&cfg)?;
                eprintln!("profile '{profile}' written to {}", path.display());
            }
            output::one(f, &made)
        }
        AdminCmd::Account(AdminAccountCmd::Get { id }) => output::one(f, &c.account_get(&id).await?),
        AdminCmd::Account(AdminAccountCmd::List(list)) => {
            print_pages(f, &list, list.query(), async |q| c.account_list(q).await).await?
        }
        AdminCmd::AccessKey(AdminKeyCmd::Create { account }) => output::one(f, &c.access_key_create(&account).await?),
        AdminCmd::Clock(AdminClockCmd::Get) => output::one(f, &c.clock_get().await?),
        AdminCmd::Clock(AdminClockCmd::Advance { days, seconds }) => {
            output::one(f, &c.clock_advance(days * 86_400 + seconds).await?)
        }
        AdminCmd::AccessKey(AdminKeyCmd::List { account }) => {
            let keys = c.access_key_list(&account).await?;
            output::page(f, &Page { items: keys, next_token: None })
        }
    }
    Ok(())
}
