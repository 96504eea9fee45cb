//! Back-testing: how a draft profile would have selected on past declarations, and how
//! often those it selects were found wrong when controlled.
//!
//! Invariant: the draft is judged alone — no trader score, no random selection, no other
//! profile — and whether or not it is active; a condition that fails on a declaration
//! counts as a selection (the engine fails safe the same way) and is counted in `errors`.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tamga_types::Declaration;

use crate::engine::{
    AssessmentInput, CurrencyRates, ReferencePrices, RiskEngine, SelectionSettings, TraderContext,
};
use crate::profile::RiskProfile;

/// How many selected ids a report lists.
pub const SAMPLE_SIZE: usize = 20;

/// A past declaration with what its control found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoricDeclaration {
    pub id: String,
    pub declaration: Declaration,
    /// The date it was assessed on.
    pub date: Date,
    pub trader: TraderContext,
    /// Exchange rates of its date, for reference prices in another currency.
    #[serde(default)]
    pub exchange_rates: CurrencyRates,
    /// A control was done.
    pub controlled: bool,
    /// The control found a discrepancy.
    pub discrepancy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub profile: String,
    pub version: u32,
    pub declarations: u64,
    /// Declarations the draft would have selected.
    pub selected: u64,
    /// Of those selected, the ones that were controlled.
    pub selected_controlled: u64,
    /// Of those selected and controlled, the ones with a discrepancy.
    pub selected_discrepancies: u64,
    /// `selected_discrepancies / selected_controlled`, 4 decimals; `None` when nothing
    /// selected was controlled.
    pub hit_rate: Option<Decimal>,
    /// Hit rate over every controlled declaration, for comparison (same rounding).
    pub baseline_hit_rate: Option<Decimal>,
    /// Selections caused by a condition that failed to evaluate.
    pub errors: u64,
    /// The first selected ids, in history order.
    pub sample: Vec<String>,
}

fn ratio(n: u64, d: u64) -> Option<Decimal> {
    (d > 0).then(|| (Decimal::from(n) / Decimal::from(d)).round_dp(4))
}

/// Runs `draft` over `history`, reading `reference_prices` (the table in force) for
/// `items.reference_price_ratio`.
pub fn backtest(
    draft: &RiskProfile,
    reference_prices: &ReferencePrices,
    history: impl Iterator<Item = HistoricDeclaration>,
) -> BacktestReport {
    let mut p = draft.clone();
    p.active = true;
    let engine = RiskEngine::compile(
        std::slice::from_ref(&p),
        SelectionSettings {
            reference_prices: reference_prices.clone(),
            ..SelectionSettings::without_random()
        },
    );
    let (mut seen, mut selected, mut sel_ctl, mut sel_hit, mut ctl, mut hit, mut errors) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut sample = Vec::new();
    for h in history {
        seen += 1;
        if h.controlled {
            ctl += 1;
            hit += u64::from(h.discrepancy);
        }
        let input = AssessmentInput {
            declaration: &h.declaration,
            date: h.date,
            trader: h.trader,
            random_seed: [0; 32],
            exchange_rates: Some(&h.exchange_rates),
        };
        let (fired, errs) = engine.fire(&input);
        if fired.is_empty() {
            continue;
        }
        selected += 1;
        errors += u64::from(fired.iter().any(|f| f.failed_safe) || !errs.is_empty());
        if h.controlled {
            sel_ctl += 1;
            sel_hit += u64::from(h.discrepancy);
        }
        if sample.len() < SAMPLE_SIZE {
            sample.push(h.id);
        }
    }
    BacktestReport {
        profile: draft.id.clone(),
        version: draft.version,
        declarations: seen,
        selected,
        selected_controlled: sel_ctl,
        selected_discrepancies: sel_hit,
        hit_rate: ratio(sel_hit, sel_ctl),
        baseline_hit_rate: ratio(hit, ctl),
        errors,
        sample,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse_profile;
    use crate::trader::RiskCategory;
    use crate::workload::sample_declarations;
    use serde_json::json;

    #[test]
    fn a_backtest_counts_selections_controls_and_hits() {
        let draft = parse_profile(&json!({
            "title": "Chinese goods", "scope": "national", "valid_from": "2020-01-01",
            "criteria": [{"field": "dispatch_country", "op": "eq", "value": "CN"}],
            "score": 10, "measure": "documentary_check"
        }))
        .unwrap();
        let mut draft = RiskProfile::new("draft", 2, draft);
        draft.active = false; // a draft is back-tested before it is switched on
        let history: Vec<HistoricDeclaration> = sample_declarations(200, 4)
            .into_iter()
            .enumerate()
            .map(|(i, declaration)| HistoricDeclaration {
                id: format!("D{i}"),
                declaration,
                date: Date::constant(2026, 1, 15),
                trader: TraderContext {
                    risk_category: RiskCategory::Medium,
                },
                exchange_rates: Default::default(),
                controlled: i % 2 == 0,
                discrepancy: i % 4 == 0,
            })
            .collect();
        let from_china = |h: &HistoricDeclaration| {
            h.declaration
                .dispatch_country
                .as_ref()
                .is_some_and(|c| c.as_str() == "CN")
        };
        let expected: Vec<&HistoricDeclaration> =
            history.iter().filter(|h| from_china(h)).collect();
        let r = backtest(
            &draft,
            &ReferencePrices::default(),
            history.clone().into_iter(),
        );
        assert_eq!(r.declarations, 200);
        assert_eq!(r.selected, expected.len() as u64);
        assert!(r.selected > 0);
        let ctl = expected.iter().filter(|h| h.controlled).count() as u64;
        let hits = expected.iter().filter(|h| h.discrepancy).count() as u64;
        assert_eq!(
            (r.selected_controlled, r.selected_discrepancies),
            (ctl, hits)
        );
        assert_eq!(
            r.hit_rate,
            Some((Decimal::from(hits) / Decimal::from(ctl)).round_dp(4))
        );
        assert_eq!(r.baseline_hit_rate, Some(Decimal::new(5, 1)));
        assert_eq!(r.sample.first(), Some(&expected[0].id));
        assert!(r.sample.len() <= SAMPLE_SIZE);
    }
}
