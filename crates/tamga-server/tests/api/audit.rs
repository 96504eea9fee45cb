use crate::helpers::{Backend, PARTY_A, TestApp, cheap_phones, declaration, profile};
use crate::on_both_backends;
use tamga_store::VerifyReport;
use tamga_store::checkpoint::{self, AuditKey, Checkpoint, TrailReport};

on_both_backends!(
    audit_verify_passes_then_fails_after_one_event_is_edited_by_hand,
    audit_verify_finds_a_deleted_event,
    audit_verify_finds_reordered_events,
    an_edited_event_with_recomputed_hashes_is_caught_by_the_signed_checkpoint,
    deleting_the_last_events_is_caught_by_the_stored_and_the_held_checkpoints,
    a_checkpoint_signed_by_another_key_is_refused,
    a_red_declaration_turned_green_and_released_is_caught_by_the_rebuild,
    a_forged_paid_ledger_row_is_caught_by_the_rebuild,
    a_changed_declared_value_is_caught_by_the_body_hash,
    the_checkpointer_signs_the_head_and_an_intact_trail_verifies,
);

async fn lodged_app(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let token = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    for _ in 0..3 {
        let (status, _) = app
            .post("/api/v1/declarations", &token, &declaration(PARTY_A))
            .await;
        assert_eq!(status, 201);
    }
    app
}

async fn verify(app: &TestApp) -> VerifyReport {
    tamga_store::event_log::verify(app.state.store.db())
        .await
        .unwrap()
}

async fn audit_verify_passes_then_fails_after_one_event_is_edited_by_hand(backend: Backend) {
    let app = lodged_app(backend).await;
    let events = app.count("events").await as u64;
    assert_eq!(verify(&app).await, VerifyReport::Ok { events });
    // Through the API too, for auditors.
    let auditor = app.user("auditor", "auditor", None, None).await;
    let (status, report) = app.get("/api/v1/audit/verify", &auditor).await;
    assert_eq!(status, 200);
    assert_eq!(report["ok"], true);

    let changed = app
        .execute_sql(
            "UPDATE events SET payload = '{\"channel\":\"green\",\"edited\":true}' WHERE seq = 5",
        )
        .await;
    assert_eq!(changed, 1);
    match verify(&app).await {
        VerifyReport::Broken { seq, .. } => assert_eq!(seq, 5),
        ok => panic!("an edited event went unnoticed: {ok:?}"),
    }
    let (_, report) = app.get("/api/v1/audit/verify", &auditor).await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken_at"], 5);
}

async fn audit_verify_finds_a_deleted_event(backend: Backend) {
    let app = lodged_app(backend).await;
    app.execute_sql("DELETE FROM events WHERE seq = 4").await;
    match verify(&app).await {
        VerifyReport::Broken { seq, .. } => assert_eq!(seq, 4),
        ok => panic!("a deleted event went unnoticed: {ok:?}"),
    }
}

async fn audit_verify_finds_reordered_events(backend: Backend) {
    let app = lodged_app(backend).await;
    // Swap the contents of events 4 and 5, keeping their sequence numbers.
    app.execute_sql("UPDATE events SET seq = -4 WHERE seq = 4")
        .await;
    app.execute_sql("UPDATE events SET seq = 4 WHERE seq = 5")
        .await;
    app.execute_sql("UPDATE events SET seq = 5 WHERE seq = -4")
        .await;
    match verify(&app).await {
        VerifyReport::Broken { seq, .. } => assert_eq!(seq, 4),
        ok => panic!("reordered events went unnoticed: {ok:?}"),
    }
}

fn signer() -> AuditKey {
    AuditKey::from_seed([7; 32])
}

async fn sign(app: &TestApp, key: &AuditKey) -> Checkpoint {
    checkpoint::sign_head(app.state.store.db(), key)
        .await
        .unwrap()
        .expect("a non-empty log")
}

async fn trail(app: &TestApp, held: &[Checkpoint]) -> TrailReport {
    checkpoint::verify_trail(app.state.store.db(), Some(&signer().public()), held, true)
        .await
        .unwrap()
}

