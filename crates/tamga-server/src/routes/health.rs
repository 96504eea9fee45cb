use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;

use crate::auth::Caller;
use crate::state::AppState;
use crate::views::system::{Health, HealthStatus};

/// 200 when the store answers, 503 otherwise.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, body = Health, description = "the store answers: `{\"status\": \"ok\", \"database\"}`"),
        (status = 503, body = Health, description = "the store does not answer: `{\"status\": \"unavailable\"}`")))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: HealthStatus::Ok,
                database: Some(state.store.backend_name().to_owned()),
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: HealthStatus::Unavailable,
                    database: None,
                }),
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
