//! VPC 2016-04-28: VRouters, route tables and their entries, each action one control operation
//! in Alibaba's words. A VPC has one VRouter with one route table (the system one, made with
//! the VPC), so the VRouters and tables are read from the VPCs; their routes from control's
//! route table view, which holds the system routes of the vswitches, the custom entries and
//! what a hub taught.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{Page, RouteEntryCreateRequest, RouteEntryListQuery};
use xconnect_model::{Cidr, Error, NextHop, RouteEntryId, RouteKind, RouteTable, RouteTableEntry, Vpc};

use crate::actions::{Action, Fields, fields};
use crate::params::{Paging, Params};
use crate::vpc::{all_vpcs, vswitches_by_vpc};

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVRouters",
        operations: "vpc_list",
        run: |s, c, p| Box::pin(describe_vrouters(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeRouteTables",
        operations: "vpc_list, route_table_get, vswitch_list",
        run: |s, c, p| Box::pin(describe_route_tables(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeRouteTableList",
        operations: "vpc_list, vswitch_list",
        run: |s, c, p| Box::pin(describe_route_table_list(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeRouteEntryList",
        operations: "route_table_get, vbr_get",
        run: |s, c, p| Box::pin(describe_route_entry_list(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateRouteEntry",
        operations: "route_entry_create, vbr_get, vbr_routes_change",
        run: |s, c, p| Box::pin(create_route_entry(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeleteRouteEntry",
        operations: "route_entry_delete, route_entry_list, vbr_routes_change",
        run: |s, c, p| Box::pin(delete_route_entry(s, c, p)),
    },
];

/// Alibaba's `NextHopType` words and the model's ([`NextHop::type_name`]) where they differ.
/// Control routes custom entries only to a router interface (or a blackhole, which Alibaba's
/// API does not name); Alibaba's `Instance`, `HaVip`, `VpnGateway`, ... have no counterpart.
const NEXT_HOP_WORDS: &[(&str, &str)] = &[("RouterInterface", "router_interface")];

/// The model's word for Alibaba's next hop type, for a custom entry.
fn our_next_hop_type(alibaba: &str) -> Result<&'static str, Error> {
    NEXT_HOP_WORDS.iter().find(|(a, _)| *a == alibaba).map(|(_, ours)| *ours).ok_or_else(|| {
        Error::invalid(
            "NextHopType",
            format_args!("'{alibaba}' is not a next hop xconnect routes to: a custom route goes to a RouterInterface"),
        )
    })
}

/// Alibaba's word for a next hop: the model's own where Alibaba has none.
pub(crate) fn alibaba_next_hop_type(hop: &NextHop) -> &'static str {
    let ours = hop.type_name();
    NEXT_HOP_WORDS.iter().find(|(_, o)| *o == ours).map_or(ours, |(a, _)| *a)
}

/// Alibaba's route entry type: `System` for a vswitch's route, `Custom`, and `CEN` for one
/// learned from a hub (Alibaba's transit hub).
pub(crate) fn entry_type(kind: RouteKind) -> &'static str {
    match kind {
        RouteKind::System => "System",
        RouteKind::Custom => "Custom",
        RouteKind::Learned => "CEN",
    }
}

async fn describe_vrouters(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let paging = Paging::read(p)?;
    let id = p.get("VRouterId");
    let mut vpcs = all_vpcs(state, caller, p.required("RegionId")?).await?;
    vpcs.retain(|v| id.is_none_or(|id| v.vrouter_id.as_str() == id));
    let items: Vec<Value> = paging
        .of(&vpcs)
        .iter()
        .map(|v| {
            json!({
                "VRouterId": v.vrouter_id.as_str(),
                "VpcId": v.id.as_str(),
                "RegionId": v.region.as_str(),
                "CreationTime": created(v),
                "RouteTableIds": {"RouteTableId": [v.route_table_id.as_str()]},
            })
        })
        .collect();
    Ok(fields(json!({
        "TotalCount": vpcs.len(),
        "PageNumber": paging.number,
        "PageSize": paging.size,
        "VRouters": {"VRouter": items},
    })))
}

/// The caller's VPCs in the request's region whose route table the request's filters select.
async fn tables_asked(state: &AppState, caller: &Caller, p: &Params) -> Result<Vec<Vpc>, Error> {
    let table = p.get("RouteTableId");
    let router = p.get("RouterId").or(p.get("VRouterId"));
    let vpc = p.get("VpcId");
    // Only VRouters' system tables exist here.
    let router_type = p.get("RouterType").is_none_or(|t| t == "VRouter");
    let table_type = p.get("RouteTableType").is_none_or(|t| t == "System");
    let mut vpcs = all_vpcs(state, caller, p.required("RegionId")?).await?;
    vpcs.retain(|v| {
        table.is_none_or(|t| v.route_table_id.as_str() == t)
            && router.is_none_or(|r| v.vrouter_id.as_str() == r)
            && vpc.is_none_or(|id| v.id.as_str() == id)
            && router_type
            && table_type
    });
    Ok(vpcs)
}

async fn describe_route_tables(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let paging = Paging::read(p)?;
    let vpcs = tables_asked(state, caller, p).await?;
    let region = p.required("RegionId")?;
    let vswitches = vswitches_by_vpc(state, caller, region).await?;
    // Type selects the routes shown (System, Custom, CEN, ...), not the tables.
    let kind = p.get("Type");
    let mut items = Vec::new();
    for vpc in paging.of(&vpcs) {
        let table = state.control.route_table_get(caller, vpc.route_table_id.as_str()).await?;
        let entries: Vec<Value> = table
            .entries
            .iter()
            .filter(|e| kind.is_none_or(|k| entry_type(e.kind) == k))
            .map(|e| Value::Object(entry_fields(&table, e)))
            .collect();
        items.push(json!({
            "RouteTableId": table.id.as_str(),
            "RouteTableType": "System",
            "VRouterId": table.vrouter_id.as_str(),
            "Status": "Available",
            "CreationTime": created(vpc),
            "VSwitchIds": {"VSwitchId": vswitches.get(vpc.id.as_str()).cloned().unwrap_or_default()},
            "RouteEntrys": {"RouteEntry": entries},
        }));
    }
    Ok(fields(json!({
        "TotalCount": vpcs.len(),
        "PageNumber": paging.number,
        "PageSize": paging.size,
        "RouteTables": {"RouteTable": items},
    })))
}

async fn describe_route_table_list(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let paging = Paging::read(p)?;
    let vpcs = tables_asked(state, caller, p).await?;
    let vswitches = vswitches_by_vpc(state, caller, p.required("RegionId")?).await?;
    let items: Vec<Value> = paging
        .of(&vpcs)
        .iter()
        .map(|v| {
            json!({
                "RouteTableId": v.route_table_id.as_str(),
                "RouteTableType": "System",
                "RouterId": v.vrouter_id.as_str(),
                "RouterType": "VRouter",
                "VpcId": v.id.as_str(),
                "Status": "Available",
                "OwnerId": v.account_id.number(),
                "CreationTime": created(v),
                "RouteTableName": "",
                "Description": "",
                "VSwitchIds": {"VSwitchId": vswitches.get(v.id.as_str()).cloned().unwrap_or_default()},
                "GatewayIds": {"GatewayIds": []},
                "Tags": {"Tag": []},
            })
        })
        .collect();
    Ok(fields(json!({
        "TotalCount": vpcs.len(),
        "PageNumber": paging.number,
        "PageSize": paging.size,
        "RouterTableList": {"RouterTableListType": items},
    })))
}

async fn describe_route_entry_list(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    if crate::vbr::is_vbr_table(p.required("RouteTableId")?) {
        return crate::vbr::route_entries(state, caller, p).await;
    }
    let table = state.control.route_table_get(caller, p.required("RouteTableId")?).await?;
    let destination = p.get("DestinationCidrBlock").map(|d| Cidr::parse("DestinationCidrBlock", d)).transpose()?;
    let (id, kind) = (p.get("RouteEntryId"), p.get("RouteEntryType"));
    let (hop_id, hop_type) = (p.get("NextHopId"), p.get("NextHopType"));
    let entries: Vec<Value> = table
        .entries
        .iter()
        .filter(|e| {
            destination.as_ref().is_none_or(|d| e.destination_cidr_block == *d)
                && id.is_none_or(|id| e.route_entry_id.as_ref().is_some_and(|r| r.as_str() == id))
                && kind.is_none_or(|k| entry_type(e.kind) == k)
                && hop_id.is_none_or(|h| e.next_hop.target_id() == Some(h))
                && hop_type.is_none_or(|t| alibaba_next_hop_type(&e.next_hop) == t)
        })
        .map(|e| Value::Object(entry_fields(&table, e)))
        .collect();
    // A table holds at most its quota of custom entries and a system route per vswitch: one
    // page holds it, so there is no NextToken.
    Ok(fields(json!({
        "TotalCount": entries.len(),
        "RouteEntrys": {"RouteEntry": entries},
    })))
}

async fn create_route_entry(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    if crate::vbr::is_vbr_table(p.required("RouteTableId")?) {
        return crate::vbr::create_route(state, caller, p).await;
    }
    if p.get("RouteEntryName").is_some() {
        // Control keeps a description for a route entry but no name: say so rather than drop it.
        return Err(Error::invalid(
            "RouteEntryName",
            "xconnect keeps no name for a route entry; leave RouteEntryName out (Description is kept)",
        ));
    }
    let req = RouteEntryCreateRequest {
        route_table_id: p.required("RouteTableId")?.to_owned(),
        destination_cidr_block: p.required("DestinationCidrBlock")?.to_owned(),
        next_hop_type: our_next_hop_type(p.required("NextHopType")?)?.to_owned(),
        next_hop_id: p.get("NextHopId").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let entry = state.control.route_entry_create(caller, req).await?;
    Ok(fields(json!({"RouteEntryId": entry.id.as_str()})))
}

async fn delete_route_entry(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    if p.get("RouteTableId").is_some_and(crate::vbr::is_vbr_table) {
        return crate::vbr::delete_route(state, caller, p).await;
    }
    let id = match p.get("RouteEntryId") {
        Some(id) => id.to_owned(),
        None => entry_by_destination(state, caller, p).await?,
    };
    state.control.route_entry_delete(caller, &id).await?;
    Ok(Fields::new())
}

/// The custom entry a DeleteRouteEntry without RouteEntryId names: its table, its destination
/// and, if given, its next hop.
async fn entry_by_destination(state: &AppState, caller: &Caller, p: &Params) -> Result<String, Error> {
    let table = p.required("RouteTableId")?;
    let destination = Cidr::parse("DestinationCidrBlock", p.required("DestinationCidrBlock")?)?;
    let hop = p.get("NextHopId");
    let mut q =
        RouteEntryListQuery { route_table_id: Some(table.to_owned()), max_results: Some(100), ..Default::default() };
    loop {
        let Page { items, next_token } = state.control.route_entry_list(caller, q.clone()).await?;
        let found = items
            .into_iter()
            .find(|e| e.destination_cidr_block == destination && hop.is_none_or(|h| e.next_hop.target_id() == Some(h)));
        if let Some(e) = found {
            return Ok(e.id.as_str().to_owned());
        }
        match next_token {
            Some(t) => q.next_token = Some(t),
            None => {
                return Err(Error::not_found(RouteEntryId::KIND, format_args!("to {destination} in {table}")));
            }
        }
    }
}

/// One route as DescribeRouteEntryList and DescribeRouteTables show it.
fn entry_fields(table: &RouteTable, e: &RouteTableEntry) -> Fields {
    let hop_type = alibaba_next_hop_type(&e.next_hop);
    let mut hop = json!({"NextHopType": hop_type});
    if let Some(id) = e.next_hop.target_id() {
        hop["NextHopId"] = id.into();
    }
    let mut out = fields(json!({
        "RouteTableId": table.id.as_str(),
        "DestinationCidrBlock": e.destination_cidr_block.to_string(),
        "Type": entry_type(e.kind),
        // A route works as soon as it is made.
        "Status": "Available",
        "NextHopType": hop_type,
        "NextHops": {"NextHop": [hop]},
    }));
    if let Some(id) = &e.route_entry_id {
        out.insert("RouteEntryId".into(), id.as_str().into());
    }
    if let Some(id) = e.next_hop.target_id() {
        out.insert("InstanceId".into(), id.into());
    }
    out
}

fn created(v: &Vpc) -> String {
    xconnect_sign::format_date(v.created_at.to_offset_date_time())
}
