//! Route tables as shown (through the forwarding view, with what a hub taught) and their custom
//! route entries.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, Get, changeable, description, idempotency, list_filter, page, quota, visible};
use crate::{Caller, Control, new_id, now};

/// A route table as shown: the forwarding view's routes, most specific first, with what the
/// VPC learned from its hub (`attachments`: all of the hub's, none when it is not attached) and
/// the learned blocks left out as conflicts.
fn route_table_view(vpc: &Vpc, vswitches: &[VSwitch], custom: &[RouteEntry], attachments: &[Attachment]) -> RouteTable {
    let locals = xconnect_net::hub::vswitch_locals(vswitches);
    let (learned, conflicts) = xconnect_net::hub::learn(vpc.id.as_str(), &locals, custom, attachments);
    RouteTable {
        id: vpc.route_table_id.clone(),
        account_id: vpc.account_id.clone(),
        vpc_id: vpc.id.clone(),
        vrouter_id: vpc.vrouter_id.clone(),
        region: vpc.region.clone(),
        entries: xconnect_net::RouteTable::with_learned(vswitches, custom, &learned).entries(),
        conflicts,
    }
}

impl Control {
    pub async fn route_table_get(&self, caller: &Caller, id: &str) -> Result<RouteTable> {
        let id = RouteTableId::parse("route_table_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                let vpc =
                    visible(caller, tx.vpc_get_by_route_table(&id).await?, |v| &v.account_id, RouteTableId::KIND, &id)?;
                let vswitches = tx.vswitch_list_by_vpc(&vpc.id).await?;
                let custom = tx.route_entry_list_by_table(&id).await?;
                let attachments = match tx.attachment_by_network(vpc.id.as_str()).await? {
                    Some(a) => tx.attachment_list_by_hub(&a.hub_id).await?,
                    None => Vec::new(),
                };
                Ok(route_table_view(&vpc, &vswitches, &custom, &attachments))
            }),
        )
        .await
    }

    pub async fn route_entry_create(&self, caller: &Caller, req: RouteEntryCreateRequest) -> Result<RouteEntry> {
        let limit = self.quotas().route_entries_per_table;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let table = RouteTableId::parse("route_table_id", &req.route_table_id)?;
            let destination = Cidr::parse("destination_cidr_block", &req.destination_cidr_block)?
                .require("destination_cidr_block", Family::V4, 0, 32)?
                .require_routable("destination_cidr_block")?;
            let next_hop = match (CustomNextHopType::parse("next_hop_type", &req.next_hop_type)?, &req.next_hop_id) {
                (CustomNextHopType::Blackhole, None) => NextHop::Blackhole,
                (CustomNextHopType::Blackhole, Some(_)) => {
                    return Err(Error::invalid("next_hop_id", "a blackhole route has no next hop id"));
                }
                (CustomNextHopType::RouterInterface, Some(id)) => {
                    NextHop::RouterInterface { router_interface_id: RouterInterfaceId::parse("next_hop_id", id)? }
                }
                (CustomNextHopType::RouterInterface, None) => {
                    return Err(Error::invalid(
                        "next_hop_id",
                        "a router_interface route needs next_hop_id: a router interface of this VPC's VRouter",
                    ));
                }
            };
            let description = description(&req.description)?;
            Ok(((table, destination, next_hop, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.route_entry_get(id));
        self.create(
            caller,
            "route_entry_create",
            input,
            get,
            tx!(|tx, caller, (table, destination, next_hop, description)| {
                let found = tx.vpc_get_by_route_table(&table).await?;
                let vpc = changeable(caller, found, |v| &v.account_id, RouteTableId::KIND, &table)?;
                if let Some(v) = tx.vswitch_overlapping(&vpc.id, &destination).await? {
                    return Err(Error::conflict(
                        "RouteEntry.OverlapsVSwitch",
                        format_args!(
                            "destination {destination} overlaps vswitch {} ({}) of this VPC, \
                         which its system route serves",
                            v.id, v.cidr_block
                        ),
                    ));
                }
                if let NextHop::RouterInterface { router_interface_id: ri } = &next_hop {
                    let found = tx.router_interface_get(ri).await?;
                    let ri = changeable(caller, found, |r| &r.account_id, RouterInterfaceId::KIND, ri)?;
                    if ri.vrouter_id != vpc.vrouter_id {
                        return Err(Error::rejected(
                            "RouteEntry.NextHopNotInVRouter",
                            format_args!(
                                "router interface {} is in VRouter {} (VPC {}), not in this table's VRouter {}: \
                                 a route can only use an interface of its own VRouter",
                                ri.id, ri.vrouter_id, ri.vpc_id, vpc.vrouter_id
                            ),
                        ));
                    }
                }
                if let Some(same) = tx.route_entry_by_destination(&table, &destination).await? {
                    return Err(Error::conflict(
                        "RouteEntry.DestinationExists",
                        format_args!("route entry {} already routes {destination}; delete it first", same.id),
                    ));
                }
                quota(tx.route_entry_count(&table).await?, limit, "custom route entries per route table")?;
                let entry = RouteEntry {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    route_table_id: table,
                    vpc_id: vpc.id,
                    destination_cidr_block: destination,
                    next_hop,
                    description,
                    created_at: now(),
                };
                tx.route_entry_insert(&entry).await?;
                Ok(entry)
            }),
        )
        .await
    }

    pub async fn route_entry_get(&self, caller: &Caller, id: &str) -> Result<RouteEntry> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.route_entry_get(id));
        self.fetch(caller, RouteEntryId::parse("route_entry_id", id), get).await
    }

    pub async fn route_entry_list(&self, caller: &Caller, q: RouteEntryListQuery) -> Result<Page<RouteEntry>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let table = q.route_table_id.as_deref().map(|t| RouteTableId::parse("route_table_id", t)).transpose()?;
        let rows = self.read((f, table), tx!(|tx, (f, table)| tx.route_entry_list(&f, table.as_ref()).await)).await?;
        Ok(page(rows))
    }

    pub async fn route_entry_modify(
        &self,
        caller: &Caller,
        id: &str,
        req: RouteEntryModifyRequest,
    ) -> Result<RouteEntry> {
        let input = (|| -> Result<_> {
            let id = RouteEntryId::parse("route_entry_id", id)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id, description))
        })();
        self.mutate(
            caller,
            "route_entry_modify",
            input,
            tx!(|tx, caller, (id, description)| {
                let mut r =
                    changeable(caller, tx.route_entry_get(&id).await?, |v| &v.account_id, RouteEntryId::KIND, &id)?;
                if let Some(d) = description {
                    r.description = d;
                }
                tx.route_entry_update(&r).await?;
                Ok(r)
            }),
        )
        .await
    }

    pub async fn route_entry_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = RouteEntryId::parse("route_entry_id", id);
        self.mutate(
            caller,
            "route_entry_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.route_entry_get(&id).await?, |v| &v.account_id, RouteEntryId::KIND, &id)?;
                tx.route_entry_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
