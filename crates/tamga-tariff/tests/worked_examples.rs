//! Worked examples, each computed by hand in its comment, as an auditor would check them.
//! Test tariff: see `common::TARIFF`; USD = 87.4500 KGS, EUR = 102.6850 KGS; VAT 12 %.

mod common;

use common::*;
use tamga_tariff::{
    TaxKind, Taxes, assess_taxes, default_preferences, default_rates, default_tariff, difference,
};
use tamga_types::Declaration;

fn assess(decl: &Declaration) -> Taxes {
    match assess_taxes(decl, day(), &tariff(), &rates(), &preferences(), "KGS") {
        Ok(taxes) => taxes,
        Err(errors) => panic!("{errors:#?}"),
    }
}

fn refusal(decl: &Declaration) -> Vec<(String, String)> {
    assess_taxes(decl, day(), &tariff(), &rates(), &preferences(), "KGS")
        .err()
        .unwrap()
        .into_iter()
        .map(|e| (e.path, e.code))
        .collect()
}

/// (tax, base, rate, amount) of each line of item `i`.
fn lines(taxes: &Taxes, i: usize) -> Vec<(TaxKind, String, String, String)> {
    taxes.items[i]
        .lines
        .iter()
        .map(|l| {
            (
                l.tax,
                l.base.to_string(),
                l.rate.clone(),
                l.amount.to_string(),
            )
        })
        .collect()
}

fn line(tax: TaxKind, base: &str, rate: &str, amount: &str) -> (TaxKind, String, String, String) {
    (tax, base.to_owned(), rate.to_owned(), amount.to_owned())
}

use TaxKind::{Duty, Excise, Vat};

#[test]
fn ad_valorem_duty_is_customs_value_times_rate() {
    // customs value = (15000.00 + 500.00 + 20.00) × 87.45 = 15520 × 87.45 = 1357224.00
    // duty  = 1357224.00 × 5 %                 =   67861.20
    // VAT   = (1357224.00 + 67861.20) × 12 %   = 1425085.20 × 0.12 = 171010.224 → 171010.22
    // total = 67861.20 + 171010.22             =  238871.42
    let decl = declaration(
        "USD",
        "500.00",
        "20.00",
        vec![item(
            "8517130000",
            "CN",
            "100",
            "p/st",
            "20.5",
            "15000.00",
            Some("100"),
        )],
        &["N380"],
    );
    let taxes = assess(&decl);
    assert_eq!(taxes.items[0].customs_value.to_string(), "1357224.00");
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "1357224.00", "5%", "67861.20"),
            line(Vat, "1425085.20", "12%", "171010.22"),
        ]
    );
    assert_eq!(taxes.total.to_string(), "238871.42");
    assert_eq!(taxes.currency, "KGS");
}

#[test]
fn specific_duty_and_excise_are_rate_times_quantity_in_the_lines_unit() {
    // KGS invoice, rate 1: customs value = 60000.00
    // duty   = 15 KGS/l × 500 l = 7500.00
    // excise = 25 KGS/l × 500 l = 12500.00
    // VAT    = (60000.00 + 7500.00 + 12500.00) × 12 % = 9600.00
    // total  = 29600.00
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "2203000000",
            "DE",
            "500",
            "l",
            "520",
            "60000.00",
            None,
        )],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "500", "15 KGS/l", "7500.00"),
            line(Excise, "500", "25 KGS/l", "12500.00"),
            line(Vat, "80000.00", "12%", "9600.00"),
        ]
    );
    assert_eq!(taxes.total.to_string(), "29600.00");
}

