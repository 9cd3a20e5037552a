//! The queries of VPCs.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{cidr, desc, name_value, opt_name, text, ts};
use crate::sql::{Row, binds};

pub(crate) const VPCS: Table = Table {
    name: "vpcs",
    columns: "id, account_id, region, cidr_block, name, description, vrouter_id, route_table_id, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn vpc_row(row: &Row) -> Result<Vpc> {
    Ok(Vpc {
        id: VpcId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        cidr_block: cidr(row, "cidr_block")?,
        name: opt_name(row)?,
        description: desc(row)?,
        vrouter_id: VRouterId::from_trusted(text(row, "vrouter_id")?),
        route_table_id: RouteTableId::from_trusted(text(row, "route_table_id")?),
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn vpc_insert(&mut self, v: &Vpc) -> Result<()> {
        self.execute(
            "INSERT INTO vpcs (id, account_id, region, cidr_block, name, description, vrouter_id, route_table_id, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            binds![
                v.id.to_string(),
                v.account_id.to_string(),
                v.region.to_string(),
                v.cidr_block.to_string(),
                name_value(&v.name),
                v.description.as_str().to_owned(),
                v.vrouter_id.to_string(),
                v.route_table_id.to_string(),
                v.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn vpc_get(&mut self, id: &VpcId) -> Result<Option<Vpc>> {
        let sql = format!("SELECT {} FROM vpcs WHERE id = $1", VPCS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vpc_row).await
    }

    /// Every VPC's id, for the data plane's whole desired state.
    pub async fn vpc_ids_all(&mut self) -> Result<Vec<VpcId>> {
        self.fetch_all("SELECT id FROM vpcs ORDER BY created_at, id", binds![], |row| {
            Ok(VpcId::from_trusted(text(row, "id")?))
        })
        .await
    }

    pub async fn vpc_get_by_route_table(&mut self, id: &RouteTableId) -> Result<Option<Vpc>> {
        let sql = format!("SELECT {} FROM vpcs WHERE route_table_id = $1", VPCS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vpc_row).await
    }

    pub async fn vpc_list(&mut self, f: &ListFilter) -> Result<Rows<Vpc>> {
        self.list(&VPCS, f, &[], vpc_row, |v| PageToken { created_at: v.created_at.millis(), id: v.id.to_string() })
            .await
    }

    /// How many VPCs an account has in a region, for its quota.
    pub async fn vpc_count(&mut self, account: &AccountId, region: &RegionId) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM vpcs WHERE account_id = $1 AND region = $2";
        self.count(sql, binds![account.to_string(), region.to_string()]).await
    }

    pub async fn vpc_update(&mut self, v: &Vpc) -> Result<()> {
        self.execute(
            "UPDATE vpcs SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&v.name), v.description.as_str().to_owned(), v.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn vpc_delete(&mut self, id: &VpcId) -> Result<()> {
        self.execute("DELETE FROM vpcs WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// How many things still live in a VPC, by kind, for refusing its deletion.
    pub async fn vpc_dependents(&mut self, id: &VpcId) -> Result<Vec<(&'static str, i64)>> {
        self.dependents(
            id.as_str(),
            &[
                ("vswitches", "SELECT COUNT(*) FROM vswitches WHERE vpc_id = $1"),
                ("security groups", "SELECT COUNT(*) FROM security_groups WHERE vpc_id = $1"),
                ("route entries", "SELECT COUNT(*) FROM route_entries WHERE vpc_id = $1"),
                ("router interfaces", "SELECT COUNT(*) FROM router_interfaces WHERE vpc_id = $1"),
                ("hub attachments", "SELECT COUNT(*) FROM attachments WHERE network_id = $1"),
                ("grants", "SELECT COUNT(*) FROM grants WHERE network_id = $1"),
            ],
        )
        .await
    }
}
