//! Issue 12's holes, each with the attack that opened it: amending away a control or its
//! taxes, NUL characters and huge amounts that answered 500, payments where nothing is due,
//! and roles that saw or did more than their trade (banks, admins).

use serde_json::{Value, json};
use tamga_types::Decimal;

use crate::helpers::{
    Backend, PARTY_A, PARTY_B, TestApp, cheap_phones, dec, declaration, error_codes, profile,
};
use crate::on_both_backends;

on_both_backends!(
    a_trader_cannot_amend_a_declaration_under_control_and_the_attempt_is_logged,
    an_amendment_after_a_control_opens_a_control_of_the_new_version,
    lower_duties_file_a_claim_that_only_an_officer_of_the_office_decides,
    a_refused_claim_leaves_the_ledger_as_it_was,
    nul_characters_are_refused_at_the_edge_never_a_500,
    huge_amounts_are_refused_and_never_overflow,
    a_payment_when_nothing_is_due_is_refused_and_an_overpayment_is_a_credit,
    a_bank_sees_only_the_amount_due_found_by_number,
    an_admin_neither_lodges_nor_pays,
    release_is_refused_when_the_stored_balance_cannot_be_read,
);

struct Cast {
    app: TestApp,
    trader: String,
    officer: String,
    officer_far: String,
    analyst: String,
    bank: String,
    admin: String,
}

async fn cast(backend: Backend) -> Cast {
    let app = TestApp::spawn(backend).await;
    let trader = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let officer = app.user("officer-1", "officer", None, Some("41701")).await;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let analyst = app.user("analyst", "analyst", None, None).await;
    let bank = app.user("bank", "bank", None, None).await;
    let admin = app.user("admin", "admin", None, None).await;
    Cast {
        app,
        trader,
        officer,
        officer_far,
        analyst,
        bank,
        admin,
    }
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// A bank's payment notification in the national currency: (status, answer).
async fn pay(
    app: &TestApp,
    bank: &str,
    id: &str,
    amount: impl ToString,
    key: &str,
) -> (u16, Value) {
    app.post(
        "/api/v1/payments",
        bank,
        &json!({"declaration": id, "amount": amount.to_string(), "currency": "KGS", "key": key}),
    )
    .await
}

fn amendment(value: &str, quantity: &str) -> Value {
    let mut body = declaration(PARTY_A);
    body["items"][0]["value"] = json!(value);
    body["items"][0]["quantity"] = json!(quantity);
    json!({"reason": "invoice corrected", "declaration": body})
}

async fn ledger_entries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let (status, l) = app
        .get(&format!("/api/v1/declarations/{id}/ledger"), token)
        .await;
    assert_eq!(status, 200, "{l}");
    l["entries"].as_array().unwrap().clone()
}

fn negative_additionals(entries: &[Value]) -> Vec<Value> {
    entries
        .iter()
        .filter(|e| e["kind"] == "additional" && dec(&e["amount"]) < Decimal::ZERO)
        .cloned()
        .collect()
}

async fn open_tasks_of(app: &TestApp, officer: &str, id: &str) -> Vec<Value> {
    let (status, tasks) = app.get("/api/v1/controls?status=open", officer).await;
    assert_eq!(status, 200, "{tasks}");
    tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["declaration"] == id)
        .cloned()
        .collect()
}

async fn a_red_declaration(k: &Cast) -> Value {
    let (status, p) = k
        .app
        .post("/api/v1/risk/profiles", &k.analyst, &profile())
        .await;
    assert_eq!(status, 201, "{p}");
    let created = k.app.lodge(&k.trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(created["channel"], "red", "{created}");
    assert_eq!(created["status"], "under_control");
    created
}

async fn a_trader_cannot_amend_a_declaration_under_control_and_the_attempt_is_logged(
    backend: Backend,
) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = a_red_declaration(&k).await;
    let id = id_of(&created);
    let before = app.events_of("control.override_refused").await;
    // The attack: value 15,000 → 100 while the goods wait for inspection.
    let (status, answer) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("100.00", "1000"),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "control_pending");
    assert_eq!(app.events_of("control.override_refused").await - before, 1);
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.officer)
        .await;
    assert_eq!(now["version"], 1);
    assert_eq!(now["status"], "under_control");
    assert_eq!(now["balance"], created["balance"]);
    assert_eq!(now["taxes"], created["taxes"]);
    assert!(negative_additionals(&ledger_entries(app, &k.officer, &id).await).is_empty());
}

