//! Risk management end to end: analysts' profiles (type-checked, versioned), the engine's
//! selection, control tasks nobody can get round, results, feedback, back-testing, replay,
//! random selection, fail-safe conditions and the trader's risk category.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tamga_types::Decimal;

use crate::helpers::{
    Backend, PARTY_A, PARTY_B, TestApp, cheap_phones, dec, declaration, error_codes, profile,
};
use crate::on_both_backends;

on_both_backends!(
    a_profile_that_does_not_type_check_is_refused_with_path_and_code_and_nothing_is_stored,
    only_analysts_write_profiles,
    a_fired_profile_sends_the_declaration_to_red_and_opens_a_control_for_an_officer_of_the_office,
    item_criteria_must_all_hold_for_the_same_goods_item,
    a_profile_scoped_to_an_office_fires_only_at_that_office,
    editing_a_profile_makes_version_2_and_old_decisions_keep_pointing_at_version_1,
    nobody_can_release_cancel_or_downgrade_a_selected_control_and_every_attempt_is_logged,
    an_officer_of_another_office_can_neither_see_nor_record_the_control,
    only_the_assigned_officer_records_the_result,
    the_recorded_result_moves_the_declaration_on_and_feeds_revenue_recovered_and_profile_stats,
    feedback_is_reported_per_profile_channel_and_office,
    a_backtest_reports_selections_and_hits_over_stored_history,
    replaying_a_stored_assessment_gives_the_identical_answer,
    random_selection_at_rate_one_sends_declarations_to_yellow_with_the_draw_recorded,
    a_condition_failing_at_run_time_fails_safe_to_at_least_yellow_and_shows_the_error,
    a_traders_risk_category_rises_with_its_discrepancies,
    a_reference_price_table_in_the_settings_flags_undervaluation_and_replays,
    a_16_kb_member_chain_condition_is_refused_and_the_server_stays_up,
);

struct World {
    app: TestApp,
    analyst: String,
    trader: String,
    officer: String,
}

/// An analyst, trader A, and one officer at 41701 (created before any lodgement, so that
/// control tasks get assigned).
async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let analyst = app.user("analyst", "analyst", None, None).await;
    let trader = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let officer = app.user("officer-1", "officer", None, Some("41701")).await;
    World {
        app,
        analyst,
        trader,
        officer,
    }
}

async fn create_profile(app: &TestApp, analyst: &str, body: &Value) -> Value {
    let (status, created) = app.post("/api/v1/risk/profiles", analyst, body).await;
    assert_eq!(status, 201, "{created}");
    created
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// The open control task of a declaration, as an officer (or admin…) sees it.
async fn open_task_of(app: &TestApp, token: &str, declaration: &str) -> Value {
    let (status, tasks) = app.get("/api/v1/controls?status=open", token).await;
    assert_eq!(status, 200, "{tasks}");
    tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["declaration"] == declaration)
        .cloned()
        .unwrap_or_else(|| panic!("no open control for {declaration} in {tasks}"))
}

/// Replays a stored assessment through the API and asserts the same answer.
async fn assert_replays_identically(app: &TestApp, token: &str, id: &str) {
    let (status, replay) = app
        .get(
            &format!("/api/v1/declarations/{id}/assessment/replay"),
            token,
        )
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["identical"], true, "{replay}");
    assert_eq!(replay["stored"], replay["replayed"]);
}

async fn record(app: &TestApp, officer: &str, declaration: &str, result: &Value) -> Value {
    let task = open_task_of(app, officer, declaration).await;
    let (status, answer) = app
        .post(
            &format!("/api/v1/controls/{}/result", id_of(&task)),
            officer,
            result,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn undervaluation(value: &str) -> Value {
    json!({"outcome": "discrepancy",
           "findings": [{"kind": "undervaluation", "item": 0, "corrected": {"value": value}}],
           "note": "invoice found in the cab shows a higher price"})
}

fn no_discrepancy() -> Value {
    json!({"outcome": "no_discrepancy", "note": "goods as declared"})
}

fn missing_document() -> Value {
    json!({"outcome": "discrepancy",
           "findings": [{"kind": "missing_document", "detail": "no certificate of conformity"}],
           "note": "documents incomplete"})
}

async fn a_profile_that_does_not_type_check_is_refused_with_path_and_code_and_nothing_is_stored(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "unknown field",
            Box::new(|p: &mut Value| p["colour"] = json!("red")),
            "colour",
            "unknown_field",
        ),
        (
            "wrong type",
            Box::new(|p: &mut Value| p["score"] = json!("sixty")),
            "score",
            "bad_type",
        ),
        (
            "operator not allowed on the field",
            Box::new(|p: &mut Value| p["criteria"][1]["op"] = json!("lt")),
            "criteria[1].op",
            "op_not_allowed",
        ),
        (
            "unknown criterion field",
            Box::new(|p: &mut Value| p["criteria"][0]["field"] = json!("items.colour")),
            "criteria[0].field",
            "unknown_criterion_field",
        ),
        (
            "a threshold that is not a decimal",
            Box::new(|p: &mut Value| p["criteria"][2]["value"] = json!("cheap")),
            "criteria[2].value",
            "bad_value",
        ),
        (
            "a CEL condition that does not parse",
            Box::new(|p: &mut Value| p["condition"] = json!("item.value > > 3")),
            "condition",
            "bad_expression",
        ),
        (
            "a CEL condition naming an unknown variable",
            Box::new(|p: &mut Value| p["condition"] = json!("shipment.weight > 3")),
            "condition",
            "bad_expression",
        ),
        (
            "an unknown measure",
            Box::new(|p: &mut Value| p["measure"] = json!("arrest")),
            "measure",
            "bad_measure",
        ),
    ];
    for (what, edit, path, code) in &cases {
        let mut body = profile();
        edit(&mut body);
        let (status, answer) = app.post("/api/v1/risk/profiles", &w.analyst, &body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        let codes = error_codes(&answer);
        assert!(
            codes.contains(&(path.to_string(), code.to_string())),
            "{what}: expected {path} {code}, got {codes:?}"
        );
    }

    // Every problem of one profile at once.
    let mut body = profile();
    for (_, edit, _, _) in cases.iter().take(4) {
        edit(&mut body);
    }
    body["condition"] = json!("item.value > > 3");
    let (status, answer) = app.post("/api/v1/risk/profiles", &w.analyst, &body).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_codes(&answer).len(),
        5,
        "every problem at once: {answer}"
    );

    // Nothing stored, nothing logged as created, the engine still has no profile.
    assert_eq!(app.count("risk_profiles").await, 0);
    let (_, list) = app.get("/api/v1/risk/profiles", &w.analyst).await;
    assert_eq!(list, json!([]));
    assert_eq!(app.events_of("risk.profile_created").await, 0);
    let created = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(created["channel"], "green");

    // A bad new version of an existing profile is refused too, and the profile keeps v1.
    let stored = create_profile(app, &w.analyst, &profile()).await;
    let mut bad = profile();
    bad["criteria"][1]["op"] = json!("gt");
    let (status, answer) = app
        .put(
            &format!("/api/v1/risk/profiles/{}", id_of(&stored)),
            &w.analyst,
            &bad,
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![("criteria[1].op".to_owned(), "op_not_allowed".to_owned())]
    );
    assert_eq!(app.count("risk_profiles").await, 1);
}

