//! A real server for each test: a fresh store (SQLite file or PostgreSQL database), the real
//! router on a loopback port, the operator's client, and helpers to make tenants, send raw
//! signed requests and take a snapshot of everything the store holds.

use xconnect_client::{Client, ClientError, Credentials};
use xconnect_control::{Control, Quotas, Sealer, default_catalog};
use xconnect_model::version::{Build, UNKNOWN_COMMIT};
use xconnect_model::wire::*;
use xconnect_store::testing::{Kind, TestDatabase};

pub struct Server {
    pub endpoint: String,
    pub operator: Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    db: std::sync::Arc<TestDatabase>,
    seal_key: [u8; 32],
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Server {
    /// A server on a fresh store: the embedded SQLite file, or PostgreSQL when
    /// `XCONNECT_TEST_STORE=postgres` (scripts/test runs this suite both ways, so every test
    /// that does not name its store runs on both).
    pub async fn start() -> Server {
        let kind = match std::env::var("XCONNECT_TEST_STORE").as_deref() {
            Ok("postgres") => Kind::Postgres,
            _ => Kind::Sqlite,
        };
        Server::start_on(kind).await
    }

    pub async fn start_on(kind: Kind) -> Server {
        Server::start_with(kind, Quotas::default()).await
    }

    /// A server on a fresh store of `kind` with the given quotas.
    pub async fn start_with(kind: Kind, quotas: Quotas) -> Server {
        let db = std::sync::Arc::new(TestDatabase::new(kind).await);
        Server::serve_with(db, Sealer::generate_key(), None, quotas).await
    }

    /// Another server on the same store and sealing key, with a fresh process state (as after
    /// a restart, or a second server sharing one database).
    pub async fn twin(&self) -> Server {
        Server::serve(self.db.clone(), self.seal_key, Some(self.operator.credentials().clone())).await
    }

    /// Its store's database, dropped while the server runs (PostgreSQL only).
    pub async fn lose_database(&self) {
        self.db.destroy().await;
    }

    /// Stops this server, waits until it has stopped, and starts another on the same store and
    /// sealing key: a restart.
    pub async fn restart(mut self) -> Server {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await.unwrap().unwrap();
        }
        self.twin().await
    }

    async fn serve(db: std::sync::Arc<TestDatabase>, seal_key: [u8; 32], operator: Option<Credentials>) -> Server {
        Server::serve_with(db, seal_key, operator, Quotas::default()).await
    }

    async fn serve_with(
        db: std::sync::Arc<TestDatabase>,
        seal_key: [u8; 32],
        operator: Option<Credentials>,
        quotas: Quotas,
    ) -> Server {
        let store = db.open().await;
        let control = Control::new(store, default_catalog(), Sealer::new(&seal_key), quotas);
        let key = match &operator {
            Some(c) => (c.access_key_id.clone(), c.access_key_secret.clone()),
            None => {
                let k = control.operator_bootstrap().await.unwrap().expect("a fresh store has no operator");
                (k.access_key_id.to_string(), k.access_key_secret)
            }
        };
        let build = Build::new(env!("CARGO_PKG_VERSION"), UNKNOWN_COMMIT);
        let app = xconnect_api::router(control, &build).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(xconnect_api::serve(listener, app, async move {
            let _ = stopped.await;
        }));
        let operator =
            Client::new(Credentials { endpoint: endpoint.clone(), access_key_id: key.0, access_key_secret: key.1 })
                .unwrap();
        Server { endpoint, operator, stop: Some(stop), serving: Some(serving), db, seal_key }
    }

    /// A new tenant account and a client signing as it.
    pub async fn tenant(&self, name: &str) -> Client {
        self.account("tenant", name).await
    }

    /// A new account of `kind` (`tenant` or `partner`) and a client signing as it.
    pub async fn account(&self, kind: &str, name: &str) -> Client {
        let made =
            self.operator.account_create(&AccountCreateRequest { kind: kind.into(), name: name.into() }).await.unwrap();
        Client::new(Credentials {
            endpoint: self.endpoint.clone(),
            access_key_id: made.access_key.access_key_id.to_string(),
            access_key_secret: made.access_key.access_key_secret,
        })
        .unwrap()
    }

    /// Every resource of every account, as the operator sees it: what "changes nothing" is
    /// measured against. The audit trail is left out, since refusals are recorded there.
    pub async fn snapshot(&self) -> serde_json::Value {
        let op = &self.operator;
        let all = ListQuery { max_results: Some(100), ..Default::default() };
        let groups = op.security_group_list(&all).await.unwrap();
        let mut rules = Vec::new();
        for g in &groups.items {
            rules.push(op.security_group_rule_list(g.id.as_str(), &all).await.unwrap());
        }
        serde_json::json!({
            "accounts": op.account_list(&all).await.unwrap(),
            "vpcs": op.vpc_list(&all).await.unwrap(),
            "vswitches": op.vswitch_list(&all).await.unwrap(),
            "instances": op.instance_list(&all).await.unwrap(),
            "security_groups": groups,
            "rules": rules,
            "route_entries": op.route_entry_list(&all).await.unwrap(),
            "router_interfaces": op.router_interface_list(&all).await.unwrap(),
            "orders": op.order_list(&all).await.unwrap(),
            "hubs": op.hub_list(&all).await.unwrap(),
            "grants": op.grant_list(&all).await.unwrap(),
            "attachments": op.attachment_list(&all).await.unwrap(),
            "bandwidth_packages": op.bandwidth_package_list(&all).await.unwrap(),
            "inter_region_bandwidths": op.inter_region_bandwidth_list(&all).await.unwrap(),
            "permits": op.permit_list(&all).await.unwrap(),
            "clock_offset_ms": op.clock_get().await.unwrap().offset_ms,
            "physical_connections": op.physical_connection_list(&all).await.unwrap(),
            "shared_ports": op.shared_port_list(&all).await.unwrap(),
            "vbrs": op.vbr_list(&all).await.unwrap(),
            "hosts": op.data_centre_host_list(&all).await.unwrap(),
        })
    }
}

