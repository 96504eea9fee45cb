use serde_json::{Value, json};

use crate::helpers::{Backend, PARTY_A, PARTY_B, TestApp, declaration};
use crate::on_both_backends;

on_both_backends!(
    a_valid_declaration_is_stored_and_read_back_identically_after_a_restart,
    each_kind_of_bad_field_is_refused_with_its_code_and_path_and_nothing_is_stored,
    every_problem_comes_back_at_once,
    trader_a_can_neither_read_nor_lodge_for_trader_b,
    a_declaration_is_amended_with_a_reason_and_its_history_kept,
    an_invalidated_declaration_can_no_longer_be_amended,
    malformed_requests_get_json_errors_never_a_500,
    listing_filters_by_status_and_channel_and_pages,
    codes_that_are_not_goods_are_refused_as_unknown_hs_codes,
);

/// UN Comtrade's `9999` "commodities not specified according to kind" is a statistical
/// line in the nomenclature file, not goods; chapters 77 and 98 have no goods at all.
async fn codes_that_are_not_goods_are_refused_as_unknown_hs_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let trader = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    for code in ["9999990000", "7700000000", "9800000000"] {
        let mut body = declaration(PARTY_A);
        body["items"][0]["hs_code"] = json!(code);
        let (status, answer) = app.post("/api/v1/declarations", &trader, &body).await;
        assert_eq!(status, 422, "{code}: {answer}");
        assert_eq!(answer["errors"][0]["path"], "items[0].hs_code", "{code}");
        assert_eq!(answer["errors"][0]["code"], "unknown_hs_code", "{code}");
    }
    assert_eq!(app.count("declarations").await, 0);
}

