//! The one place where the service's errors become HTTP answers: a status per category and a
//! JSON body with the stable code, the message and the request id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xconnect_model::error::Category;
use xconnect_model::wire::ErrorBody;
use xconnect_model::{Error, RequestId};

/// An error on its way out, with the id of the request it answers.
#[derive(Debug)]
pub struct ApiError {
    pub error: Error,
    pub request_id: RequestId,
}

impl ApiError {
    pub fn new(error: Error, request_id: &RequestId) -> ApiError {
        ApiError { error, request_id: request_id.clone() }
    }

    /// The JSON body every refusal carries.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.error.code().to_owned(),
            message: self.error.to_string(),
            request_id: self.request_id.to_string(),
        }
    }
}

pub fn status(category: Category) -> StatusCode {
    match category {
        Category::BadRequest => StatusCode::BAD_REQUEST,
        Category::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Category::Unauthenticated => StatusCode::UNAUTHORIZED,
        Category::Forbidden => StatusCode::FORBIDDEN,
        Category::NotFound => StatusCode::NOT_FOUND,
        Category::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Category::Conflict => StatusCode::CONFLICT,
        Category::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        Category::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Category::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status(self.error.category());
        if let Error::Internal { detail } = &self.error {
            // The caller sees only that it failed; the detail stays in the log under the id.
            tracing::error!(request_id = %self.request_id, %detail, "internal error");
        }
        (status, Json(self.body())).into_response()
    }
}
