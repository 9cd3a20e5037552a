//! `xconnect region`: the region and area catalogue.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;

use crate::output::{self, Format};

#[derive(Debug, Subcommand)]
pub enum RegionCmd {
    /// Every region with its area, zones and the other clouds' ids for it.
    List,
}

pub async fn run(c: &Client, f: Format, cmd: RegionCmd) -> Result<()> {
    match cmd {
        RegionCmd::List => output::regions(f, &c.region_list().await?),
    }
    Ok(())
}
