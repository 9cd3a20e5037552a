//! Fresh databases for tests: a new SQLite file in a temporary directory, or a new database in
//! the PostgreSQL cluster that `XCONNECT_TEST_DATABASE_URL` points at (`scripts/test` starts a
//! throwaway one on loopback). A test that needs PostgreSQL fails, with this explanation, when
//! the variable is absent: a check that silently skips would prove nothing.

use std::path::PathBuf;

use sqlx::{Connection, Executor};

use crate::Store;

/// The variable naming the test cluster, e.g. `postgres://postgres@127.0.0.1:25432/postgres`.
pub const POSTGRES_ENV: &str = "XCONNECT_TEST_DATABASE_URL";

/// Which backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that exists for one test. The SQLite directory is removed when it is dropped; a
/// PostgreSQL database stays in the throwaway cluster, which is removed whole after the run.
pub struct TestDatabase {
    pub url: String,
    dir: Option<PathBuf>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn unique(prefix: &str) -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random source");
    format!("{prefix}{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

impl TestDatabase {
    pub async fn new(kind: Kind) -> TestDatabase {
        match kind {
            Kind::Sqlite => {
                let dir = std::env::temp_dir().join(unique("xconnect-test-"));
                std::fs::create_dir_all(&dir).expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.join("xconnect.db").display());
                TestDatabase { url, dir: Some(dir) }
            }
            Kind::Postgres => {
                let base = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
                    panic!(
                        "{POSTGRES_ENV} is not set: run the tests with `scripts/test`, which starts a throwaway \
                         PostgreSQL on loopback, or point the variable at a cluster you may create databases in"
                    )
                });
                let name = unique("xc_test_");
                let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect to the test cluster");
                admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
                let (prefix, _) = base.rsplit_once('/').expect("the URL names a database");
                TestDatabase { url: format!("{prefix}/{name}"), dir: None }
            }
        }
    }

    /// Drops a PostgreSQL database while servers still use it (their connections are ended), as
    /// a lost database would be; for tests of what a server says then.
    pub async fn destroy(&self) {
        let base = std::env::var(POSTGRES_ENV).expect("a PostgreSQL test database was made");
        let name = self.url.rsplit_once('/').expect("the URL names a database").1;
        let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect to the test cluster");
        admin.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await.expect("drop the test database");
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open the test store")
    }
}
