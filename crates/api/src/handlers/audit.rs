//! The audit trail.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_list))
}

/// The caller's own events, oldest first; the operator sees every account's.
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", params(AuditListQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = "4XX", body = ErrorBody)))]
pub async fn audit_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<AuditListQuery>,
) -> Reply<Page<AuditEvent>> {
    ok(&c, s.control.audit_list(&c, q).await)
}
