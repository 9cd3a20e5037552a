//! `xconnect bandwidth-package`: bandwidth bought between regions of an area, or of two areas.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{BandwidthPackageCreateRequest, BandwidthPackageModifyRequest};

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum BandwidthPackageCmd {
    /// Buy a package: `--name daikuaibao1 --bandwidth 50 --area chinese-mainland --billing-mode monthly --period 1`.
    ///
    /// Give --area twice for a package between two areas (across the border of the Chinese
    /// mainland, only with an approved cross-border permit). The package waits for payment
    /// (`xconnect bandwidth-package pay`); with --hub it is bound to that hub when paid.
    Create {
        #[arg(long)]
        name: String,
        /// Mbit/s, 1 to 10,000.
        #[arg(long)]
        bandwidth: i64,
        /// An area id or name (`xconnect region list` shows them); twice for a package between
        /// two areas.
        #[arg(long = "area", required = true, value_parser = choices::area())]
        areas: Vec<String>,
        /// Prepaid for --period months, or years.
        #[arg(long, default_value = "monthly", value_parser = choices::billing_mode())]
        billing_mode: String,
        /// Months (1 to 11) or years (1 to 3) per term.
        #[arg(long, default_value_t = 1)]
        period: i64,
        #[arg(long)]
        auto_renew: bool,
        /// Bind to this hub when paid.
        #[arg(long)]
        hub: Option<String>,
        #[arg(long)]
        enterprise_project: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Pay for a package: Normal for its term (and bound to the hub it was bought for).
    Pay { id: String },
    /// Bind a Normal package to your hub (one per hub for each area pair).
    Bind {
        id: String,
        #[arg(long)]
        hub: String,
    },
    /// Unbind a package from its hub (refused while inter-region bandwidths use it).
    Unbind { id: String },
    /// Show one package, as it stands now.
    Get { id: String },
    /// List your packages.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a package's name, description or auto-renewal.
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// true or false.
        #[arg(long)]
        auto_renew: Option<bool>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: BandwidthPackageCmd) -> Result<()> {
    match cmd {
        BandwidthPackageCmd::Create {
            name,
            bandwidth,
            areas,
            billing_mode,
            period,
            auto_renew,
            hub,
            enterprise_project,
            description,
            client_token,
        } => {
            let req = BandwidthPackageCreateRequest {
                name,
                description,
                billing_mode,
                period,
                auto_renew: Some(auto_renew),
                bandwidth_mbps: bandwidth,
                areas,
                enterprise_project,
                hub_id: hub,
                client_token,
            };
            output::one(f, &c.bandwidth_package_create(&req).await?)
        }
        BandwidthPackageCmd::Pay { id } => output::one(f, &c.bandwidth_package_pay(&id).await?),
        BandwidthPackageCmd::Bind { id, hub } => output::one(f, &c.bandwidth_package_bind(&id, &hub).await?),
        BandwidthPackageCmd::Unbind { id } => output::one(f, &c.bandwidth_package_unbind(&id).await?),
        BandwidthPackageCmd::Get { id } => output::one(f, &c.bandwidth_package_get(&id).await?),
        BandwidthPackageCmd::List { list } => {
            print_pages(f, &list, list.query(), async |q| c.bandwidth_package_list(q).await).await?
        }
        BandwidthPackageCmd::Modify { id, name, description, auto_renew } => {
            let req = BandwidthPackageModifyRequest { name, description, auto_renew };
            output::one(f, &c.bandwidth_package_modify(&id, &req).await?)
        }
    }
    Ok(())
}
