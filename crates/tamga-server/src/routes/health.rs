use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use std::sync::Arc;

use crate::auth::Caller;
use crate::state::AppState;

/// 200 when the store answers, 503 otherwise.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, body = Object, description = "the store answers: `{\"status\": \"ok\", \"database\"}`"),
        (status = 503, body = Object, description = "the store does not answer: `{\"status\": \"unavailable\"}`")))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": state.store.backend_name()})),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}

/// The calling user.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Caller), (status = 401, body = tamga_types::FieldErrors)))]
pub async fn me(caller: Arc<Caller>) -> Json<Caller> {
    Json((*caller).clone())
}
