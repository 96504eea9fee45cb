//! The lodge form: a declaration as HTML fields, turned into CONTRACT.md's JSON and lodged
//! through `crate::declarations::lodge`, exactly as the API would.
//!
//! Each input is named by its JSON path (`invoice.currency`, `items[1].hs_code`), so a
//! validation error's `path` names the input it belongs beside; the few paths that name no
//! input (`items`, `items[1]`, ``) are shown at their group or at the top. Adding and
//! removing goods items and documents are submit buttons that re-render the form with the
//! values kept: it works without JavaScript, and htmx (boosted forms) makes it seamless.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use tamga_types::FieldError;

use super::session::field;
use super::{Ctx, Frame, api_error_page, form_caller, render, with_role};
use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// More rows than any real declaration; bounds what a crafted form can make us allocate.
const MAX_ROWS: usize = 200;

#[derive(Clone, Copy)]
enum Input {
    Text,
    /// A decimal amount: typed as text (the API takes decimal strings) with a numeric keypad.
    Decimal,
    Select(fn(&AppState) -> Vec<(String, String)>),
}

/// One field of the form: its JSON key (relative to its group) and how it is entered.
struct Spec {
    key: &'static str,
    input: Input,
    required: bool,
}

const fn spec(key: &'static str, input: Input, required: bool) -> Spec {
    Spec {
        key,
        input,
        required,
    }
}

fn types(_: &AppState) -> Vec<(String, String)> {
    ["IM", "EX", "TR"]
        .iter()
        .map(|t| (t.to_string(), t.to_string()))
        .collect()
}
fn procedures(s: &AppState) -> Vec<(String, String)> {
    s.reference
        .procedures()
        .iter()
        .map(|p| (p.code.clone(), format!("{} — {}", p.code, p.description)))
        .collect()
}
fn offices(s: &AppState) -> Vec<(String, String)> {
    s.reference
        .offices()
        .iter()
        .map(|o| (o.code.clone(), format!("{} — {}", o.code, o.name)))
        .collect()
}
fn optional_offices(s: &AppState) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "—".to_owned())];
    v.extend(offices(s));
    v
}
fn modes(s: &AppState) -> Vec<(String, String)> {
    s.reference
        .transport_modes()
        .iter()
        .map(|m| (m.code.clone(), format!("{} — {}", m.code, m.description)))
        .collect()
}
fn incoterms(s: &AppState) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "—".to_owned())];
    v.extend(
        s.reference
            .incoterms()
            .iter()
            .map(|m| (m.code.clone(), format!("{} — {}", m.code, m.description))),
    );
    v
}
fn units(s: &AppState) -> Vec<(String, String)> {
    s.reference
        .units()
        .iter()
        .map(|m| (m.code.clone(), format!("{} — {}", m.code, m.description)))
        .collect()
}
fn preferences(_: &AppState) -> Vec<(String, String)> {
    vec![
        (String::new(), "—".into()),
        ("100".into(), "100".into()),
        ("200".into(), "200".into()),
        ("300".into(), "300".into()),
    ]
}

/// The header's fields by fieldset: legend key, fields.
const HEADER: &[(&str, &[Spec])] = &[
    (
        "group-declaration",
        &[
            spec("type", Input::Select(types), true),
            spec("procedure", Input::Select(procedures), true),
            spec("office", Input::Select(offices), true),
        ],
    ),
    (
        "group-parties",
        &[
            spec("declarant", Input::Text, true),
            spec("importer", Input::Text, false),
            spec("exporter.name", Input::Text, false),
            spec("exporter.country", Input::Text, false),
            spec("dispatch_country", Input::Text, false),
        ],
    ),
    (
        "group-transport",
        &[
            spec("transport.mode", Input::Select(modes), true),
            spec("transport.id", Input::Text, false),
            spec(
                "transport.border_office",
                Input::Select(optional_offices),
                false,
            ),
        ],
    ),
    (
        "group-invoice",
        &[
            spec("invoice.currency", Input::Text, true),
            spec("invoice.incoterm", Input::Select(incoterms), false),
            spec("invoice.freight", Input::Decimal, true),
            spec("invoice.insurance", Input::Decimal, true),
        ],
    ),
];

