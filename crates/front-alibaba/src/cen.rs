//! CBN 2017-09-12: CEN instances (xconnect's hubs), the networks attached to them and the routes
//! they teach, each action one control operation in Alibaba's words. CEN is a global product:
//! a CEN has no region, the networks it attaches do (Alibaba's ids, `cn-qingdao`). Accounts
//! are named by their numbers (`ChildInstanceOwnerId`).

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{
    AttachmentCreateRequest, AttachmentListQuery, BandwidthPackageListQuery, HubCreateRequest, HubListQuery,
    ModifyRequest,
};
use xconnect_model::{
    Attachment, AttachmentId, BandwidthPackage, Error, Hub, NetworkKind, NextHop, RouteConflict, RouteTable,
    RouteTableEntry,
};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::{Filters, Params};

pub(crate) const VERSION: &str = "2017-09-12";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "CBN",
        version: VERSION,
        name: "CreateCen",
        operations: "hub_create",
        run: |s, c, p| Box::pin(create_cen(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCens",
        operations: "hub_list, bandwidth_package_list",
        run: |s, c, p| Box::pin(describe_cens(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "ModifyCenAttribute",
        operations: "hub_modify",
        run: |s, c, p| Box::pin(modify_cen_attribute(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DeleteCen",
        operations: "hub_delete",
        run: |s, c, p| Box::pin(delete_cen(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "AttachCenChildInstance",
        operations: "attachment_create, account_by_number",
        run: |s, c, p| Box::pin(attach_cen_child_instance(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DetachCenChildInstance",
        operations: "attachment_list, attachment_delete",
        run: |s, c, p| Box::pin(detach_cen_child_instance(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCenAttachedChildInstances",
        operations: "hub_get, attachment_list",
        run: |s, c, p| Box::pin(describe_cen_attached_child_instances(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCenChildInstanceRouteEntries",
        operations: "attachment_list, vpc_get, route_table_get",
        run: |s, c, p| Box::pin(describe_cen_child_instance_route_entries(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeRouteConflict",
        operations: "vpc_get, route_table_get, attachment_list",
        run: |s, c, p| Box::pin(describe_route_conflict(s, c, p)),
    },
];

/// Alibaba's `ChildInstanceType` / `InstanceType` words and the model's network kinds.
const NETWORK_WORDS: &[(&str, NetworkKind)] = &[("VPC", NetworkKind::Vpc), ("VBR", NetworkKind::Vbr)];

/// The model's word (`vpc`, `vbr`) for the network type a request names.
pub(crate) fn our_network_type(p: &Params, name: &str) -> Result<&'static str, Error> {
    let word = p.required(name)?;
    NETWORK_WORDS.iter().find(|(w, _)| *w == word).map(|(_, k)| k.as_str()).ok_or_else(|| {
        Error::invalid(name, format_args!("'{word}' is not a network xconnect attaches to a CEN: use VPC or VBR"))
    })
}

fn network_word(kind: NetworkKind) -> &'static str {
    NETWORK_WORDS.iter().find(|(_, k)| *k == kind).map_or("", |(w, _)| *w)
}

/// The account a numeric owner parameter names (its xconnect id), if sent.
pub(crate) async fn account_number(state: &AppState, p: &Params, name: &str) -> Result<Option<String>, Error> {
    let Some(number) = p.get(name) else { return Ok(None) };
    let n: u64 =
        number.parse().map_err(|_| Error::invalid(name, format_args!("'{number}' is not an account number")))?;
    Ok(Some(state.control.account_by_number(n).await?.to_string()))
}

fn date(t: xconnect_model::Timestamp) -> String {
    xconnect_sign::format_date(t.to_offset_date_time())
}

async fn create_cen(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req = HubCreateRequest {
        // Alibaba's Name is optional; a hub has a name, so control refuses none, saying so.
        name: p.get("Name").unwrap_or("").to_owned(),
        description: p.get("Description").map(str::to_owned),
        enterprise_project: None,
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let hub = state.control.hub_create(caller, req).await?;
    Ok(fields(json!({"CenId": hub.id.as_str()})))
}

/// Every hub of the caller's, read page by page.
async fn all_hubs(state: &AppState, caller: &Caller) -> Result<Vec<Hub>, Error> {
    every_page(|next_token| {
        state.control.hub_list(caller, HubListQuery { max_results: Some(100), next_token, ..Default::default() })
    })
    .await
}

/// Every bandwidth package of the caller's, read page by page.
pub(crate) async fn all_packages(state: &AppState, caller: &Caller) -> Result<Vec<BandwidthPackage>, Error> {
    every_page(|next_token| {
        let q = BandwidthPackageListQuery { max_results: Some(100), next_token, ..Default::default() };
        state.control.bandwidth_package_list(caller, q)
    })
    .await
}

/// Every attachment the caller sees (of its hubs and of its networks), of one hub if named.
async fn all_attachments(state: &AppState, caller: &Caller, hub: Option<&str>) -> Result<Vec<Attachment>, Error> {
    every_page(|next_token| {
        let q = AttachmentListQuery {
            hub_id: hub.map(str::to_owned),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.attachment_list(caller, q)
    })
    .await
}

async fn describe_cens(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let packages = all_packages(state, caller).await?;
    let filters = Filters::read(p, &["CenId", "Name"])?;
    let mut hubs = all_hubs(state, caller).await?;
    hubs.retain(|hub| {
        filters.pass(|key| match key {
            "CenId" => vec![hub.id.to_string()],
            _ => vec![hub.name.to_string()],
        })
    });
    let page = paged(&hubs, p, 10, 50)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|h| {
            let bound: Vec<&str> =
                packages.iter().filter(|b| b.hub_id.as_ref() == Some(&h.id)).map(|b| b.id.as_str()).collect();
            json!({
                "CenId": h.id.as_str(),
                "Name": h.name.as_str(),
                "Description": h.description.as_str(),
                // A hub serves as soon as it is made: there is no Creating here.
                "Status": "Active",
                "CreationTime": date(h.created_at),
                "CenBandwidthPackageIds": {"CenBandwidthPackageId": bound},
                "Tags": {"Tag": []},
            })
        })
        .collect();
    Ok(page.answer("Cens", "Cen", items))
}

async fn modify_cen_attribute(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req =
        ModifyRequest { name: p.get("Name").map(str::to_owned), description: p.get("Description").map(str::to_owned) };
    state.control.hub_modify(caller, p.required("CenId")?, req).await?;
    Ok(Fields::new())
}

async fn delete_cen(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.hub_delete(caller, p.required("CenId")?).await?;
    Ok(Fields::new())
}

async fn attach_cen_child_instance(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req = AttachmentCreateRequest {
        hub_id: p.required("CenId")?.to_owned(),
        network_id: p.required("ChildInstanceId")?.to_owned(),
        network_type: Some(our_network_type(p, "ChildInstanceType")?.to_owned()),
        network_account_id: account_number(state, p, "ChildInstanceOwnerId").await?,
        region: Some(p.required("ChildInstanceRegionId")?.to_owned()),
        cidr_blocks: None,
        description: None,
        client_token: None,
    };
    state.control.attachment_create(caller, req).await?;
    Ok(Fields::new())
}

/// The attachment of the request's child instance to its CEN, among those the caller sees.
async fn attachment_named(state: &AppState, caller: &Caller, p: &Params) -> Result<Attachment, Error> {
    let (hub, network) = (p.required("CenId")?, p.required("ChildInstanceId")?);
    all_attachments(state, caller, Some(hub))
        .await?
        .into_iter()
        .find(|a| a.network_id == network)
        .ok_or_else(|| Error::not_found(AttachmentId::KIND, format_args!("of {network} to {hub}")))
}

async fn detach_cen_child_instance(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let attachment = attachment_named(state, caller, p).await?;
    state.control.attachment_delete(caller, attachment.id.as_str()).await?;
    Ok(Fields::new())
}

async fn describe_cen_attached_child_instances(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    // Read first, so that another account's CEN is not found rather than empty.
    let hub = state.control.hub_get(caller, p.required("CenId")?).await?;
    let region = p.get("ChildInstanceRegionId");
    let kind = p.get("ChildInstanceType");
    let mut attached = all_attachments(state, caller, Some(hub.id.as_str())).await?;
    attached.retain(|a| {
        region.is_none_or(|r| a.region.as_str() == r) && kind.is_none_or(|k| network_word(a.network_type) == k)
    });
    let page = paged(&attached, p, 10, 50)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|a| {
            json!({
                "CenId": a.hub_id.as_str(),
                "ChildInstanceId": a.network_id,
                "ChildInstanceType": network_word(a.network_type),
                "ChildInstanceRegionId": a.region.as_str(),
                "ChildInstanceOwnerId": a.network_account_id.number(),
                "ChildInstanceAttachTime": date(a.created_at),
                // Attached as soon as control records it: there is no Attaching here.
                "Status": "Attached",
            })
        })
        .collect();
    Ok(page.answer("ChildInstances", "ChildInstance", items))
}

/// The route table of the VPC a request names as its child instance (only its owner reads it).
async fn child_route_table(state: &AppState, caller: &Caller, p: &Params) -> Result<RouteTable, Error> {
    if our_network_type(p, "ChildInstanceType")? != "vpc" {
        return Err(Error::invalid("ChildInstanceType", "xconnect shows the routes of a VPC only"));
    }
    let vpc = state.control.vpc_get(caller, p.required("ChildInstanceId")?).await?;
    if let Some(table) = p.get("ChildInstanceRouteTableId").filter(|t| *t != vpc.route_table_id.as_str()) {
        return Err(Error::not_found(xconnect_model::RouteTableId::KIND, table));
    }
    state.control.route_table_get(caller, vpc.route_table_id.as_str()).await
}

/// The network that advertises a learned block, in Alibaba's words `(type, id, region)`: the
/// attachment's, when the caller sees it, else the CEN itself.
fn advertiser<'a>(attachments: &'a [Attachment], hub: &'a str, attachment: &str) -> (&'static str, &'a str, &'a str) {
    match attachments.iter().find(|a| a.id.as_str() == attachment) {
        Some(a) => (network_word(a.network_type), a.network_id.as_str(), a.region.as_str()),
        None => ("CEN", hub, ""),
    }
}

fn conflict_fields(c: &RouteConflict, attachments: &[Attachment]) -> Value {
    let (kind, id, region) = advertiser(attachments, c.hub_id.as_str(), c.attachment_id.as_str());
    json!({
        "DestinationCidrBlock": c.destination_cidr_block.to_string(),
        "InstanceId": id,
        "InstanceType": kind,
        "RegionId": region,
        // Alibaba's word for a route refused because its destination is already routed.
        "Status": "conflict",
    })
}

async fn describe_cen_child_instance_route_entries(
    state: &AppState,
    caller: &Caller,
    p: &Params,
) -> Result<Fields, Error> {
    let attachment = attachment_named(state, caller, p).await?;
    let table = child_route_table(state, caller, p).await?;
    let attachments = all_attachments(state, caller, Some(attachment.hub_id.as_str())).await?;
    let conflicts_of = |e: &str| -> Vec<Value> {
        table
            .conflicts
            .iter()
            .filter(|c| c.destination_cidr_block.to_string() == e)
            .map(|c| conflict_fields(c, &attachments))
            .collect()
    };
    let entry = |e: &RouteTableEntry| {
        let destination = e.destination_cidr_block.to_string();
        let (kind, id, region) = match &e.next_hop {
            NextHop::Hub { hub_id, attachment_id } => advertiser(&attachments, hub_id.as_str(), attachment_id.as_str()),
            hop => (crate::route::alibaba_next_hop_type(hop), hop.target_id().unwrap_or(""), table.region.as_str()),
        };
        json!({
            "RouteTableId": table.id.as_str(),
            "DestinationCidrBlock": destination,
            "Type": crate::route::entry_type(e.kind),
            "Status": "Active",
            // What the VPC advertises to the CEN: its own routes, as control teaches them.
            "PublishStatus": if e.kind == xconnect_model::RouteKind::Learned { "NonPublished" } else { "Published" },
            "NextHopType": kind,
            "NextHopInstanceId": id,
            "NextHopRegionId": region,
            "OperationalMode": false,
            "Conflicts": {"Conflict": conflicts_of(&destination)},
            "AsPaths": {"AsPath": []},
            "Communities": {"Community": []},
            "CenRouteMapRecords": {"CenRouteMapRecord": []},
        })
    };
    let mut entries: Vec<Value> = table.entries.iter().map(entry).collect();
    // Learned blocks that were not installed, as Alibaba lists them: Rejected, with their conflict.
    entries.extend(table.conflicts.iter().map(|c| {
        let (kind, id, region) = advertiser(&attachments, c.hub_id.as_str(), c.attachment_id.as_str());
        json!({
            "RouteTableId": table.id.as_str(),
            "DestinationCidrBlock": c.destination_cidr_block.to_string(),
            "Type": "CEN",
            "Status": "Rejected",
            "PublishStatus": "NonPublished",
            "NextHopType": kind,
            "NextHopInstanceId": id,
            "NextHopRegionId": region,
            "OperationalMode": false,
            "Conflicts": {"Conflict": [conflict_fields(c, &attachments)]},
        })
    }));
    if let Some(status) = p.get("Status") {
        entries.retain(|e| e["Status"] == status);
    }
    let page = paged(&entries, p, 10, 50)?;
    Ok(page.answer("CenRouteEntries", "CenRouteEntry", page.items.to_vec()))
}

async fn describe_route_conflict(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("ChildInstanceRegionId")?;
    let table = child_route_table(state, caller, p).await?;
    let attachments = all_attachments(state, caller, None).await?;
    let destination = p.get("DestinationCidrBlock");
    let conflicts: Vec<Value> = table
        .conflicts
        .iter()
        .filter(|c| destination.is_none_or(|d| c.destination_cidr_block.to_string() == d))
        .map(|c| conflict_fields(c, &attachments))
        .collect();
    let page = paged(&conflicts, p, 10, 50)?;
    Ok(page.answer("RouteConflicts", "RouteConflict", page.items.to_vec()))
}
