//! Realism, determinism and contract-shape tests of the generator.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::geo::{self, IMPORT_PARTNERS, OFFICES};
use crate::goods::{EXPORTS, IMPORTS, MISCLASSIFICATIONS};
use crate::nomenclature::nomenclature;
use crate::{FraudKind, PartyRole, SimConfig, SimulatedDeclaration, TradeSimulator, inspect};

const DRAWS: usize = 10_000;

/// 10,000 declarations of the default economy, generated once for all tests.
fn stream() -> &'static (TradeSimulator, Vec<SimulatedDeclaration>) {
    static CELL: OnceLock<(TradeSimulator, Vec<SimulatedDeclaration>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut sim = TradeSimulator::new(42, SimConfig::default());
        let out = (0..DRAWS).map(|_| sim.next()).collect();
        (sim, out)
    })
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn dec(v: &Value, key: &str) -> Decimal {
    s(v, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key} not a decimal in {v}"))
}

fn kind(d: &SimulatedDeclaration) -> &str {
    s(&d.declaration, "type")
}

fn share(count: usize, total: usize) -> f64 {
    count as f64 / total as f64
}

#[test]
fn the_same_seed_gives_the_same_population_and_stream() {
    let mut a = TradeSimulator::new(9, SimConfig::default());
    let mut b = TradeSimulator::new(9, SimConfig::default());
    assert_eq!(a.parties(), b.parties());
    for _ in 0..500 {
        assert_eq!(a.next(), b.next());
    }
}

#[test]
fn another_seed_gives_another_stream() {
    let mut a = TradeSimulator::new(1, SimConfig::default());
    let mut b = TradeSimulator::new(2, SimConfig::default());
    assert_ne!(a.parties(), b.parties());
    let da: Vec<_> = (0..20).map(|_| a.next()).collect();
    let db: Vec<_> = (0..20).map(|_| b.next()).collect();
    assert_ne!(da, db);
}

#[test]
fn parties_have_unique_fourteen_digit_inns_and_the_configured_counts() {
    let sim = TradeSimulator::new(
        3,
        SimConfig {
            traders: 100,
            brokers: 12,
            ..SimConfig::default()
        },
    );
    let parties = sim.parties();
    assert_eq!(
        parties
            .iter()
            .filter(|p| p.role == PartyRole::Trader)
            .count(),
        100
    );
    assert_eq!(
        parties
            .iter()
            .filter(|p| p.role == PartyRole::Broker)
            .count(),
        12
    );
    let ids: BTreeSet<_> = parties.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), parties.len(), "tax ids are unique");
    let names: BTreeSet<_> = parties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), parties.len(), "names are unique");
    for p in parties {
        assert_eq!(p.id.len(), 14, "{}", p.id);
        assert!(p.id.bytes().all(|b| b.is_ascii_digit()), "{}", p.id);
        assert!(matches!(&p.id[..1], "0" | "1" | "2"), "{}", p.id);
        assert!(
            geo::office_kind(&p.home_office).is_some(),
            "{}",
            p.home_office
        );
        assert!(!p.name.is_empty());
    }
}

#[test]
fn every_profile_and_curated_misclassification_names_real_subheadings() {
    let hs = nomenclature();
    assert!(hs.subheadings.len() > 5000);
    for p in IMPORTS.iter().chain(EXPORTS) {
        assert!(
            !hs.with_prefix(p.prefix).is_empty(),
            "no subheading under {}",
            p.prefix
        );
        assert!(p.price.0 > 0.0 && p.price.0 <= p.price.1, "{}", p.prefix);
        assert!(p.qty.0 >= 1.0 && p.qty.0 <= p.qty.1, "{}", p.prefix);
    }
    for (from, to) in MISCLASSIFICATIONS {
        assert!(hs.is_subheading(to), "{to}");
        assert_eq!(&from[..2], &to[..2], "same chapter");
    }
}

#[test]
fn declaration_types_are_mostly_imports() {
    let (_, ds) = stream();
    let count = |t: &str| ds.iter().filter(|d| kind(d) == t).count();
    let (im, ex, tr) = (count("IM"), count("EX"), count("TR"));
    assert_eq!(im + ex + tr, DRAWS);
    assert!((share(im, DRAWS) - 0.80).abs() < 0.02, "IM {im}");
    assert!((share(ex, DRAWS) - 0.15).abs() < 0.02, "EX {ex}");
    assert!((share(tr, DRAWS) - 0.05).abs() < 0.015, "TR {tr}");
}

