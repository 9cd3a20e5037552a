//! VBRs: the one virtual border router an accepted port carries, whose VLAN id is the port's for
//! good.

use std::net::IpAddr;

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, changeable, counted, description, list_filter, opt_name, page, unused, visible};
use crate::shared_port::vlan;
use crate::{Caller, Control, new_id, now};

/// The data centre's blocks: at most `limit`, IPv4, strictly parsed, none overlapping another.
/// Overlaps are found in one sorted pass: with the blocks in address order (a larger block
/// before the blocks it holds), any overlap shows between neighbours, so a long list costs
/// n log n, not a comparison of every pair.
pub(crate) fn routes(list: &[String], limit: i64) -> Result<Vec<Cidr>> {
    if list.len() as i64 > limit {
        return Err(Error::QuotaExceeded { what: "routes per VBR".into(), limit: limit.max(0) as u64 });
    }
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        out.push(Cidr::parse("routes", r)?.require("routes", Family::V4, 8, 32)?.require_unreserved("routes")?);
    }
    let mut sorted: Vec<&Cidr> = out.iter().collect();
    sorted.sort_by_key(|c| (c.net().network(), c.prefix_len()));
    if let Some(pair) = sorted.windows(2).find(|w| w[0].overlaps(w[1])) {
        return Err(Error::rejected("Vbr.RoutesOverlap", format_args!("routes: {} overlaps {}", pair[1], pair[0])));
    }
    Ok(out)
}

/// Refuses new routes that would strand what uses the old ones: the data centre's hosts and the
/// blocks an attachment named stay inside the routes.
async fn keeps_what_uses_it(tx: &mut xconnect_store::Tx, v: &Vbr, routes: &[Cidr]) -> Result<()> {
    for h in tx.data_centre_host_list_by_vbr(&v.id).await? {
        if !routes.iter().any(|b| b.contains_addr(h.ip)) {
            return Err(Error::conflict(
                "Vbr.RouteInUse",
                format_args!("host {} ({}) would be in none of the routes: delete it first", h.id, h.ip),
            ));
        }
    }
    if let Some(a) = tx.attachment_by_network(v.id.as_str()).await?.filter(|a| !a.advertises_default)
        && let Some(b) = a.cidr_blocks.iter().find(|b| !routes.iter().any(|x| x.contains(b)))
    {
        return Err(Error::conflict(
            "Vbr.RouteInUse",
            format_args!("attachment {} advertises {b}, which would be in none of the routes", a.id),
        ));
    }
    Ok(())
}

impl Control {
    /// Adds `add` to a VBR's data centre routes and takes `remove` out, in one change made on
    /// the routes as they are when it commits: two callers each adding a route keep both, where
    /// reading the list and writing it back whole (`vbr_modify`) could lose one. A route taken
    /// out must be there.
    pub async fn vbr_routes_change(&self, caller: &Caller, id: &str, add: &[String], remove: &[String]) -> Result<Vbr> {
        let limit = self.quotas().routes_per_vbr;
        let input = (|| -> Result<_> {
            let id = VbrId::parse("vbr_id", id)?;
            let add = add.iter().map(|r| Cidr::parse("routes", r)).collect::<Result<Vec<_>>>()?;
            let remove = remove.iter().map(|r| Cidr::parse("routes", r)).collect::<Result<Vec<_>>>()?;
            Ok((id, add, remove))
        })();
        self.mutate(
            caller,
            "vbr_routes_change",
            input,
            tx!(|tx, caller, (id, add, remove)| {
                let mut v = changeable(caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)?;
                if let Some(gone) = remove.iter().find(|r| !v.routes.contains(r)) {
                    return Err(Error::not_found(RouteEntryId::KIND, format_args!("to {gone} in VBR {id}")));
                }
                let kept = v.routes.iter().filter(|r| !remove.contains(r)).chain(&add).map(Cidr::to_string);
                let r = routes(&kept.collect::<Vec<_>>(), limit)?;
                keeps_what_uses_it(tx, &v, &r).await?;
                v.routes = r;
                tx.vbr_update(&v).await?;
                Ok(v)
            }),
        )
        .await
    }

