//! The lifecycle of a declaration: lodge → assess → release / control / payment; amend and
//! invalidate before release; history. Handlers call these; these call the pure libraries
//! and build one [`Change`] per state change so the store commits state and events together.

use serde::Serialize;
use serde_json::json;
use tamga_store::declarations::{self as rows, DeclarationFilter, DeclarationRow, Visibility};
use tamga_store::ledger::LedgerEntry;
use tamga_store::{Change, NewEvent};
use tamga_types::{Channel, Decimal, Declaration, FieldErrors, Status, validate_declaration};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::confidential::{AssessmentView, Audience, EventPayload};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A declaration as the API shows it: the declared data plus its state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeclarationView {
    pub id: String,
    /// Version of the declared data (1, then +1 per amendment).
    pub version: i64,
    pub status: Status,
    pub channel: Channel,
    pub lodged_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_at: Option<String>,
    #[serde(flatten)]
    pub declaration: Declaration,
    /// The risk assessment. Customs (officer, analyst, auditor, admin) get all of it:
    /// channel, score, thresholds, fired profiles and their matched values, the random draw
    /// and its seed. A trader gets only `{"channel": …, "next": "documentary_check" |
    /// "physical_inspection" | "payment" | "none"}`: the reasons of a selection are
    /// confidential (`crate::confidential`).
    #[schema(value_type = crate::views::risk::AssessmentView)]
    pub assessment: AssessmentView,
    /// Duties and taxes per item and tax, when assessed. Kept as the stored JSON text:
    /// serialised once at assessment, never rebuilt as a `Value` to be serialised again.
    #[schema(value_type = Option<tamga_tariff::Taxes>)]
    pub taxes: Option<Box<serde_json::value::RawValue>>,
    /// Amount still due in national currency.
    pub balance: Option<String>,
}

impl DeclarationView {
    /// The stored declaration as `audience` may see it ([`Audience::assessment`]).
    pub fn from_row(row: &DeclarationRow, audience: Audience) -> ApiResult<Self> {
        let corrupt = |what: &str| {
            ApiError::Internal(format!("declaration {}: stored {what} unreadable", row.id))
        };
        let (status, channel) = (stored_status(row)?, stored_channel(row)?);
        let assessment =
            serde_json::from_str(&row.assessment).map_err(|_| corrupt("assessment"))?;
        Ok(DeclarationView {
            id: row.id.clone(),
            version: row.version,
            status,
            channel,
            lodged_at: row.lodged_at.clone(),
            updated_at: row.updated_at.clone(),
            released_at: row.released_at.clone(),
            declaration: serde_json::from_str(&row.body).map_err(|_| corrupt("body"))?,
            assessment: audience.assessment(assessment, status, channel),
            taxes: match &row.taxes {
                Some(t) => Some(
                    serde_json::value::RawValue::from_string(t.clone())
                        .map_err(|_| corrupt("taxes"))?,
                ),
                None => None,
            },
            balance: row.balance.clone(),
        })
    }
}

/// Which declarations a caller may see.
pub fn visibility(caller: &Caller) -> ApiResult<Visibility> {
    match caller.role {
        Role::Trader => caller
            .party
            .clone()
            .map(Visibility::Party)
            .ok_or_else(|| ApiError::Forbidden("this trader is bound to no party".into())),
        Role::Officer => caller
            .office
            .clone()
            .map(Visibility::Office)
            .ok_or_else(|| ApiError::Forbidden("this officer is bound to no office".into())),
        Role::Analyst | Role::Auditor | Role::Admin => Ok(Visibility::All),
        // A bank learns only the amount due, by number (`payments::payment_due`).
        Role::Bank => Err(ApiError::Forbidden(
            "a bank reads the amount due of a declaration by its number at /api/v1/payments/due/{id}, nothing else".into(),
        )),
    }
}

fn can_see(v: &Visibility, row: &DeclarationRow) -> bool {
    match v {
        Visibility::All => true,
        Visibility::Party(p) => &row.declarant == p || row.importer.as_deref() == Some(p.as_str()),
        Visibility::Office(o) => &row.office == o,
    }
}

