//! The signature check: a request that is unsigned, signed with the wrong secret, for another
//! path, with a body other than the one hashed, dated outside the window, or with a nonce
//! already used is refused with 401 and its own code, and changes nothing.

use xconnect_client::Credentials;
use xconnect_sign::format_date;

use crate::harness::{Server, Tamper, raw};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signatures_are_refused_and_change_nothing() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let creds: Credentials = a.credentials().clone();
    let body = br#"{"region":"cn-qingdao","cidr_block":"10.0.0.0/16"}"#;
    let before = server.snapshot().await;
    let stale = format_date(time::OffsetDateTime::now_utc() - time::Duration::minutes(20));
    let future = format_date(time::OffsetDateTime::now_utc() + time::Duration::minutes(16));
    let ghost = Credentials { access_key_id: "ak-aaaaaaaaaaaaaaaaaaaaaaaa".into(), ..creds.clone() };
    let cases: Vec<(&str, &Credentials, Tamper, &str)> = vec![
        (
            "no signature",
            &creds,
            Tamper { no_authorization: true, ..Default::default() },
            "Unauthenticated.MissingSignature",
        ),
        (
            "wrong secret",
            &creds,
            Tamper { secret: Some("guess".into()), ..Default::default() },
            "Unauthenticated.SignatureMismatch",
        ),
        (
            "signed another path",
            &creds,
            Tamper { signed_path: Some("/v1/regions".into()), ..Default::default() },
            "Unauthenticated.SignatureMismatch",
        ),
        (
            "stale timestamp",
            &creds,
            Tamper { date: Some(stale), ..Default::default() },
            "Unauthenticated.RequestExpired",
        ),
        (
            "timestamp from the future",
            &creds,
            Tamper { date: Some(future), ..Default::default() },
            "Unauthenticated.RequestExpired",
        ),
        (
            // Year 10000 in UTC: formatting it for the expiry message panicked, and the client
            // got no answer at all.
            "a timestamp past the year 9999",
            &creds,
            Tamper { date: Some("9999-12-31T23:59:59-01:00".into()), ..Default::default() },
            "Unauthenticated.MalformedSignature",
        ),
        (
            "a timestamp in the year 0",
            &creds,
            Tamper { date: Some("0000-01-01T00:30:00+01:00".into()), ..Default::default() },
            "Unauthenticated.MalformedSignature",
        ),
        (
            "garbled timestamp",
            &creds,
            Tamper { date: Some("yesterday".into()), ..Default::default() },
            "Unauthenticated.MalformedSignature",
        ),
        (
            "body not the hashed one",
            &creds,
            Tamper { content_sha256: Some(xconnect_sign::sha256_hex(b"{}")), ..Default::default() },
            "Unauthenticated.ContentHashMismatch",
        ),
        ("unknown key", &ghost, Tamper::default(), "Unauthenticated.UnknownAccessKey"),
    ];
    for (what, creds, tamper, code) in cases {
        let (status, answer) = raw(&server.endpoint, creds, "POST", "/v1/vpcs", body, tamper).await;
        assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, code), "{what}: {answer}");
        assert!(answer["request_id"].as_str().unwrap().starts_with("req-"), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "no refused request changed anything");

    // A nonce works once; the same signed request sent again is a replay.
    let nonce = Tamper { nonce: Some("5b3c8f0a0b6e4d1c9f2a7e6d5c4b3a29".into()), ..Default::default() };
    let (status, _) = raw(&server.endpoint, &creds, "POST", "/v1/vpcs", body, nonce.clone()).await;
    assert_eq!(status, 201);
    let after_first = server.snapshot().await;
    let (status, answer) = raw(&server.endpoint, &creds, "POST", "/v1/vpcs", body, nonce).await;
    assert_eq!((status, answer["code"].as_str().unwrap()), (401, "Unauthenticated.NonceReused"));
    assert_eq!(server.snapshot().await, after_first, "the replay made no second VPC");
}

