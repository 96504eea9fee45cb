//! The analyst's pages: risk profiles (list with their feedback, write, edit) and the
//! back-test of a draft. Everything goes through `crate::profiles`, which type-checks a
//! profile before anything is stored; its errors are shown beside the input their path
//! names (`criteria[1].op` beside the criteria).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use tamga_types::FieldError;

use super::control::message;
use super::session::field;
use super::{Ctx, Frame, api_error_page, form_caller, render, with_role};
use crate::auth::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// The form's inputs, in order: name, multi-line.
const INPUTS: [(&str, bool); 11] = [
    ("title", false),
    ("rationale", true),
    ("scope", false),
    ("valid_from", false),
    ("valid_to", false),
    ("criteria", true),
    ("condition", true),
    ("score", false),
    ("measure", false),
    ("inspection", false),
    ("active", false),
];

const MEASURES: [&str; 4] = [
    "none",
    "documentary_check",
    "physical_inspection",
    "post_entry_audit",
];
const INSPECTIONS: [&str; 3] = ["scan", "partial", "full"];

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct InputView {
    pub name: &'static str,
    pub id: String,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub value: String,
    pub multiline: bool,
    pub checkbox: bool,
    pub checked: bool,
    pub options: Option<Vec<Opt>>,
    pub error: Option<String>,
}

pub struct ReportView {
    pub declarations: u64,
    pub selected: u64,
    pub controlled: u64,
    pub hits: u64,
    pub hit_rate: String,
    pub baseline: String,
    pub sample: Vec<String>,
}

#[derive(Template)]
#[template(path = "profile_form.html")]
struct FormPage {
    frame: Frame,
    heading: String,
    action: String,
    inputs: Vec<InputView>,
    /// The back-test's period inputs, when this is the back-test page.
    period: Vec<InputView>,
    backtest: bool,
    general: Vec<String>,
    report: Option<ReportView>,
}

type Values = BTreeMap<String, String>;

fn values(pairs: &[(String, String)]) -> Values {
    let mut v = Values::new();
    for (name, _) in INPUTS.iter().chain(&[("from", false), ("to", false)]) {
        if let Some(x) = field(pairs, name) {
            v.insert((*name).to_owned(), x.to_owned());
        }
    }
    v
}

/// A blank draft: national, from today, active.
fn blank() -> Values {
    let mut v = Values::new();
    v.insert("scope".into(), "national".into());
    v.insert(
        "valid_from".into(),
        crate::declarations::today().to_string(),
    );
    v.insert(
        "criteria".into(),
        "[\n  {\"field\": \"items.hs_code\", \"op\": \"prefix\", \"values\": [\"8517\"]}\n]".into(),
    );
    v.insert("score".into(), "50".into());
    v.insert("measure".into(), "documentary_check".into());
    v.insert("active".into(), "on".into());
    v
}

/// A stored profile as the form's values.
fn from_profile(p: &Value) -> Values {
    let mut v = Values::new();
    let s = |k: &str| match p.get(k) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(x) => x.to_string(),
    };
    for k in [
        "title",
        "rationale",
        "scope",
        "valid_from",
        "valid_to",
        "condition",
        "score",
        "measure",
        "inspection",
    ] {
        v.insert(k.into(), s(k));
    }
    v.insert(
        "criteria".into(),
        serde_json::to_string_pretty(p.get("criteria").unwrap_or(&Value::Null)).unwrap_or_default(),
    );
    if p.get("active").and_then(Value::as_bool).unwrap_or(true) {
        v.insert("active".into(), "on".into());
    }
    v
}

/// The form's values as the API's profile JSON; criteria that are not JSON are refused here.
fn to_json(v: &Values) -> Result<Value, Vec<FieldError>> {
    let get = |k: &str| v.get(k).map(|s| s.trim()).unwrap_or("");
    let mut o = Map::new();
    let opt_text = |o: &mut Map<String, Value>, k: &str| {
        if !get(k).is_empty() {
            o.insert(k.into(), json!(get(k)));
        }
    };
    opt_text(&mut o, "title");
    o.insert("rationale".into(), json!(get("rationale")));
    let scope = get("scope");
    if scope.starts_with('{') {
        match serde_json::from_str::<Value>(scope) {
            Ok(s) => o.insert("scope".into(), s),
            Err(_) => o.insert("scope".into(), json!(scope)),
        };
    } else {
        opt_text(&mut o, "scope");
    }
    opt_text(&mut o, "valid_from");
    opt_text(&mut o, "valid_to");
    opt_text(&mut o, "condition");
    opt_text(&mut o, "measure");
    opt_text(&mut o, "inspection");
    let score = get("score");
    if !score.is_empty() {
        let s = score
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or(json!(score));
        o.insert("score".into(), s);
    }
    o.insert("active".into(), json!(!get("active").is_empty()));
    let criteria = get("criteria");
    if !criteria.is_empty() {
        match serde_json::from_str::<Value>(criteria) {
            Ok(c) => {
                o.insert("criteria".into(), c);
            }
            Err(e) => {
                return Err(vec![FieldError::new(
                    "criteria",
                    "bad_json",
                    format!("the criteria are not valid JSON: {e}"),
                )]);
            }
        }
    }
    Ok(Value::Object(o))
}

