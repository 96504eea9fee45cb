//! Payments: bank notifications, guarantees, refunds, the ledger, tariff and rates.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
use tamga_types::FieldErrors;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::json::{JsonBody, PathParam};
use crate::payments::{self, LedgerPage, PaymentDue, PaymentReceipt};
use crate::state::AppState;
use crate::views::rates::{ExchangeRates, Imported, Rate};

/// A bank's payment notification `{"declaration", "amount", "currency", "key"}`; the same
/// key twice is applied once (201 the first time, 200 with `applied: false` after).
#[utoipa::path(post, path = "/api/v1/payments", tag = "payments", security(("bearer" = [])),
    request_body = crate::openapi::PaymentNotice,
    responses((status = 201, body = PaymentReceipt), (status = 200, body = PaymentReceipt, description = "a repeat: applied once, earlier"),
        (status = 404, body = FieldErrors), (status = 409, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn notify(
    State(s): State<AppState>,
    c: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<PaymentReceipt>)> {
    let (applied, receipt) = payments::notify_payment(&s, &c, raw).await?;
    Ok((
        if applied {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(receipt),
    ))
}

/// The ledger of a declaration and its balance.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/ledger", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = LedgerPage), (status = 404, body = FieldErrors)))]
pub async fn ledger(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<LedgerPage>> {
    Ok(Json(payments::ledger_of(&s, &c, &id).await?))
}

/// Deferred payment under a guarantee (declarant; low-risk traders only).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/guarantee", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = crate::openapi::GuaranteeRequest,
    responses((status = 201, body = PaymentReceipt), (status = 200, body = PaymentReceipt, description = "a repeat of the same key: applied once, earlier"), (status = 409, body = FieldErrors), (status = 422, body = FieldErrors)))]
pub async fn guarantee(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<PaymentReceipt>)> {
    let r = payments::guarantee(&s, &c, &id, raw).await?;
    Ok((
        if r.applied {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(r),
    ))
}

/// Refund of an overpayment (officer of the office or admin).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/refund", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = crate::openapi::RefundRequest,
    responses((status = 201, body = PaymentReceipt), (status = 200, body = PaymentReceipt, description = "a repeat of the same key: applied once, earlier"), (status = 422, body = FieldErrors)))]
pub async fn refund(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<PaymentReceipt>)> {
    let r = payments::refund(&s, &c, &id, raw).await?;
    Ok((
        if r.applied {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(r),
    ))
}

/// Exchange rates in force (national currency per unit), every dated row.
#[utoipa::path(get, path = "/api/v1/exchange-rates", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = ExchangeRates)))]
pub async fn rates(State(s): State<AppState>, _c: Arc<Caller>) -> ApiResult<Json<ExchangeRates>> {
    let rows = tamga_store::ledger::rate_rows(s.store.db()).await?;
    Ok(Json(ExchangeRates {
        national_currency: s.duties.snapshot().national_currency.clone(),
        rates: rows.into_iter().map(Rate::from).collect(),
    }))
}

/// Adds exchange rates (admin): `{"rates": [{"date": "2026-11-23", "currency": "USD", "rate": "87.45"}]}`.
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "payments", security(("bearer" = [])),
    request_body = crate::openapi::RatesRequest, responses((status = 201, body = Imported), (status = 422, body = FieldErrors)))]
pub async fn post_rates(
    State(s): State<AppState>,
    c: Arc<Caller>,
    JsonBody(raw): JsonBody,
) -> ApiResult<(StatusCode, Json<Imported>)> {
    c.require(&[Role::Admin])?;
    let Some(list) = raw.get("rates").and_then(Value::as_array) else {
        return Err(ApiError::invalid(
            "rates",
            "missing",
            "a list of {date, currency, rate}",
        ));
    };
    let mut csv = String::from("date,currency,rate\n");
    let mut problems = FieldErrors::default();
    for (i, r) in list.iter().enumerate() {
        let field = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.contains([',', '\n', '"']))
        };
        match (field("date"), field("currency"), field("rate")) {
            (Some(d), Some(c), Some(rate)) => {
                if s.reference.currency(c).is_none() {
                    problems.push(
                        format!("rates[{i}].currency"),
                        "unknown_currency",
                        format!("{c} is not an ISO 4217 currency"),
                    );
                }
                csv.push_str(&format!("{d},{c},{rate}\n"));
            }
            _ => problems.push(
                format!("rates[{i}]"),
                "bad_rate",
                "each rate has date, currency and rate as strings",
            ),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let n = crate::duties::import_rates(&s.store, &csv, &c.id)
        .await
        .map_err(|e| match e {
            crate::duties::TableError::Invalid(errs) => ApiError::Invalid(FieldErrors {
                errors: errs
                    .into_iter()
                    .map(|e| {
                        tamga_types::FieldError::new(
                            format!("rates[{}].{}", e.line.saturating_sub(2), e.column),
                            &e.code,
                            e.message,
                        )
                    })
                    .collect(),
            }),
            crate::duties::TableError::Store(e) => e.into(),
        })?;
    s.duties
        .reload(&s.store)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(Imported { imported: n })))
}

/// The amount due on a declaration found by its number: what a bank may know of it.
#[utoipa::path(get, path = "/api/v1/payments/due/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PaymentDue), (status = 401, body = FieldErrors),
        (status = 403, body = FieldErrors), (status = 404, body = FieldErrors)))]
pub async fn due(
    State(s): State<AppState>,
    c: Arc<Caller>,
    PathParam(id): PathParam<String>,
) -> ApiResult<Json<PaymentDue>> {
    Ok(Json(payments::payment_due(&s, &c, &id).await?))
}