/// Nonces of changes are kept in the store: a change replayed to another server on the same
/// database is refused too. Two live servers share a PostgreSQL database, never an SQLite file
/// (one server owns its data directory), so the twin runs there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_change_is_refused_by_another_server() {
    let server = Server::start_on(xconnect_store::testing::Kind::Postgres).await;
    let twin = server.twin().await;
    let a = server.tenant("A").await;
    let creds: Credentials = a.credentials().clone();
    let body = br#"{"region":"cn-qingdao","cidr_block":"10.0.0.0/16"}"#;
    let nonce = Tamper { nonce: Some("0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50".into()), ..Default::default() };
    let (status, _) = raw(&server.endpoint, &creds, "POST", "/v1/vpcs", body, nonce.clone()).await;
    assert_eq!(status, 201);
    let after_first = server.snapshot().await;

    let (status, answer) = raw(&twin.endpoint, &creds, "POST", "/v1/vpcs", body, nonce.clone()).await;
    assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, "Unauthenticated.NonceReused"), "{answer}");
    assert_eq!(server.snapshot().await, after_first, "the replay made no second VPC");

    // A refused change keeps its nonce as well: replayed once the state has changed (the
    // vswitch it overlapped is gone), it must not succeed.
    let vpc = a.vpc_list(&Default::default()).await.unwrap().items.remove(0);
    let make =
        |cidr: &str| format!(r#"{{"vpc_id":"{}","zone":"cn-qingdao-b","cidr_block":"{cidr}"}}"#, vpc.id).into_bytes();
    let first = a.vswitch_create(&serde_json::from_slice(&make("10.0.0.0/24")).unwrap()).await.unwrap();
    let overlapping = make("10.0.0.0/23");
    let once = Tamper { nonce: Some("aa1e2f3a4b5c6d7e8f9a0b1c2d3e4f50".into()), ..Default::default() };
    let (status, answer) = raw(&server.endpoint, &creds, "POST", "/v1/vswitches", &overlapping, once.clone()).await;
    assert_eq!((status, answer["code"].as_str().unwrap()), (409, "VSwitch.CidrOverlap"));
    a.vswitch_delete(first.id.as_str()).await.unwrap();
    let (status, answer) = raw(&twin.endpoint, &creds, "POST", "/v1/vswitches", &overlapping, once).await;
    assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, "Unauthenticated.NonceReused"), "{answer}");
    assert!(a.vswitch_list(&Default::default()).await.unwrap().items.is_empty());
}

/// A restarted server has none of its predecessor's memory, yet refuses every request that
/// predecessor answered: reads too, whose nonces it never stored. One dated before the start is
/// refused by its date; one dated ahead of the clock had its nonce stored, and is read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_read_is_refused_after_a_restart() {
    let server = Server::start().await;
    let a = server.tenant("A").await;
    let creds: Credentials = a.credentials().clone();
    // A replay is the same request: the same nonce and the same date.
    let read = Tamper {
        nonce: Some("1c0ffee0000000000000000000000001".into()),
        date: Some(xconnect_sign::format_date(time::OffsetDateTime::now_utc())),
        ..Default::default()
    };
    let (status, _) = raw(&server.endpoint, &creds, "GET", "/v1/caller", b"", read.clone()).await;
    assert_eq!(status, 200);
    // Two seconds ahead: still ahead when it is first sent, in the past when it is replayed.
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let ahead = Tamper {
        nonce: Some("1c0ffee0000000000000000000000002".into()),
        date: Some(xconnect_sign::format_date(ahead)),
        ..Default::default()
    };
    let (status, _) = raw(&server.endpoint, &creds, "POST", "/v1/connectivity-tests", b"{}", ahead.clone()).await;
    assert_eq!(status, 400, "answered (refused for its empty body) only after its nonce was stored");

    let restarted = server.restart().await;
    let (status, answer) = raw(&restarted.endpoint, &creds, "GET", "/v1/caller", b"", read).await;
    assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, "Unauthenticated.DatedBeforeStart"), "{answer}");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, answer) = raw(&restarted.endpoint, &creds, "POST", "/v1/connectivity-tests", b"{}", ahead).await;
    assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, "Unauthenticated.NonceReused"), "{answer}");

    // A request signed now is answered, a second time refused by the restarted server's memory.
    let fresh = Tamper {
        nonce: Some("1c0ffee0000000000000000000000003".into()),
        date: Some(xconnect_sign::format_date(time::OffsetDateTime::now_utc())),
        ..Default::default()
    };
    let (status, _) = raw(&restarted.endpoint, &creds, "GET", "/v1/caller", b"", fresh.clone()).await;
    assert_eq!(status, 200);
    let (status, answer) = raw(&restarted.endpoint, &creds, "GET", "/v1/caller", b"", fresh).await;
    assert_eq!((status, answer["code"].as_str().unwrap_or("")), (401, "Unauthenticated.NonceReused"), "{answer}");
}

/// A supervisor and a load balancer ask without a signature: `/healthz` while the process
/// answers, `/readyz` while its store answers too, and a 503 with the error body once it does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_need_no_signature() {
    let server = Server::start_on(xconnect_store::testing::Kind::Postgres).await;
    for (path, said) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let answer = reqwest::get(format!("{}{path}", server.endpoint)).await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(answer.text().await.unwrap(), said);
    }
    server.lose_database().await;
    let answer = reqwest::get(format!("{}/readyz", server.endpoint)).await.unwrap();
    assert_eq!(answer.status(), 503);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "ServiceUnavailable", "{body}");
    assert_eq!(reqwest::get(format!("{}/healthz", server.endpoint)).await.unwrap().status(), 200, "still alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_needs_no_signature() {
    let server = Server::start().await;
    let doc = reqwest::get(format!("{}/v1/openapi.json", server.endpoint)).await.unwrap();
    assert_eq!(doc.status(), 200);
    let doc: serde_json::Value = doc.json().await.unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    // Everything else does.
    let regions = reqwest::get(format!("{}/v1/regions", server.endpoint)).await.unwrap();
    assert_eq!(regions.status(), 401);
}
