use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tamga_store::VerifyReport;
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReport {
    pub ok: bool,
    pub events: Option<u64>,
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Walks the hash-chained event log (auditor, admin).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AuditReport), (status = 403, body = tamga_types::FieldErrors)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Arc<Caller>,
) -> ApiResult<Json<AuditReport>> {
    caller.require(&[Role::Auditor, Role::Admin])?;
    Ok(Json(
        match tamga_store::event_log::verify(state.store.db()).await? {
            VerifyReport::Ok { events } => AuditReport {
                ok: true,
                events: Some(events),
                broken_at: None,
                reason: None,
            },
            VerifyReport::Broken { seq, reason } => AuditReport {
                ok: false,
                events: None,
                broken_at: Some(seq),
                reason: Some(reason),
            },
        },
    ))
}
