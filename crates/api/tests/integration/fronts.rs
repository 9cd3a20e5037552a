//! A front plugs in beside /v1 with its own routes, its own signature scheme and its own way of
//! wording a refusal, through the shared request layer, without touching control: the way the
//! clouds' compatible APIs and the console will. Each scheme authorizes only its own front.

use axum::Router;
use axum::extract::Extension;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::future::BoxFuture;
use xconnect_api::AppState;
use xconnect_api::request::{Scheme, Signed, signed};
use xconnect_control::{Caller, Control, Quotas, Sealer, default_catalog};
use xconnect_model::version::{Build, VERSION_HEADER};
use xconnect_model::{Error, RequestId};
use xconnect_store::testing::{Kind, TestDatabase};

/// A toy scheme: `x-toy-key: <access key id>:<secret>`, in the clear.
struct Toy;

impl Scheme for Toy {
    fn caller<'a>(&'a self, state: &'a AppState, req: Signed<'a>) -> BoxFuture<'a, Result<Caller, Error>> {
        Box::pin(async move {
            let refused = || Error::Unauthenticated {
                problem: xconnect_model::error::AuthProblem::MissingSignature,
                message: "send x-toy-key".into(),
            };
            let given = req.headers.get("x-toy-key").and_then(|v| v.to_str().ok()).ok_or_else(refused)?;
            let (id, secret) = given.split_once(':').ok_or_else(refused)?;
            match state.control.access_key_material(id).await? {
                Some(k) if k.secret == secret => Ok(Caller {
                    account: k.account,
                    access_key_id: Some(k.access_key_id),
                    request_id: req.request_id.clone(),
                    nonce: None,
                }),
                _ => Err(refused()),
            }
        })
    }
}

/// The toy front words its refusals as plain text with its own status, as a cloud's front would
/// use that cloud's body.
fn toy_refusal(e: Error, id: &RequestId) -> Response {
    (axum::http::StatusCode::IM_A_TEAPOT, format!("toy refuses {}: {e} ({id})", e.code())).into_response()
}

fn toy_front(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/toy/whoami", get(|Extension(c): Extension<Caller>| async move { c.account.name.as_str().to_owned() }));
    signed(routes, state, Toy, toy_refusal)
}

/// A server on a fresh SQLite store with the toy front beside /v1: its endpoint, the operator's
/// key, and the database (kept for as long as the server is used).
async fn toy_server(settings: &xconnect_api::Settings) -> (String, xconnect_model::AccessKeySecret, TestDatabase) {
    let db = TestDatabase::new(Kind::Sqlite).await;
    let control =
        Control::new(db.open().await, default_catalog(), Sealer::new(&Sealer::generate_key()), Quotas::default());
    let key = control.operator_bootstrap().await.unwrap().unwrap();
    let app = xconnect_api::router_with(control, settings, &[toy_front]).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (endpoint, key, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_front_brings_its_own_scheme_and_refusals_and_each_scheme_opens_only_its_front() {
    let settings = xconnect_api::Settings { build: Build::new("0.1.0", "1a2b3c4"), ..Default::default() };
    let (endpoint, key, _db) = toy_server(&settings).await;
    let http = reqwest::Client::new();

    let toy_key = format!("{}:{}", key.access_key_id, key.access_key_secret);
    let answer = http.get(format!("{endpoint}/toy/whoami")).header("x-toy-key", &toy_key).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().contains_key(xconnect_api::REQUEST_ID_HEADER), "the shared layer gave it an id");
    assert_eq!(answer.headers()[VERSION_HEADER], "0.1.0 (commit 1a2b3c4)", "and named the server's build");
    assert_eq!(answer.text().await.unwrap(), "operator");

    let wrong = http.get(format!("{endpoint}/toy/whoami")).header("x-toy-key", "ak:nope").send().await.unwrap();
    assert_eq!(wrong.status(), 418, "refused in the front's own words");
    assert!(wrong.text().await.unwrap().starts_with("toy refuses Unauthenticated"));

    // The toy's credentials open nothing under /v1, whose scheme is ACS3-HMAC-SHA256.
    let rest = http.get(format!("{endpoint}/v1/caller")).header("x-toy-key", &toy_key).send().await.unwrap();
    assert_eq!(rest.status(), 401);
    let body: serde_json::Value = rest.json().await.unwrap();
    assert_eq!(body["code"], "Unauthenticated.MissingSignature");
}

/// One account's rate holds across fronts: requests on the toy front and on /v1 draw on the
/// same bucket, and each front's refusal says when to retry, in its own words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_counts_an_account_across_fronts_and_says_when_to_retry() {
    let settings =
        xconnect_api::Settings { throttle: Some(xconnect_api::Rate { per_second: 1, burst: 2 }), ..Default::default() };
    let (endpoint, key, _db) = toy_server(&settings).await;
    let http = reqwest::Client::new();
    let toy_key = format!("{}:{}", key.access_key_id, key.access_key_secret);
    for _ in 0..2 {
        let answer = http.get(format!("{endpoint}/toy/whoami")).header("x-toy-key", &toy_key).send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    let toy = http.get(format!("{endpoint}/toy/whoami")).header("x-toy-key", &toy_key).send().await.unwrap();
    assert_eq!(toy.status(), 418, "refused in the toy's words");
    assert_eq!(toy.headers()["retry-after"], "1");
    assert!(toy.text().await.unwrap().starts_with("toy refuses Throttling.User"));

    let operator = xconnect_client::Client::new(xconnect_client::Credentials {
        endpoint: endpoint.clone(),
        access_key_id: key.access_key_id.to_string(),
        access_key_secret: key.access_key_secret.clone(),
    })
    .unwrap();
    let e = operator.caller().await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(429), Some("Throttling.User")), "the same bucket: {e}");
    // A bad signature names no account, so it is judged (401), not throttled.
    let unsigned = http.get(format!("{endpoint}/v1/caller")).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
}

/// A request's head must arrive within the listener's bound, and a kept-alive connection may
/// not sit idle past it: a client that trickles its headers (or says nothing) does not hold a
/// connection for ever. A complete request on the same listener is answered as always.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_that_does_not_arrive_in_time_ends_its_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDatabase::new(Kind::Sqlite).await;
    let control =
        Control::new(db.open().await, default_catalog(), Sealer::new(&Sealer::generate_key()), Quotas::default());
    let app = xconnect_api::router(control).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bound = std::time::Duration::from_millis(500);
    tokio::spawn(xconnect_api::serve_with_header_timeout(listener, app, std::future::pending(), bound));
    // Far longer than the bound, so the test waits on the server, never the other way round.
    let wait = std::time::Duration::from_secs(20);

    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: xconnect\r\n").await.unwrap();
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(wait, slow.read_to_end(&mut rest)).await;
    assert!(matches!(ended, Ok(Ok(_))), "the half-sent head's connection is closed: {ended:?}");
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"), "and nothing was answered as if it had come");

    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: xconnect\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let ended = tokio::time::timeout(wait, idle.read_to_end(&mut answer)).await;
    assert!(matches!(ended, Ok(Ok(_))), "the idle kept-alive connection is closed: {ended:?}");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("ok\n"), "its request was answered: {answer}");
}