async fn a_valid_declaration_is_stored_and_read_back_identically_after_a_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let body = declaration(PARTY_A);
    let (status, created) = app.post("/api/v1/declarations", &token, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    // Green, and duties and taxes due: it waits for payment.
    assert_eq!(created["status"], "awaiting_payment");
    assert_eq!(created["channel"], "green");
    // The trader is told the channel and what to do next, nothing of why…
    assert_eq!(
        created["assessment"],
        json!({"channel": "green", "next": "payment"})
    );
    // …customs see the whole assessment.
    assert_eq!(
        app.seen_by_customs(&created).await["assessment"]["reason"],
        "no risk profiles active"
    );
    assert_eq!(created["balance"], created["taxes"]["total"]);
    // The declared data comes back exactly as written, decimals' scale included.
    for key in body.as_object().unwrap().keys() {
        assert_eq!(created[key], body[key], "field {key}");
    }

    let app = app.restart().await;
    let (status, read) = app.get(&format!("/api/v1/declarations/{id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        read, created,
        "read back after restart differs from what was answered at lodgement"
    );
}

/// A change that breaks one field.
type Mutation = Box<dyn Fn(&mut Value)>;

/// (what to change, path expected, code expected)
fn bad_fields() -> Vec<(&'static str, Mutation, &'static str, &'static str)> {
    vec![
        (
            "unknown HS subheading",
            Box::new(|d: &mut Value| d["items"][0]["hs_code"] = json!("0000000000")),
            "items[0].hs_code",
            "unknown_hs_code",
        ),
        (
            "HS code with letters",
            Box::new(|d: &mut Value| d["items"][0]["hs_code"] = json!("85171A")),
            "items[0].hs_code",
            "bad_format",
        ),
        (
            "unknown origin",
            Box::new(|d: &mut Value| d["items"][0]["origin"] = json!("XX")),
            "items[0].origin",
            "unknown_country",
        ),
        (
            "unknown dispatch country",
            Box::new(|d: &mut Value| d["dispatch_country"] = json!("QQ")),
            "dispatch_country",
            "unknown_country",
        ),
        (
            "unknown currency",
            Box::new(|d: &mut Value| d["invoice"]["currency"] = json!("XYZ")),
            "invoice.currency",
            "unknown_currency",
        ),
        (
            "unknown office",
            Box::new(|d: &mut Value| d["office"] = json!("99999")),
            "office",
            "unknown_office",
        ),
        (
            "unknown border office",
            Box::new(|d: &mut Value| d["transport"]["border_office"] = json!("41799")),
            "transport.border_office",
            "unknown_office",
        ),
        (
            "amount as a JSON number",
            Box::new(|d: &mut Value| d["items"][0]["value"] = json!(15000.0)),
            "items[0].value",
            "bad_decimal",
        ),
        (
            "amount not a decimal",
            Box::new(|d: &mut Value| d["invoice"]["freight"] = json!("5OO")),
            "invoice.freight",
            "bad_decimal",
        ),
        (
            "zero quantity",
            Box::new(|d: &mut Value| d["items"][0]["quantity"] = json!("0")),
            "items[0].quantity",
            "not_positive",
        ),
        (
            "procedure of another type",
            Box::new(|d: &mut Value| d["procedure"] = json!("1000")),
            "procedure",
            "procedure_mismatch",
        ),
        (
            "net above gross",
            Box::new(|d: &mut Value| d["items"][0]["net_mass_kg"] = json!("30")),
            "items[0].net_mass_kg",
            "net_exceeds_gross",
        ),
        (
            "import without importer",
            Box::new(|d: &mut Value| {
                d.as_object_mut().unwrap().remove("importer");
            }),
            "importer",
            "missing",
        ),
        (
            "unknown type",
            Box::new(|d: &mut Value| d["type"] = json!("XX")),
            "type",
            "unknown_type",
        ),
        (
            "unknown unit",
            Box::new(|d: &mut Value| d["items"][0]["unit"] = json!("boxes")),
            "items[0].unit",
            "unknown_unit",
        ),
        (
            "unknown field",
            Box::new(|d: &mut Value| d["colour"] = json!("blue")),
            "colour",
            "unknown_field",
        ),
        (
            "no goods items",
            Box::new(|d: &mut Value| d["items"] = json!([])),
            "items",
            "empty",
        ),
        (
            "document without code",
            Box::new(|d: &mut Value| {
                d["documents"][0].as_object_mut().unwrap().remove("code");
            }),
            "documents[0].code",
            "missing",
        ),
        (
            "unknown preference",
            Box::new(|d: &mut Value| d["items"][0]["preference"] = json!("999")),
            "items[0].preference",
            "unknown_preference",
        ),
    ]
}

async fn each_kind_of_bad_field_is_refused_with_its_code_and_path_and_nothing_is_stored(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let cases = bad_fields();
    for (what, mutate, path, code) in &cases {
        let mut body = declaration(PARTY_A);
        mutate(&mut body);
        let (status, answer) = app.post("/api/v1/declarations", &token, &body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        let errors = answer["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["path"] == *path && e["code"] == *code),
            "{what}: expected {code} at {path}, got {answer}"
        );
        assert!(
            errors
                .iter()
                .all(|e| e["message"].as_str().is_some_and(|m| !m.is_empty())),
            "{what}: {answer}"
        );
    }
    assert_eq!(app.count("declarations").await, 0);
    assert_eq!(app.count("declaration_versions").await, 0);
    let kinds = app.event_kinds().await;
    let refused = kinds.iter().filter(|k| *k == "declaration.refused").count();
    assert_eq!(
        refused,
        cases.len(),
        "one refusal event per refused declaration: {kinds:?}"
    );
    let expected = [
        "reference.loaded",
        "tariff.imported",
        "exchange_rates.imported",
        "user.created",
        "declaration.refused",
    ];
    assert!(
        kinds.iter().all(|k| expected.contains(&k.as_str())),
        "{kinds:?}"
    );
}

async fn every_problem_comes_back_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let mut body = declaration(PARTY_A);
    // Rules that hide others are left out: an unknown type leaves the procedure and the
    // importer rules nothing to check against; an empty item list has no items to check.
    let combinable =
        |w: &&str| !["no goods items", "HS code with letters", "unknown type"].contains(w);
    for (_, mutate, _, _) in bad_fields().iter().filter(|(w, ..)| combinable(w)) {
        mutate(&mut body);
    }
    let (status, answer) = app.post("/api/v1/declarations", &token, &body).await;
    assert_eq!(status, 422);
    let errors = answer["errors"].as_array().unwrap();
    for (what, _, path, code) in bad_fields().iter().filter(|(w, ..)| combinable(w)) {
        assert!(
            errors
                .iter()
                .any(|e| e["path"] == *path && e["code"] == *code),
            "{what} missing from {answer}"
        );
    }
}

async fn trader_a_can_neither_read_nor_lodge_for_trader_b(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let b = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    let (status, of_b) = app
        .post("/api/v1/declarations", &b, &declaration(PARTY_B))
        .await;
    assert_eq!(status, 201);
    let id_b = of_b["id"].as_str().unwrap();

    // Reading another party's declaration answers 404, exactly as a missing one does.
    let (status, answer) = app.get(&format!("/api/v1/declarations/{id_b}"), &a).await;
    assert_eq!(status, 404, "{answer}");
    let (missing_status, missing) = app
        .get(
            "/api/v1/declarations/00000000-0000-0000-0000-000000000000",
            &a,
        )
        .await;
    assert_eq!((missing_status, &missing), (404, &answer));
    let (status, _) = app
        .get(&format!("/api/v1/declarations/{id_b}/history"), &a)
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/api/v1/declarations", &a).await;
    assert_eq!(list["total"], 0);

    // Lodging with B as declarant is forbidden to A, and stores nothing.
    let (status, answer) = app
        .post("/api/v1/declarations", &a, &declaration(PARTY_B))
        .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(app.count("declarations").await, 1);

    // A broker (A) declares for an importer (B): B sees it too.
    let mut brokered = declaration(PARTY_A);
    brokered["importer"] = json!(PARTY_B);
    let (status, created) = app.post("/api/v1/declarations", &a, &brokered).await;
    assert_eq!(status, 201);
    let (status, _) = app
        .get(
            &format!("/api/v1/declarations/{}", created["id"].as_str().unwrap()),
            &b,
        )
        .await;
    assert_eq!(status, 200);

    // Without a token, or with a wrong one: 401.
    let r = app
        .client
        .get(format!("{}/api/v1/declarations", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (status, _) = app.get("/api/v1/declarations", "tmg_not-a-token").await;
    assert_eq!(status, 401);
}

async fn a_declaration_is_amended_with_a_reason_and_its_history_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let other = app.user("trader-b", "trader", Some(PARTY_B), None).await;
    let body = declaration(PARTY_A);
    let (_, created) = app.post("/api/v1/declarations", &token, &body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/declarations/{id}");

    // Without a reason, or with a bad declaration: 422 with every problem, nothing changed.
    let mut bad = body.clone();
    bad["office"] = json!("1");
    let (status, answer) = app.put(&path, &token, &json!({"declaration": bad})).await;
    assert_eq!(status, 422);
    let paths: Vec<_> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains(&"reason".to_owned()) && paths.contains(&"declaration.office".to_owned()),
        "{answer}"
    );
    // Another party cannot amend it (it cannot even see it).
    let (status, _) = app
        .put(&path, &other, &json!({"reason": "x", "declaration": body}))
        .await;
    assert_eq!(status, 404);

    let mut amended = body.clone();
    amended["items"][0]["value"] = json!("16000.00");
    let (status, answer) = app
        .put(
            &path,
            &token,
            &json!({"reason": "price corrected", "declaration": amended}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["version"], 2);
    assert_eq!(answer["items"][0]["value"], "16000.00");
    // The higher value is taxed higher, and the balance follows.
    let before: rust_decimal::Decimal = created["balance"].as_str().unwrap().parse().unwrap();
    let after: rust_decimal::Decimal = answer["balance"].as_str().unwrap().parse().unwrap();
    assert!(after > before, "{before} → {after}");

    let (status, history) = app.get(&format!("{path}/history"), &token).await;
    assert_eq!(status, 200);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["declaration"]["items"][0]["value"], "15000.00");
    assert_eq!(versions[1]["reason"], "price corrected");
    let kinds: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "declaration.lodged",
            "declaration.assessed",
            "declaration.awaiting_payment",
            "declaration.amended",
            "declaration.assessed",
        ]
    );
    // The event recording each version carries the taxes assessed on it.
    let events = history["events"].as_array().unwrap();
    assert_eq!(
        events[0]["payload"]["taxes"]["total"],
        created["taxes"]["total"]
    );
    assert_eq!(
        events[3]["payload"]["taxes"]["total"],
        answer["taxes"]["total"]
    );
    assert_eq!(events[3]["payload"]["taxes"]["currency"], "KGS");
    assert_ne!(created["taxes"]["total"], answer["taxes"]["total"]);
    let (_, ledger) = app.get(&format!("{path}/ledger"), &token).await;
    assert_eq!(ledger["balance"], answer["balance"]);
}

