//! The queries of route entries (a VPC's route table is the VPC's own row).

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{cidr, desc, opt_text, range, text, ts};
use crate::sql::{Row, binds};

const ROUTE_ENTRIES: Table = Table {
    name: "route_entries",
    columns: "id, account_id, route_table_id, vpc_id, destination_cidr_block, next_hop_type, next_hop_id, \
              description, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: true,
    has_name: false,
    owner: "account_id = $?",
};

fn route_entry_row(row: &Row) -> Result<RouteEntry> {
    let kind = text(row, "next_hop_type")?;
    let next_hop = NextHop::from_parts(&kind, opt_text(row, "next_hop_id")?)
        .ok_or_else(|| Error::internal(format!("stored next hop of type {kind} does not decode")))?;
    Ok(RouteEntry {
        id: RouteEntryId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        route_table_id: RouteTableId::from_trusted(text(row, "route_table_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        destination_cidr_block: cidr(row, "destination_cidr_block")?,
        next_hop,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn route_entry_insert(&mut self, r: &RouteEntry) -> Result<()> {
        let (first, last) = range(&r.destination_cidr_block)?;
        let next_hop_id = r.next_hop.target_id().map(str::to_owned);
        self.execute(
            "INSERT INTO route_entries (id, account_id, route_table_id, vpc_id, destination_cidr_block, \
             next_hop_type, \
             next_hop_id, description, created_at, range_first, range_last) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            binds![
                r.id.to_string(),
                r.account_id.to_string(),
                r.route_table_id.to_string(),
                r.vpc_id.to_string(),
                r.destination_cidr_block.to_string(),
                r.next_hop.type_name(),
                next_hop_id,
                r.description.as_str().to_owned(),
                r.created_at.millis(),
                first,
                last,
            ],
        )
        .await
        .map(drop)
    }

    pub async fn route_entry_get(&mut self, id: &RouteEntryId) -> Result<Option<RouteEntry>> {
        let sql = format!("SELECT {} FROM route_entries WHERE id = $1", ROUTE_ENTRIES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], route_entry_row).await
    }

    pub async fn route_entry_list(&mut self, f: &ListFilter, table: Option<&RouteTableId>) -> Result<Rows<RouteEntry>> {
        let extra: Vec<(&str, String)> = table.map(|t| ("route_table_id", t.to_string())).into_iter().collect();
        self.list(&ROUTE_ENTRIES, f, &extra, route_entry_row, |r| PageToken {
            created_at: r.created_at.millis(),
            id: r.id.to_string(),
        })
        .await
    }

    /// Every custom entry of a route table.
    pub async fn route_entry_list_by_table(&mut self, table: &RouteTableId) -> Result<Vec<RouteEntry>> {
        let sql = format!(
            "SELECT {} FROM route_entries WHERE route_table_id = $1 ORDER BY created_at, id",
            ROUTE_ENTRIES.columns
        );
        self.fetch_all(&sql, binds![table.to_string()], route_entry_row).await
    }

    /// A custom entry of the table whose destination overlaps `block`, if there is one.
    pub async fn route_entry_overlapping(&mut self, table: &RouteTableId, block: &Cidr) -> Result<Option<RouteEntry>> {
        self.first_overlapping(&ROUTE_ENTRIES, "route_table_id", table.to_string(), block, route_entry_row).await
    }

    /// The custom entry of the table for exactly this destination, if there is one.
    pub async fn route_entry_by_destination(
        &mut self,
        table: &RouteTableId,
        block: &Cidr,
    ) -> Result<Option<RouteEntry>> {
        let sql = format!(
            "SELECT {} FROM route_entries WHERE route_table_id = $1 AND destination_cidr_block = $2",
            ROUTE_ENTRIES.columns
        );
        self.fetch_optional(&sql, binds![table.to_string(), block.to_string()], route_entry_row).await
    }

    pub async fn route_entry_count(&mut self, table: &RouteTableId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM route_entries WHERE route_table_id = $1", binds![table.to_string()]).await
    }

    pub async fn route_entry_update(&mut self, r: &RouteEntry) -> Result<()> {
        self.execute(
            "UPDATE route_entries SET description = $1 WHERE id = $2",
            binds![r.description.as_str().to_owned(), r.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn route_entry_delete(&mut self, id: &RouteEntryId) -> Result<()> {
        self.execute("DELETE FROM route_entries WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// How many route entries send packets to this interface.
    pub async fn route_entry_count_by_next_hop(&mut self, id: &str) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM route_entries WHERE next_hop_id = $1", binds![id.to_owned()]).await
    }
}