/// Reads a declaration the caller may see; 404 otherwise (never 403: the caller must not
/// learn that another party's declaration exists).
pub async fn read_visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<DeclarationRow> {
    let v = visibility(caller)?;
    match rows::get(state.store.db(), id).await? {
        Some(row) if can_see(&v, &row) => Ok(row),
        _ => Err(ApiError::NotFound),
    }
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<Status>,
    channel: Option<Channel>,
    limit: i64,
    offset: i64,
) -> ApiResult<(Vec<DeclarationView>, i64)> {
    let filter = DeclarationFilter {
        visibility: visibility(caller)?,
        status: status.map(|s| s.as_str().to_owned()),
        channel: channel.map(|c| c.as_str().to_owned()),
        limit,
        offset,
    };
    let (page, total) = rows::list(state.store.db(), &filter).await?;
    let audience = Audience::of(caller);
    let views = page
        .iter()
        .map(|row| DeclarationView::from_row(row, audience))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((views, total))
}

/// Today's date in UTC: the lodgement date whose tariff and exchange rate apply.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The amount still due on a declaration (zero when nothing was ever assessed). A stored
/// balance that does not parse is an error, never zero: that would let `release` through.
pub fn parse_balance(row: &DeclarationRow) -> ApiResult<Decimal> {
    match row.balance.as_deref() {
        None => Ok(Decimal::ZERO),
        Some(b) => b.parse::<Decimal>().map_err(|_| {
            ApiError::Internal(format!(
                "declaration {}: stored balance `{b}` unreadable",
                row.id
            ))
        }),
    }
}

