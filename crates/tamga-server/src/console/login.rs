//! Signing in and out, the language selector, and `/`.
//!
//! Sign-in takes a user name and console password (argon2, checked by
//! [`crate::users::verify_password`]) or an API token (as the API checks it). The sign-in
//! form has no session yet, so its CSRF token is a double-submit cookie.
//!
//! Failures count against the account typed and the client's address
//! ([`crate::throttle`]); while either is locked out the page answers 429 with
//! `Retry-After`, whatever the password.

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{self, Ctx, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use super::{Frame, home_for, render};
use crate::auth::{Caller, Role};
use crate::state::AppState;
use crate::throttle::{Key, retry_after_secs};

/// `/`: the user's home, or the sign-in page.
pub async fn home(ctx: Ctx) -> Redirect {
    match ctx.caller() {
        Some(c) => Redirect::to(home_for(c.role)),
        None => Redirect::to("/login"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    frame: Frame,
    login_csrf: String,
    username: String,
    error: Option<String>,
}

fn login_page(ctx: &Ctx, status: StatusCode, username: &str, error: Option<String>) -> Response {
    let token = session::random_token();
    let page = LoginPage {
        frame: Frame::new(ctx, "login-title"),
        login_csrf: token.clone(),
        username: username.to_owned(),
        error,
    };
    let mut resp = render(status, &page);
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_CSRF_COOKIE, &token, ctx.secure, true, None),
    );
    resp
}

pub async fn form(ctx: Ctx) -> Response {
    if let Some(c) = ctx.caller() {
        return Redirect::to(home_for(c.role)).into_response();
    }
    login_page(&ctx, StatusCode::OK, "", None)
}

/// A PHC string to verify against when the user does not exist, so that an unknown name
/// costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| crate::users::hash_password("not a real password").unwrap_or_default());

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let cookie = session::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let sent = session::field(&form, session::CSRF_FIELD).unwrap_or("");
    if !session::same_secret(&cookie, sent) {
        return super::error_page(&ctx, StatusCode::FORBIDDEN, "error-csrf");
    }
    let username = session::field(&form, "username")
        .unwrap_or("")
        .trim()
        .to_owned();
    let password = session::field(&form, "password").unwrap_or("");
    let token = session::field(&form, "token").unwrap_or("").trim();
    let by_token = !token.is_empty();
    let mut keys = Vec::new();
    if !by_token && !username.is_empty() {
        keys.push(Key::account(&username));
    }
    keys.extend(ctx.client.map(Key::address));
    if let Some(wait) = state.throttle.locked(&keys, Instant::now()) {
        return locked_page(&ctx, &username, wait);
    }
    let (caller, token_hash) = if by_token {
        let hash = crate::auth::token_hash(token);
        let caller = crate::auth::caller_by_hash(&state, &hash)
            .await
            .ok()
            .flatten();
        (caller, Some(hash))
    } else {
        (by_password(&state, &username, password).await, None)
    };
    let Some(caller) = caller else {
        let address = ctx.client.map(|c| c.to_string()).unwrap_or_default();
        crate::throttle::record_failure(
            &state,
            "auth.sign_in_failed",
            if by_token { &address } else { &username },
            &keys,
            serde_json::json!({
                "account": (!by_token).then_some(&username),
                "address": address,
                "via": if by_token { "token" } else { "password" },
            }),
        )
        .await;
        return login_page(
            &ctx,
            StatusCode::UNAUTHORIZED,
            &username,
            Some(ctx.tr.s("login-failed").to_owned()),
        );
    };
    if !by_token {
        state.throttle.succeeded(&Key::account(&username));
    }
    let id = match session::open(&state, &caller, token_hash).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "console sign-in: cannot store the session");
            return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "error-internal");
        }
    };
    let mut resp = Redirect::to(home_for(caller.role)).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, &id, ctx.secure, true, None),
    );
    h.append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_CSRF_COOKIE, "", ctx.secure, true, Some(0)),
    );
    resp
}

/// The sign-in page refusing a locked-out account or address: 429 and `Retry-After`.
fn locked_page(ctx: &Ctx, username: &str, wait: std::time::Duration) -> Response {
    let secs = retry_after_secs(wait);
    let message = ctx.tr.args("login-locked", &[("seconds", secs.into())]);
    let mut resp = login_page(ctx, StatusCode::TOO_MANY_REQUESTS, username, Some(message));
    resp.headers_mut()
        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
    resp
}

async fn by_password(state: &AppState, name: &str, password: &str) -> Option<Arc<Caller>> {
    if name.is_empty() || password.is_empty() {
        return None;
    }
    let row = match tamga_store::users::by_name(state.store.db(), name).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "console sign-in: store");
            return None;
        }
    };
    let phc = row
        .as_ref()
        .and_then(|r| r.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    // argon2 takes tens of milliseconds: off the async workers.
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || crate::users::verify_password(&pw, &phc))
        .await
        .unwrap_or(false);
    let row = row.filter(|r| ok && r.password_hash.is_some())?;
    Some(Arc::new(Caller {
        role: Role::parse(&row.role)?,
        id: row.id,
        name: row.name,
        party: row.party,
        office: row.office,
    }))
}

/// Signs out: the session is deleted on the server, not only its cookie in the browser, so
/// a copy of the cookie no longer opens anything.
pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(s) = &ctx.session else {
        return Redirect::to("/login").into_response();
    };
    if let Err(r) = super::check_csrf(&ctx, &form) {
        return r;
    }
    session::close(&state, &s.id).await;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, "", ctx.secure, true, Some(0)),
    );
    resp
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// Sets the `lang` cookie (a year) and returns to the page the user was on. A preference,
/// not a state change, so a plain link; `next` must be a local path (no open redirect).
pub async fn choose_language(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    if super::i18n::CATALOGUES.get(&code).is_none() {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "error-not-found");
    }
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(LANG_COOKIE, &code, ctx.secure, false, Some(365 * 24 * 3600)),
    );
    resp
}
