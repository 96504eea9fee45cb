//! The management dashboard: declarations per day by channel, time from lodgement to
//! release (median, p90) by channel and by office, counts by status. The figures come from
//! `tamga_store::dashboard`, whose queries read the window shown (and running totals), not
//! whole tables; percentiles are computed here. Charts are SVG drawn by [`super::svg`].
//!
//! The live part (`/dashboard/live`) is polled by htmx every 5 seconds, so the dashboard
//! follows `tamga demo` as it runs. Hit rates by channel and by profile come from
//! `crate::profiles::feedback`; revenue assessed (assessed + additional) and collected
//! (paid) are the ledger's running totals, exact decimals.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tamga_store::dashboard;
use tamga_types::{Channel, Status};

use super::svg::{self, Series};
use super::{Ctx, Frame, error_page, render, with_role};
use crate::auth::Role;
use crate::error::ApiError;
use crate::state::AppState;

const DAYS: i64 = 14;
/// Release times are measured over declarations lodged in this many days.
const RELEASE_WINDOW_DAYS: i64 = 30;
/// At most this many releases are read for the percentiles (the newest).
const RELEASE_SAMPLE: i64 = 100_000;

const ROLES: &[Role] = &[Role::Admin, Role::Auditor, Role::Analyst];

/// Fill colour of a channel. Always drawn beside its name: colour is never the only cue.
pub fn channel_colour(c: Channel) -> &'static str {
    match c {
        Channel::Green => "#2e7d32",
        Channel::Blue => "#1565c0",
        Channel::Yellow => "#e0a800",
        Channel::Red => "#c62828",
    }
}

/// The raw figures.
#[derive(Debug, Default)]
pub struct Figures {
    /// Day (`YYYY-MM-DD`) → channel → count, for the last [`DAYS`] days.
    pub per_day: BTreeMap<String, BTreeMap<String, i64>>,
    pub days: Vec<String>,
    pub by_status: BTreeMap<String, i64>,
    /// Seconds from lodgement to release, by channel and by office.
    pub release_by_channel: BTreeMap<String, Vec<f64>>,
    pub release_by_office: BTreeMap<String, Vec<f64>>,
    /// Sums of the ledger: assessed + additional, and paid (national currency).
    pub revenue_assessed: rust_decimal::Decimal,
    pub revenue_collected: rust_decimal::Decimal,
    /// Selections, controls and hits by channel and by profile (`crate::profiles::feedback`).
    pub feedback: Option<crate::profiles::Feedback>,
}

fn store_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("dashboard query: {e}"))
}

pub async fn figures(state: &AppState) -> Result<Figures, ApiError> {
    let now = jiff::Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    let utc_day = |ts: jiff::Timestamp| ts.to_zoned(jiff::tz::TimeZone::UTC).date();
    let days: Vec<jiff::civil::Date> = (0..DAYS)
        .rev()
        .filter_map(|k| now.checked_sub(day * k as i32).ok())
        .map(utc_day)
        .collect();
    let since = days.first().copied().unwrap_or_else(|| utc_day(now));
    let release_since = utc_day(
        now.checked_sub(day * RELEASE_WINDOW_DAYS as i32)
            .unwrap_or(now),
    );
    let db = state.store.db();
    let daily = dashboard::lodged_per_day(db, since)
        .await
        .map_err(store_err)?;
    let statuses = dashboard::status_counts(db).await.map_err(store_err)?;
    let releases = dashboard::releases_since(db, release_since, RELEASE_SAMPLE)
        .await
        .map_err(store_err)?;
    let revenue = dashboard::revenue(db).await.map_err(store_err)?;
    let mut f = Figures {
        days: days.iter().map(|d| d.to_string()).collect(),
        revenue_assessed: revenue.assessed,
        revenue_collected: revenue.collected,
        ..Default::default()
    };
    for l in daily {
        *f.per_day
            .entry(l.day.to_string())
            .or_default()
            .entry(l.channel.as_str().to_owned())
            .or_default() += l.count;
    }
    f.by_status = statuses
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n))
        .collect();
    for r in releases {
        let secs = r
            .released_at
            .duration_since(r.lodged_at)
            .as_secs_f64()
            .max(0.0);
        f.release_by_channel
            .entry(r.channel.as_str().to_owned())
            .or_default()
            .push(secs);
        f.release_by_office
            .entry(r.office.to_string())
            .or_default()
            .push(secs);
    }
    Ok(f)
}

