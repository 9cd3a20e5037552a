//! The bill: orders, monthly statements, metered usage and the price list.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(order_list))
        .routes(routes!(statement_get))
        .routes(routes!(usage_report))
        .routes(routes!(prices_get))
}

/// The caller's charge-bearing orders (the operator's: every account's); filter: region.
#[utoipa::path(get, path = "/v1/orders", tag = "billing", params(OrderListQuery),
    responses((status = 200, body = Page<Order>), (status = "4XX", body = ErrorBody)))]
pub async fn order_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<OrderListQuery>,
) -> Reply<Page<Order>> {
    ok(&c, s.control.order_list(&c, q).await)
}

/// An account's statement for a month: every charge of its orders and metered usage, priced
/// with the operator's price list, and the total. The operator may ask for any account's.
#[utoipa::path(get, path = "/v1/billing/statement", tag = "billing", params(StatementQuery),
    responses((status = 200, body = xconnect_model::billing::Statement), (status = "4XX", body = ErrorBody)))]
pub async fn statement_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<StatementQuery>,
) -> Reply<xconnect_model::billing::Statement> {
    ok(&c, s.control.statement_get(&c, q).await)
}

/// Operator only (the data plane): one counter window's outbound bytes, recorded once.
#[utoipa::path(post, path = "/v1/billing/usage", tag = "billing", request_body = UsageReportRequest,
    responses((status = 200, body = xconnect_model::billing::UsageRecord), (status = "4XX", body = ErrorBody)))]
pub async fn usage_report(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<UsageReportRequest>,
) -> Reply<xconnect_model::billing::UsageRecord> {
    ok(&c, s.control.usage_report(&c, req).await)
}

/// The operator's price list.
#[utoipa::path(get, path = "/v1/billing/prices", tag = "billing",
    responses((status = 200, body = xconnect_model::billing::PriceList), (status = "4XX", body = ErrorBody)))]
pub async fn prices_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
) -> Reply<xconnect_model::billing::PriceList> {
    ok(&c, Ok(s.control.prices().clone()))
}
