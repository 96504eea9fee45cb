//! Each kind's payload as its emitter writes it (the `json!` shapes of the emitters, with
//! sample values) must read into the enum and write back as the identical text: the log is
//! hash-chained, so one byte of difference would be another event.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;

fn taxes() -> Value {
    json!({"total": "157410.00", "currency": "KGS", "date": "2026-03-02", "exchange_rate": "87.4500"})
}

fn assignment() -> Value {
    json!({"seed": "9f86d081884c7d65", "candidates": ["u-officer-1", "u-officer-2"], "index": 1,
           "rule": "ChaCha20 seeded with `seed`; first draw uniform over the office's officers, ordered by id"})
}

/// (kind, payload) for every kind, several shapes where an emitter writes several.
fn samples() -> Vec<(&'static str, Value)> {
    vec![
        (
            "declaration.refused",
            json!({
                "errors": [{"path": "items[0].hs_code", "code": "unknown_hs_code", "message": "no such code"}],
                "body_hash": "5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269",
            }),
        ),
        (
            "declaration.lodged",
            json!({"version": 1, "body_hash": "h1", "declarant": "01234567890123",
            "office": "41701", "type": "IM",
            "ledger": {"kind": "assessed", "amount": "157410.00"}, "taxes": taxes()}),
        ),
        // Without taxes: `ledger` is null and `taxes` absent.
        (
            "declaration.lodged",
            json!({"version": 1, "body_hash": "h1", "declarant": "01234567890123",
            "office": "41701", "type": "EX", "ledger": null}),
        ),
        // Before the audit trail: no `ledger` key at all.
        (
            "declaration.lodged",
            json!({"version": 1, "body_hash": "h1", "declarant": "01234567890123",
            "office": "41701", "type": "TR"}),
        ),
        (
            "declaration.assessed",
            json!({"channel": "red", "score": 80,
            "fired": [{"profile": "RP-0001", "version": 2, "score": 80, "measure": "physical_inspection",
                       "items": [0, 2]}],
            "trader_category": "medium", "trader_score": 0,
            "random": {"rate": 0.05, "draw": 0.731_245_5, "selected": false},
            "thresholds": {"yellow": 40, "red": 70}, "inspection": "full",
            "reason": "profile RP-0001 fired", "errors": [], "date": "2026-03-02",
            "profiles_checked": 3, "exchange_rates": {"EUR": "95.1000"}, "engine_version": "3",
            "profiles_digest": "d1", "declaration_version": 1}),
        ),
        (
            "declaration.assessed",
            json!({"channel": "green", "score": 0, "fired": [], "reason": "",
            "errors": [{"profile": "RP-0002", "message": "no such field"}]}),
        ),
        (
            "declaration.amended",
            json!({"version": 2, "reason": "invoice corrected", "body_hash": "h2",
            "status": "awaiting_payment", "channel": "yellow",
            "ledger": {"kind": "additional", "amount": "1250.00"}, "taxes": taxes()}),
        ),
        // A lower total files a claim: `ledger` is null.
        (
            "declaration.amended",
            json!({"version": 3, "reason": "fewer goods", "body_hash": "h3",
            "status": "released", "channel": "green", "ledger": null, "taxes": taxes()}),
        ),
        // Before the audit trail.
        (
            "declaration.amended",
            json!({"version": 2, "reason": "typo", "body_hash": "h2"}),
        ),
        (
            "declaration.invalidated",
            json!({"reason": "lodged twice", "status": "invalidated"}),
        ),
        ("declaration.invalidated", json!({"reason": "lodged twice"})),
        (
            "declaration.released",
            json!({"status": "released", "channel": "green"}),
        ),
        // A release by an officer names no channel.
        ("declaration.released", json!({"status": "released"})),
        (
            "declaration.held_for_control",
            json!({"status": "under_control", "channel": "red"}),
        ),
        (
            "declaration.awaiting_payment",
            json!({"status": "awaiting_payment", "channel": "blue"}),
        ),
        (
            "declaration.status_changed",
            json!({"status": "refused", "channel": "red"}),
        ),
        ("declaration.taxes_assessed", taxes()),
        (
            "control.opened",
            json!({"control": "c1", "channel": "red", "inspection": "full",
            "assigned_to": "u-officer-2", "assignment": assignment()}),
        ),
        (
            "control.opened",
            json!({"control": "c1", "channel": "yellow", "inspection": null,
            "assigned_to": null,
            "assignment": {"seed": "00", "candidates": [], "index": null, "rule": "r"}}),
        ),
        // Opened by an amendment.
        (
            "control.opened",
            json!({"control": "c2", "channel": "yellow", "assigned_to": "u-officer-1",
            "version": 2}),
        ),
        (
            "control.result_recorded",
            json!({"control": "c1", "outcome": "discrepancy",
            "findings": [{"kind": "undervaluation", "item": 0, "corrected": {"value": "1500.00"},
                          "detail": "the invoice says 1500"},
                         {"kind": "missing_document", "item": null, "corrected": {}, "detail": null}],
            "note": "see photos", "revenue_recovered": "20.00", "version": 2, "body_hash": "h2",
            "taxes": {"total": "120.00", "currency": "KGS"},
            "ledger": {"kind": "additional", "amount": "20.00"}}),
        ),
        (
            "control.result_recorded",
            json!({"control": "c1", "outcome": "no_discrepancy",
            "findings": [], "note": null, "revenue_recovered": "0", "version": 1, "body_hash": "h1",
            "taxes": null, "ledger": null}),
        ),
        // Before the audit trail.
        (
            "control.result_recorded",
            json!({"control": "c1", "outcome": "discrepancy",
            "findings": [{"kind": "origin", "item": 1, "corrected": {"origin": "CN"}, "detail": null}],
            "note": null, "revenue_recovered": "-10.00", "version": 2}),
        ),
        (
            "control.override_refused",
            json!({"attempted": "release", "code": "control_pending",
            "role": "officer"}),
        ),
        (
            "payment.received",
            json!({"amount": "100.00", "currency": "KGS", "key": "bank-1",
            "balance": "-5.00", "overpaid": "5.00", "ledger": {"kind": "paid", "amount": "100.00"}}),
        ),
        // Paid exactly: the excess is a negated zero, which rust_decimal writes `-0.00`.
        (
            "payment.received",
            json!({"amount": "162736.51", "currency": "KGS", "key": "P-1",
            "balance": "0.00", "overpaid": "-0.00",
            "ledger": {"kind": "paid", "amount": "162736.51"}}),
        ),
        (
            "payment.received",
            json!({"amount": "50", "currency": "KGS", "key": "bank-0",
            "balance": "70"}),
        ),
        (
            "payment.refunded",
            json!({"amount": "5.00", "currency": "KGS", "key": "refund-1",
            "reason": null, "balance": "0.00", "ledger": {"kind": "refunded", "amount": "5.00"}}),
        ),
        (
            "payment.refunded",
            json!({"amount": "5.00", "currency": "KGS", "key": "refund-2",
            "reason": "overpaid", "balance": "0.00"}),
        ),
        (
            "payment.guaranteed",
            json!({"amount": "157410.00", "currency": "KGS",
            "reference": "GUAR-2026-001", "key": "g-1",
            "ledger": {"kind": "guaranteed", "amount": "157410.00"}}),
        ),
        (
            "amendment.reduction_requested",
            json!({"claim": "cl1", "version": 2, "amount": "10.00",
            "currency": "KGS"}),
        ),
        (
            "amendment.reduction_decided",
            json!({"claim": "cl1", "amount": "10.00",
            "note": "invoice corrected", "decision": "granted", "balance": "90.00",
            "ledger": {"kind": "additional", "amount": "-10.00"}}),
        ),
        (
            "amendment.reduction_decided",
            json!({"claim": "cl1", "amount": "10.00",
            "note": "no proof", "decision": "refused"}),
        ),
        (
            "auth.sign_in_failed",
            json!({"account": "alice", "address": "127.0.0.1",
            "via": "password", "failures": 1}),
        ),
        (
            "auth.sign_in_failed",
            json!({"account": null, "address": "10.0.0.7", "via": "token",
            "failures": 3}),
        ),
        (
            "auth.token_refused",
            json!({"address": "10.0.0.7", "failures": 2}),
        ),
        (
            "auth.locked_out",
            json!({"key_kind": "account", "key": "alice", "seconds": 30}),
        ),
        (
            "auth.unlocked",
            json!({"key_kind": "address", "key": "10.0.0.7"}),
        ),
        (
            "user.created",
            json!({"name": "alice", "role": "trader", "party": "01234567890123",
            "office": null, "console_password": true}),
        ),
        ("user.token_rotated", json!({})),
        ("user.token_revoked", json!({})),
        ("user.removed", json!({"name": "alice"})),
        (
            "risk.profile_created",
            json!({"id": "RP-0001", "version": 1, "active": true,
            "title": "Phones under-declared", "rationale": "price list", "scope": {"offices": []},
            "valid_from": "2026-01-01", "valid_to": null, "criteria": [],
            "condition": "item.unit_price < 50.0", "score": 80, "measure": "physical_inspection"}),
        ),
        (
            "risk.profile_versioned",
            json!({"id": "RP-0001", "version": 2, "active": true,
            "title": "Phones", "score": 90}),
        ),
        (
            "risk.profile_retired",
            json!({"id": "RP-0001", "version": 3, "active": false,
            "title": "Phones", "score": 90}),
        ),
        (
            "risk.settings_changed",
            json!({"thresholds": {"yellow": 40, "red": 70},
            "random": {"green_to_yellow": 0.02, "green_to_red": 0.005}, "reference_prices": []}),
        ),
        (
            "trader.status_changed",
            json!({"aeo": true, "suspended": false}),
        ),
        (
            "tariff.imported",
            json!({"lines": 5387,
            "blake3": "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"}),
        ),
        (
            "exchange_rates.imported",
            json!({"rates": [["2026-01-01", "USD", "87.4500"],
                                                      ["2026-01-01", "EUR", "95.1"]]}),
        ),
        (
            "reference.loaded",
            json!({"hs": 6940, "countries": 249, "currencies": 178, "offices": 12}),
        ),
    ]
}

