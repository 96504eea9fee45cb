//! Claims to lower a declaration's duties. A declarant's amendment that would lower what is
//! owed files a claim (`declarations::amend`); only an officer of the declaration's office
//! decides it. Granted: a negative `additional` ledger entry with the officer as actor, the
//! only way besides a control's corrections that the ledger goes down without a payment.
//! Refused: the ledger stays as it was. Either way the decision and its reason are events.

use serde::Serialize;
use serde_json::{Value, json};
use tamga_store::NewEvent;
use tamga_store::claims::{self as store, ClaimRow, ClaimStatus};
use tamga_store::declarations::DeclarationRow;
use tamga_types::{Decimal, FieldErrors};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::declarations::{
    MAX_REASON, checked, ledger_entry, parse_balance, read_visible, status_event, stored_channel,
};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A claim as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    pub id: String,
    pub declaration: String,
    pub office: String,
    /// The declaration version whose lower duties are claimed.
    pub version: i64,
    /// The reduction claimed, national currency.
    pub amount: String,
    pub currency: String,
    /// `pending`, `granted`, `refused`, or `superseded` (a control's result set the duties).
    #[schema(value_type = String, pattern = "^(pending|granted|refused|superseded)$")]
    pub status: ClaimStatus,
    /// The amendment's reason.
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The officer's reason for the decision.
    pub note: Option<String>,
}

impl ClaimView {
    fn from_row(r: ClaimRow) -> ApiResult<ClaimView> {
        Ok(ClaimView {
            status: r.status()?,
            id: r.id,
            declaration: r.declaration_id,
            office: r.office,
            version: r.version,
            amount: r.amount,
            currency: r.currency,
            reason: r.reason,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            note: r.note,
        })
    }
}

/// Claims an officer may decide (its office's) or customs may read (all).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<ClaimStatus>,
) -> ApiResult<Vec<ClaimView>> {
    let office = match caller.role {
        Role::Officer => Some(
            caller
                .office
                .clone()
                .ok_or_else(|| ApiError::Forbidden("this officer is bound to no office".into()))?,
        ),
        Role::Auditor | Role::Analyst | Role::Admin => None,
        _ => {
            return Err(ApiError::Forbidden(
                "the claims queue is customs'; a trader reads its own at /declarations/{id}/claims"
                    .into(),
            ));
        }
    };
    store::list(state.store.db(), office.as_deref(), status, 500)
        .await?
        .into_iter()
        .map(ClaimView::from_row)
        .collect()
}