/// Does an error at `path` belong beside input `name`?
fn belongs(path: &str, name: &str) -> bool {
    path == name
        || path
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

fn input(
    ctx: &Ctx,
    v: &Values,
    errors: &[FieldError],
    name: &'static str,
    multiline: bool,
) -> InputView {
    let t = ctx.tr;
    let value = v.get(name).cloned().unwrap_or_default();
    let choices = |list: &[&str], prefix: &str, blank: bool| {
        let mut out = Vec::new();
        if blank {
            out.push(Opt {
                value: String::new(),
                label: "—".into(),
                selected: value.is_empty(),
            });
        }
        out.extend(list.iter().map(|m| Opt {
            value: (*m).to_owned(),
            label: t.code_label(prefix, m),
            selected: value == *m,
        }));
        out
    };
    let options = match name {
        "measure" => Some(choices(&MEASURES, "measure", false)),
        "inspection" => Some(choices(&INSPECTIONS, "inspection", true)),
        _ => None,
    };
    let found: Vec<String> = errors
        .iter()
        .filter(|e| belongs(&e.path, name))
        .map(|e| {
            if e.path == name {
                message(ctx, e)
            } else {
                format!("{}: {}", e.path, message(ctx, e))
            }
        })
        .collect();
    InputView {
        name,
        id: format!("p-{name}"),
        label: t.s(&format!("profile-{}", name.replace('_', "-"))),
        hint: t.opt(&format!("profile-{}-hint", name.replace('_', "-"))),
        checkbox: name == "active",
        checked: !value.is_empty(),
        value,
        multiline,
        options,
        error: (!found.is_empty()).then(|| found.join("; ")),
    }
}

fn form_page(
    ctx: &Ctx,
    heading: String,
    action: String,
    v: &Values,
    errors: &[FieldError],
    backtest: bool,
    report: Option<ReportView>,
) -> FormPage {
    let inputs: Vec<InputView> = INPUTS
        .iter()
        .filter(|(n, _)| !(backtest && *n == "active"))
        .map(|(n, m)| input(ctx, v, errors, n, *m))
        .collect();
    let period = if backtest {
        vec![
            input(ctx, v, errors, "from", false),
            input(ctx, v, errors, "to", false),
        ]
    } else {
        Vec::new()
    };
    let known: Vec<&str> = INPUTS
        .iter()
        .map(|(n, _)| *n)
        .chain(["from", "to"])
        .collect();
    let general = errors
        .iter()
        .filter(|e| !known.iter().any(|n| belongs(&e.path, n)))
        .map(|e| {
            if e.path.is_empty() {
                message(ctx, e)
            } else {
                format!("{}: {}", e.path, message(ctx, e))
            }
        })
        .collect();
    let mut frame = Frame::new(
        ctx,
        if backtest {
            "backtest-title"
        } else {
            "profiles-title"
        },
    );
    frame.title = heading.clone();
    FormPage {
        frame,
        heading,
        action,
        inputs,
        period,
        backtest,
        general,
        report,
    }
}

pub struct ProfileRow {
    pub id: String,
    pub version: String,
    pub title: String,
    pub active: bool,
    pub score: String,
    pub measure: String,
    pub selections: u64,
    pub controls: u64,
    pub hits: u64,
    pub hit_rate: String,
}

#[derive(Template)]
#[template(path = "profiles.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<ProfileRow>,
    notice: bool,
}

