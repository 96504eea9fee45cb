use crate::helpers::{Backend, PARTY_A, TestApp, declaration};
use crate::on_both_backends;
use tamga_store::VerifyReport;

on_both_backends!(
    audit_verify_passes_then_fails_after_one_event_is_edited_by_hand,
    audit_verify_finds_a_deleted_event,
    audit_verify_finds_reordered_events,
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
