//! VPC 2016-04-28: a network owner's grants that another account's CEN (a hub) attach its
//! network, each action one control grant operation in Alibaba's words. Alibaba names the
//! CEN's owner by its account number (`CenOwnerId`).

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{GrantCreateRequest, GrantListQuery};
use xconnect_model::{Error, Grant, GrantId};

use crate::actions::{Action, Fields, every_page, paged};
use crate::cen::{account_number, our_network_type};
use crate::params::Params;

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "GrantInstanceToCen",
        operations: "grant_create, account_by_number",
        run: |s, c, p| Box::pin(grant_instance_to_cen(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "RevokeInstanceFromCen",
        operations: "vpc_get, grant_list, grant_delete",
        run: |s, c, p| Box::pin(revoke_instance_from_cen(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeGrantRulesToCen",
        operations: "vpc_get, grant_list",
        run: |s, c, p| Box::pin(describe_grant_rules_to_cen(s, c, p)),
    },
];

async fn grant_instance_to_cen(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("CenOwnerId")?;
    let grantee = account_number(state, p, "CenOwnerId").await?.unwrap_or_default();
    let req = GrantCreateRequest {
        network_id: p.required("InstanceId")?.to_owned(),
        network_type: Some(our_network_type(p, "InstanceType")?.to_owned()),
        region: Some(p.required("RegionId")?.to_owned()),
        grantee_account_id: grantee,
        hub_id: p.required("CenId")?.to_owned(),
        remarks: None,
    };
    state.control.grant_create(caller, req).await?;
    Ok(Fields::new())
}

async fn revoke_instance_from_cen(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let (network, hub) = (p.required("InstanceId")?, p.required("CenId")?);
    let owner = p.get("CenOwnerId");
    let grants = granted(state, caller, p).await?;
    let grant = grants
        .iter()
        .find(|g| g.hub_id.as_str() == hub && owner.is_none_or(|n| g.grantee_account_id.number().to_string() == n))
        .ok_or_else(|| Error::not_found(GrantId::KIND, format_args!("of {network} to {hub}")))?;
    state.control.grant_delete(caller, grant.id.as_str()).await?;
    Ok(Fields::new())
}

async fn describe_grant_rules_to_cen(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let grants = granted(state, caller, p).await?;
    let page = paged(&grants, p, 10, 50)?;
    let rules: Vec<Value> = page
        .items
        .iter()
        .map(|g| {
            json!({
                "CenInstanceId": g.hub_id.as_str(),
                "CenOwnerId": g.grantee_account_id.number(),
                "CreationTime": xconnect_sign::format_date(g.created_at.to_offset_date_time()),
            })
        })
        .collect();
    Ok(page.answer("CenGrantRules", "CbnGrantRule", rules))
}

/// The caller's grants of the network the request names, in its region. A VPC is read first,
/// so that another account's VPC is not found rather than merely without grants.
async fn granted(state: &AppState, caller: &Caller, p: &Params) -> Result<Vec<Grant>, Error> {
    let network = p.required("InstanceId")?;
    let region = p.required("RegionId")?;
    if our_network_type(p, "InstanceType")? == "vpc" {
        state.control.vpc_get(caller, network).await?;
    }
    let mut grants = every_page(|next_token| {
        let q = GrantListQuery {
            region: Some(region.to_owned()),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.grant_list(caller, q)
    })
    .await?;
    grants.retain(|g| g.network_id == network);
    Ok(grants)
}