async fn only_analysts_write_profiles(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let admin = app.user("admin", "admin", None, None).await;
    let auditor = app.user("auditor", "auditor", None, None).await;
    for (who, token) in [
        ("trader", &w.trader),
        ("admin", &admin),
        ("officer", &w.officer),
        ("auditor", &auditor),
    ] {
        let (status, answer) = app.post("/api/v1/risk/profiles", token, &profile()).await;
        assert_eq!(status, 403, "{who} created a profile: {answer}");
    }
    let stored = create_profile(app, &w.analyst, &profile()).await;
    let path = format!("/api/v1/risk/profiles/{}", id_of(&stored));
    for (who, token) in [("trader", &w.trader), ("admin", &admin)] {
        let (status, _) = app.put(&path, token, &profile()).await;
        assert_eq!(status, 403, "{who} versioned a profile");
        let (status, _) = app.delete(&path, token).await;
        assert_eq!(status, 403, "{who} retired a profile");
        let (status, _) = app
            .post(
                "/api/v1/risk/backtest",
                token,
                &json!({"profile": profile(), "from": "2026-01-01", "to": "2026-12-31"}),
            )
            .await;
        assert_eq!(status, 403, "{who} back-tested");
        let (_, settings) = app.get("/api/v1/risk/settings", &w.analyst).await;
        let (status, _) = app.put("/api/v1/risk/settings", token, &settings).await;
        assert_eq!(status, 403, "{who} changed the selection settings");
    }
    // A trader does not even read the profiles (they would show how to evade them).
    let (status, _) = app.get("/api/v1/risk/profiles", &w.trader).await;
    assert_eq!(status, 403);
    assert_eq!(app.count("risk_profiles").await, 1);
    let (_, history) = app.get(&path, &w.analyst).await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 1);
}

async fn a_fired_profile_sends_the_declaration_to_red_and_opens_a_control_for_an_officer_of_the_office(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let officer_2 = app.user("officer-2", "officer", None, Some("41701")).await;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let ids: BTreeSet<String> =
        [app.user_id(&w.officer).await, app.user_id(&officer_2).await].into();

    let stored = create_profile(app, &w.analyst, &profile()).await;
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["active"], true);
    let profile_id = id_of(&stored);

    // The example declaration itself (150 USD per phone) is not selected…
    let fair = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    let fair = app.seen_by_customs(&fair).await;
    assert_eq!(fair["channel"], "green", "{}", fair["assessment"]);
    assert_eq!(fair["assessment"]["fired"], json!([]));

    // …1000 phones for the same money (15 USD each) are.
    let created = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let created = app.seen_by_customs(&created).await;
    let a = &created["assessment"];
    assert_eq!(created["channel"], "red", "{a}");
    assert_eq!(created["status"], "under_control");
    assert_eq!(a["channel"], "red");
    assert_eq!(a["fired"].as_array().unwrap().len(), 1, "{a}");
    let fired = &a["fired"][0];
    assert_eq!(fired["profile"], profile_id.as_str());
    assert_eq!(fired["version"], 1);
    assert_eq!(fired["score"], 60);
    assert_eq!(fired["measure"], "physical_inspection");
    // The profile's score plus the new (medium-risk) trader's.
    assert_eq!(a["trader_category"], "medium");
    assert_eq!(a["score"], 80);
    let matched: BTreeSet<(String, u64)> = fired["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["field"].as_str().unwrap().to_owned(),
                m["item"].as_u64().expect("item index"),
            )
        })
        .collect();
    assert_eq!(
        matched,
        [
            ("items.hs_code".to_owned(), 0),
            ("items.origin".to_owned(), 0),
            ("items.unit_value".to_owned(), 0),
        ]
        .into(),
        "{fired}"
    );
    let unit_value = fired["matched"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == "items.unit_value")
        .unwrap();
    assert_eq!(dec(&unit_value["value"]), Decimal::from(15));
    // The draw is recorded with the assessment.
    assert_eq!(a["random"]["seed"].as_str().unwrap().len(), 64);

    // A control task at the office, assigned by a recorded draw to one of its officers.
    let id = id_of(&created);
    let task = open_task_of(app, &w.officer, &id).await;
    assert_eq!(task["office"], "41701");
    assert_eq!(task["channel"], "red");
    assert_eq!(task["status"], "open");
    let assigned = task["assigned_to"].as_str().expect("assigned").to_owned();
    assert!(ids.contains(&assigned), "{assigned} not among {ids:?}");
    let draw = &task["assignment"];
    assert_eq!(draw["seed"].as_str().unwrap().len(), 64, "{draw}");
    let candidates: BTreeSet<String> = draw["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(candidates, ids);
    let index = draw["index"].as_u64().expect("index") as usize;
    assert_eq!(draw["candidates"][index], assigned.as_str());
    // The other officer of the office sees it too; an officer elsewhere does not.
    open_task_of(app, &officer_2, &id).await;
    let (_, far) = app.get("/api/v1/controls?status=open", &officer_far).await;
    assert_eq!(far, json!([]));
    let kinds = app.event_kinds().await;
    assert!(kinds.contains(&"control.opened".to_owned()));
    assert!(kinds.contains(&"declaration.held_for_control".to_owned()));
    // Only the selected declaration was counted as a selection.
    let (_, stats) = app
        .get(
            &format!("/api/v1/risk/profiles/{profile_id}/stats"),
            &w.analyst,
        )
        .await;
    assert_eq!(stats["selections"], 1, "{stats}");
}

