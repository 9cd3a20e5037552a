//! ECS 2014-05-26: instances, as xconnect has them: an address in a vswitch and its security
//! groups. No image, type or disk: `ImageId` and `InstanceType` are accepted and ignored, and an
//! instance is `Running` from the moment it is made.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{InstanceCreateRequest, InstanceListQuery};
use xconnect_model::{Error, Instance};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::Params;
use crate::security_group::VERSION;

pub static ACTIONS: &[Action] = &[
    Action {
        product: "ECS",
        version: VERSION,
        name: "RunInstances",
        operations: "instance_create",
        run: |s, c, p| Box::pin(run_instances(s, c, p)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "DescribeInstances",
        operations: "instance_list",
        run: |s, c, p| Box::pin(describe_instances(s, c, p)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "DeleteInstance",
        operations: "instance_delete",
        run: |s, c, p| Box::pin(delete_instance(s, c, p)),
    },
];

async fn run_instances(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    if let Some(amount) = p.get("Amount").filter(|a| *a != "1") {
        return Err(Error::invalid(
            "Amount",
            format_args!("'{amount}': xconnect makes one instance a call, each with its own address: send Amount=1"),
        ));
    }
    // SecurityGroupId names one group; SecurityGroupIds.N several.
    let security_group_ids: Vec<String> =
        p.get("SecurityGroupId").into_iter().chain(p.list("SecurityGroupIds")).map(str::to_owned).collect();
    let req = InstanceCreateRequest {
        vswitch_id: p.required("VSwitchId")?.to_owned(),
        security_group_ids,
        private_ip: p.get("PrivateIpAddress").map(str::to_owned),
        name: p.get("InstanceName").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let instance = state.control.instance_create(caller, req).await?;
    Ok(fields(json!({"InstanceIdSets": {"InstanceIdSet": [instance.id.as_str()]}})))
}

async fn describe_instances(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    // InstanceIds and PrivateIpAddresses are each one JSON array (`["i-1","i-2"]`).
    let ids = p.json_list("InstanceIds")?;
    let ips = p.json_list("PrivateIpAddresses")?;
    let (vswitch, zone, name, group) =
        (p.get("VSwitchId"), p.get("ZoneId"), p.get("InstanceName"), p.get("SecurityGroupId"));
    let mut instances = all_instances(state, caller, region, p.get("VpcId")).await?;
    instances.retain(|i| {
        ids.as_ref().is_none_or(|ids| ids.iter().any(|id| id == i.id.as_str()))
            && ips.as_ref().is_none_or(|ips| ips.iter().any(|ip| *ip == i.private_ip.to_string()))
            && vswitch.is_none_or(|v| v == i.vswitch_id.as_str())
            && zone.is_none_or(|z| z == i.zone)
            && name.is_none_or(|n| i.name.as_ref().is_some_and(|m| m.as_str() == n))
            && group.is_none_or(|g| i.security_group_ids.iter().any(|s| s.as_str() == g))
    });
    let page = paged(&instances, p, 10, 100)?;
    let items: Vec<Value> = page.items.iter().map(instance_fields).collect();
    Ok(page.answer("Instances", "Instance", items))
}

/// `Force` is accepted and needs no meaning: an instance here is never stopped first.
async fn delete_instance(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.instance_delete(caller, p.required("InstanceId")?).await?;
    Ok(Fields::new())
}

/// Every instance of the caller's in `region` (and `vpc`), in control's order, page by page.
async fn all_instances(
    state: &AppState,
    caller: &Caller,
    region: &str,
    vpc: Option<&str>,
) -> Result<Vec<Instance>, Error> {
    every_page(|next_token| {
        let q = InstanceListQuery {
            region: Some(region.to_owned()),
            vpc_id: vpc.map(str::to_owned),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.instance_list(caller, q)
    })
    .await
}

fn instance_fields(i: &Instance) -> Value {
    let groups: Vec<&str> = i.security_group_ids.iter().map(|g| g.as_str()).collect();
    json!({
        "InstanceId": i.id.as_str(),
        "InstanceName": i.name.as_ref().map_or("", |n| n.as_str()),
        "Description": i.description.as_str(),
        "Status": "Running",
        "RegionId": i.region.as_str(),
        "ZoneId": i.zone,
        "CreationTime": xconnect_sign::format_date(i.created_at.to_offset_date_time()),
        "InstanceNetworkType": "vpc",
        "VpcAttributes": {
            "VpcId": i.vpc_id.as_str(),
            "VSwitchId": i.vswitch_id.as_str(),
            "PrivateIpAddress": {"IpAddress": [i.private_ip.to_string()]},
            "NatIpAddress": "",
        },
        "SecurityGroupIds": {"SecurityGroupId": groups},
        "InnerIpAddress": {"IpAddress": []},
        "PublicIpAddress": {"IpAddress": []},
        "Tags": {"Tag": []},
        "OperationLocks": {"LockReason": []},
    })
}
