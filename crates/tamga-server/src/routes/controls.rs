//! Control tasks and the calls that try to get round them (always refused, always logged).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use tamga_types::FieldErrors;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::controls::{self, ControlResult, ControlView};
use crate::declarations::DeclarationView;
use crate::error::{ApiError, ApiResult};
use crate::json::{JsonBody, PathParam, Query};
use crate::state::AppState;
use crate::views::risk::Replay;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlParams {
    /// `open` or `done`
    #[param(value_type = Option<crate::openapi::ControlStatus>, inline)]
    pub status: Option<String>,
}

/// Control tasks of the officer's office (all offices for auditors, analysts, admins).
#[utoipa::path(get, path = "/api/v1/controls", tag = "controls", security(("bearer" = [])),
    params(ControlParams), responses((status = 200, body = Vec<ControlView>), (status = 400, body = FieldErrors)))]
pub async fn list(
    State(s): State<AppState>,
    c: Arc<Caller>,
    Query(p): Query<ControlParams>,
) -> ApiResult<Json<Vec<ControlView>>> {
    if let Some(st) = p.status.as_deref()
        && !["open", "done"].contains(&st)
    {
        return Err(ApiError::bad_request(
            "status",
            "unknown_status",
            "status is open or done",
        ));
    }
    Ok(Json(controls::list(&s, &c, p.status.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/controls/{id}", tag = "controls", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ControlView), (status = 404, body = FieldErrors)))]
pub async fn get(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ControlView>> {
    Ok(Json(controls::get(&s, &c, &id).await?))
}

/// Records the control's result (the officer it is assigned to).
#[utoipa::path(post, path = "/api/v1/controls/{id}/result", tag = "controls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = crate::openapi::ControlResultRequest,
    responses((status = 200, body = ControlResult), (status = 403, body = FieldErrors), (status = 404, body = FieldErrors),
        (status = 409, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn result(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<ControlResult>> {
    Ok(Json(controls::record_result(&s, &c, &id, raw).await?))
}

/// Always 409 `control_cannot_be_cancelled`, for every role; the attempt is logged.
#[utoipa::path(post, path = "/api/v1/controls/{id}/cancel", tag = "controls", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 409, body = FieldErrors), (status = 404, body = FieldErrors)))]
pub async fn cancel(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ControlView>> {
    Ok(Json(controls::cancel(&s, &c, &id).await?))
}

/// Always 409 `channel_locked`, for every role; the attempt is logged.
#[utoipa::path(put, path = "/api/v1/declarations/{id}/channel", tag = "controls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = crate::views::controls::ChannelChange,
    responses((status = 409, body = FieldErrors), (status = 404, body = FieldErrors)))]
pub async fn change_channel(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(_raw): JsonBody,
) -> ApiResult<Json<DeclarationView>> {
    Ok(Json(controls::change_channel(&s, &c, &id).await?))
}

/// Re-runs a declaration's stored assessment from its stored inputs and compares. Customs
/// only: a trader gets 403 (the reasons of a selection are confidential).
#[utoipa::path(get, path = "/api/v1/declarations/{id}/assessment/replay", tag = "controls", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Replay), (status = 403, body = FieldErrors),
        (status = 404, body = FieldErrors)))]
pub async fn replay(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<Replay>> {
    crate::confidential::Audience::of(&c).require_customs()?;
    let row = crate::declarations::read_visible(&s, &c, &id).await?;
    let stored_json: Value =
        serde_json::from_str(&row.assessment).map_err(|e| ApiError::Internal(e.to_string()))?;
    let stored: tamga_risk::Assessment = serde_json::from_value(stored_json.clone())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let version = stored_json["declaration_version"]
        .as_i64()
        .unwrap_or(row.version);
    let versions = tamga_store::declarations::versions(s.store.db(), &id).await?;
    let body = versions
        .iter()
        .find(|v| v.version == version)
        .map(|v| v.body.clone())
        .unwrap_or(row.body.clone());
    let declaration: tamga_types::Declaration =
        serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let replayed = crate::risk::replay(&s.store, &declaration, &stored).await?;
    Ok(Json(Replay {
        identical: replayed == stored,
        stored,
        replayed,
    }))
}
