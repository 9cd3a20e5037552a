//! Data centres through partners (seed 004): a partner account's physical connections, the
//! shared ports it pushes to tenants on them (a VLAN id unique on the connection, and bandwidth
//! that never oversubscribes it), the tenant's answer, and the one VBR an accepted port carries,
//! whose VLAN id is the port's for good.
//!
//! A shared port belongs to two accounts: the partner made it and may read it, the tenant it is
//! for answers it. To anyone else it does not exist.

use std::net::IpAddr;

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::ops::{Deleted, changeable, description, list_filter, opt_name, page, visible};
use crate::{Audited, Caller, Control, new_id, now};

macro_rules! audited {
    ($($t:ty),*) => {$(
        impl Audited for $t {
            fn audited_id(&self) -> Option<String> {
                Some(self.id.to_string())
            }
        }
    )*};
}
audited!(PhysicalConnection, SharedPort, Vbr, DataCentreHost);

fn partner_only(caller: &Caller, what: &str) -> Result<()> {
    if caller.account.kind == AccountKind::Partner {
        Ok(())
    } else {
        Err(Error::Forbidden { message: format!("only partner accounts {what}") })
    }
}

fn vlan(v: i64) -> Result<u16> {
    match u16::try_from(v) {
        Ok(v) if v <= MAX_VLAN_ID => Ok(v),
        _ => Err(Error::invalid("vlan_id", format_args!("{v} is out of range: use 0 to {MAX_VLAN_ID}"))),
    }
}

/// The data centre's blocks: IPv4, strictly parsed, none overlapping another.
fn routes(list: &[String]) -> Result<Vec<Cidr>> {
    let mut out: Vec<Cidr> = Vec::new();
    for r in list {
        let c = Cidr::parse("routes", r)?.require("routes", Family::V4, 8, 32)?;
        if let Some(o) = out.iter().find(|o| o.overlaps(&c)) {
            return Err(Error::invalid("routes", format_args!("{c} overlaps {o}")));
        }
        out.push(c);
    }
    Ok(out)
}

/// Whether the caller may see a shared port: its partner, its tenant, or the operator.
fn sees_port(caller: &Caller, p: &SharedPort) -> bool {
    caller.can_see(&p.partner_account_id) || caller.can_see(&p.account_id)
}

impl Control {
    // ---- physical connections ----

    /// Partner only: a physical connection at one of its access points.
    pub async fn physical_connection_create(
        &self,
        caller: &Caller,
        req: PhysicalConnectionCreateRequest,
    ) -> Result<PhysicalConnection> {
        let input = (|| -> Result<_> {
            partner_only(caller, "own physical connections")?;
            let name = Name::parse("name", &req.name)?;
            let ap = req.access_point.trim();
            if ap.is_empty() || ap.chars().count() > 64 || ap.chars().any(char::is_control) {
                return Err(Error::invalid("access_point", "name the access point in 1 to 64 characters"));
            }
            let region = self.catalog().region_id(&req.region)?;
            let port_type = PortType::parse("port_type", &req.port_type)?;
            let max = i64::from(port_type.line_rate_mbps());
            if !(1..=max).contains(&req.bandwidth_mbps) {
                return Err(Error::invalid(
                    "bandwidth_mbps",
                    format_args!("{} is out of range: a {port_type} port carries 1 to {max}", req.bandwidth_mbps),
                ));
            }
            Ok(PhysicalConnection {
                id: new_id(),
                account_id: caller.account.id.clone(),
                name,
                access_point: ap.to_owned(),
                region,
                port_type,
                bandwidth_mbps: req.bandwidth_mbps as u32,
                status: "Enabled".into(),
                created_at: now(),
            })
        })();
        self.mutate(caller, "physical_connection_create", input, |tx, c| {
            Box::pin(async move {
                tx.physical_connection_insert(&c).await?;
                Ok(c)
            })
        })
        .await
    }

