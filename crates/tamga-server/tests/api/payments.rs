//! Duties, taxes and payments end to end: the arithmetic against a hand computation, bank
//! notifications (idempotent, decimal strings only), release on settlement, guarantees,
//! refunds, the ledger's reconciliation, and the refusal of a currency without a rate.

use serde_json::{Value, json};
use tamga_types::Decimal;

use crate::helpers::{
    Backend, PARTY_A, PARTY_B, TestApp, cheap_phones, dec, declaration, error_codes, profile,
};
use crate::on_both_backends;

on_both_backends!(
    the_taxes_of_the_contract_example_match_a_hand_computation,
    freight_and_insurance_are_shared_by_value_and_each_tax_is_rounded_half_up,
    the_same_payment_key_twice_is_applied_once,
    a_payment_for_an_unknown_declaration_is_404,
    amounts_are_decimal_strings_in_the_national_currency_or_refused_422,
    a_partial_payment_keeps_awaiting_payment_and_the_full_payment_releases,
    release_before_payment_is_refused_unpaid_and_logged,
    a_paid_declaration_under_control_waits_for_the_control_result,
    a_guarantee_is_refused_for_a_medium_risk_trader_and_allowed_after_aeo,
    a_refund_is_allowed_up_to_the_overpayment_only,
    the_ledger_reconciles_after_payments_guarantees_refunds_controls_and_amendments,
    a_currency_without_an_exchange_rate_for_the_date_is_refused_and_nothing_is_stored,
);

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// The line of `tax` (`duty`, `excise`, `vat`) of a tax item, if any.
fn line<'a>(item: &'a Value, tax: &str) -> Option<&'a Value> {
    item["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["tax"] == tax)
}

struct Desk {
    app: TestApp,
    trader: String,
    officer: String,
    bank: String,
    admin: String,
}

async fn desk(backend: Backend) -> Desk {
    let app = TestApp::spawn(backend).await;
    let trader = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let officer = app.user("officer-1", "officer", None, Some("41701")).await;
    let bank = app.user("bank", "bank", None, None).await;
    let admin = app.user("admin", "admin", None, None).await;
    Desk {
        app,
        trader,
        officer,
        bank,
        admin,
    }
}

async fn pay(app: &TestApp, bank: &str, declaration: &str, amount: &str, key: &str) -> Value {
    let (status, receipt) = app
        .post(
            "/api/v1/payments",
            bank,
            &json!({"declaration": declaration, "amount": amount, "currency": "KGS", "key": key}),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["applied"], true);
    receipt
}

async fn ledger(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, l) = app
        .get(&format!("/api/v1/declarations/{id}/ledger"), token)
        .await;
    assert_eq!(status, 200, "{l}");
    l
}

/// assessed (incl. additional) − paid − guaranteed + refunded = balance, on the ledger
/// page and on the declaration.
async fn assert_balance_identity(app: &TestApp, token: &str, id: &str) -> Decimal {
    let l = ledger(app, token, id).await;
    let computed =
        dec(&l["assessed"]) - dec(&l["paid"]) - dec(&l["guaranteed"]) + dec(&l["refunded"]);
    assert_eq!(computed, dec(&l["balance"]), "{l}");
    let (_, declaration) = app.get(&format!("/api/v1/declarations/{id}"), token).await;
    assert_eq!(dec(&declaration["balance"]), computed, "{declaration}");
    computed
}

