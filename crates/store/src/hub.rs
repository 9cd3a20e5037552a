//! The queries of hubs.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{desc, position, text, ts};
use crate::sql::{Row, binds};

const HUBS: Table = Table {
    name: "hubs",
    columns: "id, account_id, name, description, enterprise_project, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn hub_row(row: &Row) -> Result<Hub> {
    Ok(Hub {
        id: HubId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: Name::from_trusted(text(row, "name")?),
        description: desc(row)?,
        enterprise_project: Name::from_trusted(text(row, "enterprise_project")?),
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn hub_insert(&mut self, h: &Hub) -> Result<()> {
        let sql = format!("INSERT INTO hubs ({}) VALUES ($1, $2, $3, $4, $5, $6)", HUBS.columns);
        let b = binds![
            h.id.to_string(),
            h.account_id.to_string(),
            h.name.to_string(),
            h.description.as_str().to_owned(),
            h.enterprise_project.to_string(),
            h.created_at.millis()
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn hub_get(&mut self, id: &HubId) -> Result<Option<Hub>> {
        let sql = format!("SELECT {} FROM hubs WHERE id = $1", HUBS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], hub_row).await
    }

    pub async fn hub_list(&mut self, f: &ListFilter) -> Result<Rows<Hub>> {
        self.list(&HUBS, f, &[], hub_row, |h| position(h.created_at, &h.id)).await
    }

    pub async fn hub_update(&mut self, h: &Hub) -> Result<()> {
        self.execute(
            "UPDATE hubs SET name = $1, description = $2 WHERE id = $3",
            binds![h.name.to_string(), h.description.as_str().to_owned(), h.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn hub_delete(&mut self, id: &HubId) -> Result<()> {
        self.execute("DELETE FROM hubs WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn hub_count(&mut self, account: &AccountId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM hubs WHERE account_id = $1", binds![account.to_string()]).await
    }
}