#[test]
fn import_origins_follow_the_partner_weights() {
    let (_, ds) = stream();
    let imports: Vec<_> = ds.iter().filter(|d| kind(d) == "IM").collect();
    let total_weight: f64 = IMPORT_PARTNERS.iter().map(|(_, w)| w).sum();
    let mut true_counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut declared_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &imports {
        *true_counts
            .entry(d.truth.items[0].origin.as_str())
            .or_default() += 1;
        *declared_counts
            .entry(s(&d.declaration["items"][0], "origin"))
            .or_default() += 1;
    }
    for (country, w) in IMPORT_PARTNERS {
        let expected = w / total_weight;
        let got = share(
            true_counts.get(country).copied().unwrap_or(0),
            imports.len(),
        );
        assert!(
            (got - expected).abs() < 0.015,
            "{country}: {got:.3} vs {expected:.3}"
        );
        let declared = share(
            declared_counts.get(country).copied().unwrap_or(0),
            imports.len(),
        );
        assert!(
            (declared - expected).abs() < 0.025,
            "{country} declared: {declared:.3} vs {expected:.3}"
        );
    }
}

#[test]
fn the_fraud_share_is_the_configured_rate() {
    for (seed, rate) in [(42, 0.04), (5, 0.01), (6, 0.08)] {
        let n = if rate == 0.04 { DRAWS } else { 5_000 };
        let frauds = if seed == 42 {
            stream()
                .1
                .iter()
                .filter(|d| d.truth.fraud.is_some())
                .count()
        } else {
            let mut sim = TradeSimulator::new(
                seed,
                SimConfig {
                    fraud_rate: rate,
                    ..SimConfig::default()
                },
            );
            (0..n).filter(|_| sim.next().truth.fraud.is_some()).count()
        };
        let got = share(frauds, n);
        assert!((got - rate).abs() <= 0.015, "rate {rate}: {got}");
    }
}

#[test]
fn the_fraud_rate_is_clamped() {
    let sim = TradeSimulator::new(
        1,
        SimConfig {
            fraud_rate: 0.5,
            ..SimConfig::default()
        },
    );
    assert_eq!(sim.config().fraud_rate, 0.08);
}

#[test]
fn every_hs_code_is_a_real_subheading_and_the_description_is_the_nomenclatures() {
    let hs = nomenclature();
    for d in &stream().1 {
        for (item, truth) in d.declaration["items"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&d.truth.items)
        {
            for code in [s(item, "hs_code"), truth.hs_code.as_str()] {
                assert!(code.len() == 6 || code.len() == 10, "{code}");
                assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
                assert!(hs.is_subheading(&code[..6]), "{code}");
            }
            let sub = hs.index_of(&s(item, "hs_code")[..6]).unwrap();
            assert_eq!(s(item, "description"), hs.subheadings[sub].description);
            assert!(s(item, "description").chars().count() <= 200);
        }
    }
}

#[test]
fn amounts_are_decimal_strings_and_masses_are_consistent() {
    let max_scale = |v: &Value, key: &str| dec(v, key).scale();
    for d in &stream().1 {
        let decl = &d.declaration;
        for key in ["freight", "insurance"] {
            assert!(max_scale(&decl["invoice"], key) <= 2, "{decl}");
            assert!(dec(&decl["invoice"], key) >= Decimal::ZERO);
        }
        for item in decl["items"].as_array().unwrap() {
            assert!(max_scale(item, "value") <= 2, "{item}");
            assert!(max_scale(item, "net_mass_kg") <= 2, "{item}");
            assert!(max_scale(item, "gross_mass_kg") <= 2, "{item}");
            assert!(max_scale(item, "quantity") <= 2, "{item}");
            assert!(dec(item, "value") > Decimal::ZERO, "{item}");
            assert!(dec(item, "quantity") > Decimal::ZERO, "{item}");
            let (net, gross) = (dec(item, "net_mass_kg"), dec(item, "gross_mass_kg"));
            assert!(net > Decimal::ZERO && net < gross, "{item}");
            if s(item, "unit") == "kg" {
                assert_eq!(dec(item, "quantity"), net, "{item}");
            }
        }
        for t in &d.truth.items {
            assert!(t.net_mass_kg < t.gross_mass_kg);
            assert!(t.value.scale() <= 2);
        }
    }
}

#[test]
fn the_top_tenth_of_importers_make_most_imports() {
    let mut per_importer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut imports = 0;
    for d in stream().1.iter().filter(|d| kind(d) == "IM") {
        *per_importer
            .entry(s(&d.declaration, "importer"))
            .or_default() += 1;
        imports += 1;
    }
    let mut counts: Vec<usize> = per_importer.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top = counts.len().div_ceil(10);
    let top_share = share(counts[..top].iter().sum(), imports);
    assert!(
        top_share > 0.40,
        "top {top} of {} importers: {top_share:.3}",
        counts.len()
    );
}

