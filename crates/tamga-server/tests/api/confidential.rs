//! Issue 23, item 1: the reasons of a risk selection are confidential to customs. A trader
//! learns the channel and what to do next from every answer that carries an assessment —
//! lodge, get, amend, list, history — and gets 403 for the replay; officers, analysts,
//! auditors and admins see the fired profiles, matched values, score and draws.

use serde_json::{Value, json};

use crate::helpers::{Backend, PARTY_A, TestApp, cheap_phones, declaration, profile};
use crate::on_both_backends;

on_both_backends!(
    a_trader_sees_the_channel_and_next_step_and_nothing_of_why,
    an_officer_sees_the_whole_assessment,
    an_analyst_sees_the_whole_assessment,
    an_auditor_sees_the_whole_assessment,
    an_admin_sees_the_whole_assessment,
);

/// What no trader's answer may contain once a profile sent its declaration to red.
const SECRETS: [&str; 11] = [
    "fired",
    "score",
    "seed",
    "random",
    "matched",
    "candidates",
    "thresholds",
    "assignment",
    "trader_category",
    "profiles_digest",
    "Undervalued smartphones from China",
];

struct Case {
    app: TestApp,
    trader: String,
    officer: String,
    profile_id: String,
    /// The trader's answer to lodging a declaration that the profile sent to red.
    lodged: Value,
}

impl Case {
    fn id(&self) -> &str {
        self.lodged["id"].as_str().expect("declaration id")
    }
}

/// An analyst's profile ([`profile`]) active, an officer at the office, and trader A's
/// declaration of cheap phones, which the profile sends to red.
async fn red_declaration(backend: Backend) -> Case {
    let app = TestApp::spawn(backend).await;
    let analyst = app.user("analyst", "analyst", None, None).await;
    let trader = app.user("trader-a", "trader", Some(PARTY_A), None).await;
    let officer = app.user("officer-1", "officer", None, Some("41701")).await;
    let (status, stored) = app
        .post("/api/v1/risk/profiles", &analyst, &profile())
        .await;
    assert_eq!(status, 201, "{stored}");
    let profile_id = stored["id"].as_str().expect("profile id").to_owned();
    let lodged = app.lodge(&trader, &cheap_phones(PARTY_A)).await;
    assert_eq!(lodged["channel"], "red", "{lodged}");
    assert_eq!(lodged["status"], "under_control", "{lodged}");
    Case {
        app,
        trader,
        officer,
        profile_id,
        lodged,
    }
}

/// Fails naming every secret `answer` gives away.
fn assert_tells_nothing_of_why(what: &str, answer: &Value, profile_id: &str) {
    let text = answer.to_string();
    let leaked: Vec<&str> = SECRETS
        .iter()
        .copied()
        .chain([profile_id])
        .filter(|s| text.contains(s))
        .collect();
    assert!(
        leaked.is_empty(),
        "{what} tells the trader {leaked:?}: {answer:#}"
    );
}

async fn a_trader_sees_the_channel_and_next_step_and_nothing_of_why(backend: Backend) {
    let k = red_declaration(backend).await;
    let app = &k.app;
    let id = k.id().to_owned();

    // The lodge answer: the channel and what to do next.
    assert_eq!(
        k.lodged["assessment"],
        json!({"channel": "red", "next": "physical_inspection"})
    );
    assert_tells_nothing_of_why("the lodge answer", &k.lodged, &k.profile_id);

    // One declaration, and the list.
    let (status, got) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["assessment"], k.lodged["assessment"]);
    assert_tells_nothing_of_why("GET /declarations/{id}", &got, &k.profile_id);
    let (status, list) = app.get("/api/v1/declarations", &k.trader).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_tells_nothing_of_why("the list", &list, &k.profile_id);

    // An amendment re-assesses: its answer is as terse. A fair declaration (green) amended
    // to the cheap phones goes red.
    let fair = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    assert_eq!(fair["channel"], "green");
    assert_eq!(
        fair["assessment"],
        json!({"channel": "green", "next": "payment"})
    );
    let fair_id = fair["id"].as_str().unwrap().to_owned();
    let (status, amended) = app
        .put(
            &format!("/api/v1/declarations/{fair_id}"),
            &k.trader,
            &json!({"reason": "quantity corrected", "declaration": cheap_phones(PARTY_A)}),
        )
        .await;
    assert_eq!(status, 200, "{amended}");
    assert_eq!(amended["channel"], "red");
    assert_eq!(
        amended["assessment"],
        json!({"channel": "red", "next": "physical_inspection"})
    );
    assert_tells_nothing_of_why("the amend answer", &amended, &k.profile_id);
    // An invalidation answers the same way: nothing left to do.
    let spare = app.lodge(&k.trader, &declaration(PARTY_A)).await;
    let (status, invalidated) = app
        .post(
            &format!(
                "/api/v1/declarations/{}/invalidate",
                spare["id"].as_str().unwrap()
            ),
            &k.trader,
            &json!({"reason": "lodged twice"}),
        )
        .await;
    assert_eq!(status, 200, "{invalidated}");
    assert_eq!(
        invalidated["assessment"],
        json!({"channel": "green", "next": "none"})
    );

    // The officer records a discrepancy with an internal note.
    let (_, tasks) = app.get("/api/v1/controls?status=open", &k.officer).await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["declaration"] == id.as_str())
        .expect("an open control")
        .clone();
    let (status, recorded) = app
        .post(
            &format!("/api/v1/controls/{}/result", task["id"].as_str().unwrap()),
            &k.officer,
            &json!({"outcome": "discrepancy",
                    "findings": [{"kind": "missing_document", "detail": "no certificate of conformity"}],
                    "note": "profile hit confirmed, keep watching this importer"}),
        )
        .await;
    assert_eq!(status, 200, "{recorded}");

    // The history: every version and every event, each payload without the reasons; the
    // control's outcome and findings (the legal basis of any duties) stay.
    for d in [&id, &fair_id] {
        let (status, history) = app
            .get(&format!("/api/v1/declarations/{d}/history"), &k.trader)
            .await;
        assert_eq!(status, 200, "{history}");
        let events = history["events"].as_array().expect("events");
        assert!(!events.is_empty());
        for e in events {
            assert_tells_nothing_of_why(
                &format!("event {}", e["kind"]),
                &e["payload"],
                &k.profile_id,
            );
        }
        assert_tells_nothing_of_why("the history", &history, &k.profile_id);
        let assessed: Vec<&Value> = events
            .iter()
            .filter(|e| e["kind"] == "declaration.assessed")
            .collect();
        assert!(!assessed.is_empty(), "{history}");
        assert_eq!(
            assessed.last().unwrap()["payload"],
            json!({"channel": "red"})
        );
        let opened = events
            .iter()
            .find(|e| e["kind"] == "control.opened")
            .expect("control.opened");
        assert!(opened["payload"].get("assigned_to").is_none(), "{opened}");
        assert!(opened["payload"].get("inspection").is_none(), "{opened}");
        assert_eq!(opened["payload"]["channel"], "red");
    }
    let (_, history) = app
        .get(&format!("/api/v1/declarations/{id}/history"), &k.trader)
        .await;
    let result = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "control.result_recorded")
        .expect("control.result_recorded");
    assert_eq!(result["payload"]["outcome"], "discrepancy");
    assert_eq!(
        result["payload"]["findings"][0]["kind"], "missing_document",
        "{result}"
    );
    assert!(result["payload"].get("note").is_none(), "{result}");
    // After the control, the next step is what is left: paying.
    let (_, got) = app
        .get(&format!("/api/v1/declarations/{id}"), &k.trader)
        .await;
    assert_eq!(got["status"], "awaiting_payment");
    assert_eq!(
        got["assessment"],
        json!({"channel": "red", "next": "payment"})
    );

    // The replay is customs' alone.
    for d in [&id, &fair_id] {
        let (status, replay) = app
            .get(
                &format!("/api/v1/declarations/{d}/assessment/replay"),
                &k.trader,
            )
            .await;
        assert_eq!(status, 403, "{replay}");
        assert_tells_nothing_of_why("the replay refusal", &replay, &k.profile_id);
    }
}

