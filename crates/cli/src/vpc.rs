//! `xconnect vpc`: VPCs, private networks in one region, each with a VRouter and a route table.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{ListQuery, VpcCreateRequest};

use crate::output::{self, Format};
use crate::{ListArgs, ModifyArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum VpcCmd {
    /// Create a VPC: `xconnect vpc create --region cn-qingdao --cidr 192.168.0.0/16 --name vpc1`
    Create {
        /// Region id, another cloud's id (huawei:cn-north-4) or display name (China (Qingdao));
        /// `xconnect region list` shows them.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: String,
        /// IPv4, /8 to /28.
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Repeating a create with the same token returns the first result.
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one VPC by id.
    Get { id: String },
    /// List your VPCs, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Change a VPC's name or description.
    Modify(ModifyArgs),
    /// Delete a VPC (refused while anything lives in it).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: VpcCmd) -> Result<()> {
    match cmd {
        VpcCmd::Create { region, cidr, name, description, client_token } => {
            let req = VpcCreateRequest { region, cidr_block: cidr, name, description, client_token };
            output::one(f, &c.vpc_create(&req).await?)
        }
        VpcCmd::Get { id } => output::one(f, &c.vpc_get(&id).await?),
        VpcCmd::List { list, region, name } => {
            let q = ListQuery { region, name, ..list.query() };
            print_pages(f, &list, q, async |q| c.vpc_list(q).await).await?
        }
        VpcCmd::Modify(m) => output::one(f, &c.vpc_modify(&m.id, &m.request()).await?),
        VpcCmd::Delete { id } => {
            c.vpc_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
