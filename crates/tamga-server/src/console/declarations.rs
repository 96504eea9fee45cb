//! Declaration pages: the list (a trader's own, an officer's office, everything for
//! management), the officer's control queue, one declaration's page, and release.
//!
//! Everything goes through `crate::declarations`, which applies visibility: a trader
//! opening another party's declaration gets the same 404 as for one that does not exist.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use tamga_types::{Channel, Status};

use super::{Ctx, Frame, api_error_page, check_csrf, render, short_time, signed_in, with_role};
use crate::auth::Role;
use crate::confidential::Audience;
use crate::declarations::{self as lifecycle, DeclarationView};
use crate::error::ApiError;
use crate::state::AppState;

const PAGE_SIZE: i64 = 20;

/// A declaration as a row of a list.
pub struct RowView {
    pub id: String,
    pub lodged: String,
    pub kind: String,
    pub office: String,
    pub declarant: String,
    pub status: String,
    pub status_label: String,
    pub channel: String,
    pub channel_label: String,
    pub balance: String,
}

impl RowView {
    fn new(ctx: &Ctx, d: &DeclarationView) -> RowView {
        let t = ctx.tr;
        RowView {
            id: d.id.clone(),
            lodged: short_time(&d.lodged_at),
            kind: t.code_label("type", d.declaration.kind.as_str()),
            office: d.declaration.office.to_string(),
            declarant: d.declaration.declarant.to_string(),
            status: d.status.as_str().to_owned(),
            status_label: t.code_label("status", d.status.as_str()),
            channel: d.channel.as_str().to_owned(),
            channel_label: t.code_label("channel", d.channel.as_str()),
            balance: d.balance.clone().unwrap_or_else(|| "—".into()),
        }
    }
}

/// An option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    frame: Frame,
    heading: &'static str,
    intro: &'static str,
    /// The form's action; filters and paging stay on it.
    action: &'static str,
    statuses: Vec<Choice>,
    channels: Vec<Choice>,
    show_status_filter: bool,
    rows: Vec<RowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_lodge: bool,
    /// The queue's open control tasks (officers).
    tasks: Vec<TaskRow>,
}

/// An open control task in the officer's queue.
pub struct TaskRow {
    pub declaration: String,
    pub channel: String,
    pub channel_label: String,
    pub inspection: String,
    pub assigned_to: String,
    pub mine: bool,
    pub opened: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    channel: Option<String>,
    page: Option<i64>,
}