#[test]
fn higher_mode_takes_the_specific_amount_when_it_is_higher() {
    // customs value = 900.00 × 87.45 = 78705.00
    // duty: 20 % × 78705.00 = 15741.00 vs 200 KGS/l × 120 l = 24000.00 → 24000.00
    // excise = 300 × 120 = 36000.00
    // VAT = (78705.00 + 24000.00 + 36000.00) × 12 % = 138705.00 × 0.12 = 16644.60
    // total = 24000.00 + 36000.00 + 16644.60 = 76644.60
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![item("2208300000", "GB", "120", "l", "150", "900.00", None)],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "120", "200 KGS/l", "24000.00"),
            line(Excise, "120", "300 KGS/l", "36000.00"),
            line(Vat, "138705.00", "12%", "16644.60"),
        ]
    );
    let detail = taxes.items[0].lines[0].detail.as_deref().unwrap();
    assert_eq!(
        detail,
        "higher of 20% × 78705.00 KGS = 15741.00 and 200 KGS/l × 120 l = 24000.00"
    );
    assert_eq!(taxes.total.to_string(), "76644.60");
}

#[test]
fn higher_mode_takes_the_ad_valorem_amount_when_it_is_higher() {
    // customs value = 20000.00 × 87.45 = 1749000.00
    // duty: 20 % = 349800.00 vs 200 × 120 = 24000.00 → 349800.00
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![item(
            "2208300000",
            "GB",
            "120",
            "l",
            "150",
            "20000.00",
            None,
        )],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0)[0],
        line(Duty, "1749000.00", "20%", "349800.00")
    );
}

#[test]
fn lower_mode_takes_the_lower_of_the_two_amounts() {
    // KGS: customs value = 80000.00
    // duty: 10 % = 8000.00 vs 50 KGS/pa × 200 pa = 10000.00 → 8000.00
    // VAT = (80000.00 + 8000.00) × 12 % = 10560.00; total = 18560.00
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "6403990000",
            "VN",
            "200",
            "pa",
            "180",
            "80000.00",
            None,
        )],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "80000.00", "10%", "8000.00"),
            line(Vat, "88000.00", "12%", "10560.00"),
        ]
    );
    assert_eq!(taxes.total.to_string(), "18560.00");
}

#[test]
fn cigarette_excise_is_specific_per_thousand_pieces() {
    // 50 × 1000 p/st; customs value = 10000.00 × 87.45 = 874500.00
    // duty: 30 % = 262350.00 vs 350 × 50 = 17500.00 → 262350.00
    // excise = 2500 KGS per 1000 p/st × 50 = 125000.00
    // VAT = (874500.00 + 262350.00 + 125000.00) × 12 % = 1261850.00 × 0.12 = 151422.00
    // total = 262350.00 + 125000.00 + 151422.00 = 538772.00
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![item(
            "2402209000",
            "TR",
            "50",
            "1000 p/st",
            "40",
            "10000.00",
            None,
        )],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "874500.00", "30%", "262350.00"),
            line(Excise, "50", "2500 KGS/1000 p/st", "125000.00"),
            line(Vat, "1261850.00", "12%", "151422.00"),
        ]
    );
    assert_eq!(taxes.total.to_string(), "538772.00");
}

#[test]
fn a_kg_rate_takes_the_net_mass_whatever_the_declared_unit() {
    // Shipped tariff, 8703: higher of 15 % and 80 KGS/kg. A used car: 3000.00 USD, 1300 kg.
    // customs value = 3000.00 × 87.45 = 262350.00
    // duty: 15 % = 39352.50 vs 80 × 1300 = 104000.00 → 104000.00
    // VAT = (262350.00 + 104000.00) × 12 % = 43962.00; total = 147962.00
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![item(
            "8703231990",
            "DE",
            "1",
            "p/st",
            "1300",
            "3000.00",
            None,
        )],
        &[],
    );
    let taxes = assess_taxes(
        &decl,
        jiff::civil::date(2026, 1, 15),
        &default_tariff(),
        &default_rates(),
        &default_preferences(),
        "KGS",
    )
    .unwrap();
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "1300", "80 KGS/kg", "104000.00"),
            line(Vat, "366350.00", "12%", "43962.00"),
        ]
    );
    assert_eq!(taxes.total.to_string(), "147962.00");
}

