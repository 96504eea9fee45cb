//! The one place errors become HTTP answers. Every error answer has CONTRACT.md's shape
//! `{"errors": [{"path", "code", "message"}]}`; internal details are logged, never shown.
//! In the OpenAPI document that body is the schema of [`tamga_types::FieldErrors`], and
//! `crate::openapi` adds the answers every operation shares (401, 403, 400/413, 404, 409).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tamga_types::{FieldError, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON, or a query parameter is malformed.
    #[error("bad request: {0}")]
    BadRequest(FieldErrors),
    /// 401: no valid token.
    #[error("unauthenticated")]
    Unauthenticated,
    /// 403: authenticated but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: absent, or not visible to the caller (never tell which).
    #[error("not found")]
    NotFound,
    /// 409: the state of the record forbids it (`control_pending`, `unpaid`, …).
    #[error("conflict: {0}")]
    Conflict(FieldErrors),
    /// 413: body too large.
    #[error("payload too large")]
    TooLarge,
    /// 422: the content is well-formed but wrong; every problem listed.
    #[error("unprocessable: {0}")]
    Invalid(FieldErrors),
    /// 429: too many failed sign-ins or refused tokens; locked for this long.
    #[error("too many attempts")]
    TooManyAttempts(std::time::Duration),
    /// 503: the server is stopping and takes no new work.
    #[error("shutting down")]
    ShuttingDown,
    /// 500: logged with its cause, answered without it.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(path: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest(one(path, code, message))
    }
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        ApiError::Conflict(one("", code, message))
    }
    pub fn invalid(path: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(one(path, code, message))
    }
}

fn one(path: &str, code: &str, message: impl Into<String>) -> FieldErrors {
    FieldErrors {
        errors: vec![FieldError::new(path, code, message)],
    }
}

impl From<tamga_store::StoreError> for ApiError {
    fn from(e: tamga_store::StoreError) -> Self {
        match e {
            tamga_store::StoreError::Conflict(msg) => ApiError::conflict("concurrent_change", msg),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        let (status, errors) = match self {
            ApiError::BadRequest(e) => (StatusCode::BAD_REQUEST, e),
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                one(
                    "",
                    "unauthenticated",
                    "send Authorization: Bearer <token> with a valid token",
                ),
            ),
            ApiError::Forbidden(msg) => (StatusCode::FORBIDDEN, one("", "forbidden", msg)),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                one("", "not_found", "no such resource"),
            ),
            ApiError::Conflict(e) => (StatusCode::CONFLICT, e),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                one("", "too_large", "the request body exceeds the size limit"),
            ),
            ApiError::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
            ApiError::TooManyAttempts(wait) => {
                let secs = crate::throttle::retry_after_secs(wait);
                retry_after = Some(secs);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    one(
                        "",
                        "too_many_attempts",
                        format!("too many failed attempts; try again in {secs} s"),
                    ),
                )
            }
            ApiError::ShuttingDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                one(
                    "",
                    "shutting_down",
                    "the server is stopping; send the request again shortly",
                ),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    one("", "internal", "internal error; it has been logged"),
                )
            }
        };
        let mut resp = (status, Json(errors)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(secs) = retry_after {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        resp
    }
}
