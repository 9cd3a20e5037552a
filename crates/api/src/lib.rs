//! The HTTP API: the REST routes under /v1, the signature check in front of them, the error
//! body, and the OpenAPI document served at /v1/openapi.json (and kept checked in as
//! `openapi.json`, compared by a test).

mod auth;
mod error;
mod extract;
mod handlers;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use utoipa::OpenApi;
use xconnect_control::{Control, new_id};
use xconnect_model::{Error, RequestId};

pub use auth::{MAX_BODY, MAX_SKEW, NonceCache};
pub use error::ApiError;

/// Header that carries the request id on every answer.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub control: Control,
    pub nonces: Arc<NonceCache>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xconnect",
        description = "Connect private cloud networks across accounts, regions and data centres. \
            Every request but this document is signed with ACS3-HMAC-SHA256 (Alibaba Cloud's V3 \
            signature): headers x-acs-date, x-acs-signature-nonce, x-acs-content-sha256 and \
            Authorization. Errors are a JSON body with code, message and request_id."
    ),
    paths(
        handlers::caller_get,
        handlers::region_list,
        handlers::account_create,
        handlers::account_list,
        handlers::account_get,
        handlers::access_key_create,
        handlers::access_key_list,
        handlers::vpc_create,
        handlers::vpc_list,
        handlers::vpc_get,
        handlers::vpc_modify,
        handlers::vpc_delete,
        handlers::vswitch_create,
        handlers::vswitch_list,
        handlers::vswitch_get,
        handlers::vswitch_modify,
        handlers::vswitch_delete,
        handlers::instance_create,
        handlers::instance_list,
        handlers::instance_get,
        handlers::instance_modify,
        handlers::instance_delete,
        handlers::security_group_create,
        handlers::security_group_list,
        handlers::security_group_get,
        handlers::security_group_modify,
        handlers::security_group_delete,
        handlers::security_group_rule_create,
        handlers::security_group_rule_list,
        handlers::security_group_rule_delete,
        handlers::route_table_get,
        handlers::route_entry_create,
        handlers::route_entry_list,
        handlers::route_entry_get,
        handlers::route_entry_modify,
        handlers::route_entry_delete,
        handlers::router_interface_create,
        handlers::router_interface_list,
        handlers::router_interface_get,
        handlers::router_interface_modify,
        handlers::router_interface_delete,
        handlers::router_interface_set_peer,
        handlers::router_interface_connect,
        handlers::router_interface_deactivate,
        handlers::router_interface_activate,
        handlers::order_list,
        handlers::hub_create,
        handlers::hub_list,
        handlers::hub_get,
        handlers::hub_modify,
        handlers::hub_delete,
        handlers::grant_create,
        handlers::grant_list,
        handlers::grant_list_received,
        handlers::grant_get,
        handlers::grant_delete,
        handlers::attachment_create,
        handlers::attachment_list,
        handlers::attachment_get,
        handlers::attachment_delete,
        handlers::bandwidth_package_create,
        handlers::bandwidth_package_list,
        handlers::bandwidth_package_get,
        handlers::bandwidth_package_modify,
        handlers::bandwidth_package_pay,
        handlers::bandwidth_package_bind,
        handlers::bandwidth_package_unbind,
        handlers::inter_region_bandwidth_create,
        handlers::inter_region_bandwidth_list,
        handlers::inter_region_bandwidth_get,
        handlers::inter_region_bandwidth_modify,
        handlers::inter_region_bandwidth_delete,
        handlers::permit_create,
        handlers::permit_list,
        handlers::permit_get,
        handlers::permit_approve,
        handlers::permit_reject,
        handlers::clock_get,
        handlers::clock_advance,
        handlers::physical_connection_create,
        handlers::physical_connection_list,
        handlers::physical_connection_get,
        handlers::shared_port_create,
        handlers::shared_port_list,
        handlers::shared_port_get,
        handlers::shared_port_accept,
        handlers::shared_port_decline,
        handlers::vbr_create,
        handlers::vbr_list,
        handlers::vbr_get,
        handlers::vbr_modify,
        handlers::vbr_delete,
        handlers::data_centre_host_create,
        handlers::data_centre_host_list,
        handlers::data_centre_host_get,
        handlers::data_centre_host_delete,
        handlers::desired_state_get,
        handlers::statement_get,
        handlers::usage_report,
        handlers::prices_get,
        handlers::connectivity_test,
        handlers::connectivity_matrix,
        handlers::audit_list,
    ),
    modifiers(&Signature)
)]
struct ApiDoc;

