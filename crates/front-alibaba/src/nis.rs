//! NIS 2021-12-16, the reachability analyzer in Alibaba Cloud's words: a network path is a saved
//! connectivity question, an analysis asks it (control's `path_analysis_create`, which runs the
//! analyzer) and keeps the answer, which GetNetworkReachableAnalysis reads back. Sources are ECS
//! instances and the data centre hosts behind a VBR (`SourceType=vbr` with the host's
//! `SourceIpAddress`); the destination is an address, or an instance whose address is taken.

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::Error;
use xconnect_model::connectivity::{ConnectivityAnswer, NetworkPath, PathAnalysis};
use xconnect_model::wire::{ConnectivityTestRequest, DataCentreHostListQuery, NetworkPathCreateRequest};

use crate::actions::{Action, Fields, every_page, fields};
use crate::params::Params;

const VERSION: &str = "2021-12-16";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "NIS",
        version: VERSION,
        name: "CreateNetworkPath",
        operations: "network_path_create (data_centre_host_list for a VBR source, instance_get for an ECS target)",
        run: |s, c, p| Box::pin(create_network_path(s, c, p)),
    },
    Action {
        product: "NIS",
        version: VERSION,
        name: "DeleteNetworkPath",
        operations: "network_path_delete",
        run: |s, c, p| Box::pin(delete_network_paths(s, c, p)),
    },
    Action {
        product: "NIS",
        version: VERSION,
        name: "CreateNetworkReachableAnalysis",
        operations: "path_analysis_create (connectivity_test)",
        run: |s, c, p| Box::pin(create_analysis(s, c, p)),
    },
    Action {
        product: "NIS",
        version: VERSION,
        name: "GetNetworkReachableAnalysis",
        operations: "path_analysis_get, network_path_get",
        run: |s, c, p| Box::pin(get_analysis(s, c, p)),
    },
    Action {
        product: "NIS",
        version: VERSION,
        name: "DeleteNetworkReachableAnalysis",
        operations: "path_analysis_delete",
        run: |s, c, p| Box::pin(delete_analyses(s, c, p)),
    },
];

async fn create_network_path(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let source_id = p.required("SourceId")?;
    let (from_instance_id, from_host_id) = match p.required("SourceType")? {
        "ecs" => (Some(source_id.to_owned()), None),
        "vbr" => (None, Some(host_behind(state, caller, source_id, p.required("SourceIpAddress")?).await?)),
        other => {
            return Err(Error::invalid(
                "SourceType",
                format_args!("'{other}' is not a source xconnect analyzes: use ecs, or vbr with SourceIpAddress"),
            ));
        }
    };
    let destination_ip = match (p.get("TargetIpAddress"), p.get("TargetType"), p.get("TargetId")) {
        (Some(ip), _, _) => ip.to_owned(),
        (None, Some("ecs"), Some(id)) => state.control.instance_get(caller, id).await?.private_ip.to_string(),
        _ => {
            return Err(Error::rejected(
                "MissingParameter",
                "the destination is missing: send TargetIpAddress, or TargetType=ecs with TargetId",
            ));
        }
    };
    let port = match p.get("TargetPort") {
        Some(_) => Some(i64::from(p.integer("TargetPort", 0, 1, 65535)?)),
        None => None,
    };
    let req = NetworkPathCreateRequest {
        name: Some(p.required("NetworkPathName")?.to_owned()),
        description: p.get("NetworkPathDescription").map(str::to_owned),
        question: ConnectivityTestRequest {
            from_instance_id,
            from_host_id,
            destination_ip,
            protocol: Some(p.get("Protocol").unwrap_or("icmp").to_ascii_lowercase()),
            port,
        },
    };
    let path = state.control.network_path_create(caller, req).await?;
    Ok(fields(json!({"NetworkPathId": path.id.as_str()})))
}

