//! VPC 2016-04-28: regions and VPCs, each action one control operation in Alibaba's words.
//! Lists page as Alibaba pages (`PageNumber`, `PageSize` up to 50, `TotalCount`) over control's
//! token-paged lists.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{ModifyRequest, VSwitchListQuery, VpcCreateRequest, VpcListQuery};
use xconnect_model::{Error, Vpc};

use crate::actions::{Action, Fields, every_page, fields};
use crate::params::{Paging, Params};

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeRegions",
        operations: "catalog",
        run: |s, c, p| Box::pin(describe_regions(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateVpc",
        operations: "vpc_create",
        run: |s, c, p| Box::pin(create_vpc(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVpcs",
        operations: "vpc_list, vswitch_list",
        run: |s, c, p| Box::pin(describe_vpcs(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVpcAttribute",
        operations: "vpc_get_with_vswitches",
        run: |s, c, p| Box::pin(describe_vpc_attribute(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ModifyVpcAttribute",
        operations: "vpc_modify",
        run: |s, c, p| Box::pin(modify_vpc_attribute(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeleteVpc",
        operations: "vpc_delete",
        run: |s, c, p| Box::pin(delete_vpc(s, c, p)),
    },
];

pub(crate) async fn describe_regions(state: &AppState, _: &Caller, _: &Params) -> Result<Fields, Error> {
    let regions: Vec<Value> =
        state.control.catalog().regions().iter().map(|r| json!({"RegionId": r.id, "LocalName": r.name})).collect();
    Ok(fields(json!({"Regions": {"Region": regions}})))
}

async fn create_vpc(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req = VpcCreateRequest {
        region: p.required("RegionId")?.to_owned(),
        // Alibaba's default block when none is given.
        cidr_block: p.get("CidrBlock").unwrap_or("172.16.0.0/12").to_owned(),
        name: p.get("VpcName").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let vpc = state.control.vpc_create(caller, req).await?;
    Ok(fields(json!({
        "VpcId": vpc.id.as_str(),
        "VRouterId": vpc.vrouter_id.as_str(),
        "RouteTableId": vpc.route_table_id.as_str(),
    })))
}

async fn describe_vpcs(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    let paging = Paging::read(p)?;
    // VpcId takes up to 20 ids, separated by commas.
    let ids: Option<Vec<&str>> = p.get("VpcId").map(|v| v.split(',').map(str::trim).collect());
    let name = p.get("VpcName");
    let is_default = p.get("IsDefault").map(|v| v.eq_ignore_ascii_case("true"));
    let mut vpcs = all_vpcs(state, caller, region).await?;
    vpcs.retain(|v| {
        ids.as_ref().is_none_or(|ids| ids.contains(&v.id.as_str()))
            && name.is_none_or(|n| v.name.as_ref().is_some_and(|m| m.as_str() == n))
            // xconnect has no default VPC: every VPC is made by its owner.
            && is_default != Some(true)
    });
    let vswitches = vswitches_by_vpc(state, caller, region).await?;
    let items: Vec<Value> = paging.of(&vpcs).iter().map(|v| Value::Object(vpc_fields(v, &vswitches))).collect();
    Ok(fields(json!({
        "TotalCount": vpcs.len(),
        "PageNumber": paging.number,
        "PageSize": paging.size,
        "Vpcs": {"Vpc": items},
    })))
}

async fn describe_vpc_attribute(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    // This VPC's vswitches only (the region's may be thousands), read with the VPC.
    let (vpc, vswitches) = state.control.vpc_get_with_vswitches(caller, p.required("VpcId")?).await?;
    let ids = vswitches.into_iter().map(|v| v.id.to_string()).collect();
    Ok(vpc_fields(&vpc, &std::collections::HashMap::from([(vpc.id.to_string(), ids)])))
}

async fn modify_vpc_attribute(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req = ModifyRequest {
        name: p.get("VpcName").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
    };
    state.control.vpc_modify(caller, p.required("VpcId")?, req).await?;
    Ok(Fields::new())
}

async fn delete_vpc(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.vpc_delete(caller, p.required("VpcId")?).await?;
    Ok(Fields::new())
}

/// Every VPC of the caller's in `region`, in control's order, read page by page.
pub(crate) async fn all_vpcs(state: &AppState, caller: &Caller, region: &str) -> Result<Vec<Vpc>, Error> {
    every_page(|next_token| {
        let q =
            VpcListQuery { region: Some(region.to_owned()), max_results: Some(100), next_token, ..Default::default() };
        state.control.vpc_list(caller, q)
    })
    .await
}

/// The caller's vswitch ids in `region`, by VPC id.
pub(crate) async fn vswitches_by_vpc(
    state: &AppState,
    caller: &Caller,
    region: &str,
) -> Result<std::collections::HashMap<String, Vec<String>>, Error> {
    let q = VSwitchListQuery { region: Some(region.to_owned()), ..Default::default() };
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for v in crate::vswitch::all_vswitches(state, caller, q).await? {
        out.entry(v.vpc_id.as_str().to_owned()).or_default().push(v.id.as_str().to_owned());
    }
    Ok(out)
}

/// A VPC as DescribeVpcs and DescribeVpcAttribute show it.
fn vpc_fields(v: &Vpc, vswitches: &std::collections::HashMap<String, Vec<String>>) -> Fields {
    let created = xconnect_sign::format_date(v.created_at.to_offset_date_time());
    let vswitch_ids = vswitches.get(v.id.as_str()).cloned().unwrap_or_default();
    fields(json!({
        "VpcId": v.id.as_str(),
        "RegionId": v.region.as_str(),
        // A VPC is usable as soon as it is made: there is no Pending here.
        "Status": "Available",
        "VpcName": v.name.as_ref().map_or("", |n| n.as_str()),
        "CidrBlock": v.cidr_block.to_string(),
        "CreationTime": created,
        "Description": v.description.as_str(),
        "IsDefault": false,
        "OwnerId": v.account_id.number(),
        "VRouterId": v.vrouter_id.as_str(),
        "RouterTableIds": {"RouterTableIds": [v.route_table_id.as_str()]},
        "VSwitchIds": {"VSwitchId": vswitch_ids},
        "UserCidrs": {"UserCidr": []},
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": []},
        "Tags": {"Tag": []},
    }))
}
