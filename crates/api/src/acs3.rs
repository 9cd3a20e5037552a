//! The REST front's signature scheme: ACS3-HMAC-SHA256 in headers. A request must carry a valid
//! signature and be dated within the allowed skew of the server's clock; a request that passes
//! gets its [`Caller`], whose nonce the shared replay rules then check.

use axum::http::HeaderMap;
use futures_util::future::BoxFuture;
use time::OffsetDateTime;
use xconnect_control::{Caller, SignedNonce};
use xconnect_model::error::AuthProblem;
use xconnect_model::{Error, RequestId};
use xconnect_sign as sign;

use crate::AppState;
use crate::request::{MAX_SKEW, Scheme, Signed};

/// ACS3-HMAC-SHA256, as Alibaba Cloud's V3 SDKs and xconnect's own client sign.
pub struct Acs3;

impl Scheme for Acs3 {
    fn caller<'a>(&'a self, state: &'a AppState, req: Signed<'a>) -> BoxFuture<'a, Result<Caller, Error>> {
        Box::pin(verify(state, req.method, req.uri, req.headers, req.body, req.now, req.request_id))
    }
}

fn unauthenticated(problem: AuthProblem, message: impl Into<String>) -> Error {
    Error::Unauthenticated { problem, message: message.into() }
}

async fn verify(
    state: &AppState,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
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
                format!("'{name}' cannot be signed: it carries the signature; sign the other headers you send"),
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
            format!("x-acs-date '{date}' is not a time like 2026-11-22T10:22:32Z in the years 1 to 9999"),
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
    // The nonce is checked after the signature (by the shared replay rules), so that only
    // requests with a valid signature take room among the remembered nonces.
    let nonce = SignedNonce {
        access_key_id: key.access_key_id.clone(),
        nonce: nonce.to_owned(),
        dated: date.unix_timestamp(),
        expires_at: date.unix_timestamp() + crate::request::window(),
    };
    Ok(Caller {
        account: key.account,
        access_key_id: Some(key.access_key_id),
        request_id: request_id.clone(),
        nonce: Some(nonce),
    })
}