/// The nearest-rank percentile `p` (0–100) of `values`; `None` when there are none.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let rank = ((p / 100.0) * values.len() as f64).ceil().max(1.0) as usize;
    Some(values[rank.min(values.len()) - 1])
}

/// A duration for people: `42 s`, `12.5 min`, `3.2 h`.
pub fn human_duration(ctx: &Ctx, secs: f64) -> String {
    let t = ctx.tr;
    if secs < 120.0 {
        format!("{:.0} {}", secs, t.s("unit-seconds"))
    } else if secs < 7200.0 {
        format!("{:.1} {}", secs / 60.0, t.s("unit-minutes"))
    } else {
        format!("{:.1} {}", secs / 3600.0, t.s("unit-hours"))
    }
}

pub struct CountView {
    pub label: String,
    pub code: String,
    pub count: i64,
}

pub struct TimeRowView {
    pub label: String,
    pub code: String,
    pub released: usize,
    pub median: String,
    pub p90: String,
}

pub struct HitRowView {
    pub code: String,
    pub label: String,
    pub selections: u64,
    pub controls: u64,
    pub hits: u64,
    pub hit_rate: String,
}

fn hit_rows(
    m: &BTreeMap<String, crate::profiles::Stats>,
    label: impl Fn(&str) -> String,
) -> Vec<HitRowView> {
    m.iter()
        .map(|(k, s)| HitRowView {
            code: k.clone(),
            label: label(k),
            selections: s.selections,
            controls: s.controls_done,
            hits: s.hits,
            hit_rate: super::risk::percent(s.hit_rate.as_deref()),
        })
        .collect()
}

