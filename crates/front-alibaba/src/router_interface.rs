//! VPC 2016-04-28: router interfaces, the two sides of a VPC peering (seeds 001 and 003), each
//! action the control operations it names. Alibaba names a side by its VRouter (`RouterId`) where
//! control names its VPC, a role `InitiatingSide` / `AcceptingSide` where control says initiator /
//! acceptor, an acceptor's spec `Negative` where control leaves it out, and the other side's owner
//! by its account number. Control records a side's peer whole (account, VRouter, interface): a
//! call naming part of it keeps the rest of the peer recorded, and names all three the first time.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{
    ModifyRequest, RouterInterfaceCreateRequest, RouterInterfaceListQuery, RouterInterfacePeerRequest,
};
use xconnect_model::{
    Description, Error, Name, RouterInterface, RouterInterfaceRole, RouterInterfaceStatus, VRouterId,
};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::{Filters, Params};
use crate::vpc::all_vpcs;

const VERSION: &str = "2016-04-28";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "VPC",
        version: VERSION,
        name: "CreateRouterInterface",
        operations: "vpc_list, router_interface_create, account_by_number, router_interface_set_peer",
        run: |s, c, p| Box::pin(create(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ModifyRouterInterfaceAttribute",
        operations: "router_interface_get, account_by_number, router_interface_set_peer, router_interface_modify",
        run: |s, c, p| Box::pin(modify(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ConnectRouterInterface",
        operations: "router_interface_connect",
        run: |s, c, p| Box::pin(connect(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "ActivateRouterInterface",
        operations: "router_interface_activate",
        run: |s, c, p| Box::pin(activate(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeactivateRouterInterface",
        operations: "router_interface_deactivate",
        run: |s, c, p| Box::pin(deactivate(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DeleteRouterInterface",
        operations: "router_interface_delete",
        run: |s, c, p| Box::pin(delete(s, c, p)),
    },
    Action {
        product: "VPC",
        version: VERSION,
        name: "DescribeRouterInterfaces",
        operations: "router_interface_list",
        run: |s, c, p| Box::pin(describe(s, c, p)),
    },
];

/// Alibaba's words for the roles.
const ROLES: [(RouterInterfaceRole, &str); 2] =
    [(RouterInterfaceRole::Initiator, "InitiatingSide"), (RouterInterfaceRole::Acceptor, "AcceptingSide")];

/// What Alibaba's acceptor says for its spec: it has none of its own.
const ACCEPTOR_SPEC: &str = "Negative";

fn role_word(role: RouterInterfaceRole) -> &'static str {
    ROLES.iter().find(|(r, _)| *r == role).map_or("", |(_, w)| w)
}

fn our_role(word: &str) -> Result<RouterInterfaceRole, Error> {
    ROLES.iter().find(|(_, w)| *w == word).map(|(r, _)| *r).ok_or_else(|| {
        Error::invalid("Role", format_args!("'{word}' is not a role: use InitiatingSide or AcceptingSide"))
    })
}

/// Alibaba's status words are control's, but for an acceptor being connected, which Alibaba
/// calls `AcceptingConnecting`.
fn status_word(ri: &RouterInterface) -> &'static str {
    match (ri.status, ri.role) {
        (RouterInterfaceStatus::Connecting, RouterInterfaceRole::Acceptor) => "AcceptingConnecting",
        (status, _) => status.as_str(),
    }
}

/// Only VRouters have router interfaces here: a VBR's are not modelled.
fn vrouter_only(p: &Params, name: &str) -> Result<(), Error> {
    match p.get(name) {
        Some(t) if t != "VRouter" => Err(Error::invalid(
            name,
            format_args!("'{t}': xconnect joins VPCs' VRouters with router interfaces; use VRouter"),
        )),
        _ => Ok(()),
    }
}

/// The account an Alibaba account number names.
async fn account_of(state: &AppState, number: &str) -> Result<String, Error> {
    let n: u64 = number
        .parse()
        .map_err(|_| Error::invalid("OppositeInterfaceOwnerId", format_args!("'{number}' is not an account number")))?;
    Ok(state.control.account_by_number(n).await?.to_string())
}

/// The peer a request names, its parts not given taken from `recorded` (the side's peer so far):
/// none when the request names no part of one.
async fn peer_asked(
    state: &AppState,
    p: &Params,
    recorded: Option<&xconnect_model::RouterInterfacePeer>,
) -> Result<Option<RouterInterfacePeerRequest>, Error> {
    vrouter_only(p, "OppositeRouterType")?;
    let (interface, router, owner) =
        (p.get("OppositeInterfaceId"), p.get("OppositeRouterId"), p.get("OppositeInterfaceOwnerId"));
    if interface.is_none() && router.is_none() && owner.is_none() {
        return Ok(None);
    }
    let account = match owner {
        Some(n) => Some(account_of(state, n).await?),
        None => recorded.map(|r| r.account_id.to_string()),
    };
    let part = |given: Option<&str>, kept: Option<String>, name: &str| {
        given.map(str::to_owned).or(kept).ok_or_else(|| {
            Error::rejected(
                "MissingParameter",
                format!(
                    "the input parameter \"{name}\" is needed: xconnect records a peer by its interface, router and \
                     owner together (OppositeInterfaceId, OppositeRouterId, OppositeInterfaceOwnerId)"
                ),
            )
        })
    };
    Ok(Some(RouterInterfacePeerRequest {
        peer_account_id: part(None, account, "OppositeInterfaceOwnerId")?,
        peer_vrouter_id: part(router, recorded.map(|r| r.vrouter_id.to_string()), "OppositeRouterId")?,
        peer_router_interface_id: part(
            interface,
            recorded.map(|r| r.router_interface_id.to_string()),
            "OppositeInterfaceId",
        )?,
        peer_region: None,
    }))
}

async fn create(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    p.required("RouterType")?;
    vrouter_only(p, "RouterType")?;
    let role = our_role(p.required("Role")?)?;
    // Control charges a side by its use from the moment it is made (Alibaba's PostPaid), and the
    // order is running at once: AutoPay needs no step, and there is no subscription to buy.
    if let Some(kind) = p.get("InstanceChargeType").filter(|k| *k != "PostPaid") {
        return Err(Error::invalid(
            "InstanceChargeType",
            format_args!("'{kind}': xconnect charges router interfaces by use (PostPaid); there is no subscription"),
        ));
    }
    let spec = match p.required("Spec")? {
        // An acceptor's Negative is control's spec left out.
        s if role == RouterInterfaceRole::Acceptor && s == ACCEPTOR_SPEC => None,
        s => Some(s.to_owned()),
    };
    let router = p.required("RouterId")?;
    let vpc = all_vpcs(state, caller, region)
        .await?
        .into_iter()
        .find(|v| v.vrouter_id.as_str() == router)
        .ok_or_else(|| Error::not_found(VRouterId::KIND, router))?;
    // Everything the peer needs is read before anything is made, so that a refused peer leaves
    // no interface behind.
    let peer = peer_asked(state, p, None).await?;
    let req = RouterInterfaceCreateRequest {
        vpc_id: vpc.id.to_string(),
        region: Some(region.to_owned()),
        role: role.as_str().to_owned(),
        peer_region: p.required("OppositeRegionId")?.to_owned(),
        spec,
        name: p.get("Name").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let ri = state.control.router_interface_create(caller, req).await?;
    let caller = &caller.after_first_change();
    if let Some(peer) = peer
        && let Err(e) = state.control.router_interface_set_peer(caller, ri.id.as_str(), peer).await
    {
        // The call is refused whole: the side just made goes again.
        state.control.router_interface_delete(caller, ri.id.as_str()).await?;
        return Err(e);
    }
    Ok(fields(json!({"RouterInterfaceId": ri.id.as_str()})))
}

async fn modify(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let id = p.required("RouterInterfaceId")?;
    let ri = state.control.router_interface_get(caller, id).await?;
    let rename =
        ModifyRequest { name: p.get("Name").map(str::to_owned), description: p.get("Description").map(str::to_owned) };
    // Read with the model's own parsers before the peer is set, so that a bad name refuses the
    // whole call rather than half of it.
    if let Some(n) = &rename.name {
        Name::parse("Name", n)?;
    }
    if let Some(d) = &rename.description {
        Description::parse("Description", d)?;
    }
    let mut caller = caller.clone();
    if let Some(peer) = peer_asked(state, p, ri.peer.as_ref()).await? {
        state.control.router_interface_set_peer(&caller, id, peer).await?;
        caller = caller.after_first_change();
    }
    if rename.name.is_some() || rename.description.is_some() {
        state.control.router_interface_modify(&caller, id, rename).await?;
    }
    Ok(Fields::new())
}

async fn connect(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.router_interface_connect(caller, p.required("RouterInterfaceId")?).await?;
    Ok(Fields::new())
}

async fn activate(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.router_interface_activate(caller, p.required("RouterInterfaceId")?).await?;
    Ok(Fields::new())
}

async fn deactivate(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.router_interface_deactivate(caller, p.required("RouterInterfaceId")?).await?;
    Ok(Fields::new())
}

async fn delete(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.router_interface_delete(caller, p.required("RouterInterfaceId")?).await?;
    Ok(Fields::new())
}

/// A side's value for a filter key, if it has one.
type Field = fn(&RouterInterface) -> Option<String>;

/// The keys `Filter.N.Key` takes (DescribeRouterInterfacesRequestFilter's documented ones, and
/// Role), each with the value of a side it matches.
const FILTER_KEYS: &[(&str, Field)] = &[
    ("RouterInterfaceId", |r| Some(r.id.to_string())),
    ("RouterId", |r| Some(r.vrouter_id.to_string())),
    ("RouterType", |_| Some("VRouter".into())),
    ("RouterInterfaceOwnerId", |r| Some(r.account_id.number().to_string())),
    ("OppositeInterfaceId", |r| r.peer.as_ref().map(|p| p.router_interface_id.to_string())),
    ("OppositeRouterType", |_| Some("VRouter".into())),
    ("OppositeRouterId", |r| r.peer.as_ref().map(|p| p.vrouter_id.to_string())),
    ("OppositeInterfaceOwnerId", |r| r.peer.as_ref().map(|p| p.account_id.number().to_string())),
    ("Status", |r| Some(status_word(r).into())),
    ("Name", |r| r.name.as_ref().map(|n| n.to_string())),
    ("Role", |r| Some(role_word(r.role).into())),
];

/// The filters of a DescribeRouterInterfaces request, over `FILTER_KEYS`.
fn filters(p: &Params) -> Result<Filters, Error> {
    let keys: Vec<&str> = FILTER_KEYS.iter().map(|(k, _)| *k).collect();
    Filters::read(p, &keys)
}

fn passes(ri: &RouterInterface, filters: &Filters) -> bool {
    filters
        .pass(|key| FILTER_KEYS.iter().find(|(k, _)| *k == key).and_then(|(_, value)| value(ri)).into_iter().collect())
}

async fn describe(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    let filters = filters(p)?;
    let mut all = every_page(|next_token| {
        let q = RouterInterfaceListQuery {
            region: Some(region.to_owned()),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.router_interface_list(caller, q)
    })
    .await?;
    // xconnect keeps no tags on router interfaces: none has the tags a `Tags.N` asks for.
    let tagged = !p.items("Tags").is_empty();
    all.retain(|ri| !tagged && passes(ri, &filters));
    let page = paged(&all, p, 10, 50)?;
    let shown: Vec<Value> = page.items.iter().map(interface_fields).collect();
    Ok(page.answer("RouterInterfaceSet", "RouterInterfaceType", shown))
}

/// One side as DescribeRouterInterfaces shows it. Of the other side only what this side
/// records is shown: nothing is read of another account's interface.
fn interface_fields(ri: &RouterInterface) -> Value {
    let date = |t: xconnect_model::Timestamp| xconnect_sign::format_date(t.to_offset_date_time());
    let mut out = json!({
        "RouterInterfaceId": ri.id.as_str(),
        "Name": ri.name.as_ref().map_or("", |n| n.as_str()),
        "Description": ri.description.as_str(),
        "Role": role_word(ri.role),
        "RouterId": ri.vrouter_id.as_str(),
        "RouterType": "VRouter",
        "VpcInstanceId": ri.vpc_id.as_str(),
        // An acceptor buys no bandwidth: Alibaba shows its spec as Negative even once it carries
        // its initiator's (Bandwidth says how much).
        "Spec": match (ri.role, ri.spec) {
            (RouterInterfaceRole::Initiator, Some(spec)) => spec.as_str(),
            _ => ACCEPTOR_SPEC,
        },
        "Bandwidth": ri.bandwidth_mbps().unwrap_or(0),
        "Status": status_word(ri),
        "BusinessStatus": "Normal",
        // Alibaba's word for pay-as-you-go on this list.
        "ChargeType": "AfterPay",
        "CreationTime": date(ri.created_at),
        "OppositeRegionId": ri.peer_region.as_str(),
        "OppositeRouterType": "VRouter",
        "FastLinkMode": false,
        "Tags": {"Tags": []},
    });
    if let Some(at) = ri.connected_at {
        out["ConnectedTime"] = date(at).into();
    }
    if let Some(peer) = &ri.peer {
        out["OppositeInterfaceId"] = peer.router_interface_id.as_str().into();
        out["OppositeRouterId"] = peer.vrouter_id.as_str().into();
        // A string in Alibaba's model of this list (a number on the requests).
        out["OppositeInterfaceOwnerId"] = peer.account_id.number().to_string().into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, Uri};
    use xconnect_model::*;

    fn params(query: &str) -> Params {
        let uri: Uri = format!("/?{query}").parse().unwrap();
        Params::read(&uri, &HeaderMap::new(), b"").unwrap()
    }

    /// A side of account a, named by peer b.
    fn side(role: RouterInterfaceRole, status: RouterInterfaceStatus) -> RouterInterface {
        let id = |prefix: &str, c: char| format!("{prefix}{}", c.to_string().repeat(24));
        RouterInterface {
            id: RouterInterfaceId::from_trusted(id("ri-", 'a')),
            account_id: AccountId::from_trusted(id("acc-", 'a')),
            vpc_id: VpcId::from_trusted(id("vpc-", 'a')),
            vrouter_id: VRouterId::from_trusted(id("vrt-", 'a')),
            region: RegionId::from_trusted("cn-qingdao".into()),
            role,
            spec: None,
            status,
            peer_region: RegionId::from_trusted("cn-beijing".into()),
            peer: Some(RouterInterfacePeer {
                account_id: AccountId::from_trusted(id("acc-", 'b')),
                vrouter_id: VRouterId::from_trusted(id("vrt-", 'b')),
                router_interface_id: RouterInterfaceId::from_trusted(id("ri-", 'b')),
            }),
            name: None,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
            connected_at: None,
        }
    }

    #[test]
    fn filters_are_read_as_the_sdks_flatten_them() {
        let peer = format!("ri-{}", "b".repeat(24));
        let p = params(&format!(
            "Filter.2.Key=Status&Filter.2.Value.1=Inactive&Filter.2.Value.2=Idle\
             &Filter.1.Key=OppositeInterfaceId&Filter.1.Value.1={peer}"
        ));
        let f = filters(&p).unwrap();
        let idle = side(RouterInterfaceRole::Initiator, RouterInterfaceStatus::Idle);
        let active = side(RouterInterfaceRole::Initiator, RouterInterfaceStatus::Active);
        assert!(passes(&idle, &f), "values OR, keys AND");
        assert!(!passes(&active, &f));
        let mut unnamed = idle.clone();
        unnamed.peer = None;
        assert!(!passes(&unnamed, &f), "a side with no peer has no OppositeInterfaceId to match");
    }

    #[test]
    fn an_unknown_filter_key_is_refused() {
        let p = params("Filter.1.Key=Colour&Filter.1.Value.1=red");
        let e = filters(&p).err().expect("refused");
        assert!(e.to_string().contains("Colour"), "{e}");
    }

    #[test]
    fn states_and_roles_in_alibabas_words() {
        let connecting = side(RouterInterfaceRole::Acceptor, RouterInterfaceStatus::Connecting);
        assert_eq!(status_word(&connecting), "AcceptingConnecting");
        let connecting = side(RouterInterfaceRole::Initiator, RouterInterfaceStatus::Connecting);
        assert_eq!(status_word(&connecting), "Connecting");
        assert_eq!(our_role("AcceptingSide").unwrap(), RouterInterfaceRole::Acceptor);
        assert!(our_role("acceptor").is_err(), "control's word is not Alibaba's");
        let shown = interface_fields(&side(RouterInterfaceRole::Acceptor, RouterInterfaceStatus::Idle));
        assert_eq!((shown["Role"].as_str(), shown["Spec"].as_str()), (Some("AcceptingSide"), Some("Negative")));
        assert!(shown["OppositeInterfaceOwnerId"].is_string(), "a string, as the list's model declares");
        let mut carrying = side(RouterInterfaceRole::Acceptor, RouterInterfaceStatus::Active);
        carrying.spec = Some(RouterInterfaceSpec::Large1);
        let shown = interface_fields(&carrying);
        assert_eq!((shown["Spec"].as_str(), shown["Bandwidth"].as_u64()), (Some("Negative"), Some(1000)));
        carrying.role = RouterInterfaceRole::Initiator;
        assert_eq!(interface_fields(&carrying)["Spec"], "Large.1");
    }
}
