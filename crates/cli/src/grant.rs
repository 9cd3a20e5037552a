//! `xconnect grant`: letting another account's hub attach one of your networks.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::GrantCreateRequest;

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum GrantCmd {
    /// Let another account's hub attach one of your networks: `--vpc vpc-... --hub hub-... --grantee acc-...`
    /// (or `--vbr vbr-...`).
    Create {
        /// The VPC or VBR.
        #[arg(long = "network", visible_aliases = ["vpc", "vbr"])]
        vpc: String,
        /// The VPC's region, as the consoles ask for it; checked against the VPC.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
        #[arg(long)]
        hub: String,
        /// The hub's owner.
        #[arg(long)]
        grantee: String,
        #[arg(long)]
        remarks: Option<String>,
    },
    /// Show one grant you gave or received.
    Get { id: String },
    /// The grants you gave, or with --received the ones given to you.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        received: bool,
    },
    /// Revoke a grant (refused while the VPC is attached under it).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: GrantCmd) -> Result<()> {
    match cmd {
        GrantCmd::Create { vpc, region, hub, grantee, remarks } => {
            let req = GrantCreateRequest {
                network_id: vpc,
                network_type: None,
                region,
                grantee_account_id: grantee,
                hub_id: hub,
                remarks,
            };
            output::one(f, &c.grant_create(&req).await?)
        }
        GrantCmd::Get { id } => output::one(f, &c.grant_get(&id).await?),
        GrantCmd::List { list, received } => {
            print_pages(f, &list, list.query(), async |q| {
                if received { c.grant_list_received(q).await } else { c.grant_list(q).await }
            })
            .await?
        }
        GrantCmd::Delete { id } => {
            c.grant_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
