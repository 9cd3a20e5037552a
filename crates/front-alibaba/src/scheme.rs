//! The two signatures Alibaba's SDKs send. A request with a `Signature` parameter is signed
//! with the V1 RPC signature (HMAC-SHA1: the legacy SDKs, and the V3 ones in `v2` mode); any
//! other with ACS3-HMAC-SHA256 in its `Authorization` header, checked exactly as on `/v1`. The
//! skew and the nonce rules are the same for both, and the shared request layer applies the
//! nonce's.

use futures_util::future::BoxFuture;
use time::OffsetDateTime;
use xconnect_api::AppState;
use xconnect_api::request::{MAX_SKEW, Scheme, Signed, window};
use xconnect_control::{Caller, SignedNonce};
use xconnect_model::Error;
use xconnect_model::error::AuthProblem;
use xconnect_sign as sign;

use crate::params::Params;

pub struct Rpc;

impl Scheme for Rpc {
    fn caller<'a>(&'a self, state: &'a AppState, req: Signed<'a>) -> BoxFuture<'a, Result<Caller, Error>> {
        Box::pin(async move {
            let params = Params::read(req.uri, req.headers, req.body)?;
            if params.pairs().any(|(k, _)| k == sign::rpc::SIGNATURE) {
                v1(state, &params, &req).await
            } else {
                xconnect_api::Acs3.caller(state, req).await
            }
        })
    }
}

fn refused(problem: AuthProblem, message: impl Into<String>) -> Error {
    Error::Unauthenticated { problem, message: message.into() }
}

async fn v1(state: &AppState, p: &Params, req: &Signed<'_>) -> Result<Caller, Error> {
    let missing = |name: &str| refused(AuthProblem::MissingSignature, format!("the signed request has no {name}"));
    let method = p.get("SignatureMethod").ok_or_else(|| missing("SignatureMethod"))?;
    if method != "HMAC-SHA1" {
        return Err(refused(AuthProblem::MalformedSignature, format!("SignatureMethod '{method}' is not HMAC-SHA1")));
    }
    if let Some(v) = p.get("SignatureVersion").filter(|v| *v != "1.0") {
        return Err(refused(AuthProblem::MalformedSignature, format!("SignatureVersion '{v}' is not 1.0")));
    }
    let key_id = p.get("AccessKeyId").ok_or_else(|| missing("AccessKeyId"))?;
    let stamp = p.get("Timestamp").ok_or_else(|| missing("Timestamp"))?;
    let date = sign::parse_date(stamp).ok_or_else(|| {
        refused(
            AuthProblem::MalformedSignature,
            format!("Timestamp '{stamp}' is not a UTC time like 2026-12-01T21:50:10Z"),
        )
    })?;
    let skew = (req.now - date).abs();
    if skew > MAX_SKEW {
        return Err(refused(
            AuthProblem::RequestExpired,
            format!(
                "Timestamp {stamp} is {} s away from the server's time {}; the limit is {} s: check the clock",
                skew.whole_seconds(),
                sign::format_date(req.now),
                MAX_SKEW.as_secs()
            ),
        ));
    }
    let nonce = p.get("SignatureNonce").ok_or_else(|| missing("SignatureNonce"))?;
    if nonce.len() > 128 {
        return Err(refused(AuthProblem::MalformedSignature, "SignatureNonce must be 1 to 128 characters"));
    }
    let Some(key) = state.control.access_key_material(key_id).await? else {
        return Err(refused(AuthProblem::UnknownAccessKey, format!("access key '{key_id}' does not exist")));
    };
    let string_to_sign = sign::rpc::string_to_sign(req.method.as_str(), p.pairs());
    let given = p.get(sign::rpc::SIGNATURE).unwrap_or_default();
    if !sign::signatures_equal(&sign::rpc::signature(&key.secret, &string_to_sign), given) {
        // Alibaba's words, with the string to sign after the colon: the legacy SDKs compare it
        // with their own to tell a wrong secret from a request built differently.
        return Err(refused(
            AuthProblem::SignatureMismatch,
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        ));
    }
    let dated = date_seconds(date);
    Ok(Caller {
        account: key.account,
        access_key_id: Some(key.access_key_id.clone()),
        request_id: req.request_id.clone(),
        nonce: Some(SignedNonce {
            access_key_id: key.access_key_id,
            nonce: nonce.to_owned(),
            dated,
            expires_at: dated + window(),
        }),
    })
}

fn date_seconds(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}