#[test]
fn brokers_lodge_about_sixty_percent() {
    let (sim, ds) = stream();
    let brokers: BTreeSet<&str> = sim
        .parties()
        .iter()
        .filter(|p| p.role == PartyRole::Broker)
        .map(|p| p.id.as_str())
        .collect();
    let by_broker = ds
        .iter()
        .filter(|d| brokers.contains(s(&d.declaration, "declarant")))
        .count();
    let got = share(by_broker, ds.len());
    assert!((got - 0.6).abs() < 0.04, "{got}");
    for d in ds.iter().filter(|d| kind(d) == "IM") {
        let declarant = s(&d.declaration, "declarant");
        assert!(
            brokers.contains(declarant) || declarant == s(&d.declaration, "importer"),
            "self-declared imports are declared by the importer"
        );
    }
}

#[test]
fn every_declaration_has_the_fields_the_contract_requires() {
    let office_codes: BTreeSet<&str> = OFFICES.iter().map(|(c, _, _)| *c).collect();
    let (sim, ds) = stream();
    let party_ids: BTreeSet<&str> = sim.parties().iter().map(|p| p.id.as_str()).collect();
    let is_country = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
    for d in ds {
        let v = &d.declaration;
        let t = kind(d);
        let procedure = s(v, "procedure");
        match t {
            "IM" => {
                assert!(matches!(procedure, "4000" | "4071" | "5100"), "{v}");
                assert!(party_ids.contains(s(v, "importer")), "{v}");
                assert!(is_country(s(v, "dispatch_country")), "{v}");
            }
            "EX" => {
                assert!(matches!(procedure, "1000" | "3151"), "{v}");
                assert!(is_country(s(v, "destination_country")), "{v}");
                assert!(v.get("importer").is_none());
            }
            "TR" => {
                assert_eq!(procedure, "8000");
                assert!(is_country(s(v, "dispatch_country")), "{v}");
                assert!(is_country(s(v, "destination_country")), "{v}");
                assert!(office_codes.contains(s(&v["transport"], "border_office")));
                assert_ne!(s(v, "dispatch_country"), s(v, "destination_country"));
            }
            other => panic!("type {other}"),
        }
        assert!(party_ids.contains(s(v, "declarant")), "{v}");
        assert!(office_codes.contains(s(v, "office")), "{v}");
        assert!(
            matches!(s(&v["transport"], "mode"), "2" | "3" | "4" | "5"),
            "{v}"
        );
        assert!(
            office_codes.contains(s(&v["transport"], "border_office")),
            "{v}"
        );
        assert!(!s(&v["transport"], "id").is_empty());
        assert!(!s(&v["exporter"], "name").is_empty());
        assert!(is_country(s(&v["exporter"], "country")));
        assert!(matches!(
            s(&v["invoice"], "currency"),
            "USD" | "CNY" | "RUB" | "EUR" | "KZT"
        ));
        assert!(matches!(
            s(&v["invoice"], "incoterm"),
            "FOB" | "EXW" | "FCA" | "CPT" | "DAP"
        ));
        let items = v["items"].as_array().unwrap();
        assert!((1..=5).contains(&items.len()));
        assert_eq!(items.len(), d.truth.items.len());
        for item in items {
            assert!(is_country(s(item, "origin")));
            assert!(matches!(
                s(item, "unit"),
                "kg" | "p/st" | "pa" | "l" | "1000 p/st" | "m2" | "m3"
            ));
        }
        let docs: Vec<&str> = v["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|doc| {
                assert!(!s(doc, "ref").is_empty());
                s(doc, "code")
            })
            .collect();
        assert!(docs.contains(&"N380"), "{v}");
        let transport_doc = match s(&v["transport"], "mode") {
            "3" => "N730",
            "4" => "N740",
            "2" => "N720",
            _ => "N750",
        };
        assert!(docs.contains(&transport_doc), "{v}");
        for item in items {
            match item.get("preference").and_then(Value::as_str) {
                Some("300") => assert!(docs.contains(&"N954"), "{v}"),
                Some("200") => assert!(docs.contains(&"N865"), "{v}"),
                Some("100") | None => {}
                Some(other) => panic!("preference {other}"),
            }
        }
        // The request body is what tamga-types deserialises.
        let typed: tamga_types::Declaration =
            serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"));
        assert_eq!(typed.items.len(), items.len());
    }
}

