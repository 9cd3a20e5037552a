//! `xconnect hub`: transit hubs (CEN instances, cloud connections) that networks attach to.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::HubCreateRequest;

use crate::output::{self, Format};
use crate::{ListArgs, ModifyArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// Create a hub: `--name CC_01 [--enterprise-project default]`.
    Create {
        /// 1 to 64 letters, digits, '_', '-', '.'.
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        enterprise_project: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one hub by id.
    Get { id: String },
    /// List your hubs.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a hub's name or description.
    Modify(ModifyArgs),
    /// Delete a hub (refused while networks are attached).
    Delete { id: String },
}

pub async fn run(c: &Client, f: Format, cmd: HubCmd) -> Result<()> {
    match cmd {
        HubCmd::Create { name, description, enterprise_project, client_token } => {
            let req = HubCreateRequest { name, description, enterprise_project, client_token };
            output::one(f, &c.hub_create(&req).await?)
        }
        HubCmd::Get { id } => output::one(f, &c.hub_get(&id).await?),
        HubCmd::List { list } => print_pages(f, &list, list.query(), async |q| c.hub_list(q).await).await?,
        HubCmd::Modify(m) => output::one(f, &c.hub_modify(&m.id, &m.request()).await?),
        HubCmd::Delete { id } => {
            c.hub_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
