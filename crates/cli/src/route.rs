//! `xconnect route-table` and `xconnect route-entry`: a VPC's route table, with its system and
//! custom routes, and the custom route entries in it.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::CustomNextHopType;
use xconnect_model::wire::{ListQuery, RouteEntryCreateRequest, RouteEntryModifyRequest};

use crate::output::{self, Format};
use crate::{ListArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum RouteTableCmd {
    /// A route table with its system and custom routes.
    Get { id: String },
}

#[derive(Debug, Subcommand)]
pub enum RouteEntryCmd {
    /// Add a custom route: `--route-table vtb-... --destination 172.16.0.0/16 --next-hop ri-...`, or
    /// `--next-hop-type blackhole`.
    Create {
        #[arg(long)]
        route_table: String,
        #[arg(long)]
        destination: String,
        /// Where the route sends packets; router_interface when --next-hop names one (ri-...).
        #[arg(long, value_parser = choices::next_hop_type())]
        next_hop_type: Option<String>,
        /// The next hop's id: a router interface of the same VRouter (ri-...).
        #[arg(long = "next-hop")]
        next_hop_id: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one custom route entry by id.
    Get { id: String },
    /// List your custom route entries, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        route_table: Option<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
    /// Change a custom route entry's name or description.
    Modify {
        id: String,
        #[arg(long)]
        description: String,
    },
    /// Delete a custom route entry.
    Delete { id: String },
}

pub async fn run_table(c: &Client, f: Format, cmd: RouteTableCmd) -> Result<()> {
    match cmd {
        RouteTableCmd::Get { id } => output::route_table(f, &c.route_table_get(&id).await?),
    }
    Ok(())
}

pub async fn run_entry(c: &Client, f: Format, cmd: RouteEntryCmd) -> Result<()> {
    match cmd {
        RouteEntryCmd::Create { route_table, destination, next_hop_type, next_hop_id, description, client_token } => {
            let next_hop_type = match (next_hop_type, next_hop_id.as_deref()) {
                (Some(t), _) => t,
                (None, Some(id)) if id.starts_with("ri-") => CustomNextHopType::RouterInterface.as_str().to_owned(),
                (None, _) => {
                    anyhow::bail!("give --next-hop ri-... (a router interface) or --next-hop-type blackhole")
                }
            };
            let req = RouteEntryCreateRequest {
                route_table_id: route_table,
                destination_cidr_block: destination,
                next_hop_type,
                next_hop_id,
                description,
                client_token,
            };
            output::one(f, &c.route_entry_create(&req).await?)
        }
        RouteEntryCmd::Get { id } => output::one(f, &c.route_entry_get(&id).await?),
        RouteEntryCmd::List { list, route_table, vpc } => {
            let q = ListQuery { route_table_id: route_table, vpc_id: vpc, ..list.query() };
            print_pages(f, &list, q, async |q| c.route_entry_list(q).await).await?
        }
        RouteEntryCmd::Modify { id, description } => {
            let req = RouteEntryModifyRequest { description: Some(description) };
            output::one(f, &c.route_entry_modify(&id, &req).await?)
        }
        RouteEntryCmd::Delete { id } => {
            c.route_entry_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
