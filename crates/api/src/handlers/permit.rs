//! Cross-border permits: the application, its documents, and the operator's decision.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(permit_create, permit_list))
        .routes(routes!(permit_get))
        .routes(routes!(permit_approve))
        .routes(routes!(permit_reject))
}

/// Applies for a cross-border permit, with the signed documents; PendingApproval until the operator decides.
#[utoipa::path(post, path = "/v1/permits", tag = "bandwidth", request_body = PermitCreateRequest,
    responses((status = 201, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<PermitCreateRequest>,
) -> Reply<Permit> {
    created(&c, s.control.permit_create(&c, req).await)
}

/// The caller's applications (the operator's: every account's).
#[utoipa::path(get, path = "/v1/permits", tag = "bandwidth", params(PermitListQuery),
    responses((status = 200, body = Page<Permit>), (status = "4XX", body = ErrorBody)))]
pub async fn permit_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<PermitListQuery>,
) -> Reply<Page<Permit>> {
    ok(&c, s.control.permit_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/permits/{permit_id}", tag = "bandwidth", params(("permit_id" = PermitId, Path)),
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_get(&c, &id).await)
}

/// Operator only: approves an application pending approval.
#[utoipa::path(post, path = "/v1/permits/{permit_id}/approve", tag = "bandwidth", params(("permit_id" = PermitId, Path)),
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_approve(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_approve(&c, &id).await)
}

/// Operator only: rejects an application pending approval, saying why.
#[utoipa::path(post, path = "/v1/permits/{permit_id}/reject", tag = "bandwidth", params(("permit_id" = PermitId, Path)), request_body = PermitRejectRequest,
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_reject(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PermitRejectRequest>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_reject(&c, &id, req).await)
}