/// Declares the signature as the security scheme of every operation.
struct Signature;

impl utoipa::Modify for Signature {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "acs3",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "ACS3-HMAC-SHA256 Credential=<access key id>,SignedHeaders=<names>,Signature=<hex>",
            ))),
        );
        doc.security = Some(vec![SecurityRequirement::new("acs3", Vec::<String>::new())]);
    }
}

/// The OpenAPI document, pretty-printed as it is checked in.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.license = None;
    doc.to_pretty_json().expect("the document serializes") + "\n"
}

/// The whole application: routes, signature check, request ids, limits.
pub fn router(control: Control) -> Router {
    let state = AppState { control, nonces: Arc::new(NonceCache::default()) };
    use handlers::*;
    let signed = Router::new()
        .route("/v1/caller", get(caller_get))
        .route("/v1/regions", get(region_list))
        .route("/v1/accounts", post(account_create).get(account_list))
        .route("/v1/accounts/{id}", get(account_get))
        .route("/v1/accounts/{id}/access-keys", post(access_key_create).get(access_key_list))
        .route("/v1/vpcs", post(vpc_create).get(vpc_list))
        .route("/v1/vpcs/{id}", get(vpc_get).patch(vpc_modify).delete(vpc_delete))
        .route("/v1/vswitches", post(vswitch_create).get(vswitch_list))
        .route("/v1/vswitches/{id}", get(vswitch_get).patch(vswitch_modify).delete(vswitch_delete))
        .route("/v1/instances", post(instance_create).get(instance_list))
        .route("/v1/instances/{id}", get(instance_get).patch(instance_modify).delete(instance_delete))
        .route("/v1/security-groups", post(security_group_create).get(security_group_list))
        .route(
            "/v1/security-groups/{id}",
            get(security_group_get).patch(security_group_modify).delete(security_group_delete),
        )
        .route("/v1/security-groups/{id}/rules", post(security_group_rule_create).get(security_group_rule_list))
        .route("/v1/security-groups/{id}/rules/{rule_id}", axum::routing::delete(security_group_rule_delete))
        .route("/v1/route-tables/{id}", get(route_table_get))
        .route("/v1/route-entries", post(route_entry_create).get(route_entry_list))
        .route("/v1/route-entries/{id}", get(route_entry_get).patch(route_entry_modify).delete(route_entry_delete))
        .route("/v1/router-interfaces", post(router_interface_create).get(router_interface_list))
        .route(
            "/v1/router-interfaces/{id}",
            get(router_interface_get).patch(router_interface_modify).delete(router_interface_delete),
        )
        .route("/v1/router-interfaces/{id}/peer", post(router_interface_set_peer))
        .route("/v1/router-interfaces/{id}/connect", post(router_interface_connect))
        .route("/v1/router-interfaces/{id}/deactivate", post(router_interface_deactivate))
        .route("/v1/router-interfaces/{id}/activate", post(router_interface_activate))
        .route("/v1/orders", get(order_list))
        .route("/v1/hubs", post(hub_create).get(hub_list))
        .route("/v1/hubs/{id}", get(hub_get).patch(hub_modify).delete(hub_delete))
        .route("/v1/grants", post(grant_create).get(grant_list))
        .route("/v1/grants/received", get(grant_list_received))
        .route("/v1/grants/{id}", get(grant_get).delete(grant_delete))
        .route("/v1/attachments", post(attachment_create).get(attachment_list))
        .route("/v1/attachments/{id}", get(attachment_get).delete(attachment_delete))
        .route("/v1/bandwidth-packages", post(bandwidth_package_create).get(bandwidth_package_list))
        .route("/v1/bandwidth-packages/{id}", get(bandwidth_package_get).patch(bandwidth_package_modify))
        .route("/v1/bandwidth-packages/{id}/pay", post(bandwidth_package_pay))
        .route("/v1/bandwidth-packages/{id}/bind", post(bandwidth_package_bind))
        .route("/v1/bandwidth-packages/{id}/unbind", post(bandwidth_package_unbind))
        .route("/v1/inter-region-bandwidths", post(inter_region_bandwidth_create).get(inter_region_bandwidth_list))
        .route(
            "/v1/inter-region-bandwidths/{id}",
            get(inter_region_bandwidth_get).patch(inter_region_bandwidth_modify).delete(inter_region_bandwidth_delete),
        )
        .route("/v1/permits", post(permit_create).get(permit_list))
        .route("/v1/permits/{id}", get(permit_get))
        .route("/v1/permits/{id}/approve", post(permit_approve))
        .route("/v1/permits/{id}/reject", post(permit_reject))
        .route("/v1/admin/clock", get(clock_get).post(clock_advance))
        .route("/v1/physical-connections", post(physical_connection_create).get(physical_connection_list))
        .route("/v1/physical-connections/{id}", get(physical_connection_get))
        .route("/v1/shared-ports", post(shared_port_create).get(shared_port_list))
        .route("/v1/shared-ports/{id}", get(shared_port_get))
        .route("/v1/shared-ports/{id}/accept", post(shared_port_accept))
        .route("/v1/shared-ports/{id}/decline", post(shared_port_decline))
        .route("/v1/vbrs", post(vbr_create).get(vbr_list))
        .route("/v1/vbrs/{id}", get(vbr_get).patch(vbr_modify).delete(vbr_delete))
        .route("/v1/data-centre-hosts", post(data_centre_host_create).get(data_centre_host_list))
        .route("/v1/data-centre-hosts/{id}", get(data_centre_host_get).delete(data_centre_host_delete))
        .route("/v1/dataplane/desired-state", get(desired_state_get))
        .route("/v1/billing/statement", get(statement_get))
        .route("/v1/billing/usage", post(usage_report))
        .route("/v1/billing/prices", get(prices_get))
        .route("/v1/connectivity-tests", post(connectivity_test))
        .route("/v1/connectivity-matrix", post(connectivity_matrix))
        .route("/v1/audit-events", get(audit_list))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::authenticate));
    let doc = openapi_json();
    Router::new()
        .route("/v1/openapi.json", get(move || async move { ([("content-type", "application/json")], doc) }))
        .merge(signed)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        // No timeout layer: it would answer "failed" while a write it cannot stop goes on and
        // commits. The store bounds its own waits (SQLite's busy timeout, the pool's acquire
        // timeout), and a client may hang up at any time without harm.
        .layer(middleware::from_fn(request_id))
}

/// Gives every request an id, before anything else runs, and echoes it in a header.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id: RequestId = new_id();
    req.extensions_mut().insert(id.clone());
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let mut resp = next.run(req).await;
    tracing::debug!(request_id = %id, %method, %path, status = resp.status().as_u16(), "answered");
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

async fn not_found(req: Request) -> Response {
    let id = req.extensions().get::<RequestId>().cloned().unwrap_or_else(new_id);
    // Named like a resource, so the message reads "route GET /v1/x … does not exist".
    let e =
        Error::NotFound { kind: "route", id: format!("{} {} (see /v1/openapi.json)", req.method(), req.uri().path()) };
    ApiError::new(e, &id).into_response()
}

async fn method_not_allowed(req: Request) -> Response {
    let id = req.extensions().get::<RequestId>().cloned().unwrap_or_else(new_id);
    let e = Error::MethodNotAllowed { method: req.method().to_string(), path: req.uri().path().to_owned() };
    ApiError::new(e, &id).into_response()
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    control: Control,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(control).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
