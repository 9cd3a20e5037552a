//! VPC 2016-04-28: physical connections and shared ports (seed 004) in Alibaba's words. A
//! partner's circuit is a physical connection (laid with xconnect's CLI: Alibaba's API has no
//! action that lays one); a shared port is what Alibaba calls a shared ("virtual") physical
//! connection: the partner creates it with CreateVirtualPhysicalConnection, the tenant confirms
//! it with ConfirmPhysicalConnection and then sees it among its own physical connections.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{PhysicalConnectionListQuery, SharedPortCreateRequest, SharedPortListQuery};
use xconnect_model::{Error, PhysicalConnection, SharedPort, SharedPortStatus, Timestamp};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::{Filters, Params};

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribePhysicalConnections",
        operations: "physical_connection_list, shared_port_list",
        run: |s, c, p| Box::pin(describe_physical_connections(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateVirtualPhysicalConnection",
        operations: "account_by_number, shared_port_create",
        run: |s, c, p| Box::pin(create_virtual_physical_connection(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ListVirtualPhysicalConnections",
        operations: "physical_connection_get, shared_port_list",
        run: |s, c, p| Box::pin(list_virtual_physical_connections(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ConfirmPhysicalConnection",
        operations: "shared_port_accept",
        run: |s, c, p| Box::pin(confirm_physical_connection(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeletePhysicalConnection",
        operations: "shared_port_delete",
        run: |s, c, p| Box::pin(delete_physical_connection(s, c, p)),
    },
];

/// Alibaba's bandwidth words (`Spec`): `50M`, `100M`, `1G`, ... in Mbit/s.
pub(crate) fn spec(mbps: u32) -> String {
    if mbps >= 1000 && mbps.is_multiple_of(1000) { format!("{}G", mbps / 1000) } else { format!("{mbps}M") }
}

/// A `Spec` in Mbit/s; which bandwidths a port may have is control's to decide.
fn spec_mbps(s: &str) -> Result<i64, Error> {
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let scale = match unit {
        "M" | "m" => 1,
        "G" | "g" => 1000,
        _ => 0,
    };
    match n.parse::<i64>() {
        Ok(n) if scale > 0 => Ok(n * scale),
        _ => Err(Error::invalid("Spec", format_args!("'{s}' is not a bandwidth such as 100M or 1G"))),
    }
}

/// A shared port's state in Alibaba's two words: the circuit's `Status` (`Confirmed` is
/// Alibaba's "waiting for the user's confirmation") and the shared circuit's own
/// (`VpconnStatus` / `VirtualPhysicalConnectionStatus`). A declined port holds no VLAN any more.
fn port_states(s: SharedPortStatus) -> (&'static str, &'static str) {
    match s {
        SharedPortStatus::Pending => ("Confirmed", "UnConfirmed"),
        SharedPortStatus::Accepted => ("Enabled", "Confirmed"),
        SharedPortStatus::Declined => ("Rejected", "Deleted"),
    }
}

/// Who pays a shared port: xconnect bills its tenant (seed 004's port usage fee).
const ORDER_MODE: &str = "PayByVirtualPhysicalConnectionOwner";

/// A whole number as sent; its range is control's to decide.
pub(crate) fn whole(name: &str, v: &str) -> Result<i64, Error> {
    v.parse().map_err(|_| Error::invalid(name, format_args!("'{v}' is not a whole number")))
}

pub(crate) fn date(t: Timestamp) -> String {
    xconnect_sign::format_date(t.to_offset_date_time())
}

async fn all_connections(state: &AppState, caller: &Caller, region: &str) -> Result<Vec<PhysicalConnection>, Error> {
    every_page(|next_token| {
        let q = PhysicalConnectionListQuery {
            region: Some(region.to_owned()),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.physical_connection_list(caller, q)
    })
    .await
}

/// The ports the caller pushed (a partner) or was given (a tenant) in `region`.
pub(crate) async fn all_ports(state: &AppState, caller: &Caller, region: &str) -> Result<Vec<SharedPort>, Error> {
    every_page(|next_token| {
        let q = SharedPortListQuery {
            region: Some(region.to_owned()),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.shared_port_list(caller, q)
    })
    .await
}

async fn describe_physical_connections(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    let filters =
        Filters::read(p, &["PhysicalConnectionId", "AccessPointId", "Type", "Status", "Name", "ProductType", "Spec"])?;
    let ports = all_ports(state, caller, region).await?;
    let mut items: Vec<Fields> = all_connections(state, caller, region)
        .await?
        .iter()
        .map(|c| {
            let count = ports.iter().filter(|s| s.physical_connection_id == c.id).count();
            connection_fields(c, count)
        })
        .collect();
    // The tenant's shared ports are its physical connections too, as on Alibaba's console.
    items.extend(ports.iter().filter(|s| s.account_id == caller.account.id).map(tenant_port_fields));
    filters.keep(&mut items);
    let page = paged(&items, p, 10, 50)?;
    let listed: Vec<Value> = page.items.iter().cloned().map(Value::Object).collect();
    Ok(page.answer("PhysicalConnectionSet", "PhysicalConnectionType", listed))
}

/// A partner's circuit as DescribePhysicalConnections shows it.
fn connection_fields(c: &PhysicalConnection, ports: usize) -> Fields {
    fields(json!({
        "PhysicalConnectionId": c.id.as_str(),
        "Name": c.name.as_str(),
        "Description": "",
        // xconnect names access points by their place (`Equinix DC11`), which stands as the id.
        "AccessPointId": c.access_point,
        "PortType": c.port_type.as_str(),
        "Bandwidth": c.bandwidth_mbps,
        "Spec": spec(c.bandwidth_mbps),
        "Status": c.status,
        "BusinessStatus": "Normal",
        "ProductType": "PhysicalConnection",
        "Type": "VPC",
        "VirtualPhysicalConnectionCount": ports,
        "CreationTime": date(c.created_at),
        "EnabledTime": date(c.created_at),
    }))
}

/// A shared port as its tenant sees it among its physical connections.
fn tenant_port_fields(s: &SharedPort) -> Fields {
    let (status, vpconn) = port_states(s.status);
    let mut out = fields(json!({
        "PhysicalConnectionId": s.id.as_str(),
        "ParentPhysicalConnectionId": s.physical_connection_id.as_str(),
        "ParentPhysicalConnectionAliUid": s.partner_account_id.number(),
        "AccessPointId": s.access_point,
        "VlanId": s.vlan_id.to_string(),
        "Bandwidth": s.bandwidth_mbps,
        "Spec": spec(s.bandwidth_mbps),
        "Status": status,
        "VpconnStatus": vpconn,
        "BusinessStatus": "Normal",
        "ProductType": "VirtualPhysicalConnection",
        "OrderMode": ORDER_MODE,
        "Type": "VPC",
        "CreationTime": date(s.created_at),
    }));
    if let (SharedPortStatus::Accepted, Some(t)) = (s.status, s.decided_at) {
        out.insert("EnabledTime".into(), date(t).into());
    }
    out
}

async fn create_virtual_physical_connection(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    if p.get("OrderMode").is_some_and(|m| m != ORDER_MODE) {
        return Err(Error::invalid(
            "OrderMode",
            format_args!("xconnect bills a shared port to its tenant: use {ORDER_MODE}"),
        ));
    }
    if p.get("DryRun").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        // A dry run that made the port would be worse than none.
        return Err(Error::invalid("DryRun", "xconnect has no dry run of this action: leave DryRun out"));
    }
    let uid = p.required("VpconnAliUid")?;
    let number = uid.parse::<u64>().map_err(|_| Error::invalid("VpconnAliUid", "an account id is a number"))?;
    let tenant = state.control.account_by_number(number).await?;
    let req = SharedPortCreateRequest {
        physical_connection_id: p.required("PhysicalConnectionId")?.to_owned(),
        tenant_account_id: tenant.as_str().to_owned(),
        vlan_id: whole("VlanId", p.required("VlanId")?)?,
        bandwidth_mbps: spec_mbps(p.required("Spec")?)?,
    };
    let port = state.control.shared_port_create(caller, req).await?;
    Ok(fields(json!({"VirtualPhysicalConnection": port.id.as_str()})))
}

async fn list_virtual_physical_connections(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    let parent = p.get("PhysicalConnectionId");
    if let Some(id) = parent {
        // A stranger's connection is not found, as a missing one.
        state.control.physical_connection_get(caller, id).await?;
    }
    let ids = p.list("VirtualPhysicalConnectionIds");
    let uids = p.list("VirtualPhysicalConnectionAliUids");
    let vlans = p.list("VlanIds");
    let statuses = p.list("VirtualPhysicalConnectionStatuses");
    let confirmed = p.get("IsConfirmed").map(|v| v.eq_ignore_ascii_case("true"));
    let mut ports = all_ports(state, caller, region).await?;
    // The partner's view: the ports it pushed.
    ports.retain(|s| {
        let (_, vpconn) = port_states(s.status);
        s.partner_account_id == caller.account.id
            && parent.is_none_or(|id| s.physical_connection_id.as_str() == id)
            && (ids.is_empty() || ids.contains(&s.id.as_str()))
            && (uids.is_empty() || uids.contains(&s.account_id.number().to_string().as_str()))
            && (vlans.is_empty() || vlans.contains(&s.vlan_id.to_string().as_str()))
            && (statuses.is_empty() || statuses.contains(&vpconn))
            && confirmed.is_none_or(|c| c == (s.status == SharedPortStatus::Accepted))
    });
    // NextToken is the position of the next item: the list is read whole, then cut.
    let start: usize = match p.get("NextToken") {
        None => 0,
        Some(t) => t.parse().map_err(|_| Error::invalid("NextToken", "not a token this list gave"))?,
    };
    let size = p.integer("MaxResults", 20, 1, 100)? as usize;
    let page: Vec<Value> =
        ports.iter().skip(start).take(size).map(|s| Value::Object(partner_port_fields(s, caller))).collect();
    let mut out = fields(json!({
        "TotalCount": ports.len(),
        "Count": page.len(),
        "VirtualPhysicalConnections": page,
    }));
    if start + size < ports.len() {
        out.insert("NextToken".into(), (start + size).to_string().into());
    }
    Ok(out)
}

/// A shared port as its partner lists it.
fn partner_port_fields(s: &SharedPort, caller: &Caller) -> Fields {
    let (status, vpconn) = port_states(s.status);
    fields(json!({
        "PhysicalConnectionId": s.id.as_str(),
        "ParentPhysicalConnectionId": s.physical_connection_id.as_str(),
        "ParentPhysicalConnectionAliUid": caller.account.id.number().to_string(),
        "AliUid": s.account_id.number().to_string(),
        "AccessPointId": s.access_point,
        "VlanId": s.vlan_id.to_string(),
        "Bandwidth": s.bandwidth_mbps,
        "Spec": spec(s.bandwidth_mbps),
        "Status": status,
        "VirtualPhysicalConnectionStatus": vpconn,
        "BusinessStatus": "Normal",
        "ProductType": "VirtualPhysicalConnection",
        "OrderMode": ORDER_MODE,
        "Type": "VPC",
        "CreationTime": date(s.created_at),
    }))
}

async fn confirm_physical_connection(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    state.control.shared_port_accept(caller, p.required("PhysicalConnectionId")?).await?;
    Ok(Fields::new())
}

/// The partner withdraws a shared port its tenant has not accepted. Control deletes no
/// partner circuit, so only a shared port's id is taken here.
async fn delete_physical_connection(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    state.control.shared_port_delete(caller, p.required("PhysicalConnectionId")?).await?;
    Ok(Fields::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_alibabas_bandwidth_words() {
        assert_eq!(
            (spec(100), spec(1000), spec(1500), spec(10_000)),
            ("100M".into(), "1G".into(), "1500M".into(), "10G".into())
        );
        assert_eq!((spec_mbps("100M").unwrap(), spec_mbps("2G").unwrap()), (100, 2000));
        for bad in ["100", "M", "1.5G", "100K", ""] {
            assert!(spec_mbps(bad).is_err(), "{bad}");
        }
    }
}