async fn item_criteria_must_all_hold_for_the_same_goods_item(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    create_profile(app, &w.analyst, &profile()).await;

    // Item 0: smartphones, cheap, but from Germany. Item 1: cheap goods from China, but
    // laptops. Each item matches some criteria; no item matches all.
    let mut body = declaration(PARTY_A);
    body["items"] = json!([
        {"hs_code": "8517130000", "description": "Smartphones", "origin": "DE",
         "quantity": "1000", "unit": "p/st", "net_mass_kg": "200", "gross_mass_kg": "250",
         "value": "15000.00", "preference": "100"},
        {"hs_code": "8471300000", "description": "Laptops", "origin": "CN",
         "quantity": "1000", "unit": "p/st", "net_mass_kg": "2000", "gross_mass_kg": "2500",
         "value": "5000.00", "preference": "100"}
    ]);
    let split = app.lodge(&w.trader, &body).await;
    let split = app.seen_by_customs(&split).await;
    assert_eq!(
        split["assessment"]["fired"],
        json!([]),
        "{}",
        split["assessment"]
    );
    assert_eq!(split["channel"], "green");

    // A third item holding every criterion fires, and the match names that item.
    body["items"].as_array_mut().unwrap().push(
        json!({"hs_code": "8517130000", "description": "Smartphones", "origin": "HK",
               "quantity": "100", "unit": "p/st", "net_mass_kg": "20", "gross_mass_kg": "25",
               "value": "1000.00", "preference": "100"}),
    );
    let whole = app.lodge(&w.trader, &body).await;
    let whole = app.seen_by_customs(&whole).await;
    let fired = &whole["assessment"]["fired"];
    assert_eq!(
        fired.as_array().unwrap().len(),
        1,
        "{}",
        whole["assessment"]
    );
    for m in fired[0]["matched"].as_array().unwrap() {
        assert_eq!(m["item"], 2, "{m}");
    }
    assert_eq!(whole["channel"], "red");
}

async fn a_profile_scoped_to_an_office_fires_only_at_that_office(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let mut body = profile();
    body["scope"] = json!({"offices": ["41702"]});
    body["measure"] = json!("documentary_check");
    body["score"] = json!(10);
    let stored = create_profile(app, &w.analyst, &body).await;
    assert_eq!(stored["scope"], json!({"offices": ["41702"]}));

    let here = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let here = app.seen_by_customs(&here).await;
    assert_eq!(here["assessment"]["fired"], json!([]));
    assert_eq!(here["channel"], "green");

    let mut there = cheap_phones(PARTY_A);
    there["office"] = json!("41702");
    let there = app.lodge(&w.trader, &there).await;
    let there = app.seen_by_customs(&there).await;
    assert_eq!(there["assessment"]["fired"][0]["profile"], stored["id"]);
    assert_eq!(there["channel"], "yellow");
    assert_eq!(there["status"], "under_control");
    let task = open_task_of(app, &officer_far, &id_of(&there)).await;
    assert_eq!(task["office"], "41702");
    assert_eq!(
        task["assigned_to"].as_str(),
        Some(app.user_id(&officer_far).await.as_str())
    );
    let (_, mine) = app.get("/api/v1/controls?status=open", &w.officer).await;
    assert_eq!(mine, json!([]));
}

async fn editing_a_profile_makes_version_2_and_old_decisions_keep_pointing_at_version_1(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let v1 = create_profile(app, &w.analyst, &profile()).await;
    let id = id_of(&v1);
    let path = format!("/api/v1/risk/profiles/{id}");
    let first = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let first = app.seen_by_customs(&first).await;
    assert_eq!(first["assessment"]["fired"][0]["version"], 1);

    let mut edited = profile();
    edited["title"] = json!("Undervalued smartphones, Asia");
    edited["criteria"][1]["values"] = json!(["CN", "HK", "VN"]);
    edited["score"] = json!(70);
    let (status, v2) = app.put(&path, &w.analyst, &edited).await;
    assert_eq!(status, 200, "{v2}");
    assert_eq!(v2["id"], id.as_str());
    assert_eq!(v2["version"], 2);

    // Both versions readable, with who wrote them.
    let (status, history) = app.get(&path, &w.analyst).await;
    assert_eq!(status, 200);
    assert_eq!(history["profile"]["version"], 2);
    assert_eq!(history["profile"]["title"], "Undervalued smartphones, Asia");
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(
        versions[0]["profile"]["title"],
        "Undervalued smartphones from China"
    );
    assert_eq!(versions[0]["profile"]["score"], 60);
    assert_eq!(versions[1]["profile"]["score"], 70);
    assert_eq!(
        versions[0]["author"].as_str(),
        Some(app.user_id(&w.analyst).await.as_str())
    );

    // New decisions use v2; the old one still names v1.
    let second = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let second = app.seen_by_customs(&second).await;
    assert_eq!(second["assessment"]["fired"][0]["version"], 2);
    assert_eq!(second["assessment"]["fired"][0]["score"], 70);
    let (_, old) = app
        .get(
            &format!("/api/v1/declarations/{}", id_of(&first)),
            &w.analyst,
        )
        .await;
    assert_eq!(old["assessment"]["fired"][0]["version"], 1);
    assert_eq!(old["assessment"]["fired"][0]["score"], 60);
    // …and replays identically against v1.
    let (status, replay) = app
        .get(
            &format!("/api/v1/declarations/{}/assessment/replay", id_of(&first)),
            &w.analyst,
        )
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["identical"], true, "{replay}");

    let (_, stats) = app.get(&format!("{path}/stats"), &w.analyst).await;
    assert_eq!(stats["selections"], 2);
    assert_eq!(stats["versions"]["1"]["selections"], 1, "{stats}");
    assert_eq!(stats["versions"]["2"]["selections"], 1, "{stats}");

    // Retiring makes an inactive version 3; it fires no more, its history stays.
    let (status, v3) = app.delete(&path, &w.analyst).await;
    assert_eq!(status, 200, "{v3}");
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["active"], false);
    let third = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let third = app.seen_by_customs(&third).await;
    assert_eq!(third["assessment"]["fired"], json!([]));
    let (_, history) = app.get(&path, &w.analyst).await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 3);
    let kinds = app.event_kinds().await;
    for k in [
        "risk.profile_created",
        "risk.profile_versioned",
        "risk.profile_retired",
    ] {
        assert!(kinds.contains(&k.to_owned()), "no {k} event");
    }
}

