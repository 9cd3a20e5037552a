//! The store's own suite, run against a real SQLite file and a real PostgreSQL database alike:
//! transactions keep all or nothing, checks made inside a transaction hold under concurrency,
//! constraints refuse what the schema forbids, pages come in a stable order, and a reopened
//! SQLite file still has what was committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use xconnect_model::*;
use xconnect_store::testing::{Kind, TestDatabase};
use xconnect_store::{ListFilter, Store};

fn id<T: ResourceId>() -> T {
    let mut b = [0u8; ID_ENTROPY_BYTES];
    getrandom::fill(&mut b).unwrap();
    T::from_entropy(&b)
}

fn account(name: &str, at: i64) -> Account {
    Account::new(id(), AccountKind::Tenant, Name::parse("name", name).unwrap(), Timestamp::from_millis(at))
}

fn vpc(owner: &AccountId, n: u8, at: i64) -> Vpc {
    Vpc {
        id: id(),
        account_id: owner.clone(),
        region: RegionId::from_trusted("cn-qingdao".into()),
        cidr_block: Cidr::parse("c", &format!("10.{n}.0.0/16")).unwrap(),
        name: Some(Name::parse("name", &format!("vpc{n}")).unwrap()),
        description: Description::default(),
        vrouter_id: id(),
        route_table_id: id(),
        created_at: Timestamp::from_millis(at),
    }
}

async fn with_account(store: &Store) -> Account {
    let a = account("owner", 1);
    store.write(a.clone(), |tx, a| Box::pin(async move { tx.account_insert(&a).await })).await.unwrap();
    a
}

async fn vpc_count(store: &Store, owner: &AccountId) -> usize {
    let f = ListFilter { account_id: Some(owner.clone()), limit: 100, ..Default::default() };
    store.read(f, |tx, f| Box::pin(async move { tx.vpc_list(&f).await })).await.unwrap().items.len()
}

async fn a_failed_write_changes_nothing(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let v = vpc(&a.id, 1, 10);
    let r: Result<()> = store
        .write(v, |tx, v| {
            Box::pin(async move {
                tx.vpc_insert(&v).await?;
                Err(Error::conflict("Test.Refused", "refused after writing"))
            })
        })
        .await;
    assert_eq!(r.unwrap_err().code(), "Test.Refused");
    assert_eq!(vpc_count(&store, &a.id).await, 0);
}

/// Concurrent writes commit together on SQLite; the failing ones among them leave no trace and
/// take nothing of the others with them.
async fn concurrent_writes_fail_alone(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let tasks: Vec<_> = (0..40u8)
        .map(|n| {
            let store = store.clone();
            let v = vpc(&a.id, n, 100 + i64::from(n));
            tokio::spawn(async move {
                store
                    .write((v, n), |tx, (v, n)| {
                        Box::pin(async move {
                            tx.vpc_insert(&v).await?;
                            if n % 4 == 0 { Err(Error::conflict("Test.Refused", "every fourth")) } else { Ok(()) }
                        })
                    })
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 30);
    assert_eq!(vpc_count(&store, &a.id).await, 30);
}

/// A check made inside the transaction holds at commit: twenty racing "create if fewer than
/// five" operations make exactly five.
async fn checks_inside_a_transaction_hold_under_races(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..20u8)
        .map(|n| {
            let store = store.clone();
            let attempts = attempts.clone();
            let v = vpc(&a.id, n, 100 + i64::from(n));
            tokio::spawn(async move {
                store
                    .write(v, move |tx, v| {
                        attempts.fetch_add(1, Ordering::Relaxed);
                        Box::pin(async move {
                            let region = v.region.clone();
                            if tx.vpc_count(&v.account_id, &region).await? >= 5 {
                                return Err(Error::QuotaExceeded { what: "VPCs".into(), limit: 5 });
                            }
                            tx.vpc_insert(&v).await
                        })
                    })
                    .await
            })
        })
        .collect();
    let mut made = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => made += 1,
            Err(e) => assert_eq!(e.code(), "QuotaExceeded"),
        }
    }
    assert_eq!(made, 5);
    assert_eq!(vpc_count(&store, &a.id).await, 5);
    assert!(attempts.load(Ordering::Relaxed) >= 20);
}

/// The schema refuses what it forbids (here a foreign key), and the refusal rolls back.
async fn constraints_refuse_and_roll_back(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let stranger = account("ghost", 1);
    let good = vpc(&a.id, 1, 10);
    let orphan = vpc(&stranger.id, 2, 11);
    let r = store
        .write((good, orphan), |tx, (good, orphan)| {
            Box::pin(async move {
                tx.vpc_insert(&good).await?;
                tx.vpc_insert(&orphan).await
            })
        })
        .await;
    assert_eq!(r.unwrap_err().code(), "InternalError");
    assert_eq!(vpc_count(&store, &a.id).await, 0);
}

