//! `xconnect connectivity`: whether one instance (or data centre host) reaches an address, and if
//! not, which hop stops it; an unreachable verdict is exit code 3.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{ConnectivityMatrixRequest, ConnectivityTestRequest};

use crate::output::{self, Format};
use crate::{Unreachable, choices};

#[derive(Debug, Subcommand)]
pub enum ConnectivityCmd {
    /// Follow a packet from an instance to an address, hop by hop.
    ///
    /// `xconnect connectivity test --from i-... --to 172.16.100.10 [--protocol tcp --port 22]`.
    /// Exits 0 when it arrives and 3 when it does not, so scripts can branch on the verdict.
    Test {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// The test packet's protocol; icmp when left out. tcp and udp also take --port.
        #[arg(long, value_parser = choices::test_protocol())]
        protocol: Option<String>,
        /// Destination port, for tcp and udp.
        #[arg(long)]
        port: Option<i64>,
    },
    /// Every ordered pair of instances at once, one line per pair with its verdict.
    Matrix {
        /// Instance ids, repeated or comma-separated; all of yours when absent (up to 1,000).
        #[arg(long, value_delimiter = ',')]
        instances: Option<Vec<String>>,
        /// The test packets' protocol; icmp when left out. tcp and udp also take --port.
        #[arg(long, value_parser = choices::test_protocol())]
        protocol: Option<String>,
        /// Destination port, for tcp and udp.
        #[arg(long)]
        port: Option<i64>,
    },
}

pub async fn run(c: &Client, f: Format, cmd: ConnectivityCmd) -> Result<()> {
    match cmd {
        ConnectivityCmd::Test { from, to, protocol, port } => {
            let (from_instance_id, from_host_id) =
                if from.starts_with("host-") { (None, Some(from)) } else { (Some(from), None) };
            let req = ConnectivityTestRequest { from_instance_id, from_host_id, destination_ip: to, protocol, port };
            let answer = c.connectivity_test(&req).await?;
            output::connectivity(f, &answer);
            if answer.reachable { Ok(()) } else { Err(Unreachable.into()) }
        }
        ConnectivityCmd::Matrix { instances, protocol, port } => {
            let req = ConnectivityMatrixRequest { instance_ids: instances, protocol, port };
            output::matrix(f, &c.connectivity_matrix(&req).await?);
            Ok(())
        }
    }
}
