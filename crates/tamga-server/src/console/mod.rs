//! The web console: server-rendered pages (askama templates in `templates/`, htmx for the
//! few live parts) for traders, officers and management, served at `/`.
//!
//! Code map:
//! - [`session`]: session cookies, the in-memory session store, CSRF tokens, the [`Ctx`]
//!   every handler gets (language, session, TLS).
//! - [`i18n`]: message catalogues (`locales/*.ftl`) and the choice of language.
//! - [`login`]: sign-in (password or API token), sign-out, the language selector, `/`.
//! - [`declarations`]: the declaration list, the declaration page, release, the officer's
//!   control queue.
//! - [`lodge`]: the lodge form: HTML fields ⇄ CONTRACT.md JSON, errors beside their fields.
//! - [`control`]: the officer's control result form and the task it belongs to.
//! - [`payments`]: a declaration's ledger and balance; the trader's guarantee.
//! - [`risk`]: the analyst's risk profiles (list with feedback, write, edit) and back-test.
//! - [`dashboard`]: management figures by SQL (and `crate::profiles::feedback`), drawn by
//!   [`svg`].
//! - [`lockouts`]: sign-in lockouts (admin, auditor).
//! - [`assets`]: CSS and htmx, embedded in the binary.
//!
//! Invariants: the console calls the same functions as the API (`crate::declarations`,
//! `crate::controls`, `crate::profiles`, `crate::payments`), so
//! it can never do what the API forbids; every visible word comes from a catalogue; every
//! POST carries the session's CSRF token; every asset ships inside the binary.
//!
//! Adding a page: a handler module here, a
//! template, a route in [`router`], keys in every catalogue, and a [`NavLink`] in
//! [`nav_for`].

pub mod assets;
pub mod control;
pub mod dashboard;
pub mod declarations;
pub mod i18n;
pub mod lockouts;
pub mod lodge;
pub mod login;
pub mod payments;
pub mod risk;
pub mod session;
pub mod svg;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::state::AppState;
use i18n::{LanguageOption, Tr};
pub use session::Ctx;

/// The console's routes; merged into [`crate::app`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::choose_language))
        .route("/assets/{*path}", get(assets::serve))
        .route("/declarations", get(declarations::list))
        .route("/declarations/new", get(lodge::form).post(lodge::submit))
        .route("/declarations/{id}", get(declarations::page))
        .route("/declarations/{id}/release", post(declarations::release))
        .route("/declarations/{id}/control", post(control::submit))
        .route("/declarations/{id}/guarantee", post(payments::guarantee))
        .route("/payments", get(payments::due))
        .route(
            "/declarations/{id}/claims/{claim}/decision",
            post(payments::decide_claim),
        )
        .route("/queue", get(declarations::queue))
        .route("/risk/profiles", get(risk::list))
        .route("/risk/profiles/new", get(risk::new_form).post(risk::create))
        .route(
            "/risk/profiles/{id}/edit",
            get(risk::edit_form).post(risk::update),
        )
        .route(
            "/risk/backtest",
            get(risk::backtest_form).post(risk::backtest),
        )
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/live", get(dashboard::live))
        .route("/lockouts", get(lockouts::page))
}

/// A link in the top navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The console's sections per role.
fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Trader => vec![
            ("/declarations", "nav-my-declarations"),
            ("/declarations/new", "nav-lodge"),
        ],
        Role::Officer => vec![
            ("/queue", "nav-queue"),
            ("/declarations", "nav-declarations"),
        ],
        Role::Analyst => vec![
            ("/dashboard", "nav-dashboard"),
            ("/risk/profiles", "nav-risk-profiles"),
            ("/risk/backtest", "nav-backtest"),
            ("/declarations", "nav-declarations"),
        ],
        Role::Admin | Role::Auditor => vec![
            ("/dashboard", "nav-dashboard"),
            ("/declarations", "nav-declarations"),
            ("/lockouts", "nav-lockouts"),
        ],
        // A bank settles payments: it finds a declaration by number and sees what is due;
        // the goods, the parties and customs' risk figures are not its business.
        Role::Bank => vec![("/payments", "nav-payments")],
    }
}

/// Where a role lands after signing in.
pub fn home_for(role: Role) -> &'static str {
    match role {
        Role::Trader => "/declarations",
        Role::Bank => "/payments",
        Role::Officer => "/queue",
        Role::Admin | Role::Auditor | Role::Analyst => "/dashboard",
    }
}

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    pub name: String,
    pub role: String,
    /// Party or office the user is bound to.
    pub binding: String,
}

/// The page chrome every template extends (`base.html`): language, navigation, user.
pub struct Frame {
    pub t: Tr,
    pub title: String,
    pub user: Option<UserView>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    pub languages: Vec<LanguageOption>,
    /// Where the language selector returns to, percent-encoded.
    pub next: String,
}

