//! `xconnect audit`: the audit trail, every change with who made it and how it ended.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;

use crate::output::{self, Format};
use crate::{ListArgs, pages};

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Your own account's events, oldest first (the operator sees every account's).
    List(ListArgs),
}

pub async fn run(c: &Client, f: Format, cmd: AuditCmd) -> Result<()> {
    match cmd {
        AuditCmd::List(list) => {
            let p = pages(&list, list.query(), |q| {
                let c = c.clone();
                async move { c.audit_list(&q).await }
            })
            .await?;
            output::page(f, &p);
        }
    }
    Ok(())
}