fn choices<T: Copy>(
    ctx: &Ctx,
    prefix: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    chosen: Option<T>,
    eq: fn(T, T) -> bool,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: ctx.tr.s("filter-any").to_owned(),
        selected: chosen.is_none(),
    }];
    out.extend(all.iter().map(|&v| Choice {
        value: code(v).to_owned(),
        label: ctx.tr.code_label(prefix, code(v)),
        selected: chosen.is_some_and(|c| eq(c, v)),
    }));
    out
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    q: ListQuery,
    queue: bool,
) -> Result<Response, Response> {
    let caller = signed_in(ctx)?;
    let status = if queue {
        Some(Status::UnderControl)
    } else {
        q.status.as_deref().and_then(Status::parse)
    };
    let channel = q.channel.as_deref().and_then(Channel::parse);
    let page = q.page.unwrap_or(1).max(1);
    let (views, total) = lifecycle::list(
        state,
        &caller,
        status,
        channel,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await
    .map_err(|e| api_error_page(ctx, e))?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let action = if queue { "/queue" } else { "/declarations" };
    let href = |p: i64| {
        let mut s = format!("{action}?page={p}");
        if let (Some(st), false) = (status, queue) {
            s.push_str(&format!("&status={}", st.as_str()));
        }
        if let Some(c) = channel {
            s.push_str(&format!("&channel={}", c.as_str()));
        }
        s
    };
    let (heading, intro, title) = match (queue, caller.role) {
        (true, _) => ("queue-title", "queue-intro", "queue-title"),
        (false, Role::Trader) => (
            "list-title-trader",
            "list-intro-trader",
            "list-title-trader",
        ),
        (false, Role::Officer) => (
            "list-title-office",
            "list-intro-office",
            "list-title-office",
        ),
        (false, _) => ("list-title-all", "list-intro-all", "list-title-all"),
    };
    let t = ctx.tr;
    let tasks = if queue {
        crate::controls::list(state, &caller, Some("open"))
            .await
            .map_err(|e| api_error_page(ctx, e))?
            .into_iter()
            .map(|c| TaskRow {
                channel: c.channel.as_str().to_owned(),
                channel_label: t.code_label("channel", c.channel.as_str()),
                inspection: c
                    .inspection
                    .as_deref()
                    .map(|i| t.code_label("inspection", i))
                    .unwrap_or_else(|| "—".into()),
                mine: c.assigned_to.as_deref() == Some(caller.id.as_str()),
                assigned_to: c.assigned_to.unwrap_or_else(|| "—".into()),
                opened: short_time(&c.opened_at),
                declaration: c.declaration,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page_view = ListPage {
        frame: Frame::new(ctx, title),
        heading: t.s(heading),
        intro: t.s(intro),
        action,
        statuses: choices(
            ctx,
            "status",
            &Status::ALL,
            Status::as_str,
            status,
            |a, b| a == b,
        ),
        channels: choices(
            ctx,
            "channel",
            &Channel::ALL,
            Channel::as_str,
            channel,
            |a, b| a == b,
        ),
        show_status_filter: !queue,
        rows: views.iter().map(|d| RowView::new(ctx, d)).collect(),
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        can_lodge: caller.role == Role::Trader,
        tasks,
    };
    Ok(render(StatusCode::OK, &page_view))
}

/// `/declarations`: the declarations the caller may see, filtered and paged.
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    list_page(&state, &ctx, q, false)
        .await
        .unwrap_or_else(|r| r)
}

/// `/queue`: an officer's office's declarations held for control.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(r) = with_role(&ctx, &[Role::Officer]) {
        return r;
    }
    list_page(&state, &ctx, q, true).await.unwrap_or_else(|r| r)
}

/// A label and its value, for definition lists.
pub struct Pair {
    pub label: &'static str,
    pub value: String,
}

pub struct ItemView {
    pub number: usize,
    pub hs_code: String,
    pub description: String,
    pub origin: String,
    pub quantity: String,
    pub net_mass: String,
    pub gross_mass: String,
    pub value: String,
    pub preference: String,
}

pub struct FiredView {
    pub profile: String,
    pub version: String,
    pub score: String,
    pub measure: String,
    pub matched: String,
}

pub struct TaxLineView {
    pub tax: String,
    pub base: String,
    pub rate: String,
    pub amount: String,
}

pub struct TaxItemView {
    pub item: String,
    pub lines: Vec<TaxLineView>,
}

pub struct TaxesView {
    pub currency: String,
    pub items: Vec<TaxItemView>,
    pub total: String,
}

pub struct EventRowView {
    pub at: String,
    pub kind: String,
    pub actor: String,
}

pub struct VersionRowView {
    pub version: i64,
    pub at: String,
    pub actor: String,
    pub reason: String,
}

/// Everything the declaration partial (`_declaration.html`) shows.
pub struct DetailView {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub status_label: String,
    pub channel: String,
    pub channel_label: String,
    pub header: Vec<Pair>,
    pub items: Vec<ItemView>,
    pub documents: Vec<Pair>,
    /// The caller sees only the channel and the next step (a trader), not the reasons.
    pub confidential: bool,
    /// What the trader must do next, in words.
    pub next_step: String,
    pub score: String,
    pub reason: String,
    pub fired: Vec<FiredView>,
    pub random: Vec<Pair>,
    pub taxes: Option<TaxesView>,
    pub balance: String,
    pub events: Vec<EventRowView>,
    pub versions: Vec<VersionRowView>,
}

/// A JSON scalar as text (`"12.50"` → `12.50`, `3` → `3`, absent → `—`).
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    }
}

