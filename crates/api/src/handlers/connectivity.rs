//! Connectivity tests and matrices, answered by the analyzer from the model.

use xconnect_model::connectivity::{ConnectivityAnswer, ConnectivityMatrix};

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(connectivity_test)).routes(routes!(connectivity_matrix))
}

/// Can this instance reach that address? Answered from the model: the hops the packet takes, and
/// for a packet that does not arrive, the first check that stops it and what would fix it.
#[utoipa::path(post, path = "/v1/connectivity-tests", tag = "connectivity", request_body = ConnectivityTestRequest,
    responses((status = 200, body = ConnectivityAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn connectivity_test(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ConnectivityTestRequest>,
) -> Reply<ConnectivityAnswer> {
    ok(&c, s.control.connectivity_test(&c, req).await)
}

/// Every ordered pair of a set of instances (all the caller's when none are named) at once.
#[utoipa::path(post, path = "/v1/connectivity-matrix", tag = "connectivity", request_body = ConnectivityMatrixRequest,
    responses((status = 200, body = ConnectivityMatrix), (status = "4XX", body = ErrorBody)))]
pub async fn connectivity_matrix(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ConnectivityMatrixRequest>,
) -> Reply<ConnectivityMatrix> {
    ok(&c, s.control.connectivity_matrix(&c, req).await)
}
