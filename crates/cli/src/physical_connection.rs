//! `xconnect physical-connection`: a partner's ports at access points.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::PhysicalConnectionCreateRequest;

use crate::output::{self, Format};
use crate::{ListArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum PhysicalConnectionCmd {
    /// Partner only: a physical connection at an access point.
    Create {
        #[arg(long)]
        name: String,
        /// The access point's name, e.g. "Equinix DC11".
        #[arg(long)]
        access_point: String,
        #[arg(long)]
        region: String,
        /// 1000Base-T, 1000Base-LX, 10GBase-T, 10GBase-LR, 40GBase-LR or 100GBase-LR.
        #[arg(long, default_value = "10GBase-LR")]
        port_type: String,
        /// Mbit/s, up to the port's line rate.
        #[arg(long)]
        bandwidth: i64,
    },
    /// Show one of your physical connections.
    Get { id: String },
    /// List your physical connections.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
}

pub async fn run(c: &Client, f: Format, cmd: PhysicalConnectionCmd) -> Result<()> {
    match cmd {
        PhysicalConnectionCmd::Create { name, access_point, region, port_type, bandwidth } => {
            let req =
                PhysicalConnectionCreateRequest { name, access_point, region, port_type, bandwidth_mbps: bandwidth };
            output::one(f, &c.physical_connection_create(&req).await?)
        }
        PhysicalConnectionCmd::Get { id } => output::one(f, &c.physical_connection_get(&id).await?),
        PhysicalConnectionCmd::List { list } => {
            print_pages(f, &list, list.query(), async |q| c.physical_connection_list(q).await).await?
        }
    }
    Ok(())
}