async fn an_invalidated_declaration_can_no_longer_be_amended(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let (_, created) = app
        .post("/api/v1/declarations", &token, &declaration(PARTY_A))
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/invalidate"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/invalidate"),
            &token,
            &json!({"reason": "lodged twice"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "invalidated");
    let (status, answer) = app
        .put(
            &format!("/api/v1/declarations/{id}"),
            &token,
            &json!({"reason": "late fix", "declaration": declaration(PARTY_A)}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "not_amendable");
    let (status, answer) = app
        .post(
            &format!("/api/v1/declarations/{id}/invalidate"),
            &token,
            &json!({"reason": "again"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "not_invalidatable");
}

async fn malformed_requests_get_json_errors_never_a_500(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let url = format!("{}/api/v1/declarations", app.base);
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("not JSON", b"{not json".to_vec(), 400),
        ("empty body", Vec::new(), 400),
        ("JSON array", b"[1,2,3]".to_vec(), 422),
        ("JSON string", b"\"IM\"".to_vec(), 422),
        ("null", b"null".to_vec(), 422),
        (
            "deeply wrong types",
            br#"{"type":1,"items":{"a":1},"invoice":[],"transport":"road"}"#.to_vec(),
            422,
        ),
        ("invalid UTF-8", vec![b'{', 0xff, 0xfe, b'}'], 400),
        ("too large", vec![b' '; 2 * 1024 * 1024], 413),
    ];
    for (what, body, expected) in cases {
        // A fresh connection per case: the server may close one after refusing a body unread.
        let client = reqwest::Client::new();
        let r = client
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let answer: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(
            answer["errors"][0]["code"].is_string(),
            "{what}: not our error shape: {answer}"
        );
    }
    for (path, expected) in [
        ("/api/v1/declarations?status=approved", 400),
        ("/api/v1/declarations?limit=100000", 400),
        ("/api/v1/declarations?limit=abc", 400),
        ("/api/v1/nothing-here", 404),
    ] {
        let (status, answer) = app.get(path, &token).await;
        assert_eq!(status, expected, "{path}: {answer}");
        assert!(answer["errors"][0]["code"].is_string(), "{path}: {answer}");
    }
    let (status, doc) = app.get("/api/v1/openapi.json", &token).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/declarations"]["post"].is_object());
    let r = app
        .client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

async fn listing_filters_by_status_and_channel_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    for _ in 0..3 {
        let (status, _) = app
            .post("/api/v1/declarations", &token, &declaration(PARTY_A))
            .await;
        assert_eq!(status, 201);
    }
    let (_, page) = app.get("/api/v1/declarations?limit=2", &token).await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (_, page2) = app
        .get("/api/v1/declarations?limit=2&offset=2", &token)
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_ne!(page["items"][0]["id"], page2["items"][0]["id"]);
    let (_, waiting) = app
        .get(
            "/api/v1/declarations?status=awaiting_payment&channel=green",
            &token,
        )
        .await;
    assert_eq!(waiting["total"], 3);
    let (_, released) = app
        .get("/api/v1/declarations?status=released", &token)
        .await;
    assert_eq!(released["total"], 0);
    let (_, red) = app.get("/api/v1/declarations?channel=red", &token).await;
    assert_eq!(red["total"], 0);
}
