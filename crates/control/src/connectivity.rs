//! "Can A reach B": the connectivity test, answered by the `net` layer's path walker from a
//! snapshot of the source's network (a VPC, or the VBR of a data centre host) and the networks
//! a pair or a hub joins it with, read in one transaction.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use xconnect_model::connectivity::{ConnectivityAnswer, ConnectivityMatrix};
use xconnect_model::wire::{ConnectivityMatrixRequest, ConnectivityTestRequest};
use xconnect_model::*;
use xconnect_net::analyzer::{Question, Snapshot, View};

use crate::{Caller, Control};

/// The most instances one matrix may hold: a million pairs.
pub const MATRIX_MAX: usize = 1000;

/// Where a test starts: one of the caller's instances, or a host in one of its data centres.
#[derive(Debug, Clone)]
pub(crate) enum From {
    Instance(InstanceId),
    Host(DataCentreHostId),
}

/// The test asked for: its source, and the packet (destination, protocol, port).
pub(crate) fn question(req: &ConnectivityTestRequest) -> Result<(From, IpAddr, Protocol, Option<u16>)> {
    let from = match (&req.from_instance_id, &req.from_host_id) {
        (Some(i), None) => From::Instance(InstanceId::parse("from_instance_id", i)?),
        (None, Some(h)) => From::Host(DataCentreHostId::parse("from_host_id", h)?),
        _ => {
            return Err(Error::invalid(
                "from_instance_id",
                "give exactly one source: from_instance_id (an instance) or from_host_id (a data centre host)",
            ));
        }
    };
    let to: IpAddr = req
        .destination_ip
        .parse()
        .map_err(|_| Error::invalid("destination_ip", format_args!("'{}' is not an IP address", req.destination_ip)))?;
    let (protocol, port) = protocol_port(&req.protocol, req.port)?;
    Ok((from, to, protocol, port))
}

fn protocol_port(protocol: &Option<String>, port: Option<i64>) -> Result<(Protocol, Option<u16>)> {
    let protocol =
        protocol.as_deref().map(|p| Protocol::parse_tested("protocol", p)).transpose()?.unwrap_or(Protocol::Icmp);
    let port = match (protocol.has_ports(), port) {
        (true, Some(p @ 1..=65535)) => Some(p as u16),
        (true, Some(p)) => return Err(Error::invalid("port", format_args!("{p} is not a port: use 1 to 65535"))),
        (true, None) => return Err(Error::invalid("port", "tcp and udp tests need a destination port")),
        (false, None) => None,
        (false, Some(_)) => return Err(Error::invalid("port", "icmp has no ports; leave port out")),
    };
    Ok((protocol, port))
}

/// Adds a VPC and everything in it to a snapshot.
async fn snapshot_vpc(tx: &mut xconnect_store::Tx, vpc: &VpcId, s: &mut Snapshot) -> Result<()> {
    let vpc = tx.vpc_get(vpc).await?.ok_or_else(|| Error::internal("an instance without its VPC"))?;
    s.vswitches.extend(tx.vswitch_list_by_vpc(&vpc.id).await?);
    s.instances.extend(tx.instance_list_by_vpc(&vpc.id).await?);
    s.rules.extend(tx.security_group_rule_list_by_vpc(&vpc.id).await?);
    s.route_entries.extend(tx.route_entry_list_by_table(&vpc.route_table_id).await?);
    s.vpcs.push(vpc);
    Ok(())
}

