//! VPC 2016-04-28: virtual border routers (seed 004) in Alibaba's words. A tenant's VBR stands
//! on a shared port it accepted, which Alibaba names as a physical connection
//! (`PhysicalConnectionId`); its VLAN id is the port's. Alibaba gives a VBR its routes to the data
//! centre as entries of the VBR's route table (CreateRouteEntry with `NextHopType` =
//! `PhysicalConnection`): control keeps them as the VBR's routes, and the VBR's id stands as its
//! table's id, as control has no table of its own for a VBR.

use std::net::Ipv4Addr;

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{VbrCreateRequest, VbrListQuery, VbrModifyRequest};
use xconnect_model::{Cidr, Error, SharedPort, Vbr};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::{Filters, Params};
use crate::physical_connection::{all_ports, date, whole};

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateVirtualBorderRouter",
        operations: "vbr_create",
        run: |s, c, p| Box::pin(create_virtual_border_router(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVirtualBorderRouters",
        operations: "vbr_list, shared_port_list",
        run: |s, c, p| Box::pin(describe_virtual_border_routers(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ModifyVirtualBorderRouterAttribute",
        operations: "vbr_modify",
        run: |s, c, p| Box::pin(modify_virtual_border_router_attribute(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeleteVirtualBorderRouter",
        operations: "vbr_delete",
        run: |s, c, p| Box::pin(delete_virtual_border_router(s, c, p)),
    },
];

/// Alibaba's next hop of a VBR's route to the data centre.
const TO_DATA_CENTRE: &str = "PhysicalConnection";

/// Refuses the parameters control has no counterpart for, rather than drop them unseen.
fn refuse_unkept(p: &Params, names: &[&str]) -> Result<(), Error> {
    match names.iter().find(|n| p.get(n).is_some()) {
        Some(n) => Err(Error::invalid(n, "xconnect keeps no such setting of a VBR: leave it out")),
        None => Ok(()),
    }
}

/// The peering subnet Alibaba states as the local gateway's address and a mask
/// (`255.255.255.252`), as the block control takes (`10.254.0.0/30`).
fn peering_subnet(local: &str, mask: &str) -> Result<String, Error> {
    let ip: Ipv4Addr = local
        .parse()
        .map_err(|_| Error::invalid("LocalGatewayIp", format_args!("'{local}' is not an IPv4 address")))?;
    let bits = mask
        .parse::<Ipv4Addr>()
        .ok()
        .map(u32::from)
        .filter(|m| m.leading_ones() + m.trailing_zeros() == 32)
        .ok_or_else(|| {
            Error::invalid("PeeringSubnetMask", format_args!("'{mask}' is not a mask such as 255.255.255.252"))
        })?;
    Ok(format!("{}/{}", Ipv4Addr::from(u32::from(ip) & bits), bits.leading_ones()))
}

/// The mask of a block, in Alibaba's dotted words.
fn mask(c: &Cidr) -> String {
    let n = u32::from(c.prefix_len());
    Ipv4Addr::from(u32::MAX.checked_shl(32 - n).unwrap_or(0)).to_string()
}

async fn create_virtual_border_router(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    if p.get("VbrOwnerId").is_some_and(|o| o != caller.account.id.number().to_string()) {
        return Err(Error::invalid("VbrOwnerId", "a VBR is made by its owner on its own accepted port"));
    }
    refuse_unkept(
        p,
        &["CircuitCode", "Bandwidth", "LocalIpv6GatewayIp", "PeerIpv6GatewayIp", "PeeringIpv6SubnetMask"],
    )?;
    if p.get("EnableIpv6").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(Error::invalid("EnableIpv6", "a VBR here peers over IPv4 only"));
    }
    let local = p.required("LocalGatewayIp")?;
    let req = VbrCreateRequest {
        shared_port_id: p.required("PhysicalConnectionId")?.to_owned(),
        vlan_id: Some(whole("VlanId", p.required("VlanId")?)?),
        local_gateway_ip: local.to_owned(),
        peer_gateway_ip: p.required("PeerGatewayIp")?.to_owned(),
        peering_subnet: peering_subnet(local, p.required("PeeringSubnetMask")?)?,
        // Routes come as entries of the VBR's route table (see the module's note).
        routes: None,
        name: p.get("Name").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
    };
    let vbr = state.control.vbr_create(caller, req).await?;
    Ok(fields(json!({"VbrId": vbr.id.as_str()})))
}

async fn all_vbrs(state: &AppState, caller: &Caller, region: &str) -> Result<Vec<Vbr>, Error> {
    every_page(|next_token| {
        let q =
            VbrListQuery { region: Some(region.to_owned()), max_results: Some(100), next_token, ..Default::default() };
        state.control.vbr_list(caller, q)
    })
    .await
}

async fn describe_virtual_border_routers(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    let filters = Filters::read(p, &["VbrId", "PhysicalConnectionId", "Status", "Name", "AccessPointId", "VlanId"])?;
    let ports = all_ports(state, caller, region).await?;
    let mut items: Vec<Fields> = all_vbrs(state, caller, region)
        .await?
        .iter()
        .map(|v| vbr_fields(v, ports.iter().find(|s| s.id == v.shared_port_id)))
        .collect();
    filters.keep(&mut items);
    let page = paged(&items, p, 10, 50)?;
    let listed: Vec<Value> = page.items.iter().cloned().map(Value::Object).collect();
    Ok(page.answer("VirtualBorderRouterSet", "VirtualBorderRouterType", listed))
}

/// A VBR as DescribeVirtualBorderRouters shows it, with its port (if the caller sees it).
fn vbr_fields(v: &Vbr, port: Option<&SharedPort>) -> Fields {
    let circuit = |c: &mut Fields| {
        c.insert("PhysicalConnectionId".into(), v.shared_port_id.as_str().into());
        // A VBR stands only on an accepted port, which is in service.
        c.insert("PhysicalConnectionStatus".into(), "Enabled".into());
        c.insert("PhysicalConnectionBusinessStatus".into(), "Normal".into());
        c.insert("LocalGatewayIp".into(), v.local_gateway_ip.to_string().into());
        c.insert("PeerGatewayIp".into(), v.peer_gateway_ip.to_string().into());
        c.insert("PeeringSubnetMask".into(), mask(&v.peering_subnet).into());
        if let Some(s) = port {
            c.insert("PhysicalConnectionOwnerUid".into(), s.partner_account_id.number().to_string().into());
        }
    };
    let mut associated = fields(json!({"VlanId": v.vlan_id.to_string(), "Status": "active"}));
    circuit(&mut associated);
    let mut out = fields(json!({
        "VbrId": v.id.as_str(),
        "Name": v.name.as_ref().map_or("", |n| n.as_str()),
        "Description": v.description.as_str(),
        // A VBR is in service once made, as Alibaba's own is ("active").
        "Status": "active",
        "Type": "pconnVBR",
        "VlanId": v.vlan_id,
        "Bandwidth": v.bandwidth_mbps,
        "RouteTableId": v.id.as_str(),
        "CreationTime": date(v.created_at),
        "ActivationTime": date(v.created_at),
        "AssociatedPhysicalConnections": {"AssociatedPhysicalConnection": [associated]},
    }));
    circuit(&mut out);
    if let Some(s) = port {
        out.insert("AccessPointId".into(), s.access_point.clone().into());
    }
    out
}

async fn modify_virtual_border_router_attribute(
    state: &AppState,
    caller: &Caller,
    p: &Params,
) -> Result<Fields, Error> {
    p.required("RegionId")?;
    refuse_unkept(
        p,
        &[
            "LocalGatewayIp",
            "PeerGatewayIp",
            "PeeringSubnetMask",
            "CircuitCode",
            "Bandwidth",
            "Mtu",
            "MinTxInterval",
            "MinRxInterval",
            "DetectMultiplier",
            "EnableIpv6",
            "LocalIpv6GatewayIp",
            "PeerIpv6GatewayIp",
            "PeeringIpv6SubnetMask",
            "AssociatedPhysicalConnections",
            "SitelinkEnable",
        ],
    )?;
    let req = VbrModifyRequest {
        name: p.get("Name").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        // Control refuses any VLAN id but the VBR's own, with nothing changed.
        vlan_id: p.get("VlanId").map(|v| whole("VlanId", v)).transpose()?,
        routes: None,
    };
    state.control.vbr_modify(caller, p.required("VbrId")?, req).await?;
    Ok(Fields::new())
}

async fn delete_virtual_border_router(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    state.control.vbr_delete(caller, p.required("VbrId")?).await?;
    Ok(Fields::new())
}

/// Whether a route table id names a VBR's (its own id stands for it).
pub(crate) fn is_vbr_table(id: &str) -> bool {
    id.starts_with("vbr-")
}

/// CreateRouteEntry on a VBR's table: a route to the data centre, added to the VBR's routes.
pub(crate) async fn create_route(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let table = p.required("RouteTableId")?;
    // Control keeps a VBR's routes as blocks alone.
    refuse_unkept(p, &["RouteEntryName", "Description"])?;
    let vbr = state.control.vbr_get(caller, table).await?;
    next_hop_is_port(p, &vbr)?;
    let destination = Cidr::parse("DestinationCidrBlock", p.required("DestinationCidrBlock")?)?;
    state.control.vbr_routes_change(caller, table, &[destination.to_string()], &[]).await?;
    // A VBR's routes have no ids of their own: DeleteRouteEntry names one by its destination.
    Ok(Fields::new())
}

/// DeleteRouteEntry on a VBR's table: the route to `DestinationCidrBlock` leaves its routes.
pub(crate) async fn delete_route(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let table = p.required("RouteTableId")?;
    let destination = Cidr::parse("DestinationCidrBlock", p.required("DestinationCidrBlock")?)?;
    state.control.vbr_routes_change(caller, table, &[], &[destination.to_string()]).await?;
    Ok(Fields::new())
}

/// DescribeRouteEntryList on a VBR's table: its routes to the data centre.
pub(crate) async fn route_entries(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let table = p.required("RouteTableId")?;
    let vbr = state.control.vbr_get(caller, table).await?;
    let destination = p.get("DestinationCidrBlock").map(|d| Cidr::parse("DestinationCidrBlock", d)).transpose()?;
    let entries: Vec<Value> = vbr
        .routes
        .iter()
        .filter(|r| destination.as_ref().is_none_or(|d| d == *r))
        .map(|r| {
            let hop = json!({"NextHopType": TO_DATA_CENTRE, "NextHopId": vbr.shared_port_id.as_str()});
            json!({
                "RouteTableId": table,
                "DestinationCidrBlock": r.to_string(),
                "Type": "Custom",
                "Status": "Available",
                "IpVersion": "IPv4",
                "NextHops": {"NextHop": [hop]},
            })
        })
        .collect();
    Ok(fields(json!({"TotalCount": entries.len(), "RouteEntrys": {"RouteEntry": entries}})))
}

/// A VBR routes to the data centre only through its own port.
fn next_hop_is_port(p: &Params, vbr: &Vbr) -> Result<(), Error> {
    let hop_type = p.required("NextHopType")?;
    if hop_type != TO_DATA_CENTRE {
        return Err(Error::invalid(
            "NextHopType",
            format_args!("a VBR's route goes to the data centre: use {TO_DATA_CENTRE}, not '{hop_type}'"),
        ));
    }
    match p.get("NextHopId") {
        Some(id) if id != vbr.shared_port_id.as_str() => Err(Error::invalid(
            "NextHopId",
            format_args!("VBR {} stands on {}: its routes go there, not to {id}", vbr.id, vbr.shared_port_id),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peering_subnet_is_the_gateways_network_under_the_mask() {
        assert_eq!(peering_subnet("10.254.0.1", "255.255.255.252").unwrap(), "10.254.0.0/30");
        assert_eq!(peering_subnet("192.168.7.9", "255.255.255.0").unwrap(), "192.168.7.0/24");
        assert!(peering_subnet("10.254.0.1", "255.0.255.0").is_err(), "a mask with a gap");
        assert!(peering_subnet("10.254.0.1", "30").is_err());
        assert!(peering_subnet("fe80::1", "255.255.255.252").is_err());
        let c = Cidr::parse("c", "10.254.0.0/30").unwrap();
        assert_eq!(mask(&c), "255.255.255.252");
    }
}