async fn the_taxes_of_the_contract_example_match_a_hand_computation(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    // By hand, from crates/tamga-tariff/data and ROUNDING.md:
    // - rate: the latest USD row on or before today in rates-default.csv is
    //   2026-03-01,USD,87.3800;
    // - customs value = round2((15000.00 + 500.00 + 20.00) × 87.38)
    //                 = round2(15520.00 × 87.38) = 1356137.60 KGS
    //   (one item: it carries all of the freight and insurance);
    // - tariff line 851713 "Smartphones": duty 0 % ad valorem, VAT 12 %, no excise;
    //   origin CN with preference 100 asks for MFN anyway;
    // - duty = round2(1356137.60 × 0 %) = 0.00;
    // - VAT  = round2((1356137.60 + 0.00) × 12 %) = round2(162736.512) = 162736.51;
    // - total = 0.00 + 162736.51 = 162736.51 KGS.
    let (_, rates) = app.get("/api/v1/exchange-rates", &k.trader).await;
    assert_eq!(rates["national_currency"], "KGS");
    let today = tamga_server::declarations::today().to_string();
    let usd_today = rates["rates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["currency"] == "USD" && r["date"].as_str().unwrap() <= today.as_str())
        .max_by_key(|r| r["date"].as_str().unwrap().to_owned())
        .expect("a USD rate");
    assert_eq!(usd_today["date"], "2026-03-01");
    assert_eq!(dec(&usd_today["rate"]), d("87.38"));

    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let t = &created["taxes"];
    assert_eq!(t["currency"], "KGS", "{t}");
    assert_eq!(t["invoice_currency"], "USD");
    assert_eq!(t["date"], today.as_str());
    assert_eq!(dec(&t["exchange_rate"]), d("87.38"));
    assert_eq!(t["items"].as_array().unwrap().len(), 1);
    let item = &t["items"][0];
    assert_eq!(item["item"], 0);
    assert_eq!(item["tariff_code"], "851713");
    assert_eq!(item["customs_value"], "1356137.60");
    if let Some(duty) = line(item, "duty") {
        assert_eq!(dec(&duty["amount"]), Decimal::ZERO, "{duty}");
    }
    assert!(line(item, "excise").is_none_or(|e| dec(&e["amount"]) == Decimal::ZERO));
    let vat = line(item, "vat").expect("a VAT line");
    assert_eq!(vat["base"], "1356137.60");
    assert_eq!(vat["rate"], "12%");
    assert_eq!(vat["amount"], "162736.51");
    assert_eq!(t["total"], "162736.51");
    assert_eq!(created["balance"], "162736.51");
    assert_eq!(created["status"], "awaiting_payment");

    let l = ledger(app, &k.trader, &id_of(&created)).await;
    assert_eq!(l["entries"].as_array().unwrap().len(), 1);
    assert_eq!(l["entries"][0]["kind"], "assessed");
    assert_eq!(dec(&l["entries"][0]["amount"]), d("162736.51"));
    assert_eq!(dec(&l["balance"]), d("162736.51"));
}

async fn freight_and_insurance_are_shared_by_value_and_each_tax_is_rounded_half_up(
    backend: Backend,
) {
    let k = desk(backend).await;
    let app = &k.app;
    let mut body = declaration(PARTY_A);
    body["items"] = json!([
        {"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
         "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
         "value": "15000.00", "preference": "100"},
        {"hs_code": "8471300000", "description": "Laptops", "origin": "CN",
         "quantity": "10", "unit": "p/st", "net_mass_kg": "20", "gross_mass_kg": "24",
         "value": "5000.00", "preference": "100"}
    ]);
    // V = 20000.00, F + I = 520.00, USD = 87.38; CV_i = round2(value_i × 20520 × 87.38 / 20000)
    // item 0 (851713: duty 0 %, VAT 12 %): CV = round2(15390 × 87.38) = 1344778.20
    //   VAT = round2(1344778.20 × 12 %) = round2(161373.384) = 161373.38
    // item 1 (chapter 84: duty 2.5 %, VAT 12 %): CV = round2(5130 × 87.38) = 448259.40
    //   duty = round2(448259.40 × 2.5 %) = round2(11206.485) = 11206.49 (half-up)
    //   VAT = round2((448259.40 + 11206.49) × 12 %) = round2(55135.9068) = 55135.91
    // total = 0.00 + 161373.38 + 11206.49 + 55135.91 = 227715.78
    let created = app.lodge(&k.trader, &body).await;
    let t = &created["taxes"];
    let (i0, i1) = (&t["items"][0], &t["items"][1]);
    assert_eq!(i0["customs_value"], "1344778.20", "{t}");
    assert_eq!(line(i0, "vat").unwrap()["amount"], "161373.38");
    assert_eq!(i1["customs_value"], "448259.40");
    assert_eq!(i1["tariff_code"], "84");
    let duty = line(i1, "duty").expect("duty on laptops");
    assert_eq!(duty["base"], "448259.40");
    assert_eq!(duty["rate"], "2.5%");
    assert_eq!(duty["amount"], "11206.49");
    let vat = line(i1, "vat").unwrap();
    assert_eq!(vat["base"], "459465.89");
    assert_eq!(vat["amount"], "55135.91");
    assert_eq!(t["total"], "227715.78");
    // The total is the sum of the rounded lines.
    let sum: Decimal = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["lines"].as_array().unwrap())
        .map(|l| dec(&l["amount"]))
        .sum();
    assert_eq!(sum, dec(&t["total"]));
}

