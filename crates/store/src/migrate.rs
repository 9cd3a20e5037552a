//! Schema migrations: numbered SQL files compiled into the binary, applied in order, each in a
//! transaction together with its row in `schema_migrations`, so a crash leaves either all of a
//! migration or none of it. The same files serve both backends.

use sqlx::{AnyConnection, Executor, Row};
use xconnect_model::{Error, Result};

use crate::Backend;

/// Every migration, oldest first. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/0001_foundation.sql"))];

fn err(e: sqlx::Error) -> Error {
    Error::Unavailable { message: format!("migrating the database failed: {e}") }
}

pub async fn run(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await
    .map_err(err)?;
    for &(version, sql) in MIGRATIONS {
        conn.execute(if backend == Backend::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" }).await.map_err(err)?;
        let result = apply(conn, backend, version, sql).await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        conn.execute(end).await.map_err(err)?;
        result?;
    }
    Ok(())
}

async fn apply(conn: &mut AnyConnection, backend: Backend, version: i64, sql: &str) -> Result<()> {
    if backend == Backend::Postgres {
        // Two servers starting at once against one database must not both migrate.
        conn.execute("SELECT pg_advisory_xact_lock(787801)").await.map_err(err)?;
    }
    let done: i64 = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
        .bind(version)
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?
        .try_get(0)
        .map_err(err)?;
    if done > 0 {
        return Ok(());
    }
    conn.execute(sql).await.map_err(err)?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
        .bind(version)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    tracing::info!(version, "applied schema migration");
    Ok(())
}