/// The claims of one declaration, for whoever may see the declaration.
pub async fn of_declaration(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<ClaimView>> {
    read_visible(state, caller, id).await?;
    store::of_declaration(state.store.db(), id)
        .await?
        .into_iter()
        .map(ClaimView::from_row)
        .collect()
}

/// A claim and its declaration, when the caller may see the declaration (a trader its
/// own, an officer its office's); 404 otherwise.
async fn visible_claim(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<(ClaimRow, DeclarationRow)> {
    let claim = store::get(state.store.db(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let row = read_visible(state, caller, &claim.declaration_id).await?;
    Ok((claim, row))
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ClaimView> {
    ClaimView::from_row(visible_claim(state, caller, id).await?.0)
}

/// What the officer decided, read from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Granted,
    Refused,
}

/// `{"decision": "granted" | "refused", "note": "…"}`: every problem at once.
pub fn parse_decision(raw: &Value) -> Result<(Decision, String), FieldErrors> {
    let mut p = FieldErrors::default();
    let Some(obj) = raw.as_object() else {
        p.push("", "bad_type", "expected a JSON object");
        return Err(p);
    };
    for k in obj
        .keys()
        .filter(|k| !["decision", "note"].contains(&k.as_str()))
    {
        p.push(
            k.clone(),
            "unknown_field",
            "a decision has only `decision` and `note`",
        );
    }
    let decision = match obj.get("decision").and_then(Value::as_str) {
        Some("granted") => Some(Decision::Granted),
        Some("refused") => Some(Decision::Refused),
        Some(_) => {
            p.push(
                "decision",
                "unknown_decision",
                "decision is granted or refused",
            );
            None
        }
        None => {
            p.push("decision", "missing", "decision is granted or refused");
            None
        }
    };
    let note = obj
        .get("note")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if note.is_empty() {
        p.push("note", "missing", "a decision gives its reason");
    } else if note.chars().count() > MAX_REASON {
        p.push(
            "note",
            "too_long",
            format!("at most {MAX_REASON} characters"),
        );
    }
    match decision {
        Some(d) if p.is_empty() => Ok((d, note.to_owned())),
        _ => Err(p),
    }
}

/// Grants or refuses a pending claim: an officer of the declaration's office only.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: Value,
) -> ApiResult<ClaimView> {
    caller.require(&[Role::Officer])?;
    let (claim, row) = visible_claim(state, caller, id).await?;
    let (decision, note) = parse_decision(&raw).map_err(ApiError::Invalid)?;
    if claim.status()? != ClaimStatus::Pending {
        return Err(ApiError::conflict(
            "claim_decided",
            format!("this claim was already {}", claim.status),
        ));
    }
    let amount: Decimal = claim
        .amount
        .parse()
        .map_err(|_| ApiError::Internal(format!("claim {}: stored amount unreadable", claim.id)))?;
    let now = tamga_store::now_text();
    let mut decided = claim.clone();
    decided.decided_by = Some(caller.id.clone());
    decided.decided_at = Some(now.clone());
    decided.note = Some(note.clone());
    let mut payload = json!({"claim": claim.id, "amount": amount, "note": note});
    let change = match decision {
        Decision::Refused => {
            decided.status = ClaimStatus::Refused.as_str().into();
            payload["decision"] = json!("refused");
            tamga_store::Change::new().stmt(decided.decide())
        }
        Decision::Granted => {
            decided.status = ClaimStatus::Granted.as_str().into();
            payload["decision"] = json!("granted");
            let balance = checked(parse_balance(&row)?.checked_sub(amount), "claim")?;
            let (next, status, released) = crate::payments::with_balance(&row, balance, &now)?;
            payload["balance"] = json!(balance);
            payload["ledger"] = json!({"kind": "additional", "amount": -amount});
            let mut change = next.update(row.revision).stmt(decided.decide()).stmt(
                ledger_entry(
                    &row.id,
                    "additional",
                    -amount,
                    &claim.currency,
                    None,
                    Some(format!("claim {}", claim.id)),
                    &caller.id,
                    &now,
                )
                .insert(),
            );
            if released {
                change = change.event(status_event(&row.id, status, stored_channel(&row)?));
            }
            change
        }
    };
    let change = change.event(NewEvent::new(
        "amendment.reduction_decided",
        &row.id,
        &caller.id,
        &payload,
    ));
    state.store.apply(change).await?;
    ClaimView::from_row(decided)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: Value) -> Vec<(String, String)> {
        parse_decision(&raw)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    }

    #[test]
    fn a_decision_is_granted_or_refused_with_a_reason() {
        let (d, note) =
            parse_decision(&json!({"decision": "granted", "note": " invoice corrected "})).unwrap();
        assert_eq!(d, Decision::Granted);
        assert_eq!(note, "invoice corrected");
        let (d, _) = parse_decision(&json!({"decision": "refused", "note": "no proof"})).unwrap();
        assert_eq!(d, Decision::Refused);
    }

    #[test]
    fn a_decision_without_a_reason_lists_every_problem() {
        assert_eq!(
            codes(json!({"decision": "approve", "extra": 1})),
            vec![
                ("extra".into(), "unknown_field".into()),
                ("decision".into(), "unknown_decision".into()),
                ("note".into(), "missing".into()),
            ]
        );
        assert_eq!(
            codes(json!({"note": "x".repeat(MAX_REASON + 1)})),
            vec![
                ("decision".into(), "missing".into()),
                ("note".into(), "too_long".into()),
            ]
        );
        assert_eq!(codes(json!([1])), vec![("".into(), "bad_type".into())]);
    }
}