async fn nobody_can_release_cancel_or_downgrade_a_selected_control_and_every_attempt_is_logged(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let admin = app.user("admin", "admin", None, None).await;
    create_profile(app, &w.analyst, &profile()).await;
    let created = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(created["channel"], "red");
    let id = id_of(&created);
    let task = open_task_of(app, &w.officer, &id).await;
    let task_id = id_of(&task);
    let before = app.events_of("control.override_refused").await;

    let everyone = [
        ("officer", &w.officer),
        ("admin", &admin),
        ("trader", &w.trader),
        ("analyst", &w.analyst),
    ];
    let mut refused = 0;
    for (who, token) in everyone {
        let (status, answer) = app
            .post(
                &format!("/api/v1/declarations/{id}/release"),
                token,
                &json!({}),
            )
            .await;
        assert_eq!(status, 409, "{who} released: {answer}");
        assert_eq!(answer["errors"][0]["code"], "control_pending", "{who}");
        refused += 1;

        for channel in ["green", "yellow", "blue"] {
            let (status, answer) = app
                .put(
                    &format!("/api/v1/declarations/{id}/channel"),
                    token,
                    &json!({"channel": channel}),
                )
                .await;
            assert_eq!(status, 409, "{who} set {channel}: {answer}");
            assert_eq!(answer["errors"][0]["code"], "channel_locked", "{who}");
            refused += 1;
        }

        let (status, answer) = app
            .post(
                &format!("/api/v1/controls/{task_id}/cancel"),
                token,
                &json!({}),
            )
            .await;
        if who == "trader" {
            // A trader cannot even see control tasks.
            assert_eq!(status, 404, "{answer}");
        } else {
            assert_eq!(status, 409, "{who} cancelled: {answer}");
            assert_eq!(
                answer["errors"][0]["code"], "control_cannot_be_cancelled",
                "{who}"
            );
            refused += 1;
        }
    }
    // The declarant cannot withdraw it either.
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/invalidate"),
            &w.trader,
            &json!({"reason": "changed my mind"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "control_pending");
    refused += 1;
    // Nor amend it while the control is open: only the officer's result changes it now.
    let (status, amended) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &w.trader,
            &json!({"reason": "quantity typo", "declaration": declaration(PARTY_A)}),
        )
        .await;
    assert_eq!(status, 409, "{amended}");
    assert_eq!(amended["errors"][0]["code"], "control_pending");
    refused += 1;

    assert_eq!(
        app.events_of("control.override_refused").await - before,
        refused,
        "every refused attempt is logged"
    );
    let (_, now) = app
        .get(&format!("/api/v1/declarations/{id}"), &w.officer)
        .await;
    assert_eq!(now["status"], "under_control");
    assert_eq!(now["channel"], "red");
    let (_, task) = app
        .get(&format!("/api/v1/controls/{task_id}"), &w.officer)
        .await;
    assert_eq!(task["status"], "open");
    // The audit chain still verifies.
    assert!(matches!(
        tamga_store::event_log::verify(app.state.store.db())
            .await
            .unwrap(),
        tamga_store::VerifyReport::Ok { .. }
    ));
}

async fn an_officer_of_another_office_can_neither_see_nor_record_the_control(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    create_profile(app, &w.analyst, &profile()).await;
    let created = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let id = id_of(&created);
    let task_id = id_of(&open_task_of(app, &w.officer, &id).await);

    let (status, _) = app
        .get(&format!("/api/v1/controls/{task_id}"), &officer_far)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post(
            &format!("/api/v1/controls/{task_id}/result"),
            &officer_far,
            &no_discrepancy(),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&format!("/api/v1/declarations/{id}"), &officer_far)
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/api/v1/controls", &officer_far).await;
    assert_eq!(list, json!([]));
    let (_, task) = app
        .get(&format!("/api/v1/controls/{task_id}"), &w.officer)
        .await;
    assert_eq!(task["status"], "open");
}

async fn only_the_assigned_officer_records_the_result(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let officer_2 = app.user("officer-2", "officer", None, Some("41701")).await;
    let admin = app.user("admin", "admin", None, None).await;
    create_profile(app, &w.analyst, &profile()).await;
    let created = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let task = open_task_of(app, &w.officer, &id_of(&created)).await;
    let path = format!("/api/v1/controls/{}/result", id_of(&task));
    let (assigned, other) = if task["assigned_to"].as_str() == Some(&app.user_id(&w.officer).await)
    {
        (&w.officer, &officer_2)
    } else {
        (&officer_2, &w.officer)
    };
    let (status, _) = app.post(&path, other, &no_discrepancy()).await;
    assert_eq!(status, 403, "an officer not drawn recorded the result");
    let (status, _) = app.post(&path, &admin, &no_discrepancy()).await;
    assert_eq!(status, 403, "an admin recorded a control result");
    // A malformed result is refused with paths.
    let (status, answer) = app
        .post(
            &path,
            assigned,
            &json!({"outcome": "discrepancy", "findings": [{"kind": "bribery", "item": 7}]}),
        )
        .await;
    assert_eq!(status, 422);
    let codes = error_codes(&answer);
    assert!(codes.contains(&("findings[0].kind".into(), "unknown_finding".into())));
    assert!(codes.contains(&("findings[0].item".into(), "unknown_item".into())));
    let (status, answer) = app.post(&path, assigned, &no_discrepancy()).await;
    assert_eq!(status, 200, "{answer}");
    // Once, not twice.
    let (status, answer) = app.post(&path, assigned, &no_discrepancy()).await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "control_closed");
}

