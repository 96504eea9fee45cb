//! Risk profiles as analysts write them: versioned (old versions stay, because old
//! decisions point at them), type-checked before anything is stored, back-tested on stored
//! history before going live; their feedback (selections, controls, hits, revenue); the
//! selection settings; the trader registry status the category reads.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use tamga_risk::{
    BacktestReport, HistoricDeclaration, RiskProfile, SelectionSettings, TraderContext,
    TraderHistory, parse_profile,
};
use tamga_store::NewEvent;
use tamga_store::risk::{self as risk_rows, ProfileRow};
use tamga_types::{Decimal, FieldErrors};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Splits the server's own fields (`active`) off a profile body, then type-checks the rest.
fn parse(raw: &Value) -> Result<(tamga_risk::ProfileDraft, bool), FieldErrors> {
    let mut body = raw.clone();
    let mut problems = FieldErrors::default();
    let mut active = true;
    if let Some(obj) = body.as_object_mut() {
        // Stored profiles are accepted back as bodies: their id/version are ours to set.
        obj.remove("id");
        obj.remove("version");
        match obj.remove("active") {
            None => {}
            Some(Value::Bool(b)) => active = b,
            Some(_) => problems.push("active", "bad_type", "active is true or false"),
        }
    }
    match parse_profile(&body) {
        Ok(draft) if problems.is_empty() => Ok((draft, active)),
        Ok(_) => Err(problems),
        Err(mut e) => {
            e.errors.extend(problems.errors);
            Err(e)
        }
    }
}

fn to_value(p: &RiskProfile) -> Value {
    serde_json::to_value(p).unwrap_or_default()
}

async fn store_version(
    state: &AppState,
    caller: &Caller,
    profile: &RiskProfile,
    kind: &str,
) -> ApiResult<()> {
    let body = serde_json::to_string(profile).map_err(|e| ApiError::Internal(e.to_string()))?;
    let row = ProfileRow {
        id: profile.id.clone(),
        version: i64::from(profile.version),
        active: i64::from(profile.active),
        body,
        author: caller.id.clone(),
        created_at: tamga_store::now_text(),
    };
    let change = tamga_store::Change::new()
        .stmt(risk_rows::insert_profile(&row))
        .event(NewEvent::new(
            kind,
            &profile.id,
            &caller.id,
            &to_value(profile),
        ));
    state.store.apply(change).await?;
    state.risk.rebuild(&state.store).await?;
    Ok(())
}

pub async fn create(state: &AppState, caller: &Caller, raw: Value) -> ApiResult<RiskProfile> {
    caller.require(&[Role::Analyst])?;
    let (draft, active) = parse(&raw).map_err(ApiError::Invalid)?;
    let n = risk_rows::profile_count(state.store.db()).await?;
    // Readable ids for analysts and officers: RP-0001, RP-0002…; a clash (two analysts at
    // once) fails the insert and is answered 409.
    let mut profile = RiskProfile::new(format!("RP-{:04}", n + 1), 1, draft);
    profile.active = active;
    store_version(state, caller, &profile, "risk.profile_created").await?;
    Ok(profile)
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    raw: Value,
) -> ApiResult<RiskProfile> {
    caller.require(&[Role::Analyst])?;
    let versions = risk_rows::profile_versions(state.store.db(), id).await?;
    let last = versions.last().ok_or(ApiError::NotFound)?;
    let (draft, active) = parse(&raw).map_err(ApiError::Invalid)?;
    let mut profile = RiskProfile::new(id, last.version as u32 + 1, draft);
    profile.active = active;
    store_version(state, caller, &profile, "risk.profile_versioned").await?;
    Ok(profile)
}

/// Retires a profile: a new version, inactive. Its history and statistics stay.
pub async fn retire(state: &AppState, caller: &Caller, id: &str) -> ApiResult<RiskProfile> {
    caller.require(&[Role::Analyst])?;
    let versions = risk_rows::profile_versions(state.store.db(), id).await?;
    let last = versions.last().ok_or(ApiError::NotFound)?;
    let mut profile = stored(last)?;
    profile.version += 1;
    profile.active = false;
    store_version(state, caller, &profile, "risk.profile_retired").await?;
    Ok(profile)
}

