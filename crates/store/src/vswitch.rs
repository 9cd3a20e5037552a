//! The queries of vswitches.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{cidr, desc, name_value, opt_name, range, text, ts};
use crate::sql::{Row, binds};

const VSWITCHES: Table = Table {
    name: "vswitches",
    columns: "id, account_id, vpc_id, region, zone, cidr_block, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

fn vswitch_row(row: &Row) -> Result<VSwitch> {
    Ok(VSwitch {
        id: VSwitchId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        zone: text(row, "zone")?,
        cidr_block: cidr(row, "cidr_block")?,
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn vswitch_count(&mut self, vpc: &VpcId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM vswitches WHERE vpc_id = $1", binds![vpc.as_str()]).await
    }

    pub async fn vswitch_insert(&mut self, v: &VSwitch) -> Result<()> {
        let (first, last) = range(&v.cidr_block)?;
        self.execute(
            "INSERT INTO vswitches (id, account_id, vpc_id, region, zone, cidr_block, name, description, created_at, \
             range_first, range_last) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            binds![
                v.id.to_string(),
                v.account_id.to_string(),
                v.vpc_id.to_string(),
                v.region.to_string(),
                v.zone.clone(),
                v.cidr_block.to_string(),
                name_value(&v.name),
                v.description.as_str().to_owned(),
                v.created_at.millis(),
                first,
                last,
            ],
        )
        .await
        .map(drop)
    }

    pub async fn vswitch_get(&mut self, id: &VSwitchId) -> Result<Option<VSwitch>> {
        let sql = format!("SELECT {} FROM vswitches WHERE id = $1", VSWITCHES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vswitch_row).await
    }

    pub async fn vswitch_list(&mut self, f: &ListFilter) -> Result<Rows<VSwitch>> {
        self.list(&VSWITCHES, f, &[], vswitch_row, |v| PageToken {
            created_at: v.created_at.millis(),
            id: v.id.to_string(),
        })
        .await
    }

    /// Every vswitch of a VPC, for overlap checks and system routes.
    pub async fn vswitch_list_by_vpc(&mut self, vpc: &VpcId) -> Result<Vec<VSwitch>> {
        let sql = format!("SELECT {} FROM vswitches WHERE vpc_id = $1 ORDER BY created_at, id", VSWITCHES.columns);
        self.fetch_all(&sql, binds![vpc.to_string()], vswitch_row).await
    }

    /// A vswitch of the VPC whose block overlaps `block`, if there is one.
    pub async fn vswitch_overlapping(&mut self, vpc: &VpcId, block: &Cidr) -> Result<Option<VSwitch>> {
        self.first_overlapping(&VSWITCHES, "vpc_id", vpc.to_string(), block, vswitch_row).await
    }

    pub async fn vswitch_update(&mut self, v: &VSwitch) -> Result<()> {
        self.execute(
            "UPDATE vswitches SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&v.name), v.description.as_str().to_owned(), v.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn vswitch_delete(&mut self, id: &VSwitchId) -> Result<()> {
        self.execute("DELETE FROM vswitches WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn vswitch_instance_count(&mut self, id: &VSwitchId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM instances WHERE vswitch_id = $1", binds![id.as_str()]).await
    }
}
