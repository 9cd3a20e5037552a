//! `xconnect audit`: the audit trail, every change with who made it and how it ended.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;

use crate::output::Format;
use crate::{ListArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Your own account's events, oldest first (the operator sees every account's).
    List(ListArgs),
}

pub async fn run(c: &Client, f: Format, cmd: AuditCmd) -> Result<()> {
    match cmd {
        AuditCmd::List(list) => {
            print_pages(f, &list, list.query(), async |q| c.audit_list(q).await).await?;
        }
    }
    Ok(())
}
