//! Request extractors that answer malformed input with our JSON errors instead of axum's
//! plain-text rejections.
//!
//! Where the depth of untrusted input is bounded (nothing in request handling may recurse
//! once per level of something a caller sends):
//! - the body's size: `DefaultBodyLimit` (`Config::body_limit`, 1 MiB) answers 413
//!   (`ApiError::TooLarge`, below) before anything is parsed;
//! - JSON nesting: `serde_json` stops at 128 levels (its default; the `unbounded_depth`
//!   feature, which lifts it, is enabled by no crate in the workspace: `cargo tree -e
//!   features -i serde_json`), so every `Value` a handler sees, and its recursive drop and
//!   printing, are at most 128 deep;
//! - the declaration validator (`tamga_types::validate`) and the profile parser
//!   (`tamga_risk::profile`) walk fixed schemas, one function per known level, never the
//!   input's own shape;
//! - a risk profile's CEL `condition`, the one input that is a language: its length,
//!   bracket nesting and operators are bounded before it is parsed
//!   (`tamga_risk::condition::bound`), on writing and in a back-test's draft alike.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The body as untrusted JSON: 400 `bad_json` when it does not parse, 413 when too large.
/// Typed validation then happens on the `Value`, so every field problem is a 422.
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge
                } else {
                    ApiError::bad_request("", "bad_body", e.body_text())
                }
            })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request("", "bad_json", format!("the body is not valid JSON: {e}"))
        })?;
        // JSON can only carry a NUL escaped, so a body without `\u0000` skips the walk
        // (which builds a path per node) on the lodging path.
        if crate::nul::may_escape_nul(&bytes) {
            let nul = crate::nul::nul_problems(&value);
            if !nul.is_empty() {
                return Err(ApiError::Invalid(nul));
            }
        }
        Ok(JsonBody(value))
    }
}

/// Query string parsed into `T`: 400 `bad_query` naming the problem.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request("", "bad_query", e.body_text()))
    }
}

/// A path parameter: 404 when it does not parse (an id that cannot exist).
pub struct PathParam<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParam(p.0))
            .map_err(|_| ApiError::NotFound)
    }
}
