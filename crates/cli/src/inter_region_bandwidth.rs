//! `xconnect inter-region-bandwidth`: bandwidth between two regions of a hub, from a package.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{InterRegionBandwidthCreateRequest, ListQuery};

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum InterRegionBandwidthCmd {
    /// Assign bandwidth between two regions of a hub from a package bound to it.
    Create {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        package: String,
        /// A region of the package's areas; give it twice, once for each end.
        #[arg(long = "region", num_args = 1, required = true, value_parser = choices::region(), hide_possible_values = true)]
        regions: Vec<String>,
        /// Mbit/s.
        #[arg(long)]
        bandwidth: i64,
    },
    /// Change an inter-region bandwidth, up or down.
    Modify {
        id: String,
        #[arg(long)]
        bandwidth: i64,
    },
    /// Show one inter-region bandwidth.
    Get { id: String },
    /// List your inter-region bandwidths.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        hub: Option<String>,
    },
    /// Delete an inter-region bandwidth.
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: InterRegionBandwidthCmd) -> Result<()> {
    match cmd {
        InterRegionBandwidthCmd::Create { hub, package, regions, bandwidth } => {
            let req = InterRegionBandwidthCreateRequest {
                hub_id: hub,
                bandwidth_package_id: package,
                regions,
                bandwidth_mbps: bandwidth,
            };
            output::one(f, &c.inter_region_bandwidth_create(&req).await?)
        }
        InterRegionBandwidthCmd::Modify { id, bandwidth } => {
            output::one(f, &c.inter_region_bandwidth_modify(&id, bandwidth).await?)
        }
        InterRegionBandwidthCmd::Get { id } => output::one(f, &c.inter_region_bandwidth_get(&id).await?),
        InterRegionBandwidthCmd::List { list, hub } => {
            let q = ListQuery { hub_id: hub, ..list.query() };
            print_pages(f, &list, q, async |q| c.inter_region_bandwidth_list(q).await).await?
        }
        InterRegionBandwidthCmd::Delete { id } => {
            c.inter_region_bandwidth_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
