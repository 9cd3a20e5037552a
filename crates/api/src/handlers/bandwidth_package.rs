//! Bandwidth packages: bought, paid, bound to a hub for an area or a pair of areas.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bandwidth_package_create, bandwidth_package_list))
        .routes(routes!(bandwidth_package_get, bandwidth_package_modify))
        .routes(routes!(bandwidth_package_pay))
        .routes(routes!(bandwidth_package_bind))
        .routes(routes!(bandwidth_package_unbind))
}

/// Buys a bandwidth package: PendingPayment until paid.
#[utoipa::path(post, path = "/v1/bandwidth-packages", tag = "bandwidth", request_body = BandwidthPackageCreateRequest,
    responses((status = 201, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<BandwidthPackageCreateRequest>,
) -> Reply<BandwidthPackage> {
    created(&c, s.control.bandwidth_package_create(&c, req).await)
}

/// The caller's packages, each as it stands now (renewed or expired); filter: name.
#[utoipa::path(get, path = "/v1/bandwidth-packages", tag = "bandwidth", params(BandwidthPackageListQuery),
    responses((status = 200, body = Page<BandwidthPackage>), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<BandwidthPackageListQuery>,
) -> Reply<Page<BandwidthPackage>> {
    ok(&c, s.control.bandwidth_package_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/bandwidth-packages/{bandwidth_package_id}", tag = "bandwidth", params(("bandwidth_package_id" = BandwidthPackageId, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_get(&c, &id).await)
}

/// Changes a package's name, description or auto-renewal.
#[utoipa::path(patch, path = "/v1/bandwidth-packages/{bandwidth_package_id}", tag = "bandwidth", params(("bandwidth_package_id" = BandwidthPackageId, Path)), request_body = BandwidthPackageModifyRequest,
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BandwidthPackageModifyRequest>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_modify(&c, &id, req).await)
}

/// Pays for a package: Normal for its term, and bound to the hub it was bought for.
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/pay", tag = "bandwidth", params(("bandwidth_package_id" = BandwidthPackageId, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_pay(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_pay(&c, &id).await)
}

/// Binds a Normal package to one of the caller's hubs (one per hub per area pair).
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/bind", tag = "bandwidth", params(("bandwidth_package_id" = BandwidthPackageId, Path)), request_body = BandwidthPackageBindRequest,
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_bind(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BandwidthPackageBindRequest>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_bind(&c, &id, req).await)
}

/// Unbinds a package; refused while inter-region bandwidths use it.
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/unbind", tag = "bandwidth", params(("bandwidth_package_id" = BandwidthPackageId, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_unbind(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_unbind(&c, &id).await)
}