async fn the_recorded_result_moves_the_declaration_on_and_feeds_revenue_recovered_and_profile_stats(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let bank = app.user("bank", "bank", None, None).await;
    let profile_id = id_of(&create_profile(app, &w.analyst, &profile()).await);
    let stats_path = format!("/api/v1/risk/profiles/{profile_id}/stats");
    let (_, stats) = app.get(&stats_path, &w.analyst).await;
    assert_eq!(stats["selections"], 0);
    assert_eq!(stats["hit_rate"], Value::Null);

    let first = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let id = id_of(&first);
    // 15000.00 USD declared; the officer finds the real price, 30000.00 USD.
    // Before: CV = (15000.00 + 520.00) × 87.38 = 1356137.60; VAT 12 % = 162736.51.
    // After:  CV = (30000.00 + 520.00) × 87.38 = 2666837.60; VAT 12 % = 320020.51.
    // Recovered: 320020.51 − 162736.51 = 157284.00.
    let answer = record(app, &w.officer, &id, &undervaluation("30000.00")).await;
    let control = &answer["control"];
    let after = &answer["declaration"];
    assert_eq!(control["status"], "done");
    assert_eq!(control["outcome"], "discrepancy");
    assert!(control["closed_at"].is_string());
    assert_eq!(control["findings"][0]["kind"], "undervaluation");
    assert_eq!(after["status"], "awaiting_payment");
    assert_eq!(after["version"], 2);
    assert_eq!(after["items"][0]["value"], "30000.00");
    let recovered = dec(&control["revenue_recovered"]);
    assert_eq!(
        recovered,
        dec(&after["taxes"]["total"]) - dec(&first["taxes"]["total"])
    );
    assert_eq!(recovered, "157284.00".parse::<Decimal>().unwrap());
    assert_eq!(dec(&after["balance"]), dec(&after["taxes"]["total"]));

    // The ledger holds the additional assessment; the history the corrected version.
    let (_, ledger) = app
        .get(&format!("/api/v1/declarations/{id}/ledger"), &w.officer)
        .await;
    let additional: Vec<&Value> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "additional")
        .collect();
    assert_eq!(additional.len(), 1, "{ledger}");
    assert_eq!(dec(&additional[0]["amount"]), recovered);
    let (_, history) = app
        .get(&format!("/api/v1/declarations/{id}/history"), &w.trader)
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
    assert!(
        app.event_kinds()
            .await
            .contains(&"control.result_recorded".to_owned())
    );
    let (_, done) = app.get("/api/v1/controls?status=done", &w.officer).await;
    assert_eq!(done.as_array().unwrap().len(), 1);

    let (_, stats) = app.get(&stats_path, &w.analyst).await;
    assert_eq!(stats["selections"], 1, "{stats}");
    assert_eq!(stats["controls_done"], 1);
    assert_eq!(stats["hits"], 1);
    assert_eq!(dec(&stats["hit_rate"]), Decimal::ONE);
    assert_eq!(dec(&stats["revenue_recovered"]), recovered);

    // A second selection found clean, a third still open.
    let second = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let answer = record(app, &w.officer, &id_of(&second), &no_discrepancy()).await;
    assert_eq!(dec(&answer["control"]["revenue_recovered"]), Decimal::ZERO);
    assert_eq!(answer["declaration"]["status"], "awaiting_payment");
    app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let (_, stats) = app.get(&stats_path, &w.analyst).await;
    assert_eq!(stats["selections"], 3, "{stats}");
    assert_eq!(stats["controls_done"], 2);
    assert_eq!(stats["hits"], 1);
    assert_eq!(dec(&stats["hit_rate"]), "0.5".parse::<Decimal>().unwrap());
    assert_eq!(dec(&stats["revenue_recovered"]), recovered);

    // Controlled and paid: released. Paying the corrected amount settles it.
    let (status, receipt) = app
        .post(
            "/api/v1/payments",
            &bank,
            &json!({"declaration": id, "amount": after["taxes"]["total"], "currency": "KGS", "key": "BANK-1"}),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["status"], "released");
    app.assert_ledger_reconciles().await;
}

async fn feedback_is_reported_per_profile_channel_and_office(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let officer_far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let red = id_of(&create_profile(app, &w.analyst, &profile()).await);
    let mut body = profile();
    body["scope"] = json!({"offices": ["41702"]});
    body["measure"] = json!("documentary_check");
    body["score"] = json!(0);
    let yellow = id_of(&create_profile(app, &w.analyst, &body).await);

    // 41701: one green, two red (one hit, one clean).
    app.lodge(&w.trader, &declaration(PARTY_A)).await;
    let r1 = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let r2 = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    record(app, &w.officer, &id_of(&r1), &undervaluation("30000.00")).await;
    record(app, &w.officer, &id_of(&r2), &no_discrepancy()).await;
    // 41702: both profiles fire (red wins); its control finds a missing document.
    let mut far = cheap_phones(PARTY_A);
    far["office"] = json!("41702");
    let f = app.lodge(&w.trader, &far).await;
    let f = app.seen_by_customs(&f).await;
    assert_eq!(f["channel"], "red");
    assert_eq!(f["assessment"]["fired"].as_array().unwrap().len(), 2);
    record(app, &officer_far, &id_of(&f), &missing_document()).await;

    let (status, fb) = app.get("/api/v1/risk/feedback", &w.analyst).await;
    assert_eq!(status, 200, "{fb}");
    let p = &fb["by_profile"];
    assert_eq!(p[&red]["selections"], 3, "{fb}");
    assert_eq!(p[&red]["controls_done"], 3);
    assert_eq!(p[&red]["hits"], 2);
    assert_eq!(p[&yellow]["selections"], 1);
    assert_eq!(p[&yellow]["hits"], 1);
    let c = &fb["by_channel"];
    assert_eq!(c["green"]["selections"], 1, "{fb}");
    assert_eq!(c["green"]["controls_done"], 0);
    assert_eq!(c["green"]["hit_rate"], Value::Null);
    assert_eq!(c["red"]["selections"], 3);
    assert_eq!(c["red"]["controls_done"], 3);
    assert_eq!(c["red"]["hits"], 2);
    assert_eq!(
        dec(&c["red"]["hit_rate"]),
        "0.6667".parse::<Decimal>().unwrap()
    );
    let o = &fb["by_office"];
    assert_eq!(o["41701"]["selections"], 3, "{fb}");
    assert_eq!(o["41701"]["controls_done"], 2);
    assert_eq!(o["41701"]["hits"], 1);
    assert_eq!(
        dec(&o["41701"]["revenue_recovered"]),
        "157284.00".parse::<Decimal>().unwrap()
    );
    assert_eq!(o["41702"]["selections"], 1);
    assert_eq!(o["41702"]["hits"], 1);
    // Traders do not read feedback.
    let (status, _) = app.get("/api/v1/risk/feedback", &w.trader).await;
    assert_eq!(status, 403);
}