fn taxes_view(ctx: &Ctx, taxes: &Value) -> TaxesView {
    let items = taxes
        .get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|it| TaxItemView {
                    // Items are numbered from 1 on screen, 0 in the data.
                    item: it
                        .get("item")
                        .and_then(Value::as_u64)
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_else(|| text(it.get("item"))),
                    lines: it
                        .get("lines")
                        .and_then(Value::as_array)
                        .map(|ls| {
                            ls.iter()
                                .map(|l| TaxLineView {
                                    tax: ctx.tr.code_label("tax", &text(l.get("tax"))),
                                    base: text(l.get("base")),
                                    rate: text(l.get("rate")),
                                    amount: text(l.get("amount")),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    TaxesView {
        currency: text(taxes.get("currency")),
        items,
        total: text(taxes.get("total")),
    }
}

async fn detail(state: &AppState, ctx: &Ctx, id: &str) -> Result<DetailView, ApiError> {
    let caller = ctx.caller().ok_or(ApiError::Unauthenticated)?;
    let row = lifecycle::read_visible(state, caller, id).await?;
    // What of the assessment the caller may see is `crate::confidential`'s decision.
    let audience = Audience::of(caller);
    let d = DeclarationView::from_row(&row, audience)?;
    let history = lifecycle::history(state, caller, id).await?;
    let t = ctx.tr;
    let decl = &d.declaration;
    let office = |code: &str| match state.reference.office(code) {
        Some(o) => format!("{code} — {}", o.name),
        None => code.to_owned(),
    };
    let mut header = vec![
        Pair {
            label: t.s("field-type"),
            value: t.code_label("type", decl.kind.as_str()),
        },
        Pair {
            label: t.s("field-procedure"),
            value: decl.procedure.clone(),
        },
        Pair {
            label: t.s("field-office"),
            value: office(decl.office.as_str()),
        },
        Pair {
            label: t.s("field-declarant"),
            value: decl.declarant.to_string(),
        },
        Pair {
            label: t.s("field-importer"),
            value: decl
                .importer
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_else(|| "—".into()),
        },
    ];
    if let Some(e) = &decl.exporter {
        header.push(Pair {
            label: t.s("field-exporter"),
            value: format!("{} ({})", e.name, e.country),
        });
    }
    if let Some(c) = &decl.dispatch_country {
        header.push(Pair {
            label: t.s("field-dispatch_country"),
            value: c.to_string(),
        });
    }
    header.push(Pair {
        label: t.s("field-transport"),
        value: format!(
            "{} {}{}",
            t.code_label("mode", &decl.transport.mode),
            decl.transport.id.clone().unwrap_or_default(),
            decl.transport
                .border_office
                .as_ref()
                .map(|b| format!(" · {}", office(b.as_str())))
                .unwrap_or_default()
        ),
    });
    header.push(Pair {
        label: t.s("field-invoice"),
        value: format!(
            "{} {} · {} {} · {} {}",
            decl.invoice.currency,
            decl.invoice.incoterm.clone().unwrap_or_default(),
            t.s("field-invoice-freight"),
            decl.invoice.freight,
            t.s("field-invoice-insurance"),
            decl.invoice.insurance
        ),
    });
    let a = d.assessment.as_value();
    let fired = a
        .get("fired")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .map(|p| FiredView {
                    profile: text(p.get("profile").or_else(|| p.get("title"))),
                    version: text(p.get("version")),
                    score: text(p.get("score")),
                    measure: t.code_label("measure", &text(p.get("measure"))),
                    matched: match p.get("matched") {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => "—".into(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let random = match a.get("random") {
        Some(Value::Object(m)) => m
            .iter()
            .filter(|(k, _)| k.as_str() != "seed")
            .map(|(k, v)| Pair {
                label: t.opt(&format!("random-{k}")).unwrap_or("—"),
                value: match (k.as_str(), v) {
                    ("selected", Value::String(c)) => t.code_label("channel", c),
                    ("selected", Value::Null) => t.s("random-not-selected").to_owned(),
                    _ => text(Some(v)),
                },
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(DetailView {
        id: d.id.clone(),
        version: d.version,
        status: d.status.as_str().into(),
        status_label: t.code_label("status", d.status.as_str()),
        channel: d.channel.as_str().into(),
        channel_label: t.code_label("channel", d.channel.as_str()),
        header,
        items: decl
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| ItemView {
                number: i + 1,
                hs_code: it.hs_code.to_string(),
                description: it.description.clone(),
                origin: it.origin.to_string(),
                quantity: format!("{} {}", it.quantity, it.unit),
                net_mass: it.net_mass_kg.to_string(),
                gross_mass: it.gross_mass_kg.to_string(),
                value: format!("{} {}", it.value, decl.invoice.currency),
                preference: it.preference.clone().unwrap_or_else(|| "—".into()),
            })
            .collect(),
        documents: decl
            .documents
            .iter()
            .map(|doc| Pair {
                label: t.opt(&format!("doc-{}", doc.code)).unwrap_or(""),
                value: format!("{} {}", doc.code, doc.reference),
            })
            .collect(),
        confidential: !audience.is_customs(),
        next_step: t.code_label("next", &text(a.get("next"))),
        score: text(a.get("score")),
        reason: text(a.get("reason")),
        fired,
        random,
        taxes: d
            .taxes
            .as_ref()
            .and_then(|tx| serde_json::from_str::<Value>(tx.get()).ok())
            .map(|tx| taxes_view(ctx, &tx)),
        balance: d.balance.clone().unwrap_or_else(|| "—".into()),
        events: history
            .events
            .iter()
            .map(|e| EventRowView {
                at: short_time(&e.at),
                kind: t.code_label("event", &e.kind.replace('.', "-")),
                actor: e.actor.clone(),
            })
            .collect(),
        versions: history
            .versions
            .iter()
            .map(|v| VersionRowView {
                version: v.version,
                at: short_time(&v.created_at),
                actor: v.actor.clone(),
                reason: v.reason.clone().unwrap_or_else(|| "—".into()),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "declaration.html")]
struct DeclarationPage {
    frame: Frame,
    d: DetailView,
    notice: Option<&'static str>,
    problems: Vec<String>,
    /// The officer's actions: record a control result and release.
    officer: bool,
    releasable: bool,
    /// The open control task of this declaration, with the result form for its officer.
    control: Option<super::control::ControlPanel>,
    /// The money owed: the ledger and balance, and the trader's guarantee button.
    ledger: Option<super::payments::LedgerPanel>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    notice: Option<String>,
}

pub async fn declaration_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    status: StatusCode,
    notice: Option<&'static str>,
    problems: Vec<String>,
    control_input: Option<super::control::Submitted<'_>>,
) -> Response {
    let caller = match signed_in(ctx) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let d = match detail(state, ctx, id).await {
        Ok(d) => d,
        Err(e) => return api_error_page(ctx, e),
    };
    let officer = caller.role == Role::Officer;
    let releasable = officer && ["under_control", "awaiting_payment"].contains(&d.status.as_str());
    let control = if officer {
        let items: Vec<(usize, String)> = d
            .items
            .iter()
            .map(|i| (i.number - 1, i.description.clone()))
            .collect();
        match super::control::for_declaration(state, ctx, &caller, id, &items, control_input).await
        {
            Ok(c) => c,
            Err(e) => return api_error_page(ctx, e),
        }
    } else {
        None
    };
    let ledger = super::payments::panel(state, ctx, &caller, id).await;
    let mut frame = Frame::new(ctx, "declaration-title");
    frame.title = format!("{} {}", ctx.tr.s("declaration-title"), short_id(&d.id));
    let page = DeclarationPage {
        frame,
        d,
        notice,
        problems,
        officer,
        releasable,
        control,
        ledger,
    };
    render(status, &page)
}

/// The last 12 characters of a UUID v7: the random part, enough to tell ids apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(id.len().saturating_sub(12)..).unwrap_or(id)
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let notice = match q.notice.as_deref() {
        Some("lodged") => Some("notice-lodged"),
        Some("released") => Some("notice-released"),
        Some("control-recorded") => Some("notice-control-recorded"),
        Some("guaranteed") => Some("notice-guaranteed"),
        Some("claim-decided") => Some("notice-claim-decided"),
        _ => None,
    };
    declaration_page(&state, &ctx, &id, StatusCode::OK, notice, Vec::new(), None).await
}

/// Release by an officer. The refusals (`control_pending`, `unpaid`, …) come back on the
/// declaration's page in words, with the 409 status the API gives.
pub async fn release(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match signed_in(&ctx) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = check_csrf(&ctx, &form) {
        return r;
    }
    match lifecycle::release(&state, &caller, &id).await {
        Ok(_) => Redirect::to(&format!("/declarations/{id}?notice=released")).into_response(),
        Err(ApiError::Conflict(errs)) => {
            let problems = errs
                .errors
                .iter()
                .map(|e| {
                    ctx.tr
                        .opt(&format!("err-{}", e.code))
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.message.clone())
                })
                .collect();
            declaration_page(
                &state,
                &ctx,
                &id,
                StatusCode::CONFLICT,
                None,
                problems,
                None,
            )
            .await
        }
        Err(ApiError::Forbidden(_)) => {
            let problems = vec![ctx.tr.s("err-release-forbidden").to_owned()];
            declaration_page(
                &state,
                &ctx,
                &id,
                StatusCode::FORBIDDEN,
                None,
                problems,
                None,
            )
            .await
        }
        Err(e) => api_error_page(&ctx, e),
    }
}
