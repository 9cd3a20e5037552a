//! The query of the service clock: the operator's offset from real time.

use xconnect_model::*;

use crate::Tx;
use crate::row::int;
use crate::sql::binds;

impl Tx {
    /// How far the operator moved the clock ahead, in milliseconds.
    pub async fn clock_offset(&mut self) -> Result<i64> {
        Ok(self
            .fetch_optional("SELECT offset_ms FROM clock WHERE id = 1", binds![], |row| int(row, "offset_ms"))
            .await?
            .unwrap_or(0))
    }

    pub async fn clock_set(&mut self, offset_ms: i64) -> Result<()> {
        self.execute("DELETE FROM clock WHERE id = 1", binds![]).await?;
        self.execute("INSERT INTO clock (id, offset_ms) VALUES (1, $1)", binds![offset_ms]).await.map(drop)
    }
}
