//! Lockouts of failed sign-ins and refused tokens ([`crate::throttle`]): what an admin or
//! auditor sees, and the admin's unlock.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tamga_store::{Change, NewEvent};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::throttle::{Key, retry_after_secs};

/// One locked key.
#[derive(Debug, Serialize, ToSchema)]
pub struct LockoutView {
    /// `account` or `address`.
    pub kind: String,
    /// The user name as typed, or the client address (IPv6: its /64).
    pub key: String,
    /// Failures counted in the current window.
    pub failures: u32,
    /// When the lock lifts (RFC 3339, UTC).
    pub locked_until: String,
    /// Seconds until then, rounded up.
    pub retry_after: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lockouts {
    pub lockouts: Vec<LockoutView>,
}

/// The current lockouts, the longest first; as the console's lockouts page shows them.
pub fn current(state: &AppState) -> Vec<LockoutView> {
    let now = jiff::Timestamp::now();
    state
        .throttle
        .lockouts(Instant::now())
        .into_iter()
        .map(|l| {
            let until = jiff::SignedDuration::try_from(l.remaining)
                .ok()
                .and_then(|d| now.checked_add(d).ok())
                .unwrap_or(now);
            LockoutView {
                kind: l.key.kind().to_owned(),
                key: l.key.value().to_owned(),
                failures: l.failures,
                locked_until: until.to_string(),
                retry_after: retry_after_secs(l.remaining),
            }
        })
        .collect()
}

/// Current lockouts of accounts and client addresses (admin, auditor).
#[utoipa::path(get, path = "/api/v1/auth/lockouts", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "Current lockouts, the longest first", body = Lockouts),
        (status = 401, description = "No valid token", body = tamga_types::FieldErrors),
        (status = 403, description = "Not an admin or auditor", body = tamga_types::FieldErrors),
        (status = 429, description = "This client is locked out (`too_many_attempts`; `Retry-After`)", body = tamga_types::FieldErrors),
        (status = 503, description = "The server is stopping (`shutting_down`)", body = tamga_types::FieldErrors)))]
pub async fn lockouts(
    State(state): State<AppState>,
    caller: Arc<Caller>,
) -> ApiResult<Json<Lockouts>> {
    caller.require(&[Role::Admin, Role::Auditor])?;
    Ok(Json(Lockouts {
        lockouts: current(&state),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)] // documents the body; the handler reads it as untrusted JSON
pub struct UnlockRequest {
    /// `account` or `address`.
    pub kind: String,
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unlocked {
    pub kind: String,
    pub key: String,
}

/// Lifts a lockout and forgets the key's failures (admin); logged as `auth.unlocked`.
#[utoipa::path(post, path = "/api/v1/auth/lockouts/unlock", tag = "users", security(("bearer" = [])),
    request_body = UnlockRequest,
    responses(
        (status = 200, description = "Unlocked", body = Unlocked),
        (status = 400, description = "Not JSON", body = tamga_types::FieldErrors),
        (status = 401, description = "No valid token", body = tamga_types::FieldErrors),
        (status = 403, description = "Not an admin", body = tamga_types::FieldErrors),
        (status = 404, description = "No failures are counted against this key", body = tamga_types::FieldErrors),
        (status = 422, description = "`kind` is not account or address, or `key` is empty (`unknown_kind`)", body = tamga_types::FieldErrors),
        (status = 429, description = "This client is locked out (`too_many_attempts`; `Retry-After`)", body = tamga_types::FieldErrors),
        (status = 503, description = "The server is stopping (`shutting_down`)", body = tamga_types::FieldErrors)))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    crate::json::JsonBody(body): crate::json::JsonBody,
) -> ApiResult<Json<Unlocked>> {
    caller.require(&[Role::Admin])?;
    let field = |name: &str| body.get(name).and_then(|v| v.as_str()).unwrap_or("");
    let key = Key::parse(field("kind"), field("key"))
        .filter(|k| !k.value().is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                "kind",
                "unknown_kind",
                "send {\"kind\": \"account\" or \"address\", \"key\": …}",
            )
        })?;
    if !state.throttle.unlock(&key) {
        return Err(ApiError::NotFound);
    }
    state
        .store
        .apply(Change::new().event(NewEvent::new(
            "auth.unlocked",
            key.value(),
            &caller.id,
            &serde_json::json!({"key_kind": key.kind(), "key": key.value()}),
        )))
        .await?;
    Ok(Json(Unlocked {
        kind: key.kind().to_owned(),
        key: key.value().to_owned(),
    }))
}