async fn a_backtest_reports_selections_and_hits_over_stored_history(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    // What is live: every smartphone gets a documentary check.
    let mut live = profile();
    live["criteria"] = json!([{"field": "items.hs_code", "op": "prefix", "values": ["851713"]}]);
    live["measure"] = json!("documentary_check");
    live["score"] = json!(10);
    create_profile(app, &w.analyst, &live).await;

    let cheap = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let fair = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    let mut laptops = declaration(PARTY_A);
    laptops["items"][0]["hs_code"] = json!("8471300000");
    laptops["items"][0]["description"] = json!("Laptops");
    let laptops = app.lodge(&w.trader, &laptops).await;
    assert_eq!(laptops["channel"], "green");
    record(app, &w.officer, &id_of(&cheap), &missing_document()).await;
    record(app, &w.officer, &id_of(&fair), &no_discrepancy()).await;

    let today = tamga_server::declarations::today().to_string();
    let run =
        |draft: Value, from: &str, to: &str| json!({"profile": draft, "from": from, "to": to});
    // The draft (CONTRACT's example) would have picked the cheap one only, a hit.
    let (status, report) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &run(profile(), &today, &today),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["declarations"], 3, "{report}");
    assert_eq!(report["selected"], 1);
    assert_eq!(report["selected_controlled"], 1);
    assert_eq!(report["selected_discrepancies"], 1);
    assert_eq!(dec(&report["hit_rate"]), Decimal::ONE);
    assert_eq!(
        dec(&report["baseline_hit_rate"]),
        "0.5".parse::<Decimal>().unwrap()
    );
    assert_eq!(report["sample"], json!([id_of(&cheap)]));
    // The live profile's own criteria: both phones, one hit out of two.
    let (_, report) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &run(live, &today, &today),
        )
        .await;
    assert_eq!(report["selected"], 2, "{report}");
    assert_eq!(report["selected_controlled"], 2);
    assert_eq!(report["selected_discrepancies"], 1);
    // A period without declarations.
    let (_, report) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &run(profile(), "2025-01-01", "2025-12-31"),
        )
        .await;
    assert_eq!(report["declarations"], 0, "{report}");
    assert_eq!(report["selected"], 0);
    // A draft that does not type-check, and a reversed period.
    let mut bad = profile();
    bad["criteria"][1]["op"] = json!("lt");
    let (status, answer) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &run(bad, "2026-12-31", "2026-01-01"),
        )
        .await;
    assert_eq!(status, 422);
    let codes = error_codes(&answer);
    assert!(
        codes.contains(&("profile.criteria[1].op".into(), "op_not_allowed".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("to".into(), "bad_range".into())),
        "{codes:?}"
    );
    // A back-test stores no profile.
    assert_eq!(app.count("risk_profiles").await, 1);
}

async fn replaying_a_stored_assessment_gives_the_identical_answer(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    create_profile(app, &w.analyst, &profile()).await;
    // Random selection at half the declarations, so the recorded draw matters.
    let (_, mut settings) = app.get("/api/v1/risk/settings", &w.analyst).await;
    settings["random"] = json!({"yellow": "0.5", "red": "0.25"});
    let (status, answer) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 200, "{answer}");
    let mut ids = Vec::new();
    for i in 0..6 {
        let body = if i % 2 == 0 {
            declaration(PARTY_A)
        } else {
            cheap_phones(PARTY_A)
        };
        ids.push(id_of(&app.lodge(&w.trader, &body).await));
    }
    // Correcting a declaration by control does not change what was assessed.
    record(app, &w.officer, &ids[1], &undervaluation("30000.00")).await;
    for id in &ids {
        assert_replays_identically(app, &w.analyst, id).await;
    }
    // Only customs who may see the declaration replay it: an officer elsewhere gets 404…
    let far = app
        .user("officer-far", "officer", None, Some("41702"))
        .await;
    let (status, _) = app
        .get(
            &format!("/api/v1/declarations/{}/assessment/replay", ids[0]),
            &far,
        )
        .await;
    assert_eq!(status, 404);
    // …and every trader 403, for its own declarations, another's or none at all: the
    // reasons are confidential, and the same answer tells nothing of what exists.
    let other = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    for (token, id) in [
        (&other, ids[0].as_str()),
        (&w.trader, ids[0].as_str()),
        (&other, "no-such-id"),
    ] {
        let (status, _) = app
            .get(
                &format!("/api/v1/declarations/{id}/assessment/replay"),
                token,
            )
            .await;
        assert_eq!(status, 403, "{id}");
    }
}