#[test]
fn routes_are_consistent_with_geography() {
    for d in &stream().1 {
        let v = &d.declaration;
        let mode = s(&v["transport"], "mode");
        let border = s(&v["transport"], "border_office");
        match mode {
            "4" | "5" => assert!(matches!(border, "41707" | "41709"), "{v}"),
            "2" => assert_eq!(border, "41712", "{v}"),
            _ => {}
        }
        if kind(d) == "IM" && mode == "3" {
            match s(v, "dispatch_country") {
                "CN" => assert!(matches!(border, "41702" | "41703"), "{v}"),
                "KZ" | "RU" => assert!(
                    matches!(border, "41704" | "41705" | "41706" | "41711"),
                    "{v}"
                ),
                "UZ" => assert!(matches!(border, "41706" | "41711"), "{v}"),
                _ => {}
            }
        }
        let office = s(v, "office");
        let office_kind = geo::office_kind(office).unwrap();
        if kind(d) == "TR" {
            // Transit: office of departure at the entry post, exit post as border office.
            assert_eq!(office_kind, geo::OfficeKind::Border, "{v}");
            assert_ne!(office, border, "{v}");
            continue;
        }
        assert!(
            office == border || office_kind == geo::OfficeKind::Inland,
            "clearance at the border post or inland: {v}"
        );
    }
}

#[test]
fn imports_from_china_mostly_cross_at_torugart_or_irkeshtam_by_road() {
    let from_cn: Vec<_> = stream()
        .1
        .iter()
        .filter(|d| kind(d) == "IM" && s(&d.declaration, "dispatch_country") == "CN")
        .collect();
    let road = from_cn
        .iter()
        .filter(|d| s(&d.declaration["transport"], "mode") == "3")
        .count();
    assert!(share(road, from_cn.len()) > 0.7);
}

#[test]
fn currencies_are_mostly_dollars() {
    let ds = &stream().1;
    let usd = ds
        .iter()
        .filter(|d| s(&d.declaration["invoice"], "currency") == "USD")
        .count();
    let got = share(usd, ds.len());
    assert!(got > 0.45 && got < 0.75, "{got}");
}

#[test]
fn item_counts_average_about_three_and_can_be_fixed() {
    let ds = &stream().1;
    let items: usize = ds.iter().map(|d| d.truth.items.len()).sum();
    let mean = items as f64 / ds.len() as f64;
    assert!((2.7..=3.2).contains(&mean), "{mean}");

    let mut sim = TradeSimulator::new(
        11,
        SimConfig {
            items: Some(5),
            ..SimConfig::default()
        },
    );
    for _ in 0..500 {
        let d = sim.next();
        assert_eq!(d.declaration["items"].as_array().unwrap().len(), 5);
        assert_eq!(d.truth.items.len(), 5);
    }
}

#[test]
fn fraud_departs_from_the_truth_as_its_kind_says() {
    let hs = nomenclature();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for d in stream().1.iter().filter(|d| d.truth.fraud.is_some()) {
        let kind = d.truth.fraud.unwrap();
        seen.insert(format!("{kind:?}"));
        let items = d.declaration["items"].as_array().unwrap();
        assert!(
            d.truth.items.iter().any(|t| t.tampered),
            "{kind:?} touches an item"
        );
        for (item, t) in items.iter().zip(&d.truth.items) {
            if !t.tampered {
                assert_eq!(dec(item, "value"), t.value);
                assert_eq!(s(item, "hs_code"), t.hs_code);
                assert_eq!(s(item, "origin"), t.origin);
                assert_eq!(dec(item, "quantity"), t.quantity);
                continue;
            }
            match kind {
                FraudKind::Undervaluation => {
                    let ratio = dec(item, "value") / t.value;
                    assert!(
                        ratio >= Decimal::new(29, 2) && ratio <= Decimal::new(71, 2),
                        "{ratio}"
                    );
                }
                FraudKind::Misclassification => {
                    let declared = s(item, "hs_code");
                    assert_ne!(declared, t.hs_code);
                    assert_eq!(&declared[..2], &t.hs_code[..2]);
                    assert!(hs.is_subheading(&declared[..6]));
                }
                FraudKind::FalseOrigin => {
                    assert!(matches!(s(item, "origin"), "KZ" | "RU"));
                    assert!(!geo::is_eaeu(&t.origin));
                    assert_eq!(item["preference"], "300");
                }
                FraudKind::QuantityUnderstated => {
                    let q = dec(item, "quantity");
                    assert!(q < t.quantity);
                    assert!(
                        q >= t.quantity * Decimal::new(45, 2),
                        "{q} of {}",
                        t.quantity
                    );
                    assert!(dec(item, "net_mass_kg") < t.net_mass_kg);
                    // The value stays consistent with the declared quantity.
                    let declared_unit = dec(item, "value") / q;
                    let true_unit = t.value / t.quantity;
                    let drift = (declared_unit - true_unit).abs() / true_unit;
                    assert!(drift < Decimal::new(2, 2), "{declared_unit} vs {true_unit}");
                }
            }
        }
    }
    assert_eq!(seen.len(), 4, "every fraud kind occurs: {seen:?}");
}

