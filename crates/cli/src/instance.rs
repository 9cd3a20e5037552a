//! `xconnect instance`: instances, addresses in a vswitch guarded by security groups, and a
//! command run inside one's namespace (`instance exec`).

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{InstanceCreateRequest, InstanceModifyRequest, ListQuery};

use crate::output::{self, Format};
use crate::{ListArgs, agent, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum InstanceCmd {
    /// Create an instance in a vswitch, in one to five security groups of its VPC.
    Create {
        #[arg(long)]
        vswitch: String,
        /// Security group ids, repeated or comma-separated.
        #[arg(long = "security-group", value_delimiter = ',', required = true)]
        security_groups: Vec<String>,
        /// An address of the vswitch; the lowest free one when absent.
        #[arg(long)]
        private_ip: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one instance by id.
    Get { id: String },
    /// List your instances, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
        region: Option<String>,
    },
    /// Rename an instance or replace its security groups.
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long = "security-group", value_delimiter = ',')]
        security_groups: Option<Vec<String>>,
    },
    /// Delete an instance.
    Delete { id: String },
    /// Run a command inside the instance's namespace on the agent's host (as root):
    /// `xconnect instance exec i-... -- ping -c 3 172.16.100.10`. Exits with the command's status.
    Exec {
        id: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<String>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: InstanceCmd) -> Result<()> {
    match cmd {
        InstanceCmd::Create { vswitch, security_groups, private_ip, name, description, client_token } => {
            let req = InstanceCreateRequest {
                vswitch_id: vswitch,
                security_group_ids: security_groups,
                private_ip,
                name,
                description,
                client_token,
            };
            output::one(f, &c.instance_create(&req).await?)
        }
        InstanceCmd::Get { id } => output::one(f, &c.instance_get(&id).await?),
        InstanceCmd::List { list, vpc, region } => {
            let q = ListQuery { vpc_id: vpc, region, ..list.query() };
            print_pages(f, &list, q, async |q| c.instance_list(q).await).await?
        }
        InstanceCmd::Modify { id, name, description, security_groups } => {
            let req = InstanceModifyRequest { name, description, security_group_ids: security_groups };
            output::one(f, &c.instance_modify(&id, &req).await?)
        }
        InstanceCmd::Exec { id, command } => {
            // The instance must be one the caller may see; its namespace is named from its id.
            let i = c.instance_get(&id).await?;
            agent::exec_in(&xconnect_net::plan::instance_namespace(i.id.as_str()), &id, &command)?
        }
        InstanceCmd::Delete { id } => {
            c.instance_delete(&id).await?;
            output::deleted(f, &id)
        }
    }
    Ok(())
}
