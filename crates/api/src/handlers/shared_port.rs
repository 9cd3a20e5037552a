//! Shared ports: a partner pushes a VLAN of its connection to a tenant, who accepts or declines.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(shared_port_create, shared_port_list))
        .routes(routes!(shared_port_get, shared_port_delete))
        .routes(routes!(shared_port_accept))
        .routes(routes!(shared_port_decline))
}

/// Partner only: a shared port for a tenant on one of its connections (VLAN id unique on the connection; ports never oversubscribe it).
#[utoipa::path(post, path = "/v1/shared-ports", tag = "hybrid", request_body = SharedPortCreateRequest,
    responses((status = 201, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<SharedPortCreateRequest>,
) -> Reply<SharedPort> {
    created(&c, s.control.shared_port_create(&c, req).await)
}

/// The shared ports the caller made (a partner) or was given (a tenant); filter: region.
#[utoipa::path(get, path = "/v1/shared-ports", tag = "hybrid", params(SharedPortListQuery),
    responses((status = 200, body = Page<SharedPort>), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<SharedPortListQuery>,
) -> Reply<Page<SharedPort>> {
    ok(&c, s.control.shared_port_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/shared-ports/{shared_port_id}", tag = "hybrid", params(("shared_port_id" = SharedPortId, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_get(&c, &id).await)
}

/// The tenant accepts a shared port pushed to it.
#[utoipa::path(post, path = "/v1/shared-ports/{shared_port_id}/accept", tag = "hybrid", params(("shared_port_id" = SharedPortId, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_accept(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_accept(&c, &id).await)
}

/// The tenant declines a shared port; its VLAN id and bandwidth are freed.
#[utoipa::path(post, path = "/v1/shared-ports/{shared_port_id}/decline", tag = "hybrid", params(("shared_port_id" = SharedPortId, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_decline(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_decline(&c, &id).await)
}

/// The partner withdraws a shared port its tenant has not accepted; its VLAN id and bandwidth are freed.
#[utoipa::path(delete, path = "/v1/shared-ports/{shared_port_id}", tag = "hybrid", params(("shared_port_id" = SharedPortId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.shared_port_delete(&c, &id).await)
}