/// Hit rate as a percentage for people: `0.3333` → `33.3 %`.
pub fn percent(rate: Option<&str>) -> String {
    rate.and_then(|r| r.parse::<f64>().ok())
        .map(|r| format!("{:.1} %", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    notice: Option<String>,
}

/// `/risk/profiles`: the latest version of each profile with its feedback.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Response {
    let caller = match with_role(&ctx, &[Role::Analyst, Role::Auditor, Role::Admin]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let profiles = match crate::profiles::list(&state, &caller).await {
        Ok(p) => p,
        Err(e) => return api_error_page(&ctx, e),
    };
    let t = ctx.tr;
    let mut rows = Vec::new();
    for p in profiles {
        let p = serde_json::to_value(p).unwrap_or_default();
        let text = |k: &str| match p.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "—".into(),
            Some(x) => x.to_string(),
        };
        let id = text("id");
        let stats = crate::profiles::stats(&state, &caller, &id)
            .await
            .map(|s| s.total)
            .unwrap_or_default();
        rows.push(ProfileRow {
            version: text("version"),
            title: text("title"),
            active: p.get("active").and_then(Value::as_bool).unwrap_or(false),
            score: text("score"),
            measure: t.code_label("measure", &text("measure")),
            selections: stats.selections,
            controls: stats.controls_done,
            hits: stats.hits,
            hit_rate: percent(stats.hit_rate.as_deref()),
            id,
        });
    }
    render(
        StatusCode::OK,
        &ListPage {
            frame: Frame::new(&ctx, "profiles-title"),
            rows,
            notice: q.notice.as_deref() == Some("saved"),
        },
    )
}

pub async fn new_form(State(_state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(r) = with_role(&ctx, &[Role::Analyst]) {
        return r;
    }
    let page = form_page(
        &ctx,
        ctx.tr.s("profile-new-title").to_owned(),
        "/risk/profiles/new".into(),
        &blank(),
        &[],
        false,
        None,
    );
    render(StatusCode::OK, &page)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save(state, ctx, None, pairs).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let caller = match with_role(&ctx, &[Role::Analyst]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let history = match crate::profiles::get(&state, &caller, &id).await {
        Ok(h) => h,
        Err(e) => return api_error_page(&ctx, e),
    };
    let page = form_page(
        &ctx,
        ctx.tr.f1("profile-edit-title", "id", &id),
        format!("/risk/profiles/{id}/edit"),
        &from_profile(&serde_json::to_value(&history.profile).unwrap_or_default()),
        &[],
        false,
        None,
    );
    render(StatusCode::OK, &page)
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save(state, ctx, Some(id), pairs).await
}

async fn save(
    state: AppState,
    ctx: Ctx,
    id: Option<String>,
    pairs: Vec<(String, String)>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Analyst], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let v = values(&pairs);
    let result = match to_json(&v) {
        Err(errors) => Err(ApiError::Invalid(tamga_types::FieldErrors { errors })),
        Ok(body) => match &id {
            None => crate::profiles::create(&state, &caller, body).await,
            Some(id) => crate::profiles::update(&state, &caller, id, body).await,
        },
    };
    match result {
        Ok(_) => Redirect::to("/risk/profiles?notice=saved").into_response(),
        Err(ApiError::Invalid(errs)) => {
            let (heading, action) = match &id {
                None => (
                    ctx.tr.s("profile-new-title").to_owned(),
                    "/risk/profiles/new".to_owned(),
                ),
                Some(id) => (
                    ctx.tr.f1("profile-edit-title", "id", id),
                    format!("/risk/profiles/{id}/edit"),
                ),
            };
            let mut page = form_page(&ctx, heading, action, &v, &errs.errors, false, None);
            page.frame.title = format!("{} — {}", ctx.tr.s("form-errors-title"), page.frame.title);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => api_error_page(&ctx, e),
    }
}

pub async fn backtest_form(State(_state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(r) = with_role(&ctx, &[Role::Analyst]) {
        return r;
    }
    let mut v = blank();
    let today = crate::declarations::today();
    v.insert(
        "from".into(),
        today
            .checked_sub(jiff::Span::new().days(30))
            .unwrap_or(today)
            .to_string(),
    );
    v.insert("to".into(), today.to_string());
    let page = form_page(
        &ctx,
        ctx.tr.s("backtest-title").to_owned(),
        "/risk/backtest".into(),
        &v,
        &[],
        true,
        None,
    );
    render(StatusCode::OK, &page)
}

pub async fn backtest(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Analyst], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let v = values(&pairs);
    let get = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let result = match to_json(&v) {
        Err(errors) => Err(ApiError::Invalid(tamga_types::FieldErrors { errors })),
        Ok(mut profile) => {
            if let Some(o) = profile.as_object_mut() {
                o.remove("active");
            }
            let mut body = json!({"profile": profile});
            for k in ["from", "to"] {
                if !get(k).is_empty() {
                    body[k] = json!(get(k));
                }
            }
            crate::profiles::backtest(&state, &caller, body).await
        }
    };
    let title = ctx.tr.s("backtest-title").to_owned();
    match result {
        Ok(r) => {
            let rate =
                |d: Option<tamga_types::Decimal>| percent(d.map(|d| d.to_string()).as_deref());
            let report = ReportView {
                declarations: r.declarations,
                selected: r.selected,
                controlled: r.selected_controlled,
                hits: r.selected_discrepancies,
                hit_rate: rate(r.hit_rate),
                baseline: rate(r.baseline_hit_rate),
                sample: r.sample,
            };
            let page = form_page(
                &ctx,
                title,
                "/risk/backtest".into(),
                &v,
                &[],
                true,
                Some(report),
            );
            render(StatusCode::OK, &page)
        }
        Err(ApiError::Invalid(errs)) => {
            // The back-test names the draft's fields `profile.…`; the inputs are unprefixed.
            let errors: Vec<FieldError> = errs
                .errors
                .into_iter()
                .map(|mut e| {
                    if let Some(p) = e.path.strip_prefix("profile.") {
                        e.path = p.to_owned();
                    }
                    e
                })
                .collect();
            let page = form_page(
                &ctx,
                title,
                "/risk/backtest".into(),
                &v,
                &errors,
                true,
                None,
            );
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => api_error_page(&ctx, e),
    }
}
