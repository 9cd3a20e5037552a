//! `xconnect vswitch`: vswitches, the blocks of a VPC in one zone.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{ListQuery, VSwitchCreateRequest};

use crate::output::{self, Format};
use crate::{ListArgs, ModifyArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum VswitchCmd {
    /// Create a vswitch: a block inside the VPC's, in one zone of its region.
    Create {
        #[arg(long)]
        vpc: String,
        /// A zone of the VPC's region (`xconnect region list` shows each region's zones).
        #[arg(long, value_parser = choices::zone(), hide_possible_values = true)]
        zone: String,
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one vswitch by id.
    Get { id: String },
    /// List your vswitches, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
    },
    /// Change a vswitch's name or description.
    Modify(ModifyArgs),
    /// Delete a vswitch.
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: VswitchCmd) -> Result<()> {
    match cmd {
        VswitchCmd::Create { vpc, zone, cidr, name, description, client_token } => {
            let req = VSwitchCreateRequest { vpc_id: vpc, zone, cidr_block: cidr, name, description, client_token };
            output::one(f, &c.vswitch_create(&req).await?)
        }
        VswitchCmd::Get { id } => output::one(f, &c.vswitch_get(&id).await?),
        VswitchCmd::List { list, vpc, region } => {
            let q = ListQuery { vpc_id: vpc, region, ..list.query() };
            print_pages(f, &list, q, async |q| c.vswitch_list(q).await).await?
        }
        VswitchCmd::Modify(m) => output::one(f, &c.vswitch_modify(&m.id, &m.request()).await?),
        VswitchCmd::Delete { id } => {
            c.vswitch_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
