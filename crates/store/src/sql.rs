//! The one place that talks to either database: statements with `$N` placeholders and bound
//! values go to SQLite (rewritten to its `?N` form, prepared once per connection) or to
//! PostgreSQL, and rows come back through one [`Row`] type, so every query above is written
//! once for both.

use std::path::Path;

use futures_util::future::BoxFuture;
use rusqlite::types::{ToSqlOutput, Value as SqliteValue};
use sqlx::Row as _;
use xconnect_model::{Error, Result};

use crate::{Conn, Tx};

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Bind {
    fn from(v: String) -> Bind {
        Bind::Text(Some(v))
    }
}

impl From<&str> for Bind {
    fn from(v: &str) -> Bind {
        Bind::Text(Some(v.to_owned()))
    }
}

impl From<Option<String>> for Bind {
    fn from(v: Option<String>) -> Bind {
        Bind::Text(v)
    }
}

impl From<i64> for Bind {
    fn from(v: i64) -> Bind {
        Bind::Int(Some(v))
    }
}

impl From<Option<i64>> for Bind {
    fn from(v: Option<i64>) -> Bind {
        Bind::Int(v)
    }
}

impl rusqlite::ToSql for Bind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Bind::Text(Some(s)) => ToSqlOutput::from(s.as_str()),
            Bind::Int(Some(i)) => ToSqlOutput::from(*i),
            Bind::Text(None) | Bind::Int(None) => ToSqlOutput::Owned(SqliteValue::Null),
        })
    }
}

/// `binds![a, b]` is the list of values for `$1, $2`.
macro_rules! binds {
    ($($v:expr),* $(,)?) => { vec![$($crate::sql::Bind::from($v)),*] };
}
pub(crate) use binds;

/// A row of either database, read by column name.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a sqlx::postgres::PgRow),
}

fn decode_err(col: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("column {col} did not decode: {e}"))
}

