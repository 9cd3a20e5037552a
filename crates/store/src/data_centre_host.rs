//! The queries of data centre hosts.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{ip, name_value, opt_name, position, text, ts};
use crate::sql::{Row, binds};

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
        id: DataCentreHostId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vbr_id: VbrId::from_trusted(text(row, "vbr_id")?),
        ip: ip(row, "ip")?,
        name: opt_name(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn data_centre_host_count(&mut self, vbr: &VbrId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM dc_hosts WHERE vbr_id = $1", binds![vbr.to_string()]).await
    }

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

    pub async fn data_centre_host_get(&mut self, id: &DataCentreHostId) -> Result<Option<DataCentreHost>> {
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

    /// Every host behind a VBR, for the forwarding view.
    pub async fn data_centre_host_list_by_vbr(&mut self, vbr: &VbrId) -> Result<Vec<DataCentreHost>> {
        let sql = format!("SELECT {} FROM dc_hosts WHERE vbr_id = $1 ORDER BY created_at, id", HOSTS.columns);
        self.fetch_all(&sql, binds![vbr.to_string()], data_centre_host_row).await
    }

    pub async fn data_centre_host_list(&mut self, f: &ListFilter, vbr: Option<&VbrId>) -> Result<Rows<DataCentreHost>> {
        let extra: Vec<(&str, String)> = vbr.map(|v| ("vbr_id", v.to_string())).into_iter().collect();
        self.list(&HOSTS, f, &extra, data_centre_host_row, |h| position(h.created_at, &h.id)).await
    }

    pub async fn data_centre_host_delete(&mut self, id: &DataCentreHostId) -> Result<()> {
        self.execute("DELETE FROM dc_hosts WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
