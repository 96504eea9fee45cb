//! Risk management routes: profiles (analysts), feedback, back-testing, settings, traders.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tamga_risk::{BacktestReport, RiskProfile, SelectionSettings};
use tamga_types::FieldErrors;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{JsonBody, PathParam};
use crate::profiles::{self, Feedback, ProfileHistory, ProfileStats, TraderView};
use crate::state::AppState;
use crate::views::risk as schema;

/// Writes a new risk profile (analyst). Refused with every problem, by path and code.
#[utoipa::path(post, path = "/api/v1/risk/profiles", tag = "risk", security(("bearer" = [])),
    request_body = crate::openapi::ProfileRequest,
    responses((status = 201, body = schema::RiskProfile), (status = 403, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn create(
    State(s): State<AppState>,
    c: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<RiskProfile>)> {
    Ok((
        StatusCode::CREATED,
        Json(profiles::create(&s, &c, raw).await?),
    ))
}

/// A new version of a profile (analyst); old versions stay readable.
#[utoipa::path(put, path = "/api/v1/risk/profiles/{id}", tag = "risk", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = crate::openapi::ProfileRequest,
    responses((status = 200, body = schema::RiskProfile), (status = 404, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn update(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<RiskProfile>> {
    Ok(Json(profiles::update(&s, &c, &id, raw).await?))
}

/// Retires a profile (a new, inactive version).
#[utoipa::path(delete, path = "/api/v1/risk/profiles/{id}", tag = "risk", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = schema::RiskProfile), (status = 404, body = FieldErrors)))]
pub async fn retire(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<RiskProfile>> {
    Ok(Json(profiles::retire(&s, &c, &id).await?))
}

/// The latest version of every profile.
#[utoipa::path(get, path = "/api/v1/risk/profiles", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = Vec<schema::RiskProfile>)))]
pub async fn list(State(s): State<AppState>, c: Arc<Caller>) -> ApiResult<Json<Vec<RiskProfile>>> {
    Ok(Json(profiles::list(&s, &c).await?))
}

/// A profile with all its versions.
#[utoipa::path(get, path = "/api/v1/risk/profiles/{id}", tag = "risk", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ProfileHistory), (status = 404, body = FieldErrors)))]
pub async fn get(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ProfileHistory>> {
    Ok(Json(profiles::get(&s, &c, &id).await?))
}

/// Selections, controls done, hits, hit rate and revenue recovered of a profile.
#[utoipa::path(get, path = "/api/v1/risk/profiles/{id}/stats", tag = "risk", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ProfileStats), (status = 404, body = FieldErrors)))]
pub async fn stats(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ProfileStats>> {
    Ok(Json(profiles::stats(&s, &c, &id).await?))
}

/// Feedback per profile, per channel and per office.
#[utoipa::path(get, path = "/api/v1/risk/feedback", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = Feedback)))]
pub async fn feedback(State(s): State<AppState>, c: Arc<Caller>) -> ApiResult<Json<Feedback>> {
    Ok(Json(profiles::feedback(&s, &c).await?))
}

/// Back-tests a draft profile over a period: `{"profile": {…}, "from": "2026-01-01", "to": "2026-01-31"}`.
#[utoipa::path(post, path = "/api/v1/risk/backtest", tag = "risk", security(("bearer" = [])),
    request_body = crate::openapi::BacktestRequest, responses((status = 200, body = schema::BacktestReport), (status = 422, body = FieldErrors)))]
pub async fn backtest(
    State(s): State<AppState>,
    c: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<BacktestReport>> {
    Ok(Json(profiles::backtest(&s, &c, raw).await?))
}

/// Score thresholds and random-selection rates in force.
#[utoipa::path(get, path = "/api/v1/risk/settings", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = schema::SelectionSettings)))]
pub async fn settings(
    State(s): State<AppState>,
    c: Arc<Caller>,
) -> ApiResult<Json<SelectionSettings>> {
    Ok(Json(profiles::settings(&s, &c).await?))
}

/// Replaces the selection settings (analyst).
#[utoipa::path(put, path = "/api/v1/risk/settings", tag = "risk", security(("bearer" = [])),
    request_body = schema::SelectionSettings, responses((status = 200, body = schema::SelectionSettings), (status = 422, body = FieldErrors)))]
pub async fn put_settings(
    State(s): State<AppState>,
    c: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<SelectionSettings>> {
    Ok(Json(profiles::put_settings(&s, &c, raw).await?))
}

/// A trader's risk category and record.
#[utoipa::path(get, path = "/api/v1/traders/{party}", tag = "risk", security(("bearer" = [])),
    params(("party" = String, Path)), responses((status = 200, body = TraderView), (status = 404, body = FieldErrors)))]
pub async fn trader(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(party): PathParam<String>,
) -> ApiResult<Json<TraderView>> {
    Ok(Json(profiles::trader(&s, &c, &party).await?))
}

/// Sets a trader's registry status (admin): `{"aeo": true, "suspended": false}`.
#[utoipa::path(put, path = "/api/v1/traders/{party}/status", tag = "risk", security(("bearer" = [])),
    params(("party" = String, Path)), request_body = crate::openapi::TraderStatusRequest,
    responses((status = 200, body = TraderView), (status = 422, body = FieldErrors)))]
pub async fn put_trader_status(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(party): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<TraderView>> {
    Ok(Json(
        profiles::put_trader_status(&s, &c, &party, raw).await?,
    ))
}
