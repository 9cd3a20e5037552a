//! The queries of billing: metered usage, and the whole of an account's orders and packages
//! that a statement is drawn from.

use xconnect_model::billing::UsageRecord;
use xconnect_model::*;

use crate::Tx;
use crate::row::{int, text, ts};
use crate::sql::{Row, binds};

const USAGE_COLUMNS: &str = "counter_id, window_start, window_seconds, account_id, resource_id, bytes_out, recorded_at";

fn usage_row(row: &Row) -> Result<UsageRecord> {
    Ok(UsageRecord {
        counter_id: text(row, "counter_id")?,
        window_start: ts(row, "window_start")?,
        window_seconds: int(row, "window_seconds")?,
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        resource_id: text(row, "resource_id")?,
        bytes_out: int(row, "bytes_out")?,
        recorded_at: ts(row, "recorded_at")?,
    })
}

impl Tx {
    pub async fn usage_get(&mut self, counter: &str, window_start: Timestamp) -> Result<Option<UsageRecord>> {
        let sql = format!("SELECT {USAGE_COLUMNS} FROM usage_records WHERE counter_id = $1 AND window_start = $2");
        self.fetch_optional(&sql, binds![counter.to_owned(), window_start.millis()], usage_row).await
    }

    pub async fn usage_insert(&mut self, u: &UsageRecord) -> Result<()> {
        let sql = format!("INSERT INTO usage_records ({USAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        let b = binds![
            u.counter_id.clone(),
            u.window_start.millis(),
            u.window_seconds,
            u.account_id.to_string(),
            u.resource_id.clone(),
            u.bytes_out,
            u.recorded_at.millis(),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// A window of the counter, other than the one starting at `start`, that overlaps
    /// `[start, start + seconds)`.
    pub async fn usage_overlapping(
        &mut self,
        counter: &str,
        start: Timestamp,
        seconds: i64,
    ) -> Result<Option<UsageRecord>> {
        let sql = format!(
            "SELECT {USAGE_COLUMNS} FROM usage_records WHERE counter_id = $1 AND window_start < $2 \
             AND window_start + window_seconds * 1000 > $3 AND window_start <> $3 LIMIT 1"
        );
        let end = start.millis() + seconds * 1000;
        self.fetch_optional(&sql, binds![counter.to_owned(), end, start.millis()], usage_row).await
    }

    /// An account's usage whose windows start in `[from, to)`.
    pub async fn usage_list(
        &mut self,
        account: &AccountId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<UsageRecord>> {
        let sql = format!(
            "SELECT {USAGE_COLUMNS} FROM usage_records WHERE account_id = $1 AND window_start >= $2 \
             AND window_start < $3 ORDER BY window_start, counter_id"
        );
        self.fetch_all(&sql, binds![account.to_string(), from.millis(), to.millis()], usage_row).await
    }
}
