//! Signature verification: every request under /v1 (but the OpenAPI document) must carry a
//! valid ACS3-HMAC-SHA256 signature, be dated within the allowed skew of the server's clock, and
//! use a nonce not seen within that window. A request that passes gets its [`Caller`].

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use xconnect_control::{Caller, SignedNonce};
use xconnect_model::error::AuthProblem;
use xconnect_model::{Error, RequestId};
use xconnect_sign as sign;

use crate::AppState;
use crate::error::ApiError;

/// How far a request's date may be from the server's clock, either way.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// The largest body the API reads.
pub const MAX_BODY: usize = 1024 * 1024;

/// Nonces used within the replay window. A nonce is remembered until the date it was sent with
/// leaves the window, after which the date check alone refuses a replay. Each is kept as a
/// 64-bit keyed hash of the access key and the nonce: a busy server sees millions of nonces in a
/// window, and a hash takes a fifth of the memory of the strings. The hash key is random per
/// process, so a client cannot make two nonces collide on purpose; by chance, two of a billion
/// collide with a probability of about 3 in 100 million.
///
/// The cache lives in this process: servers sharing one PostgreSQL database each keep their own,
/// so a request replayed to another server within the window is not caught by the nonce (its
/// signature, date and body still are).
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

fn unauthenticated(problem: AuthProblem, message: impl Into<String>) -> Error {
    Error::Unauthenticated { problem, message: message.into() }
}

/// The middleware: buffers the body, checks the signature, and hands the request on with its
/// [`Caller`] in the extensions.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().cloned().expect("the request id layer runs first");
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let e = Error::invalid("body", format_args!("the body is larger than {MAX_BODY} bytes or was cut off"));
            return ApiError::new(e, &request_id).into_response();
        }
    };
    let now = OffsetDateTime::now_utc();
    match verify(&state, &parts.method, &parts.uri, &parts.headers, &bytes, now, &request_id).await {
        Ok(caller) => {
            let mut req = Request::from_parts(parts, Body::from(bytes));
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => ApiError::new(e, &request_id).into_response(),
    }
}

async fn verify(
    state: &AppState,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
    now: OffsetDateTime,
    request_id: &RequestId,
) -> Result<Caller, Error> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let auth = header("authorization").ok_or_else(|| {
        unauthenticated(
            AuthProblem::MissingSignature,
            "sign the request: an ACS3-HMAC-SHA256 Authorization header is required",
        )
    })?;
    let auth = sign::parse_authorization(auth).map_err(|e| unauthenticated(AuthProblem::MalformedSignature, e))?;
    for required in sign::REQUIRED_SIGNED_HEADERS {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(unauthenticated(
                AuthProblem::MissingSignature,
                format!("SignedHeaders must include {}", sign::REQUIRED_SIGNED_HEADERS.join(", ")),
            ));
        }
    }
    let mut signed = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        if !sign::is_signable_header(name) {
            return Err(unauthenticated(
                AuthProblem::MalformedSignature,
                format!("'{name}' cannot be signed: sign host, content-type and x-acs-* headers"),
            ));
        }
        let values: Vec<&str> = headers.get_all(name.as_str()).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            return Err(unauthenticated(AuthProblem::MissingSignature, format!("signed header '{name}' is missing")));
        }
        for v in values {
            signed.push((name.clone(), v.to_owned()));
        }
    }

    let date = header(sign::HEADER_DATE).unwrap_or_default();
    let date = sign::parse_date(date).ok_or_else(|| {
        unauthenticated(
            AuthProblem::MalformedSignature,
            format!("x-acs-date '{date}' is not a time like 2026-11-22T10:22:32Z"),
        )
    })?;
    let skew = (now - date).abs();
    if skew > MAX_SKEW {
        return Err(unauthenticated(
            AuthProblem::RequestExpired,
            format!(
                "x-acs-date {} is {} s away from the server's time {}; the limit is {} s: check the clock",
                sign::format_date(date),
                skew.whole_seconds(),
                sign::format_date(now),
                MAX_SKEW.as_secs()
            ),
        ));
    }
    let content_sha = header(sign::HEADER_CONTENT_SHA256).unwrap_or_default();
    if content_sha != sign::sha256_hex(body) {
        return Err(unauthenticated(
            AuthProblem::ContentHashMismatch,
            "x-acs-content-sha256 is not the SHA-256 of the body that arrived",
        ));
    }
    let nonce = header(sign::HEADER_NONCE).unwrap_or_default();
    if nonce.is_empty() || nonce.len() > 128 {
        return Err(unauthenticated(
            AuthProblem::MalformedSignature,
            "x-acs-signature-nonce must be 1 to 128 characters",
        ));
    }

    let Some(key) = state.control.access_key_material(&auth.access_key_id).await? else {
        return Err(unauthenticated(
            AuthProblem::UnknownAccessKey,
            format!("access key '{}' does not exist", auth.access_key_id),
        ));
    };
    let query = sign::parse_query(uri.query().unwrap_or(""))
        .ok_or_else(|| unauthenticated(AuthProblem::MalformedSignature, "the query string has a broken %-escape"))?;
    let path = sign::percent_decode(uri.path())
        .ok_or_else(|| unauthenticated(AuthProblem::MalformedSignature, "the path has a broken %-escape"))?;
    let parts = sign::RequestParts {
        method: method.as_str(),
        path: &path,
        query: &query,
        headers: &signed,
        content_sha256: content_sha,
    };
    let expected = sign::signature(&key.secret, &parts);
    if !sign::signatures_equal(&expected, &auth.signature) {
        return Err(unauthenticated(
            AuthProblem::SignatureMismatch,
            "the signature does not match: check the secret, and that the canonical request is built as \
             ACS3-HMAC-SHA256 specifies",
        ));
    }
    // Checked last, so that only requests with a valid signature take room in the cache.
    // The date may carry a fraction of a second, and the skew check is exact: the nonce is kept
    // until the whole second after the last moment the date is accepted in.
    let expires = date.unix_timestamp() + MAX_SKEW.as_secs() as i64 + 1;
    if !state.nonces.first_use(key.access_key_id.as_str(), nonce, now.unix_timestamp(), expires) {
        return Err(unauthenticated(
            AuthProblem::NonceReused,
            "x-acs-signature-nonce was already used; send a fresh random nonce with every request",
        ));
    }
    let nonce = SignedNonce { access_key_id: key.access_key_id.clone(), nonce: nonce.to_owned(), expires_at: expires };
    Ok(Caller {
        account: key.account,
        access_key_id: Some(key.access_key_id),
        request_id: request_id.clone(),
        nonce: Some(nonce),
    })
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
