//! `xconnect router-interface`: the two sides of a peering between two VPCs' VRouters.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{ListQuery, RouterInterfaceCreateRequest, RouterInterfacePeerRequest};

use crate::output::{self, Format};
use crate::{ListArgs, ModifyArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum RouterInterfaceCmd {
    /// Create one side of a peering in a VPC's VRouter.
    ///
    /// The initiator chooses the spec and pays for it:
    /// `--vpc vpc-... --role initiator --peer-region cn-beijing --spec Mini.2`. The acceptor's spec
    /// follows the initiator's: `--vpc vpc-... --role acceptor --peer-region cn-qingdao`.
    Create {
        #[arg(long)]
        vpc: String,
        /// The local region (the VPC's), as the consoles ask for it; checked against the VPC.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
        /// The initiator connects the pair and pays for it; the acceptor waits for it.
        #[arg(long, value_parser = choices::role())]
        role: String,
        /// The region of the VPC on the other side.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        peer_region: String,
        /// The pair's bandwidth, chosen by the initiator: Mini.2 (2 Mbit/s) to Xlarge.1 (10,000
        /// Mbit/s). An acceptor leaves it out or says Default.
        #[arg(long, value_parser = choices::spec())]
        spec: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Name the other side: its account, VRouter and interface (while Idle).
    SetPeer {
        id: String,
        #[arg(long)]
        peer_account: String,
        #[arg(long)]
        peer_vrouter: String,
        #[arg(long)]
        peer_interface: String,
        /// Change the peer region given at creation.
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        peer_region: Option<String>,
    },
    /// Initiator only: connect the pair; both sides become Active.
    Connect { id: String },
    /// Take an Active side out of service; the pair carries nothing until it is activated.
    Deactivate { id: String },
    /// Put an Inactive side back in service.
    Activate { id: String },
    /// Show one router interface by id.
    Get { id: String },
    /// List your router interfaces, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
        /// Only those in this status (any case).
        #[arg(long, value_parser = choices::router_interface_status())]
        status: Option<String>,
        /// Only initiators, or only acceptors.
        #[arg(long, value_parser = choices::role())]
        role: Option<String>,
    },
    /// Change a router interface's name or description.
    Modify(ModifyArgs),
    /// Delete a router interface (refused while Active or while routes use it).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: RouterInterfaceCmd) -> Result<()> {
    match cmd {
        RouterInterfaceCmd::Create { vpc, region, role, peer_region, spec, name, description, client_token } => {
            let req = RouterInterfaceCreateRequest {
                vpc_id: vpc,
                region,
                role,
                peer_region,
                spec,
                name,
                description,
                client_token,
            };
            output::one(f, &c.router_interface_create(&req).await?)
        }
        RouterInterfaceCmd::SetPeer { id, peer_account, peer_vrouter, peer_interface, peer_region } => {
            let req = RouterInterfacePeerRequest {
                peer_account_id: peer_account,
                peer_vrouter_id: peer_vrouter,
                peer_router_interface_id: peer_interface,
                peer_region,
            };
            output::one(f, &c.router_interface_set_peer(&id, &req).await?)
        }
        RouterInterfaceCmd::Connect { id } => output::one(f, &c.router_interface_action(&id, "connect").await?),
        RouterInterfaceCmd::Deactivate { id } => output::one(f, &c.router_interface_action(&id, "deactivate").await?),
        RouterInterfaceCmd::Activate { id } => output::one(f, &c.router_interface_action(&id, "activate").await?),
        RouterInterfaceCmd::Get { id } => output::one(f, &c.router_interface_get(&id).await?),
        RouterInterfaceCmd::List { list, vpc, region, status, role } => {
            let q = ListQuery { vpc_id: vpc, region, status, role, ..list.query() };
            print_pages(f, &list, q, async |q| c.router_interface_list(q).await).await?
        }
        RouterInterfaceCmd::Modify(m) => output::one(f, &c.router_interface_modify(&m.id, &m.request()).await?),
        RouterInterfaceCmd::Delete { id } => {
            c.router_interface_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