#[test]
fn freight_and_insurance_are_shared_by_value_and_the_share_is_not_rounded_alone() {
    // EUR 102.685; values 1000.00 and 2000.00; freight 100.00.
    // item 0: (1000 + 100 × 1000/3000) × 102.685 = 1033.333… × 102.685 = 106107.8333… → 106107.83
    // item 1: (2000 + 100 × 2000/3000) × 102.685 = 2066.666… × 102.685 = 212215.6666… → 212215.67
    // (together 318323.50 = 3100 × 102.685: nothing lost)
    let decl = declaration(
        "EUR",
        "100.00",
        "0",
        vec![
            item("6204110000", "TR", "10", "p/st", "5", "1000.00", None),
            item("6204110000", "TR", "20", "p/st", "10", "2000.00", None),
        ],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(taxes.items[0].customs_value.to_string(), "106107.83");
    assert_eq!(taxes.items[1].customs_value.to_string(), "212215.67");
    // duty 10 %: 10610.783 → 10610.78 and 21221.567 → 21221.57
    assert_eq!(taxes.items[0].amount(Duty).to_string(), "10610.78");
    assert_eq!(taxes.items[1].amount(Duty).to_string(), "21221.57");
    // VAT: (106107.83 + 10610.78) × 12 % = 116718.61 × 0.12 = 14006.2332 → 14006.23
    //      (212215.67 + 21221.57) × 12 % = 233437.24 × 0.12 = 28012.4688 → 28012.47
    assert_eq!(taxes.items[0].amount(Vat).to_string(), "14006.23");
    assert_eq!(taxes.items[1].amount(Vat).to_string(), "28012.47");
    // total = 10610.78 + 14006.23 + 21221.57 + 28012.47 = 73851.05
    assert_eq!(taxes.total.to_string(), "73851.05");
}

#[test]
fn half_a_cent_rounds_up() {
    // KGS: customs value 100.05; duty 10 % = 10.005 → 10.01 (half-up, not banker's 10.00)
    // VAT = (100.05 + 10.01) × 12 % = 110.06 × 0.12 = 13.2072 → 13.21
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item("6204110000", "TR", "1", "p/st", "1", "100.05", None)],
        &[],
    );
    let taxes = assess(&decl);
    assert_eq!(taxes.items[0].amount(Duty).to_string(), "10.01");
    assert_eq!(taxes.items[0].amount(Vat).to_string(), "13.21");
    assert_eq!(taxes.total.to_string(), "23.22");
}

#[test]
fn a_developing_country_preference_with_proof_pays_three_quarters_of_mfn_duty() {
    // KGS 10000.00 from IN, preference 200, certificate N865.
    // duty = 10000.00 × (10 % × 0.75 = 7.5 %) = 750.00
    // VAT = (10000.00 + 750.00) × 12 % = 1290.00; total = 2040.00
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "6204110000",
            "IN",
            "10",
            "p/st",
            "5",
            "10000.00",
            Some("200"),
        )],
        &["N380", "N865"],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "10000.00", "7.5%", "750.00"),
            line(Vat, "10750.00", "12%", "1290.00"),
        ]
    );
    assert_eq!(taxes.items[0].preference_applied.as_deref(), Some("200"));
    assert!(taxes.items[0].note.as_deref().unwrap().contains("granted"));
    assert_eq!(taxes.total.to_string(), "2040.00");
}

#[test]
fn a_customs_union_preference_with_proof_is_duty_free() {
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "6204110000",
            "KZ",
            "10",
            "p/st",
            "5",
            "10000.00",
            Some("300"),
        )],
        &["Y930"],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "10000.00", "0%", "0.00"),
            line(Vat, "10000.00", "12%", "1200.00"),
        ]
    );
}

#[test]
fn a_preference_without_proof_of_origin_is_refused_and_mfn_applies() {
    // As the developing-country example, without N865: duty 10 % = 1000.00,
    // VAT = 11000.00 × 12 % = 1320.00; total = 2320.00
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "6204110000",
            "IN",
            "10",
            "p/st",
            "5",
            "10000.00",
            Some("200"),
        )],
        &["N380"],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0)[0],
        line(Duty, "10000.00", "10%", "1000.00")
    );
    assert_eq!(taxes.items[0].preference_applied, None);
    assert_eq!(
        taxes.items[0].note.as_deref(),
        Some("preference 200 refused: no proof of origin (N954, N864, N865, Y930); MFN applied")
    );
    assert_eq!(taxes.total.to_string(), "2320.00");
}

