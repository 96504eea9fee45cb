//! Tamga's HTTP server: a thin shell around the pure libraries and the store.
//!
//! Owns authentication, routing, the OpenAPI document and the mapping of errors to
//! answers. Invariants: only this crate knows HTTP; every answer that is not a success has
//! CONTRACT.md's `{"errors": […]}` shape; no input, however malformed, produces a 500.

pub mod audit;
pub mod auth;
pub mod console;
pub mod controls;
pub mod declarations;
pub mod duties;
pub mod error;
pub mod json;
pub mod openapi;
pub mod payments;
pub mod profiles;
pub mod risk;
pub mod routes;
pub mod startup;
pub mod state;
pub mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub use state::{AppState, Config};

use crate::error::ApiError;

/// The whole application; tests drive it in-process or on a real port.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let api = Router::new()
        .route(
            "/declarations",
            post(routes::declarations::lodge).get(routes::declarations::list),
        )
        .route(
            "/declarations/{id}",
            get(routes::declarations::get).put(routes::declarations::amend),
        )
        .route(
            "/declarations/{id}/invalidate",
            post(routes::declarations::invalidate),
        )
        .route(
            "/declarations/{id}/release",
            post(routes::declarations::release),
        )
        .route(
            "/declarations/{id}/history",
            get(routes::declarations::history),
        )
        .route(
            "/declarations/{id}/channel",
            axum::routing::put(routes::controls::change_channel),
        )
        .route(
            "/declarations/{id}/assessment/replay",
            get(routes::controls::replay),
        )
        .route("/declarations/{id}/ledger", get(routes::payments::ledger))
        .route(
            "/declarations/{id}/guarantee",
            post(routes::payments::guarantee),
        )
        .route("/declarations/{id}/refund", post(routes::payments::refund))
        .route("/payments", post(routes::payments::notify))
        .route(
            "/exchange-rates",
            get(routes::payments::rates).post(routes::payments::post_rates),
        )
        .route("/controls", get(routes::controls::list))
        .route("/controls/{id}", get(routes::controls::get))
        .route("/controls/{id}/result", post(routes::controls::result))
        .route("/controls/{id}/cancel", post(routes::controls::cancel))
        .route(
            "/risk/profiles",
            post(routes::risk::create).get(routes::risk::list),
        )
        .route(
            "/risk/profiles/{id}",
            get(routes::risk::get)
                .put(routes::risk::update)
                .delete(routes::risk::retire),
        )
        .route("/risk/profiles/{id}/stats", get(routes::risk::stats))
        .route("/risk/feedback", get(routes::risk::feedback))
        .route("/risk/backtest", post(routes::risk::backtest))
        .route(
            "/risk/settings",
            get(routes::risk::settings).put(routes::risk::put_settings),
        )
        .route("/traders/{party}", get(routes::risk::trader))
        .route(
            "/traders/{party}/status",
            axum::routing::put(routes::risk::put_trader_status),
        )
        .route("/me", get(routes::health::me))
        .route("/audit/verify", get(routes::audit::verify))
        .route("/openapi.json", get(openapi_json));
    Router::new()
        .route("/health", get(routes::health::health))
        .nest("/api/v1", api)
        .merge(console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .with_state(state)
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi::document())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> impl IntoResponse {
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(
            serde_json::json!({"errors": [{"path": "", "code": "method_not_allowed", "message": "this method is not allowed here"}]}),
        ),
    )
}

/// Serves `app` on `listener` until ctrl-c.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
