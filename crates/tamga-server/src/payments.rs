//! Money owed on declarations: bank payment notifications (idempotent by key), refunds, and
//! the ledger view. Every movement is a ledger row written in the same change as the new
//! balance on the declaration and its event, so the ledger always reconciles.

use serde::Serialize;
use serde_json::{Value, json};
use tamga_store::NewEvent;
use tamga_store::declarations::{self as rows, DeclarationRow};
use tamga_store::ledger::{self, LedgerEntry};
use tamga_types::{Decimal, FieldErrors, Status};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::declarations::{
    checked, ledger_entry, parse_balance, read_visible, stored_channel, stored_status,
};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The largest amount one payment, refund or pledge may carry: 15 integer digits. Bounded
/// so that no sum of amounts can overflow the ledger's decimal arithmetic.
/// (`Decimal::new` is not `const`: these are the 96-bit parts of 99,999,999,999,999,999.)
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0x5D89_FFFF, 0x0163_4578, 0, false, 2);

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentReceipt {
    /// False when this key was seen before: the payment was applied once, earlier.
    pub applied: bool,
    /// The part of this payment above what was due, kept as a credit on the declaration
    /// until an officer refunds it ("0" when the payment did not exceed the amount due).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overpaid: Option<String>,
    pub entry: LedgerView,
    pub declaration: String,
    pub status: Status,
    /// Amount still due after this payment, national currency.
    pub balance: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerView {
    pub id: String,
    /// `assessed`, `additional`, `paid`, `guaranteed`, `refunded`
    pub kind: String,
    pub amount: String,
    pub currency: String,
    pub key: Option<String>,
    pub reference: Option<String>,
    pub at: String,
}

impl From<LedgerEntry> for LedgerView {
    fn from(e: LedgerEntry) -> Self {
        LedgerView {
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            currency: e.currency,
            key: e.idempotency_key,
            reference: e.reference,
            at: e.at,
        }
    }
}

fn text<'a>(
    raw: &'a Value,
    field: &str,
    problems: &mut FieldErrors,
    max: usize,
) -> Option<&'a str> {
    match raw.get(field) {
        None | Some(Value::Null) => {
            problems.push(field, "missing", "this field is required");
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            problems.push(field, "missing", "this field is required");
            None
        }
        Some(Value::String(s)) if s.len() > max => {
            problems.push(field, "too_long", format!("at most {max} characters"));
            None
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            problems.push(field, "bad_type", "expected a string");
            None
        }
    }
}

