//! The administration's selection policy beside the profiles: score thresholds, the
//! trader categories' scores, random selection rates and the default inspection depth.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ReferencePrices;
use crate::profile::Inspection;
use crate::trader::RiskCategory;

/// Score thresholds: a total score at or above `red` gives red, at or above `yellow` yellow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreThresholds {
    pub yellow: u32,
    pub red: u32,
}

impl Default for ScoreThresholds {
    fn default() -> Self {
        Self {
            yellow: 50,
            red: 100,
        }
    }
}

/// Score added for the trader's risk category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraderScores {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
}

impl Default for TraderScores {
    fn default() -> Self {
        Self {
            low: 0,
            medium: 20,
            high: 50,
        }
    }
}

impl TraderScores {
    pub fn score(&self, c: RiskCategory) -> u32 {
        match c {
            RiskCategory::Low => self.low,
            RiskCategory::Medium => self.medium,
            RiskCategory::High => self.high,
        }
    }
}

/// Random selection rates, as fractions (`"0.02"` is 2 %). Red is drawn first, then yellow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomRates {
    pub yellow: Decimal,
    pub red: Decimal,
}

impl Default for RandomRates {
    /// Yellow 2 %, red 1 %.
    fn default() -> Self {
        Self {
            yellow: Decimal::new(2, 2),
            red: Decimal::new(1, 2),
        }
    }
}

impl RandomRates {
    pub const NONE: RandomRates = RandomRates {
        yellow: Decimal::ZERO,
        red: Decimal::ZERO,
    };
}

/// The administration's selection policy, beside the profiles.
///
/// `SelectionSettings::default()` — also what applies when no profile is active — is:
/// thresholds yellow ≥ 50, red ≥ 100; trader scores low 0, medium 20, high 50; random
/// selection yellow 2 %, red 1 % at every office; red inspections `partial` unless a fired
/// profile asks otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionSettings {
    #[serde(default)]
    pub thresholds: ScoreThresholds,
    #[serde(default)]
    pub trader_scores: TraderScores,
    #[serde(default)]
    pub random: RandomRates,
    /// Per-office random rates, replacing `random` at that office.
    #[serde(default)]
    pub office_random: BTreeMap<String, RandomRates>,
    /// Inspection depth of a red channel when no fired profile names one.
    #[serde(default = "default_inspection")]
    pub default_inspection: Inspection,
    /// The reference-price table `items.reference_price_ratio` reads. Part of the
    /// settings so that the engine digest covers it and a stored assessment replays
    /// against the very prices it was decided with.
    #[serde(default, skip_serializing_if = "ReferencePrices::is_empty")]
    pub reference_prices: ReferencePrices,
}

fn default_inspection() -> Inspection {
    Inspection::Partial
}

impl Default for Inspection {
    fn default() -> Self {
        default_inspection()
    }
}

impl SelectionSettings {
    /// The defaults without random selection (tests, back-testing).
    pub fn without_random() -> Self {
        Self {
            random: RandomRates::NONE,
            ..Self::default()
        }
    }
}
