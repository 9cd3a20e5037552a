//! Vswitches: a zone's block of a VPC, where instances take their addresses.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(vswitch_create, vswitch_list)).routes(routes!(
        vswitch_get,
        vswitch_modify,
        vswitch_delete
    ))
}

#[utoipa::path(post, path = "/v1/vswitches", tag = "vswitch", request_body = VSwitchCreateRequest,
    responses((status = 201, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VSwitchCreateRequest>,
) -> Reply<VSwitch> {
    created(&c, s.control.vswitch_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/vswitches", tag = "vswitch", params(VSwitchListQuery),
    responses((status = 200, body = Page<VSwitch>), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<VSwitchListQuery>,
) -> Reply<Page<VSwitch>> {
    ok(&c, s.control.vswitch_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = VSwitchId, Path)),
    responses((status = 200, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<VSwitch> {
    ok(&c, s.control.vswitch_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = VSwitchId, Path)),
    request_body = ModifyRequest, responses((status = 200, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<VSwitch> {
    ok(&c, s.control.vswitch_modify(&c, &id, req).await)
}

/// Refused while instances remain in the vswitch.
#[utoipa::path(delete, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = VSwitchId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vswitch_delete(&c, &id).await)
}
