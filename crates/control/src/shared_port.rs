//! Shared ports: what a partner pushes to a tenant on one of its connections (a VLAN id unique on
//! the connection, and bandwidth that never oversubscribes it), and the tenant's answer. A shared
//! port belongs to two accounts: the partner made it and may read or withdraw it, the tenant it is
//! for answers it. To anyone else it does not exist. The tenant is taken as named, not looked up:
//! a port for an account that does not exist is made alike and stays pending until withdrawn, so
//! a partner cannot tell which account ids exist.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, changeable, list_filter, page, quota};
use crate::physical_connection::partner_only;
use crate::{Caller, Control, new_id, now};

pub(crate) fn vlan(v: i64) -> Result<u16> {
    match u16::try_from(v) {
        Ok(v) if v <= MAX_VLAN_ID => Ok(v),
        _ => Err(Error::invalid("vlan_id", format_args!("{v} is out of range: use 0 to {MAX_VLAN_ID}"))),
    }
}

/// Whether the caller may see a shared port: its partner, its tenant, or the operator.
fn sees_port(caller: &Caller, p: &SharedPort) -> bool {
    caller.can_see(&p.partner_account_id) || caller.can_see(&p.account_id)
}

impl Control {
    /// Partner only: a shared port for a tenant, on one of the partner's connections. The tenant
    /// is not looked up (see the module's note).
    pub async fn shared_port_create(&self, caller: &Caller, req: SharedPortCreateRequest) -> Result<SharedPort> {
        let limit = self.quotas().shared_ports_per_connection;
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
        self.mutate(
            caller,
            "shared_port_create",
            input,
            tx!(|tx, caller, (connection, tenant, vlan, mbps)| {
                let found = tx.physical_connection_get(&connection).await?;
                let c = changeable(caller, found, |c| &c.account_id, PhysicalConnectionId::KIND, &connection)?;
                quota(tx.shared_port_count(&c.id).await?, limit, "shared ports per physical connection")?;
                if tenant == caller.account.id {
                    return Err(Error::rejected(
                        "SharedPort.OwnAccount",
                        "tenant_account_id: is your own account: name the tenant the port is for",
                    ));
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
            }),
        )
        .await
    }

    pub async fn shared_port_get(&self, caller: &Caller, id: &str) -> Result<SharedPort> {
        let id = SharedPortId::parse("shared_port_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                match tx.shared_port_get(&id).await? {
                    Some(p) if sees_port(caller, &p) => Ok(p),
                    _ => Err(Error::not_found(SharedPortId::KIND, &id)),
                }
            }),
        )
        .await
    }

    /// The ports the caller made (a partner) or was given (a tenant).
    pub async fn shared_port_list(&self, caller: &Caller, q: SharedPortListQuery) -> Result<Page<SharedPort>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.shared_port_list(&f).await)).await?))
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
        let input = SharedPortId::parse("shared_port_id", id);
        let action = if accept { "shared_port_accept" } else { "shared_port_decline" };
        self.mutate(
            caller,
            action,
            input,
            tx!(|tx, caller, id| {
                let mut p = match tx.shared_port_get(&id).await? {
                    Some(p) if sees_port(caller, &p) => p,
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
                if caller.account.kind != AccountKind::Tenant {
                    return Err(Error::Forbidden {
                        message: format!(
                            "only a tenant answers a shared port, and this is a {} account",
                            caller.account.kind
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
                p.decided_at = Some(crate::clock::clock(tx).await?);
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
            }),
        )
        .await
    }

    /// The partner withdraws a port its tenant has not accepted (pending or declined), which
    /// frees its VLAN id and bandwidth. An accepted port is the tenant's to use.
    pub async fn shared_port_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = SharedPortId::parse("shared_port_id", id);
        self.mutate(
            caller,
            "shared_port_delete",
            input,
            tx!(|tx, caller, id| {
                let p = match tx.shared_port_get(&id).await? {
                    Some(p) if sees_port(caller, &p) => p,
                    _ => return Err(Error::not_found(SharedPortId::KIND, &id)),
                };
                if p.partner_account_id != caller.account.id {
                    return Err(Error::Forbidden {
                        message: format!(
                            "shared port {id} was pushed by {}: only that partner withdraws it",
                            p.partner_account_id
                        ),
                    });
                }
                if p.status == SharedPortStatus::Accepted {
                    return Err(Error::conflict(
                        "SharedPort.Accepted",
                        format_args!(
                            "shared port {id} was accepted by its tenant and is theirs to use: it cannot be withdrawn"
                        ),
                    ));
                }
                tx.shared_port_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