async fn an_amendment_after_a_control_opens_a_control_of_the_new_version(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = a_red_declaration(&k).await;
    let id = id_of(&created);
    let task = open_tasks_of(app, &k.officer, &id).await.remove(0);
    let (status, answer) = app
        .post(
            &format!("/api/v1/controls/{}/result", id_of(&task)),
            &k.officer,
            &json!({"outcome": "no_discrepancy", "note": "goods as declared"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["declaration"]["status"], "awaiting_payment");
    let due = dec(&answer["declaration"]["balance"]);

    // The attack: quantity 1, value 1.00 once the officer has looked, then pay the crumbs.
    let (status, amended) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("1.00", "1"),
        )
        .await;
    assert_eq!(status, 200, "{amended}");
    assert_eq!(amended["version"], 2);
    assert_eq!(amended["channel"], "red", "the channel never goes down");
    assert_eq!(amended["status"], "under_control", "a new control, of v2");
    assert_eq!(
        dec(&amended["balance"]),
        due,
        "lower duties wait for an officer"
    );
    let tasks = open_tasks_of(app, &k.officer, &id).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_ne!(tasks[0]["id"], task["id"]);
    assert!(negative_additionals(&ledger_entries(app, &k.officer, &id).await).is_empty());
    // Paying what the amendment claims is due does not release anything.
    let (status, receipt) = pay(app, &k.bank, &id, "1.00", "crumbs").await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["status"], "under_control");
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/release"),
            &k.officer,
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "control_pending");
    // The assessment of v2 is in the log, and the version's control too.
    let (_, history) = app
        .get(&format!("/api/v1/declarations/{id}/history"), &k.officer)
        .await;
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "declaration.assessed")
            .count(),
        2
    );
    assert_eq!(kinds.iter().filter(|k| **k == "control.opened").count(), 2);
    assert!(kinds.contains(&"amendment.reduction_requested"));
    // The officer controls v2 and finds it as declared: the control's result sets the duties
    // (the officer writes the reduction) and closes the claim.
    let (status, answer) = app
        .post(
            &format!("/api/v1/controls/{}/result", id_of(&tasks[0])),
            &k.officer,
            &json!({"outcome": "no_discrepancy", "note": "one phone, as declared"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let v2_total = dec(&amended["taxes"]["total"]);
    assert_eq!(dec(&answer["control"]["revenue_recovered"]), v2_total - due);
    let negatives = negative_additionals(&ledger_entries(app, &k.officer, &id).await);
    assert_eq!(negatives.len(), 1);
    let (_, claims) = app
        .get(&format!("/api/v1/declarations/{id}/claims"), &k.officer)
        .await;
    assert_eq!(claims[0]["status"], "superseded", "{claims}");
    app.assert_ledger_reconciles().await;
}

async fn lower_duties_file_a_claim_that_only_an_officer_of_the_office_decides(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    assert_eq!(created["status"], "awaiting_payment", "{created}");
    let id = id_of(&created);
    let before = dec(&created["balance"]);
    let (status, amended) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("10000.00", "100"),
        )
        .await;
    assert_eq!(status, 200, "{amended}");
    let lower = dec(&amended["taxes"]["total"]);
    assert!(lower < before);
    assert_eq!(dec(&amended["balance"]), before, "the ledger waits");
    assert!(negative_additionals(&ledger_entries(app, &k.trader, &id).await).is_empty());

    let (status, claims) = app
        .get(&format!("/api/v1/declarations/{id}/claims"), &k.trader)
        .await;
    assert_eq!(status, 200, "{claims}");
    let claim = claims[0].clone();
    assert_eq!(claim["status"], "pending");
    assert_eq!(dec(&claim["amount"]), before - lower);
    assert_eq!(claim["version"], 2);
    let claim_id = id_of(&claim);

    // One claim at a time.
    let (status, answer) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("9000.00", "100"),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "claim_pending");

    // Who decides: the officer of the office, nobody else.
    let decision = |d: &str| json!({"decision": d, "note": "the corrected invoice is genuine"});
    let path = format!("/api/v1/claims/{claim_id}/decision");
    for (who, token, code) in [
        ("trader", &k.trader, 403),
        ("admin", &k.admin, 403),
        ("analyst", &k.analyst, 403),
        ("bank", &k.bank, 403),
        ("officer of another office", &k.officer_far, 404),
    ] {
        let (status, answer) = app.post(&path, token, &decision("granted")).await;
        assert_eq!(status, code, "{who}: {answer}");
    }
    let (status, answer) = app
        .post(&path, &k.officer, &json!({"decision": "granted"}))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![("note".to_owned(), "missing".to_owned())]
    );
    let (status, queue) = app.get("/api/v1/claims?status=pending", &k.officer).await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let (_, far_queue) = app
        .get("/api/v1/claims?status=pending", &k.officer_far)
        .await;
    assert!(far_queue.as_array().unwrap().is_empty());

    let (status, granted) = app.post(&path, &k.officer, &decision("granted")).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["status"], "granted");
    let officer_id = app.user_id(&k.officer).await;
    assert_eq!(granted["decided_by"], officer_id.as_str());
    let (status, again) = app.post(&path, &k.officer, &decision("refused")).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["errors"][0]["code"], "claim_decided");

    let negatives = negative_additionals(&ledger_entries(app, &k.trader, &id).await);
    assert_eq!(negatives.len(), 1);
    assert_eq!(dec(&negatives[0]["amount"]), lower - before);
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(dec(&now["balance"]), lower);
    assert_eq!(app.events_of("amendment.reduction_decided").await, 1);
    // Every negative `additional` in the ledger carries an officer's name.
    let rows: Vec<(String,)> = match app.state.store.db() {
        tamga_store::Db::Sqlite(p) => sqlx::query_as(
            "SELECT actor FROM ledger WHERE kind = 'additional' AND amount LIKE '-%'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        tamga_store::Db::Postgres(p) => sqlx::query_as(
            "SELECT actor FROM ledger WHERE kind = 'additional' AND amount LIKE '-%'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    assert_eq!(rows, vec![(officer_id,)]);
    app.assert_ledger_reconciles().await;
}

async fn a_refused_claim_leaves_the_ledger_as_it_was(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let (status, _) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("100.00", "100"),
        )
        .await;
    assert_eq!(status, 200);
    let (_, claims) = app
        .get(&format!("/api/v1/declarations/{id}/claims"), &k.officer)
        .await;
    let claim_id = id_of(&claims[0]);
    let (status, refused) = app
        .post(
            &format!("/api/v1/claims/{claim_id}/decision"),
            &k.officer,
            &json!({"decision": "refused", "note": "no proof of the lower price"}),
        )
        .await;
    assert_eq!(status, 200, "{refused}");
    assert_eq!(refused["status"], "refused");
    let entries = ledger_entries(app, &k.trader, &id).await;
    assert_eq!(entries.len(), 1, "only the assessment: {entries:?}");
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(now["balance"], created["balance"]);
    assert_eq!(now["status"], "awaiting_payment");
    // Decided, the claim no longer blocks a new amendment.
    let (status, answer) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &k.trader,
            &amendment("15000.00", "100"),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    app.assert_ledger_reconciles().await;
}