#[test]
fn a_preference_for_an_origin_outside_its_groups_is_refused_and_mfn_applies() {
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "6204110000",
            "CN",
            "10",
            "p/st",
            "5",
            "10000.00",
            Some("300"),
        )],
        &["N954"],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0)[0],
        line(Duty, "10000.00", "10%", "1000.00")
    );
    assert_eq!(
        taxes.items[0].note.as_deref(),
        Some("preference 300 refused: origin CN not in group cu or fta; MFN applied")
    );
}

#[test]
fn a_preference_on_a_specific_duty_scales_the_specific_amount() {
    // Beer from BD (ldc, share 0) — duty 0 × 15 KGS/l; excise is never reduced.
    let decl = declaration(
        "KGS",
        "0",
        "0",
        vec![item(
            "2203000000",
            "BD",
            "100",
            "l",
            "104",
            "10000.00",
            Some("200"),
        )],
        &["N865"],
    );
    let taxes = assess(&decl);
    assert_eq!(
        lines(&taxes, 0),
        vec![
            line(Duty, "100", "0 KGS/l", "0.00"),
            line(Excise, "100", "25 KGS/l", "2500.00"),
            line(Vat, "12500.00", "12%", "1500.00"),
        ]
    );
}

#[test]
fn a_quantity_in_another_unit_than_the_lines_is_refused_as_unit_mismatch() {
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![
            item("8517130000", "CN", "10", "p/st", "2", "1000.00", None),
            item("2208300000", "GB", "100", "p/st", "150", "900.00", None),
        ],
        &[],
    );
    assert_eq!(
        refusal(&decl),
        vec![("items[1].unit".to_owned(), "unit_mismatch".to_owned())]
    );
}

#[test]
fn a_currency_without_a_rate_on_the_date_is_refused_as_no_exchange_rate() {
    let decl = declaration(
        "CHF",
        "0",
        "0",
        vec![item("8517130000", "CN", "10", "p/st", "2", "1000.00", None)],
        &[],
    );
    assert_eq!(
        refusal(&decl),
        vec![("invoice.currency".to_owned(), "no_exchange_rate".to_owned())]
    );
    // USD has rates only from 2026-01-01.
    let decl = declaration(
        "USD",
        "0",
        "0",
        vec![item("8517130000", "CN", "10", "p/st", "2", "1000.00", None)],
        &[],
    );
    let errors = assess_taxes(
        &decl,
        jiff::civil::date(2025, 12, 31),
        &tariff(),
        &rates(),
        &preferences(),
        "KGS",
    )
    .err()
    .unwrap();
    assert_eq!(errors[0].code, "no_exchange_rate");
}

#[test]
fn every_problem_of_an_assessment_is_reported_at_once() {
    let decl = declaration(
        "CHF",
        "0",
        "0",
        vec![
            item("0101210000", "CN", "1", "p/st", "500", "1000.00", None),
            item("2208300000", "GB", "100", "p/st", "150", "900.00", None),
            item(
                "8517130000",
                "CN",
                "10",
                "p/st",
                "2",
                "1000.00",
                Some("999"),
            ),
        ],
        &[],
    );
    assert_eq!(
        refusal(&decl),
        vec![
            ("invoice.currency".to_owned(), "no_exchange_rate".to_owned()),
            ("items[0].hs_code".to_owned(), "no_tariff_line".to_owned()),
            ("items[1].unit".to_owned(), "unit_mismatch".to_owned()),
            (
                "items[2].preference".to_owned(),
                "unknown_preference".to_owned()
            ),
        ]
    );
}