const ITEM: &[Spec] = &[
    spec("hs_code", Input::Text, true),
    spec("description", Input::Text, true),
    spec("origin", Input::Text, true),
    spec("quantity", Input::Decimal, true),
    spec("unit", Input::Select(units), true),
    spec("net_mass_kg", Input::Decimal, true),
    spec("gross_mass_kg", Input::Decimal, true),
    spec("value", Input::Decimal, true),
    spec("preference", Input::Select(preferences), false),
];

const DOCUMENT: &[Spec] = &[
    spec("code", Input::Text, true),
    spec("ref", Input::Text, true),
];

/// What the user typed, by input name, and how many item and document rows there are.
#[derive(Debug, Clone, Default)]
pub struct LodgeForm {
    values: BTreeMap<String, String>,
    items: usize,
    documents: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Lodge,
    AddItem,
    RemoveItem(usize),
    AddDocument,
    RemoveDocument(usize),
}

/// `items[3].value` → `("items", 3, "value")`.
fn row_field(name: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = name.split_once('[')?;
    let (idx, rest) = rest.split_once("].")?;
    Some((list, idx.parse().ok()?, rest))
}

impl LodgeForm {
    fn blank(caller: &Caller) -> LodgeForm {
        let mut f = LodgeForm {
            items: 1,
            documents: 1,
            ..Default::default()
        };
        for (k, v) in [
            ("type", "IM"),
            ("procedure", "4000"),
            ("transport.mode", "3"),
            ("invoice.currency", "USD"),
            ("invoice.freight", "0"),
            ("invoice.insurance", "0"),
            ("items[0].unit", "p/st"),
            ("documents[0].code", "N380"),
        ] {
            f.values.insert(k.into(), v.into());
        }
        if let Some(p) = &caller.party {
            f.values.insert("declarant".into(), p.clone());
            f.values.insert("importer".into(), p.clone());
        }
        f
    }

    fn from_pairs(pairs: &[(String, String)]) -> (LodgeForm, Action) {
        let mut f = LodgeForm::default();
        let header: Vec<&str> = HEADER
            .iter()
            .flat_map(|(_, specs)| specs.iter().map(|s| s.key))
            .collect();
        for (name, value) in pairs {
            let known = match row_field(name) {
                Some(("items", i, k)) if i < MAX_ROWS && ITEM.iter().any(|s| s.key == k) => {
                    f.items = f.items.max(i + 1);
                    true
                }
                Some(("documents", i, k))
                    if i < MAX_ROWS && DOCUMENT.iter().any(|s| s.key == k) =>
                {
                    f.documents = f.documents.max(i + 1);
                    true
                }
                Some(_) => false,
                None => header.contains(&name.as_str()),
            };
            if known {
                f.values.insert(name.clone(), value.clone());
            }
        }
        // Row counts also come from hidden fields, so a row left wholly empty survives.
        let count = |n: &str| {
            field(pairs, n)
                .and_then(|v| v.parse::<usize>().ok())
                .map(|v| v.min(MAX_ROWS))
        };
        f.items = f.items.max(count("item_rows").unwrap_or(0));
        f.documents = f.documents.max(count("document_rows").unwrap_or(0));
        let action = match field(pairs, "action").unwrap_or("lodge") {
            "add_item" => Action::AddItem,
            "add_document" => Action::AddDocument,
            a => match a.split_once(':') {
                Some(("remove_item", i)) => i.parse().map_or(Action::Lodge, Action::RemoveItem),
                Some(("remove_document", i)) => {
                    i.parse().map_or(Action::Lodge, Action::RemoveDocument)
                }
                _ => Action::Lodge,
            },
        };
        (f, action)
    }

    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    /// Removes row `index` of `list` and renumbers the rows after it.
    fn remove_row(&mut self, list: &str, index: usize) {
        let rows = if list == "items" {
            &mut self.items
        } else {
            &mut self.documents
        };
        if index >= *rows {
            return;
        }
        *rows -= 1;
        let old = std::mem::take(&mut self.values);
        for (k, v) in old {
            match row_field(&k) {
                Some((l, i, rest)) if l == list => {
                    if i < index {
                        self.values.insert(k, v);
                    } else if i > index {
                        self.values.insert(format!("{l}[{}].{rest}", i - 1), v);
                    }
                }
                _ => {
                    self.values.insert(k, v);
                }
            }
        }
    }