async fn nul_characters_are_refused_at_the_edge_never_a_500(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    for path in [
        "/api/v1/declarations/%00abc".to_owned(),
        format!("/api/v1/declarations/{id}%00"),
        "/api/v1/declarations?status=%00".to_owned(),
        "/api/v1/controls/%00".to_owned(),
    ] {
        let (status, answer) = app.get(&path, &k.officer).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(answer["errors"][0]["code"], "nul_character", "{path}");
    }
    let (status, answer) = pay(app, &k.bank, &id, "1.00", "k\u{0}x").await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![("key".to_owned(), "nul_character".to_owned())]
    );
    let mut body = amendment("15000.00", "100");
    body["reason"] = json!("typo\u{0}");
    body["declaration"]["items"][0]["description"] = json!("phones\u{0}");
    let (status, answer) = app
        .put(&format!("/api/v1/declarations/{id}"), &k.trader, &body)
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![
            (
                "declaration.items[0].description".to_owned(),
                "nul_character".to_owned()
            ),
            ("reason".to_owned(), "nul_character".to_owned()),
        ]
    );
    // A console form too.
    let r = app
        .client
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=admin%00&password=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Nothing was stored by any of them, and the server still answers.
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(now["version"], 1);
    assert_eq!(ledger_entries(app, &k.trader, &id).await.len(), 1);
}

