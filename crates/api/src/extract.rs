//! Request extractors that report malformed input as the service's own errors (a JSON body
//! with a code), where axum's defaults would answer in plain text.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use xconnect_model::{Error, RequestId};

use crate::error::ApiError;

/// The request id the outermost layer gave this request.
fn request_id(parts: &Parts) -> RequestId {
    parts.extensions.get::<RequestId>().cloned().unwrap_or_else(|| RequestId::from_trusted("req-unknown".into()))
}

/// A JSON object sent as `application/json`; any other content type, a body that is not an
/// object, unknown fields, wrong types and broken JSON are a 400 `InvalidParameter`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let id = request_id(&parts);
        let json = parts.headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let media = v.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
        });
        if !json {
            let e = Error::invalid("content-type", "send the body as JSON, with Content-Type: application/json");
            return Err(ApiError::new(e, &id));
        }
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::new(Error::invalid("body", e.body_text()), &id))?;
        // serde reads a struct from a JSON array too, field by field in order; a request is an
        // object with named fields, so anything else is refused before it is read.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b != b'{') {
            return Err(ApiError::new(Error::invalid("body", "the body must be a JSON object"), &id));
        }
        let bad = |reason: String| ApiError::new(Error::invalid("body", reason), &id);
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| bad(if bytes.is_empty() { "a JSON object is required".to_owned() } else { e.to_string() }))?;
        integral(&mut value);
        T::deserialize(value).map(JsonBody).map_err(|e| bad(e.to_string()))
    }
}

/// Writes every number with no fraction (`2.0`, `1e3`) as the integer it is: JSON, and the
/// OpenAPI document's `integer`, make no difference between them, and serde would refuse the
/// first form where a field is an integer.
fn integral(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // An integral float in the range of an i64 converts exactly (serde_json reads the
            // decimal exactly, with float_roundtrip); beyond, it is left as it came, and refused
            // where an integer is due.
            if f.fract() == 0.0 && (-(2f64.powi(63))..2f64.powi(63)).contains(&f) {
                *v = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral),
        _ => {}
    }
}

/// Query parameters; unknown ones and malformed values are a 400 `InvalidParameter`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|e| ApiError::new(Error::invalid("query", e), &request_id(parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_are_read_as_integers() {
        let mut v: serde_json::Value =
            serde_json::from_str(r#"{"a": 2.0, "b": [1e3, 1.5], "c": 3797619247093286.0, "d": 1e300, "e": 4e18}"#)
                .unwrap();
        integral(&mut v);
        assert_eq!(v["a"], serde_json::json!(2));
        assert_eq!(v["b"], serde_json::json!([1000, 1.5]));
        assert_eq!(v["c"], serde_json::json!(3797619247093286_i64));
        assert_eq!(v["e"], serde_json::json!(4_000_000_000_000_000_000_i64));
        assert!(v["d"].is_f64(), "beyond an i64 a float stays a float, and is refused where an integer is due");
    }
}
