//! The service's clock, which package terms run on; the operator moves it forward.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(clock_get, clock_advance))
}

/// The service's clock: the real time plus the operator's offset.
#[utoipa::path(get, path = "/v1/admin/clock", tag = "admin",
    responses((status = 200, body = Clock), (status = "4XX", body = ErrorBody)))]
pub async fn clock_get(State(s): State<AppState>, Extension(c): Extension<Caller>) -> Reply<Clock> {
    ok(&c, s.control.clock_get(&c).await)
}

/// Operator only: moves the clock ahead, for tests of terms and expiry.
#[utoipa::path(post, path = "/v1/admin/clock", tag = "admin", request_body = ClockAdvanceRequest,
    responses((status = 200, body = Clock), (status = "4XX", body = ErrorBody)))]
pub async fn clock_advance(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ClockAdvanceRequest>,
) -> Reply<Clock> {
    ok(&c, s.control.clock_advance(&c, req).await)
}
