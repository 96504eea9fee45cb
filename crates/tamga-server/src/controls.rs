//! Control tasks: opened when the risk engine selects a declaration (yellow or red),
//! assigned to an officer of the office drawn at random (anti-collusion; the draw is
//! recorded), closed only by recording a result. Nothing cancels, skips or downgrades a
//! selected control: every such attempt is refused and written to the log.

use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tamga_store::declarations::{self as rows};
use tamga_store::risk::{self as risk_rows, ControlRow};
use tamga_store::{Change, NewEvent};
use tamga_types::{
    Channel, CountryCode, Decimal, FieldErrors, HsCode, Status, validate_declaration,
};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::declarations::{
    DeclarationView, accepted_duties, checked, ledger_entry, parse_balance, read_visible,
    refuse_override, status_event, stored_channel, to_json, today,
};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Kinds of finding an officer can record.
pub const FINDING_KINDS: [&str; 8] = [
    "misclassification",
    "undervaluation",
    "quantity",
    "origin",
    "prohibited_goods",
    "missing_permit",
    "missing_document",
    "other",
];

/// Opens the control task of a selected declaration, drawing its officer at random.
pub async fn open_task(
    state: &AppState,
    declaration_id: &str,
    office: &str,
    channel: Channel,
    inspection: Option<String>,
    at: &str,
) -> ApiResult<ControlRow> {
    let officers = tamga_store::users::officers_of(state.store.db(), office).await?;
    let seed: [u8; 32] = rand::random();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
    let (assigned_to, index) = if officers.is_empty() {
        (None, None)
    } else {
        let i = rng.random_range(0..officers.len());
        (Some(officers[i].id.clone()), Some(i))
    };
    let assignment = json!({
        "seed": hex::encode(seed),
        "candidates": officers.iter().map(|o| &o.id).collect::<Vec<_>>(),
        "index": index,
        "rule": "ChaCha20 seeded with `seed`; first draw uniform over the office's officers, ordered by id",
    });
    Ok(ControlRow {
        id: crate::declarations::new_id(),
        declaration_id: declaration_id.to_owned(),
        office: office.to_owned(),
        channel: channel.as_str().to_owned(),
        inspection,
        status: "open".into(),
        assigned_to,
        assignment: assignment.to_string(),
        opened_at: at.to_owned(),
        closed_at: None,
        outcome: None,
        findings: None,
        note: None,
        revenue_recovered: None,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlView {
    pub id: String,
    pub declaration: String,
    pub office: String,
    pub channel: Channel,
    /// Depth of a physical inspection: scan, partial or full.
    pub inspection: Option<String>,
    /// `open` or `done`.
    pub status: String,
    pub assigned_to: Option<String>,
    /// The random draw that chose the officer.
    #[schema(value_type = crate::views::controls::OfficerDraw)]
    pub assignment: Value,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    /// What the control found, as recorded with its result.
    pub findings: Option<Vec<Finding>>,
    pub note: Option<String>,
    /// Duties and taxes added by the control's corrections, national currency.
    pub revenue_recovered: Option<String>,
}

impl From<ControlRow> for ControlView {
    fn from(r: ControlRow) -> Self {
        ControlView {
            id: r.id,
            declaration: r.declaration_id,
            office: r.office,
            channel: Channel::parse(&r.channel).unwrap_or(Channel::Yellow),
            inspection: r.inspection,
            status: r.status,
            assigned_to: r.assigned_to,
            assignment: serde_json::from_str(&r.assignment).unwrap_or(Value::Null),
            opened_at: r.opened_at,
            closed_at: r.closed_at,
            outcome: r.outcome,
            findings: r.findings.and_then(|f| serde_json::from_str(&f).ok()),
            note: r.note,
            revenue_recovered: r.revenue_recovered,
        }
    }
}

/// Open (or done) tasks: an officer sees its office's; auditors, analysts and admins all.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<&str>,
) -> ApiResult<Vec<ControlView>> {
    let office = match caller.role {
        Role::Officer => Some(
            caller
                .office
                .clone()
                .ok_or_else(|| ApiError::Forbidden("officer without office".into()))?,
        ),
        Role::Admin | Role::Auditor | Role::Analyst => None,
        _ => return Err(ApiError::Forbidden("control tasks are for officers".into())),
    };
    let rows = risk_rows::controls(state.store.db(), office.as_deref(), status, 500).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn visible_task(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ControlRow> {
    let task = risk_rows::control(state.store.db(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = match caller.role {
        Role::Officer => caller.office.as_deref() == Some(task.office.as_str()),
        Role::Admin | Role::Auditor | Role::Analyst => true,
        _ => false,
    };
    if visible {
        Ok(task)
    } else {
        Err(ApiError::NotFound)
    }
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ControlView> {
    Ok(visible_task(state, caller, id).await?.into())
}

/// Cancelling a selected control is never possible; the attempt is recorded.
pub async fn cancel(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ControlView> {
    let task = visible_task(state, caller, id).await?;
    refuse_override(
        state,
        caller,
        &task.declaration_id,
        "cancel_control",
        "control_cannot_be_cancelled",
    )
    .await;
    Err(ApiError::conflict(
        "control_cannot_be_cancelled",
        "a control selected by the risk engine cannot be cancelled or skipped by anyone; record its result",
    ))
}

/// Changing a declaration's channel by hand is never possible; the attempt is recorded.
pub async fn change_channel(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<DeclarationView> {
    let row = read_visible(state, caller, id).await?;
    refuse_override(state, caller, &row.id, "change_channel", "channel_locked").await;
    Err(ApiError::conflict(
        "channel_locked",
        "the channel is decided by the risk engine; no role can change or downgrade it",
    ))
}

/// One finding of a control, as recorded with its result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = RecordedFinding)]
pub struct Finding {
    #[schema(value_type = crate::openapi::FindingKind)]
    pub kind: String,
    /// The goods item (index into `items`).
    pub item: Option<usize>,
    /// The item's corrected values, as sent.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub corrected: serde_json::Map<String, Value>,
    pub detail: Option<String>,
}

fn parse_result(
    raw: &Value,
    items: usize,
    state: &AppState,
) -> Result<(String, Vec<Finding>, Option<String>), FieldErrors> {
    let mut p = FieldErrors::default();
    let Some(obj) = raw.as_object() else {
        p.push("", "bad_type", "expected a JSON object");
        return Err(p);
    };
    for k in obj
        .keys()
        .filter(|k| !["outcome", "findings", "note"].contains(&k.as_str()))
    {
        p.push(
            k.clone(),
            "unknown_field",
            "a control result has outcome, findings and note",
        );
    }
    let outcome = match obj.get("outcome").and_then(Value::as_str) {
        Some(o @ ("no_discrepancy" | "discrepancy")) => o.to_owned(),
        Some(_) => {
            p.push(
                "outcome",
                "unknown_outcome",
                "outcome is no_discrepancy or discrepancy",
            );
            String::new()
        }
        None => {
            p.push("outcome", "missing", "outcome is required");
            String::new()
        }
    };
    let note = obj.get("note").and_then(Value::as_str).map(str::to_owned);
    let mut findings = Vec::new();
    match obj.get("findings") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, f) in list.iter().enumerate() {
                let path = format!("findings[{i}]");
                let Some(fo) = f.as_object() else {
                    p.push(path, "bad_type", "a finding is an object");
                    continue;
                };
                for k in fo
                    .keys()
                    .filter(|k| !["kind", "item", "corrected", "detail"].contains(&k.as_str()))
                {
                    p.push(
                        format!("{path}.{k}"),
                        "unknown_field",
                        "a finding has kind, item, corrected, detail",
                    );
                }
                let kind = fo.get("kind").and_then(Value::as_str).unwrap_or("");
                if !FINDING_KINDS.contains(&kind) {
                    p.push(
                        format!("{path}.kind"),
                        if kind.is_empty() {
                            "missing"
                        } else {
                            "unknown_finding"
                        },
                        format!("kind is one of {}", FINDING_KINDS.join(", ")),
                    );
                }
                let item = match fo.get("item") {
                    None | Some(Value::Null) => None,
                    Some(v) => match v.as_u64() {
                        Some(n) if (n as usize) < items => Some(n as usize),
                        _ => {
                            p.push(
                                format!("{path}.item"),
                                "unknown_item",
                                format!("item is an index from 0 to {}", items.saturating_sub(1)),
                            );
                            None
                        }
                    },
                };
                let corrected = fo
                    .get("corrected")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for (k, v) in &corrected {
                    let cpath = format!("{path}.corrected.{k}");
                    let s = v.as_str().unwrap_or("");
                    let ok = match k.as_str() {
                        "value" | "quantity" | "net_mass_kg" | "gross_mass_kg" => {
                            Decimal::from_str_exact(s)
                                .map(|d| d > Decimal::ZERO)
                                .unwrap_or(false)
                        }
                        "hs_code" => HsCode::parse(s).is_some_and(|h| {
                            tamga_types::CodeLists::is_hs_subheading(
                                state.reference.as_ref(),
                                h.subheading(),
                            )
                        }),
                        "origin" => CountryCode::parse(s)
                            .is_some_and(|c| state.reference.country(c.as_str()).is_some()),
                        _ => {
                            p.push(cpath.clone(), "unknown_field", "corrections: value, quantity, net_mass_kg, gross_mass_kg, hs_code, origin");
                            true
                        }
                    };
                    if !ok {
                        p.push(cpath, "bad_value", "not a valid corrected value");
                    }
                    if item.is_none() {
                        p.push(
                            format!("{path}.item"),
                            "missing",
                            "a correction names the goods item it corrects",
                        );
                    }
                }
                findings.push(Finding {
                    kind: kind.to_owned(),
                    item,
                    corrected,
                    detail: fo.get("detail").and_then(Value::as_str).map(str::to_owned),
                });
            }
        }
        Some(_) => p.push("findings", "bad_type", "findings is a list"),
    }
    if outcome == "discrepancy" && findings.is_empty() {
        p.push(
            "findings",
            "missing",
            "a discrepancy needs at least one finding",
        );
    }
    if outcome == "no_discrepancy" && !findings.is_empty() {
        p.push(
            "findings",
            "unexpected",
            "no findings with outcome no_discrepancy",
        );
    }
    if p.is_empty() {
        Ok((outcome, findings, note))
    } else {
        Err(p)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ControlResult {
    pub control: ControlView,
    pub declaration: DeclarationView,
}

/// Records the result of a control: the only way a selected declaration moves on.
/// Corrections make a new version of the declaration, re-taxed; the difference is an
/// additional assessment in the ledger (revenue recovered by control).
pub async fn record_result(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: Value,
) -> ApiResult<ControlResult> {
    caller.require(&[Role::Officer])?;
    let task = visible_task(state, caller, id).await?;
    if task.status != "open" {
        return Err(ApiError::conflict(
            "control_closed",
            "this control's result is already recorded",
        ));
    }
    if let Some(assigned) = &task.assigned_to
        && assigned != &caller.id
    {
        return Err(ApiError::Forbidden(
            "this control is assigned to another officer".into(),
        ));
    }
    let row = rows::get(state.store.db(), &task.declaration_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let body: Value =
        serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let items = body["items"].as_array().map(Vec::len).unwrap_or(0);
    let (outcome, findings, note) = parse_result(&raw, items, state).map_err(ApiError::Invalid)?;

    // Apply the corrections to the declared data and validate the corrected declaration.
    let mut corrected = body.clone();
    for f in &findings {
        if let Some(i) = f.item {
            for (k, v) in &f.corrected {
                corrected["items"][i][k] = v.clone();
            }
        }
    }
    let changed = corrected != body;
    let declaration =
        validate_declaration(&corrected, state.reference.as_ref()).map_err(|errs| {
            ApiError::Invalid(FieldErrors {
                errors: errs
                    .errors
                    .into_iter()
                    .map(|e| {
                        tamga_types::FieldError::new(
                            format!("findings.corrected.{}", e.path),
                            &e.code,
                            e.message,
                        )
                    })
                    .collect(),
            })
        })?;
    let taxes = if changed {
        state
            .duties
            .assess(&declaration, today())
            .map_err(ApiError::Invalid)?
    } else {
        row.taxes
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
    };
    let after = taxes.as_ref().map(|t| t.total).unwrap_or_default();
    // Against the duties the ledger holds: a control's result sets the duties of the version
    // it controlled, whatever claim to lower them was pending (that claim is closed below).
    let recovered = checked(
        after.checked_sub(accepted_duties(state, &row.id).await?),
        "findings",
    )?;
    let balance = checked(parse_balance(&row)?.checked_add(recovered), "findings")?;
    let channel = stored_channel(&row)?;
    let prohibited = findings.iter().any(|f| f.kind == "prohibited_goods");
    let status = if prohibited {
        Status::Refused
    } else if balance > Decimal::ZERO {
        Status::AwaitingPayment
    } else {
        Status::Released
    };
    let now = tamga_store::now_text();
    let findings_json: Vec<Value> = findings
        .iter()
        .map(|f| json!({"kind": f.kind, "item": f.item, "corrected": f.corrected, "detail": f.detail}))
        .collect();
    let mut closed = task.clone();
    closed.status = "done".into();
    closed.closed_at = Some(now.clone());
    closed.outcome = Some(outcome.clone());
    closed.findings = Some(Value::Array(findings_json.clone()).to_string());
    closed.note = note.clone();
    closed.revenue_recovered = Some(recovered.to_string());

    let mut next = row.clone();
    next.revision += 1;
    next.status = status.as_str().into();
    next.updated_at = now.clone();
    next.released_at = (status == Status::Released).then(|| now.clone());
    if changed {
        next.version += 1;
        next.body = to_json(&declaration)?;
        next.taxes = taxes.as_ref().map(to_json).transpose()?;
    }
    if changed || recovered != Decimal::ZERO {
        next.balance = Some(balance.to_string());
    }
    let mut change: Change = next.update(row.revision).stmt(closed.close()).stmt(
        tamga_store::claims::supersede_pending(
            &row.id,
            &caller.id,
            &now,
            &format!("control {}: its result sets the duties", task.id),
        ),
    );
    if changed {
        change = change.stmt(rows::version_insert(
            &row.id,
            next.version,
            &next.body,
            Some(&format!("corrected by control {}", task.id)),
            &caller.id,
            &now,
        ));
    }
    let mut result = json!({"control": task.id, "outcome": outcome, "findings": findings_json,
        "note": note, "revenue_recovered": recovered, "version": next.version,
        "body_hash": crate::declarations::body_hash(&next.body),
        "taxes": taxes.as_ref().map(|t| json!({"total": t.total, "currency": t.currency})),
        "ledger": null});
    // A difference from the duties the ledger holds — corrections found, or a pending claim
    // to lower them that the controlled version confirms — is the officer's to write.
    if recovered != Decimal::ZERO {
        let currency = state.duties.snapshot().national_currency.clone();
        change = change.stmt(
            ledger_entry(
                &row.id,
                "additional",
                recovered,
                &currency,
                None,
                Some(format!("control {}", task.id)),
                &caller.id,
                &now,
            )
            .insert(),
        );
        result["ledger"] = json!({"kind": "additional", "amount": recovered});
    }
    change = change
        .event(NewEvent::new(
            "control.result_recorded",
            &row.id,
            &caller.id,
            &result,
        ))
        .event(status_event(&row.id, status, channel));
    state.store.apply(change).await?;
    let party = row
        .importer
        .clone()
        .unwrap_or_else(|| row.declarant.clone());
    state.risk.note_control(&party, outcome == "discrepancy");
    Ok(ControlResult {
        control: closed.into(),
        declaration: DeclarationView::from_row(&next, crate::confidential::Audience::of(caller))?,
    })
}