async fn random_selection_at_rate_one_sends_declarations_to_yellow_with_the_draw_recorded(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let (status, mut settings) = app.get("/api/v1/risk/settings", &w.analyst).await;
    assert_eq!(status, 200);
    assert_eq!(dec(&settings["random"]["yellow"]), Decimal::ZERO);
    settings["random"] = json!({"yellow": "1", "red": "0"});
    let (status, answer) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        app.event_kinds()
            .await
            .contains(&"risk.settings_changed".to_owned())
    );

    for _ in 0..3 {
        let created = app.lodge(&w.trader, &declaration(PARTY_A)).await;
        let created = app.seen_by_customs(&created).await;
        let a = &created["assessment"];
        assert_eq!(created["channel"], "yellow", "{a}");
        assert_eq!(created["status"], "under_control");
        assert_eq!(a["random"]["selected"], "yellow", "{a}");
        assert_eq!(dec(&a["random"]["yellow_rate"]), Decimal::ONE);
        assert_eq!(a["random"]["seed"].as_str().unwrap().len(), 64);
        assert_eq!(a["fired"], json!([]));
        open_task_of(app, &w.officer, &id_of(&created)).await;
    }

    // Per office: red at 41702 only.
    settings["office_random"] = json!({"41702": {"yellow": "0", "red": "1"}});
    let (status, _) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 200);
    let mut far = declaration(PARTY_A);
    far["office"] = json!("41702");
    let far = app.lodge(&w.trader, &far).await;
    let far = app.seen_by_customs(&far).await;
    assert_eq!(far["channel"], "red");
    assert_eq!(far["assessment"]["random"]["selected"], "red");
    let here = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    assert_eq!(here["channel"], "yellow");

    // Rates are fractions from 0 to 1.
    settings["random"] = json!({"yellow": "1.5", "red": "0"});
    let (status, answer) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "bad_rate");
}

async fn a_condition_failing_at_run_time_fails_safe_to_at_least_yellow_and_shows_the_error(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let mut body = profile();
    body["criteria"] = json!([{"field": "items.hs_code", "op": "prefix", "values": ["851713"]}]);
    // Parses, names known variables, but cannot turn "Smartphones" into an integer.
    body["condition"] = json!("int(item.description) > 0");
    body["measure"] = json!("none");
    body["score"] = json!(0);
    let (status, stored) = app.post("/api/v1/risk/profiles", &w.analyst, &body).await;
    assert_eq!(status, 201, "{stored}");
    let id = id_of(&stored);

    let created = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    let created = app.seen_by_customs(&created).await;
    let a = &created["assessment"];
    let channel = created["channel"].as_str().unwrap();
    assert!(
        channel == "yellow" || channel == "red",
        "failed safe to {channel}: {a}"
    );
    assert_eq!(created["status"], "under_control");
    let errors = a["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{a}");
    assert_eq!(errors[0]["profile"], id.as_str());
    assert_eq!(errors[0]["version"], 1);
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
    assert_eq!(a["fired"][0]["profile"], id.as_str());
    assert_eq!(a["fired"][0]["failed_safe"], true);
    // The analysts see it on the declaration, and a control is open for it.
    let (_, seen) = app
        .get(
            &format!("/api/v1/declarations/{}", id_of(&created)),
            &w.analyst,
        )
        .await;
    assert_eq!(seen["assessment"]["errors"], a["errors"]);
    open_task_of(app, &w.officer, &id_of(&created)).await;
    // The server still answers normally.
    let (status, _) = app.get("/health", &w.analyst).await;
    assert_eq!(status, 200);
}

