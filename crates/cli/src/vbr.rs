//! `xconnect vbr`: a tenant's virtual border routers on accepted shared ports.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{VbrCreateRequest, VbrModifyRequest};

use crate::output::{self, Format};
use crate::{ListArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum VbrCmd {
    /// A VBR on an accepted shared port; it inherits the port's VLAN id.
    ///
    /// `--port sp-... --local-gateway 10.0.0.1 --peer-gateway 10.0.0.2 --peering-subnet 10.0.0.0/30
    /// --route 10.10.0.0/16` (the data centre's blocks, repeated).
    Create {
        #[arg(long)]
        port: String,
        /// Only to check: a VBR's VLAN id is its port's and cannot be chosen.
        #[arg(long)]
        vlan: Option<i64>,
        #[arg(long)]
        local_gateway: String,
        #[arg(long)]
        peer_gateway: String,
        #[arg(long)]
        peering_subnet: String,
        /// A data centre block, routed to it through the port; repeat for each.
        #[arg(long = "route")]
        routes: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Show one VBR.
    Get { id: String },
    /// List your VBRs.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a VBR's name, description or data centre routes (its VLAN id never changes).
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Refused unless it is the VBR's own VLAN id: it can never be changed.
        #[arg(long)]
        vlan: Option<i64>,
        /// Replaces the data centre routes; repeat for each.
        #[arg(long = "route")]
        routes: Option<Vec<String>>,
    },
    /// Delete a VBR (refused while attached, granted or with hosts).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: VbrCmd) -> Result<()> {
    match cmd {
        VbrCmd::Create { port, vlan, local_gateway, peer_gateway, peering_subnet, routes, name, description } => {
            let req = VbrCreateRequest {
                shared_port_id: port,
                vlan_id: vlan,
                local_gateway_ip: local_gateway,
                peer_gateway_ip: peer_gateway,
                peering_subnet,
                routes: Some(routes),
                name,
                description,
            };
            output::one(f, &c.vbr_create(&req).await?)
        }
        VbrCmd::Get { id } => output::one(f, &c.vbr_get(&id).await?),
        VbrCmd::List { list } => print_pages(f, &list, list.query(), async |q| c.vbr_list(q).await).await?,
        VbrCmd::Modify { id, name, description, vlan, routes } => {
            let req = VbrModifyRequest { name, description, vlan_id: vlan, routes };
            output::one(f, &c.vbr_modify(&id, &req).await?)
        }
        VbrCmd::Delete { id } => {
            c.vbr_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
