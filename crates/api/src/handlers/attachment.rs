//! Attachments of VPCs and VBRs to a hub, and the blocks they advertise.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attachment_create, attachment_list))
        .routes(routes!(attachment_get, attachment_delete))
}

/// Attaches a VPC (the caller's, or another account's that granted the hub) to one of the caller's hubs.
#[utoipa::path(post, path = "/v1/attachments", tag = "hub", request_body = AttachmentCreateRequest,
    responses((status = 201, body = Attachment), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<AttachmentCreateRequest>,
) -> Reply<Attachment> {
    created(&c, s.control.attachment_create(&c, req).await)
}

/// The attachments of the caller's hubs and networks; filters: hub_id, region.
#[utoipa::path(get, path = "/v1/attachments", tag = "hub", params(AttachmentListQuery),
    responses((status = 200, body = Page<Attachment>), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<AttachmentListQuery>,
) -> Reply<Page<Attachment>> {
    ok(&c, s.control.attachment_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/attachments/{attachment_id}", tag = "hub", params(("attachment_id" = AttachmentId, Path)),
    responses((status = 200, body = Attachment), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Attachment> {
    ok(&c, s.control.attachment_get(&c, &id).await)
}

/// Detaches a network (the hub's owner or the network's may).
#[utoipa::path(delete, path = "/v1/attachments/{attachment_id}", tag = "hub", params(("attachment_id" = AttachmentId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.attachment_delete(&c, &id).await)
}
