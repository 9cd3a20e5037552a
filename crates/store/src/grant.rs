//! The queries of grants: a network's consent to be attached to another account's hub.

use xconnect_model::*;

use crate::Tx;
use crate::attachment::network_kind;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{position, text, ts};
use crate::sql::{Row, binds};

const GRANTS_COLUMNS: &str =
    "id, account_id, network_type, network_id, region, grantee_account_id, hub_id, remarks, created_at";

/// The grants an account gave.
const GRANTS_GIVEN: Table = Table {
    name: "grants",
    columns: GRANTS_COLUMNS,
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

/// The grants an account received, for its hubs.
const GRANTS_RECEIVED: Table = Table { owner: "grantee_account_id = $?", ..GRANTS_GIVEN };

fn grant_row(row: &Row) -> Result<Grant> {
    Ok(Grant {
        id: GrantId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        network_type: network_kind(row)?,
        network_id: text(row, "network_id")?,
        region: RegionId::from_trusted(text(row, "region")?),
        grantee_account_id: AccountId::from_trusted(text(row, "grantee_account_id")?),
        hub_id: HubId::from_trusted(text(row, "hub_id")?),
        remarks: Description::from_trusted(text(row, "remarks")?),
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn grant_insert(&mut self, g: &Grant) -> Result<()> {
        let sql = format!("INSERT INTO grants ({GRANTS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        let b = binds![
            g.id.to_string(),
            g.account_id.to_string(),
            g.network_type.as_str(),
            g.network_id.clone(),
            g.region.to_string(),
            g.grantee_account_id.to_string(),
            g.hub_id.to_string(),
            g.remarks.as_str().to_owned(),
            g.created_at.millis()
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn grant_get(&mut self, id: &GrantId) -> Result<Option<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE id = $1");
        self.fetch_optional(&sql, binds![id.to_string()], grant_row).await
    }

    /// The grant of a network for a hub, if its owner gave one.
    pub async fn grant_find(&mut self, network_id: &str, hub: &HubId) -> Result<Option<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE network_id = $1 AND hub_id = $2");
        self.fetch_optional(&sql, binds![network_id.to_owned(), hub.to_string()], grant_row).await
    }

    /// Every grant of a network, for the forwarding view.
    pub async fn grant_list_by_network(&mut self, network_id: &str) -> Result<Vec<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE network_id = $1 ORDER BY created_at, id");
        self.fetch_all(&sql, binds![network_id.to_owned()], grant_row).await
    }

    /// The grants the filter's account gave, or with `received`, the ones it was given.
    pub async fn grant_list(&mut self, f: &ListFilter, received: bool) -> Result<Rows<Grant>> {
        let table = if received { &GRANTS_RECEIVED } else { &GRANTS_GIVEN };
        self.list(table, f, &[], grant_row, |g| position(g.created_at, &g.id)).await
    }

    pub async fn grant_delete(&mut self, id: &GrantId) -> Result<()> {
        self.execute("DELETE FROM grants WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// How many grants name a network, for refusing its deletion.
    pub async fn grant_count_by_network(&mut self, network_id: &str) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM grants WHERE network_id = $1", binds![network_id.to_owned()]).await
    }
}