    fn row_is_empty(&self, list: &str, i: usize, specs: &[Spec], ignore: &[&str]) -> bool {
        specs.iter().filter(|s| !ignore.contains(&s.key)).all(|s| {
            self.value(&format!("{list}[{i}].{}", s.key))
                .trim()
                .is_empty()
        })
    }

    /// Drops rows the user left empty (a unit or code alone does not make a row), so the
    /// rows lodged are the rows shown and error paths point at the right inputs.
    fn drop_empty_rows(&mut self) {
        for i in (0..self.documents).rev() {
            if self.row_is_empty("documents", i, DOCUMENT, &["code"]) {
                self.remove_row("documents", i);
            }
        }
        for i in (0..self.items).rev() {
            if self.items > 1 && self.row_is_empty("items", i, ITEM, &["unit"]) {
                self.remove_row("items", i);
            }
        }
    }

    /// CONTRACT.md's declaration: every non-empty input at its path; decimals stay strings.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        for (_, specs) in HEADER {
            for s in specs.iter() {
                let v = self.value(s.key).trim();
                if v.is_empty() {
                    continue;
                }
                match s.key.split_once('.') {
                    Some((obj, key)) => {
                        let o = root.entry(obj).or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(o) = o {
                            o.insert(key.into(), Value::String(v.into()));
                        }
                    }
                    None => {
                        root.insert(s.key.into(), Value::String(v.into()));
                    }
                }
            }
        }
        let rows = |list: &str, n: usize, specs: &[Spec]| -> Value {
            Value::Array(
                (0..n)
                    .map(|i| {
                        let mut o = Map::new();
                        for s in specs {
                            let v = self.value(&format!("{list}[{i}].{}", s.key)).trim();
                            if !v.is_empty() {
                                o.insert(s.key.into(), Value::String(v.into()));
                            }
                        }
                        Value::Object(o)
                    })
                    .collect(),
            )
        };
        if self.items > 0 {
            root.insert("items".into(), rows("items", self.items, ITEM));
        }
        root.insert(
            "documents".into(),
            rows("documents", self.documents, DOCUMENT),
        );
        Value::Object(root)
    }
}

/// An `<option>`.
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One labelled input with its value and, when refused, its error beside it.
pub struct FieldView {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    pub readonly: bool,
    pub decimal: bool,
    pub options: Option<Vec<OptionView>>,
}

pub struct GroupView {
    pub legend: String,
    pub fields: Vec<FieldView>,
}

pub struct RowGroupView {
    pub index: usize,
    pub number: usize,
    pub legend: String,
    pub remove_label: String,
    pub error: Option<String>,
    pub fields: Vec<FieldView>,
}

/// An error in the summary at the top, linking to its input when there is one.
pub struct SummaryView {
    pub href: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "lodge.html")]
struct LodgePage {
    frame: Frame,
    groups: Vec<GroupView>,
    items: Vec<RowGroupView>,
    documents: Vec<RowGroupView>,
    item_rows: usize,
    document_rows: usize,
    summary: Vec<SummaryView>,
    items_error: Option<String>,
    documents_error: Option<String>,
    general: Vec<String>,
}

/// An id an element can carry, from an input name.
pub fn input_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        }
    }));
    id
}

/// An error in the reader's language. The API's messages are English and name the
/// offending value, so English shows them as they are; other languages say it by code.
fn message(ctx: &Ctx, e: &FieldError) -> String {
    if ctx.tr.code() == super::i18n::DEFAULT {
        return e.message.clone();
    }
    ctx.tr
        .opt(&format!("err-{}", e.code))
        .map(str::to_owned)
        .unwrap_or_else(|| e.message.clone())
}

/// Joins the messages of every error at exactly `path`.
fn errors_at(ctx: &Ctx, errors: &[FieldError], path: &str) -> Option<String> {
    let found: Vec<String> = errors
        .iter()
        .filter(|e| e.path == path)
        .map(|e| message(ctx, e))
        .collect();
    (!found.is_empty()).then(|| found.join("; "))
}

