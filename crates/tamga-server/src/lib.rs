//! Tamga's HTTP server: a thin shell around the pure libraries and the store.
//!
//! Owns authentication, routing, the OpenAPI document and the mapping of errors to
//! answers. Invariants: only this crate knows HTTP; every answer that is not a success has
//! CONTRACT.md's `{"errors": […]}` shape; no input, however malformed, produces a 500.

pub mod audit;
pub mod auth;
pub mod claims;
pub mod confidential;
pub mod console;
pub mod controls;
pub mod declarations;
pub mod duties;
pub mod edge;
pub mod error;
pub mod json;
pub mod nul;
pub mod openapi;
pub mod payments;
pub mod profiles;
pub mod risk;
pub mod routes;
pub mod startup;
pub mod state;
pub mod throttle;
pub mod users;
pub mod views;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

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
        .route("/payments/due/{id}", get(routes::payments::due))
        .route("/claims", get(routes::claims::list))
        .route("/claims/{id}", get(routes::claims::get))
        .route("/claims/{id}/decision", post(routes::claims::decide))
        .route(
            "/declarations/{id}/claims",
            get(routes::claims::of_declaration),
        )
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
        .route("/auth/lockouts", get(routes::auth::lockouts))
        .route("/auth/lockouts/unlock", post(routes::auth::unlock))
        .route("/openapi.json", get(openapi_json));
    Router::new()
        .route("/health", get(routes::health::health))
        .nest("/api/v1", api)
        .merge(console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(nul::refuse))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::layer,
        ))
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

/// How long a stopping server waits for requests in flight before it stops anyway.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until SIGTERM or Ctrl-C, then stops gracefully.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, shutdown_signal()).await
}

/// Serves `app` (with each connection's peer address) until `stop` completes; then new
/// requests are answered 503 `shutting_down`, requests in flight finish (for at most
/// [`DRAIN_LIMIT`]), and it returns.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let draining = state.draining.clone();
    let (stopped, mut on_stop) = tokio::sync::watch::channel(false);
    let signal = async move {
        stop.await;
        draining.store(true, Ordering::SeqCst);
        tracing::info!("stopping: finishing requests in flight, refusing new ones");
        let _ = stopped.send(true);
    };
    let server = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    tokio::select! {
        r = server => r,
        _ = async {
            if on_stop.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(DRAIN_LIMIT).await;
        } => {
            tracing::warn!("requests still in flight after {DRAIN_LIMIT:?}: stopping anyway");
            Ok(())
        }
    }
}

/// SIGTERM (how service managers and containers stop a process) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