fn reasons(r: &TrailReport) -> String {
    r.checkpoints
        .iter()
        .map(|f| format!("{}: {}", f.seq, f.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What someone holding the database but not the key can do: rewrite an event, then
/// recompute every hash from it on, so that the chain holds again.
async fn rewrite_event(app: &TestApp, seq: i64, payload: &str) {
    let events: Vec<tamga_store::Event> = tamga_store::on_pool!(app.state.store.db(), p =>
        sqlx::query_as::<_, tamga_store::Event>(
            "SELECT seq, at, kind, subject, actor, payload, prev_hash, hash FROM events ORDER BY seq",
        )
        .fetch_all(p)
        .await
        .unwrap());
    let mut prev = tamga_store::event_log::GENESIS.to_owned();
    for mut e in events {
        if e.seq == seq {
            e.payload = payload.to_owned();
        }
        e.prev_hash = prev.clone();
        let hash = e.computed_hash();
        if e.seq >= seq {
            tamga_store::on_pool!(app.state.store.db(), p => sqlx::query(
                "UPDATE events SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            )
            .bind(&e.payload)
            .bind(&e.prev_hash)
            .bind(&hash)
            .bind(e.seq)
            .execute(p)
            .await
            .map(drop)
            .unwrap());
        }
        prev = hash;
    }
}

async fn an_edited_event_with_recomputed_hashes_is_caught_by_the_signed_checkpoint(
    backend: Backend,
) {
    let app = lodged_app(backend).await;
    let signed = sign(&app, &signer()).await;
    let r = trail(&app, &[]).await;
    assert!(r.is_ok(), "{r:?}");
    // The first lodgement's `declaration.lodged`: claim no taxes were assessed.
    let kinds = app.event_kinds().await;
    let lodged = kinds
        .iter()
        .position(|k| k == "declaration.lodged")
        .unwrap() as i64
        + 1;
    rewrite_event(&app, lodged, r#"{"version":1,"body_hash":"forged"}"#).await;
    let r = trail(&app, &[]).await;
    assert_eq!(
        r.chain,
        VerifyReport::Ok {
            events: signed.event_count as u64
        },
        "the recomputed chain holds by itself"
    );
    assert!(!r.is_ok());
    let (seq, reason) = r.first_broken().unwrap();
    assert_eq!(seq, signed.seq);
    assert!(reason.contains("rewritten"), "{}", reasons(&r));
}

async fn deleting_the_last_events_is_caught_by_the_stored_and_the_held_checkpoints(
    backend: Backend,
) {
    let app = lodged_app(backend).await;
    let signed = sign(&app, &signer()).await;
    let held = checkpoint::all(app.state.store.db()).await.unwrap();
    assert_eq!(held, vec![signed.clone()]);
    // Cut the last three events off the end: the chain that is left holds.
    app.execute_sql(&format!(
        "DELETE FROM events WHERE seq > {}",
        signed.seq - 3
    ))
    .await;
    let r = trail(&app, &held).await;
    assert_eq!(
        r.chain,
        VerifyReport::Ok {
            events: signed.event_count as u64 - 3
        }
    );
    let found = reasons(&r);
    assert!(
        found.contains("the stored checkpoint") && found.contains("deleted from the end"),
        "{found}"
    );
    assert!(found.contains("the held checkpoint"), "{found}");
    assert_eq!(r.first_broken().unwrap().0, signed.seq - 2);
    // And with the checkpoint rows deleted too, the held copy still tells.
    app.execute_sql("DELETE FROM audit_checkpoints").await;
    let r = trail(&app, &held).await;
    let found = reasons(&r);
    assert!(
        found.contains("the held checkpoint") && found.contains("deleted from the end"),
        "{found}"
    );
    // Without the held copy, a configured key with no stored checkpoint is a finding.
    let r = trail(&app, &[]).await;
    assert!(
        reasons(&r).contains("no signed checkpoint"),
        "{}",
        reasons(&r)
    );
}

async fn a_checkpoint_signed_by_another_key_is_refused(backend: Backend) {
    let app = lodged_app(backend).await;
    sign(&app, &AuditKey::from_seed([8; 32])).await;
    let r = trail(&app, &[]).await;
    assert!(
        reasons(&r).contains("signed by another key"),
        "{}",
        reasons(&r)
    );
    // A checkpoint row whose key column names the configured key, signed by another.
    let mut forged = AuditKey::from_seed([8; 32]).sign(2, 2, "x", "2026-01-01T00:00:00Z");
    forged.public_key = signer().public_hex();
    let r = trail(&app, &[forged]).await;
    assert!(
        reasons(&r).contains("the signature does not match"),
        "{}",
        reasons(&r)
    );
}

/// An analyst's profile sends the cheap phones to red: the declaration is under control.
async fn red_declaration(app: &TestApp) -> String {
    let analyst = app.user("analyst", "analyst", None, None).await;
    let trader = app.user("trader-r", "trader", Some(PARTY_A), None).await;
    app.user("officer-1", "officer", None, Some("41701")).await;
    let (status, created) = app
        .post("/api/v1/risk/profiles", &analyst, &profile())
        .await;
    assert_eq!(status, 201, "{created}");
    let d = app.lodge(&trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(
        (d["channel"].as_str(), d["status"].as_str()),
        (Some("red"), Some("under_control"))
    );
    d["id"].as_str().unwrap().to_owned()
}

fn fields_of(r: &TrailReport, id: &str) -> Vec<String> {
    r.mismatches
        .iter()
        .filter(|m| m.declaration == id)
        .map(|m| m.field.clone())
        .collect()
}

async fn a_red_declaration_turned_green_and_released_is_caught_by_the_rebuild(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = red_declaration(&app).await;
    sign(&app, &signer()).await;
    assert!(trail(&app, &[]).await.is_ok());
    let n = app
        .execute_sql(&format!(
            "UPDATE declarations SET channel = 'green', status = 'released' WHERE id = '{id}'"
        ))
        .await;
    assert_eq!(n, 1);
    let r = trail(&app, &[]).await;
    assert!(r.checkpoints.is_empty(), "the events themselves are intact");
    assert_eq!(fields_of(&r, &id), vec!["status", "channel"]);
    let m = &r.mismatches[0];
    assert_eq!(
        (m.stored.as_str(), m.events.as_str()),
        ("released", "under_control")
    );
    assert!(!r.is_ok());
}

async fn a_forged_paid_ledger_row_is_caught_by_the_rebuild(backend: Backend) {
    let app = lodged_app(backend).await;
    let (id, balance): (String, String) = tamga_store::on_pool!(app.state.store.db(), p =>
        sqlx::query_as("SELECT id, balance FROM declarations ORDER BY id LIMIT 1")
            .fetch_one(p)
            .await
            .unwrap());
    assert!(balance.parse::<tamga_types::Decimal>().unwrap() > tamga_types::Decimal::ZERO);
    assert!(trail(&app, &[]).await.mismatches.is_empty());
    // A payment that never happened, with the balance and status made to agree with it:
    // the ledger reconciles with the balance, so only the events can tell.
    app.execute_sql(&format!(
        "INSERT INTO ledger (id, declaration_id, kind, amount, currency, idempotency_key, reference, actor, at) \
         VALUES ('forged', '{id}', 'paid', '{balance}', 'KGS', NULL, NULL, 'bank', '2026-01-01T00:00:00Z')"
    ))
    .await;
    app.execute_sql(&format!(
        "UPDATE declarations SET balance = '0', status = 'released' WHERE id = '{id}'"
    ))
    .await;
    let (_, unreconciled) = tamga_store::ledger::reconcile(app.state.store.db())
        .await
        .unwrap();
    assert!(unreconciled.is_empty(), "the forgery reconciles by itself");
    let r = trail(&app, &[]).await;
    assert_eq!(fields_of(&r, &id), vec!["status", "balance", "ledger.paid"]);
}

async fn a_changed_declared_value_is_caught_by_the_body_hash(backend: Backend) {
    let app = lodged_app(backend).await;
    let n = app
        .execute_sql(
            "UPDATE declarations SET body = replace(body, '\"value\":\"15000.00\"', '\"value\":\"1500.00\"')",
        )
        .await;
    assert_eq!(n, 3);
    let r = trail(&app, &[]).await;
    let bodies = r.mismatches.iter().filter(|m| m.field == "body").count();
    assert_eq!(bodies, 3, "{:#?}", r.mismatches);
    // The same edit on the stored version rows.
    app.execute_sql(
        "UPDATE declaration_versions SET body = replace(body, '\"value\":\"15000.00\"', '\"value\":\"1.00\"')",
    )
    .await;
    let r = trail(&app, &[]).await;
    assert_eq!(
        r.mismatches
            .iter()
            .filter(|m| m.field == "declaration_versions[1].body")
            .count(),
        3
    );
}

async fn the_checkpointer_signs_the_head_and_an_intact_trail_verifies(backend: Backend) {
    let app = lodged_app(backend).await;
    let task = tamga_server::audit::spawn_checkpointer(
        &app.state,
        signer(),
        std::time::Duration::from_millis(50),
    );
    let head = app.count("events").await;
    let mut stored = Vec::new();
    for _ in 0..100 {
        stored = checkpoint::all(app.state.store.db()).await.unwrap();
        if !stored.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(stored.len(), 1, "signed at start");
    assert_eq!(stored[0].seq, head);
    // The same head is not signed again; a new event is.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        checkpoint::all(app.state.store.db()).await.unwrap().len(),
        1
    );
    let token = app.user("trader-b", "trader", Some(PARTY_A), None).await;
    app.lodge(&token, &declaration(PARTY_A)).await;
    let head = app.count("events").await;
    for _ in 0..100 {
        stored = checkpoint::all(app.state.store.db()).await.unwrap();
        if stored.last().map(|c| c.seq) == Some(head) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    task.abort();
    // The new head is signed (maybe after an intermediate one), no head twice.
    assert_eq!(stored.last().unwrap().seq, head);
    assert!(stored.len() >= 2);
    assert!(stored.windows(2).all(|w| w[0].seq < w[1].seq), "{stored:?}");
    let r = trail(&app, &stored).await;
    assert!(r.is_ok(), "{r:#?}");
    assert_eq!(r.declarations, 4);
}
