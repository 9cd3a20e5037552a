//! The REST front's handlers, one file per resource. Each handler turns one route into one
//! control operation and describes itself for the OpenAPI document; each file's `routes()`
//! registers its handlers by their `#[utoipa::path]`, so a route and its entry in the document
//! are declared once and cannot drift apart. No handler decides anything; the control layer does.

mod account;
mod attachment;
mod audit;
mod bandwidth_package;
mod billing;
mod clock;
mod connectivity;
mod data_centre_host;
mod dataplane;
mod grant;
mod hub;
mod instance;
mod inter_region_bandwidth;
mod permit;
mod physical_connection;
mod region;
mod route;
mod router_interface;
mod security_group;
mod shared_port;
mod vbr;
mod vpc;
mod vswitch;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Every route of the REST front, with its OpenAPI entry.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(account::routes())
        .merge(region::routes())
        .merge(vpc::routes())
        .merge(vswitch::routes())
        .merge(instance::routes())
        .merge(security_group::routes())
        .merge(route::routes())
        .merge(router_interface::routes())
        .merge(hub::routes())
        .merge(grant::routes())
        .merge(attachment::routes())
        .merge(bandwidth_package::routes())
        .merge(inter_region_bandwidth::routes())
        .merge(permit::routes())
        .merge(clock::routes())
        .merge(physical_connection::routes())
        .merge(shared_port::routes())
        .merge(vbr::routes())
        .merge(data_centre_host::routes())
        .merge(dataplane::routes())
        .merge(billing::routes())
        .merge(connectivity::routes())
        .merge(audit::routes())
}

/// What every handler file uses: the extractors, the model's types and the answer shapes.
mod prelude {
    pub(super) use axum::Json;
    pub(super) use axum::extract::{Extension, Path, State};
    pub(super) use axum::http::StatusCode;
    pub(super) use utoipa_axum::router::OpenApiRouter;
    pub(super) use utoipa_axum::routes;
    pub(super) use xconnect_control::{Caller, Deleted};
    pub(super) use xconnect_model::wire::*;
    pub(super) use xconnect_model::*;

    pub(super) use crate::AppState;
    pub(super) use crate::error::ApiError;
    pub(super) use crate::extract::{JsonBody, QueryParams};

    pub(super) type Reply<T> = Result<(StatusCode, Json<T>), ApiError>;
    pub(super) type NoContent = Result<StatusCode, ApiError>;

    pub(super) fn ok<T>(c: &Caller, r: Result<T>) -> Reply<T> {
        r.map(|v| (StatusCode::OK, Json(v))).map_err(|e| ApiError::new(e, &c.request_id))
    }

    pub(super) fn created<T>(c: &Caller, r: Result<T>) -> Reply<T> {
        r.map(|v| (StatusCode::CREATED, Json(v))).map_err(|e| ApiError::new(e, &c.request_id))
    }

    pub(super) fn deleted(c: &Caller, r: Result<Deleted>) -> NoContent {
        r.map(|_| StatusCode::NO_CONTENT).map_err(|e| ApiError::new(e, &c.request_id))
    }
}
