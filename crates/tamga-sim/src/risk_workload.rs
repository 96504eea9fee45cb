//! The workload of `tamga bench risk` and of the risk engine's tests: realistic generated
//! risk profiles and declarations.
//!
//! Invariant: generation is a pure function of `(n, seed)` (ChaCha8), so two runs bench the
//! same workload. The figures in BENCHMARKS.md and the engine's tests rest on this very
//! stream: changing what is generated makes new figures incomparable with the old ones.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tamga_types::Declaration;

/// 10-digit codes over real HS chapters often targeted by risk analysis, with a typical
/// unit, unit value (USD) and net mass per unit (kg).
const GOODS: &[(&str, &str, u32, &str)] = &[
    ("8517130000", "p/st", 180, "0.2"),
    ("8471300000", "p/st", 400, "1.8"),
    ("8528720000", "p/st", 250, "9"),
    ("8542310000", "p/st", 3, "0.01"),
    ("6403990000", "pa", 25, "0.9"),
    ("6204620000", "p/st", 12, "0.4"),
    ("6109100000", "p/st", 4, "0.2"),
    ("6110200000", "p/st", 9, "0.4"),
    ("4202210000", "p/st", 40, "0.8"),
    ("2208300000", "l", 12, "1.2"),
    ("2402200000", "kg", 30, "1"),
    ("8703230000", "p/st", 15000, "1300"),
    ("8708990000", "kg", 6, "1"),
    ("3004900000", "kg", 60, "1"),
    ("3304990000", "kg", 25, "1"),
    ("3926909700", "kg", 4, "1"),
    ("9403600000", "p/st", 80, "25"),
    ("0902300000", "kg", 5, "1"),
    ("1701990000", "kg", 1, "1"),
    ("0713310000", "kg", 1, "1"),
    ("0808100000", "kg", 1, "1"),
    ("7208510000", "kg", 1, "1"),
    ("8418102000", "p/st", 350, "60"),
    ("9503000000", "kg", 8, "1"),
    ("8443320000", "p/st", 120, "6"),
    ("6907210000", "m2", 7, "20"),
    ("8481800000", "kg", 15, "1"),
    ("2710124100", "kg", 1, "1"),
];
const ORIGINS: &[&str] = &[
    "CN", "TR", "KZ", "RU", "UZ", "AE", "IN", "DE", "US", "KR", "VN", "TH", "IR", "PK", "BY", "JP",
    "HK", "IT",
];
const OFFICES: &[&str] = &[
    "41701", "41702", "41703", "41704", "41705", "41706", "41707", "41708", "41709", "41710",
];
const MEASURES: &[&str] = &[
    "documentary_check",
    "documentary_check",
    "physical_inspection",
    "post_entry_audit",
    "none",
];