/// The code of an API error, with its status; panics on success or a transport failure.
/// A VPC with one vswitch, one security group and one instance in it, made through the API.
pub struct Network {
    pub vpc: xconnect_model::Vpc,
    pub group: xconnect_model::SecurityGroup,
    pub instance: xconnect_model::Instance,
}

/// Makes a [`Network`] as `c`'s account: the VPC's `block`, its vswitch's `vsw` in `zone`, and
/// the group admitting icmp from `icmp_from` when given (inbound is denied by default).
pub async fn network(c: &Client, region: &str, zone: &str, block: &str, vsw: &str, icmp_from: Option<&str>) -> Network {
    let vpc = c
        .vpc_create(&VpcCreateRequest { region: region.into(), cidr_block: block.into(), ..Default::default() })
        .await
        .unwrap();
    let vswitch = c
        .vswitch_create(&VSwitchCreateRequest {
            vpc_id: vpc.id.to_string(),
            zone: zone.into(),
            cidr_block: vsw.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let group = c
        .security_group_create(&SecurityGroupCreateRequest { vpc_id: vpc.id.to_string(), ..Default::default() })
        .await
        .unwrap();
    if let Some(cidr) = icmp_from {
        let rule = SecurityGroupRuleCreateRequest {
            direction: "ingress".into(),
            protocol: "icmp".into(),
            cidr_block: Some(cidr.into()),
            ..Default::default()
        };
        c.security_group_rule_create(group.id.as_str(), &rule).await.unwrap();
    }
    let instance = c
        .instance_create(&InstanceCreateRequest {
            vswitch_id: vswitch.id.to_string(),
            security_group_ids: vec![group.id.to_string()],
            ..Default::default()
        })
        .await
        .unwrap();
    Network { vpc, group, instance }
}

pub fn refused<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (u16, String) {
    match r {
        Err(ClientError::Api { status, body }) => {
            assert!(body.request_id.starts_with("req-"), "every error names its request: {body:?}");
            assert!(!body.message.is_empty());
            (status, body.code)
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// How a raw request departs from a correctly signed one.
#[derive(Default, Clone)]
pub struct Tamper {
    pub secret: Option<String>,
    pub date: Option<String>,
    pub nonce: Option<String>,
    pub content_sha256: Option<String>,
    pub no_authorization: bool,
    /// Signs this path but sends the real one.
    pub signed_path: Option<String>,
    /// Sends this Content-Type instead of application/json.
    pub content_type: Option<String>,
}

/// Sends a request signed by hand, as `tamper` says; returns the status and the body.
pub async fn raw(
    endpoint: &str,
    creds: &Credentials,
    method: &str,
    path: &str,
    body: &[u8],
    tamper: Tamper,
) -> (u16, serde_json::Value) {
    use xconnect_sign as sign;
    let host = endpoint.trim_start_matches("http://").to_owned();
    let content_sha = sign::sha256_hex(body);
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    let nonce = tamper.nonce.clone().unwrap_or_else(|| b.iter().map(|x| format!("{x:02x}")).collect());
    let date = tamper.date.clone().unwrap_or_else(|| sign::format_date(time::OffsetDateTime::now_utc()));
    let sent_sha = tamper.content_sha256.clone().unwrap_or(content_sha);
    let headers = vec![
        ("host".to_owned(), host),
        ("x-acs-content-sha256".to_owned(), sent_sha.clone()),
        ("x-acs-date".to_owned(), date),
        ("x-acs-signature-nonce".to_owned(), nonce),
    ];
    let (bare, query) = path.split_once('?').unwrap_or((path, ""));
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let signed_path = tamper.signed_path.clone().unwrap_or_else(|| bare.to_owned());
    let parts =
        sign::RequestParts { method, path: &signed_path, query: &query, headers: &headers, content_sha256: &sent_sha };
    let secret = tamper.secret.clone().unwrap_or_else(|| creds.access_key_secret.clone());
    let signature = sign::signature(&secret, &parts);
    let auth = sign::authorization(&creds.access_key_id, &sign::signed_header_names(&headers), &signature);
    let client = reqwest::Client::new();
    let mut req = client.request(method.parse().unwrap(), format!("{endpoint}{path}")).body(body.to_vec());
    for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
        req = req.header(k, v);
    }
    if let Some(t) = &tamper.content_type {
        req = req.header("content-type", t);
    } else if !body.is_empty() {
        req = req.header("content-type", "application/json");
    }
    if !tamper.no_authorization {
        req = req.header("authorization", auth);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

/// What each of a race's requests answered, in the order they were started; the requests run
/// side by side, each in a task of its own.
pub async fn raced<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(handles.len());
    for h in handles {
        results.push(h.await.expect("a racing request's task"));
    }
    results
}