/// A snapshot of the given VPCs and of every VPC a router interface of theirs is paired with or
/// their hub has attached, read in one transaction: all a packet from one of them can cross,
/// since a packet that arrived over a pair or through a hub goes no further. The interfaces of
/// all of them come with it, and the far sides of those, to tell whether each pair is whole; so
/// do the attachments and inter-region bandwidths of every hub they are attached to, and the
/// grants of the given VPCs.
async fn snapshot(tx: &mut xconnect_store::Tx, start: Vec<String>) -> Result<Snapshot> {
    let mut s = Snapshot::default();
    let mut loaded = HashSet::new();
    let mut hubs: HashSet<HubId> = HashSet::new();
    let mut interfaces: BTreeMap<RouterInterfaceId, RouterInterface> = BTreeMap::new();
    let mut queue = start;
    for level in 0..2 {
        let mut next = Vec::new();
        for network in std::mem::take(&mut queue) {
            if !loaded.insert(network.clone()) {
                continue;
            }
            // A VBR brings its data centre's hosts; a VPC everything in it and its pairs.
            let vpc = match NetworkKind::of(&network) {
                Some(NetworkKind::Vpc) => {
                    let vpc = VpcId::from_trusted(network.clone());
                    snapshot_vpc(tx, &vpc, &mut s).await?;
                    Some(vpc)
                }
                Some(NetworkKind::Vbr) => {
                    let id = VbrId::from_trusted(network.clone());
                    if let Some(vbr) = tx.vbr_get(&id).await? {
                        s.hosts.extend(tx.data_centre_host_list_by_vbr(&id).await?);
                        s.vbrs.push(vbr);
                    }
                    None
                }
                _ => None,
            };
            if let Some(a) = tx.attachment_by_network(&network).await?
                && hubs.insert(a.hub_id.clone())
            {
                let all = tx.attachment_list_by_hub(&a.hub_id).await?;
                if level == 0 {
                    next.extend(all.iter().map(|a| a.network_id.clone()));
                }
                s.attachments.extend(all);
                // Only a package in its term gives bandwidth; an expired one leaves the
                // regions it joined with the test bandwidth.
                let at = crate::clock::clock(tx).await?;
                let live: HashSet<BandwidthPackageId> = tx
                    .bandwidth_package_list_by_hub(&a.hub_id)
                    .await?
                    .into_iter()
                    .map(|p| crate::bandwidth_package::effective(p, at))
                    .filter(|p| p.status == BandwidthPackageStatus::Normal)
                    .map(|p| p.id)
                    .collect();
                let irbs = tx.inter_region_bandwidth_list_by_hub(&a.hub_id).await?;
                s.inter_region_bandwidths.extend(irbs.into_iter().filter(|b| live.contains(&b.bandwidth_package_id)));
            }
            if level == 0 {
                // The grants tell a missing attachment from a plain missing route. The hubs they
                // name are not read: the grantor may have named any hub (see `net`'s walk).
                s.grants.extend(tx.grant_list_by_network(&network).await?);
            }
            let Some(vpc) = vpc else { continue };
            for ri in tx.router_interface_list_by_vpc(&vpc).await? {
                if let Some(peer) = &ri.peer
                    && !interfaces.contains_key(&peer.router_interface_id)
                    && let Some(p) = tx.router_interface_get(&peer.router_interface_id).await?
                {
                    // Only a pair that was connected leads anywhere: an interface merely
                    // named by one side brings its VPC into nobody's view.
                    let paired = ri.status.connected() && p.status.connected() && p.names(&ri);
                    if level == 0 && paired {
                        next.push(p.vpc_id.to_string());
                    }
                    interfaces.insert(p.id.clone(), p);
                }
                interfaces.insert(ri.id.clone(), ri);
            }
        }
        queue = next;
    }
    s.router_interfaces = interfaces.into_values().collect();
    Ok(s)
}

impl Control {
    /// Operator only (the data plane's agent): the desired state of everything, computed by the
    /// `net` layer from one snapshot of the whole model.
    pub async fn desired_state_get(&self, caller: &Caller) -> Result<xconnect_model::dataplane::DesiredState> {
        if caller.account.kind != AccountKind::Operator {
            return Err(Error::Forbidden { message: "only the operator's data plane reads the desired state".into() });
        }
        let snapshot = self
            .read(
                (),
                tx!(|tx, ()| {
                    let mut all: Vec<String> = tx.vpc_ids_all().await?.into_iter().map(|v| v.to_string()).collect();
                    // VBRs on no hub are realised too: their data centres can reach them.
                    all.extend(tx.vbr_ids_all().await?.into_iter().map(|v| v.to_string()));
                    snapshot(tx, all).await
                }),
            )
            .await?;
        Ok(View::new(snapshot).desired_state())
    }