async fn the_same_payment_key_twice_is_applied_once(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let body = json!({"declaration": id, "amount": "100000.00", "currency": "KGS", "key": "PAY-1"});
    let (status, first) = app.post("/api/v1/payments", &k.bank, &body).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["applied"], true);
    assert_eq!(dec(&first["balance"]), d("62736.51"));
    for _ in 0..2 {
        let (status, again) = app.post("/api/v1/payments", &k.bank, &body).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["applied"], false);
        assert_eq!(again["entry"]["id"], first["entry"]["id"]);
        assert_eq!(dec(&again["balance"]), d("62736.51"));
    }
    let l = ledger(app, &k.officer, &id).await;
    let paid: Vec<&Value> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "paid")
        .collect();
    assert_eq!(paid.len(), 1, "{l}");
    assert_eq!(paid[0]["key"], "PAY-1");
    assert_eq!(app.events_of("payment.received").await, 1);
    // The key names one payment: reused for another amount or declaration, it is refused.
    let mut other = body.clone();
    other["amount"] = json!("5.00");
    let (status, answer) = app.post("/api/v1/payments", &k.bank, &other).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "key_reused");
    let second = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    other = body.clone();
    other["declaration"] = json!(id_of(&second));
    let (status, _) = app.post("/api/v1/payments", &k.bank, &other).await;
    assert_eq!(status, 409);
    assert_balance_identity(app, &k.officer, &id).await;
    app.assert_ledger_reconciles().await;
}

