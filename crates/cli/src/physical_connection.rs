//! `xconnect physical-connection`: a partner's ports at access points.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::PhysicalConnectionCreateRequest;

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum PhysicalConnectionCmd {
    /// Partner only: a physical connection at an access point.
    Create {
        #[arg(long)]
        name: String,
        /// The access point's name, e.g. "Equinix DC11".
        #[arg(long)]
        access_point: String,
        /// The region the connection reaches.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: String,
        /// The port's optics, which bound its bandwidth.
        #[arg(long, default_value = "10GBase-LR", value_parser = choices::port_type())]
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
