//! The region and area catalogue.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(region_list))
}

/// The region and area catalogue.
#[utoipa::path(get, path = "/v1/regions", tag = "region",
    responses((status = 200, body = RegionList), (status = "4XX", body = ErrorBody)))]
pub async fn region_list(State(s): State<AppState>, Extension(c): Extension<Caller>) -> Reply<RegionList> {
    ok(&c, Ok(s.control.region_list()))
}
