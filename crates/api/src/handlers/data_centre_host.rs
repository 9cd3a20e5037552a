//! Data centre hosts behind a VBR, the far end of the hybrid tutorials' ping.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(data_centre_host_create, data_centre_host_list))
        .routes(routes!(data_centre_host_get, data_centre_host_delete))
}

/// A host in the data centre behind one of the caller's VBRs, to test connectivity from and to.
#[utoipa::path(post, path = "/v1/data-centre-hosts", tag = "hybrid", request_body = DataCentreHostCreateRequest,
    responses((status = 201, body = DataCentreHost), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<DataCentreHostCreateRequest>,
) -> Reply<DataCentreHost> {
    created(&c, s.control.data_centre_host_create(&c, req).await)
}

/// The caller's data centre hosts; filters: vbr_id, name.
#[utoipa::path(get, path = "/v1/data-centre-hosts", tag = "hybrid", params(DataCentreHostListQuery),
    responses((status = 200, body = Page<DataCentreHost>), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<DataCentreHostListQuery>,
) -> Reply<Page<DataCentreHost>> {
    ok(&c, s.control.data_centre_host_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/data-centre-hosts/{host_id}", tag = "hybrid", params(("host_id" = DataCentreHostId, Path)),
    responses((status = 200, body = DataCentreHost), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<DataCentreHost> {
    ok(&c, s.control.data_centre_host_get(&c, &id).await)
}

#[utoipa::path(delete, path = "/v1/data-centre-hosts/{host_id}", tag = "hybrid", params(("host_id" = DataCentreHostId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.data_centre_host_delete(&c, &id).await)
}