#[test]
fn a_reassessment_difference_is_after_minus_before() {
    // Undervalued smartphones corrected from 15000.00 to 30000.00 USD, freight 520.00:
    // after: customs value (30000 + 520) × 87.45 = 2668974.00; duty 5 % = 133448.70;
    //        VAT (2668974.00 + 133448.70) × 12 % = 2802422.70 × 0.12 = 336290.724 → 336290.72
    //        total 469739.42; before: 238871.42 (see the ad valorem example)
    let before = declaration(
        "USD",
        "500.00",
        "20.00",
        vec![item(
            "8517130000",
            "CN",
            "100",
            "p/st",
            "20.5",
            "15000.00",
            None,
        )],
        &[],
    );
    let after = declaration(
        "USD",
        "500.00",
        "20.00",
        vec![item(
            "8517130000",
            "CN",
            "100",
            "p/st",
            "20.5",
            "30000.00",
            None,
        )],
        &[],
    );
    let (before, after) = (assess(&before), assess(&after));
    assert_eq!(after.total.to_string(), "469739.42");
    assert_eq!(difference(&before, &after).to_string(), "230868.00");
}

#[test]
fn taxes_serialise_with_decimal_strings_as_the_contract_shows() {
    let decl = declaration(
        "USD",
        "500.00",
        "20.00",
        vec![item(
            "8517130000",
            "CN",
            "100",
            "p/st",
            "20.5",
            "15000.00",
            Some("100"),
        )],
        &["N380"],
    );
    let json = serde_json::to_value(assess(&decl)).unwrap();
    assert_eq!(json["currency"], "KGS");
    assert_eq!(json["total"], "238871.42");
    assert_eq!(json["items"][0]["item"], 0);
    assert_eq!(json["items"][0]["lines"][0]["tax"], "duty");
    assert_eq!(json["items"][0]["lines"][0]["base"], "1357224.00");
    assert_eq!(json["items"][0]["lines"][0]["rate"], "5%");
    assert_eq!(json["items"][0]["lines"][0]["amount"], "67861.20");
    assert_eq!(json["items"][0]["lines"][1]["tax"], "vat");
    let back: Taxes = serde_json::from_value(json).unwrap();
    assert_eq!(back.total.to_string(), "238871.42");
}

#[test]
fn raising_one_value_can_lower_the_total_when_freight_moves_off_a_dutiable_item() {
    // Freight is shared by value, so correcting item 0 upwards moves freight from item 1
    // (10 % duty) onto item 0 (duty free under preference 300). KGS, freight 1000.00.
    // before: values 1 + 1 = 2; each customs value 1 × 1002 / 2 = 501.00
    //   item 0: duty 0.00, VAT 501.00 × 12 % = 60.12
    //   item 1: duty 50.10, VAT 551.10 × 12 % = 66.132 → 66.13;   total 176.35
    // after: values 2 + 1 = 3; customs values 2 × 1003 / 3 = 668.67 and 1003 / 3 = 334.33
    //   item 0: duty 0.00, VAT 668.67 × 12 % = 80.2404 → 80.24
    //   item 1: duty 33.433 → 33.43, VAT 367.76 × 12 % = 44.1312 → 44.13; total 157.80
    let with_value = |value: &str| {
        declaration(
            "KGS",
            "1000.00",
            "0",
            vec![
                item("6204110000", "KZ", "1", "p/st", "1", value, Some("300")),
                item("6204110000", "CN", "1", "p/st", "1", "1.00", None),
            ],
            &["Y930"],
        )
    };
    let (before, after) = (assess(&with_value("1.00")), assess(&with_value("2.00")));
    assert_eq!(before.total.to_string(), "176.35");
    assert_eq!(after.total.to_string(), "157.80");
    assert_eq!(difference(&before, &after).to_string(), "-18.55");
}

#[test]
fn negative_amounts_are_refused_by_path() {
    let decl = declaration(
        "KGS",
        "-1.00",
        "0",
        vec![item("6204110000", "CN", "-1", "p/st", "1", "10.00", None)],
        &[],
    );
    assert_eq!(
        refusal(&decl),
        vec![
            ("invoice.freight".to_owned(), "negative".to_owned()),
            ("items[0].quantity".to_owned(), "negative".to_owned()),
        ]
    );
}
