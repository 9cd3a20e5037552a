//! The queries of bandwidth packages.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{desc, int, opt_text, position, text, ts};
use crate::sql::{Row, binds};

const PACKAGES: Table = Table {
    name: "bandwidth_packages",
    columns: "id, account_id, name, description, billing_mode, period, auto_renew, bandwidth_mbps, area_a, area_b, \
              enterprise_project, status, hub_id, hub_on_payment, created_at, paid_at, expires_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn bandwidth_package_row(row: &Row) -> Result<BandwidthPackage> {
    let stored = |col: &'static str| move |e: Error| Error::internal(format!("stored {col}: {e}"));
    Ok(BandwidthPackage {
        id: BandwidthPackageId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: Name::from_trusted(text(row, "name")?),
        description: desc(row)?,
        billing_mode: BillingMode::parse("billing_mode", &text(row, "billing_mode")?)
            .map_err(stored("billing_mode"))?,
        period: int(row, "period")? as u32,
        auto_renew: int(row, "auto_renew")? != 0,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        area_a: text(row, "area_a")?,
        area_b: text(row, "area_b")?,
        enterprise_project: Name::from_trusted(text(row, "enterprise_project")?),
        status: BandwidthPackageStatus::parse("status", &text(row, "status")?).map_err(stored("status"))?,
        hub_id: opt_text(row, "hub_id")?.map(HubId::from_trusted),
        hub_on_payment: opt_text(row, "hub_on_payment")?.map(HubId::from_trusted),
        created_at: ts(row, "created_at")?,
        paid_at: row.opt_int("paid_at")?.map(Timestamp::from_millis),
        expires_at: row.opt_int("expires_at")?.map(Timestamp::from_millis),
    })
}

impl Tx {
    pub async fn bandwidth_package_count(&mut self, account: &AccountId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM bandwidth_packages WHERE account_id = $1", binds![account.to_string()]).await
    }

    pub async fn bandwidth_package_insert(&mut self, p: &BandwidthPackage) -> Result<()> {
        let sql = format!(
            "INSERT INTO bandwidth_packages ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17)",
            PACKAGES.columns
        );
        let b = binds![
            p.id.to_string(),
            p.account_id.to_string(),
            p.name.to_string(),
            p.description.as_str().to_owned(),
            p.billing_mode.as_str(),
            i64::from(p.period),
            i64::from(p.auto_renew),
            i64::from(p.bandwidth_mbps),
            p.area_a.clone(),
            p.area_b.clone(),
            p.enterprise_project.to_string(),
            p.status.as_str(),
            p.hub_id.as_ref().map(|h| h.to_string()),
            p.hub_on_payment.as_ref().map(|h| h.to_string()),
            p.created_at.millis(),
            p.paid_at.map(|t| t.millis()),
            p.expires_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Writes back what changes after purchase: status, binding, renewal and term.
    pub async fn bandwidth_package_update(&mut self, p: &BandwidthPackage) -> Result<()> {
        self.execute(
            "UPDATE bandwidth_packages SET name = $1, description = $2, auto_renew = $3, status = $4, hub_id = $5, \
             hub_on_payment = $6, paid_at = $7, expires_at = $8 WHERE id = $9",
            binds![
                p.name.to_string(),
                p.description.as_str().to_owned(),
                i64::from(p.auto_renew),
                p.status.as_str(),
                p.hub_id.as_ref().map(|h| h.to_string()),
                p.hub_on_payment.as_ref().map(|h| h.to_string()),
                p.paid_at.map(|t| t.millis()),
                p.expires_at.map(|t| t.millis()),
                p.id.to_string(),
            ],
        )
        .await
        .map(drop)
    }

    pub async fn bandwidth_package_get(&mut self, id: &BandwidthPackageId) -> Result<Option<BandwidthPackage>> {
        let sql = format!("SELECT {} FROM bandwidth_packages WHERE id = $1", PACKAGES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], bandwidth_package_row).await
    }

    pub async fn bandwidth_package_list(&mut self, f: &ListFilter) -> Result<Rows<BandwidthPackage>> {
        self.list(&PACKAGES, f, &[], bandwidth_package_row, |p| position(p.created_at, &p.id)).await
    }

    /// How many packages are bound to a hub or waiting to be bound to it when paid.
    pub async fn bandwidth_package_count_for_hub(&mut self, hub: &HubId) -> Result<i64> {
        self.count(
            "SELECT COUNT(*) FROM bandwidth_packages WHERE hub_id = $1 OR hub_on_payment = $1",
            binds![hub.to_string()],
        )
        .await
    }

    /// The packages bound to a hub.
    pub async fn bandwidth_package_list_by_hub(&mut self, hub: &HubId) -> Result<Vec<BandwidthPackage>> {
        let sql =
            format!("SELECT {} FROM bandwidth_packages WHERE hub_id = $1 ORDER BY created_at, id", PACKAGES.columns);
        self.fetch_all(&sql, binds![hub.to_string()], bandwidth_package_row).await
    }
}
