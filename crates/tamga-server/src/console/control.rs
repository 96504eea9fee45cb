//! The officer's control result form (in the declaration page's `#control-result-slot`)
//! and the control task it belongs to. Recording goes through
//! `crate::controls::record_result`, exactly as `POST /api/v1/controls/{id}/result`.
//!
//! Inputs are named by the API's JSON paths (`outcome`, `findings[0].kind`,
//! `findings[0].item`); a correction is one field and its value per finding row
//! (`findings[0].field`, `findings[0].value` → `findings[0].corrected.<field>`), so an
//! error's path names the input it belongs beside.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use tamga_types::FieldError;

use super::lodge::input_id;
use super::session::field;
use super::{Ctx, api_error_page, declarations, form_caller};
use crate::auth::{Caller, Role};
use crate::controls::{ControlView, FINDING_KINDS};
use crate::error::ApiError;
use crate::state::AppState;

/// A submitted form and the errors the API found in it.
pub type Submitted<'a> = (&'a [(String, String)], &'a [FieldError]);

/// Finding rows offered by the form; empty rows are not sent.
pub const FINDING_ROWS: usize = 3;

/// Fields a control may correct on a goods item.
pub const CORRECTABLE: [&str; 6] = [
    "value",
    "quantity",
    "net_mass_kg",
    "gross_mass_kg",
    "hs_code",
    "origin",
];

/// An `<option>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One finding row of the form.
pub struct FindingRow {
    pub index: usize,
    pub number: usize,
    pub kind_id: String,
    pub kinds: Vec<Opt>,
    pub kind_error: Option<String>,
    pub item_id: String,
    pub items: Vec<Opt>,
    pub item_error: Option<String>,
    pub field_id: String,
    pub fields: Vec<Opt>,
    pub value_id: String,
    pub value: String,
    pub value_error: Option<String>,
}

/// The control task as the page shows it, with the form when this officer may record.
pub struct ControlPanel {
    pub id: String,
    pub channel: String,
    pub channel_label: String,
    pub inspection: String,
    pub assigned_to: String,
    pub draw: String,
    pub opened: String,
    /// The form, when the task is open and assigned to the signed-in officer.
    pub form: Option<ControlForm>,
    /// Why there is no form (assigned to someone else), when there is none.
    pub no_form: Option<&'static str>,
}

pub struct ControlForm {
    pub outcome: String,
    pub outcome_error: Option<String>,
    pub findings_error: Option<String>,
    pub rows: Vec<FindingRow>,
    pub note: String,
    pub general: Vec<String>,
}

/// An error in the reader's language (English shows the API's own message).
pub fn message(ctx: &Ctx, e: &FieldError) -> String {
    if ctx.tr.code() == super::i18n::DEFAULT {
        return e.message.clone();
    }
    ctx.tr
        .opt(&format!("err-{}", e.code))
        .map(str::to_owned)
        .unwrap_or_else(|| e.message.clone())
}

fn at(ctx: &Ctx, errors: &[FieldError], pred: impl Fn(&str) -> bool) -> Option<String> {
    let found: Vec<String> = errors
        .iter()
        .filter(|e| pred(&e.path))
        .map(|e| message(ctx, e))
        .collect();
    (!found.is_empty()).then(|| found.join("; "))
}

/// The form's pairs as the API's JSON body.
pub fn to_json(form: &[(String, String)]) -> Value {
    let mut body = Map::new();
    let get = |name: &str| field(form, name).map(str::trim).unwrap_or("");
    if !get("outcome").is_empty() {
        body.insert("outcome".into(), json!(get("outcome")));
    }
    let mut findings = Vec::new();
    for i in 0..FINDING_ROWS {
        let kind = get(&format!("findings[{i}].kind"));
        let item = get(&format!("findings[{i}].item"));
        let fld = get(&format!("findings[{i}].field"));
        let value = get(&format!("findings[{i}].value"));
        if kind.is_empty() && item.is_empty() && fld.is_empty() && value.is_empty() {
            continue;
        }
        let mut f = Map::new();
        f.insert("kind".into(), json!(kind));
        if !item.is_empty() {
            f.insert(
                "item".into(),
                item.parse::<u64>().map(Value::from).unwrap_or(json!(item)),
            );
        }
        if !fld.is_empty() {
            f.insert("corrected".into(), json!({ fld: value }));
        }
        findings.push(Value::Object(f));
    }
    if !findings.is_empty() {
        body.insert("findings".into(), Value::Array(findings));
    }
    if !get("note").is_empty() {
        body.insert("note".into(), json!(get("note")));
    }
    Value::Object(body)
}

