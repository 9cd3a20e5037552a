//! `xconnect order`: what an account pays for (an initiator router interface's spec, ...).

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::ListQuery;

use crate::output::Format;
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Your orders, oldest first: what was bought, for which resource, since and until when.
    List {
        #[command(flatten)]
        list: ListArgs,
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: OrderCmd) -> Result<()> {
    match cmd {
        OrderCmd::List { list, region } => {
            let q = ListQuery { region, ..list.query() };
            print_pages(f, &list, q, async |q| c.order_list(q).await).await?;
        }
    }
    Ok(())
}
