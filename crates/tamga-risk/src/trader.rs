//! The trader's risk category, derived from its recent record and registry status.
//!
//! The rule, in order (the first that applies decides):
//! 1. suspended in the trader registry → **high**;
//! 2. at least 3 discrepancies in the last 12 months, or a discrepancy rate of 20 % or more
//!    over at least 5 controls → **high**;
//! 3. any discrepancy, or fewer than 10 declarations (too little history to trust) → **medium**,
//!    except that an authorised economic operator with no discrepancy is **low** whatever its volume;
//! 4. otherwise → **low**.
//!
//! Invariant: a pure function of the counts; the store computes the counts.

use serde::{Deserialize, Serialize};

/// A trader's risk category; its score is set in [`crate::SelectionSettings`].
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    Low,
    #[default]
    Medium,
    High,
}

impl RiskCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::Low => "low",
            RiskCategory::Medium => "medium",
            RiskCategory::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<RiskCategory> {
        match s {
            "low" => Some(RiskCategory::Low),
            "medium" => Some(RiskCategory::Medium),
            "high" => Some(RiskCategory::High),
            _ => None,
        }
    }
}

/// A trader's record over the last 12 months and its registry status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraderHistory {
    pub declarations: u32,
    pub controls: u32,
    pub discrepancies: u32,
    /// Authorised economic operator.
    pub aeo: bool,
    pub suspended: bool,
}

/// See the module documentation for the rule.
pub fn derive_category(h: &TraderHistory) -> RiskCategory {
    if h.suspended {
        return RiskCategory::High;
    }
    // rate ≥ 20 %  ⇔  5 × discrepancies ≥ controls, in integers.
    let high_rate = h.controls >= 5 && u64::from(h.discrepancies) * 5 >= u64::from(h.controls);
    if h.discrepancies >= 3 || high_rate {
        return RiskCategory::High;
    }
    if h.discrepancies > 0 {
        return RiskCategory::Medium;
    }
    if h.aeo {
        return RiskCategory::Low;
    }
    if h.declarations < 10 {
        RiskCategory::Medium
    } else {
        RiskCategory::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(declarations: u32, controls: u32, discrepancies: u32) -> TraderHistory {
        TraderHistory {
            declarations,
            controls,
            discrepancies,
            ..Default::default()
        }
    }

    #[test]
    fn a_suspended_trader_is_high_risk() {
        let t = TraderHistory {
            suspended: true,
            aeo: true,
            ..h(500, 0, 0)
        };
        assert_eq!(derive_category(&t), RiskCategory::High);
    }

    #[test]
    fn three_discrepancies_make_a_trader_high_risk() {
        assert_eq!(derive_category(&h(1000, 100, 3)), RiskCategory::High);
    }

    #[test]
    fn a_discrepancy_rate_of_twenty_percent_over_five_controls_is_high_risk() {
        assert_eq!(derive_category(&h(50, 5, 1)), RiskCategory::High);
        assert_eq!(derive_category(&h(50, 6, 1)), RiskCategory::Medium);
        // Too few controls for a rate to mean anything.
        assert_eq!(derive_category(&h(50, 4, 1)), RiskCategory::Medium);
    }

    #[test]
    fn a_new_trader_is_medium_risk() {
        assert_eq!(derive_category(&h(3, 0, 0)), RiskCategory::Medium);
    }

    #[test]
    fn a_clean_established_trader_is_low_risk() {
        assert_eq!(derive_category(&h(200, 10, 0)), RiskCategory::Low);
    }

    #[test]
    fn a_clean_aeo_is_low_risk_even_with_few_declarations() {
        let t = TraderHistory {
            aeo: true,
            ..h(2, 0, 0)
        };
        assert_eq!(derive_category(&t), RiskCategory::Low);
    }
}
