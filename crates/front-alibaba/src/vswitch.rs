//! VPC 2016-04-28: vswitches, each action one control operation in Alibaba's words.
//!
//! `AvailableIpAddressCount` is not shown: Alibaba reserves the first address and the last
//! three of a block, control the network address, the gateway and the last one (and knows which
//! addresses instances hold), and control has no operation that counts a vswitch's free
//! addresses. A count made here would be a second rule; an absent field is read as `None`.

use std::collections::HashMap;

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{VSwitchCreateRequest, VSwitchListQuery};
use xconnect_model::{Error, VSwitch, Vpc};

use crate::actions::{Action, Fields, every_page, fields};
use crate::params::{Paging, Params};

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateVSwitch",
        operations: "vswitch_create",
        run: |s, c, p| Box::pin(create_vswitch(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVSwitches",
        operations: "vswitch_list, vpc_get",
        run: |s, c, p| Box::pin(describe_vswitches(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeVSwitchAttributes",
        operations: "vswitch_get_with_vpc",
        run: |s, c, p| Box::pin(describe_vswitch_attributes(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeleteVSwitch",
        operations: "vswitch_delete",
        run: |s, c, p| Box::pin(delete_vswitch(s, c, p)),
    },
];

async fn create_vswitch(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    // RegionId is the VPC's: control takes the region from the VPC and checks the zone in it.
    let req = VSwitchCreateRequest {
        vpc_id: p.required("VpcId")?.to_owned(),
        zone: p.required("ZoneId")?.to_owned(),
        cidr_block: p.required("CidrBlock")?.to_owned(),
        name: p.get("VSwitchName").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let vswitch = state.control.vswitch_create(caller, req).await?;
    Ok(fields(json!({"VSwitchId": vswitch.id.as_str()})))
}

async fn describe_vswitches(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let paging = Paging::read(p)?;
    let q = VSwitchListQuery {
        region: p.get("RegionId").map(str::to_owned),
        vpc_id: p.get("VpcId").map(str::to_owned),
        name: p.get("VSwitchName").map(str::to_owned),
        ..Default::default()
    };
    let (id, zone) = (p.get("VSwitchId"), p.get("ZoneId"));
    let is_default = p.get("IsDefault").map(|v| v.eq_ignore_ascii_case("true"));
    let route_table = p.get("RouteTableId");
    let mut vswitches = all_vswitches(state, caller, q).await?;
    vswitches.retain(|v| {
        id.is_none_or(|id| v.id.as_str() == id)
            && zone.is_none_or(|z| v.zone == z)
            // xconnect has no default vswitch: every vswitch is made by its owner.
            && is_default != Some(true)
    });
    // A VPC has one route table, so the vswitches of a table are those of its VPC.
    let mut vpcs: HashMap<String, Vpc> = HashMap::new();
    if let Some(table) = route_table {
        for v in &vswitches {
            vpc_of(state, caller, &mut vpcs, v).await?;
        }
        vswitches.retain(|v| vpcs.get(v.vpc_id.as_str()).is_some_and(|vpc| vpc.route_table_id.as_str() == table));
    }
    let mut items = Vec::new();
    for v in paging.of(&vswitches) {
        let vpc = vpc_of(state, caller, &mut vpcs, v).await?;
        items.push(Value::Object(vswitch_fields(v, vpc)));
    }
    Ok(fields(json!({
        "TotalCount": vswitches.len(),
        "PageNumber": paging.number,
        "PageSize": paging.size,
        "VSwitches": {"VSwitch": items},
    })))
}

async fn describe_vswitch_attributes(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let (vswitch, vpc) = state.control.vswitch_get_with_vpc(caller, p.required("VSwitchId")?).await?;
    Ok(vswitch_fields(&vswitch, &vpc))
}

async fn delete_vswitch(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.vswitch_delete(caller, p.required("VSwitchId")?).await?;
    Ok(Fields::new())
}

/// The VPC of a vswitch, read once per VPC.
async fn vpc_of<'a>(
    state: &AppState,
    caller: &Caller,
    vpcs: &'a mut HashMap<String, Vpc>,
    v: &VSwitch,
) -> Result<&'a Vpc, Error> {
    let key = v.vpc_id.as_str().to_owned();
    if !vpcs.contains_key(&key) {
        let vpc = state.control.vpc_get(caller, &key).await?;
        vpcs.insert(key.clone(), vpc);
    }
    Ok(&vpcs[&key])
}

/// Every vswitch of the caller's that `q` selects, in control's order, read page by page.
pub(crate) async fn all_vswitches(
    state: &AppState,
    caller: &Caller,
    mut q: VSwitchListQuery,
) -> Result<Vec<VSwitch>, Error> {
    q.max_results = Some(100);
    every_page(|next_token| state.control.vswitch_list(caller, VSwitchListQuery { next_token, ..q.clone() })).await
}

/// A vswitch as DescribeVSwitches and DescribeVSwitchAttributes show it.
fn vswitch_fields(v: &VSwitch, vpc: &Vpc) -> Fields {
    fields(json!({
        "VSwitchId": v.id.as_str(),
        "VpcId": v.vpc_id.as_str(),
        // A vswitch is usable as soon as it is made: there is no Pending here.
        "Status": "Available",
        "CidrBlock": v.cidr_block.to_string(),
        "ZoneId": v.zone,
        "VSwitchName": v.name.as_ref().map_or("", |n| n.as_str()),
        "Description": v.description.as_str(),
        "CreationTime": xconnect_sign::format_date(v.created_at.to_offset_date_time()),
        "IsDefault": false,
        "OwnerId": v.account_id.number(),
        // Every vswitch uses its VPC's one route table, the system one.
        "RouteTable": {"RouteTableId": vpc.route_table_id.as_str(), "RouteTableType": "System"},
        "Tags": {"Tag": []},
    }))
}