/// The data centre host at `ip` behind one of the caller's VBRs: the source a VBR path starts at.
async fn host_behind(state: &AppState, caller: &Caller, vbr: &str, ip: &str) -> Result<String, Error> {
    let hosts = every_page(|next_token| {
        let q = DataCentreHostListQuery {
            vbr_id: Some(vbr.to_owned()),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.data_centre_host_list(caller, q)
    })
    .await?;
    // Listing a VBR that is not the caller's finds nothing; say it is not found, as for any id.
    if hosts.is_empty() {
        state.control.vbr_get(caller, vbr).await?;
    }
    hosts.into_iter().find(|h| h.ip.to_string() == ip).map(|h| h.id.to_string()).ok_or_else(|| {
        Error::invalid("SourceIpAddress", format_args!("no data centre host behind VBR {vbr} has the address {ip}"))
    })
}

async fn delete_network_paths(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    for id in ids(p, "NetworkPathIds")? {
        state.control.network_path_delete(caller, &id).await?;
    }
    Ok(fields(json!({"Data": true})))
}

async fn create_analysis(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let analysis = state.control.path_analysis_create(caller, p.required("NetworkPathId")?).await?;
    Ok(fields(json!({"NetworkReachableAnalysisId": analysis.id.as_str()})))
}

async fn get_analysis(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let analysis = state.control.path_analysis_get(caller, p.required("NetworkReachableAnalysisId")?).await?;
    let path = state.control.network_path_get(caller, analysis.network_path_id.as_str()).await?;
    Ok(analysis_fields(&analysis, &path))
}

async fn delete_analyses(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    for id in ids(p, "NetworkReachableAnalysisIds")? {
        state.control.path_analysis_delete(caller, &id).await?;
    }
    Ok(fields(json!({"Data": true})))
}

/// The ids of a delete: the SDK sends them as one JSON array.
fn ids(p: &Params, name: &str) -> Result<Vec<String>, Error> {
    match p.json_list(name)? {
        Some(ids) if !ids.is_empty() => Ok(ids),
        _ => Err(Error::rejected("MissingParameter", format_args!("{name} is missing: send at least one id"))),
    }
}

/// An analysis as GetNetworkReachableAnalysis answers it. It is answered when it is made, so
/// it is always `finish`. The path's parameters and the result are JSON texts, as Alibaba sends
/// them; the result holds xconnect's hops and the first check that stopped the packet.
fn analysis_fields(a: &PathAnalysis, path: &NetworkPath) -> Fields {
    let q = &path.question;
    let (source_type, source_id) = match (&q.from_instance_id, &q.from_host_id) {
        (Some(i), _) => ("ecs", i.as_str()),
        (None, Some(h)) => ("dataCentreHost", h.as_str()),
        (None, None) => ("", ""),
    };
    let parameter = json!({
        "NetworkPathName": path.name.as_ref().map_or("", |n| n.as_str()),
        "SourceType": source_type,
        "SourceId": source_id,
        "SourceIpAddress": a.answer.source_ip.to_string(),
        "TargetIpAddress": q.destination_ip,
        "Protocol": q.protocol.as_deref().unwrap_or("icmp"),
        "TargetPort": q.port,
    });
    fields(json!({
        "AliUid": a.account_id.number(),
        "CreateTime": xconnect_sign::format_date(a.created_at.to_offset_date_time()),
        "NetworkPathId": a.network_path_id.as_str(),
        "NetworkPathParameter": parameter.to_string(),
        "NetworkReachableAnalysisId": a.id.as_str(),
        "NetworkReachableAnalysisResult": result(&a.answer).to_string(),
        "NetworkReachableAnalysisStatus": "finish",
        "Reachable": a.answer.reachable,
    }))
}

/// The analyzer's answer, in the result's words.
fn result(answer: &ConnectivityAnswer) -> Value {
    let hops: Vec<Value> = answer
        .hops
        .iter()
        .map(|h| json!({"Kind": h.kind, "Component": h.component, "Check": h.check, "Passed": h.passed}))
        .collect();
    json!({
        "Reachable": answer.reachable,
        "Hops": hops,
        "Blocked": answer.blocked.as_ref().map(|b| json!({"Code": b.code.as_str(), "Hop": b.hop, "Fix": b.fix})),
        "BandwidthKbps": answer.bandwidth_kbps,
        "TestBandwidthOnly": answer.test_bandwidth_only,
    })
}
