//! TEMPORARY (h7): dumps assessments to compare engine versions. Delete before hand-off.
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::json;
use tamga_risk::bench::{realistic_profiles, sample_declarations};
use tamga_risk::*;

fn extra() -> Vec<RiskProfile> {
    let bodies = vec![
        json!({"criteria": [{"field": "office", "op": "in", "values": ["41703", "41705"]}]}),
        json!({"criteria": [{"field": "items.origin", "op": "eq", "value": "TR"}, {"field": "items.value", "op": "gt", "value": "1000"}]}),
        json!({"criteria": [{"field": "items.count", "op": "ge", "value": "5"}], "score": 1}),
        json!({"criteria": [{"field": "items.origin", "op": "prefix", "values": ["T"]}, {"field": "trader.risk_category", "op": "in", "values": ["high"]}]}),
        json!({"criteria": [{"field": "items.hs_code", "op": "eq", "value": "8517130000"}]}),
        json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["85", "6403"]}, {"field": "items.reference_price_ratio", "op": "lt", "value": "0.9"}]}),
        json!({"criteria": [{"field": "items.value_per_kg", "op": "lt", "value": "3"}, {"field": "items.unit", "op": "eq", "value": "kg"}]}),
        json!({"criteria": [{"field": "items.preference", "op": "not_in", "values": ["100"]}, {"field": "items.origin", "op": "in", "values": ["CN", "KR"]}, {"field": "importer", "op": "present"}]}),
        json!({"criteria": [{"field": "documents.code", "op": "present", "values": ["N954", "N380"]}, {"field": "dispatch_country", "op": "eq", "value": "DE"}]}),
        json!({"criteria": [{"field": "destination_country", "op": "absent"}, {"field": "exporter.country", "op": "in", "values": ["CN"]}, {"field": "transport.border_office", "op": "eq", "value": "41702"}]}),
        json!({"criteria": [{"field": "invoice.currency", "op": "prefix", "values": ["US"]}, {"field": "invoice.incoterm", "op": "eq", "value": "FOB"}, {"field": "items.gross_mass_kg", "op": "gt", "value": "100"}, {"field": "items.net_mass_kg", "op": "le", "value": "500"}, {"field": "items.quantity", "op": "ge", "value": "100"}], "measure": "physical_inspection", "inspection": "scan"}),
        json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["61", "62"]}], "condition": "double(item.value) > 500.0 && trader.risk_category != 'low'"}),
        json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["84"]}], "condition": "declaration.items.exists(i, i.origin == 'CN') && declaration.office == '41701'"}),
        json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["22"]}], "condition": "int(item.description) > 3", "measure": "none"}),
        json!({"criteria": [{"field": "items.origin", "op": "eq", "value": "CN"}], "condition": "item.preference == '300' || int(item.quantity) > 400"}),
        json!({"criteria": [], "condition": "trader.risk_category == 'high' && size(declaration.documents) > 1", "scope": {"offices": ["41701", "41702"]}}),
        json!({"criteria": [{"field": "type", "op": "eq", "value": "IM"}, {"field": "procedure", "op": "in", "values": ["5100"]}, {"field": "declarant", "op": "prefix", "values": ["0123"]}, {"field": "transport.mode", "op": "not_in", "values": ["1"]}], "valid_from": "2025-07-01", "valid_to": "2026-06-01"}),
        json!({"criteria": [{"field": "invoice.total", "op": "gt", "value": "20000"}, {"field": "items.unit_value", "op": "gt", "value": "100"}]}),
        json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["0"]}], "condition": "double(item.value) / double(item.net_mass_kg) < 2.0"}),
    ];
    bodies
        .into_iter()
        .enumerate()
        .map(|(k, extra)| {
            let mut body = json!({
                "title": format!("extra {k}"), "scope": "national", "valid_from": "2025-01-01",
                "criteria": [], "score": 10 + k, "measure": "documentary_check"
            });
            for (key, v) in extra.as_object().unwrap() {
                body[key] = v.clone();
            }
            RiskProfile::new(format!("X-{k:02}"), 1, parse_profile(&body).unwrap())
        })
        .collect()
}

fn main() {
    let refs = ReferencePrices {
        prices: [
            ("8517".to_owned(), ReferencePrice { currency: "USD".into(), unit_price: Decimal::from(150) }),
            ("851713".to_owned(), ReferencePrice { currency: "USD".into(), unit_price: Decimal::from(200) }),
            ("6403".to_owned(), ReferencePrice { currency: "USD".into(), unit_price: Decimal::from(30) }),
            ("85".to_owned(), ReferencePrice { currency: "EUR".into(), unit_price: Decimal::from(30) }),
        ]
        .into(),
    };
    let decls = sample_declarations(600, 77);
    let mut all = String::new();
    for (n, seed) in [(0usize, 1u64), (10, 2), (100, 3), (1000, 42), (3000, 5)] {
        let mut ps = realistic_profiles(n, seed);
        if n != 0 {
            ps.extend(extra());
        }
        let settings = SelectionSettings {
            office_random: [("41709".to_owned(), RandomRates::NONE)].into(),
            ..SelectionSettings::default()
        };
        let e = RiskEngine::compile(&ps, settings);
        let mut h = blake3::Hasher::new();
        for (i, d) in decls.iter().enumerate() {
            let cats = [RiskCategory::Low, RiskCategory::Medium, RiskCategory::High];
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64 * 2654435761).to_le_bytes());
            let input = AssessmentInput {
                declaration: d,
                date: [Date::constant(2026, 3, 1), Date::constant(2025, 6, 1), Date::constant(2026, 7, 1)][i % 3],
                trader: TraderContext { risk_category: cats[(i / 3) % 3] },
                random_seed: seed,
                reference_prices: if i % 2 == 0 { Some(&refs) } else { None },
            };
            let s = serde_json::to_string(&e.assess(&input)).unwrap();
            h.update(s.as_bytes());
            all.push_str(&s);
            all.push('\n');
        }
        println!("n={n} digest={}", h.finalize().to_hex());
    }
    std::fs::write(std::env::args().nth(1).unwrap_or("/tmp/h7_dump.txt".into()), all).unwrap();
}
