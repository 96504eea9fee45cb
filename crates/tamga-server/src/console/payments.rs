//! Money on a declaration's page: its ledger and balance (`crate::payments::ledger_of`),
//! and for a low-risk trader the deferred payment under a guarantee
//! (`crate::payments::guarantee`), which decides whether it is allowed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tamga_types::Decimal;

use super::session::field;
use super::{Ctx, api_error_page, declarations, form_caller, short_time};
use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::state::AppState;
use tamga_store::claims::ClaimStatus;

pub struct LedgerRow {
    pub at: String,
    pub kind: String,
    pub amount: String,
    pub reference: String,
}

pub struct LedgerPanel {
    pub currency: String,
    pub entries: Vec<LedgerRow>,
    pub assessed: String,
    pub paid: String,
    pub guaranteed: String,
    pub balance: String,
    /// The trader may offer a guarantee: low risk, its own declaration, money due.
    pub can_guarantee: bool,
    /// The idempotency key of the guarantee form.
    pub key: String,
    /// Claims to lower the duties, filed by amendments.
    pub claims: Vec<ClaimRow>,
    /// The pending claim this officer may decide (an officer of the declaration's office).
    pub decidable: Option<String>,
}

pub struct ClaimRow {
    pub at: String,
    pub version: i64,
    pub amount: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    pub note: String,
}

/// The ledger of `id` as `caller` may see it; `None` when it may not (or there is none).
pub async fn panel(state: &AppState, ctx: &Ctx, caller: &Caller, id: &str) -> Option<LedgerPanel> {
    let page = crate::payments::ledger_of(state, caller, id).await.ok()?;
    let t = ctx.tr;
    let balance: Decimal = page.balance.parse().unwrap_or_default();
    let can_guarantee = caller.role == Role::Trader
        && balance > Decimal::ZERO
        && caller
            .party
            .as_deref()
            .is_some_and(|p| state.risk.category_of(p) == tamga_risk::RiskCategory::Low);
    let claims = crate::claims::of_declaration(state, caller, id)
        .await
        .unwrap_or_default();
    // Visibility already limits an officer to its office's declarations.
    let decidable = claims
        .iter()
        .find(|c| c.status == ClaimStatus::Pending && caller.role == Role::Officer)
        .map(|c| c.id.clone());
    let claims = claims
        .into_iter()
        .map(|c| ClaimRow {
            at: short_time(&c.requested_at),
            version: c.version,
            amount: format!("{} {}", c.amount, c.currency),
            status: c.status.as_str(),
            status_label: t.code_label("claim", c.status.as_str()),
            reason: c.reason,
            note: c.note.unwrap_or_default(),
        })
        .collect();
    Some(LedgerPanel {
        claims,
        decidable,
        currency: page.currency,
        entries: page
            .entries
            .into_iter()
            .map(|e| LedgerRow {
                at: short_time(&e.at),
                kind: t.code_label("entry", &e.kind),
                amount: e.amount,
                reference: e.reference.unwrap_or_else(|| "—".into()),
            })
            .collect(),
        assessed: page.assessed,
        paid: page.paid,
        guaranteed: page.guaranteed,
        balance: page.balance,
        can_guarantee,
        key: crate::declarations::new_id(),
    })
}

/// `POST /declarations/{id}/guarantee`: the trader pledges a guarantee for what is due.
pub async fn guarantee(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Trader], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = json!({
        "reference": field(&pairs, "reference").unwrap_or("").trim(),
        // One click, one pledge: the form carries the key it was rendered with.
        "key": field(&pairs, "key").unwrap_or(""),
    });
    let done = crate::payments::guarantee(&state, &caller, &id, body).await;
    back_to_declaration(&state, &ctx, &id, done.map(|_| "guaranteed")).await
}

/// After a form on a declaration's page: to the page with a notice, or the page again with
/// the refusal in words (422), or an error page.
async fn back_to_declaration(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    done: Result<&str, ApiError>,
) -> Response {
    match done {
        Ok(notice) => Redirect::to(&format!("/declarations/{id}?notice={notice}")).into_response(),
        Err(ApiError::Invalid(errs) | ApiError::Conflict(errs)) => {
            let problems = errs
                .errors
                .iter()
                .map(|e| super::control::message(ctx, e))
                .collect();
            declarations::declaration_page(
                state,
                ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                problems,
                None,
            )
            .await
        }
        Err(ApiError::Forbidden(_)) => api_error_page(ctx, ApiError::Forbidden(String::new())),
        Err(e) => api_error_page(ctx, e),
    }
}

/// `POST /declarations/{id}/claims/{claim}/decision`: an officer grants or refuses a claim
/// to lower the duties (`crate::claims::decide` decides who may and how).
pub async fn decide_claim(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, claim)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Officer], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = json!({
        "decision": field(&pairs, "decision").unwrap_or(""),
        "note": field(&pairs, "note").unwrap_or(""),
    });
    let done = crate::claims::decide(&state, &caller, &claim, body).await;
    back_to_declaration(&state, &ctx, &id, done.map(|_| "claim-decided")).await
}

#[derive(askama::Template)]
#[template(path = "payment_due.html")]
struct PaymentDuePage {
    frame: super::Frame,
    number: String,
    due: Option<crate::payments::PaymentDue>,
    status_label: String,
    not_found: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct DueQuery {
    number: Option<String>,
}

/// `/payments`: a bank finds a declaration by its number and sees the amount due — not the
/// goods, the parties or the assessment (`crate::payments::payment_due` decides).
pub async fn due(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<DueQuery>,
) -> Response {
    let caller = match super::with_role(&ctx, &[Role::Bank]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let number = q.number.unwrap_or_default().trim().to_owned();
    let (due, not_found) = if number.is_empty() {
        (None, false)
    } else {
        match crate::payments::payment_due(&state, &caller, &number).await {
            Ok(d) => (Some(d), false),
            Err(ApiError::NotFound) => (None, true),
            Err(e) => return api_error_page(&ctx, e),
        }
    };
    let status_label = due
        .as_ref()
        .map(|d| ctx.tr.code_label("status", d.status.as_str()))
        .unwrap_or_default();
    let page = PaymentDuePage {
        frame: super::Frame::new(&ctx, "bank-title"),
        number,
        status_label,
        not_found,
        due,
    };
    super::render(
        if not_found {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        },
        &page,
    )
}