#[test]
fn every_kind_written_today_reads_and_writes_back_as_the_identical_payload() {
    for (kind, payload) in samples() {
        let text = payload.to_string();
        let event = Event::parse(kind, &text)
            .unwrap_or_else(|e| panic!("{kind} {text} does not parse: {e}"));
        assert_eq!(event.kind(), kind);
        let written = NewEvent::typed("subject", "actor", &event).unwrap();
        assert_eq!(written.kind, kind);
        assert_eq!(written.payload, text, "{kind}");
        assert_eq!(
            (written.subject.as_str(), written.actor.as_str()),
            ("subject", "actor")
        );
    }
}

#[test]
fn the_samples_cover_every_kind_and_kinds_are_unique() {
    let sampled: BTreeSet<&str> = samples().iter().map(|(k, _)| *k).collect();
    let kinds: BTreeSet<&str> = Event::KINDS.iter().copied().collect();
    assert_eq!(kinds.len(), Event::KINDS.len(), "a kind is listed twice");
    assert_eq!(sampled, kinds);
}

#[test]
fn a_typed_event_writes_what_the_json_macro_wrote() {
    // Built in Rust, not parsed: the encoding itself must match the emitter's `json!`.
    let event = Event::PaymentReceived(PaymentReceived {
        amount: "100.00".parse().unwrap(),
        currency: tamga_types::CurrencyCode::parse("KGS").unwrap(),
        key: "bank-1".into(),
        balance: "-5.00".parse().unwrap(),
        overpaid: Some("5.00".parse().unwrap()),
        ledger: Some(LedgerMovement {
            kind: crate::ledger::LedgerKind::Paid,
            amount: "100.00".parse().unwrap(),
        }),
    });
    let amount: tamga_types::Decimal = "100.00".parse().unwrap();
    let balance: tamga_types::Decimal = "-5.00".parse().unwrap();
    let overpaid: tamga_types::Decimal = "5.00".parse().unwrap();
    let emitter = json!({"amount": amount, "currency": "KGS", "key": "bank-1", "balance": balance,
                         "overpaid": overpaid, "ledger": {"kind": "paid", "amount": amount}});
    assert_eq!(
        NewEvent::typed("D1", "bank", &event).unwrap(),
        NewEvent::new("payment.received", "D1", "bank", &emitter)
    );
}

