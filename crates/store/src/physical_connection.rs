//! The queries of physical connections.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{int, position, stored, text, ts};
use crate::sql::{Row, binds};

const CONNECTIONS: Table = Table {
    name: "physical_connections",
    columns: "id, account_id, name, access_point, region, port_type, bandwidth_mbps, status, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn physical_connection_row(row: &Row) -> Result<PhysicalConnection> {
    Ok(PhysicalConnection {
        id: PhysicalConnectionId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: Name::from_trusted(text(row, "name")?),
        access_point: text(row, "access_point")?,
        region: RegionId::from_trusted(text(row, "region")?),
        port_type: PortType::parse("port_type", &text(row, "port_type")?).map_err(stored("port_type"))?,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        status: text(row, "status")?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn physical_connection_count(&mut self, account: &AccountId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM physical_connections WHERE account_id = $1", binds![account.to_string()]).await
    }

    pub async fn physical_connection_insert(&mut self, c: &PhysicalConnection) -> Result<()> {
        let sql = format!(
            "INSERT INTO physical_connections ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            CONNECTIONS.columns
        );
        let b = binds![
            c.id.to_string(),
            c.account_id.to_string(),
            c.name.to_string(),
            c.access_point.clone(),
            c.region.to_string(),
            c.port_type.as_str(),
            i64::from(c.bandwidth_mbps),
            c.status.clone(),
            c.created_at.millis(),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn physical_connection_get(&mut self, id: &PhysicalConnectionId) -> Result<Option<PhysicalConnection>> {
        let sql = format!("SELECT {} FROM physical_connections WHERE id = $1", CONNECTIONS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], physical_connection_row).await
    }

    pub async fn physical_connection_list(&mut self, f: &ListFilter) -> Result<Rows<PhysicalConnection>> {
        self.list(&CONNECTIONS, f, &[], physical_connection_row, |c| position(c.created_at, &c.id)).await
    }
}
