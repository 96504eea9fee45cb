use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tamga_types::{Channel, Declaration, FieldErrors, Status};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::declarations::{self as lifecycle, DeclarationView, History};
use crate::error::{ApiError, ApiResult};
use crate::json::{JsonBody, PathParam, Query};
use crate::state::AppState;

/// Lodges a declaration. Every problem comes back at once with its field path and code.
#[utoipa::path(post, path = "/api/v1/declarations", tag = "declarations", security(("bearer" = [])),
    request_body = Declaration,
    responses(
        (status = 201, body = DeclarationView, description = "stored, assessed"),
        (status = 400, body = FieldErrors, description = "not JSON"),
        (status = 401, body = FieldErrors),
        (status = 403, body = FieldErrors, description = "declarant is not the caller's party"),
        (status = 413, body = FieldErrors),
        (status = 422, body = FieldErrors, description = "every problem, by path and code")))]
pub async fn lodge(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<DeclarationView>)> {
    let view = lifecycle::lodge(&state, &caller, raw).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One declaration; 404 also when the caller may not see it.
#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeclarationView), (status = 404, body = FieldErrors)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<DeclarationView>> {
    let row = lifecycle::read_visible(&state, &caller, &id).await?;
    Ok(Json(DeclarationView::from_row(
        &row,
        crate::confidential::Audience::of(&caller),
    )?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `lodged`, `under_control`, `awaiting_payment`, `released`, `refused`, `invalidated`
    #[param(value_type = Option<Status>, inline)]
    pub status: Option<String>,
    /// `green`, `yellow`, `red`, `blue`
    #[param(value_type = Option<Channel>, inline)]
    pub channel: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationPage {
    pub items: Vec<DeclarationView>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The caller's visible declarations, newest first, paged.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "declarations", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = DeclarationPage), (status = 400, body = FieldErrors)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<DeclarationPage>> {
    let mut problems = FieldErrors::default();
    let status = p.status.as_deref().and_then(|s| {
        let parsed = Status::parse(s);
        if parsed.is_none() {
            problems.push("status", "unknown_status", format!("unknown status `{s}`"));
        }
        parsed
    });
    let channel = p.channel.as_deref().and_then(|c| {
        let parsed = Channel::parse(c);
        if parsed.is_none() {
            problems.push(
                "channel",
                "unknown_channel",
                format!("unknown channel `{c}`"),
            );
        }
        parsed
    });
    let limit = p.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        problems.push("limit", "out_of_range", "limit must be between 1 and 500");
    }
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        problems.push("offset", "out_of_range", "offset must not be negative");
    }
    if !problems.is_empty() {
        return Err(ApiError::BadRequest(problems));
    }
    let (items, total) = lifecycle::list(&state, &caller, status, channel, limit, offset).await?;
    Ok(Json(DeclarationPage {
        items,
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// Why the declaration is amended (required).
    #[schema(min_length = 1, pattern = "\\S")]
    pub reason: String,
    pub declaration: Declaration,
}

/// Amends a declaration before release: a new version, re-validated and re-assessed.
#[utoipa::path(put, path = "/api/v1/declarations/{id}", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Amendment,
    responses((status = 200, body = DeclarationView), (status = 404, body = FieldErrors),
        (status = 409, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn amend(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<DeclarationView>> {
    Ok(Json(lifecycle::amend(&state, &caller, &id, raw).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schema(min_length = 1, pattern = "\\S")]
    pub reason: String,
}

/// Invalidates a declaration (its declarant, before release, never while a control is pending).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/invalidate", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Reason,
    responses((status = 200, body = DeclarationView), (status = 404, body = FieldErrors),
        (status = 409, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn invalidate(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<DeclarationView>> {
    Ok(Json(
        lifecycle::invalidate(&state, &caller, &id, raw).await?,
    ))
}

/// Releases the goods: 409 `control_pending` or `unpaid` for every role, admin included.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/release", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeclarationView), (status = 403, body = FieldErrors),
        (status = 404, body = FieldErrors), (status = 409, body = FieldErrors)))]
pub async fn release(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<DeclarationView>> {
    Ok(Json(lifecycle::release(&state, &caller, &id).await?))
}

/// Every version and every event of a declaration.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/history", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = History), (status = 404, body = FieldErrors)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<History>> {
    Ok(Json(lifecycle::history(&state, &caller, &id).await?))
}
