//! The schemas of what `tamga-risk` serialises: profiles, selection settings, assessments,
//! back-test reports, trader records. The pure crate carries no OpenAPI derive, so each is
//! described here as serde writes it; the answers themselves are the crate's own types.
#![allow(dead_code)] // schema-only mirrors: never built, read by the derive

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tamga_types::{Channel, Decimal};
use utoipa::ToSchema;

use crate::openapi::{Criterion, Inspection, Measure, Scope};

/// A stored version of a risk profile: the analyst's fields plus `id`, `version` and
/// `active` (`tamga_risk::RiskProfile`).
#[derive(Deserialize, ToSchema)]
pub struct RiskProfile {
    #[schema(example = "RP-0001")]
    pub id: String,
    /// 1, then +1 per new version (retiring is one).
    pub version: u32,
    /// Only active profiles take part in assessments.
    pub active: bool,
    pub title: String,
    pub rationale: String,
    pub scope: Scope,
    pub valid_from: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<Date>,
    pub criteria: Vec<Criterion>,
    pub condition: Option<String>,
    pub score: u32,
    pub measure: Measure,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
}

/// Score thresholds: a total at or above `red` gives red, at or above `yellow` yellow.
#[derive(Deserialize, ToSchema)]
pub struct ScoreThresholds {
    pub yellow: u32,
    pub red: u32,
}

/// Score added for the trader's risk category.
#[derive(Deserialize, ToSchema)]
pub struct TraderScores {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
}

/// Random selection rates as fractions from 0 to 1 (`"0.02"` is 2 %), together at most 1;
/// red is drawn first.
#[derive(Deserialize, ToSchema)]
pub struct RandomRates {
    #[schema(example = "0.02", pattern = "^(0(\\.[0-9]{1,28})?|1(\\.0{1,28})?)$")]
    pub yellow: Decimal,
    #[schema(example = "0.01", pattern = "^(0(\\.[0-9]{1,28})?|1(\\.0{1,28})?)$")]
    pub red: Decimal,
}

/// A reference (world) price per unit of quantity.
#[derive(Deserialize, ToSchema)]
pub struct ReferencePrice {
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Above zero.
    #[schema(
        example = "120.00",
        pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,28})?|0+\\.0{0,27}[1-9][0-9]{0,27})$"
    )]
    pub unit_price: Decimal,
}

/// Reference prices by HS code prefix (2 to 10 digits); the longest matching prefix applies.
#[derive(Deserialize, ToSchema)]
pub struct ReferencePrices {
    pub prices: BTreeMap<String, ReferencePrice>,
}

/// The selection policy beside the profiles (`tamga_risk::SelectionSettings`). Every field
/// may be left out of a `PUT`: it then takes its default.
#[derive(Deserialize, ToSchema)]
pub struct SelectionSettings {
    #[schema(required = false)]
    pub thresholds: ScoreThresholds,
    #[schema(required = false)]
    pub trader_scores: TraderScores,
    #[schema(required = false)]
    pub random: RandomRates,
    /// Per-office random rates, replacing `random` at that office.
    #[schema(required = false)]
    pub office_random: BTreeMap<String, RandomRates>,
    /// Inspection depth of a red channel when no fired profile names one.
    #[schema(required = false)]
    pub default_inspection: Inspection,
    /// The table `items.reference_price_ratio` reads; absent when empty.
    #[schema(required = false)]
    pub reference_prices: ReferencePrices,
}

/// A trader's risk category.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    Low,
    Medium,
    High,
}

/// A value of the declaration that made a criterion hold.
#[derive(Deserialize, ToSchema)]
pub struct Matched {
    #[schema(example = "items.hs_code")]
    pub field: String,
    pub value: String,
    /// The goods item, for `items.*` criteria and per-item conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
}