    pub async fn physical_connection_get(&self, caller: &Caller, id: &str) -> Result<PhysicalConnection> {
        let id = PhysicalConnectionId::parse("physical_connection_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(async move {
                visible(
                    &who,
                    tx.physical_connection_get(&id).await?,
                    |c| &c.account_id,
                    PhysicalConnectionId::KIND,
                    &id,
                )
            })
        })
        .await
    }

    pub async fn physical_connection_list(
        &self,
        caller: &Caller,
        q: PhysicalConnectionListQuery,
    ) -> Result<Page<PhysicalConnection>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.physical_connection_list(&f).await })).await?))
    }

    // ---- shared ports ----

    /// Partner only: a shared port for a tenant, on one of the partner's connections.
    pub async fn shared_port_create(&self, caller: &Caller, req: SharedPortCreateRequest) -> Result<SharedPort> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            partner_only(caller, "create shared ports")?;
            let connection = PhysicalConnectionId::parse("physical_connection_id", &req.physical_connection_id)?;
            let tenant = AccountId::parse("tenant_account_id", &req.tenant_account_id)?;
            let vlan = vlan(req.vlan_id)?;
            if !(1..=100_000).contains(&req.bandwidth_mbps) {
                return Err(Error::invalid("bandwidth_mbps", format_args!("{} is out of range", req.bandwidth_mbps)));
            }
            Ok((connection, tenant, vlan, req.bandwidth_mbps as u32))
        })();
        self.mutate(caller, "shared_port_create", input, move |tx, (connection, tenant, vlan, mbps)| {
            let caller = who.clone();
            Box::pin(async move {
                let found = tx.physical_connection_get(&connection).await?;
                let c = changeable(&caller, found, |c| &c.account_id, PhysicalConnectionId::KIND, &connection)?;
                match tx.account_get(&tenant).await? {
                    Some(a) if a.kind == AccountKind::Tenant => {}
                    _ => return Err(Error::not_found("tenant account", &tenant)),
                }
                if let Some(p) = tx.shared_port_by_vlan(&c.id, vlan).await? {
                    return Err(Error::conflict(
                        "SharedPort.VlanInUse",
                        format_args!(
                            "VLAN {vlan} is taken on connection {} by shared port {}: choose another",
                            c.id, p.id
                        ),
                    ));
                }
                let used = tx.shared_port_bandwidth_sum(&c.id).await?;
                if used + i64::from(mbps) > i64::from(c.bandwidth_mbps) {
                    return Err(Error::conflict(
                        "SharedPort.Oversubscribed",
                        format_args!(
                            "connection {} carries {} Mbit/s and its ports hold {used}: {mbps} more would exceed it",
                            c.id, c.bandwidth_mbps
                        ),
                    ));
                }
                let port = SharedPort {
                    id: new_id(),
                    partner_account_id: caller.account.id.clone(),
                    account_id: tenant,
                    physical_connection_id: c.id,
                    region: c.region,
                    access_point: c.access_point,
                    vlan_id: vlan,
                    bandwidth_mbps: mbps,
                    status: SharedPortStatus::Pending,
                    created_at: now(),
                    decided_at: None,
                };
                tx.shared_port_insert(&port).await?;
                Ok(port)
            })
        })
        .await
    }

    pub async fn shared_port_get(&self, caller: &Caller, id: &str) -> Result<SharedPort> {
        let id = SharedPortId::parse("shared_port_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(async move {
                match tx.shared_port_get(&id).await? {
                    Some(p) if sees_port(&who, &p) => Ok(p),
                    _ => Err(Error::not_found(SharedPortId::KIND, &id)),
                }
            })
        })
        .await
    }

    /// The ports the caller made (a partner) or was given (a tenant).
    pub async fn shared_port_list(&self, caller: &Caller, q: SharedPortListQuery) -> Result<Page<SharedPort>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.shared_port_list(&f).await })).await?))
    }

    /// The tenant accepts a port pushed to it; its usage is charged from now.
    pub async fn shared_port_accept(&self, caller: &Caller, id: &str) -> Result<SharedPort> {
        self.shared_port_answer(caller, id, true).await
    }

    /// The tenant declines a port pushed to it, which frees its VLAN id and bandwidth on the
    /// connection.
    pub async fn shared_port_decline(&self, caller: &Caller, id: &str) -> Result<SharedPort> {
        self.shared_port_answer(caller, id, false).await
    }

    /// Accept and decline are one check and one write, told apart only by the status set.
    async fn shared_port_answer(&self, caller: &Caller, id: &str, accept: bool) -> Result<SharedPort> {
        let who = caller.clone();
        let input = SharedPortId::parse("shared_port_id", id);
        let action = if accept { "shared_port_accept" } else { "shared_port_decline" };
        self.mutate(caller, action, input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                let mut p = match tx.shared_port_get(&id).await? {
                    Some(p) if sees_port(&caller, &p) => p,
                    _ => return Err(Error::not_found(SharedPortId::KIND, &id)),
                };
                if p.account_id != caller.account.id {
                    return Err(Error::Forbidden {
                        message: format!(
                            "shared port {id} is for account {}: only that tenant answers it",
                            p.account_id
                        ),
                    });
                }
                if p.status != SharedPortStatus::Pending {
                    return Err(Error::conflict(
                        "SharedPort.AlreadyAnswered",
                        format_args!("shared port {id} is {} already", p.status),
                    ));
                }
                p.status = if accept { SharedPortStatus::Accepted } else { SharedPortStatus::Declined };
                // On the service's clock, which statements measure charges on.
                p.decided_at = Some(crate::bandwidth::clock(tx).await?);
                tx.shared_port_update(&p).await?;
                // The tenant pays port usage from acceptance (no installation fee, no VBR fee).
                if accept {
                    tx.order_insert(&Order {
                        id: new_id(),
                        account_id: p.account_id.clone(),
                        product: OrderProduct::SharedPort,
                        resource_id: p.id.to_string(),
                        region: Some(p.region.clone()),
                        item: format!("VLAN {} on {}", p.vlan_id, p.physical_connection_id),
                        bandwidth_mbps: p.bandwidth_mbps,
                        started_at: p.decided_at.unwrap_or_else(now),
                        ended_at: None,
                    })
                    .await?;
                }
                Ok(p)
            })
        })
        .await
    }

    // ---- VBRs ----

    /// A VBR on an accepted shared port of the caller's: one per port, with the port's VLAN id.
    pub async fn vbr_create(&self, caller: &Caller, req: VbrCreateRequest) -> Result<Vbr> {
        let who = caller.clone();
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
                    return Err(Error::invalid(
                        field,
                        format_args!("{ip} is not a host address of the peering subnet {subnet}"),
                    ));
                }
                Ok(ip)
            };
            let local = gateway("local_gateway_ip", &req.local_gateway_ip)?;
            let peer = gateway("peer_gateway_ip", &req.peer_gateway_ip)?;
            if local == peer {
                return Err(Error::invalid("peer_gateway_ip", "the two gateways need two different addresses"));
            }
            let routes = routes(req.routes.as_deref().unwrap_or(&[]))?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok((port, asked, subnet, local, peer, routes, name, description))
        })();
        self.mutate(
            caller,
            "vbr_create",
            input,
            move |tx, (port_id, asked, subnet, local, peer, routes, name, description)| {
                let caller = who.clone();
                Box::pin(async move {
                    // The operator, who may read the port, is told it may not use it; anyone
                    // but the tenant learns nothing.
                    let found = tx.shared_port_get(&port_id).await?;
                    let port = changeable(&caller, found, |p| &p.account_id, SharedPortId::KIND, &port_id)?;
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
                })
            },
        )
        .await
    }

    pub async fn vbr_get(&self, caller: &Caller, id: &str) -> Result<Vbr> {
        let id = VbrId::parse("vbr_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(async move { visible(&who, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id) })
        })
        .await
    }

    pub async fn vbr_list(&self, caller: &Caller, q: VbrListQuery) -> Result<Page<Vbr>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.vbr_list(&f).await })).await?))
    }

    /// Changes a VBR's name, description or routes; a request naming another VLAN id is
    /// refused, with nothing changed.
    pub async fn vbr_modify(&self, caller: &Caller, id: &str, req: VbrModifyRequest) -> Result<Vbr> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let id = VbrId::parse("vbr_id", id)?;
            let asked = req.vlan_id.map(vlan).transpose()?;
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            let routes = req.routes.as_deref().map(routes).transpose()?;
            Ok((id, asked, name, description, routes))
        })();
        self.mutate(caller, "vbr_modify", input, move |tx, (id, asked, name, description, routes)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut v = changeable(&caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)?;
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
                    // The data centre's hosts and the blocks an attachment named stay inside the
                    // routes: a change that would strand one is refused.
                    for h in tx.data_centre_host_list_by_vbr(&id).await? {
                        if !r.iter().any(|b| b.contains_addr(h.ip)) {
                            return Err(Error::conflict(
                                "Vbr.RouteInUse",
                                format_args!("host {} ({}) would be in none of the routes: delete it first", h.id, h.ip),
                            ));
                        }
                    }
                    if let Some(a) = tx.attachment_by_network(id.as_str()).await?.filter(|a| !a.advertises_default)
                        && let Some(b) = a.cidr_blocks.iter().find(|b| !r.iter().any(|x| x.contains(b))) {
                            return Err(Error::conflict(
                                "Vbr.RouteInUse",
                                format_args!("attachment {} advertises {b}, which would be in none of the routes", a.id),
                            ));
                        }
                    v.routes = r;
                }
                tx.vbr_update(&v).await?;
                Ok(v)
            })
        })
        .await
    }

    pub async fn vbr_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = VbrId::parse("vbr_id", id);
        self.mutate(caller, "vbr_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.vbr_get(&id).await?, |v| &v.account_id, VbrId::KIND, &id)?;
                crate::ops::unused(format!("VBR {id}"), &tx.vbr_dependents(&id).await?)?;
                tx.vbr_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- data centre hosts ----

    /// A host in the data centre behind one of the caller's VBRs, to test from and to.
    pub async fn data_centre_host_create(&self, caller: &Caller, req: HostCreateRequest) -> Result<DataCentreHost> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let vbr = VbrId::parse("vbr_id", &req.vbr_id)?;
            let ip: IpAddr =
                req.ip.parse().map_err(|_| Error::invalid("ip", format_args!("'{}' is not an IP address", req.ip)))?;
            Ok((vbr, ip, opt_name("name", &req.name)?))
        })();
        self.mutate(caller, "data_centre_host_create", input, move |tx, (vbr_id, ip, name)| {
            let caller = who.clone();
            Box::pin(async move {
                let vbr = changeable(&caller, tx.vbr_get(&vbr_id).await?, |v| &v.account_id, VbrId::KIND, &vbr_id)?;
                if !vbr.routes.iter().any(|r| r.contains_addr(ip)) {
                    let routes: Vec<String> = vbr.routes.iter().map(|r| r.to_string()).collect();
                    return Err(Error::rejected(
                        "Host.NotInDataCentre",
                        format_args!(
                            "{ip} is in none of VBR {vbr_id}'s data centre routes ({}): add its block to the VBR's \
                             routes first",
                            if routes.is_empty() { "none".to_owned() } else { routes.join(", ") }
                        ),
                    ));
                }
                if let Some(h) = tx.data_centre_host_by_ip(&vbr_id, ip).await? {
                    return Err(Error::conflict("Host.IpInUse", format_args!("host {} already has {ip}", h.id)));
                }
                let host = DataCentreHost {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vbr_id,
                    ip,
                    name,
                    created_at: now(),
                };
                tx.data_centre_host_insert(&host).await?;
                Ok(host)
            })
        })
        .await
    }

    pub async fn data_centre_host_get(&self, caller: &Caller, id: &str) -> Result<DataCentreHost> {
        let id = HostId::parse("host_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(
                async move { visible(&who, tx.data_centre_host_get(&id).await?, |h| &h.account_id, HostId::KIND, &id) },
            )
        })
        .await
    }

    /// The caller's data centre hosts; `vbr_id` narrows to one VBR's.
    pub async fn data_centre_host_list(
        &self,
        caller: &Caller,
        q: DataCentreHostListQuery,
    ) -> Result<Page<DataCentreHost>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let vbr = q.vbr_id.as_deref().map(|v| VbrId::parse("vbr_id", v)).transpose()?;
        let rows = self
            .read((f, vbr), |tx, (f, vbr)| Box::pin(async move { tx.data_centre_host_list(&f, vbr.as_ref()).await }))
            .await?;
        Ok(page(rows))
    }

    pub async fn data_centre_host_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = HostId::parse("host_id", id);
        self.mutate(caller, "data_centre_host_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.data_centre_host_get(&id).await?, |h| &h.account_id, HostId::KIND, &id)?;
                tx.data_centre_host_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }
}
