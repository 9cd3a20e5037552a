//! Router interfaces: the two sides of a peering pair, set to each other and connected by the initiator.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(router_interface_create, router_interface_list))
        .routes(routes!(router_interface_get, router_interface_modify, router_interface_delete))
        .routes(routes!(router_interface_set_peer))
        .routes(routes!(router_interface_connect))
        .routes(routes!(router_interface_deactivate))
        .routes(routes!(router_interface_activate))
}

/// One side of a peering in a VPC's VRouter: an initiator (with its spec, which becomes its
/// order) or an acceptor.
#[utoipa::path(post, path = "/v1/router-interfaces", tag = "peering", request_body = RouterInterfaceCreateRequest,
    responses((status = 201, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<RouterInterfaceCreateRequest>,
) -> Reply<RouterInterface> {
    created(&c, s.control.router_interface_create(&c, req).await)
}

/// Your router interfaces; filters: region, vpc_id, name, status, role.
#[utoipa::path(get, path = "/v1/router-interfaces", tag = "peering", params(RouterInterfaceListQuery),
    responses((status = 200, body = Page<RouterInterface>), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<RouterInterfaceListQuery>,
) -> Reply<Page<RouterInterface>> {
    ok(&c, s.control.router_interface_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)), request_body = ModifyRequest,
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_modify(&c, &id, req).await)
}

/// Deletes one side; refused while it is Active or route entries use it.
#[utoipa::path(delete, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.router_interface_delete(&c, &id).await)
}

/// Names the other side (account, VRouter, interface, optionally region); while Idle only.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/peer", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)), request_body = RouterInterfacePeerRequest,
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_set_peer(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RouterInterfacePeerRequest>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_set_peer(&c, &id, req).await)
}

/// Initiator only: connects the pair. Both sides must name each other (accounts, regions,
/// VRouters) and be Idle; then both are Active. Each mismatch has its own error code.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/connect", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_connect(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_connect(&c, &id).await)
}

/// Takes an Active side out of service (Inactive): the pair carries nothing.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/deactivate", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_deactivate(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_deactivate(&c, &id).await)
}

/// Puts an Inactive side back in service, if its peer still names it.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/activate", tag = "peering",
    params(("router_interface_id" = RouterInterfaceId, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_activate(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_activate(&c, &id).await)
}
