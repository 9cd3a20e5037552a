//! The store: every byte of state lives here, behind one way in. An operation is a function of a
//! transaction and its input; [`Store::write`] runs it as one transaction and [`Store::read`] as
//! one consistent snapshot. Only this crate knows SQL.
//!
//! Two backends share every query (written in the SQL that both read, with `$N` placeholders):
//! - SQLite, the embedded default: WAL, `synchronous=FULL`, so a commit is on disk before it is
//!   answered. All writes go through one writer task that commits concurrent operations together
//!   (group commit): each runs inside its own savepoint, so one failing changes nothing of the
//!   others, and the batch pays for one fsync. Reads use a pool of their own connections.
//! - PostgreSQL, for scale: each write is a SERIALIZABLE transaction, retried from the start when
//!   the database reports a serialization failure or deadlock, so checks made inside the
//!   operation hold at commit even when requests race.

mod migrate;
mod queries;
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::{mpsc, oneshot};
use xconnect_model::{Error, Result};

pub use queries::*;

/// Which database holds the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How many operations the SQLite writer commits together at most.
const MAX_BATCH: usize = 128;
/// How often a PostgreSQL write is tried before its serialization failure is reported.
const MAX_ATTEMPTS: u32 = 10;

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

enum Inner {
    Sqlite { reads: AnyPool, writer: mpsc::Sender<Job> },
    Postgres { pool: AnyPool },
}

/// The connection a transaction runs on.
enum Conn {
    Pooled(PoolConnection<Any>),
    Owned(AnyConnection),
}

/// An open transaction. Its query methods (in `queries`) are the only SQL in the program.
pub struct Tx {
    conn: Conn,
    backend: Backend,
    /// Set when the database reported a failure that retrying the whole transaction may cure
    /// (PostgreSQL serialization failure or deadlock).
    retry: bool,
}

/// What the writer task reports back once the batch an operation ran in has committed.
type Completer = Box<dyn FnOnce(Result<()>) + Send>;
/// An operation queued for the SQLite writer: runs (or, given an error, is refused without
/// running), says whether it succeeded (so its savepoint is kept or rolled back), and hands back
/// what to do once the commit's outcome is known.
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx, Option<Error>) -> BoxFuture<'t, (bool, Completer)> + Send>;

impl Store {
    /// Opens (and creates, and migrates) the store at `url`: `sqlite://PATH` or
    /// `postgres://…`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions =
            url.parse().map_err(|e| Error::invalid("database", format_args!("'{url}' is not a database URL: {e}")))?;
        if url.starts_with("sqlite:") {
            Self::open_sqlite(options).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Self::open_postgres(options).await
        } else {
            Err(Error::invalid("database", format_args!("'{url}': use sqlite://PATH or postgres://…")))
        }
    }

    /// The SQLite file at `path`, created if absent.
    pub async fn open_sqlite_file(path: &std::path::Path) -> Result<Store> {
        Store::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    async fn open_sqlite(options: AnyConnectOptions) -> Result<Store> {
        let mut writer = AnyConnection::connect_with(&options).await.map_err(open_err)?;
        // WAL lets readers go on while the writer commits; FULL makes every commit durable.
        // foreign_keys is on by sqlx's default; it is set again so the schema's REFERENCES hold
        // whatever the driver's defaults become.
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"] {
            writer.execute(pragma).await.map_err(open_err)?;
        }
        migrate::run(&mut writer, Backend::Sqlite).await?;
        let reads = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA query_only = ON").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_err)?;
        let (send, recv) = mpsc::channel(4096);
        tokio::spawn(sqlite_writer(writer, recv));
        Ok(Store { inner: Arc::new(Inner::Sqlite { reads, writer: send }) })
    }

    async fn open_postgres(options: AnyConnectOptions) -> Result<Store> {
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(open_err)?;
        let mut conn = pool.acquire().await.map_err(open_err)?;
        migrate::run(&mut conn, Backend::Postgres).await?;
        drop(conn);
        Ok(Store { inner: Arc::new(Inner::Postgres { pool }) })
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Runs `op` as one transaction: everything it wrote is committed if it returns `Ok`, and
    /// nothing if it returns `Err`. On PostgreSQL it may run more than once (with a fresh copy
    /// of `input`), so it must not have effects outside the transaction.
    ///
    /// The operation runs in a task of its own, so a caller that goes away (a client that hangs
    /// up) cannot leave a transaction half done.
    pub async fn write<I, T, F>(&self, input: I, op: F) -> Result<T>
    where
        I: Clone + Send + 'static,
        T: Send + 'static,
        F: for<'t> Fn(&'t mut Tx, I) -> BoxFuture<'t, Result<T>> + Send + Sync + 'static,
    {
        match &*self.inner {
            Inner::Sqlite { writer, .. } => {
                let (done, answer) = oneshot::channel();
                let job: Job = Box::new(move |tx, refused| {
                    Box::pin(async move {
                        if let Some(e) = refused {
                            let completer: Completer = Box::new(move |_| {
                                let _ = done.send(Err(e));
                            });
                            return (false, completer);
                        }
                        let result = op(tx, input).await;
                        let ok = result.is_ok();
                        let completer: Completer = Box::new(move |commit: Result<()>| {
                            let _ = done.send(commit.and(result));
                        });
                        (ok, completer)
                    })
                });
                writer.send(job).await.map_err(|_| writer_gone())?;
                // The sender is dropped unanswered only if the operation panicked.
                answer.await.map_err(|_| Error::internal("the operation failed unexpectedly"))?
            }
            Inner::Postgres { pool } => {
                let pool = pool.clone();
                let task = tokio::spawn(async move { postgres_write(&pool, input, op).await });
                task.await.map_err(|e| Error::internal(format!("write task failed: {e}")))?
            }
        }
    }

    /// Runs `op` on one consistent snapshot, read-only.
    pub async fn read<I, T, F>(&self, input: I, op: F) -> Result<T>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx, I) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        let (pool, backend, begin) = match &*self.inner {
            Inner::Sqlite { reads, .. } => (reads.clone(), Backend::Sqlite, "BEGIN"),
            Inner::Postgres { pool } => {
                (pool.clone(), Backend::Postgres, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            }
        };
        let task = tokio::spawn(async move {
            let conn = pool.acquire().await.map_err(busy)?;
            let mut tx = Tx { conn: Conn::Pooled(conn), backend, retry: false };
            tx.exec(begin).await?;
            let result = op(&mut tx, input).await;
            // A read-only transaction has nothing to keep; ending it returns the connection clean.
            tx.exec("ROLLBACK").await?;
            result
        });
        task.await.map_err(|e| Error::internal(format!("read task failed: {e}")))?
    }
}