async fn pages_are_stable_and_complete(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    // Several rows share a creation time, so the id must break ties.
    let vpcs: Vec<Vpc> = (0..23u8).map(|n| vpc(&a.id, n, 1000 + i64::from(n / 3))).collect();
    store
        .write(vpcs.clone(), |tx, vpcs| {
            Box::pin(async move {
                for v in &vpcs {
                    tx.vpc_insert(v).await?;
                }
                Ok(())
            })
        })
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let f = ListFilter { account_id: Some(a.id.clone()), after: after.clone(), limit: 5, ..Default::default() };
        let rows = store.read(f, |tx, f| Box::pin(async move { tx.vpc_list(&f).await })).await.unwrap();
        assert!(rows.items.len() <= 5);
        seen.extend(rows.items.into_iter().map(|v| v.id));
        match rows.next {
            Some(t) => after = Some(t),
            None => break,
        }
    }
    let mut expected: Vec<(i64, VpcId)> = vpcs.iter().map(|v| (v.created_at.millis(), v.id.clone())).collect();
    expected.sort();
    assert_eq!(seen, expected.into_iter().map(|(_, id)| id).collect::<Vec<_>>());
}

async fn reopening_keeps_what_was_committed(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let a = {
        let store = db.open().await;
        let a = with_account(&store).await;
        let v = vpc(&a.id, 7, 10);
        store.write(v, |tx, v| Box::pin(async move { tx.vpc_insert(&v).await })).await.unwrap();
        a
    };
    // Opening again runs the migrations again, which must find nothing to do.
    let store = db.open().await;
    assert_eq!(vpc_count(&store, &a.id).await, 1);
}

async fn audit_and_client_tokens_round_trip(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let ev = AuditEvent {
        id: id(),
        at: Timestamp::from_millis(5),
        account_id: a.id.clone(),
        access_key_id: None,
        action: "vpc_create".into(),
        resource_id: Some("vpc-x".into()),
        request_id: id(),
        result: "ok".into(),
    };
    let token = xconnect_store::ClientToken {
        action: "vpc_create".into(),
        fingerprint: "f".into(),
        resource_id: "vpc-x".into(),
    };
    let (ev2, a2, t2) = (ev.clone(), a.id.clone(), token.clone());
    store
        .write((ev2, a2, t2), |tx, (ev, a, t)| {
            Box::pin(async move {
                tx.audit_insert(&ev).await?;
                tx.client_token_insert(&a, "tok-1", &t, Timestamp::from_millis(5)).await
            })
        })
        .await
        .unwrap();
    let f = ListFilter { account_id: Some(a.id.clone()), limit: 10, ..Default::default() };
    let (events, got) = store
        .read((f, a.id.clone()), |tx, (f, a)| {
            Box::pin(async move { Ok((tx.audit_list(&f).await?, tx.client_token_get(&a, "tok-1").await?)) })
        })
        .await
        .unwrap();
    assert_eq!(events.items, vec![ev]);
    assert_eq!(got, Some(token));
}

/// An account is found by its number, through the index, and no other number finds it.
async fn accounts_are_found_by_number(kind: Kind) {
    let db = TestDatabase::new(kind).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    let find = |n: u64| store.read(n, |tx, n| Box::pin(async move { tx.account_by_number(n).await }));
    assert_eq!(find(a.number).await.unwrap(), Some(a.id.clone()));
    assert_eq!(find(a.number ^ 1).await.unwrap(), None);
    assert_eq!(find(u64::MAX).await.unwrap(), None, "a number past a BIGINT is no account's");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Kind::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Kind::Postgres).await
                }
            )*
        }
    };
}

on_both_backends!(
    a_failed_write_changes_nothing,
    concurrent_writes_fail_alone,
    checks_inside_a_transaction_hold_under_races,
    constraints_refuse_and_roll_back,
    pages_are_stable_and_complete,
    reopening_keeps_what_was_committed,
    audit_and_client_tokens_round_trip,
    accounts_are_found_by_number,
);

/// Under a steady stream of commits the WAL is still started over, so it does not grow without
/// bound: the background checkpointer copies it and hands the writer the tail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_wal_is_started_over_under_steady_writes() {
    let db = TestDatabase::new(Kind::Sqlite).await;
    let store = db.open().await;
    let a = with_account(&store).await;
    // One commit after another (each awaited, so none share a batch), each touching a few
    // pages: several thousand WAL frames, far more than the 1,000 after which the WAL is to be
    // started over.
    let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
    for n in 0..3000i64 {
        let mut v = vpc(&a.id, (n % 250) as u8, n);
        v.region = RegionId::from_trusted(format!("r{}", n / 250));
        store.write(v, |tx, v| Box::pin(async move { tx.vpc_insert(&v).await })).await.unwrap();
    }
    assert_eq!(vpc_count_all(&store, &a.id).await, 3000);
    let frames = wal_frames(&path);
    assert!(frames < 2500, "the WAL holds {frames} frames: it was never started over");
}

/// The frames in the WAL now, as a passive checkpoint from another connection reports them.
fn wal_frames(db: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)).unwrap()
}

async fn vpc_count_all(store: &Store, owner: &AccountId) -> usize {
    let mut n = 0;
    let mut after = None;
    loop {
        let f = ListFilter { account_id: Some(owner.clone()), after: after.clone(), limit: 100, ..Default::default() };
        let rows = store.read(f, |tx, f| Box::pin(async move { tx.vpc_list(&f).await })).await.unwrap();
        n += rows.items.len();
        match rows.next {
            Some(t) => after = Some(t),
            None => return n,
        }
    }
}
