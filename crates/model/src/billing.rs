//! The bill: the operator's price list, and an account's monthly statement, whose lines are
//! derived from what the account ordered (router interface specs, bandwidth packages, shared
//! ports) and the outbound data transfer metered for it. Amounts are whole cents.

use std::collections::BTreeMap;

use crate::id::AccountId;
use crate::time::Timestamp;

/// The operator's prices, in cents of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub currency: String,
    /// Per month, by spec (`Mini.2`), for an initiator router interface while it exists.
    pub router_interface: BTreeMap<String, i64>,
    pub bandwidth_package: BandwidthPackagePrices,
    pub shared_port: SharedPortPrices,
    pub data_transfer: DataTransferPrices,
}

/// Bandwidth packages are prepaid: per Mbit/s per month of the term, by the areas they join.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthPackagePrices {
    pub default_per_mbps_month: i64,
    #[serde(default)]
    pub pairs: Vec<AreaPairPrice>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaPairPrice {
    /// One area (bandwidth within it) or two.
    pub areas: Vec<String>,
    pub per_mbps_month: i64,
}

/// A shared port is billed to its tenant by its bandwidth while it is accepted; in shared-port
/// mode there is no installation fee and no VBR fee.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedPortPrices {
    pub per_mbps_month: i64,
    pub installation: i64,
    pub vbr: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataTransferPrices {
    /// Per GB (10^9 bytes) of outbound data transfer.
    pub per_gb_out: i64,
}

impl PriceList {
    /// The monthly price of a package's bandwidth per Mbit/s between two areas.
    pub fn package_per_mbps_month(&self, a: &str, b: &str) -> i64 {
        self.bandwidth_package
            .pairs
            .iter()
            .find(|p| match p.areas.as_slice() {
                [x] => x == a && x == b,
                [x, y] => (x == a && y == b) || (x == b && y == a),
                _ => false,
            })
            .map_or(self.bandwidth_package.default_per_mbps_month, |p| p.per_mbps_month)
    }
}

/// One charge of a statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StatementLine {
    /// `router_interface`, `bandwidth_package`, `shared_port` or `data_transfer`.
    pub product: String,
    pub resource_id: String,
    /// What was charged, in words (`Mini.2 spec (2 Mbit/s), initiator`, `term 1 (first): 50 Mbit/s
    /// chinese-mainland <> chinese-mainland, 1 months prepaid`).
    pub item: String,
    /// The period charged.
    pub from: Timestamp,
    pub to: Timestamp,
    /// How much, in words: hours of the month's hours (running charges), Mbit/s × months
    /// (package terms), or GB (data transfer).
    pub quantity: String,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
}

/// An account's charges for one calendar month (UTC), as they stand at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Statement {
    pub account_id: AccountId,
    /// `2026-11`.
    pub month: String,
    pub currency: String,
    /// The service's clock when it was drawn up: running charges count up to here.
    pub as_of: Timestamp,
    pub lines: Vec<StatementLine>,
    pub total_cents: i64,
}

/// Outbound bytes counted by the data plane for one resource in one counter window. A window is
/// recorded once: the same report again is accepted and changes nothing; a different count for a
/// window already recorded is refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UsageRecord {
    pub account_id: AccountId,
    /// The counter, as the data plane names it (a link or interface).
    pub counter_id: String,
    pub resource_id: String,
    pub window_start: Timestamp,
    pub window_seconds: i64,
    pub bytes_out: i64,
    pub recorded_at: Timestamp,
}
