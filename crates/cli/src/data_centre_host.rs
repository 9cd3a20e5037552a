//! `xconnect data-centre-host`: hosts of the data centre behind a VBR, to test connectivity from
//! and to, and a command run inside one's namespace (`data-centre-host exec`).

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{DataCentreHostCreateRequest, ListQuery};

use crate::output::{self, Format};
use crate::{ListArgs, agent, print_pages};

#[derive(Debug, Subcommand)]
pub enum DataCentreHostCmd {
    /// A host in the data centre behind your VBR: `--vbr vbr-... --ip 10.10.1.5`.
    Create {
        #[arg(long)]
        vbr: String,
        #[arg(long)]
        ip: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one data centre host.
    Get { id: String },
    /// List your data centre hosts.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vbr: Option<String>,
    },
    /// Delete a data centre host.
    Delete { id: String },
    /// Run a command inside the host's namespace on the agent's host (as root):
    /// `xconnect data-centre-host exec dch-... -- ping -c 3 192.168.1.10`. Exits with its status.
    Exec {
        id: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<String>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: DataCentreHostCmd) -> Result<()> {
    match cmd {
        DataCentreHostCmd::Create { vbr, ip, name } => {
            output::one(f, &c.data_centre_host_create(&DataCentreHostCreateRequest { vbr_id: vbr, ip, name }).await?)
        }
        DataCentreHostCmd::Get { id } => output::one(f, &c.data_centre_host_get(&id).await?),
        DataCentreHostCmd::List { list, vbr } => {
            let q = ListQuery { vbr_id: vbr, ..list.query() };
            print_pages(f, &list, q, async |q| c.data_centre_host_list(q).await).await?
        }
        DataCentreHostCmd::Delete { id } => {
            c.data_centre_host_delete(&id).await?;
            output::deleted(f, &id)
        }
        DataCentreHostCmd::Exec { id, command } => {
            let h = c.data_centre_host_get(&id).await?;
            agent::exec_in(&xconnect_net::plan::host_namespace(h.id.as_str()), &id, &command)?
        }
    }
    Ok(())
}
