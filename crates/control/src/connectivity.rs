//! "Can A reach B": the connectivity test, answered by the `net` layer's path walker from a
//! snapshot of the source's VPC read in one transaction.

use std::net::IpAddr;

use xconnect_model::connectivity::ConnectivityAnswer;
use xconnect_model::wire::ConnectivityTestRequest;
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

use crate::{Caller, Control};

fn question(req: &ConnectivityTestRequest) -> Result<Question> {
    let from = InstanceId::parse("from_instance_id", &req.from_instance_id)?;
    let to: IpAddr = req
        .destination_ip
        .parse()
        .map_err(|_| Error::invalid("destination_ip", format_args!("'{}' is not an IP address", req.destination_ip)))?;
    let protocol = match req.protocol.as_deref().unwrap_or("icmp") {
        "icmp" => Protocol::Icmp,
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        other => return Err(Error::invalid("protocol", format_args!("'{other}': use icmp, tcp or udp"))),
    };
    let port = match (protocol.has_ports(), req.port) {
        (true, Some(p @ 1..=65535)) => Some(p as u16),
        (true, Some(p)) => return Err(Error::invalid("port", format_args!("{p} is not a port: use 1 to 65535"))),
        (true, None) => return Err(Error::invalid("port", "tcp and udp tests need a destination port")),
        (false, None) => None,
        (false, Some(_)) => return Err(Error::invalid("port", "icmp has no ports; leave port out")),
    };
    Ok(Question { from, to, protocol, port })
}

impl Control {
    /// Follows a packet from one of the caller's instances to an address and says whether it
    /// arrives, and if not, which hop stops it and what would fix it.
    pub async fn connectivity_test(&self, caller: &Caller, req: ConnectivityTestRequest) -> Result<ConnectivityAnswer> {
        let q = question(&req)?;
        let who = caller.clone();
        let snapshot = self
            .read(q.from.clone(), move |tx, from| {
                Box::pin(async move {
                    let src = match tx.instance_get(&from).await? {
                        Some(i) if who.can_see(&i.account_id) => i,
                        _ => return Err(Error::not_found(InstanceId::KIND, &from)),
                    };
                    let vpc =
                        tx.vpc_get(&src.vpc_id).await?.ok_or_else(|| Error::internal("an instance without its VPC"))?;
                    Ok(Snapshot {
                        vswitches: tx.vswitch_list_by_vpc(&vpc.id).await?,
                        instances: tx.instance_list_by_vpc(&vpc.id).await?,
                        rules: tx.security_group_rule_list_by_vpc(&vpc.id).await?,
                        route_entries: tx.route_entry_list_by_table(&vpc.route_table_id).await?,
                        vpcs: vec![vpc],
                    })
                })
            })
            .await?;
        View::new(snapshot).test(&q).ok_or_else(|| Error::internal("the source instance is missing from its own view"))
    }
}
