//! `xconnect shared-port`: slices of a partner's connection (a VLAN and a bandwidth) pushed to a
//! tenant.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::SharedPortCreateRequest;

use crate::output::{self, Format};
use crate::{ListArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum SharedPortCmd {
    /// Partner only: push a shared port to a tenant: `--connection pc-... --tenant acc-... --vlan 100 --bandwidth 50`.
    Create {
        #[arg(long)]
        connection: String,
        #[arg(long)]
        tenant: String,
        /// 0 to 2999, unique on the connection.
        #[arg(long)]
        vlan: i64,
        /// Mbit/s; the ports of a connection never exceed it.
        #[arg(long)]
        bandwidth: i64,
    },
    /// The tenant accepts a shared port pushed to it.
    Accept { id: String },
    /// The tenant declines a shared port (its VLAN id and bandwidth are freed).
    Decline { id: String },
    /// Partner only: withdraw a shared port its tenant has not accepted (frees its VLAN id and
    /// bandwidth).
    Delete { id: String },
    /// Show one shared port you made or were given.
    Get { id: String },
    /// The shared ports you made (a partner) or were given (a tenant).
    List {
        #[command(flatten)]
        list: ListArgs,
    },
}

pub async fn run(c: &Client, f: Format, cmd: SharedPortCmd) -> Result<()> {
    match cmd {
        SharedPortCmd::Create { connection, tenant, vlan, bandwidth } => {
            let req = SharedPortCreateRequest {
                physical_connection_id: connection,
                tenant_account_id: tenant,
                vlan_id: vlan,
                bandwidth_mbps: bandwidth,
            };
            output::one(f, &c.shared_port_create(&req).await?)
        }
        SharedPortCmd::Accept { id } => output::one(f, &c.shared_port_accept(&id).await?),
        SharedPortCmd::Decline { id } => output::one(f, &c.shared_port_decline(&id).await?),
        SharedPortCmd::Delete { id } => {
            c.shared_port_delete(&id).await?;
            output::deleted(f, &id)
        }
        SharedPortCmd::Get { id } => output::one(f, &c.shared_port_get(&id).await?),
        SharedPortCmd::List { list } => {
            print_pages(f, &list, list.query(), async |q| c.shared_port_list(q).await).await?
        }
    }
    Ok(())
}