/// A profile version that fired, and why.
#[derive(Deserialize, ToSchema)]
pub struct FiredProfile {
    pub profile: String,
    pub version: u32,
    pub title: String,
    pub score: u32,
    pub measure: Measure,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
    pub matched: Vec<Matched>,
    /// The profile fired because its condition could not be evaluated.
    pub failed_safe: bool,
}

/// A condition that failed at run time (its profile then fired, failing safe).
#[derive(Deserialize, ToSchema)]
pub struct AssessmentError {
    pub profile: String,
    pub version: u32,
    pub message: String,
}

/// The random selection draw, enough to replay it.
#[derive(Deserialize, ToSchema)]
pub struct RandomDraw {
    /// The 32-byte ChaCha20 seed, hex.
    pub seed: String,
    /// The first `u32` drawn.
    pub draw: u32,
    /// `draw / 2^32`, 8 decimals.
    pub fraction: Decimal,
    pub yellow_rate: Decimal,
    pub red_rate: Decimal,
    pub selected: Option<Channel>,
}

/// A risk assessment as customs sees it (`tamga_risk::Assessment`).
#[derive(Deserialize, ToSchema)]
pub struct Assessment {
    pub channel: Channel,
    /// Fired profiles' scores plus the trader category's score.
    pub score: u32,
    pub fired: Vec<FiredProfile>,
    pub trader_category: RiskCategory,
    pub trader_score: u32,
    pub random: RandomDraw,
    pub thresholds: ScoreThresholds,
    /// Depth of the physical inspection, when the channel is red.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
    pub reason: String,
    pub errors: Vec<AssessmentError>,
    pub date: Date,
    /// Profiles checked in full after indexing.
    pub profiles_checked: u32,
    /// National currency per unit of each currency, as given to the assessment; absent
    /// when none was needed.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub exchange_rates: BTreeMap<String, Decimal>,
    pub engine_version: String,
    /// BLAKE3 of the active profile set and settings the assessment ran on.
    pub profiles_digest: String,
}

/// What a trader must do next.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    DocumentaryCheck,
    PhysicalInspection,
    Payment,
    None,
}

/// The assessment as a trader sees it: the channel applied and the next step, never why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TraderAssessment {
    pub channel: Channel,
    pub next: NextStep,
}

/// A declaration's assessment: whole for customs, the channel and the next step for a
/// trader (`crate::confidential`).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AssessmentView {
    Customs(Box<Assessment>),
    Trader(TraderAssessment),
}

/// What a draft profile would have selected over a period (`tamga_risk::BacktestReport`).
#[derive(Deserialize, ToSchema)]
pub struct BacktestReport {
    pub profile: String,
    pub version: u32,
    /// Declarations lodged in the period.
    pub declarations: u64,
    /// Those the draft would have selected.
    pub selected: u64,
    /// Of those selected, the ones that were controlled.
    pub selected_controlled: u64,
    /// Of those selected and controlled, the ones with a discrepancy.
    pub selected_discrepancies: u64,
    /// `selected_discrepancies / selected_controlled`, 4 decimals; null when nothing
    /// selected was controlled.
    pub hit_rate: Option<Decimal>,
    /// The hit rate over every controlled declaration, for comparison.
    pub baseline_hit_rate: Option<Decimal>,
    /// Selections caused by a condition that failed to evaluate.
    pub errors: u64,
    /// The first selected ids, in history order.
    pub sample: Vec<String>,
}

/// A trader's record over the last 12 months and its registry status
/// (`tamga_risk::TraderHistory`).
#[derive(Deserialize, ToSchema)]
pub struct TraderHistory {
    pub declarations: u32,
    pub controls: u32,
    pub discrepancies: u32,
    /// Authorised economic operator.
    pub aeo: bool,
    pub suspended: bool,
}

/// A stored assessment replayed from its stored inputs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replay {
    /// The replay decided exactly as the stored assessment.
    pub identical: bool,
    #[schema(value_type = Assessment)]
    pub stored: tamga_risk::Assessment,
    #[schema(value_type = Assessment)]
    pub replayed: tamga_risk::Assessment,
}