impl Row<'_> {
    pub fn text(&self, col: &str) -> Result<String> {
        match self {
            Row::Sqlite(r) => r.get(col).map_err(|e| decode_err(col, e)),
            Row::Postgres(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub fn opt_text(&self, col: &str) -> Result<Option<String>> {
        match self {
            Row::Sqlite(r) => r.get(col).map_err(|e| decode_err(col, e)),
            Row::Postgres(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub fn int(&self, col: &str) -> Result<i64> {
        match self {
            Row::Sqlite(r) => r.get(col).map_err(|e| decode_err(col, e)),
            Row::Postgres(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        match self {
            Row::Sqlite(r) => r.get(col).map_err(|e| decode_err(col, e)),
            Row::Postgres(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }
}

/// Rewrites `$N` placeholders to SQLite's `?N`. The statements of this crate use `$` for
/// nothing else.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

/// Opens a SQLite connection with the settings every connection of the store needs.
pub(crate) fn sqlite_open(path: &Path, read_only: bool) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)
        .map_err(|e| Error::Unavailable { message: format!("cannot open {}: {e}", path.display()) })?;
    // WAL lets readers go on while the writer commits; FULL makes every commit durable before
    // it is answered; the busy timeout covers the moments a checkpoint holds the file.
    let pragmas = if read_only {
        "PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;"
    } else {
        "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
    };
    conn.execute_batch(pragmas)
        .map_err(|e| Error::Unavailable { message: format!("cannot set up {}: {e}", path.display()) })?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

impl Tx {
    /// Converts a database error into the service's error: the detail goes to the log, the
    /// caller sees an internal error; a serialization failure marks the transaction for retry.
    fn sqlx_error(&mut self, e: sqlx::Error) -> Error {
        if let sqlx::Error::Database(db) = &e
            && matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
        {
            self.retry = true;
            return Error::Unavailable { message: "a concurrent change conflicted; retry".into() };
        }
        tracing::error!(error = %e, "database error");
        Error::internal(e)
    }

    fn sqlite_error(e: rusqlite::Error) -> Error {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        {
            return Error::Unavailable { message: "the database is busy".into() };
        }
        tracing::error!(error = %e, "database error");
        Error::internal(e)
    }

    /// Runs a statement without parameters or results: transaction control.
    pub(crate) async fn exec(&mut self, sql: &str) -> Result<()> {
        match &mut self.conn {
            // Prepared once and cached: a batch commits with several of these per operation.
            Conn::Sqlite(c) => {
                c.prepare_cached(sql).and_then(|mut s| s.execute([])).map(drop).map_err(Tx::sqlite_error)
            }
            Conn::Postgres(c) => match pg_exec(c, sql).await {
                Ok(_) => Ok(()),
                Err(e) => Err(self.sqlx_error(e)),
            },
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, binds: Vec<Bind>) -> Result<u64> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sqlite_sql(sql)).map_err(Tx::sqlite_error)?;
                stmt.execute(rusqlite::params_from_iter(binds.iter())).map(|n| n as u64).map_err(Tx::sqlite_error)
            }
            Conn::Postgres(c) => match pg_execute(c, sql, binds).await {
                Ok(n) => Ok(n),
                Err(e) => Err(self.sqlx_error(e)),
            },
        }
    }

    /// Runs a query and decodes every row.
    pub(crate) async fn fetch_all<T>(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
        decode: fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sqlite_sql(sql)).map_err(Tx::sqlite_error)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(binds.iter())).map_err(Tx::sqlite_error)?;
                let mut out = Vec::new();
                while let Some(row) = rows.next().map_err(Tx::sqlite_error)? {
                    out.push(decode(&Row::Sqlite(row))?);
                }
                Ok(out)
            }
            Conn::Postgres(c) => match pg_fetch_all(c, sql, binds).await {
                Ok(rows) => rows.iter().map(|r| decode(&Row::Postgres(r))).collect(),
                Err(e) => Err(self.sqlx_error(e)),
            },
        }
    }

    /// Runs a query expected to return at most one row.
    pub(crate) async fn fetch_optional<T>(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
        decode: fn(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        Ok(self.fetch_all(sql, binds, decode).await?.into_iter().next())
    }

    /// Runs a `SELECT COUNT(*) …`.
    pub(crate) async fn count(&mut self, sql: &str, binds: Vec<Bind>) -> Result<i64> {
        let n = self.fetch_optional(sql, binds, |r| match r {
            Row::Sqlite(r) => r.get(0).map_err(|e| decode_err("count", e)),
            Row::Postgres(r) => r.try_get(0).map_err(|e| decode_err("count", e)),
        });
        Ok(n.await?.unwrap_or(0))
    }
}

// The PostgreSQL calls sit in functions of their own that return boxed futures: the operations
// that call them are checked to be Send for every lifetime of their transaction, which sqlx's
// executor traits cannot prove when the call is written inline (a known limit of the compiler).

fn pg_exec<'a>(c: &'a mut sqlx::PgConnection, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
    Box::pin(async move { sqlx::query(sql).execute(c).await.map(drop) })
}

fn pg_execute<'a>(
    c: &'a mut sqlx::PgConnection,
    sql: &'a str,
    binds: Vec<Bind>,
) -> BoxFuture<'a, Result<u64, sqlx::Error>> {
    Box::pin(async move { pg_query(sql, binds).execute(c).await.map(|d| d.rows_affected()) })
}

fn pg_fetch_all<'a>(
    c: &'a mut sqlx::PgConnection,
    sql: &'a str,
    binds: Vec<Bind>,
) -> BoxFuture<'a, Result<Vec<sqlx::postgres::PgRow>, sqlx::Error>> {
    Box::pin(async move { pg_query(sql, binds).fetch_all(c).await })
}

fn pg_query(sql: &str, binds: Vec<Bind>) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Bind::Text(v) => q.bind(v),
            Bind::Int(v) => q.bind(v),
        };
    }
    q
}