pub struct DayRowView {
    pub day: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

/// The polled part of the dashboard.
#[derive(Template)]
#[template(path = "dashboard_live.html")]
pub struct LiveView {
    pub frame_t: super::i18n::Tr,
    pub total: i64,
    pub statuses: Vec<CountView>,
    pub per_day_svg: String,
    pub channel_labels: Vec<String>,
    pub day_rows: Vec<DayRowView>,
    pub release_svg: String,
    pub by_channel: Vec<TimeRowView>,
    pub by_office: Vec<TimeRowView>,
    pub updated: String,
    pub hit_overall: String,
    pub hit_by_channel: Vec<HitRowView>,
    pub hit_by_profile: Vec<HitRowView>,
    pub revenue_assessed: String,
    pub revenue_collected: String,
    pub currency: String,
}

fn time_rows(
    ctx: &Ctx,
    groups: &mut BTreeMap<String, Vec<f64>>,
    label: impl Fn(&str) -> String,
) -> Vec<TimeRowView> {
    groups
        .iter_mut()
        .map(|(code, v)| TimeRowView {
            label: label(code),
            code: code.clone(),
            released: v.len(),
            median: percentile(v, 50.0)
                .map(|s| human_duration(ctx, s))
                .unwrap_or_else(|| "—".into()),
            p90: percentile(v, 90.0)
                .map(|s| human_duration(ctx, s))
                .unwrap_or_else(|| "—".into()),
        })
        .collect()
}

pub fn live_view(state: &AppState, ctx: &Ctx, mut f: Figures) -> LiveView {
    let t = ctx.tr;
    // Short day labels (`11-23`) under the bars; the table below has the full dates.
    let categories: Vec<String> = f
        .days
        .iter()
        .map(|d| d.get(5..).unwrap_or(d).to_owned())
        .collect();
    let series: Vec<Series> = Channel::ALL
        .iter()
        .map(|c| Series {
            label: t.code_label("channel", c.as_str()),
            colour: channel_colour(*c),
            values: f
                .days
                .iter()
                .map(|d| {
                    f.per_day
                        .get(d)
                        .and_then(|m| m.get(c.as_str()))
                        .copied()
                        .unwrap_or(0) as f64
                })
                .collect(),
        })
        .collect();
    let per_day_svg = svg::stacked_bars(t.s("dash-per-day"), &categories, &series);
    let day_rows = f
        .days
        .iter()
        .map(|d| {
            let counts: Vec<i64> = Channel::ALL
                .iter()
                .map(|c| {
                    f.per_day
                        .get(d)
                        .and_then(|m| m.get(c.as_str()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            DayRowView {
                day: d.clone(),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    let mut by_channel = time_rows(ctx, &mut f.release_by_channel, |c| {
        t.code_label("channel", c)
    });
    // Channels in order of strength (green, blue, yellow, red), as in the charts.
    by_channel.sort_by_key(|r| Channel::parse(&r.code));
    let by_office = time_rows(ctx, &mut f.release_by_office, |o| {
        match state.reference.office(o) {
            Some(office) => format!("{o} — {}", office.name),
            None => o.to_owned(),
        }
    });
    // The release chart in minutes: median and p90 per channel that has releases.
    let rows: Vec<String> = Channel::ALL
        .iter()
        .filter(|c| f.release_by_channel.contains_key(c.as_str()))
        .map(|c| t.code_label("channel", c.as_str()))
        .collect();
    let pick = |p: f64| -> Vec<f64> {
        Channel::ALL
            .iter()
            .filter_map(|c| f.release_by_channel.get(c.as_str()))
            .map(|v| percentile(&mut v.clone(), p).unwrap_or(0.0) / 60.0)
            .collect()
    };
    let release_svg = svg::grouped_hbars(
        t.s("dash-release-chart"),
        &rows,
        &[
            Series {
                label: t.s("dash-median").to_owned(),
                colour: "#5c6bc0",
                values: pick(50.0),
            },
            Series {
                label: t.s("dash-p90").to_owned(),
                colour: "#283593",
                values: pick(90.0),
            },
        ],
        t.s("unit-minutes"),
    );
    let (hit_overall, hit_by_channel, hit_by_profile) = match &f.feedback {
        Some(fb) => {
            let (c, h) = fb
                .by_channel
                .values()
                .fold((0u64, 0u64), |(c, h), s| (c + s.controls_done, h + s.hits));
            let overall = (c > 0).then(|| (h as f64 / c as f64).to_string());
            let mut by_channel = hit_rows(&fb.by_channel, |c| t.code_label("channel", c));
            by_channel.sort_by_key(|r| Channel::parse(&r.code));
            (
                super::risk::percent(overall.as_deref()),
                by_channel,
                hit_rows(&fb.by_profile, str::to_owned),
            )
        }
        None => ("—".into(), Vec::new(), Vec::new()),
    };
    LiveView {
        frame_t: t,
        total: f.by_status.values().sum(),
        statuses: Status::ALL
            .iter()
            .map(|s| CountView {
                label: t.code_label("status", s.as_str()),
                code: s.as_str().to_owned(),
                count: f.by_status.get(s.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        per_day_svg,
        channel_labels: Channel::ALL
            .iter()
            .map(|c| t.code_label("channel", c.as_str()))
            .collect(),
        day_rows,
        release_svg,
        by_channel,
        by_office,
        updated: super::short_time(&tamga_store::now_text()),
        hit_overall,
        hit_by_channel,
        hit_by_profile,
        revenue_assessed: f.revenue_assessed.round_dp(2).to_string(),
        revenue_collected: f.revenue_collected.round_dp(2).to_string(),
        currency: state.duties.snapshot().national_currency.clone(),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    frame: Frame,
    live: LiveView,
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(r) = with_role(&ctx, ROLES) {
        return r;
    }
    match figures(&state).await {
        Ok(mut f) => {
            if let Some(c) = ctx.caller() {
                f.feedback = crate::profiles::feedback(&state, c).await.ok();
            }
            let live = live_view(&state, &ctx, f);
            render(
                StatusCode::OK,
                &DashboardPage {
                    frame: Frame::new(&ctx, "dash-title"),
                    live,
                },
            )
        }
        Err(e) => super::api_error_page(&ctx, e),
    }
}

/// The polled fragment. When the session has ended it answers 286, htmx's "stop polling".
pub async fn live(State(state): State<AppState>, ctx: Ctx) -> Response {
    match ctx.caller() {
        None => {
            return StatusCode::from_u16(286)
                .unwrap_or(StatusCode::OK)
                .into_response();
        }
        Some(c) if !ROLES.contains(&c.role) => {
            return error_page(&ctx, StatusCode::FORBIDDEN, "error-forbidden");
        }
        Some(_) => {}
    }
    match figures(&state).await {
        Ok(mut f) => {
            if let Some(c) = ctx.caller() {
                f.feedback = crate::profiles::feedback(&state, c).await.ok();
            }
            render(StatusCode::OK, &live_view(&state, &ctx, f))
        }
        Err(e) => super::api_error_page(&ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_and_p90_are_nearest_rank() {
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 50.0), Some(5.0));
        assert_eq!(percentile(&mut v, 90.0), Some(9.0));
        assert_eq!(percentile(&mut [7.0], 90.0), Some(7.0));
        assert_eq!(percentile(&mut [], 50.0), None);
    }
}
