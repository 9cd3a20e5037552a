//! The data plane's desired state, for the agent.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(desired_state_get))
}

/// Operator only (the data plane's agent): the namespaces, links, addresses, routes, rulesets
/// and shaping that realise the model, computed from the analyzer's own view.
#[utoipa::path(get, path = "/v1/dataplane/desired-state", tag = "dataplane",
    responses((status = 200, body = xconnect_model::dataplane::DesiredState), (status = "4XX", body = ErrorBody)))]
pub async fn desired_state_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
) -> Reply<xconnect_model::dataplane::DesiredState> {
    ok(&c, s.control.desired_state_get(&c).await)
}