    /// Follows a packet from one of the caller's instances to an address and says whether it
    /// arrives, and if not, which hop stops it and what would fix it.
    pub async fn connectivity_test(&self, caller: &Caller, req: ConnectivityTestRequest) -> Result<ConnectivityAnswer> {
        let (from, to, protocol, port) = question(&req)?;
        let snapshot = self
            .read_as(
                caller,
                from.clone(),
                tx!(|tx, caller, from| {
                    let network = match from {
                        From::Instance(id) => match tx.instance_get(&id).await? {
                            Some(i) if caller.can_see(&i.account_id) => i.vpc_id.to_string(),
                            _ => return Err(Error::not_found(InstanceId::KIND, &id)),
                        },
                        From::Host(id) => match tx.data_centre_host_get(&id).await? {
                            Some(h) if caller.can_see(&h.account_id) => h.vbr_id.to_string(),
                            _ => return Err(Error::not_found(DataCentreHostId::KIND, &id)),
                        },
                    };
                    snapshot(tx, vec![network]).await
                }),
            )
            .await?;
        let view = View::new(snapshot);
        let answer = match &from {
            From::Instance(i) => view.test(&Question { from: i.clone(), to, protocol, port }),
            From::Host(h) => view.test_from_host(h, to, protocol, port),
        }
        .ok_or_else(|| Error::internal("the source is missing from its own view"))?;
        Ok(xconnect_net::redact(answer, &caller.account.id, caller.account.kind == AccountKind::Operator))
    }

    /// Every ordered pair of a set of instances, from one snapshot of their VPCs.
    pub async fn connectivity_matrix(
        &self,
        caller: &Caller,
        req: ConnectivityMatrixRequest,
    ) -> Result<ConnectivityMatrix> {
        let (protocol, port) = protocol_port(&req.protocol, req.port)?;
        let named = match &req.instance_ids {
            None => None,
            Some(ids) if ids.len() > MATRIX_MAX || ids.is_empty() => {
                return Err(Error::invalid(
                    "instance_ids",
                    format_args!("give 1 to {MATRIX_MAX} instances, not {}", ids.len()),
                ));
            }
            Some(ids) => {
                let mut out: Vec<InstanceId> = Vec::with_capacity(ids.len());
                for id in ids {
                    let id = InstanceId::parse("instance_ids", id)?;
                    if out.contains(&id) {
                        return Err(Error::invalid("instance_ids", format_args!("{id} is listed twice")));
                    }
                    out.push(id);
                }
                Some(out)
            }
        };
        let (ids, snapshot) = self
            .read_as(
                caller,
                named,
                tx!(|tx, caller, named| {
                    let instances = match named {
                        Some(ids) => {
                            let mut found = Vec::with_capacity(ids.len());
                            for id in ids {
                                match tx.instance_get(&id).await? {
                                    Some(i) if caller.can_see(&i.account_id) => found.push(i),
                                    _ => return Err(Error::not_found(InstanceId::KIND, &id)),
                                }
                            }
                            found
                        }
                        None => {
                            let mine = xconnect_store::ListFilter {
                                account_id: Some(caller.account.id.clone()),
                                limit: MATRIX_MAX as u32,
                                ..Default::default()
                            };
                            let rows = tx.instance_list(&mine).await?;
                            if rows.next.is_some() {
                                return Err(Error::invalid(
                                    "instance_ids",
                                    format_args!("you have more than {MATRIX_MAX} instances: name the ones to test"),
                                ));
                            }
                            rows.items
                        }
                    };
                    let mut vpcs: Vec<VpcId> = instances.iter().map(|i| i.vpc_id.clone()).collect();
                    vpcs.sort();
                    vpcs.dedup();
                    let s = snapshot(tx, vpcs.into_iter().map(|v| v.to_string()).collect()).await?;
                    Ok((instances, s))
                }),
            )
            .await?;
        let view = View::new(snapshot);
        let verdicts = ids
            .iter()
            .map(|from| {
                ids.iter()
                    .map(|to| {
                        if from.id == to.id {
                            return "self".to_owned();
                        }
                        let q = Question { from: from.id.clone(), to: to.private_ip, protocol, port };
                        match view.test(&q) {
                            Some(a) if a.reachable && a.to_instance_id.as_ref() != Some(&to.id) => {
                                // Overlapping VPCs: the address is another instance's here.
                                "address_elsewhere".to_owned()
                            }
                            Some(a) => a.blocked.map_or_else(|| "reachable".to_owned(), |b| b.code.to_string()),
                            None => "no_route".to_owned(),
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(ConnectivityMatrix { instance_ids: ids.into_iter().map(|i| i.id).collect(), protocol, port, verdicts })
    }
}
