//! Builders shared by the engine's tests: a declaration from a few goods lines, a profile
//! from a few fields, an input on a fixed date.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tamga_types::Declaration;

use super::{AssessmentInput, ReferencePrice, RiskEngine, SelectionSettings, TraderContext};
use crate::profile::{RiskProfile, parse_profile};
use crate::trader::RiskCategory;

pub(super) fn declaration(items: &[(&str, &str, &str, &str)], office: &str) -> Declaration {
    let items: Vec<Value> = items
        .iter()
        .map(|(hs, origin, qty, value)| {
            json!({"hs_code": hs, "description": "Goods", "origin": origin, "quantity": qty,
                   "unit": "p/st", "net_mass_kg": "10", "gross_mass_kg": "12", "value": value})
        })
        .collect();
    serde_json::from_value(json!({
        "type": "IM", "procedure": "4000", "office": office, "declarant": "01234567890123",
        "dispatch_country": "CN",
        "transport": {"mode": "3", "border_office": "41702"},
        "invoice": {"currency": "USD", "freight": "0", "insurance": "0"},
        "items": items,
        "documents": [{"code": "N380", "ref": "INV-1"}]
    }))
    .unwrap()
}

pub(super) fn profile(id: &str, extra: Value) -> RiskProfile {
    let mut body = json!({
        "title": id, "scope": "national", "valid_from": "2026-01-01",
        "criteria": [], "score": 10, "measure": "documentary_check"
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    RiskProfile::new(id, 1, parse_profile(&body).unwrap())
}

pub(super) fn input(d: &Declaration) -> AssessmentInput<'_> {
    AssessmentInput {
        declaration: d,
        date: Date::constant(2026, 3, 1),
        trader: TraderContext {
            risk_category: RiskCategory::Low,
        },
        random_seed: [7; 32],
        exchange_rates: None,
    }
}

/// Settings without random selection, with one reference price in USD.
pub(super) fn priced(prefix: &str, unit_price: Decimal) -> SelectionSettings {
    let mut settings = SelectionSettings::without_random();
    settings.reference_prices.prices.insert(
        prefix.to_owned(),
        ReferencePrice {
            currency: "USD".into(),
            unit_price,
        },
    );
    settings
}

pub(super) fn fired_ids(engine: &RiskEngine, i: &AssessmentInput<'_>) -> Vec<String> {
    engine
        .assess(i)
        .fired
        .into_iter()
        .map(|f| f.profile.to_string())
        .collect()
}

pub(super) fn phones_from_china() -> RiskProfile {
    profile(
        "phones",
        json!({"criteria": [
            {"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
            {"field": "items.origin", "op": "eq", "value": "CN"},
        ]}),
    )
}
