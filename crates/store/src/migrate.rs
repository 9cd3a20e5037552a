//! Schema migrations: numbered SQL files compiled into the binary, applied in order, each in a
//! transaction together with its row in `schema_migrations`, so a crash leaves either all of a
//! migration or none of it. The same files serve both backends.

use sqlx::{Connection, Row};
use xconnect_model::{Error, Result};

/// Every migration, oldest first. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_peering.sql")),
    (3, include_str!("../migrations/0003_hubs.sql")),
    (4, include_str!("../migrations/0004_hybrid.sql")),
    (5, include_str!("../migrations/0005_billing.sql")),
    (6, include_str!("../migrations/0006_rule_peers.sql")),
];

const CREATE_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

fn err(e: impl std::fmt::Display) -> Error {
    Error::Unavailable { message: format!("migrating the database failed: {e}") }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn run_sqlite(conn: &mut rusqlite::Connection) -> Result<()> {
    conn.execute_batch(CREATE_TABLE).map_err(err)?;
    for &(version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
        let done: i64 = tx
            .query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [version], |r| r.get(0))
            .map_err(err)?;
        if done == 0 {
            tx.execute_batch(sql).map_err(err)?;
            tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", [version, now_millis()])
                .map_err(err)?;
            tracing::info!(version, "applied schema migration");
        }
        tx.commit().map_err(err)?;
    }
    Ok(())
}

pub async fn run_postgres(conn: &mut sqlx::PgConnection) -> Result<()> {
    for &(version, sql) in MIGRATIONS {
        let mut tx = conn.begin().await.map_err(err)?;
        // Two servers starting at once against one database must not both migrate: the lock
        // comes first, before even the bookkeeping table is made.
        sqlx::query("SELECT pg_advisory_xact_lock(787801)").execute(&mut *tx).await.map_err(err)?;
        sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await.map_err(err)?;
        let done: i64 = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_one(&mut *tx)
            .await
            .map_err(err)?
            .try_get(0)
            .map_err(err)?;
        if done == 0 {
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err)?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(version)
                .bind(now_millis())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            tracing::info!(version, "applied schema migration");
        }
        tx.commit().await.map_err(err)?;
    }
    Ok(())
}
