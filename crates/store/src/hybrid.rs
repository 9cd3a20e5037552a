//! The queries of data centres through partners: physical connections, shared ports and VBRs,
//! in the manner of `queries.rs`.

use xconnect_model::*;

use crate::Tx;
use crate::queries::{ListFilter, PageToken, Rows, Table, desc, int, name_value, opt_name, text, ts};
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

const HOSTS: Table = Table {
    name: "dc_hosts",
    columns: "id, account_id, vbr_id, ip, name, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn data_centre_host_row(row: &Row) -> Result<DataCentreHost> {
    Ok(DataCentreHost {
        id: HostId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vbr_id: VbrId::from_trusted(text(row, "vbr_id")?),
        ip: ip(row, "ip")?,
        name: opt_name(row)?,
        created_at: ts(row, "created_at")?,
    })
}

fn stored(col: &'static str) -> impl Fn(Error) -> Error {
    move |e| Error::internal(format!("stored {col}: {e}"))
}

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

fn ip(row: &Row, col: &'static str) -> Result<std::net::IpAddr> {
    let s = text(row, col)?;
    s.parse().map_err(|e| Error::internal(format!("stored {col} {s}: {e}")))
}

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

fn position(created: Timestamp, id: &impl std::fmt::Display) -> PageToken {
    PageToken { created_at: created.millis(), id: id.to_string() }
}

impl Tx {
    // ---- physical connections ----

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

    // ---- shared ports ----

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

    // ---- VBRs ----

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

    // ---- data centre hosts ----

    pub async fn data_centre_host_insert(&mut self, h: &DataCentreHost) -> Result<()> {
        self.execute(
            "INSERT INTO dc_hosts (id, account_id, vbr_id, ip, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            binds![
                h.id.to_string(),
                h.account_id.to_string(),
                h.vbr_id.to_string(),
                h.ip.to_string(),
                name_value(&h.name),
                h.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn data_centre_host_get(&mut self, id: &HostId) -> Result<Option<DataCentreHost>> {
        let sql = format!("SELECT {} FROM dc_hosts WHERE id = $1", HOSTS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], data_centre_host_row).await
    }

    /// The host of a VBR's data centre at an address, if there is one.
    pub async fn data_centre_host_by_ip(
        &mut self,
        vbr: &VbrId,
        ip: std::net::IpAddr,
    ) -> Result<Option<DataCentreHost>> {
        let sql = format!("SELECT {} FROM dc_hosts WHERE vbr_id = $1 AND ip = $2", HOSTS.columns);
        self.fetch_optional(&sql, binds![vbr.to_string(), ip.to_string()], data_centre_host_row).await
    }

    /// Every VBR's id, for the data plane's whole desired state.
    pub async fn vbr_ids_all(&mut self) -> Result<Vec<VbrId>> {
        self.fetch_all("SELECT id FROM vbrs ORDER BY created_at, id", binds![], |row| {
            Ok(VbrId::from_trusted(text(row, "id")?))
        })
        .await
    }

    /// Every host behind a VBR, for the forwarding view.
    pub async fn data_centre_host_list_by_vbr(&mut self, vbr: &VbrId) -> Result<Vec<DataCentreHost>> {
        let sql = format!("SELECT {} FROM dc_hosts WHERE vbr_id = $1 ORDER BY created_at, id", HOSTS.columns);
        self.fetch_all(&sql, binds![vbr.to_string()], data_centre_host_row).await
    }

    pub async fn data_centre_host_list(&mut self, f: &ListFilter, vbr: Option<&VbrId>) -> Result<Rows<DataCentreHost>> {
        let extra: Vec<(&str, String)> = vbr.map(|v| ("vbr_id", v.to_string())).into_iter().collect();
        self.list(&HOSTS, f, &extra, data_centre_host_row, |h| position(h.created_at, &h.id)).await
    }

    pub async fn data_centre_host_delete(&mut self, id: &HostId) -> Result<()> {
        self.execute("DELETE FROM dc_hosts WHERE id = $1", binds![id.to_string()]).await.map(drop)
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
