//! The queries of VBRs.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{desc, int, ip, name_value, opt_name, position, stored, text, ts};
use crate::sql::{Row, binds};

const VBRS: Table = Table {
    name: "vbrs",
    columns: "id, account_id, shared_port_id, region, vlan_id, bandwidth_mbps, local_gateway_ip, peer_gateway_ip, \
              peering_subnet, routes, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn vbr_row(row: &Row) -> Result<Vbr> {
    let routes = text(row, "routes")?;
    Ok(Vbr {
        id: VbrId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        shared_port_id: SharedPortId::from_trusted(text(row, "shared_port_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        vlan_id: int(row, "vlan_id")? as u16,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        local_gateway_ip: ip(row, "local_gateway_ip")?,
        peer_gateway_ip: ip(row, "peer_gateway_ip")?,
        peering_subnet: Cidr::parse("peering_subnet", &text(row, "peering_subnet")?)
            .map_err(stored("peering_subnet"))?,
        routes: routes
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| Cidr::parse("routes", r).map_err(stored("routes")))
            .collect::<Result<Vec<_>>>()?,
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn vbr_insert(&mut self, v: &Vbr) -> Result<()> {
        let sql = format!(
            "INSERT INTO vbrs ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            VBRS.columns
        );
        let routes: Vec<String> = v.routes.iter().map(|r| r.to_string()).collect();
        let b = binds![
            v.id.to_string(),
            v.account_id.to_string(),
            v.shared_port_id.to_string(),
            v.region.to_string(),
            i64::from(v.vlan_id),
            i64::from(v.bandwidth_mbps),
            v.local_gateway_ip.to_string(),
            v.peer_gateway_ip.to_string(),
            v.peering_subnet.to_string(),
            routes.join(","),
            name_value(&v.name),
            v.description.as_str().to_owned(),
            v.created_at.millis(),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Writes back what may change: routes, name and description (never the VLAN id).
    pub async fn vbr_update(&mut self, v: &Vbr) -> Result<()> {
        let routes: Vec<String> = v.routes.iter().map(|r| r.to_string()).collect();
        self.execute(
            "UPDATE vbrs SET routes = $1, name = $2, description = $3 WHERE id = $4",
            binds![routes.join(","), name_value(&v.name), v.description.as_str().to_owned(), v.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn vbr_get(&mut self, id: &VbrId) -> Result<Option<Vbr>> {
        let sql = format!("SELECT {} FROM vbrs WHERE id = $1", VBRS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vbr_row).await
    }

    pub async fn vbr_by_port(&mut self, port: &SharedPortId) -> Result<Option<Vbr>> {
        let sql = format!("SELECT {} FROM vbrs WHERE shared_port_id = $1", VBRS.columns);
        self.fetch_optional(&sql, binds![port.to_string()], vbr_row).await
    }

    pub async fn vbr_list(&mut self, f: &ListFilter) -> Result<Rows<Vbr>> {
        self.list(&VBRS, f, &[], vbr_row, |v| position(v.created_at, &v.id)).await
    }

    pub async fn vbr_delete(&mut self, id: &VbrId) -> Result<()> {
        self.execute("DELETE FROM vbrs WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// Every VBR's id, for the data plane's whole desired state.
    pub async fn vbr_ids_all(&mut self) -> Result<Vec<VbrId>> {
        self.fetch_all("SELECT id FROM vbrs ORDER BY created_at, id", binds![], |row| {
            Ok(VbrId::from_trusted(text(row, "id")?))
        })
        .await
    }

    /// What still depends on a VBR, by kind, for refusing its deletion.
    pub async fn vbr_dependents(&mut self, id: &VbrId) -> Result<Vec<(&'static str, i64)>> {
        self.dependents(
            id.as_str(),
            &[
                ("data centre hosts", "SELECT COUNT(*) FROM dc_hosts WHERE vbr_id = $1"),
                ("hub attachments", "SELECT COUNT(*) FROM attachments WHERE network_id = $1"),
                ("grants", "SELECT COUNT(*) FROM grants WHERE network_id = $1"),
            ],
        )
        .await
    }
}
