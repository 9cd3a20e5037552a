//! What every front shares, whatever dialect it speaks: an id for each request before anything
//! else runs, a bounded body that must arrive in bounded time, the replay window and its nonces,
//! and a signature [`Scheme`] that turns a signed request into the [`Caller`] the control layer
//! authorizes. A front brings its routes, its scheme and the way it words a refusal; nothing here
//! knows which front it serves, and nothing in control knows how a request was signed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use futures_util::future::BoxFuture;
use time::OffsetDateTime;
use xconnect_control::{Caller, new_id};
use xconnect_model::{Error, RequestId};

use crate::AppState;

/// Header that carries the request id on every answer.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";
/// How far a request's date may be from the server's clock, either way.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// The largest body any front reads.
pub const MAX_BODY: usize = 1024 * 1024;
/// How long a body may take to arrive once the headers have. This bounds a client that trickles
/// its body; there is deliberately no limit on the handler itself, which would answer "failed"
/// while a write it cannot stop goes on and commits (the store bounds its own waits).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A request as a scheme sees it: everything it may sign, read whole.
pub struct Signed<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The server's clock when the request arrived.
    pub now: OffsetDateTime,
    pub request_id: &'a RequestId,
}

/// A way of signing requests: ACS3-HMAC-SHA256 for `/v1` today, and each compatible front's own
/// (Alibaba's V1 RPC signature, Huawei's SDK-HMAC-SHA256, the console's session cookie). It
/// checks the request and says whose it is; a request it refuses never reaches an operation.
/// Every scheme keeps the same replay rules: a date within [`MAX_SKEW`] and a nonce used once
/// ([`NonceCache`], and the store for changes).
pub trait Scheme: Send + Sync + 'static {
    fn caller<'a>(&'a self, state: &'a AppState, req: Signed<'a>) -> BoxFuture<'a, Result<Caller, Error>>;
}

/// How a front words a refusal: the REST front's JSON error body, or a cloud's own.
pub type Refuse = fn(Error, &RequestId) -> Response;

/// Puts `routes` behind `scheme`: the body is read (at most [`MAX_BODY`], within
/// [`BODY_TIMEOUT`]), the scheme names the caller, and the request goes on with its [`Caller`]
/// in the extensions; any refusal is worded by `refuse`.
pub fn signed<S: Scheme>(routes: Router<AppState>, state: &AppState, scheme: S, refuse: Refuse) -> Router<AppState> {
    let scheme = Arc::new(scheme);
    routes.route_layer(middleware::from_fn_with_state(state.clone(), move |state, req, next| {
        authenticate(state, scheme.clone(), refuse, req, next)
    }))
}

async fn authenticate<S: Scheme>(
    State(state): State<AppState>,
    scheme: Arc<S>,
    refuse: Refuse,
    req: Request,
    next: Next,
) -> Response {
    let request_id = req.extensions().get::<RequestId>().cloned().expect("the request id layer runs first");
    let (parts, body) = req.into_parts();
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            let e = Error::invalid("body", format_args!("the body is larger than {MAX_BODY} bytes or was cut off"));
            return refuse(e, &request_id);
        }
        Err(_) => {
            let e = Error::invalid(
                "body",
                format_args!("the body did not arrive within {} s of the headers", BODY_TIMEOUT.as_secs()),
            );
            return refuse(e, &request_id);
        }
    };
    let signed = Signed {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        body: &bytes,
        now: OffsetDateTime::now_utc(),
        request_id: &request_id,
    };
    match scheme.caller(&state, signed).await {
        Ok(caller) => {
            let mut req = Request::from_parts(parts, Body::from(Bytes::clone(&bytes)));
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => refuse(e, &request_id),
    }
}

/// Gives every request an id, before anything else runs, and echoes it in a header.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id: RequestId = new_id();
    req.extensions_mut().insert(id.clone());
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let mut resp = next.run(req).await;
    tracing::debug!(request_id = %id, %method, %path, status = resp.status().as_u16(), "answered");
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

/// Nonces used within the replay window. A nonce is remembered until the date it was sent with
/// leaves the window, after which the date check alone refuses a replay. Each is kept as a
/// 64-bit keyed hash of the access key and the nonce: a busy server sees millions of nonces in a
/// window, and a hash takes a fifth of the memory of the strings. The hash key is random per
/// process, so a client cannot make two nonces collide on purpose; by chance, two of a billion
/// collide with a probability of about 3 in 100 million.
///
/// The cache lives in this process: servers sharing one PostgreSQL database each keep their own,
/// so a read replayed to another server within the window is not caught by the nonce (its
/// signature, date and body still are); a change's nonce is kept in the store as well.
pub struct NonceCache {
    hasher: std::collections::hash_map::RandomState,
    inner: Mutex<Nonces>,
}

impl Default for NonceCache {
    fn default() -> NonceCache {
        NonceCache { hasher: std::collections::hash_map::RandomState::new(), inner: Mutex::default() }
    }
}

#[derive(Default)]
struct Nonces {
    /// Hash of (access key, nonce) to the unix second it may be forgotten at.
    seen: HashMap<u64, i64>,
    /// Insertion order with expiry, for pruning without scanning the map.
    order: VecDeque<(i64, u64)>,
}

impl NonceCache {
    /// Records `nonce` for `key` until `expires` (unix seconds); false if it was already there.
    pub fn first_use(&self, key: &str, nonce: &str, now: i64, expires: i64) -> bool {
        use std::hash::BuildHasher;
        let h = self.hasher.hash_one((key, nonce));
        let mut n = self.inner.lock().expect("nonce cache lock");
        while let Some(&(exp, old)) = n.order.front() {
            if exp > now {
                break;
            }
            n.order.pop_front();
            if n.seen.get(&old).is_some_and(|e| *e <= now) {
                n.seen.remove(&old);
            }
        }
        if n.seen.get(&h).is_some_and(|e| *e > now) {
            return false;
        }
        n.seen.insert(h, expires);
        n.order.push_back((expires, h));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_refused_until_they_expire() {
        let c = NonceCache::default();
        assert!(c.first_use("ak", "n1", 100, 200));
        assert!(!c.first_use("ak", "n1", 150, 250));
        assert!(c.first_use("other", "n1", 150, 250), "nonces are per key");
        assert!(c.first_use("ak", "n1", 201, 300), "after expiry the date check takes over");
        assert_eq!(c.inner.lock().unwrap().seen.len(), 2);
    }
}