#[test]
fn inspection_finds_exactly_the_tampered_items() {
    for d in stream().1.iter().take(3000) {
        let result = inspect(&d.truth);
        match d.truth.fraud {
            None => {
                assert_eq!(result["outcome"], "no_discrepancy");
                assert_eq!(result["findings"].as_array().unwrap().len(), 0);
            }
            Some(kind) => {
                assert_eq!(result["outcome"], "discrepancy");
                let findings = result["findings"].as_array().unwrap();
                let tampered = d.truth.items.iter().filter(|t| t.tampered).count();
                assert_eq!(findings.len(), tampered);
                let (name, field) = match kind {
                    FraudKind::Undervaluation => ("undervaluation", "value"),
                    FraudKind::Misclassification => ("misclassification", "hs_code"),
                    FraudKind::FalseOrigin => ("origin", "origin"),
                    FraudKind::QuantityUnderstated => ("quantity", "quantity"),
                };
                for f in findings {
                    assert_eq!(f["kind"], name);
                    let i = f["item"].as_u64().unwrap() as usize;
                    assert!(d.truth.items[i].tampered);
                    let corrected = f["corrected"].as_object().unwrap();
                    assert_eq!(corrected.len(), 1);
                    assert!(corrected[field].as_str().is_some_and(|v| !v.is_empty()));
                }
            }
        }
    }
}

#[test]
fn traders_repeat_the_same_goods_from_the_same_partner() {
    // For the busiest importer, most (partner, subheading) pairs come back again.
    let mut per_importer: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for d in stream().1.iter().filter(|d| kind(d) == "IM") {
        let v = &d.declaration;
        let e = per_importer.entry(s(v, "importer")).or_default();
        for t in &d.truth.items {
            e.push((t.origin.as_str(), &t.hs_code[..6]));
        }
    }
    let (_, lines) = per_importer
        .iter()
        .max_by_key(|(_, l)| l.len())
        .expect("importers");
    let distinct: BTreeSet<_> = lines.iter().collect();
    assert!(lines.len() > 500);
    assert!(
        distinct.len() * 10 < lines.len(),
        "{} distinct of {} lines",
        distinct.len(),
        lines.len()
    );
}

#[test]
#[ignore = "prints a sample and the stream's statistics"]
fn print_sample() {
    let (sim, ds) = stream();
    let fraud = ds.iter().find(|d| d.truth.fraud.is_some());
    for d in ds.iter().take(3).chain(fraud) {
        println!("{}", serde_json::to_string_pretty(&d.declaration).unwrap());
        println!("{}", serde_json::to_string(&d.truth).unwrap());
        println!("{}", inspect(&d.truth));
    }
    let mut per_importer: BTreeMap<&str, usize> = BTreeMap::new();
    for d in ds.iter().filter(|d| kind(d) == "IM") {
        *per_importer
            .entry(s(&d.declaration, "importer"))
            .or_default() += 1;
    }
    let mut counts: Vec<usize> = per_importer.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    println!("importer counts {counts:?}");
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for d in ds {
        let v = &d.declaration;
        for key in [
            format!("mode {} {}", kind(d), s(&v["transport"], "mode")),
            format!("office {}", s(v, "office")),
            format!("currency {}", s(&v["invoice"], "currency")),
            format!("procedure {}", s(v, "procedure")),
            format!("fraud {:?}", d.truth.fraud),
        ] {
            *by.entry(key).or_default() += 1;
        }
        for item in v["items"].as_array().unwrap() {
            *by.entry(format!("ch {}", &s(item, "hs_code")[..2]))
                .or_default() += 1;
        }
    }
    println!("{by:#?}");
    println!("{:#?}", &sim.parties()[..10]);
}

#[test]
fn reference_prices_are_one_positive_price_per_valid_hs_prefix() {
    let prices = crate::reference_prices_usd();
    assert!(prices.len() > 50, "{} prefixes", prices.len());
    let mut seen = std::collections::BTreeSet::new();
    for (prefix, usd) in &prices {
        assert!((2..=10).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            *usd > 0.0 && format!("{usd:.4}") != "0.0000",
            "{prefix}: {usd}"
        );
        assert!(seen.insert(*prefix), "{prefix} twice");
    }
}
