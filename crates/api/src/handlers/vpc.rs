//! VPCs, each with its VRouter and system route table.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(vpc_create, vpc_list)).routes(routes!(vpc_get, vpc_modify, vpc_delete))
}

/// A VPC, with its VRouter and system route table.
#[utoipa::path(post, path = "/v1/vpcs", tag = "vpc", request_body = VpcCreateRequest,
    responses((status = 201, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VpcCreateRequest>,
) -> Reply<Vpc> {
    created(&c, s.control.vpc_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/vpcs", tag = "vpc", params(VpcListQuery),
    responses((status = 200, body = Page<Vpc>), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<VpcListQuery>,
) -> Reply<Page<Vpc>> {
    ok(&c, s.control.vpc_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = VpcId, Path)),
    responses((status = 200, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Vpc> {
    ok(&c, s.control.vpc_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = VpcId, Path)),
    request_body = ModifyRequest,
    responses((status = 200, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<Vpc> {
    ok(&c, s.control.vpc_modify(&c, &id, req).await)
}

/// Refused while vswitches, security groups or route entries remain in the VPC.
#[utoipa::path(delete, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = VpcId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vpc_delete(&c, &id).await)
}