impl Frame {
    pub fn new(ctx: &Ctx, title_key: &str) -> Frame {
        let t = ctx.tr;
        let path = ctx.here.split('?').next().unwrap_or("/");
        let (user, nav, csrf) = match &ctx.session {
            Some(s) => {
                let c = &s.caller;
                let nav = nav_for(c.role)
                    .into_iter()
                    .map(|(href, key)| NavLink {
                        href,
                        label: t.s(key),
                        current: path == href,
                    })
                    .collect();
                let binding = match (&c.party, &c.office) {
                    (Some(p), _) => format!("{} {p}", t.s("user-party")),
                    (None, Some(o)) => format!("{} {o}", t.s("user-office")),
                    _ => String::new(),
                };
                let user = UserView {
                    name: c.name.clone(),
                    role: t.code_label("role", c.role.as_str()),
                    binding,
                };
                (Some(user), nav, s.csrf.clone())
            }
            None => (None, Vec::new(), String::new()),
        };
        Frame {
            t,
            title: t.s(title_key).to_owned(),
            user,
            nav,
            csrf,
            languages: t.languages(),
            next: percent_encode(&ctx.here),
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Renders a template as a whole page with the console's security headers.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = (status, axum::response::Html(html)).into_response();
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                ),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    status: u16,
    message: String,
}

/// A whole error page in the request's language.
pub fn error_page(ctx: &Ctx, status: StatusCode, key: &str) -> Response {
    let mut frame = Frame::new(ctx, key);
    frame.title = ctx.tr.s(key).to_owned();
    let page = ErrorPage {
        frame,
        status: status.as_u16(),
        message: ctx.tr.s(&format!("{key}-detail")).to_owned(),
    };
    render(status, &page)
}

/// An API error as a console page (validation errors are shown in place by their pages).
pub fn api_error_page(ctx: &Ctx, e: ApiError) -> Response {
    match e {
        ApiError::NotFound => error_page(ctx, StatusCode::NOT_FOUND, "error-not-found"),
        ApiError::Forbidden(_) => error_page(ctx, StatusCode::FORBIDDEN, "error-forbidden"),
        ApiError::Unauthenticated => Redirect::to("/login").into_response(),
        ApiError::Internal(cause) => {
            tracing::error!(%cause, "console: internal error");
            error_page(ctx, StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
        }
        other => {
            tracing::warn!(error = %other, "console: unexpected API answer");
            error_page(ctx, StatusCode::BAD_REQUEST, "error-bad-request")
        }
    }
}

/// The signed-in caller, or a redirect to the sign-in page.
#[allow(clippy::result_large_err)]
pub fn signed_in(ctx: &Ctx) -> Result<Arc<Caller>, Response> {
    ctx.caller()
        .cloned()
        .ok_or_else(|| Redirect::to("/login").into_response())
}

/// The signed-in caller when it has one of `roles`; a 403 page otherwise.
#[allow(clippy::result_large_err)]
pub fn with_role(ctx: &Ctx, roles: &[Role]) -> Result<Arc<Caller>, Response> {
    let caller = signed_in(ctx)?;
    if roles.contains(&caller.role) {
        Ok(caller)
    } else {
        Err(error_page(ctx, StatusCode::FORBIDDEN, "error-forbidden"))
    }
}

/// The POST's CSRF token matches the session's; a 403 page otherwise.
#[allow(clippy::result_large_err)]
pub fn check_csrf(ctx: &Ctx, form: &[(String, String)]) -> Result<(), Response> {
    if ctx.csrf_ok(form) {
        Ok(())
    } else {
        Err(error_page(ctx, StatusCode::FORBIDDEN, "error-csrf"))
    }
}

/// A form POST's caller: signed in with one of `roles`, and the form carries the session's
/// CSRF token. The error page otherwise (403 for a wrong role or token).
#[allow(clippy::result_large_err)]
pub fn form_caller(
    ctx: &Ctx,
    roles: &[Role],
    form: &[(String, String)],
) -> Result<Arc<Caller>, Response> {
    let caller = with_role(ctx, roles)?;
    check_csrf(ctx, form)?;
    Ok(caller)
}

/// `2026-11-23T11:50:08.123Z` → `2026-11-23 11:50` (UTC, as stored).
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_percent_encoded() {
        assert_eq!(percent_encode("/a?b=c&d"), "%2Fa%3Fb%3Dc%26d");
    }

    #[test]
    fn times_are_shown_to_the_minute() {
        assert_eq!(short_time("2026-11-23T11:50:08.123Z"), "2026-11-23 11:50");
        assert_eq!(short_time("bad"), "bad");
    }
}
