//! Physical connections: a partner's port at an access point.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(physical_connection_create, physical_connection_list))
        .routes(routes!(physical_connection_get))
}

/// Partner only: a physical connection at one of its access points.
#[utoipa::path(post, path = "/v1/physical-connections", tag = "hybrid", request_body = PhysicalConnectionCreateRequest,
    responses((status = 201, body = PhysicalConnection), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<PhysicalConnectionCreateRequest>,
) -> Reply<PhysicalConnection> {
    created(&c, s.control.physical_connection_create(&c, req).await)
}

/// The caller's physical connections; filters: region, name.
#[utoipa::path(get, path = "/v1/physical-connections", tag = "hybrid", params(PhysicalConnectionListQuery),
    responses((status = 200, body = Page<PhysicalConnection>), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<PhysicalConnectionListQuery>,
) -> Reply<Page<PhysicalConnection>> {
    ok(&c, s.control.physical_connection_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/physical-connections/{physical_connection_id}", tag = "hybrid", params(("physical_connection_id" = PhysicalConnectionId, Path)),
    responses((status = 200, body = PhysicalConnection), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<PhysicalConnection> {
    ok(&c, s.control.physical_connection_get(&c, &id).await)
}
