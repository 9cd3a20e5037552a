//! Hubs (CEN instances, cloud connections) that many networks attach to.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(hub_create, hub_list)).routes(routes!(hub_get, hub_modify, hub_delete))
}

/// A hub (a CEN instance, a cloud connection) owned by the caller.
#[utoipa::path(post, path = "/v1/hubs", tag = "hub", request_body = HubCreateRequest,
    responses((status = 201, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<HubCreateRequest>,
) -> Reply<Hub> {
    created(&c, s.control.hub_create(&c, req).await)
}

/// The caller's hubs; filter: name.
#[utoipa::path(get, path = "/v1/hubs", tag = "hub", params(HubListQuery),
    responses((status = 200, body = Page<Hub>), (status = "4XX", body = ErrorBody)))]
pub async fn hub_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<HubListQuery>,
) -> Reply<Page<Hub>> {
    ok(&c, s.control.hub_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = HubId, Path)),
    responses((status = 200, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Hub> {
    ok(&c, s.control.hub_get(&c, &id).await)
}

/// Changes a hub's name or description.
#[utoipa::path(patch, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = HubId, Path)), request_body = ModifyRequest,
    responses((status = 200, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<Hub> {
    ok(&c, s.control.hub_modify(&c, &id, req).await)
}

/// Deletes a hub; refused while networks are attached.
#[utoipa::path(delete, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = HubId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn hub_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.hub_delete(&c, &id).await)
}