async fn a_traders_risk_category_rises_with_its_discrepancies(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let admin = app.user("admin", "admin", None, None).await;
    let other = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    let trader_path = format!("/api/v1/traders/{PARTY_A}");
    let category = |v: &Value| v["risk_category"].as_str().unwrap_or("").to_owned();

    // New: medium. The trader reads its own record, not another's.
    let (status, t) = app.get(&trader_path, &w.analyst).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(category(&t), "medium");
    let (status, _) = app.get(&trader_path, &w.trader).await;
    assert_eq!(status, 200);
    let (status, _) = app.get(&trader_path, &other).await;
    assert_eq!(status, 404);

    // Registry status is the admin's to set; an AEO with a clean record is low risk.
    let status_path = format!("{trader_path}/status");
    let (status, _) = app
        .put(
            &status_path,
            &w.analyst,
            &json!({"aeo": true, "suspended": false}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, t) = app
        .put(
            &status_path,
            &admin,
            &json!({"aeo": true, "suspended": false}),
        )
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(category(&t), "low");

    let mut live = profile();
    live["measure"] = json!("documentary_check");
    live["score"] = json!(0);
    create_profile(app, &w.analyst, &live).await;
    let first = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let first = app.seen_by_customs(&first).await;
    assert_eq!(first["assessment"]["trader_category"], "low");
    assert_eq!(first["assessment"]["trader_score"], 0);
    record(app, &w.officer, &id_of(&first), &missing_document()).await;
    let (_, t) = app.get(&trader_path, &w.analyst).await;
    assert_eq!(category(&t), "medium", "{t}");
    assert_eq!(t["record"]["discrepancies"], 1);

    for _ in 0..2 {
        let d = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
        record(app, &w.officer, &id_of(&d), &missing_document()).await;
    }
    let (_, t) = app.get(&trader_path, &w.analyst).await;
    assert_eq!(category(&t), "high", "{t}");
    assert_eq!(t["record"]["discrepancies"], 3);
    assert_eq!(t["record"]["controls"], 3);

    // The category weighs on the next assessment: 50 points, yellow on its own.
    let next = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    let next = app.seen_by_customs(&next).await;
    assert_eq!(next["assessment"]["trader_category"], "high");
    assert_eq!(next["assessment"]["trader_score"], 50);
    assert_eq!(next["channel"], "yellow");

    // The record survives a restart (it is derived from stored history).
    let app = w.app.restart().await;
    let (_, t) = app.get(&trader_path, &w.analyst).await;
    assert_eq!(category(&t), "high", "{t}");
}

async fn a_reference_price_table_in_the_settings_flags_undervaluation_and_replays(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let mut p = profile();
    p["criteria"] = json!([
        {"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"}
    ]);
    let stored = create_profile(app, &w.analyst, &p).await;
    let (_, mut settings) = app.get("/api/v1/risk/settings", &w.analyst).await;
    assert!(settings.get("reference_prices").is_none(), "{settings}");

    // Every problem of a bad table at once, and nothing changes.
    settings["reference_prices"] =
        json!({"prices": {"85x": {"currency": "XXQ", "unit_price": "0"}}});
    let (status, answer) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 422, "{answer}");
    let codes: BTreeSet<(String, String)> = error_codes(&answer).into_iter().collect();
    let want: BTreeSet<(String, String)> = [
        ("reference_prices.prices.85x", "bad_hs_prefix"),
        ("reference_prices.prices.85x.currency", "unknown_currency"),
        ("reference_prices.prices.85x.unit_price", "not_positive"),
    ]
    .iter()
    .map(|(p, c)| (p.to_string(), c.to_string()))
    .collect();
    assert_eq!(codes, want);
    let (_, unchanged) = app.get("/api/v1/risk/settings", &w.analyst).await;
    assert!(unchanged.get("reference_prices").is_none(), "{unchanged}");

    // Without a table the ratio is absent and the profile cannot fire.
    let before = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let before = app.seen_by_customs(&before).await;
    assert_eq!(before["channel"], "green", "{before}");

    settings["reference_prices"] =
        json!({"prices": {"8517": {"currency": "USD", "unit_price": "120.00"}}});
    let (status, answer) = app
        .put("/api/v1/risk/settings", &w.analyst, &settings)
        .await;
    assert_eq!(status, 200, "{answer}");
    // 150 a phone against 120: ratio 1.25, not selected.
    let fair = app.lodge(&w.trader, &declaration(PARTY_A)).await;
    assert_eq!(fair["channel"], "green", "{fair}");
    // 15 a phone against 120: ratio 0.125, selected, the ratio shown as matched.
    let cheap = app.lodge(&w.trader, &cheap_phones(PARTY_A)).await;
    let cheap = app.seen_by_customs(&cheap).await;
    assert_eq!(cheap["channel"], "red", "{cheap}");
    let fired = &cheap["assessment"]["fired"][0];
    assert_eq!(fired["profile"], stored["id"]);
    assert_eq!(fired["matched"][0]["field"], "items.reference_price_ratio");
    assert_eq!(dec(&fired["matched"][0]["value"]), Decimal::new(125, 3));
    // The table is part of the digest: the replay uses the prices the decision used.
    assert_replays_identically(app, &w.analyst, &id_of(&cheap)).await;
    assert_ne!(
        before["assessment"]["profiles_digest"],
        cheap["assessment"]["profiles_digest"]
    );
    assert!(
        cheap["assessment"].get("exchange_rates").is_none(),
        "{cheap}"
    );

    // Invoiced in EUR: the USD price is converted with the day's rates, which the
    // assessment records (a replay converts with them, not with later rates).
    let mut in_euro = cheap_phones(PARTY_A);
    in_euro["invoice"]["currency"] = json!("EUR");
    let euro = app.lodge(&w.trader, &in_euro).await;
    let euro = app.seen_by_customs(&euro).await;
    assert_eq!(euro["channel"], "red", "{euro}");
    let rates = &euro["assessment"]["exchange_rates"];
    let (usd, eur) = (dec(&rates["USD"]), dec(&rates["EUR"]));
    assert!(
        usd > Decimal::ZERO && eur > Decimal::ZERO && usd != eur,
        "{rates}"
    );
    let fired = &euro["assessment"]["fired"][0];
    assert_eq!(fired["matched"][0]["field"], "items.reference_price_ratio");
    let unit_value = Decimal::new(15, 0);
    let price_in_euro = Decimal::new(120, 0) * usd / eur;
    assert_eq!(
        dec(&fired["matched"][0]["value"]),
        (unit_value / price_in_euro).normalize()
    );
    assert_replays_identically(app, &w.analyst, &id_of(&euro)).await;

    // Back-testing reads the table in force, converting as the engine does: a draft on
    // the ratio picks the three cheap lodgements of today (the one lodged before the
    // table too, in USD and in EUR), not the fair one.
    let today = tamga_server::declarations::today().to_string();
    let (status, report) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &json!({"profile": p, "from": today, "to": today}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["declarations"], 4, "{report}");
    assert_eq!(report["selected"], 3, "{report}");
}

/// Issue 12: a condition with an 8,000-deep member chain (16 KB) used to overflow the stack
/// in the write-time check and abort the process. It is refused before parsing, on the
/// profile endpoint and in a back-test's draft alike, and the server keeps answering; so
/// does a body nested past serde_json's recursion limit (128).
async fn a_16_kb_member_chain_condition_is_refused_and_the_server_stays_up(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let mut deep = profile();
    deep["condition"] = json!(format!("declaration{}", ".a".repeat(8_000)));
    let (status, answer) = app.post("/api/v1/risk/profiles", &w.analyst, &deep).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![("condition".to_owned(), "condition_too_long".to_owned())]
    );
    let today = tamga_server::declarations::today().to_string();
    let (status, answer) = app
        .post(
            "/api/v1/risk/backtest",
            &w.analyst,
            &json!({"profile": deep, "from": today, "to": today}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        error_codes(&answer).contains(&(
            "profile.condition".to_owned(),
            "condition_too_long".to_owned()
        )),
        "{answer}"
    );
    // Short, but past the operator bound.
    let mut chain = profile();
    chain["condition"] = json!(format!("declaration{} == 1", ".a".repeat(200)));
    let (status, answer) = app.post("/api/v1/risk/profiles", &w.analyst, &chain).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        error_codes(&answer),
        vec![("condition".to_owned(), "condition_too_deep".to_owned())]
    );
    // A body nested 10,000 deep: serde_json stops at 128 levels, a 400, not a crash.
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let response = app
        .client
        .post(format!("{}/api/v1/risk/profiles", app.base))
        .bearer_auth(&w.analyst)
        .header("content-type", "application/json")
        .body(nested)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // Still alive: a real profile is stored afterwards.
    create_profile(app, &w.analyst, &profile()).await;
    assert_eq!(app.count("risk_profiles").await, 1);
}
