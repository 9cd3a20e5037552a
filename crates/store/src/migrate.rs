//! Schema migrations: numbered SQL files compiled into the binary, applied in order, each in a
//! transaction together with its row in `schema_migrations`, so a crash leaves either all of a
//! migration or none of it. The same files serve both backends, but for the few changes they
//! can only make in their own words (dropping a constraint), which come as a pair of files.

use sqlx::{Connection, Row};
use xconnect_model::{Error, Result};

/// A migration's SQL: one text for both backends, or one for each.
enum Sql {
    Both(&'static str),
    Each { sqlite: &'static str, postgres: &'static str },
}

impl Sql {
    fn sqlite(&self) -> &'static str {
        match self {
            Sql::Both(s) | Sql::Each { sqlite: s, .. } => s,
        }
    }

    fn postgres(&self) -> &'static str {
        match self {
            Sql::Both(s) | Sql::Each { postgres: s, .. } => s,
        }
    }
}

/// Every migration, oldest first. Never edit one that has shipped; add a new one.
const MIGRATIONS: &[(i64, Sql)] = &[
    (1, Sql::Both(include_str!("../migrations/0001_foundation.sql"))),
    (2, Sql::Both(include_str!("../migrations/0002_peering.sql"))),
    (3, Sql::Both(include_str!("../migrations/0003_hubs.sql"))),
    (4, Sql::Both(include_str!("../migrations/0004_hybrid.sql"))),
    (5, Sql::Both(include_str!("../migrations/0005_billing.sql"))),
    (6, Sql::Both(include_str!("../migrations/0006_rule_peers.sql"))),
    (
        7,
        Sql::Each {
            sqlite: include_str!("../migrations/0007_shared_port_tenants.sqlite.sql"),
            postgres: include_str!("../migrations/0007_shared_port_tenants.postgres.sql"),
        },
    ),
    (8, Sql::Both(include_str!("../migrations/0008_account_numbers.sql"))),
    (9, Sql::Both(include_str!("../migrations/0009_network_paths.sql"))),
];

/// The accounts without a stored number (those made before migration 8), to number them.
const UNNUMBERED: &str = "SELECT id FROM accounts WHERE number IS NULL";
const NUMBER: &str = "UPDATE accounts SET number = $1 WHERE id = $2";

/// An account's number as stored (see `AccountId::number`).
fn number_of(id: &str) -> i64 {
    i64::try_from(xconnect_model::AccountId::from_trusted(id.to_owned()).number()).expect("16 digits")
}

/// The version every store is at once migrated by this build.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

impl crate::Tx {
    /// Whether this store has every migration of this build: a read of the migrations table,
    /// which also proves the store answers.
    pub async fn migrated(&mut self) -> Result<bool> {
        let version = self
            .fetch_optional("SELECT MAX(version) AS version FROM schema_migrations", crate::sql::binds![], |row| {
                crate::row::int(row, "version")
            })
            .await?;
        Ok(version == Some(latest()))
    }
}

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
    for (version, sql) in MIGRATIONS {
        let (version, sql) = (*version, sql.sqlite());
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
    // Numbered after the migrations, in one transaction: a no-op once every account has one.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
    let ids: Vec<String> = {
        let mut stmt = tx.prepare(UNNUMBERED).map_err(err)?;
        stmt.query_map([], |r| r.get(0)).map_err(err)?.collect::<std::result::Result<_, _>>().map_err(err)?
    };
    for id in ids {
        tx.execute(&NUMBER.replace('$', "?"), rusqlite::params![number_of(&id), id]).map_err(err)?;
    }
    tx.commit().map_err(err)?;
    Ok(())
}

pub async fn run_postgres(conn: &mut sqlx::PgConnection) -> Result<()> {
    for (version, sql) in MIGRATIONS {
        let (version, sql) = (*version, sql.postgres());
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
    let mut tx = conn.begin().await.map_err(err)?;
    let ids: Vec<String> = sqlx::query_scalar(UNNUMBERED).fetch_all(&mut *tx).await.map_err(err)?;
    for id in ids {
        sqlx::query(NUMBER).bind(number_of(&id)).bind(&id).execute(&mut *tx).await.map_err(err)?;
    }
    tx.commit().await.map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The accounts made before migration 8 are numbered when it runs, each with its id's
    /// number, and the index finds them.
    #[test]
    fn accounts_made_before_numbers_get_theirs() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .unwrap();
        for (v, sql) in &MIGRATIONS[..7] {
            conn.execute_batch(sql.sqlite()).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 0)", [v]).unwrap();
        }
        let old = "acc-2al5eojkjzlltmtemj66d7jh";
        conn.execute("INSERT INTO accounts VALUES (?1, 'tenant', 't', 0)", [old]).unwrap();
        run_sqlite(&mut conn).unwrap();

        let found: String = conn
            .query_row("SELECT id FROM accounts WHERE number = ?1", [2_266_960_130_124_540_i64], |r| r.get(0))
            .unwrap();
        assert_eq!(found, old);
        let unnumbered: i64 =
            conn.query_row("SELECT COUNT(*) FROM accounts WHERE number IS NULL", [], |r| r.get(0)).unwrap();
        assert_eq!(unnumbered, 0);
    }

    /// Migration 7 makes `shared_ports` again on SQLite while a VBR references one of its rows:
    /// the rows survive, the VBR's reference still holds and is still enforced, and a port may
    /// name an account that does not exist.
    #[test]
    fn remaking_shared_ports_keeps_its_rows_and_the_references_to_them() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        for (_, sql) in &MIGRATIONS[..6] {
            conn.execute_batch(sql.sqlite()).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO accounts VALUES ('acc-p', 'partner', 'p', 0), ('acc-t', 'tenant', 't', 0);
             INSERT INTO physical_connections VALUES ('pc-1', 'acc-p', 'n', 'ap', 'cn-hangzhou', 'x', 100, 'Enabled', 0);
             INSERT INTO shared_ports VALUES ('sp-1', 'acc-p', 'acc-t', 'pc-1', 'cn-hangzhou', 'ap', 7, 50, 'Accepted', 0, 1);
             INSERT INTO vbrs VALUES ('vbr-1', 'acc-t', 'sp-1', 'cn-hangzhou', 7, 50, '10.0.0.1', '10.0.0.2',
                                      '10.0.0.0/30', '', NULL, '', 0);",
        )
        .unwrap();
        conn.execute_batch("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .unwrap();
        for v in 1..=6 {
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 0)", [v]).unwrap();
        }
        run_sqlite(&mut conn).unwrap();

        let kept: String =
            conn.query_row("SELECT status FROM shared_ports WHERE id = 'sp-1'", [], |r| r.get(0)).unwrap();
        assert_eq!(kept, "Accepted");
        let broken: Vec<String> = conn
            .prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        let orphan = conn.execute("DELETE FROM shared_ports WHERE id = 'sp-1'", []);
        assert!(orphan.is_err(), "the VBR's reference is still enforced");
        conn.execute(
            "INSERT INTO shared_ports VALUES ('sp-2', 'acc-p', 'acc-ghost', 'pc-1', 'cn-hangzhou', 'ap', 8, 10, 'Pending', 0, NULL)",
            [],
        )
        .unwrap();
        let duplicate = conn.execute(
            "INSERT INTO shared_ports VALUES ('sp-3', 'acc-p', 'acc-t', 'pc-1', 'cn-hangzhou', 'ap', 8, 10, 'Pending', 0, NULL)",
            [],
        );
        assert!(duplicate.is_err(), "the VLAN index is made again");
    }
}
