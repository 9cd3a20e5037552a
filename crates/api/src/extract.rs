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
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            let reason = if bytes.is_empty() { "a JSON object is required".to_owned() } else { e.to_string() };
            ApiError::new(Error::invalid("body", reason), &id)
        })
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
