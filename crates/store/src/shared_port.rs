//! The queries of shared ports.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{int, position, stored, text, ts};
use crate::sql::{Row, binds};

/// A shared port belongs to the partner that made it and to the tenant it is for.
const PORTS: Table = Table {
    name: "shared_ports",
    columns: "id, partner_account_id, account_id, physical_connection_id, region, access_point, vlan_id, \
              bandwidth_mbps, status, created_at, decided_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "(partner_account_id = $? OR account_id = $?)",
};

fn shared_port_row(row: &Row) -> Result<SharedPort> {
    Ok(SharedPort {
        id: SharedPortId::from_trusted(text(row, "id")?),
        partner_account_id: AccountId::from_trusted(text(row, "partner_account_id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        physical_connection_id: PhysicalConnectionId::from_trusted(text(row, "physical_connection_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        access_point: text(row, "access_point")?,
        vlan_id: int(row, "vlan_id")? as u16,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        status: SharedPortStatus::parse("status", &text(row, "status")?).map_err(stored("status"))?,
        created_at: ts(row, "created_at")?,
        decided_at: row.opt_int("decided_at")?.map(Timestamp::from_millis),
    })
}

impl Tx {
    /// The ports pushed on a connection and not declined.
    pub async fn shared_port_count(&mut self, connection: &PhysicalConnectionId) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM shared_ports WHERE physical_connection_id = $1 AND status <> 'Declined'";
        self.count(sql, binds![connection.to_string()]).await
    }

    pub async fn shared_port_insert(&mut self, p: &SharedPort) -> Result<()> {
        let sql = format!(
            "INSERT INTO shared_ports ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            PORTS.columns
        );
        let b = binds![
            p.id.to_string(),
            p.partner_account_id.to_string(),
            p.account_id.to_string(),
            p.physical_connection_id.to_string(),
            p.region.to_string(),
            p.access_point.clone(),
            i64::from(p.vlan_id),
            i64::from(p.bandwidth_mbps),
            p.status.as_str(),
            p.created_at.millis(),
            p.decided_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn shared_port_get(&mut self, id: &SharedPortId) -> Result<Option<SharedPort>> {
        let sql = format!("SELECT {} FROM shared_ports WHERE id = $1", PORTS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], shared_port_row).await
    }

    pub async fn shared_port_list(&mut self, f: &ListFilter) -> Result<Rows<SharedPort>> {
        self.list(&PORTS, f, &[], shared_port_row, |p| position(p.created_at, &p.id)).await
    }

    /// The port on a connection that holds a VLAN id (declined ports hold none).
    pub async fn shared_port_by_vlan(
        &mut self,
        connection: &PhysicalConnectionId,
        vlan: u16,
    ) -> Result<Option<SharedPort>> {
        let sql = format!(
            "SELECT {} FROM shared_ports WHERE physical_connection_id = $1 AND vlan_id = $2 AND status <> 'Declined'",
            PORTS.columns
        );
        self.fetch_optional(&sql, binds![connection.to_string(), i64::from(vlan)], shared_port_row).await
    }

    /// The bandwidth a connection's ports hold (declined ports hold none).
    pub async fn shared_port_bandwidth_sum(&mut self, connection: &PhysicalConnectionId) -> Result<i64> {
        self.count(
            "SELECT CAST(COALESCE(SUM(bandwidth_mbps), 0) AS BIGINT) FROM shared_ports \
             WHERE physical_connection_id = $1 AND status <> 'Declined'",
            binds![connection.to_string()],
        )
        .await
    }

    pub async fn shared_port_update(&mut self, p: &SharedPort) -> Result<()> {
        self.execute(
            "UPDATE shared_ports SET status = $1, decided_at = $2 WHERE id = $3",
            binds![p.status.as_str(), p.decided_at.map(|t| t.millis()), p.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn shared_port_delete(&mut self, id: &SharedPortId) -> Result<()> {
        self.execute("DELETE FROM shared_ports WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