async fn a_payment_for_an_unknown_declaration_is_404(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let before = app.count("ledger").await;
    let (status, answer) = app
        .post(
            "/api/v1/payments",
            &k.bank,
            &json!({"declaration": "01900000-0000-7000-8000-000000000000", "amount": "10.00",
                    "currency": "KGS", "key": "PAY-404"}),
        )
        .await;
    assert_eq!(status, 404, "{answer}");
    assert!(answer["errors"].is_array());
    let (status, _) = app
        .post(
            "/api/v1/payments",
            &k.bank,
            &json!({"declaration": "no such thing", "amount": "10.00", "currency": "KGS",
                    "key": "PAY-404"}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(app.count("ledger").await, before);
    // The key was not spent on nothing.
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    pay(app, &k.bank, &id_of(&created), "10.00", "PAY-404").await;
}

async fn amounts_are_decimal_strings_in_the_national_currency_or_refused_422(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let good = json!({"declaration": id, "amount": "100.00", "currency": "KGS", "key": "K-1"});
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("a JSON number", json!(100.0), "amount", "bad_decimal"),
        ("an integer number", json!(100), "amount", "bad_decimal"),
        ("three decimals", json!("100.005"), "amount", "bad_decimal"),
        ("not a number", json!("1OO"), "amount", "bad_decimal"),
        ("negative", json!("-100.00"), "amount", "not_positive"),
        ("zero", json!("0.00"), "amount", "not_positive"),
    ];
    let before = app.count("ledger").await;
    for (what, amount, path, code) in cases {
        let mut body = good.clone();
        body["amount"] = amount;
        let (status, answer) = app.post("/api/v1/payments", &k.bank, &body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(
            error_codes(&answer),
            vec![(path.to_owned(), code.to_owned())],
            "{what}"
        );
    }
    for (currency, code) in [("USD", "currency_mismatch"), ("XYZ", "unknown_currency")] {
        let mut body = good.clone();
        body["currency"] = json!(currency);
        let (status, answer) = app.post("/api/v1/payments", &k.bank, &body).await;
        assert_eq!(status, 422, "{currency}: {answer}");
        assert_eq!(
            error_codes(&answer),
            vec![("currency".to_owned(), code.to_owned())]
        );
    }
    let mut body = good.clone();
    body.as_object_mut().unwrap().remove("key");
    body["tip"] = json!("1.00");
    let (status, answer) = app.post("/api/v1/payments", &k.bank, &body).await;
    assert_eq!(status, 422);
    let codes = error_codes(&answer);
    assert!(
        codes.contains(&("key".into(), "missing".into())),
        "{codes:?}"
    );
    assert!(codes.contains(&("tip".into(), "unknown_field".into())));
    // Only banks notify payments.
    for token in [&k.trader, &k.officer] {
        let (status, _) = app.post("/api/v1/payments", token, &good).await;
        assert_eq!(status, 403);
    }
    assert_eq!(
        app.count("ledger").await,
        before,
        "a refused payment was stored"
    );
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(now["balance"], created["balance"]);
}

async fn a_partial_payment_keeps_awaiting_payment_and_the_full_payment_releases(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let path = format!("/api/v1/declarations/{id}");
    let total = dec(&created["balance"]);

    let receipt = pay(app, &k.bank, &id, "60000.00", "P-1").await;
    assert_eq!(receipt["status"], "awaiting_payment");
    assert_eq!(dec(&receipt["balance"]), total - d("60000.00"));
    let (_, now) = app.get(&path, &k.trader).await;
    assert_eq!(now["status"], "awaiting_payment");
    assert!(now.get("released_at").is_none_or(Value::is_null));

    let rest = (total - d("60000.00")).to_string();
    let receipt = pay(app, &k.bank, &id, &rest, "P-2").await;
    assert_eq!(receipt["status"], "released");
    assert_eq!(dec(&receipt["balance"]), Decimal::ZERO);
    let (_, now) = app.get(&path, &k.trader).await;
    assert_eq!(now["status"], "released");
    assert!(now["released_at"].is_string());
    assert_eq!(dec(&now["balance"]), Decimal::ZERO);
    assert!(
        app.event_kinds()
            .await
            .contains(&"declaration.released".to_owned())
    );
    // Released already: a release by hand has nothing to do.
    let (status, answer) = app
        .post(&format!("{path}/release"), &k.officer, &json!({}))
        .await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "already_released");
    assert_balance_identity(app, &k.trader, &id).await;
}

async fn release_before_payment_is_refused_unpaid_and_logged(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let release = format!("/api/v1/declarations/{id}/release");
    let before = app.events_of("control.override_refused").await;
    for (who, token) in [("officer", &k.officer), ("admin", &k.admin)] {
        let (status, answer) = app.post(&release, token, &json!({})).await;
        assert_eq!(status, 409, "{who}: {answer}");
        assert_eq!(answer["errors"][0]["code"], "unpaid", "{who}");
    }
    assert_eq!(app.events_of("control.override_refused").await - before, 2);
    // One cent short is still unpaid.
    let total = dec(&created["balance"]);
    pay(app, &k.bank, &id, &(total - d("0.01")).to_string(), "P-1").await;
    let (status, answer) = app.post(&release, &k.officer, &json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "unpaid");
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.officer)
        .await;
    assert_eq!(now["status"], "awaiting_payment");
    assert_eq!(dec(&now["balance"]), d("0.01"));
    let receipt = pay(app, &k.bank, &id, "0.01", "P-2").await;
    assert_eq!(receipt["status"], "released");
}

