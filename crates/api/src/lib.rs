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
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
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

/// The REST routes and the OpenAPI document they declare, from the one list in `handlers`.
fn rest() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(handlers::routes()).split_for_parts()
}

/// The OpenAPI document, pretty-printed as it is checked in.
pub fn openapi_json() -> String {
    let (_, mut doc) = rest();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.license = None;
    doc.to_pretty_json().expect("the document serializes") + "\n"
}

/// The whole application: routes, signature check, request ids, limits.
pub fn router(control: Control) -> Router {
    let state = AppState { control, nonces: Arc::new(NonceCache::default()) };
    let (signed, _) = rest();
    let signed = signed.route_layer(middleware::from_fn_with_state(state.clone(), auth::authenticate));
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