/// The form, blank or as submitted, with `errors` beside their inputs.
pub fn form(
    ctx: &Ctx,
    items: &[(usize, String)],
    submitted: &[(String, String)],
    errors: &[FieldError],
) -> ControlForm {
    let t = ctx.tr;
    let get = |name: &str| field(submitted, name).unwrap_or("").to_owned();
    let rows = (0..FINDING_ROWS)
        .map(|i| {
            let p = format!("findings[{i}]");
            let kind = get(&format!("{p}.kind"));
            let item = get(&format!("{p}.item"));
            let fld = get(&format!("{p}.field"));
            let mut kinds = vec![Opt {
                value: String::new(),
                label: "—".into(),
                selected: kind.is_empty(),
            }];
            kinds.extend(FINDING_KINDS.iter().map(|k| Opt {
                value: (*k).to_owned(),
                label: t.code_label("finding", k),
                selected: kind == *k,
            }));
            let mut item_opts = vec![Opt {
                value: String::new(),
                label: "—".into(),
                selected: item.is_empty(),
            }];
            item_opts.extend(items.iter().map(|(n, desc)| Opt {
                value: n.to_string(),
                label: format!("{} — {desc}", n + 1),
                selected: item == n.to_string(),
            }));
            let mut fields = vec![Opt {
                value: String::new(),
                label: "—".into(),
                selected: fld.is_empty(),
            }];
            fields.extend(CORRECTABLE.iter().map(|f| Opt {
                value: (*f).to_owned(),
                label: t.s(&format!("correct-{f}")).to_owned(),
                selected: fld == *f,
            }));
            let corrected = format!("{p}.corrected");
            FindingRow {
                index: i,
                number: i + 1,
                kind_id: input_id(&format!("{p}.kind")),
                kinds,
                kind_error: at(ctx, errors, |q| q == format!("{p}.kind") || q == p),
                item_id: input_id(&format!("{p}.item")),
                items: item_opts,
                item_error: at(ctx, errors, |q| q == format!("{p}.item")),
                field_id: input_id(&format!("{p}.field")),
                fields,
                value_id: input_id(&format!("{p}.value")),
                value: get(&format!("{p}.value")),
                value_error: at(ctx, errors, |q| q.starts_with(&corrected)),
            }
        })
        .collect();
    let known = |q: &str| {
        q == "outcome"
            || q == "findings"
            || (q.starts_with("findings[") && !q.contains(".corrected.items"))
    };
    ControlForm {
        outcome: get("outcome"),
        outcome_error: at(ctx, errors, |q| q == "outcome"),
        findings_error: at(ctx, errors, |q| q == "findings"),
        rows,
        note: get("note"),
        general: errors
            .iter()
            .filter(|e| !known(&e.path))
            .map(|e| {
                if e.path.is_empty() {
                    message(ctx, e)
                } else {
                    format!("{}: {}", e.path, message(ctx, e))
                }
            })
            .collect(),
    }
}

/// The task as shown on the page; `form` is set by the caller when it may record.
pub fn panel(ctx: &Ctx, task: &ControlView) -> ControlPanel {
    let t = ctx.tr;
    let a = &task.assignment;
    let candidates = a
        .get("candidates")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    let index = a
        .get("index")
        .and_then(Value::as_u64)
        .map(|i| (i + 1).to_string())
        .unwrap_or_else(|| "—".into());
    let seed = a.get("seed").and_then(Value::as_str).unwrap_or("—");
    let draw = t.f(
        "control-draw-text",
        &[
            ("n", index.as_str()),
            ("m", candidates.to_string().as_str()),
            ("seed", seed),
        ],
    );
    ControlPanel {
        id: task.id.clone(),
        channel: task.channel.as_str().to_owned(),
        channel_label: t.code_label("channel", task.channel.as_str()),
        inspection: task
            .inspection
            .as_deref()
            .map(|i| t.code_label("inspection", i))
            .unwrap_or_else(|| "—".into()),
        assigned_to: task.assigned_to.clone().unwrap_or_else(|| "—".into()),
        draw,
        opened: super::short_time(&task.opened_at),
        form: None,
        no_form: None,
    }
}

/// The open control task of declaration `id` visible to `caller`, if any, with the form
/// when it is assigned to `caller` (or to nobody).
pub async fn for_declaration(
    state: &AppState,
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    items: &[(usize, String)],
    input: Option<Submitted<'_>>,
) -> Result<Option<ControlPanel>, ApiError> {
    let tasks = crate::controls::list(state, caller, Some("open")).await?;
    let Some(task) = tasks.into_iter().find(|t| t.declaration == id) else {
        return Ok(None);
    };
    let mut p = panel(ctx, &task);
    let mine = task.assigned_to.as_deref().is_none_or(|a| a == caller.id);
    if mine && caller.role == Role::Officer {
        let (submitted, errors) = input.unwrap_or((&[], &[]));
        p.form = Some(form(ctx, items, submitted, errors));
    } else {
        p.no_form = Some("control-assigned-other");
    }
    Ok(Some(p))
}

/// `POST /declarations/{id}/control`: records the result of the declaration's open task.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Officer], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let task = field(&pairs, "control").unwrap_or("").to_owned();
    match crate::controls::record_result(&state, &caller, &task, to_json(&pairs)).await {
        Ok(_) => {
            Redirect::to(&format!("/declarations/{id}?notice=control-recorded")).into_response()
        }
        Err(ApiError::Invalid(errs)) => {
            let args = (&state, &ctx, id.as_str(), pairs.as_slice());
            again(
                args,
                StatusCode::UNPROCESSABLE_ENTITY,
                Vec::new(),
                &errs.errors,
            )
            .await
        }
        Err(ApiError::Conflict(errs)) => {
            let problems = errs.errors.iter().map(|e| message(&ctx, e)).collect();
            let args = (&state, &ctx, id.as_str(), pairs.as_slice());
            again(args, StatusCode::CONFLICT, problems, &[]).await
        }
        Err(ApiError::Forbidden(_)) => {
            let problems = vec![ctx.tr.s("control-assigned-other").to_owned()];
            let args = (&state, &ctx, id.as_str(), pairs.as_slice());
            again(args, StatusCode::FORBIDDEN, problems, &[]).await
        }
        Err(e) => api_error_page(&ctx, e),
    }
}

/// The declaration's page again, with the submitted form and its errors.
async fn again(
    (state, ctx, id, pairs): (&AppState, &Ctx, &str, &[(String, String)]),
    status: StatusCode,
    problems: Vec<String>,
    errors: &[FieldError],
) -> Response {
    declarations::declaration_page(
        state,
        ctx,
        id,
        status,
        None,
        problems,
        Some((pairs, errors)),
    )
    .await
}