async fn a_paid_declaration_under_control_waits_for_the_control_result(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let analyst = app.user("analyst", "analyst", None, None).await;
    let (status, _) = app
        .post("/api/v1/risk/profiles", &analyst, &profile())
        .await;
    assert_eq!(status, 201);
    let created = app.lodge(&k.trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(created["status"], "under_control");
    let id = id_of(&created);
    let receipt = pay(
        app,
        &k.bank,
        &id,
        created["balance"].as_str().unwrap(),
        "P-1",
    )
    .await;
    assert_eq!(
        receipt["status"], "under_control",
        "money does not skip a control"
    );
    assert_eq!(dec(&receipt["balance"]), Decimal::ZERO);
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/release"),
            &k.officer,
            &json!({}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "control_pending");

    let (_, tasks) = app.get("/api/v1/controls?status=open", &k.officer).await;
    let task = id_of(&tasks[0]);
    let (status, answer) = app
        .post(
            &format!("/api/v1/controls/{task}/result"),
            &k.officer,
            &json!({"outcome": "no_discrepancy"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["declaration"]["status"], "released");
    assert_balance_identity(app, &k.trader, &id).await;
}

async fn a_guarantee_is_refused_for_a_medium_risk_trader_and_allowed_after_aeo(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let path = format!("/api/v1/declarations/{id}/guarantee");
    let pledge = json!({"reference": "BG-2026-0042", "key": "G-1"});

    let (_, t) = app
        .get(&format!("/api/v1/traders/{PARTY_A}"), &k.admin)
        .await;
    assert_eq!(t["risk_category"], "medium");
    let (status, answer) = app.post(&path, &k.trader, &pledge).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "guarantee_not_allowed");
    assert_eq!(app.events_of("payment.guaranteed").await, 0);

    let (status, t) = app
        .put(
            &format!("/api/v1/traders/{PARTY_A}/status"),
            &k.admin,
            &json!({"aeo": true, "suspended": false}),
        )
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["risk_category"], "low");
    // Only the declarant pledges; others do not even see the declaration.
    let other = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    let (status, _) = app.post(&path, &other, &pledge).await;
    assert_eq!(status, 404);
    let (status, _) = app.post(&path, &k.officer, &pledge).await;
    assert_eq!(status, 403);

    let (status, receipt) = app.post(&path, &k.trader, &pledge).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["status"], "released");
    assert_eq!(dec(&receipt["entry"]["amount"]), dec(&created["balance"]));
    let (status, again) = app.post(&path, &k.trader, &pledge).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["applied"], false);
    let (status, answer) = app
        .post(
            &path,
            &k.trader,
            &json!({"reference": "BG-2", "key": "G-2"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "nothing_due");

    let l = ledger(app, &k.trader, &id).await;
    assert_eq!(dec(&l["guaranteed"]), dec(&created["balance"]));
    assert_eq!(dec(&l["balance"]), Decimal::ZERO);
    assert_balance_identity(app, &k.trader, &id).await;

    // A suspended AEO is high risk: no guarantee.
    app.put(
        &format!("/api/v1/traders/{PARTY_A}/status"),
        &k.admin,
        &json!({"aeo": true, "suspended": true}),
    )
    .await;
    let second = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{}/guarantee", id_of(&second)),
            &k.trader,
            &json!({"reference": "BG-3", "key": "G-3"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "guarantee_not_allowed");
}

async fn a_refund_is_allowed_up_to_the_overpayment_only(backend: Backend) {
    let k = desk(backend).await;
    let app = &k.app;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let path = format!("/api/v1/declarations/{id}/refund");
    let refund = |amount: &str, key: &str| json!({"amount": amount, "reason": "paid twice by the bank", "key": key});

    // Nothing overpaid: no refund at all.
    let (status, answer) = app.post(&path, &k.officer, &refund("0.01", "R-0")).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "refund_exceeds_credit");

    let overpaid = (dec(&created["balance"]) + d("100.00")).to_string();
    let receipt = pay(app, &k.bank, &id, &overpaid, "P-1").await;
    assert_eq!(receipt["status"], "released");
    assert_eq!(dec(&receipt["balance"]), d("-100.00"));

    let (status, _) = app.post(&path, &k.trader, &refund("10.00", "R-T")).await;
    assert_eq!(status, 403, "a trader refunded itself");
    let (status, _) = app.post(&path, &officer_far, &refund("10.00", "R-F")).await;
    assert_eq!(status, 404, "an officer of another office refunded");
    let (status, answer) = app.post(&path, &k.officer, &refund("100.01", "R-1")).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_codes(&answer),
        vec![("amount".to_owned(), "refund_exceeds_credit".to_owned())]
    );

    let (status, receipt) = app.post(&path, &k.officer, &refund("60.00", "R-2")).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(dec(&receipt["balance"]), d("-40.00"));
    let (status, again) = app.post(&path, &k.officer, &refund("60.00", "R-2")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["applied"], false);
    assert_eq!(dec(&again["balance"]), d("-40.00"));
    // A key names one ledger entry: the bank's payment key is not a refund's.
    let (status, answer) = app.post(&path, &k.officer, &refund("10.00", "P-1")).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "key_reused");
    let (status, _) = app.post(&path, &k.officer, &refund("40.01", "R-3")).await;
    assert_eq!(status, 422);
    // Admins manage users; they do not move money.
    let (status, _) = app.post(&path, &k.admin, &refund("40.00", "R-A")).await;
    assert_eq!(status, 403, "an admin refunded");
    let (status, receipt) = app.post(&path, &k.officer, &refund("40.00", "R-4")).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(dec(&receipt["balance"]), Decimal::ZERO);
    let (status, _) = app.post(&path, &k.officer, &refund("0.01", "R-5")).await;
    assert_eq!(status, 422);

    let l = ledger(app, &k.officer, &id).await;
    assert_eq!(dec(&l["refunded"]), d("100.00"), "{l}");
    assert_eq!(dec(&l["paid"]), d(&overpaid));
    assert_balance_identity(app, &k.officer, &id).await;
    app.assert_ledger_reconciles().await;
}

