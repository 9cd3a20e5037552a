//! `xconnect attachment`: networks attached to a hub, and the blocks they advertise.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{AttachmentCreateRequest, ListQuery};

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum AttachmentCmd {
    /// Attach a network (a VPC or a VBR) to your hub: yours, or another account's that granted the
    /// hub (`--owner acc-...`).
    Create {
        #[arg(long)]
        hub: String,
        /// The VPC or VBR.
        #[arg(long = "network", visible_aliases = ["vpc", "vbr"])]
        vpc: String,
        /// The VPC's owner, when it is another account.
        #[arg(long)]
        owner: Option<String>,
        /// The VPC's region, as the consoles ask for it; checked against the VPC.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
        /// Blocks to advertise, comma-separated, inside the network's; by default its own blocks (a
        /// VPC's vswitches, a VBR's data centre routes) as they are.
        #[arg(long, value_delimiter = ',')]
        cidr_blocks: Option<Vec<String>>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one attachment of your hubs or networks.
    Get { id: String },
    /// The attachments of your hubs and of your networks.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        hub: Option<String>,
    },
    /// Detach a network (the hub's owner or the network's may).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: AttachmentCmd) -> Result<()> {
    match cmd {
        AttachmentCmd::Create { hub, vpc, owner, region, cidr_blocks, description, client_token } => {
            let req = AttachmentCreateRequest {
                hub_id: hub,
                network_id: vpc,
                network_type: None,
                network_account_id: owner,
                region,
                cidr_blocks,
                description,
                client_token,
            };
            output::one(f, &c.attachment_create(&req).await?)
        }
        AttachmentCmd::Get { id } => output::one(f, &c.attachment_get(&id).await?),
        AttachmentCmd::List { list, hub } => {
            let q = ListQuery { hub_id: hub, ..list.query() };
            print_pages(f, &list, q, async |q| c.attachment_list(q).await).await?
        }
        AttachmentCmd::Delete { id } => {
            c.attachment_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
