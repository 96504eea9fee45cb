//! Shared fixtures: a small tariff written for the worked examples, and a declaration builder.
#![allow(dead_code)]

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tamga_tariff::{ExchangeRates, PreferenceRules, TariffSchedule};
use tamga_types::Declaration;

pub const TARIFF: &str = "\
code,description,duty_rate,duty_specific,duty_unit,duty_mode,vat_rate,excise_rate,excise_specific,excise_unit,valid_from,valid_to
851713,Smartphones,5,,,ad_valorem,12,,,,2020-01-01,
2203,Beer,,15,l,specific,12,,25,l,2020-01-01,
2208,Spirits,20,200,l,higher,12,,300,l,2020-01-01,
6403,Footwear,10,50,pa,lower,12,,,,2020-01-01,
6204,Women's suits,10,,,ad_valorem,12,,,,2020-01-01,
240220,Cigarettes,30,350,1000 p/st,higher,12,,2500,1000 p/st,2020-01-01,
8703,Cars,15,80,kg,higher,12,,,,2020-01-01,
";

pub const RATES: &str = "\
date,currency,rate
2026-01-01,USD,87.4500
2026-01-01,EUR,102.6850
";

pub const PREFERENCES: &str = "\
group,country,duty_share
cu,KZ,0
cu,RU,0
developing,IN,0.75
ldc,BD,0
";

pub fn tariff() -> TariffSchedule {
    TariffSchedule::from_csv(TARIFF).unwrap()
}

pub fn rates() -> ExchangeRates {
    ExchangeRates::from_csv(RATES).unwrap()
}

pub fn preferences() -> PreferenceRules {
    PreferenceRules::from_csv(PREFERENCES).unwrap()
}

pub fn day() -> Date {
    jiff::civil::date(2026, 3, 2)
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A goods item: hs code, origin, quantity and unit, net mass, value, preference.
pub fn item(
    hs_code: &str,
    origin: &str,
    quantity: &str,
    unit: &str,
    net_mass_kg: &str,
    value: &str,
    preference: Option<&str>,
) -> Value {
    let mut item = json!({
        "hs_code": hs_code, "description": "goods", "origin": origin,
        "quantity": quantity, "unit": unit, "net_mass_kg": net_mass_kg,
        "gross_mass_kg": net_mass_kg, "value": value,
    });
    if let Some(p) = preference {
        item["preference"] = json!(p);
    }
    item
}

pub fn declaration(
    currency: &str,
    freight: &str,
    insurance: &str,
    items: Vec<Value>,
    documents: &[&str],
) -> Declaration {
    let documents: Vec<Value> = documents
        .iter()
        .map(|code| json!({"code": code, "ref": format!("{code}-1")}))
        .collect();
    serde_json::from_value(json!({
        "type": "IM", "procedure": "4000", "office": "41701",
        "declarant": "01234567890123", "importer": "01234567890123",
        "transport": {"mode": "3"},
        "invoice": {"currency": currency, "incoterm": "FOB", "freight": freight, "insurance": insurance},
        "items": items,
        "documents": documents,
    }))
    .unwrap()
}
