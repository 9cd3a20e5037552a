//! `xconnect order`: what an account pays for (an initiator router interface's spec, ...).

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::ListQuery;

use crate::output::{self, Format};
use crate::{ListArgs, pages};

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Your orders, oldest first: what was bought, for which resource, since and until when.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        region: Option<String>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: OrderCmd) -> Result<()> {
    match cmd {
        OrderCmd::List { list, region } => {
            let q = ListQuery { region, ..list.query() };
            let p = pages(&list, q, |q| {
                let c = c.clone();
                async move { c.order_list(&q).await }
            })
            .await?;
            output::page(f, &p);
        }
    }
    Ok(())
}
