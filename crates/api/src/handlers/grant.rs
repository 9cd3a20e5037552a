//! Grants: a network's owner lets another account's hub attach it.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grant_create, grant_list))
        .routes(routes!(grant_list_received))
        .routes(routes!(grant_get, grant_delete))
}

/// Lets another account's hub attach one of the caller's VPCs.
#[utoipa::path(post, path = "/v1/grants", tag = "hub", request_body = GrantCreateRequest,
    responses((status = 201, body = Grant), (status = "4XX", body = ErrorBody)))]
pub async fn grant_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<GrantCreateRequest>,
) -> Reply<Grant> {
    created(&c, s.control.grant_create(&c, req).await)
}

/// The grants the caller gave; filter: region.
#[utoipa::path(get, path = "/v1/grants", tag = "hub", params(GrantListQuery),
    responses((status = 200, body = Page<Grant>), (status = "4XX", body = ErrorBody)))]
pub async fn grant_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<GrantListQuery>,
) -> Reply<Page<Grant>> {
    ok(&c, s.control.grant_list(&c, q).await)
}

/// The grants given to the caller, for its hubs; filter: region.
#[utoipa::path(get, path = "/v1/grants/received", tag = "hub", params(GrantListQuery),
    responses((status = 200, body = Page<Grant>), (status = "4XX", body = ErrorBody)))]
pub async fn grant_list_received(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<GrantListQuery>,
) -> Reply<Page<Grant>> {
    ok(&c, s.control.grant_list_received(&c, q).await)
}

/// A grant the caller gave or received.
#[utoipa::path(get, path = "/v1/grants/{grant_id}", tag = "hub", params(("grant_id" = GrantId, Path)),
    responses((status = 200, body = Grant), (status = "4XX", body = ErrorBody)))]
pub async fn grant_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Grant> {
    ok(&c, s.control.grant_get(&c, &id).await)
}

/// Revokes a grant; refused while the network is attached under it.
#[utoipa::path(delete, path = "/v1/grants/{grant_id}", tag = "hub", params(("grant_id" = GrantId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn grant_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.grant_delete(&c, &id).await)
}