    /// A VBR on an accepted shared port of the caller's: one per port, with the port's VLAN id.
    pub async fn vbr_create(&self, caller: &Caller, req: VbrCreateRequest) -> Result<Vbr> {
        let input = (|| -> Result<_> {
            let port = SharedPortId::parse("shared_port_id", &req.shared_port_id)?;
            let asked = req.vlan_id.map(vlan).transpose()?;
            let subnet =
                Cidr::parse("peering_subnet", &req.peering_subnet)?.require("peering_subnet", Family::V4, 24, 30)?;
            let gateway = |field: &str, s: &str| -> Result<IpAddr> {
                let ip: IpAddr =
                    s.parse().map_err(|_| Error::invalid(field, format_args!("'{s}' is not an address")))?;
                let net = subnet.net();
                if !subnet.contains_addr(ip) || ip == net.network() || ip == net.broadcast() {
                    return Err(Error::rejected(
                        "Vbr.GatewayOutsideSubnet",
                        format_args!("{field}: {ip} is not a host address of the peering subnet {subnet}"),
                    ));
                }
                Ok(ip)
            };
            let local = gateway("local_gateway_ip", &req.local_gateway_ip)?;
            let peer = gateway("peer_gateway_ip", &req.peer_gateway_ip)?;
            if local == peer {
                return Err(Error::rejected(
                    "Vbr.SameGateways",
                    "peer_gateway_ip: the two gateways need two different addresses",
                ));
            }
            let routes = routes(req.routes.as_deref().unwrap_or(&[]), self.quotas().routes_per_vbr)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok((port, asked, subnet, local, peer, routes, name, description))
        })();
        self.mutate(
            caller,
            "vbr_create",
            input,
            tx!(|tx, caller, (port_id, asked, subnet, local, peer, routes, name, description)| {
                // The operator, who may read the port, is told it may not use it; anyone but
                // the tenant learns nothing.
                let found = tx.shared_port_get(&port_id).await?;
                let port = changeable(caller, found, |p| &p.account_id, SharedPortId::KIND, &port_id)?;
                if port.status != SharedPortStatus::Accepted {
                    return Err(Error::rejected(
                        "Vbr.PortNotAccepted",
                        format_args!("shared port {port_id} is {}: accept it first", port.status),
                    ));
                }
                if let Some(asked) = asked.filter(|v| *v != port.vlan_id) {
                    return Err(Error::rejected(
                        "Vbr.VlanIdImmutable",
                        format_args!(
                            "a VBR inherits its shared port's VLAN id, {} here; it cannot be chosen ({asked}) or \
                             changed",
                            port.vlan_id
                        ),
                    ));
                }
                if let Some(v) = tx.vbr_by_port(&port.id).await? {
                    return Err(Error::conflict(
                        "Vbr.PortTaken",
                        format_args!("shared port {port_id} already carries VBR {}: one VBR per port", v.id),
                    ));
                }
                let vbr = Vbr {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    shared_port_id: port.id,
                    region: port.region,
                    vlan_id: port.vlan_id,
                    bandwidth_mbps: port.bandwidth_mbps,
                    local_gateway_ip: local,
                    peer_gateway_ip: peer,
                    peering_subnet: subnet,
                    routes,
                    name,
                    description,
                    created_at: now(),
                };
                tx.vbr_insert(&vbr).await?;
                Ok(vbr)
            }),
        )
        .await
    }

    pub async fn vbr_get(&self, caller: &Caller, id: &str) -> Result<Vbr> {
        let id = VbrId::parse("vbr_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| visible(caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)),
        )
        .await
    }

    pub async fn vbr_list(&self, caller: &Caller, q: VbrListQuery) -> Result<Page<Vbr>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.vbr_list(&f).await)).await?))
    }

    /// Changes a VBR's name, description or routes; a request naming another VLAN id is
    /// refused, with nothing changed.
    pub async fn vbr_modify(&self, caller: &Caller, id: &str, req: VbrModifyRequest) -> Result<Vbr> {
        let input = (|| -> Result<_> {
            let id = VbrId::parse("vbr_id", id)?;
            let asked = req.vlan_id.map(vlan).transpose()?;
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            let routes = req.routes.as_deref().map(|r| routes(r, self.quotas().routes_per_vbr)).transpose()?;
            Ok((id, asked, name, description, routes))
        })();
        self.mutate(caller, "vbr_modify", input, tx!(|tx, caller, (id, asked, name, description, routes)| {
            let mut v = changeable(caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)?;
            if let Some(asked) = asked.filter(|a| *a != v.vlan_id) {
                return Err(Error::rejected(
                    "Vbr.VlanIdImmutable",
                    format_args!(
                        "VBR {id} carries its shared port's VLAN id {}, which can never be changed (asked: {asked})",
                        v.vlan_id
                    ),
                ));
            }
            if name.is_some() {
                v.name = name;
            }
            if let Some(d) = description {
                v.description = d;
            }
            if let Some(r) = routes {
                keeps_what_uses_it(tx, &v, &r).await?;
                v.routes = r;
            }
            tx.vbr_update(&v).await?;
            Ok(v)
        }))
        .await
    }

    pub async fn vbr_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = VbrId::parse("vbr_id", id);
        self.mutate(
            caller,
            "vbr_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)?;
                unused(format!("VBR {id}"), counted(&tx.vbr_dependents(&id).await?))?;
                tx.vbr_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn routes_are_bounded_and_checked_for_overlaps_in_one_sorted_pass() {
        assert_eq!(routes(&list(&["10.1.0.0/16", "172.30.0.0/16", "10.0.0.0/16"]), 200).unwrap().len(), 3);
        // Given far apart and out of order, the overlap is still found.
        let e = routes(&list(&["10.1.0.0/16", "192.168.0.0/24", "172.16.0.0/12", "10.0.0.0/8"]), 200).unwrap_err();
        assert_eq!(e.to_string(), "routes: 10.1.0.0/16 overlaps 10.0.0.0/8");
        let e = routes(&list(&["10.0.0.0/24", "10.0.0.0/24"]), 200).unwrap_err();
        assert_eq!(e.code(), "Vbr.RoutesOverlap");
        // 40,001 routes in one request are refused by their count, before any is parsed.
        let many: Vec<String> = (0..40_001).map(|i| format!("10.{}.{}.0/24", i / 256 % 256, i % 256)).collect();
        assert_eq!(routes(&many, 200).unwrap_err().code(), "QuotaExceeded");
        assert_eq!(routes(&many[..200], 200).unwrap().len(), 200);
    }
}