#[test]
fn a_negated_zero_is_written_as_the_emitter_wrote_it() {
    // `(-balance).max(0)` with a balance of 0.00, as a payment of exactly the amount due.
    let balance: tamga_types::Decimal = "0.00".parse().unwrap();
    let overpaid = (-balance).max(tamga_types::Decimal::ZERO);
    let event = Event::PaymentReceived(PaymentReceived {
        amount: "1.00".parse().unwrap(),
        currency: tamga_types::CurrencyCode::parse("KGS").unwrap(),
        key: "k".into(),
        balance,
        overpaid: Some(overpaid),
        ledger: None,
    });
    let emitter = json!({"amount": "1.00", "currency": "KGS", "key": "k", "balance": balance,
                         "overpaid": overpaid});
    let typed = NewEvent::typed("D1", "bank", &event).unwrap();
    assert_eq!(typed.payload, emitter.to_string());
    assert!(
        typed.payload.contains(r#""overpaid":"-0.00""#),
        "{}",
        typed.payload
    );
    let read = Event::parse("payment.received", &typed.payload).unwrap();
    assert_eq!(NewEvent::typed("D1", "bank", &read).unwrap(), typed);
}

#[test]
fn a_ledger_key_written_as_null_stays_null_and_an_absent_one_stays_absent() {
    let null = Event::parse(
        "declaration.lodged",
        r#"{"body_hash":"h","declarant":"01234567890123","ledger":null,"office":"41701","type":"IM","version":1}"#,
    )
    .unwrap();
    let absent = Event::parse(
        "declaration.lodged",
        r#"{"body_hash":"h","declarant":"01234567890123","office":"41701","type":"IM","version":1}"#,
    )
    .unwrap();
    let (Event::DeclarationLodged(n), Event::DeclarationLodged(a)) = (&null, &absent) else {
        panic!("not lodged events");
    };
    assert_eq!(n.ledger, Some(None));
    assert_eq!(a.ledger, None);
    assert_ne!(null, absent);
}

fn corrupt(kind: &str, payload: &str) -> bool {
    matches!(Event::parse(kind, payload), Err(StoreError::Corrupt(_)))
}

#[test]
fn an_unknown_kind_is_corrupt() {
    assert!(corrupt(
        "declaration.teleported",
        r#"{"status":"released"}"#
    ));
    assert!(corrupt("test.noted", r#"{"n":1}"#));
    assert!(corrupt("", "{}"));
}

#[test]
fn a_malformed_payload_is_corrupt() {
    // Not JSON, not an object, a missing key, a value of another type, an unknown status,
    // an unknown ledger kind, a key the kind does not have.
    assert!(corrupt("declaration.released", "{status"));
    assert!(corrupt("declaration.released", r#"["released"]"#));
    assert!(corrupt("declaration.released", "{}"));
    assert!(corrupt("declaration.released", r#"{"status":"flying"}"#));
    assert!(corrupt(
        "trader.status_changed",
        r#"{"aeo":"yes","suspended":false}"#
    ));
    assert!(corrupt(
        "payment.received",
        r#"{"amount":"1","balance":"0","currency":"KGS","key":"k","ledger":{"amount":"1","kind":"stolen"}}"#
    ));
    assert!(corrupt(
        "payment.received",
        r#"{"amount":"lots","balance":"0","currency":"KGS","key":"k"}"#
    ));
    assert!(corrupt(
        "user.removed",
        r#"{"name":"alice","password":"x"}"#
    ));
    assert!(corrupt("user.token_rotated", r#"{"token":"x"}"#));
    assert!(corrupt("declaration.assessed", r#"{"score":1}"#));
}

#[test]
fn a_stored_event_that_does_not_parse_names_its_sequence_number_and_field() {
    let stored = |kind: &str, payload: &str| crate::event_log::Event {
        seq: 42,
        at: "2026-01-01T00:00:00.000000Z".into(),
        kind: kind.into(),
        subject: "D1".into(),
        actor: "system".into(),
        payload: payload.into(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    let field_of = |e: crate::event_log::Event| match e.typed() {
        Err(StoreError::CorruptValue {
            table, id, field, ..
        }) => (table, id, field),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field_of(stored("declaration.released", r#"{"status":"flying"}"#)),
        ("events", "42".to_owned(), "payload")
    );
    assert_eq!(
        field_of(stored("declaration.flew", r#"{"status":"released"}"#)),
        ("events", "42".to_owned(), "kind")
    );
    assert!(matches!(
        stored("declaration.released", r#"{"status":"released"}"#).typed(),
        Ok(Event::DeclarationReleased(StatusChanged {
            status: tamga_types::Status::Released,
            channel: None
        }))
    ));
}
