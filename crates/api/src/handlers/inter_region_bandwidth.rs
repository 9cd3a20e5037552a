//! Inter-region bandwidths: a hub's share of a package between two regions.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(inter_region_bandwidth_create, inter_region_bandwidth_list)).routes(routes!(
        inter_region_bandwidth_get,
        inter_region_bandwidth_modify,
        inter_region_bandwidth_delete
    ))
}

/// Bandwidth between two regions of a hub, from a package bound to it; the sum on a package never exceeds it.
#[utoipa::path(post, path = "/v1/inter-region-bandwidths", tag = "bandwidth", request_body = InterRegionBandwidthCreateRequest,
    responses((status = 201, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<InterRegionBandwidthCreateRequest>,
) -> Reply<InterRegionBandwidth> {
    created(&c, s.control.inter_region_bandwidth_create(&c, req).await)
}

/// The caller's inter-region bandwidths; filter: hub_id.
#[utoipa::path(get, path = "/v1/inter-region-bandwidths", tag = "bandwidth", params(InterRegionBandwidthListQuery),
    responses((status = 200, body = Page<InterRegionBandwidth>), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<InterRegionBandwidthListQuery>,
) -> Reply<Page<InterRegionBandwidth>> {
    ok(&c, s.control.inter_region_bandwidth_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = InterRegionBandwidthId, Path)),
    responses((status = 200, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<InterRegionBandwidth> {
    ok(&c, s.control.inter_region_bandwidth_get(&c, &id).await)
}

/// Changes an inter-region bandwidth, up or down, within its package.
#[utoipa::path(patch, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = InterRegionBandwidthId, Path)), request_body = InterRegionBandwidthModifyRequest,
    responses((status = 200, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InterRegionBandwidthModifyRequest>,
) -> Reply<InterRegionBandwidth> {
    ok(&c, s.control.inter_region_bandwidth_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = InterRegionBandwidthId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.inter_region_bandwidth_delete(&c, &id).await)
}