/// The HS 2022 chapters (77 is reserved).
fn chapters() -> impl Iterator<Item = u32> {
    (1..=97).filter(|c| *c != 77)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

/// A goods line to declare or target: one of the sensitive goods above (35 %), or a code
/// spread over every HS chapter with a plausible heading (65 %), so that profiles and
/// declarations meet as often as in a real tariff of ~5,000 subheadings.
fn goods(rng: &mut ChaCha8Rng) -> (String, &'static str, u32, &'static str) {
    if rng.random_bool(0.35) {
        let (code, unit, value, kg) = *pick(rng, GOODS);
        return (code.to_owned(), unit, value, kg);
    }
    let all: Vec<u32> = chapters().collect();
    let chapter = *pick(rng, &all);
    let heading = rng.random_range(1..=20u32);
    let sub = rng.random_range(0..100u32) / 10 * 10;
    let national = rng.random_range(0..20u32) * 5;
    let (_, unit, value, kg) = *pick(rng, GOODS);
    (
        format!("{chapter:02}{heading:02}{sub:02}{national:02}00"),
        unit,
        value,
        kg,
    )
}

/// `n` valid profile bodies, as an analyst would post them (CONTRACT.md): mostly HS
/// prefix + origin + unit value; some office-scoped, some on documents, ~5 % with a CEL
/// condition, a few without any indexable criterion. Body `i` is titled
/// `Generated profile {i}`; the benchmark stores it as `RP-{i:05}` version 1.
pub fn profile_bodies(n: usize, seed: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let (code, _, unit_value, _) = goods(&mut rng);
            let len = *pick(&mut rng, &[2usize, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6, 6, 6, 8, 8, 8, 8, 8, 8, 10]);
            let mut criteria = vec![json!({"field": "items.hs_code", "op": "prefix", "values": [&code[..len]]})];
            let mut scope = json!("national");
            let mut condition = Value::Null;
            let kind = rng.random_range(0..100u32);
            if kind < 70 {
                if rng.random_bool(0.9) {
                    let origins: Vec<&str> = (0..rng.random_range(1..=2)).map(|_| *pick(&mut rng, ORIGINS)).collect();
                    criteria.push(json!({"field": "items.origin", "op": "in", "values": origins}));
                }
                if rng.random_bool(0.7) {
                    let limit = (unit_value as f64 * rng.random_range(0.2..0.6)).max(0.1);
                    criteria.push(json!({"field": "items.unit_value", "op": "lt", "value": format!("{limit:.2}")}));
                }
            } else if kind < 82 {
                scope = json!({"offices": [pick(&mut rng, OFFICES)]});
                criteria.push(json!({"field": "transport.mode", "op": "in", "values": ["3", "2"]}));
                criteria.push(json!({"field": "items.origin", "op": "in", "values": [pick(&mut rng, ORIGINS)]}));
            } else if kind < 90 {
                criteria.push(json!({"field": "items.preference", "op": "eq", "value": "300"}));
                criteria.push(json!({"field": "documents.code", "op": "absent", "values": ["N954", "A001"]}));
            } else if kind < 95 {
                condition = json!("double(item.value) / double(item.net_mass_kg) < 2.0");
            } else if kind < 98 {
                criteria = vec![json!({"field": "dispatch_country", "op": "in", "values": [pick(&mut rng, ORIGINS)]}),
                    json!({"field": "invoice.total", "op": "gt", "value": "500000"})];
            } else {
                criteria = vec![
                    json!({"field": "trader.risk_category", "op": "eq", "value": "high"}),
                    json!({"field": "procedure", "op": "eq", "value": "5100"}),
                ];
            }
            json!({
                "title": format!("Generated profile {i}"),
                "rationale": "bench",
                "scope": scope,
                "valid_from": "2025-01-01",
                "valid_to": if rng.random_bool(0.1) { json!("2025-12-31") } else { Value::Null },
                "criteria": criteria,
                "condition": condition,
                "score": rng.random_range(5..=60u32),
                "measure": pick(&mut rng, MEASURES),
            })
        })
        .collect()
}

/// `n` declarations of 5 goods items each.
pub fn declarations(n: usize, seed: u64) -> Vec<Declaration> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let dispatch = *pick(&mut rng, ORIGINS);
            let items: Vec<Value> = (0..5)
                .map(|_| {
                    let (code, unit, unit_value, kg) = goods(&mut rng);
                    let origin = if rng.random_bool(0.7) { dispatch } else { *pick(&mut rng, ORIGINS) };
                    let qty = rng.random_range(1..=500u32);
                    // Mostly fair prices, one line in ten undervalued.
                    let factor = if rng.random_bool(0.1) { rng.random_range(0.1..0.7) } else { rng.random_range(0.7..1.5) };
                    let price = unit_value as f64 * factor;
                    let kg: f64 = kg.parse().unwrap_or(1.0);
                    json!({
                        "hs_code": code, "description": "goods", "origin": origin,
                        "quantity": qty.to_string(), "unit": unit,
                        "net_mass_kg": format!("{:.3}", kg * f64::from(qty)),
                        "gross_mass_kg": format!("{:.3}", kg * f64::from(qty) * 1.1),
                        "value": format!("{:.2}", price * f64::from(qty)),
                        "preference": *pick(&mut rng, &["100", "100", "200", "300"]),
                    })
                })
                .collect();
            let mut documents = vec![json!({"code": "N380", "ref": "INV-1"})];
            if rng.random_bool(0.5) {
                documents.push(json!({"code": "N954", "ref": "EUR1-1"}));
            }
            serde_json::from_value(json!({
                "type": "IM", "procedure": if rng.random_bool(0.1) { "5100" } else { "4000" }, "office": pick(&mut rng, OFFICES),
                "declarant": "01234567890123", "importer": "01234567890123",
                "exporter": {"name": "Exporter", "country": dispatch},
                "dispatch_country": dispatch,
                "transport": {"mode": pick(&mut rng, &["1", "2", "3", "4"]), "border_office": "41702"},
                "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
                "items": items,
                "documents": documents,
            }))
            .expect("generated declarations are well-formed")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_profiles_and_declarations_are_reproducible() {
        assert_eq!(profile_bodies(50, 3), profile_bodies(50, 3));
        assert_ne!(profile_bodies(50, 3), profile_bodies(50, 4));
        assert_eq!(declarations(20, 3), declarations(20, 3));
        assert!(declarations(3, 1).iter().all(|d| d.items.len() == 5));
    }
}