pub fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Adds the taxes assessed on this version to the event that records it (`lodged`,
/// `amended`): the total, its currency, and the day and exchange rate applied. Why in that
/// event and not one of their own: the assessment is part of accepting the version, and one
/// event fewer per lodgement is writer time the single write path does not spend.
fn with_taxes(
    mut payload: serde_json::Value,
    taxes: Option<&tamga_tariff::Taxes>,
) -> serde_json::Value {
    if let (Some(t), Some(map)) = (taxes, payload.as_object_mut()) {
        map.insert(
            "taxes".into(),
            json!({"total": t.total, "currency": t.currency, "date": t.date, "exchange_rate": t.exchange_rate}),
        );
    }
    payload
}

#[allow(clippy::too_many_arguments)]
pub fn ledger_entry(
    declaration_id: &str,
    kind: &str,
    amount: Decimal,
    currency: &str,
    key: Option<String>,
    reference: Option<String>,
    actor: &str,
    at: &str,
) -> LedgerEntry {
    LedgerEntry {
        id: uuid::Uuid::now_v7().to_string(),
        declaration_id: declaration_id.to_owned(),
        kind: kind.to_owned(),
        amount: amount.to_string(),
        currency: currency.to_owned(),
        idempotency_key: key,
        reference,
        actor: actor.to_owned(),
        at: at.to_owned(),
    }
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Content hash of a declaration body, recorded in events so the log pins what was declared.
pub(crate) fn body_hash(body: &str) -> String {
    blake3::hash(body.as_bytes()).to_hex().to_string()
}

/// Status right after assessment: held for control, waiting for money, or released.
pub fn status_after_assessment(channel: Channel, balance_due: bool) -> Status {
    if channel.requires_control() {
        Status::UnderControl
    } else if balance_due {
        Status::AwaitingPayment
    } else {
        Status::Released
    }
}

/// Records a refusal: nothing is stored but the event that it happened.
async fn record_refusal(
    state: &AppState,
    caller: &Caller,
    raw: &serde_json::Value,
    errors: &FieldErrors,
) {
    let event = NewEvent::new(
        "declaration.refused",
        raw.get("declarant")
            .and_then(|d| d.as_str())
            .unwrap_or("unknown"),
        &caller.id,
        &json!({
            "errors": errors.errors,
            "body_hash": body_hash(&raw.to_string()),
        }),
    );
    if let Err(e) = state.store.apply(Change::new().event(event)).await {
        tracing::error!(error = %e, "could not record a refused declaration");
    }
}

pub async fn lodge(
    state: &AppState,
    caller: &Caller,
    raw: serde_json::Value,
) -> ApiResult<DeclarationView> {
    // Only traders lodge (an admin manages, it does not trade), and a broker declares for
    // many importers but only ever as itself.
    caller.require(&[Role::Trader])?;
    if let Some(d) = raw.get("declarant").and_then(|d| d.as_str())
        && caller.party.as_deref() != Some(d)
    {
        return Err(ApiError::Forbidden(
            "a trader may only lodge declarations where its own party is the declarant".into(),
        ));
    }
    let declaration = match validate_declaration(&raw, state.reference.as_ref()) {
        Ok(d) => d,
        Err(errors) => {
            record_refusal(state, caller, &raw, &errors).await;
            return Err(ApiError::Invalid(errors));
        }
    };
    let now = tamga_store::now_text();
    let assessed = if state.config.assess_taxes {
        state.duties.assess(&declaration, today())
    } else {
        Ok(None)
    };
    let taxes = match assessed {
        Ok(t) => t,
        Err(errors) => {
            record_refusal(state, caller, &raw, &errors).await;
            return Err(ApiError::Invalid(errors));
        }
    };
    let id = new_id();
    let party = declaration
        .importer
        .as_ref()
        .unwrap_or(&declaration.declarant)
        .to_string();
    let outcome = state.risk.assess(&declaration, &party, 1, &state.duties);
    let balance = taxes.as_ref().map(|t| t.total);
    // Serialised once: the stored text and the answer's raw JSON are the same bytes.
    let taxes_json = taxes
        .as_ref()
        .map(serde_json::value::to_raw_value)
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let status =
        status_after_assessment(outcome.channel, balance.is_some_and(|b| b > Decimal::ZERO));
    let row = DeclarationRow {
        id: id.clone(),
        revision: 1,
        version: 1,
        status: status.as_str().into(),
        channel: outcome.channel.as_str().into(),
        kind: declaration.kind.as_str().into(),
        office: declaration.office.to_string(),
        declarant: declaration.declarant.to_string(),
        importer: declaration.importer.as_ref().map(|i| i.to_string()),
        lodged_at: now.clone(),
        updated_at: now.clone(),
        released_at: (status == Status::Released).then(|| now.clone()),
        body: to_json(&declaration)?,
        assessment: outcome.json.to_string(),
        taxes: taxes_json.as_ref().map(|t| t.get().to_owned()),
        balance: balance.map(|b| b.to_string()),
    };
    let mut change = row.insert(&caller.id);
    if let Some(t) = &taxes {
        change = change.stmt(
            ledger_entry(
                &id,
                "assessed",
                t.total,
                &t.currency,
                None,
                None,
                "system",
                &now,
            )
            .insert(),
        );
    }
    for f in &outcome.assessment.fired {
        let measure = serde_json::to_value(f.measure).unwrap_or_default();
        change = change.stmt(tamga_store::risk::insert_hit(
            &id,
            &f.profile,
            i64::from(f.version),
            i64::from(f.score),
            measure.as_str().unwrap_or(""),
            &now,
        ));
    }
    let control = if outcome.channel.requires_control() {
        let inspection = outcome
            .assessment
            .inspection
            .map(|i| serde_json::to_value(i).unwrap_or_default());
        let task = crate::controls::open_task(
            state,
            &id,
            declaration.office.as_str(),
            outcome.channel,
            inspection.and_then(|i| i.as_str().map(str::to_owned)),
            &now,
        )
        .await?;
        change = change.stmt(task.insert());
        Some(task)
    } else {
        None
    };
    change = change
        .event(NewEvent::new(
            "declaration.lodged",
            &id,
            &caller.id,
            &with_taxes(
                json!({"version": 1, "body_hash": body_hash(&row.body), "declarant": row.declarant,
                       "office": row.office, "type": row.kind,
                       "ledger": taxes.as_ref().map(|t| json!({"kind": "assessed", "amount": t.total.to_string()}))}),
                taxes.as_ref(),
            ),
        ))
        .event(NewEvent::new(
            "declaration.assessed",
            &id,
            "system",
            &outcome.json,
        ));
    if let Some(task) = &control {
        change = change.event(NewEvent::new(
            "control.opened",
            &id,
            "system",
            &json!({"control": task.id, "channel": task.channel, "inspection": task.inspection,
                    "assigned_to": task.assigned_to, "assignment": serde_json::from_str::<serde_json::Value>(&task.assignment).unwrap_or_default()}),
        ));
    }
    change = change.event(status_event(&id, status, outcome.channel));
    state.store.apply(change).await?;
    state.risk.note_lodged(&party);
    // Built from the values in hand rather than by parsing back what was just serialised.
    Ok(DeclarationView {
        id,
        version: 1,
        status,
        channel: outcome.channel,
        lodged_at: row.lodged_at,
        updated_at: row.updated_at,
        released_at: row.released_at,
        declaration,
        assessment: Audience::of(caller).assessment(outcome.json, status, outcome.channel),
        taxes: taxes_json,
        balance: row.balance,
    })
}

pub fn status_event(id: &str, status: Status, channel: Channel) -> NewEvent {
    let kind = match status {
        Status::Released => "declaration.released",
        Status::UnderControl => "declaration.held_for_control",
        Status::AwaitingPayment => "declaration.awaiting_payment",
        _ => "declaration.status_changed",
    };
    NewEvent::new(
        kind,
        id,
        "system",
        &json!({"status": status, "channel": channel}),
    )
}

/// The stored status of a declaration, or an error: a value that does not parse stops the
/// use case (fail closed), it never defaults to a status that would let something through.
pub fn stored_status(row: &DeclarationRow) -> ApiResult<Status> {
    Status::parse(&row.status).ok_or_else(|| {
        ApiError::Internal(format!(
            "declaration {}: stored status `{}` unreadable",
            row.id, row.status
        ))
    })
}

/// The stored channel of a declaration, or an error (fail closed, like [`stored_status`]).
pub fn stored_channel(row: &DeclarationRow) -> ApiResult<Channel> {
    Channel::parse(&row.channel).ok_or_else(|| {
        ApiError::Internal(format!(
            "declaration {}: stored channel `{}` unreadable",
            row.id, row.channel
        ))
    })
}

/// The duties the ledger has accepted on a declaration (`assessed` + `additional`): the
/// taxes of the stored version, except while a claim to lower them waits for an officer or
/// after one was refused, when the ledger still holds the higher amount. Every later change
/// of the duties is a difference against this, so a refused claim cannot come back through
/// another amendment.
pub async fn accepted_duties(state: &AppState, id: &str) -> ApiResult<Decimal> {
    let entries = tamga_store::ledger::entries_for(state.store.db(), id).await?;
    Ok(tamga_store::ledger::sum_of(
        &entries,
        &["assessed", "additional"],
    )?)
}

/// Money arithmetic that cannot overflow into a panic: an overflow is refused as a 422.
pub fn checked(sum: Option<Decimal>, path: &str) -> ApiResult<Decimal> {
    sum.ok_or_else(|| {
        ApiError::invalid(
            path,
            "amount_too_large",
            "the amount is beyond what the ledger can hold",
        )
    })
}

/// Amends the declared data before release. The rules (issue 12; each has a test):
/// - the declarant amends only while no control is open: under control, only the
///   officer's control result changes the declaration (the attempt is refused and logged);
/// - every amendment is a new version, re-assessed by the risk engine; the channel can only
///   keep or rise above the original selection, and a channel that requires control opens
///   a new control of the new version (a control done on the old data does not cover it);
/// - higher duties go into the ledger at once (`additional`); lower duties never do: they
///   file a claim that an officer of the office grants or refuses (`crate::claims`). While a
///   claim is pending, the declaration cannot be amended again.
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: serde_json::Value,
) -> ApiResult<DeclarationView> {
    caller.require(&[Role::Trader])?;
    let row = read_visible(state, caller, id).await?;
    if caller.party.as_deref() != Some(row.declarant.as_str()) {
        return Err(ApiError::Forbidden(
            "only the declarant may amend a declaration".into(),
        ));
    }
    let mut problems = FieldErrors::default();
    let reason = raw
        .get("reason")
        .and_then(|r| r.as_str())
        .map(str::trim)
        .unwrap_or("");
    if reason.is_empty() {
        problems.push("reason", "missing", "an amendment needs a reason");
    } else if reason.chars().count() > MAX_REASON {
        problems.push(
            "reason",
            "too_long",
            format!("at most {MAX_REASON} characters"),
        );
    }
    if let Some(obj) = raw.as_object() {
        for k in obj
            .keys()
            .filter(|k| !["reason", "declaration"].contains(&k.as_str()))
        {
            problems.push(
                k.clone(),
                "unknown_field",
                "an amendment has only `reason` and `declaration`",
            );
        }
    }
    let declaration = match raw.get("declaration") {
        None | Some(serde_json::Value::Null) => {
            problems.push(
                "declaration",
                "missing",
                "the amended declaration is required",
            );
            None
        }
        Some(d) => match validate_declaration(d, state.reference.as_ref()) {
            Ok(decl) => Some(decl),
            Err(errs) => {
                for e in errs.errors {
                    let path = if e.path.is_empty() {
                        "declaration".to_owned()
                    } else {
                        format!("declaration.{}", e.path)
                    };
                    problems.push(path, &e.code, e.message);
                }
                None
            }
        },
    };
    if let Some(d) = &declaration
        && d.declarant.as_str() != row.declarant
    {
        problems.push(
            "declaration.declarant",
            "declarant_changed",
            "the declarant of a declaration cannot change",
        );
    }
    let status = stored_status(&row)?;
    if matches!(status, Status::UnderControl | Status::Lodged) {
        refuse_override(state, caller, id, "amend", "control_pending").await;
        return Err(ApiError::conflict(
            "control_pending",
            "the declaration is under control: until the officer records the result, only the officer's corrections change it",
        ));
    }
    if !status.is_open() {
        return Err(ApiError::conflict(
            "not_amendable",
            format!(
                "a declaration that is {} can no longer be amended",
                status.as_str()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let declaration = declaration.expect("no problems means a declaration");
    for c in tamga_store::claims::of_declaration(state.store.db(), id).await? {
        if c.status()? == tamga_store::claims::ClaimStatus::Pending {
            return Err(ApiError::conflict(
                "claim_pending",
                format!(
                    "claim {} to lower the duties awaits an officer's decision; amend again after it",
                    c.id
                ),
            ));
        }
    }
    let now = tamga_store::now_text();
    let taxes = state.duties.assess(&declaration, today()).map_err(|errs| {
        ApiError::Invalid(FieldErrors {
            errors: errs
                .errors
                .into_iter()
                .map(|e| {
                    tamga_types::FieldError::new(
                        format!("declaration.{}", e.path),
                        &e.code,
                        e.message,
                    )
                })
                .collect(),
        })
    })?;
    let party = declaration
        .importer
        .as_ref()
        .unwrap_or(&declaration.declarant)
        .to_string();
    let outcome = state
        .risk
        .assess(&declaration, &party, row.version + 1, &state.duties);
    // The channel of the original selection can be kept or raised, never lowered.
    let channel = stored_channel(&row)?.max(outcome.channel);
    let after = taxes.as_ref().map(|t| t.total).unwrap_or_default();
    let difference = checked(
        after.checked_sub(accepted_duties(state, id).await?),
        "declaration.items",
    )?;
    let balance_before = parse_balance(&row)?;
    // More owed: into the ledger now. Less owed: a claim for an officer, the ledger untouched.
    let added = difference.max(Decimal::ZERO);
    let reduction = (difference < Decimal::ZERO).then(|| -difference);
    let balance = checked(balance_before.checked_add(added), "declaration.items")?;
    let new_status = status_after_assessment(channel, balance > Decimal::ZERO);
    let currency = state.duties.snapshot().national_currency.clone();
    let mut next = row.clone();
    next.revision += 1;
    next.version += 1;
    next.status = new_status.as_str().into();
    next.channel = channel.as_str().into();
    next.office = declaration.office.to_string();
    next.importer = declaration.importer.as_ref().map(|i| i.to_string());
    next.updated_at = now.clone();
    next.released_at = (new_status == Status::Released).then(|| now.clone());
    next.assessment = outcome.json.to_string();
    next.body = to_json(&declaration)?;
    next.taxes = taxes.as_ref().map(to_json).transpose()?;
    next.balance = (taxes.is_some() || row.balance.is_some()).then(|| balance.to_string());
    let mut change = next.update(row.revision);
    let mut amended = json!({"version": next.version, "reason": reason,
        "body_hash": body_hash(&next.body), "status": new_status, "channel": channel,
        // Present even when null: "this amendment wrote no ledger row" (a lower total
        // files a claim instead), which the audit rebuild must not infer from the taxes.
        "ledger": null});
    if added > Decimal::ZERO {
        change = change.stmt(
            ledger_entry(
                id,
                "additional",
                added,
                &currency,
                None,
                Some(format!("amendment v{}", next.version)),
                &caller.id,
                &now,
            )
            .insert(),
        );
        amended["ledger"] = json!({"kind": "additional", "amount": added});
    }
    change = change
        .stmt(rows::version_insert(
            id,
            next.version,
            &next.body,
            Some(reason),
            &caller.id,
            &now,
        ))
        .event(NewEvent::new(
            "declaration.amended",
            id,
            &caller.id,
            &with_taxes(amended, taxes.as_ref()),
        ))
        .event(NewEvent::new(
            "declaration.assessed",
            id,
            "system",
            &outcome.json,
        ));
    if let Some(amount) = reduction {
        let claim = tamga_store::claims::ClaimRow {
            id: new_id(),
            declaration_id: id.to_owned(),
            office: next.office.clone(),
            version: next.version,
            amount: amount.to_string(),
            currency: currency.clone(),
            status: tamga_store::claims::ClaimStatus::Pending.as_str().into(),
            reason: reason.to_owned(),
            requested_by: caller.id.clone(),
            requested_at: now.clone(),
            decided_by: None,
            decided_at: None,
            note: None,
        };
        change = change.stmt(claim.insert()).event(NewEvent::new(
            "amendment.reduction_requested",
            id,
            &caller.id,
            &json!({"claim": claim.id, "version": next.version, "amount": amount, "currency": currency}),
        ));
    }
    // A channel that requires control opens a control of this version, even when the
    // previous version's control is done: what was controlled is no longer what is declared.
    if channel.requires_control() {
        let inspection = outcome
            .assessment
            .inspection
            .map(|i| serde_json::to_value(i).unwrap_or_default());
        let task = crate::controls::open_task(
            state,
            id,
            declaration.office.as_str(),
            channel,
            inspection.and_then(|i| i.as_str().map(str::to_owned)),
            &now,
        )
        .await?;
        change = change.stmt(task.insert()).event(NewEvent::new(
            "control.opened",
            id,
            "system",
            &json!({"control": task.id, "channel": task.channel, "assigned_to": task.assigned_to,
                    "version": next.version}),
        ));
    }
    if new_status != status {
        change = change.event(status_event(id, new_status, channel));
    }
    state.store.apply(change).await?;
    DeclarationView::from_row(&next, Audience::of(caller))
}

/// Longest reason an amendment, invalidation or decision may give, in characters.
pub const MAX_REASON: usize = 1000;

/// Invalidation by the declarant, before release and never while a control is pending.
pub async fn invalidate(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: serde_json::Value,
) -> ApiResult<DeclarationView> {
    caller.require(&[Role::Trader])?;
    let row = read_visible(state, caller, id).await?;
    if caller.party.as_deref() != Some(row.declarant.as_str()) {
        return Err(ApiError::Forbidden(
            "only the declarant may invalidate a declaration".into(),
        ));
    }
    let reason = raw
        .get("reason")
        .and_then(|r| r.as_str())
        .map(str::trim)
        .unwrap_or("");
    if reason.is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "missing",
            "an invalidation needs a reason",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(ApiError::invalid(
            "reason",
            "too_long",
            format!("at most {MAX_REASON} characters"),
        ));
    }
    let status = stored_status(&row)?;
    if status == Status::UnderControl {
        refuse_override(state, caller, id, "invalidate", "control_pending").await;
        return Err(ApiError::conflict(
            "control_pending",
            "a declaration selected for control cannot be invalidated before the control result is recorded",
        ));
    }
    if !status.is_open() {
        return Err(ApiError::conflict(
            "not_invalidatable",
            format!(
                "a declaration that is {} can no longer be invalidated",
                status.as_str()
            ),
        ));
    }
    let now = tamga_store::now_text();
    let mut next = row.clone();
    next.revision += 1;
    next.status = Status::Invalidated.as_str().into();
    next.updated_at = now;
    let change = next.update(row.revision).event(NewEvent::new(
        "declaration.invalidated",
        id,
        &caller.id,
        &json!({"reason": reason, "status": "invalidated"}),
    ));
    state.store.apply(change).await?;
    DeclarationView::from_row(&next, Audience::of(caller))
}

/// Records an attempt to get round a selected control. Such attempts are refused and
/// written to the log, whoever makes them.
pub async fn refuse_override(
    state: &AppState,
    caller: &Caller,
    id: &str,
    attempted: &str,
    code: &str,
) {
    let event = NewEvent::new(
        "control.override_refused",
        id,
        &caller.id,
        &json!({"attempted": attempted, "code": code, "role": caller.role}),
    );
    if let Err(e) = state.store.apply(Change::new().event(event)).await {
        tracing::error!(error = %e, "could not record a refused override");
    }
}

/// Release by an officer of the declaration's office: only when no control is pending and
/// nothing is due. The refusals apply to every role, admin included.
pub async fn release(state: &AppState, caller: &Caller, id: &str) -> ApiResult<DeclarationView> {
    // Anyone who can see the declaration can try; the attempt itself is what we record. A
    // bank, which sees no declaration, still gets the same refusal as every other role.
    let row = if caller.role == Role::Bank {
        rows::get(state.store.db(), id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        read_visible(state, caller, id).await?
    };
    let status = stored_status(&row)?;
    match status {
        Status::Released => {
            return Err(ApiError::conflict(
                "already_released",
                "the declaration is already released",
            ));
        }
        Status::Invalidated | Status::Refused => {
            return Err(ApiError::conflict(
                "not_releasable",
                format!("the declaration is {}", status.as_str()),
            ));
        }
        Status::UnderControl | Status::Lodged => {
            refuse_override(state, caller, id, "release", "control_pending").await;
            return Err(ApiError::conflict(
                "control_pending",
                "the declaration was selected for control; release needs the control result first",
            ));
        }
        Status::AwaitingPayment => {}
    }
    let due = parse_balance(&row)?;
    if due > Decimal::ZERO {
        refuse_override(state, caller, id, "release", "unpaid").await;
        return Err(ApiError::conflict("unpaid", format!("{due} is still due")));
    }
    if caller.role != Role::Officer || caller.office.as_deref() != Some(row.office.as_str()) {
        return Err(ApiError::Forbidden(
            "release is done by an officer of the declaration's office".into(),
        ));
    }
    let now = tamga_store::now_text();
    let mut next = row.clone();
    next.revision += 1;
    next.status = Status::Released.as_str().into();
    next.updated_at = now.clone();
    next.released_at = Some(now);
    let change = next.update(row.revision).event(NewEvent::new(
        "declaration.released",
        id,
        &caller.id,
        &json!({"status": "released"}),
    ));
    state.store.apply(change).await?;
    DeclarationView::from_row(&next, Audience::of(caller))
}

/// Everything that happened to a declaration: its versions and its events.
#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub id: String,
    pub versions: Vec<VersionView>,
    pub events: Vec<EventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub created_at: String,
    pub actor: String,
    pub reason: Option<String>,
    #[schema(value_type = Declaration)]
    pub declaration: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub actor: String,
    /// What happened. For a trader, without the reasons of a selection: no assessment
    /// details, inspection depth or officer draw (`crate::confidential`).
    #[schema(value_type = crate::views::events::EventPayload)]
    pub payload: EventPayload,
    pub hash: String,
}

pub async fn history(state: &AppState, caller: &Caller, id: &str) -> ApiResult<History> {
    read_visible(state, caller, id).await?;
    let audience = Audience::of(caller);
    let versions = rows::versions(state.store.db(), id).await?;
    let events = tamga_store::event_log::events_for(state.store.db(), id).await?;
    Ok(History {
        id: id.to_owned(),
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                created_at: v.created_at,
                actor: v.actor,
                reason: v.reason,
                declaration: serde_json::from_str(&v.body).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                at: e.at,
                payload: audience.event_payload(
                    &e.kind,
                    serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
                ),
                kind: e.kind,
                actor: e.actor,
                hash: e.hash,
            })
            .collect(),
    })
}
