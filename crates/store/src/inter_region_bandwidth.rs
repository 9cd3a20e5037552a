//! The queries of inter-region bandwidths.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{int, position, text, ts};
use crate::sql::{Row, binds};

const IRBS: Table = Table {
    name: "inter_region_bandwidths",
    columns: "id, account_id, hub_id, bandwidth_package_id, region_a, region_b, bandwidth_mbps, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn inter_region_bandwidth_row(row: &Row) -> Result<InterRegionBandwidth> {
    Ok(InterRegionBandwidth {
        id: InterRegionBandwidthId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        hub_id: HubId::from_trusted(text(row, "hub_id")?),
        bandwidth_package_id: BandwidthPackageId::from_trusted(text(row, "bandwidth_package_id")?),
        region_a: RegionId::from_trusted(text(row, "region_a")?),
        region_b: RegionId::from_trusted(text(row, "region_b")?),
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn inter_region_bandwidth_insert(&mut self, b: &InterRegionBandwidth) -> Result<()> {
        let sql =
            format!("INSERT INTO inter_region_bandwidths ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", IRBS.columns);
        let binds = binds![
            b.id.to_string(),
            b.account_id.to_string(),
            b.hub_id.to_string(),
            b.bandwidth_package_id.to_string(),
            b.region_a.to_string(),
            b.region_b.to_string(),
            i64::from(b.bandwidth_mbps),
            b.created_at.millis(),
        ];
        self.execute(&sql, binds).await.map(drop)
    }

    pub async fn inter_region_bandwidth_get(
        &mut self,
        id: &InterRegionBandwidthId,
    ) -> Result<Option<InterRegionBandwidth>> {
        let sql = format!("SELECT {} FROM inter_region_bandwidths WHERE id = $1", IRBS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], inter_region_bandwidth_row).await
    }

    /// The bandwidth between two regions (in sorted order) on a hub, if one is assigned.
    pub async fn inter_region_bandwidth_find(
        &mut self,
        hub: &HubId,
        a: &RegionId,
        b: &RegionId,
    ) -> Result<Option<InterRegionBandwidth>> {
        let sql = format!(
            "SELECT {} FROM inter_region_bandwidths WHERE hub_id = $1 AND region_a = $2 AND region_b = $3",
            IRBS.columns
        );
        self.fetch_optional(&sql, binds![hub.to_string(), a.to_string(), b.to_string()], inter_region_bandwidth_row)
            .await
    }

    pub async fn inter_region_bandwidth_list(
        &mut self,
        f: &ListFilter,
        hub: Option<&HubId>,
    ) -> Result<Rows<InterRegionBandwidth>> {
        let extra: Vec<(&str, String)> = hub.map(|h| ("hub_id", h.to_string())).into_iter().collect();
        self.list(&IRBS, f, &extra, inter_region_bandwidth_row, |b| position(b.created_at, &b.id)).await
    }

    /// Every inter-region bandwidth of a hub, for the forwarding view.
    pub async fn inter_region_bandwidth_list_by_hub(&mut self, hub: &HubId) -> Result<Vec<InterRegionBandwidth>> {
        let sql =
            format!("SELECT {} FROM inter_region_bandwidths WHERE hub_id = $1 ORDER BY created_at, id", IRBS.columns);
        self.fetch_all(&sql, binds![hub.to_string()], inter_region_bandwidth_row).await
    }

    /// The bandwidth a package has given out, and to how many, leaving out `except`.
    pub async fn inter_region_bandwidth_sum_by_package(
        &mut self,
        package: &BandwidthPackageId,
        except: Option<&InterRegionBandwidthId>,
    ) -> Result<(i64, i64)> {
        let except = except.map(|e| e.to_string()).unwrap_or_default();
        let sum = self
            .count(
                "SELECT CAST(COALESCE(SUM(bandwidth_mbps), 0) AS BIGINT) FROM inter_region_bandwidths WHERE bandwidth_package_id = $1 \
                 AND id <> $2",
                binds![package.to_string(), except.clone()],
            )
            .await?;
        let n = self
            .count(
                "SELECT COUNT(*) FROM inter_region_bandwidths WHERE bandwidth_package_id = $1 AND id <> $2",
                binds![package.to_string(), except],
            )
            .await?;
        Ok((sum, n))
    }

    pub async fn inter_region_bandwidth_update(&mut self, b: &InterRegionBandwidth) -> Result<()> {
        self.execute(
            "UPDATE inter_region_bandwidths SET bandwidth_mbps = $1 WHERE id = $2",
            binds![i64::from(b.bandwidth_mbps), b.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn inter_region_bandwidth_delete(&mut self, id: &InterRegionBandwidthId) -> Result<()> {
        self.execute("DELETE FROM inter_region_bandwidths WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
