//! The queries of orders: what is charged for, from when to when.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{int, text, ts};
use crate::sql::{Row, binds};

const ORDERS: Table = Table {
    name: "orders",
    columns: "id, account_id, product, resource_id, region, item, bandwidth_mbps, started_at, ended_at",
    time_column: "started_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn order_row(row: &Row) -> Result<Order> {
    let product = text(row, "product")?;
    Ok(Order {
        id: OrderId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        product: OrderProduct::parse(&product)
            .ok_or_else(|| Error::internal(format!("stored product {product} is unknown")))?,
        resource_id: text(row, "resource_id")?,
        region: Some(text(row, "region")?).filter(|r| !r.is_empty()).map(RegionId::from_trusted),
        item: text(row, "item")?,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        started_at: ts(row, "started_at")?,
        ended_at: row.opt_int("ended_at")?.map(Timestamp::from_millis),
    })
}

impl Tx {
    pub async fn order_insert(&mut self, o: &Order) -> Result<()> {
        let sql = format!("INSERT INTO orders ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", ORDERS.columns);
        let b = binds![
            o.id.to_string(),
            o.account_id.to_string(),
            o.product.as_str(),
            o.resource_id.clone(),
            o.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            o.item.clone(),
            i64::from(o.bandwidth_mbps),
            o.started_at.millis(),
            o.ended_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Ends the running orders of a resource (it was deleted).
    pub async fn order_end(&mut self, resource_id: &str, at: Timestamp) -> Result<u64> {
        self.execute(
            "UPDATE orders SET ended_at = $1 WHERE resource_id = $2 AND ended_at IS NULL",
            binds![at.millis(), resource_id.to_owned()],
        )
        .await
    }

    /// Every order of an account, oldest first, for its statement.
    pub async fn order_list_by_account(&mut self, account: &AccountId) -> Result<Vec<Order>> {
        let sql = format!("SELECT {} FROM orders WHERE account_id = $1 ORDER BY started_at, id", ORDERS.columns);
        self.fetch_all(&sql, binds![account.to_string()], order_row).await
    }

    pub async fn order_list(&mut self, f: &ListFilter) -> Result<Rows<Order>> {
        let f = ListFilter { vpc_id: None, name: None, ..f.clone() };
        self.list(&ORDERS, &f, &[], order_row, |o| PageToken {
            created_at: o.started_at.millis(),
            id: o.id.to_string(),
        })
        .await
    }
}