#[allow(clippy::too_many_arguments)]
fn field_view(
    state: &AppState,
    ctx: &Ctx,
    form: &LodgeForm,
    errors: &[FieldError],
    name: String,
    label_key: &str,
    s: &Spec,
    readonly: bool,
) -> FieldView {
    let value = form.value(&name).to_owned();
    let options = match s.input {
        Input::Select(list) => {
            let mut opts: Vec<OptionView> = list(state)
                .into_iter()
                .map(|(v, l)| OptionView {
                    selected: v == value,
                    value: v,
                    label: l,
                })
                .collect();
            // A value not in the list (typed by hand, or stale) stays visible and selected.
            if !value.is_empty() && !opts.iter().any(|o| o.selected) {
                opts.push(OptionView {
                    value: value.clone(),
                    label: value.clone(),
                    selected: true,
                });
            }
            Some(opts)
        }
        _ => None,
    };
    FieldView {
        id: input_id(&name),
        error: errors_at(ctx, errors, &name),
        label: ctx.tr.s(label_key).to_owned(),
        name,
        value,
        required: s.required,
        readonly,
        decimal: matches!(s.input, Input::Decimal),
        options,
    }
}

fn lodge_page(
    state: &AppState,
    ctx: &Ctx,
    caller: &Caller,
    form: &LodgeForm,
    errors: &[FieldError],
    general: Vec<String>,
) -> LodgePage {
    let t = ctx.tr;
    let groups: Vec<GroupView> = HEADER
        .iter()
        .map(|(legend, specs)| GroupView {
            legend: t.s(legend).to_owned(),
            fields: specs
                .iter()
                .map(|s| {
                    let readonly = s.key == "declarant" && caller.role == Role::Trader;
                    field_view(
                        state,
                        ctx,
                        form,
                        errors,
                        s.key.to_owned(),
                        &format!("field-{}", s.key.replace('.', "-")),
                        s,
                        readonly,
                    )
                })
                .collect(),
        })
        .collect();
    let rows = |list: &str, n: usize, specs: &[Spec], legend_key: &str, remove_key: &str| {
        (0..n)
            .map(|i| {
                let number = (i + 1).to_string();
                let path = format!("{list}[{i}]");
                RowGroupView {
                    index: i,
                    number: i + 1,
                    legend: t.f(legend_key, &[("n", number.as_str())]),
                    remove_label: t.f(remove_key, &[("n", number.as_str())]),
                    error: errors_at(ctx, errors, &path),
                    fields: specs
                        .iter()
                        .map(|s| {
                            field_view(
                                state,
                                ctx,
                                form,
                                errors,
                                format!("{path}.{}", s.key),
                                &format!("field-{list}-{}", s.key),
                                s,
                                false,
                            )
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>()
    };
    let items = rows("items", form.items, ITEM, "item-legend", "item-remove");
    let documents = rows(
        "documents",
        form.documents,
        DOCUMENT,
        "document-legend",
        "document-remove",
    );
    // Every error once in the summary, linked to its input when it has one.
    let mut known: Vec<String> = Vec::new();
    for g in &groups {
        known.extend(g.fields.iter().map(|f: &FieldView| f.name.clone()));
    }
    for r in items.iter().chain(documents.iter()) {
        known.extend(r.fields.iter().map(|f| f.name.clone()));
    }
    let summary = errors
        .iter()
        .map(|e| {
            let href = if known.contains(&e.path) {
                format!("#{}", input_id(&e.path))
            } else if let Some((list, i, _)) = row_field(&format!("{}.x", e.path)) {
                format!("#{list}-{i}")
            } else {
                format!("#{}", e.path.split('[').next().unwrap_or("top"))
            };
            let text = if e.path.is_empty() {
                message(ctx, e)
            } else {
                format!("{}: {}", e.path, message(ctx, e))
            };
            SummaryView { href, text }
        })
        .collect();
    let mut frame = Frame::new(ctx, "lodge-title");
    if !errors.is_empty() {
        frame.title = format!("{} — {}", t.s("lodge-errors-title"), frame.title);
    }
    LodgePage {
        frame,
        groups,
        item_rows: form.items,
        document_rows: form.documents,
        items,
        documents,
        summary,
        items_error: errors_at(ctx, errors, "items"),
        documents_error: errors_at(ctx, errors, "documents"),
        general: general
            .into_iter()
            .chain(errors_at(ctx, errors, ""))
            .collect(),
    }
}

pub async fn form(State(state): State<AppState>, ctx: Ctx) -> Response {
    let caller = match with_role(&ctx, &[Role::Trader]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = LodgeForm::blank(&caller);
    render(
        StatusCode::OK,
        &lodge_page(&state, &ctx, &caller, &form, &[], Vec::new()),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match form_caller(&ctx, &[Role::Trader], &pairs) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (mut form, action) = LodgeForm::from_pairs(&pairs);
    // A trader declares only as itself; the input is read-only, and this makes it so.
    if let Some(p) = &caller.party {
        form.values.insert("declarant".into(), p.clone());
    }
    match action {
        Action::AddItem => {
            form.items = (form.items + 1).min(MAX_ROWS);
            let n = form.items - 1;
            form.values
                .insert(format!("items[{n}].unit"), "p/st".into());
        }
        Action::AddDocument => form.documents = (form.documents + 1).min(MAX_ROWS),
        Action::RemoveItem(i) => form.remove_row("items", i),
        Action::RemoveDocument(i) => form.remove_row("documents", i),
        Action::Lodge => {
            form.drop_empty_rows();
            return match crate::declarations::lodge(&state, &caller, form.to_json()).await {
                Ok(d) => {
                    Redirect::to(&format!("/declarations/{}?notice=lodged", d.id)).into_response()
                }
                Err(ApiError::Invalid(errs)) => render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &lodge_page(&state, &ctx, &caller, &form, &errs.errors, Vec::new()),
                ),
                Err(ApiError::Forbidden(_)) => render(
                    StatusCode::FORBIDDEN,
                    &lodge_page(
                        &state,
                        &ctx,
                        &caller,
                        &form,
                        &[],
                        vec![ctx.tr.s("err-lodge-forbidden").to_owned()],
                    ),
                ),
                Err(e) => api_error_page(&ctx, e),
            };
        }
    }
    render(
        StatusCode::OK,
        &lodge_page(&state, &ctx, &caller, &form, &[], Vec::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn inputs_named_by_path_become_the_contract_json() {
        let (f, action) = LodgeForm::from_pairs(&pairs(&[
            ("type", "IM"),
            ("invoice.currency", "USD"),
            ("invoice.incoterm", ""),
            ("items[0].hs_code", "8517130000"),
            ("items[1].value", "12.50"),
            ("documents[0].code", "N380"),
            ("documents[0].ref", "INV-1"),
            ("csrf", "x"),
            ("evil[999999999].x", "1"),
        ]));
        assert_eq!(action, Action::Lodge);
        let j = f.to_json();
        assert_eq!(j["type"], "IM");
        assert_eq!(j["invoice"], serde_json::json!({"currency": "USD"}));
        assert_eq!(j["items"][0]["hs_code"], "8517130000");
        assert_eq!(j["items"][1]["value"], "12.50");
        assert_eq!(j["documents"][0]["ref"], "INV-1");
        assert!(j.get("csrf").is_none() && j.get("evil").is_none());
    }

    #[test]
    fn removing_an_item_renumbers_the_ones_after_it() {
        let (mut f, action) = LodgeForm::from_pairs(&pairs(&[
            ("items[0].hs_code", "a"),
            ("items[1].hs_code", "b"),
            ("items[2].hs_code", "c"),
            ("action", "remove_item:1"),
        ]));
        assert_eq!(action, Action::RemoveItem(1));
        f.remove_row("items", 1);
        assert_eq!(f.items, 2);
        assert_eq!(f.value("items[0].hs_code"), "a");
        assert_eq!(f.value("items[1].hs_code"), "c");
    }

    #[test]
    fn a_crafted_row_index_is_ignored() {
        let (f, _) = LodgeForm::from_pairs(&pairs(&[
            ("items[5000].hs_code", "a"),
            ("item_rows", "999999"),
        ]));
        assert!(f.items <= MAX_ROWS);
    }

    #[test]
    fn empty_document_rows_are_not_lodged() {
        let (mut f, _) = LodgeForm::from_pairs(&pairs(&[
            ("items[0].hs_code", "a"),
            ("documents[0].code", "N380"),
            ("documents[1].code", "N954"),
            ("documents[1].ref", "E1"),
        ]));
        f.drop_empty_rows();
        assert_eq!(f.documents, 1);
        assert_eq!(f.to_json()["documents"][0]["ref"], "E1");
    }

    #[test]
    fn ids_are_safe_for_html() {
        assert_eq!(input_id("items[1].hs_code"), "f-items-1--hs_code");
    }
}
