//! The HTTP listener and the fronts on it. `request` is what every front shares (request ids,
//! body limits, the pluggable signature scheme that yields the `Caller`, the replay rules) and
//! `throttle` each account's request rate; the REST front is `handlers` under /v1, signed with
//! ACS3-HMAC-SHA256 (`acs3`), its refusals worded by `error`, and described by the OpenAPI
//! document served at /v1/openapi.json (and kept checked in as `openapi.json`, compared by a
//! test). Beside it, unsigned: `/healthz`, `/readyz` and `/metrics`, whose figures `observe`
//! keeps as it logs each request. `transport` gives the refusals of the HTTP parser the same
//! error body. Other fronts (the clouds' own APIs, the console) are crates of their own that
//! plug in with [`router_with`] beside /v1.
mod acs3;
pub use acs3::Acs3;
mod error;
mod extract;
mod handlers;
mod observe;
pub mod request;
mod throttle;
mod transport;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use xconnect_control::{Control, new_id};
use xconnect_model::version::Build;
use xconnect_model::{Error, RequestId};

pub use error::ApiError;
pub use observe::Metrics;
pub use request::{MAX_BODY, MAX_SKEW, REQUEST_ID_HEADER, ReplayGuard};
pub use throttle::Rate;
pub use transport::HEADER_TIMEOUT;

/// What every handler of every front shares.
#[derive(Clone)]
pub struct AppState {
    pub control: Control,
    pub replays: Arc<ReplayGuard>,
    pub metrics: Arc<Metrics>,
    throttle: Option<Arc<throttle::Throttle>>,
}

/// How a server is run, beyond its control plane.
#[derive(Clone)]
pub struct Settings {
    /// The server's own build, named on every answer (`x-xconnect-version`).
    pub build: Build,
    /// Each account's request rate; `None` admits every request.
    pub throttle: Option<Rate>,
    /// Where the server counts its requests: given by the caller, so that it can read them too
    /// (how many are in flight as it stops).
    pub metrics: Arc<Metrics>,
}

impl Default for Settings {
    /// No throttle, fresh metrics, and this crate's version with no commit known (the binary
    /// knows its commit; a library does not).
    fn default() -> Settings {
        Settings {
            build: Build::new(env!("CARGO_PKG_VERSION"), xconnect_model::version::UNKNOWN_COMMIT),
            throttle: None,
            metrics: Arc::default(),
        }
    }
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

/// The OpenAPI document for the shipped catalogue, pretty-printed as it is checked in.
pub fn openapi_json() -> String {
    openapi_json_for(&xconnect_control::default_catalog())
}

/// The OpenAPI document of a server running with `catalog`, whose regions, zones and areas it
/// lists.
pub fn openapi_json_for(catalog: &xconnect_model::catalog::Catalog) -> String {
    let (_, mut doc) = rest();
    xconnect_model::schema::with_catalogue(&mut doc, catalog);
    xconnect_model::wire::with_rules(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.license = None;
    doc.to_pretty_json().expect("the document serializes") + "\n"
}

/// A front other than /v1: given the shared state, its routes, already behind its own scheme
/// (see [`request::signed`]).
pub type Front = fn(&AppState) -> Router<AppState>;

/// The whole application with the REST front alone and default [`Settings`] (no throttle);
/// see [`router_with`].
pub async fn router(control: Control) -> Result<Router, Error> {
    router_with(control, &Settings::default(), &[]).await
}

/// The whole application: request ids first, then the REST front under /v1 and each of
/// `fronts` beside it, on one state. It starts the process's replay rules
/// ([`ReplayGuard::start`], which waits up to a second): build it before clients can connect.
pub async fn router_with(control: Control, settings: &Settings, fronts: &[Front]) -> Result<Router, Error> {
    let replays = Arc::new(ReplayGuard::start(&control).await?);
    let state = AppState {
        control,
        replays,
        metrics: settings.metrics.clone(),
        throttle: settings.throttle.map(|r| Arc::new(throttle::Throttle::new(r))),
    };
    let (rest, _) = rest();
    let refuse: request::Refuse = |e, id| ApiError::new(e, id).into_response();
    let mut app = Router::new().merge(request::signed(rest, &state, acs3::Acs3, refuse));
    for front in fronts {
        app = app.merge(front(&state));
    }
    let doc = openapi_json_for(state.control.catalog());
    // A commit set by hand at build time (XCONNECT_COMMIT) that a header cannot carry leaves
    // the header out, not the server down.
    let version = axum::http::HeaderValue::try_from(settings.build.to_string()).ok();
    Ok(app
        .route("/v1/openapi.json", get(move || async move { ([("content-type", "application/json")], doc) }))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(observe::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe::observe))
        .with_state(state)
        .layer(middleware::from_fn(move |req, next| request::request_id(version.clone(), req, next))))
}

/// Unsigned, for a supervisor: the process is alive and answering.
async fn healthz() -> &'static str {
    "ok\n"
}

/// Unsigned, for a load balancer: 200 when the store answers and is migrated, else 503 with the
/// error body (the reason stays in the log).
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::Extension(id): axum::Extension<RequestId>,
) -> Response {
    match state.control.ready().await {
        Ok(true) => "ready\n".into_response(),
        other => {
            let why = match other {
                Ok(_) => "the store is not migrated to this build's schema yet".to_owned(),
                Err(e) => {
                    tracing::warn!(request_id = %id, error = %e, "not ready");
                    "the store does not answer".to_owned()
                }
            };
            ApiError::new(Error::Unavailable { message: why }, &id).into_response()
        }
    }
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

/// Serves `app` (from [`router`] or [`router_with`]) on `listener` until `shutdown` resolves,
/// each request's head held to [`HEADER_TIMEOUT`]; see [`transport::serve`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    transport::serve(listener, app, shutdown, HEADER_TIMEOUT).await
}

/// [`serve`] with another bound on a request head's arrival (tests use a short one).
pub async fn serve_with_header_timeout(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    header_timeout: std::time::Duration,
) -> std::io::Result<()> {
    transport::serve(listener, app, shutdown, header_timeout).await
}
