//! Current lockouts of failed sign-ins and refused tokens, for admins and auditors: what
//! `GET /api/v1/auth/lockouts` answers, as a page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Ctx, Frame, render, with_role};
use crate::auth::Role;
use crate::routes::auth::{LockoutView, current};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "lockouts.html")]
struct LockoutsPage {
    frame: Frame,
    rows: Vec<LockoutView>,
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(r) = with_role(&ctx, &[Role::Admin, Role::Auditor]) {
        return r;
    }
    let rows = current(&state)
        .into_iter()
        .map(|mut r| {
            r.locked_until = super::short_time(&r.locked_until);
            r
        })
        .collect();
    let page = LockoutsPage {
        frame: Frame::new(&ctx, "lockouts-title"),
        rows,
    };
    render(StatusCode::OK, &page)
}
