//! The server killed with SIGKILL in the middle of concurrent writes, on SQLite and on
//! PostgreSQL, then started again on the same store: every write it acknowledged is there, and
//! no write is there in part.

use std::sync::{Arc, Mutex};

use xconnect_client::{Client, Credentials};
use xconnect_model::wire::*;

use super::*;

/// A tenant made through the CLI as the operator, and a client signing as it.
fn tenant(server: &Serve, config: &Path, name: &str) -> Client {
    let made =
        json(xconnect(config, &[], &["admin", "account", "create", "--kind", "tenant", "--name", name, "-o", "json"]));
    Client::new(Credentials {
        endpoint: server.endpoint.clone(),
        access_key_id: made["access_key"]["access_key_id"].as_str().unwrap().to_owned(),
        access_key_secret: made["access_key"]["access_key_secret"].as_str().unwrap().to_owned(),
    })
    .unwrap()
}

fn killed_in_the_middle_of_writes(database: Option<String>) {
    let mut server = start_on(database);
    let config = operator(&server);
    let writers: Vec<Client> = (0..4).map(|n| tenant(&server, &config, &format!("writer-{n}"))).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // VPCs, each written with its VRouter and route table in one transaction, by four tenants
    // at once, until the server goes (bounded: at most 10 a region, in the catalogue's regions).
    let acknowledged: Arc<Mutex<Vec<(usize, String, String)>>> = Arc::default();
    let tasks: Vec<_> = writers
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let (c, acknowledged) = (c.clone(), acknowledged.clone());
            runtime.spawn(async move {
                let regions = c.region_list().await.unwrap().regions;
                for region in regions.iter().map(|r| r.id.to_string()) {
                    for k in 0..10 {
                        let req = VpcCreateRequest {
                            region: region.clone(),
                            cidr_block: format!("10.{k}.0.0/16"),
                            ..Default::default()
                        };
                        match c.vpc_create(&req).await {
                            Ok(v) => {
                                acknowledged.lock().unwrap().push((n, v.id.to_string(), v.route_table_id.to_string()))
                            }
                            // The server is gone: what it answered before is what counts.
                            Err(_) => return,
                        }
                    }
                }
            })
        })
        .collect();
    // Kill it once writes are flowing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 150 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.pause();
    for t in tasks {
        runtime.block_on(t).unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 150, "the writers were under way when the server was killed: {}", acknowledged.len());

    server.resume();
    runtime.block_on(async {
        for (n, vpc, table) in &acknowledged {
            let c = &writers[*n];
            c.vpc_get(vpc).await.unwrap_or_else(|e| panic!("acknowledged VPC {vpc} is gone: {e}"));
            c.route_table_get(table).await.unwrap_or_else(|e| panic!("VPC {vpc}'s route table is gone: {e}"));
        }
        // Nothing in part: every VPC there (acknowledged or not) has its route table.
        let mut found = 0;
        for c in &writers {
            let all = ListQuery { max_results: Some(100), ..Default::default() };
            let mut q = all.clone();
            loop {
                let page = c.vpc_list(&q).await.unwrap();
                for v in &page.items {
                    c.route_table_get(v.route_table_id.as_str()).await.unwrap();
                    found += 1;
                }
                match page.next_token {
                    Some(t) => q.next_token = Some(t),
                    None => break,
                }
            }
        }
        assert!(found >= acknowledged.len());
        eprintln!(
            "{} writes acknowledged before the kill; {found} found after the restart, each whole",
            acknowledged.len()
        );
    });
}

#[test]
fn acknowledged_writes_survive_a_kill_on_sqlite() {
    killed_in_the_middle_of_writes(None);
}

#[test]
fn acknowledged_writes_survive_a_kill_on_postgres() {
    let db = runtime().block_on(xconnect_store::testing::TestDatabase::new(xconnect_store::testing::Kind::Postgres));
    killed_in_the_middle_of_writes(Some(db.url.clone()));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}