/// A positive decimal amount written as a string, at most 2 decimals.
fn amount(raw: &Value, problems: &mut FieldErrors) -> Option<Decimal> {
    match raw.get("amount") {
        Some(Value::Number(_)) => {
            problems.push(
                "amount",
                "bad_decimal",
                "amounts are decimal strings such as \"1234.50\", never numbers",
            );
            None
        }
        _ => {
            let s = text(raw, "amount", problems, 32)?;
            match Decimal::from_str_exact(s) {
                Ok(d) if d.scale() > 2 => {
                    problems.push("amount", "bad_decimal", "at most 2 decimals");
                    None
                }
                Ok(d) if d <= Decimal::ZERO => {
                    problems.push("amount", "not_positive", "must be greater than zero");
                    None
                }
                Ok(d) if d > MAX_AMOUNT => {
                    problems.push(
                        "amount",
                        "amount_too_large",
                        format!("at most {MAX_AMOUNT}"),
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(
                        "amount",
                        "bad_decimal",
                        "expected a plain decimal such as \"1234.50\"",
                    );
                    None
                }
            }
        }
    }
}

fn unknown_fields(raw: &Value, allowed: &[&str], problems: &mut FieldErrors) {
    match raw.as_object() {
        Some(obj) => {
            for k in obj.keys().filter(|k| !allowed.contains(&k.as_str())) {
                problems.push(
                    k.clone(),
                    "unknown_field",
                    "this field is not part of the request",
                );
            }
        }
        None => problems.push("", "bad_type", "expected a JSON object"),
    }
}

/// Status after the balance changed: a declaration waiting only for money is released
/// once nothing is due (a selected control still holds it: that is decided elsewhere).
pub fn status_after_payment(row: &DeclarationRow, balance: Decimal) -> ApiResult<Status> {
    let status = stored_status(row)?;
    Ok(
        if status == Status::AwaitingPayment && balance <= Decimal::ZERO {
            Status::Released
        } else {
            status
        },
    )
}

/// The declaration with its new balance: released when it waited only for money and
/// nothing is due any more. Answers the new row, its status, and whether it was released now.
pub fn with_balance(
    row: &DeclarationRow,
    balance: Decimal,
    now: &str,
) -> ApiResult<(DeclarationRow, Status, bool)> {
    let status = status_after_payment(row, balance)?;
    let mut next = row.clone();
    next.revision += 1;
    next.balance = Some(balance.to_string());
    next.status = status.as_str().into();
    next.updated_at = now.to_owned();
    let released = status == Status::Released && row.status != status.as_str();
    if released {
        next.released_at = Some(now.to_owned());
    }
    Ok((next, status, released))
}

/// A bank's payment notification. The same key twice is applied once; the second answer
/// says `applied: false` and repeats the first's entry.
///
/// The ledger's rules for money received (ARCHITECTURE.md, "The ledger's rules"):
/// - only a bank notifies payments (an admin manages users, it does not move money);
/// - a payment on a declaration with nothing due — released and settled, invalidated,
///   refused, or never taxed — is refused (409 `nothing_due`): the bank keeps the transfer;
/// - a payment above the amount due is taken whole: the excess is a credit on the
///   declaration (a negative balance, `overpaid` in the receipt) that only an officer's
///   refund pays back;
/// - amounts are bounded ([`MAX_AMOUNT`]) and every sum is checked arithmetic.
pub async fn notify_payment(
    state: &AppState,
    caller: &Caller,
    raw: Value,
) -> ApiResult<(bool, PaymentReceipt)> {
    caller.require(&[Role::Bank])?;
    let mut problems = FieldErrors::default();
    unknown_fields(
        &raw,
        &["declaration", "amount", "currency", "key", "reference"],
        &mut problems,
    );
    if let Some(r) = raw.get("reference")
        && !r.is_null()
    {
        match r.as_str() {
            Some(s) if s.chars().count() > 128 => {
                problems.push("reference", "too_long", "at most 128 characters")
            }
            Some(_) => {}
            None => problems.push("reference", "bad_type", "expected a string"),
        }
    }
    let declaration = text(&raw, "declaration", &mut problems, 64);
    let amount = amount(&raw, &mut problems);
    let currency = text(&raw, "currency", &mut problems, 3);
    let key = text(&raw, "key", &mut problems, 128);
    let reference = raw
        .get("reference")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let national = state.duties.snapshot().national_currency.clone();
    if let Some(c) = currency
        && c != national
    {
        let code = if state.reference.currency(c).is_some() {
            "currency_mismatch"
        } else {
            "unknown_currency"
        };
        problems.push(
            "currency",
            code,
            format!("payments are in the national currency, {national}"),
        );
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let (declaration, amount, key) = (
        declaration.unwrap_or_default(),
        amount.unwrap_or_default(),
        key.unwrap_or_default(),
    );
    for attempt in 0..2 {
        if let Some(seen) = ledger::by_key(state.store.db(), key).await? {
            if seen.kind != "paid" {
                return Err(ApiError::conflict(
                    "key_reused",
                    "this key belongs to another kind of ledger entry",
                ));
            }
            return repeat(state, seen, declaration, amount)
                .await
                .map(|r| (false, r));
        }
        let row = rows::get(state.store.db(), declaration)
            .await?
            .ok_or(ApiError::NotFound)?;
        let due = parse_balance(&row)?;
        let status_now = stored_status(&row)?;
        if due <= Decimal::ZERO || matches!(status_now, Status::Invalidated | Status::Refused) {
            return Err(ApiError::conflict(
                "nothing_due",
                format!(
                    "nothing is due on this declaration ({}, balance {due}); the transfer is not taken",
                    status_now.as_str()
                ),
            ));
        }
        let balance = checked(due.checked_sub(amount), "amount")?;
        let overpaid = (-balance).max(Decimal::ZERO);
        let now = tamga_store::now_text();
        let entry = ledger_entry(
            declaration,
            "paid",
            amount,
            &national,
            Some(key.to_owned()),
            reference.clone(),
            &caller.id,
            &now,
        );
        let (next, status, released) = with_balance(&row, balance, &now)?;
        let mut change = next
            .update(row.revision)
            .stmt(entry.insert())
            .event(NewEvent::new(
                "payment.received",
                declaration,
                &caller.id,
                &json!({"amount": amount, "currency": national, "key": key, "balance": balance,
                        "overpaid": overpaid, "ledger": {"kind": "paid", "amount": amount}}),
            ));
        if released {
            change = change.event(crate::declarations::status_event(
                declaration,
                Status::Released,
                stored_channel(&row)?,
            ));
        }
        match state.store.apply(change).await {
            Ok(_) => {
                return Ok((
                    true,
                    PaymentReceipt {
                        applied: true,
                        overpaid: Some(overpaid.to_string()),
                        entry: entry.into(),
                        declaration: declaration.to_owned(),
                        status,
                        balance: balance.to_string(),
                    },
                ));
            }
            // Another notification moved the declaration (or used the key) first: read again.
            Err(_) if attempt == 0 => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "concurrent_change",
        "the declaration changed meanwhile; send the notification again",
    ))
}

async fn repeat(
    state: &AppState,
    seen: LedgerEntry,
    declaration: &str,
    amount: Decimal,
) -> ApiResult<PaymentReceipt> {
    if seen.declaration_id != declaration || seen.amount.parse::<Decimal>().ok() != Some(amount) {
        return Err(ApiError::conflict(
            "key_reused",
            "this key was already used for another payment; a key identifies one payment",
        ));
    }
    let row = rows::get(state.store.db(), declaration)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(PaymentReceipt {
        applied: false,
        overpaid: None,
        declaration: declaration.to_owned(),
        status: stored_status(&row)?,
        balance: parse_balance(&row)?.to_string(),
        entry: seen.into(),
    })
}

/// What a bank may know of a declaration: its number, its status and the amount due. Not
/// the goods, the parties, the taxes' detail or the risk assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDue {
    pub declaration: String,
    pub status: Status,
    /// Amount still due, national currency (negative: a credit awaiting refund).
    pub balance: String,
    pub currency: String,
}

/// The amount due on a declaration, found by its number. A bank may look up any number
/// (it is given the number by the payer); every other role only what it may see.
pub async fn payment_due(state: &AppState, caller: &Caller, id: &str) -> ApiResult<PaymentDue> {
    let row = if caller.role == Role::Bank {
        rows::get(state.store.db(), id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        read_visible(state, caller, id).await?
    };
    Ok(PaymentDue {
        declaration: row.id.clone(),
        status: stored_status(&row)?,
        balance: parse_balance(&row)?.to_string(),
        currency: state.duties.snapshot().national_currency.clone(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub declaration: String,
    pub currency: String,
    pub entries: Vec<LedgerView>,
    /// assessed + additional − paid − guaranteed + refunded
    pub balance: String,
    pub assessed: String,
    pub paid: String,
    pub guaranteed: String,
    pub refunded: String,
}

pub async fn ledger_of(state: &AppState, caller: &Caller, id: &str) -> ApiResult<LedgerPage> {
    read_visible(state, caller, id).await?;
    let entries = ledger::entries_for(state.store.db(), id).await?;
    let sum = |kinds: &[&str]| ledger::sum_of(&entries, kinds).map(|d| d.to_string());
    let balance = ledger::balance_of(&entries)?;
    Ok(LedgerPage {
        declaration: id.to_owned(),
        currency: state.duties.snapshot().national_currency.clone(),
        assessed: sum(&["assessed", "additional"])?,
        paid: sum(&["paid"])?,
        guaranteed: sum(&["guaranteed"])?,
        refunded: sum(&["refunded"])?,
        balance: balance.to_string(),
        entries: entries.into_iter().map(Into::into).collect(),
    })
}

/// A refund of an overpayment by an officer of the declaration's office: never more than
/// the credit the declaration holds.
pub async fn refund(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: Value,
) -> ApiResult<PaymentReceipt> {
    caller.require(&[Role::Officer])?;
    let row = read_visible(state, caller, id).await?;
    let mut problems = FieldErrors::default();
    unknown_fields(&raw, &["amount", "reason", "key"], &mut problems);
    let amount = amount(&raw, &mut problems);
    let reason = text(&raw, "reason", &mut problems, 500);
    let key = text(&raw, "key", &mut problems, 128);
    // A repeated refund (same key) answers as the first did, though the credit is now spent.
    if let (Some(a), Some(k), true) = (amount, key, problems.is_empty())
        && let Some(seen) = ledger::by_key(state.store.db(), k).await?
    {
        if seen.kind != "refunded" {
            return Err(ApiError::conflict(
                "key_reused",
                "this key was already used for another ledger entry",
            ));
        }
        return repeat(state, seen, id, a).await;
    }
    let balance = parse_balance(&row)?;
    if let Some(a) = amount
        && balance.checked_add(a).is_none_or(|b| b > Decimal::ZERO)
    {
        problems.push(
            "amount",
            "refund_exceeds_credit",
            format!(
                "the declaration holds a credit of {}",
                -balance.min(Decimal::ZERO)
            ),
        );
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let (amount, key) = (amount.unwrap_or_default(), key.unwrap_or_default());
    let national = state.duties.snapshot().national_currency.clone();
    let now = tamga_store::now_text();
    let new_balance = checked(balance.checked_add(amount), "amount")?;
    let entry = ledger_entry(
        id,
        "refunded",
        amount,
        &national,
        Some(key.to_owned()),
        reason.map(str::to_owned),
        &caller.id,
        &now,
    );
    let mut next = row.clone();
    next.revision += 1;
    next.balance = Some(new_balance.to_string());
    next.updated_at = now;
    let change = next.update(row.revision).stmt(entry.insert()).event(NewEvent::new(
        "payment.refunded",
        id,
        &caller.id,
        &json!({"amount": amount, "currency": national, "key": key, "reason": reason, "balance": new_balance,
                "ledger": {"kind": "refunded", "amount": amount}}),
    ));
    state.store.apply(change).await?;
    Ok(PaymentReceipt {
        applied: true,
        overpaid: None,
        entry: entry.into(),
        declaration: id.to_owned(),
        status: stored_status(&row)?,
        balance: new_balance.to_string(),
    })
}

/// Deferred payment under a guarantee, for low-risk traders only: the declarant pledges the
/// amount due (a bank guarantee's reference) and the goods can be released before payment.
pub async fn guarantee(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: Value,
) -> ApiResult<PaymentReceipt> {
    caller.require(&[Role::Trader])?;
    let row = read_visible(state, caller, id).await?;
    if caller.party.as_deref() != Some(row.declarant.as_str()) {
        return Err(ApiError::Forbidden(
            "only the declarant may pledge a guarantee".into(),
        ));
    }
    let mut problems = FieldErrors::default();
    unknown_fields(&raw, &["reference", "key"], &mut problems);
    let reference = text(&raw, "reference", &mut problems, 100);
    let key = text(&raw, "key", &mut problems, 128);
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let (reference, key) = (reference.unwrap_or_default(), key.unwrap_or_default());
    let balance = parse_balance(&row)?;
    if let Some(seen) = ledger::by_key(state.store.db(), key).await? {
        // The same pledge sent twice: applied once. The amount is the one first pledged.
        let amount = seen.amount.parse().unwrap_or_default();
        if seen.kind != "guaranteed" {
            return Err(ApiError::conflict(
                "key_reused",
                "this key was already used for another ledger entry",
            ));
        }
        return repeat(state, seen, id, amount).await;
    }
    let party = row
        .importer
        .clone()
        .unwrap_or_else(|| row.declarant.clone());
    let category = state.risk.category_of(&party);
    if category != tamga_risk::RiskCategory::Low {
        return Err(ApiError::conflict(
            "guarantee_not_allowed",
            format!(
                "deferred payment is for low-risk traders; this trader is {}",
                category.as_str()
            ),
        ));
    }
    if balance <= Decimal::ZERO {
        return Err(ApiError::conflict(
            "nothing_due",
            "nothing is due on this declaration",
        ));
    }
    let national = state.duties.snapshot().national_currency.clone();
    let now = tamga_store::now_text();
    let entry = ledger_entry(
        id,
        "guaranteed",
        balance,
        &national,
        Some(key.to_owned()),
        Some(reference.to_owned()),
        &caller.id,
        &now,
    );
    let (next, status, _) = with_balance(&row, Decimal::ZERO, &now)?;
    let mut change = next
        .update(row.revision)
        .stmt(entry.insert())
        .event(NewEvent::new(
            "payment.guaranteed",
            id,
            &caller.id,
            &json!({"amount": balance, "currency": national, "reference": reference, "key": key,
                    "ledger": {"kind": "guaranteed", "amount": balance}}),
        ));
    if status.as_str() != row.status {
        change = change.event(crate::declarations::status_event(
            id,
            status,
            stored_channel(&row)?,
        ));
    }
    state.store.apply(change).await?;
    Ok(PaymentReceipt {
        applied: true,
        overpaid: None,
        entry: entry.into(),
        declaration: id.to_owned(),
        status,
        balance: "0".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_amount_is_fifteen_integer_digits_and_two_decimals() {
        assert_eq!(MAX_AMOUNT.to_string(), "999999999999999.99");
    }
}