async fn huge_amounts_are_refused_and_never_overflow(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let id = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    for key in ["huge-1", "huge-2"] {
        let (status, answer) = pay(app, &k.bank, &id, "50000000000000000000000000000", key).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(
            error_codes(&answer),
            vec![("amount".to_owned(), "amount_too_large".to_owned())]
        );
    }
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/refund"),
            &k.officer,
            &json!({"amount": "79228162514264337593543950335", "reason": "x", "key": "r"}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    // The largest allowed amount is taken, as a credit.
    let (status, receipt) = pay(app, &k.bank, &id, tamga_server::payments::MAX_AMOUNT, "max").await;
    assert_eq!(status, 201, "{receipt}");
    assert!(dec(&receipt["balance"]) < Decimal::ZERO);
    app.assert_ledger_reconciles().await;
}

async fn a_payment_when_nothing_is_due_is_refused_and_an_overpayment_is_a_credit(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    let over = (dec(&created["balance"]) + d("100.00")).to_string();
    let (status, receipt) = pay(app, &k.bank, &id, &over, "P-1").await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["status"], "released");
    assert_eq!(dec(&receipt["overpaid"]), d("100.00"));
    assert_eq!(dec(&receipt["balance"]), d("-100.00"));
    // Released and settled: a second transfer is not taken.
    let (status, answer) = pay(app, &k.bank, &id, "5.00", "P-2").await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "nothing_due");
    // The same notification repeated is still answered as applied once.
    let (status, again) = pay(app, &k.bank, &id, &over, "P-1").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["applied"], false);
    // An invalidated declaration takes no payment.
    let other = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    let (status, _) = app
        .post(
            &format!("/api/v1/declarations/{other}/invalidate"),
            &k.trader,
            &json!({"reason": "lodged twice"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = pay(app, &k.bank, &other, "5.00", "P-3").await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "nothing_due");
    app.assert_ledger_reconciles().await;
}

async fn a_bank_sees_only_the_amount_due_found_by_number(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let trader_b = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    let created = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let id = id_of(&created);
    for path in [
        "/api/v1/declarations".to_owned(),
        format!("/api/v1/declarations/{id}"),
        format!("/api/v1/declarations/{id}/history"),
        format!("/api/v1/declarations/{id}/ledger"),
        format!("/api/v1/declarations/{id}/assessment/replay"),
        format!("/api/v1/declarations/{id}/claims"),
    ] {
        let (status, answer) = app.get(&path, &k.bank).await;
        assert_eq!(status, 403, "{path}: {answer}");
    }
    let (status, due) = app
        .get(&format!("/api/v1/payments/due/{id}"), &k.bank)
        .await;
    assert_eq!(status, 200, "{due}");
    let mut keys: Vec<&str> = due
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, vec!["balance", "currency", "declaration", "status"]);
    assert_eq!(due["balance"], created["balance"]);
    let (status, _) = app
        .get("/api/v1/payments/due/no-such-declaration", &k.bank)
        .await;
    assert_eq!(status, 404);
    // A trader reads its own amount due; not another party's.
    let (status, _) = app
        .get(&format!("/api/v1/payments/due/{id}"), &k.trader)
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get(&format!("/api/v1/payments/due/{id}"), &trader_b)
        .await;
    assert_eq!(status, 404);
}

async fn an_admin_neither_lodges_nor_pays(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let (status, answer) = app
        .post("/api/v1/declarations", &k.admin, &declaration(PARTY_A))
        .await;
    assert_eq!(status, 403, "{answer}");
    let id = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    let (status, answer) = pay(app, &k.admin, &id, "1.00", "adm").await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(ledger_entries(app, &k.trader, &id).await.len(), 1);
}

async fn release_is_refused_when_the_stored_balance_cannot_be_read(backend: Backend) {
    let k = cast(backend).await;
    let app = &k.app;
    let id = id_of(&app.lodge(&k.trader, &declaration(PARTY_A)).await);
    // An insider (or a disk) leaves a balance that is not a number.
    app.execute_sql(&format!(
        "UPDATE declarations SET balance = 'paid' WHERE id = '{id}'"
    ))
    .await;
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/release"),
            &k.officer,
            &json!({}),
        )
        .await;
    assert_ne!(status, 200, "released on an unreadable balance: {answer}");
    let (status, answer) = pay(app, &k.bank, &id, "1.00", "c").await;
    assert_ne!(status, 201, "paid on an unreadable balance: {answer}");
    let rows: Vec<(String,)> = match app.state.store.db() {
        tamga_store::Db::Sqlite(p) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM declarations WHERE id = '{id}'"
        )))
        .fetch_all(p)
        .await
        .unwrap(),
        tamga_store::Db::Postgres(p) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM declarations WHERE id = '{id}'"
        )))
        .fetch_all(p)
        .await
        .unwrap(),
    };
    assert_eq!(rows, vec![("awaiting_payment".to_owned(),)]);
}