async fn the_ledger_reconciles_after_payments_guarantees_refunds_controls_and_amendments(
    backend: Backend,
) {
    let k = desk(backend).await;
    let app = &k.app;
    let analyst = app.user("analyst", "analyst", None, None).await;
    let trader_b = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    app.put(
        &format!("/api/v1/traders/{PARTY_B}/status"),
        &k.admin,
        &json!({"aeo": true, "suspended": false}),
    )
    .await;
    let (status, _) = app
        .post("/api/v1/risk/profiles", &analyst, &profile())
        .await;
    assert_eq!(status, 201);

    // 1. Paid in two parts, overpaid, partly refunded.
    let a = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    pay(app, &k.bank, &a, "100000.00", "A-1").await;
    pay(app, &k.bank, &a, "62800.00", "A-2").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/declarations/{a}/refund"),
            &k.officer,
            &json!({"amount": "50.00", "reason": "overpaid", "key": "A-R"}),
        )
        .await;
    assert_eq!(status, 201);
    // 2. Under a guarantee (trader B is an AEO).
    let b = id_of(&app.lodge(&trader_b, &declaration(PARTY_B)).await);
    let (status, _) = app
        .post(
            &format!("/api/v1/declarations/{b}/guarantee"),
            &trader_b,
            &json!({"reference": "BG-1", "key": "B-G"}),
        )
        .await;
    assert_eq!(status, 201);
    // 3. Selected, corrected by the control (additional assessment), then paid.
    let c = app.lodge(&k.trader, &cheap_phones(PARTY_A)).await;
    let c = id_of(&c);
    let (_, tasks) = app.get("/api/v1/controls?status=open", &k.officer).await;
    let task = id_of(&tasks[0]);
    let (status, answer) = app
        .post(
            &format!("/api/v1/controls/{task}/result"),
            &k.officer,
            &json!({"outcome": "discrepancy", "findings": [{"kind": "undervaluation", "item": 0,
                    "corrected": {"value": "30000.00"}}], "note": "real price found"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let due = answer["declaration"]["balance"]
        .as_str()
        .unwrap()
        .to_owned();
    pay(app, &k.bank, &c, &due, "C-1").await;
    // 4. Amended upwards before payment (the difference is an additional assessment).
    let d4 = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    let mut more = declaration(PARTY_A);
    more["items"][0]["value"] = json!("16000.00");
    let (status, amended) = app
        .put(
            &format!("/api/v1/declarations/{d4}"),
            &k.trader,
            &json!({"reason": "final invoice", "declaration": more}),
        )
        .await;
    assert_eq!(status, 200, "{amended}");
    pay(app, &k.bank, &d4, "1000.00", "D-1").await;

    for (id, token) in [
        (&a, &k.trader),
        (&b, &trader_b),
        (&c, &k.trader),
        (&d4, &k.trader),
    ] {
        assert_balance_identity(app, token, id).await;
    }
    assert_eq!(
        assert_balance_identity(app, &k.trader, &a).await,
        d("-13.49")
    );
    assert_eq!(
        assert_balance_identity(app, &trader_b, &b).await,
        Decimal::ZERO
    );
    assert_eq!(
        assert_balance_identity(app, &k.trader, &c).await,
        Decimal::ZERO
    );
    let l = ledger(app, &k.trader, &c).await;
    assert!(
        l["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "additional")
    );
    let l = ledger(app, &k.trader, &d4).await;
    assert!(
        l["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "additional"),
        "{l}"
    );
    assert!(app.assert_ledger_reconciles().await >= 4);
    // And it still holds after a restart, read from the store alone.
    let app = k.app.restart().await;
    app.assert_ledger_reconciles().await;
}

async fn a_currency_without_an_exchange_rate_for_the_date_is_refused_and_nothing_is_stored(
    backend: Backend,
) {
    let k = desk(backend).await;
    let app = &k.app;
    // CHF is an ISO 4217 currency but rates-default.csv has no row for it.
    let mut body = declaration(PARTY_A);
    body["invoice"]["currency"] = json!("CHF");
    let before = (
        app.count("declarations").await,
        app.count("ledger").await,
        app.events_of("declaration.lodged").await,
    );
    let (status, answer) = app.post("/api/v1/declarations", &k.trader, &body).await;
    assert_eq!(status, 422, "{answer}");
    let codes = error_codes(&answer);
    assert!(
        codes.iter().any(|(_, c)| c == "no_exchange_rate"),
        "{codes:?}"
    );
    assert_eq!(
        (
            app.count("declarations").await,
            app.count("ledger").await,
            app.events_of("declaration.lodged").await,
        ),
        before,
        "something was stored"
    );
    let (_, list) = app.get("/api/v1/declarations", &k.trader).await;
    assert_eq!(list["total"], 0, "{list}");

    // A rate dated after today does not apply today either.
    let (status, answer) = app
        .post(
            "/api/v1/exchange-rates",
            &k.admin,
            &json!({"rates": [{"date": "2099-01-01", "currency": "CHF", "rate": "100.0000"}]}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = app.post("/api/v1/declarations", &k.trader, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(app.count("declarations").await, before.0);

    // Only an admin adds rates; once one applies, the declaration is taxed with it.
    let rate = json!({"rates": [{"date": "2026-01-01", "currency": "CHF", "rate": "110.0000"}]});
    let (status, _) = app.post("/api/v1/exchange-rates", &k.trader, &rate).await;
    assert_eq!(status, 403);
    let (status, answer) = app.post("/api/v1/exchange-rates", &k.admin, &rate).await;
    assert_eq!(status, 201, "{answer}");
    let created = app.lodge(&k.trader, &body).await;
    // (15000.00 + 520.00) × 110 = 1707200.00; VAT 12 % = 204864.00.
    assert_eq!(dec(&created["taxes"]["exchange_rate"]), d("110"));
    assert_eq!(created["taxes"]["items"][0]["customs_value"], "1707200.00");
    assert_eq!(created["taxes"]["total"], "204864.00");
}