fn open_err(e: sqlx::Error) -> Error {
    Error::Unavailable { message: format!("cannot open the database: {e}") }
}

fn busy(e: sqlx::Error) -> Error {
    Error::Unavailable { message: format!("no database connection available: {e}") }
}

fn writer_gone() -> Error {
    Error::internal("the store's writer task has stopped")
}

/// The SQLite writer: takes what is queued, runs each operation in its own savepoint inside one
/// transaction, commits once, then answers every caller. A batch is what arrived while the
/// previous one was committing, so under load commits amortise and with one caller nothing waits.
async fn sqlite_writer(conn: AnyConnection, mut queue: mpsc::Receiver<Job>) {
    let mut tx = Tx { conn: Conn::Owned(conn), backend: Backend::Sqlite, retry: false };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut completers = Vec::with_capacity(batch.len());
        if let Err(e) = tx.exec("BEGIN IMMEDIATE").await {
            // Without a transaction nothing may run; every caller learns why.
            for job in batch.drain(..) {
                let (_, completer) = run_guarded(job, &mut tx, Some(e.clone())).await;
                completer(Err(e.clone()));
            }
            continue;
        }
        for job in batch.drain(..) {
            let refused = tx.exec("SAVEPOINT op").await.err();
            let began = refused.is_none();
            let (ok, completer) = run_guarded(job, &mut tx, refused).await;
            if !began {
                completer(Ok(()));
                continue;
            }
            let end = if ok { tx.exec("RELEASE op").await } else { rollback_savepoint(&mut tx).await };
            match end {
                Ok(()) => completers.push(completer),
                Err(e) => completer(Err(e)),
            }
        }
        let commit = tx.exec("COMMIT").await;
        if commit.is_err() {
            let _ = tx.exec("ROLLBACK").await;
        }
        for completer in completers {
            completer(commit.clone());
        }
    }
}

async fn rollback_savepoint(tx: &mut Tx) -> Result<()> {
    tx.exec("ROLLBACK TO op").await?;
    tx.exec("RELEASE op").await
}

/// Runs one queued operation; a panic inside it fails that operation alone instead of taking
/// the writer (and every later write) down with it.
async fn run_guarded(job: Job, tx: &mut Tx, refused: Option<Error>) -> (bool, Completer) {
    match std::panic::AssertUnwindSafe(job(tx, refused)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => (false, Box::new(|_| {}) as Completer),
    }
}

async fn postgres_write<I, T, F>(pool: &AnyPool, input: I, op: F) -> Result<T>
where
    I: Clone + Send + 'static,
    T: Send + 'static,
    F: for<'t> Fn(&'t mut Tx, I) -> BoxFuture<'t, Result<T>> + Send + Sync + 'static,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let conn = pool.acquire().await.map_err(busy)?;
        let mut tx = Tx { conn: Conn::Pooled(conn), backend: Backend::Postgres, retry: false };
        tx.exec("BEGIN ISOLATION LEVEL SERIALIZABLE").await?;
        let result = match op(&mut tx, input.clone()).await {
            Ok(value) => tx.exec("COMMIT").await.map(|()| value),
            Err(e) => Err(e),
        };
        if result.is_err() {
            let _ = tx.exec("ROLLBACK").await;
        }
        match result {
            Err(_) if tx.retry && attempt < MAX_ATTEMPTS => {
                // Back off a little, more each time, so racing writers stop colliding.
                let mut byte = [0u8; 1];
                let _ = getrandom::fill(&mut byte);
                let jitter = u64::from(byte[0] % 8);
                tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2 + jitter)).await;
            }
            Err(_) if tx.retry => {
                return Err(Error::Unavailable { message: "too many concurrent changes to the same resources".into() });
            }
            other => return other,
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            Conn::Pooled(c) => c,
            Conn::Owned(c) => c,
        }
    }

    /// Runs a statement without parameters or results (transaction control).
    async fn exec(&mut self, sql: &str) -> Result<()> {
        match self.conn().execute(sql).await {
            Ok(_) => Ok(()),
            Err(e) => Err(self.db_error(e)),
        }
    }

    /// Converts a database error into the service's error: the detail goes to the log, the
    /// caller sees an internal error; a serialization failure marks the transaction for retry.
    fn db_error(&mut self, e: sqlx::Error) -> Error {
        if let sqlx::Error::Database(db) = &e {
            if matches!(db.code().as_deref(), Some("40001") | Some("40P01")) {
                self.retry = true;
                return Error::Unavailable { message: "a concurrent change conflicted; retry".into() };
            }
        }
        tracing::error!(error = %e, "database error");
        Error::internal(e)
    }
}
