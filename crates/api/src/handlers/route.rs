//! Route tables as the forwarding view shows them, and their custom route entries.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(route_table_get))
        .routes(routes!(route_entry_create, route_entry_list))
        .routes(routes!(route_entry_get, route_entry_modify, route_entry_delete))
}

/// A route table with its system routes (one per vswitch) and custom entries.
#[utoipa::path(get, path = "/v1/route-tables/{route_table_id}", tag = "route",
    params(("route_table_id" = RouteTableId, Path)),
    responses((status = 200, body = RouteTable), (status = "4XX", body = ErrorBody)))]
pub async fn route_table_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouteTable> {
    ok(&c, s.control.route_table_get(&c, &id).await)
}

/// A custom route; its destination may not overlap a vswitch of the VPC.
#[utoipa::path(post, path = "/v1/route-entries", tag = "route", request_body = RouteEntryCreateRequest,
    responses((status = 201, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<RouteEntryCreateRequest>,
) -> Reply<RouteEntry> {
    created(&c, s.control.route_entry_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/route-entries", tag = "route", params(RouteEntryListQuery),
    responses((status = 200, body = Page<RouteEntry>), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<RouteEntryListQuery>,
) -> Reply<Page<RouteEntry>> {
    ok(&c, s.control.route_entry_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = RouteEntryId, Path)),
    responses((status = 200, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouteEntry> {
    ok(&c, s.control.route_entry_get(&c, &id).await)
}

/// Changes a route entry's description.
#[utoipa::path(patch, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = RouteEntryId, Path)), request_body = RouteEntryModifyRequest,
    responses((status = 200, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RouteEntryModifyRequest>,
) -> Reply<RouteEntry> {
    ok(&c, s.control.route_entry_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = RouteEntryId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.route_entry_delete(&c, &id).await)
}
