//! Claims to lower a declaration's duties, filed by amendments and decided by officers.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tamga_store::claims::ClaimStatus;
use tamga_types::FieldErrors;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::claims::{self, ClaimView};
use crate::error::{ApiError, ApiResult};
use crate::json::{JsonBody, PathParam, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimParams {
    /// `pending`, `granted`, `refused` or `superseded`
    #[param(pattern = "^(pending|granted|refused|superseded)$")]
    pub status: Option<String>,
}

/// An officer's decision on a claim.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ClaimDecision {
    #[schema(pattern = "^(granted|refused)$")]
    pub decision: String,
    /// The reason, required.
    #[schema(min_length = 1, max_length = 1000)]
    pub note: String,
}

/// Claims to lower duties: an officer's office's, or all for auditors, analysts and admins.
#[utoipa::path(get, path = "/api/v1/claims", tag = "declarations", security(("bearer" = [])),
    params(ClaimParams),
    responses((status = 200, body = Vec<ClaimView>), (status = 400, body = FieldErrors),
        (status = 401, body = FieldErrors), (status = 403, body = FieldErrors)))]
pub async fn list(
    State(s): State<AppState>,
    c: Arc<Caller>,
    Query(p): Query<ClaimParams>,
) -> ApiResult<Json<Vec<ClaimView>>> {
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(v) => Some(ClaimStatus::parse(v).ok_or_else(|| {
            ApiError::bad_request(
                "status",
                "bad_query",
                "status is pending, granted, refused or superseded",
            )
        })?),
    };
    Ok(Json(claims::list(&s, &c, status).await?))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ClaimView), (status = 401, body = FieldErrors),
        (status = 403, body = FieldErrors), (status = 404, body = FieldErrors)))]
pub async fn get(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(claims::get(&s, &c, &id).await?))
}

/// Grants (a negative `additional` ledger entry) or refuses a pending claim: an officer of
/// the declaration's office.
#[utoipa::path(post, path = "/api/v1/claims/{id}/decision", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ClaimDecision,
    responses((status = 200, body = ClaimView), (status = 400, body = FieldErrors),
        (status = 401, body = FieldErrors), (status = 403, body = FieldErrors),
        (status = 404, body = FieldErrors), (status = 409, body = FieldErrors, description = "already decided"),
        (status = 413, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn decide(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(claims::decide(&s, &c, &id, raw).await?))
}

/// The claims filed by a declaration's amendments.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/claims", tag = "declarations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ClaimView>), (status = 401, body = FieldErrors),
        (status = 403, body = FieldErrors), (status = 404, body = FieldErrors)))]
pub async fn of_declaration(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<Vec<ClaimView>>> {
    Ok(Json(claims::of_declaration(&s, &c, &id).await?))
}