/// A stored version; one that does not read stops the call (never shown as something else).
fn stored(row: &ProfileRow) -> ApiResult<RiskProfile> {
    serde_json::from_str(&row.body).map_err(|e| {
        ApiError::Internal(format!(
            "risk profile {} v{} unreadable: {e}",
            row.id, row.version
        ))
    })
}

fn readable(caller: &Caller) -> ApiResult<()> {
    caller.require(&[Role::Analyst, Role::Auditor, Role::Admin, Role::Officer])
}

pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<RiskProfile>> {
    readable(caller)?;
    let rows = risk_rows::latest_profiles(state.store.db()).await?;
    rows.iter().map(stored).collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileHistory {
    /// The latest version.
    #[schema(value_type = crate::views::risk::RiskProfile)]
    pub profile: RiskProfile,
    /// Every version, oldest first, with who wrote it and when.
    pub versions: Vec<ProfileVersion>,
}

/// One version of a profile, with who wrote it and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileVersion {
    pub version: i64,
    pub author: String,
    pub created_at: String,
    #[schema(value_type = crate::views::risk::RiskProfile)]
    pub profile: RiskProfile,
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ProfileHistory> {
    readable(caller)?;
    let rows = risk_rows::profile_versions(state.store.db(), id).await?;
    let last = rows.last().ok_or(ApiError::NotFound)?;
    Ok(ProfileHistory {
        profile: stored(last)?,
        versions: rows
            .iter()
            .map(|r| {
                Ok(ProfileVersion {
                    version: r.version,
                    author: r.author.clone(),
                    created_at: r.created_at.clone(),
                    profile: stored(r)?,
                })
            })
            .collect::<ApiResult<_>>()?,
    })
}

/// Feedback of one profile or channel or office.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// Declarations it selected (fired on).
    pub selections: u64,
    /// Of those, controls whose result is recorded.
    pub controls_done: u64,
    /// Of those, controls that found a discrepancy.
    pub hits: u64,
    /// hits / controls_done, 4 decimals; null before any control.
    pub hit_rate: Option<String>,
    /// Duties and taxes added by those controls' corrections, national currency.
    pub revenue_recovered: String,
}

#[derive(Default)]
struct Tally {
    selections: u64,
    controls: u64,
    hits: u64,
    revenue: Decimal,
}

