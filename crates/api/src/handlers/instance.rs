//! Instances: an address in a vswitch behind one to five security groups.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(instance_create, instance_list)).routes(routes!(
        instance_get,
        instance_modify,
        instance_delete
    ))
}

#[utoipa::path(post, path = "/v1/instances", tag = "instance", request_body = InstanceCreateRequest,
    responses((status = 201, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<InstanceCreateRequest>,
) -> Reply<Instance> {
    created(&c, s.control.instance_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/instances", tag = "instance", params(InstanceListQuery),
    responses((status = 200, body = Page<Instance>), (status = "4XX", body = ErrorBody)))]
pub async fn instance_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<InstanceListQuery>,
) -> Reply<Page<Instance>> {
    ok(&c, s.control.instance_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = InstanceId, Path)),
    responses((status = 200, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Instance> {
    ok(&c, s.control.instance_get(&c, &id).await)
}

/// Renames an instance or replaces its security groups.
#[utoipa::path(patch, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = InstanceId, Path)),
    request_body = InstanceModifyRequest,
    responses((status = 200, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InstanceModifyRequest>,
) -> Reply<Instance> {
    ok(&c, s.control.instance_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = InstanceId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn instance_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.instance_delete(&c, &id).await)
}
