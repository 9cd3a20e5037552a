//! VBRs: the tenant's virtual border router on an accepted port.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(vbr_create, vbr_list)).routes(routes!(vbr_get, vbr_modify, vbr_delete))
}

/// A VBR on an accepted shared port: one per port, with the port's VLAN id.
#[utoipa::path(post, path = "/v1/vbrs", tag = "hybrid", request_body = VbrCreateRequest,
    responses((status = 201, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VbrCreateRequest>,
) -> Reply<Vbr> {
    created(&c, s.control.vbr_create(&c, req).await)
}

/// The caller's VBRs; filters: region, name.
#[utoipa::path(get, path = "/v1/vbrs", tag = "hybrid", params(VbrListQuery),
    responses((status = 200, body = Page<Vbr>), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<VbrListQuery>,
) -> Reply<Page<Vbr>> {
    ok(&c, s.control.vbr_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = VbrId, Path)),
    responses((status = 200, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Vbr> {
    ok(&c, s.control.vbr_get(&c, &id).await)
}

/// Changes a VBR's name, description or routes; its VLAN id never changes.
#[utoipa::path(patch, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = VbrId, Path)), request_body = VbrModifyRequest,
    responses((status = 200, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<VbrModifyRequest>,
) -> Reply<Vbr> {
    ok(&c, s.control.vbr_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = VbrId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vbr_delete(&c, &id).await)
}