impl Tally {
    fn add(&mut self, outcome: Option<&str>, revenue: Option<&str>) {
        self.selections += 1;
        if let Some(o) = outcome {
            self.controls += 1;
            self.hits += u64::from(o == "discrepancy");
        }
        self.revenue += revenue
            .and_then(|r| r.parse::<Decimal>().ok())
            .unwrap_or_default();
    }
    fn stats(&self) -> Stats {
        Stats {
            selections: self.selections,
            controls_done: self.controls,
            hits: self.hits,
            hit_rate: (self.controls > 0).then(|| {
                (Decimal::from(self.hits) / Decimal::from(self.controls))
                    .round_dp(4)
                    .to_string()
            }),
            revenue_recovered: self.revenue.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileStats {
    pub profile: String,
    #[serde(flatten)]
    pub total: Stats,
    /// The same per version.
    pub versions: BTreeMap<i64, Stats>,
}

pub async fn stats(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ProfileStats> {
    readable(caller)?;
    if risk_rows::profile_versions(state.store.db(), id)
        .await?
        .is_empty()
    {
        return Err(ApiError::NotFound);
    }
    let mut total = Tally::default();
    let mut by_version: BTreeMap<i64, Tally> = BTreeMap::new();
    for h in risk_rows::hits_of_profile(state.store.db(), Some(id)).await? {
        total.add(h.outcome.as_deref(), h.revenue_recovered.as_deref());
        by_version
            .entry(h.version)
            .or_default()
            .add(h.outcome.as_deref(), h.revenue_recovered.as_deref());
    }
    Ok(ProfileStats {
        profile: id.to_owned(),
        total: total.stats(),
        versions: by_version
            .into_iter()
            .map(|(v, t)| (v, t.stats()))
            .collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feedback {
    pub by_profile: BTreeMap<String, Stats>,
    pub by_channel: BTreeMap<String, Stats>,
    pub by_office: BTreeMap<String, Stats>,
}

/// Selections, controls, hits and revenue per profile, per channel, per office.
pub async fn feedback(state: &AppState, caller: &Caller) -> ApiResult<Feedback> {
    readable(caller)?;
    let mut by_profile: BTreeMap<String, Tally> = BTreeMap::new();
    for h in risk_rows::hits_of_profile(state.store.db(), None).await? {
        by_profile
            .entry(h.profile_id)
            .or_default()
            .add(h.outcome.as_deref(), h.revenue_recovered.as_deref());
    }
    let mut by_channel: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_office: BTreeMap<String, Tally> = BTreeMap::new();
    for (channel, office, outcome, revenue) in risk_rows::outcomes(state.store.db()).await? {
        by_channel
            .entry(channel)
            .or_default()
            .add(outcome.as_deref(), revenue.as_deref());
        by_office
            .entry(office)
            .or_default()
            .add(outcome.as_deref(), revenue.as_deref());
    }
    let done = |m: BTreeMap<String, Tally>| m.into_iter().map(|(k, t)| (k, t.stats())).collect();
    Ok(Feedback {
        by_profile: done(by_profile),
        by_channel: done(by_channel),
        by_office: done(by_office),
    })
}

/// Runs a draft profile over the declarations lodged in [from, to) and reports what it
/// would have selected and how many of those that were controlled had a discrepancy.
pub async fn backtest(state: &AppState, caller: &Caller, raw: Value) -> ApiResult<BacktestReport> {
    caller.require(&[Role::Analyst])?;
    let mut problems = FieldErrors::default();
    let date = |field: &str, problems: &mut FieldErrors| -> Option<jiff::civil::Date> {
        match raw.get(field).and_then(Value::as_str) {
            Some(s) => s
                .parse()
                .map_err(|_| problems.push(field, "bad_date", "a date such as 2026-01-31"))
                .ok(),
            None => {
                problems.push(
                    field,
                    "missing",
                    "the period's first and last day are required",
                );
                None
            }
        }
    };
    let from = date("from", &mut problems);
    let to = date("to", &mut problems);
    let draft = match raw.get("profile") {
        Some(p) => match parse(p) {
            Ok((d, _)) => Some(d),
            Err(e) => {
                for err in e.errors {
                    problems.push(format!("profile.{}", err.path), &err.code, err.message);
                }
                None
            }
        },
        None => {
            problems.push("profile", "missing", "the draft profile to back-test");
            None
        }
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        problems.push("to", "bad_range", "the period ends before it starts");
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let (from, to, draft) = (
        from.unwrap_or_default(),
        to.unwrap_or_default(),
        draft.expect("checked"),
    );
    let profile = RiskProfile::new("draft", 0, draft);
    let end = to.tomorrow().unwrap_or(to);
    let rows =
        risk_rows::history_between(state.store.db(), &from.to_string(), &end.to_string()).await?;
    // The draft reads the reference-price table in force, converted with each
    // declaration's day's rates when its invoice is in another currency.
    let live = state.risk.engine();
    let history = rows
        .into_iter()
        .filter_map(|(id, body, lodged_at, outcome)| {
            let declaration: tamga_types::Declaration = serde_json::from_str(&body).ok()?;
            let party = declaration
                .importer
                .as_ref()
                .unwrap_or(&declaration.declarant)
                .to_string();
            let date = lodged_at.get(..10)?.parse().ok()?;
            Some(HistoricDeclaration {
                id,
                date,
                exchange_rates: crate::risk::exchange_rates_for(
                    &live,
                    &declaration,
                    date,
                    &state.duties,
                )
                .unwrap_or_default(),
                trader: TraderContext {
                    risk_category: state.risk.category_of(&party),
                },
                controlled: outcome.is_some(),
                discrepancy: outcome.as_deref() == Some("discrepancy"),
                declaration,
            })
        });
    Ok(tamga_risk::backtest(
        &profile,
        &live.settings().reference_prices,
        history,
    ))
}

pub async fn settings(state: &AppState, caller: &Caller) -> ApiResult<SelectionSettings> {
    readable(caller)?;
    Ok(state.risk.settings())
}

/// Thresholds, random-selection rates and the reference-price table (analyst). Rates are
/// fractions: "0.02" is 2 %. Every problem is reported at once.
pub async fn put_settings(
    state: &AppState,
    caller: &Caller,
    raw: Value,
) -> ApiResult<SelectionSettings> {
    caller.require(&[Role::Analyst])?;
    let settings: SelectionSettings = serde_json::from_value(raw).map_err(|e| {
        ApiError::invalid(
            "",
            "bad_settings",
            format!("not valid selection settings: {e}"),
        )
    })?;
    let rate_ok = |r: &tamga_risk::RandomRates| {
        let ok = |d: Decimal| d >= Decimal::ZERO && d <= Decimal::ONE;
        ok(r.yellow) && ok(r.red) && r.yellow + r.red <= Decimal::ONE
    };
    let mut problems = FieldErrors::default();
    if !rate_ok(&settings.random) || !settings.office_random.values().all(rate_ok) {
        problems.push(
            "random",
            "bad_rate",
            "rates are fractions from 0 to 1 and add up to at most 1",
        );
    }
    for (prefix, price) in &settings.reference_prices.prices {
        let at = format!("reference_prices.prices.{prefix}");
        if !(2..=10).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(
                at.clone(),
                "bad_hs_prefix",
                "a reference price is keyed by an HS code prefix of 2 to 10 digits",
            );
        }
        if !tamga_types::CodeLists::is_currency(state.reference.as_ref(), &price.currency) {
            problems.push(
                format!("{at}.currency"),
                "unknown_currency",
                format!("{} is not a current ISO 4217 currency", price.currency),
            );
        }
        if price.unit_price <= Decimal::ZERO {
            problems.push(
                format!("{at}.unit_price"),
                "not_positive",
                "a reference unit price must be above zero",
            );
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    state
        .risk
        .set_settings(&state.store, settings.clone(), &caller.id)
        .await?;
    Ok(settings)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TraderView {
    pub party: String,
    /// low, medium or high: what the risk engine adds to the score.
    pub risk_category: String,
    #[schema(value_type = crate::views::risk::TraderHistory)]
    pub record: TraderHistory,
}

pub async fn trader(state: &AppState, caller: &Caller, party: &str) -> ApiResult<TraderView> {
    if caller.role == Role::Trader && caller.party.as_deref() != Some(party) {
        return Err(ApiError::NotFound);
    }
    Ok(TraderView {
        party: party.to_owned(),
        risk_category: state.risk.category_of(party).as_str().to_owned(),
        record: state.risk.history_of(party),
    })
}

/// Registry status (admin): authorised economic operator, suspended.
pub async fn put_trader_status(
    state: &AppState,
    caller: &Caller,
    party: &str,
    raw: Value,
) -> ApiResult<TraderView> {
    caller.require(&[Role::Admin])?;
    if tamga_types::PartyId::parse(party).is_none() {
        return Err(ApiError::NotFound);
    }
    let flag = |k: &str| raw.get(k).and_then(Value::as_bool);
    let (Some(aeo), Some(suspended)) = (flag("aeo"), flag("suspended")) else {
        return Err(ApiError::invalid(
            "",
            "missing",
            "aeo and suspended are both required booleans",
        ));
    };
    let now = tamga_store::now_text();
    let change = risk_rows::upsert_trader_status(party, aeo, suspended, &now).event(NewEvent::new(
        "trader.status_changed",
        party,
        &caller.id,
        &json!({"aeo": aeo, "suspended": suspended}),
    ));
    state.store.apply(change).await?;
    state.risk.note_status(party, aeo, suspended);
    trader(state, caller, party).await
}
