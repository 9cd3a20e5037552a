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
use xconnect_control::{Caller, Control, new_id};
use xconnect_model::error::AuthProblem;
use xconnect_model::{Error, RequestId};
use xconnect_sign as sign;

use crate::AppState;
use crate::observe::ActedFor;

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
/// A scheme checks that the date is within [`MAX_SKEW`]; the nonce it reports is then checked
/// here, by the same rules for every scheme ([`ReplayGuard`]).
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
    let now = OffsetDateTime::now_utc();
    let signed = Signed {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        body: &bytes,
        now,
        request_id: &request_id,
    };
    let caller = match scheme.caller(&state, signed).await {
        Ok(mut caller) => state.replays.admit(&state.control, &mut caller, now).await.map(|()| caller),
        Err(e) => Err(e),
    };
    let caller = match caller {
        Ok(caller) => caller,
        Err(e) => return refuse(e, &request_id),
    };
    let acted_for = ActedFor(caller.account.id.clone());
    // Throttled after the signature: only then is the account known, and a request refused
    // here has used its nonce, so its retry is signed anew like any other.
    let mut resp = match state.throttle.as_ref().map(|t| t.admit(&caller.account.id, std::time::Instant::now())) {
        Some(Err(e)) => {
            state.metrics.throttled.inc();
            // Added here rather than by each front's wording, so every front says when to retry.
            let after = match &e {
                Error::Throttled { retry_after, .. } => Some(HeaderValue::from(*retry_after)),
                _ => None,
            };
            let mut resp = refuse(e, &request_id);
            if let Some(after) = after {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, after);
            }
            resp
        }
        _ => {
            let mut req = Request::from_parts(parts, Body::from(Bytes::clone(&bytes)));
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
    };
    resp.extensions_mut().insert(acted_for);
    resp
}

/// Gives every request an id, before anything else runs, and echoes it in a header. Every
/// answer also names the server's build (`version`, the value of
/// [`VERSION_HEADER`](xconnect_model::version::VERSION_HEADER)), so that a client can tell
/// when it speaks to another build than its own.
pub async fn request_id(version: Option<HeaderValue>, mut req: Request, next: Next) -> Response {
    let id: RequestId = new_id();
    req.extensions_mut().insert(id.clone());
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    if let Some(v) = version {
        resp.headers_mut().insert(xconnect_model::version::VERSION_HEADER, v);
    }
    resp
}

/// The replay rules every scheme shares, applied once a scheme has checked a request's
/// signature and that its date is within [`MAX_SKEW`] of the server's clock: a nonce is used
/// once. Within this process the nonces are remembered here; across a restart, two rules hold:
///
/// - a request dated ahead of the server's clock has its nonce stored before it is answered;
/// - a request dated before this process started (the [fence](Self::start)) is refused.
///
/// So every request the previous process answered is refused after a restart: one it did not
/// store was dated no later than the moment it was answered, before this process started; one
/// dated after that was stored, and is read back at start. A change's nonce is stored with the
/// change as well, which is what refuses it on another server sharing the database. (A read
/// replayed to another live server within the window is not caught by its nonce; its
/// signature, date and body still are.)
///
/// Each nonce is kept as a 64-bit keyed hash of the access key and the nonce: a busy server
/// sees millions in a window, and a hash takes a fifth of the memory of the strings. The hash
/// key is random per process, so a client cannot make two nonces collide on purpose; by chance,
/// two of a billion collide with a probability of about 3 in 100 million.
pub struct ReplayGuard {
    hasher: std::collections::hash_map::RandomState,
    inner: Mutex<Nonces>,
    /// Requests dated before this unix second are refused.
    fence: i64,
}

#[derive(Default)]
struct Nonces {
    /// Hash of (access key, nonce) to the unix second it may be forgotten at.
    seen: HashMap<u64, i64>,
    /// Insertion order with expiry, for pruning without scanning the map.
    order: VecDeque<(i64, u64)>,
}

impl ReplayGuard {
    /// The guard of a process starting now. Its fence is the next whole second: request dates
    /// are whole seconds, and a request dated in the second this process started in may have
    /// been answered by the previous one. Reads back the stored nonces of requests dated from
    /// the fence on, then waits for the fence, so that a request signed once this returns is
    /// dated on or after it. Call it before the listener is open to clients.
    pub async fn start(control: &Control) -> Result<ReplayGuard, Error> {
        let started = OffsetDateTime::now_utc();
        let guard = ReplayGuard::with_fence(started.unix_timestamp() + 1);
        for n in control.request_nonces_dated_from(guard.fence, window()).await? {
            guard.first_use(n.access_key_id.as_str(), &n.nonce, started.unix_timestamp(), n.expires_at);
        }
        let fence = OffsetDateTime::from_unix_timestamp(guard.fence).expect("a second after now is a time");
        let wait = fence - OffsetDateTime::now_utc();
        if wait.is_positive() {
            tokio::time::sleep(wait.unsigned_abs()).await;
        }
        Ok(guard)
    }

    /// How many nonces are remembered now.
    pub fn remembered(&self) -> usize {
        self.inner.lock().expect("nonce cache lock").seen.len()
    }

    fn with_fence(fence: i64) -> ReplayGuard {
        ReplayGuard { hasher: std::collections::hash_map::RandomState::new(), inner: Mutex::default(), fence }
    }

    /// Admits `caller`'s request by its nonce, or refuses it as a possible replay. A nonce this
    /// stores is taken off the caller, so that a change does not store it a second time.
    async fn admit(&self, control: &Control, caller: &mut Caller, now: OffsetDateTime) -> Result<(), Error> {
        let Some(n) = &caller.nonce else { return Ok(()) };
        if n.dated < self.fence {
            return Err(Error::Unauthenticated {
                problem: AuthProblem::DatedBeforeStart,
                message: format!(
                    "the request is dated before this server started ({}): a request signed then may have \
                     been answered before a restart; sign it again with the current time",
                    sign::format_date(OffsetDateTime::from_unix_timestamp(self.fence).expect("a time"))
                ),
            });
        }
        let ahead = n.dated > now.unix_timestamp();
        if !self.first_use(n.access_key_id.as_str(), &n.nonce, now.unix_timestamp(), n.expires_at)
            || (ahead && !control.request_nonce_store(n).await?)
        {
            return Err(Error::nonce_reused());
        }
        if ahead {
            caller.nonce = None;
        }
        Ok(())
    }

    /// Records `nonce` for `key` until `expires` (unix seconds); false if it was already there.
    fn first_use(&self, key: &str, nonce: &str, now: i64, expires: i64) -> bool {
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

/// How long after its date a request's nonce is kept, in whole seconds: the skew allowed, and
/// the second a fraction of the date may reach into (the skew check is exact).
pub fn window() -> i64 {
    MAX_SKEW.as_secs() as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_refused_until_they_expire() {
        let c = ReplayGuard::with_fence(0);
        assert!(c.first_use("ak", "n1", 100, 200));
        assert!(!c.first_use("ak", "n1", 150, 250));
        assert!(c.first_use("other", "n1", 150, 250), "nonces are per key");
        assert!(c.first_use("ak", "n1", 201, 300), "after expiry the date check takes over");
        assert_eq!(c.inner.lock().unwrap().seen.len(), 2);
    }
}
