//! Alibaba Cloud's RPC API (VPC 2016-04-28, ECS 2014-05-26, CBN 2017-09-12 and NIS 2021-12-16)
//! on xconnect's listener, so that programs written on Alibaba's official SDKs run against
//! xconnect with only the endpoint and the key changed. A thin translation: `params` reads the
//! request as the SDKs send it (`POST /`, the action in the query or in `x-acs-action`), `scheme`
//! checks either of their signatures, `actions` names each supported action and the control
//! operation it calls (a file per resource: `vpc.rs`, `vswitch.rs`, `route.rs`,
//! `router_interface.rs`, `grant.rs`, `physical_connection.rs`, `vbr.rs`, `security_group.rs`,
//! `instance.rs`, `cen.rs`, `cen_bandwidth.rs`, `nis.rs`), `error` words the model's one error enum in Alibaba's codes,
//! and `xml` writes an answer in XML for `Format=XML`. No rule is decided here.

mod actions;
mod cen;
mod cen_bandwidth;
mod error;
mod grant;
mod instance;
mod nis;
mod params;
mod physical_connection;
mod route;
mod router_interface;
mod scheme;
mod security_group;
mod vbr;
mod vpc;
mod vswitch;
mod xml;

use axum::Router;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::Error;

pub use actions::{readme_table, supported};
pub use params::Params;

/// The front, for `xconnect_api::router_with`: `/` behind Alibaba's signatures.
pub fn front(state: &AppState) -> Router<AppState> {
    let routes = Router::new().route("/", any(dispatch));
    xconnect_api::request::signed(routes, state, scheme::Rpc, error::refuse)
}

/// Reads the action, runs it, and answers `{"RequestId": ..., <its fields>}` (in XML, under
/// `<{Action}Response>`, when the request says `Format=XML`).
async fn dispatch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let params = match Params::read(&uri, &headers, &body) {
        Ok(p) => p,
        Err(e) => return error::refuse(e, &caller.request_id),
    };
    let xml = xml::wanted(params.get("Format"));
    let answer = match actions::find(params.version(), params.action()) {
        Some(action) => (action.run)(&state, &caller, &params).await.map(|fields| (action, fields)),
        None => Err(unknown_action(&params)),
    };
    match answer {
        Ok((action, mut fields)) => {
            fields.insert("RequestId".into(), caller.request_id.as_str().into());
            if xml {
                let root = format!("{}Response", action.name);
                ([(axum::http::header::CONTENT_TYPE, "application/xml")], xml::document(&root, &fields)).into_response()
            } else {
                axum::Json(serde_json::Value::Object(fields)).into_response()
            }
        }
        Err(e) => error::refuse_in(e, &caller.request_id, xml),
    }
}

fn unknown_action(p: &Params) -> Error {
    let (action, version) = (p.action().unwrap_or(""), p.version().unwrap_or(""));
    Error::rejected(
        "InvalidAction.NotFound",
        format!(
            "the action '{action}' of version '{version}' is not supported here; the supported actions are listed in \
             the README (Alibaba Cloud's RPC API)"
        ),
    )
}