/// `token` sees the fired profile, its matched values, the score, the random draw and the
/// officer draw, in every answer; and may replay the assessment.
async fn assert_sees_everything(k: &Case, token: &str) {
    let app = &k.app;
    let id = k.id();
    let (status, got) = app.get(&format!("/api/v1/declarations/{id}"), token).await;
    assert_eq!(status, 200, "{got}");
    let a = &got["assessment"];
    assert_eq!(a["fired"][0]["profile"], k.profile_id.as_str(), "{a}");
    assert_eq!(a["fired"][0]["title"], "Undervalued smartphones from China");
    assert_eq!(a["fired"][0]["matched"].as_array().unwrap().len(), 3, "{a}");
    assert_eq!(a["score"], 80, "{a}");
    assert_eq!(a["random"]["seed"].as_str().unwrap().len(), 64, "{a}");
    assert!(a.get("thresholds").is_some(), "{a}");

    let (status, list) = app.get("/api/v1/declarations", token).await;
    assert_eq!(status, 200, "{list}");
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .expect("in the list");
    assert_eq!(item["assessment"], *a);

    let (status, history) = app
        .get(&format!("/api/v1/declarations/{id}/history"), token)
        .await;
    assert_eq!(status, 200, "{history}");
    let events = history["events"].as_array().unwrap();
    let assessed = events
        .iter()
        .find(|e| e["kind"] == "declaration.assessed")
        .expect("declaration.assessed");
    assert_eq!(assessed["payload"], *a);
    let opened = events
        .iter()
        .find(|e| e["kind"] == "control.opened")
        .expect("control.opened");
    let draw = &opened["payload"]["assignment"];
    assert_eq!(draw["seed"].as_str().unwrap().len(), 64, "{opened}");
    assert_eq!(
        draw["candidates"],
        json!([app.user_id(&k.officer).await]),
        "{opened}"
    );

    let (status, replay) = app
        .get(
            &format!("/api/v1/declarations/{id}/assessment/replay"),
            token,
        )
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["identical"], true, "{replay}");
    assert_eq!(
        replay["stored"]["fired"][0]["profile"],
        k.profile_id.as_str()
    );
}

async fn an_officer_sees_the_whole_assessment(backend: Backend) {
    let k = red_declaration(backend).await;
    assert_sees_everything(&k, &k.officer).await;
}

async fn an_analyst_sees_the_whole_assessment(backend: Backend) {
    let k = red_declaration(backend).await;
    let analyst = k.app.user("analyst-2", "analyst", None, None).await;
    assert_sees_everything(&k, &analyst).await;
}

async fn an_auditor_sees_the_whole_assessment(backend: Backend) {
    let k = red_declaration(backend).await;
    let auditor = k.app.user("auditor", "auditor", None, None).await;
    assert_sees_everything(&k, &auditor).await;
}

async fn an_admin_sees_the_whole_assessment(backend: Backend) {
    let k = red_declaration(backend).await;
    let admin = k.app.user("admin", "admin", None, None).await;
    assert_sees_everything(&k, &admin).await;
}
