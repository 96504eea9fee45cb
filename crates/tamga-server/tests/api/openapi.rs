//! Every answer the API tests receive is checked against the served OpenAPI document: its
//! status must be documented for the operation, and its body must validate against the
//! schema documented for that status (JSON Schema 2020-12, as OpenAPI 3.1 says). So a
//! schema written by hand for a type the derives cannot see (`crate::views`) cannot drift
//! from what is sent without some test failing.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Value, json};

use crate::helpers::{Backend, PARTY_A, TestApp};
use crate::on_both_backends;

static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(tamga_server::openapi::document()).expect("document"));

type Key = (String, String, String);

static VALIDATORS: LazyLock<Mutex<HashMap<Key, Option<Arc<jsonschema::Validator>>>>> =
    LazyLock::new(Default::default);

/// The documented path (`/api/v1/declarations/{id}`) a request path falls under.
fn template_of(path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    DOCUMENT["paths"]
        .as_object()?
        .keys()
        .filter(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == parts.len()
                && ts
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
        })
        // A literal segment beats a parameter (`/risk/profiles/x` is not `/risk/{y}/x`).
        .max_by_key(|t| t.split('/').filter(|s| !s.starts_with('{')).count())
        .cloned()
}

/// The validator of the answer `status` of `method template`; `None` when the answer is
/// documented without a body.
fn validator(method: &str, template: &str, status: u16) -> Option<Arc<jsonschema::Validator>> {
    let key = (method.to_owned(), template.to_owned(), status.to_string());
    let mut cache = VALIDATORS.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| {
            let answer = &DOCUMENT["paths"][template][method]["responses"][status.to_string()];
            assert!(
                answer.is_object(),
                "{} {template} answered {status}, which the document does not list",
                method.to_uppercase()
            );
            let schema = answer["content"]["application/json"].get("schema")?;
            let mut root = json!({"components": DOCUMENT["components"]});
            for (k, v) in schema.as_object().expect("a schema object") {
                root[k] = v.clone();
            }
            Some(Arc::new(
                jsonschema::draft202012::new(&root).expect("the document's schema compiles"),
            ))
        })
        .clone()
}

/// Fails unless `body`, answered with `status` to `method path`, is what the document says.
pub fn check(method: &str, path: &str, status: u16, body: &Value) {
    let Some(template) = template_of(path) else {
        panic!("{} {path} is not in the OpenAPI document", method.to_uppercase());
    };
    let Some(v) = validator(method, &template, status) else {
        return;
    };
    let problems: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("  at `{}`: {e}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "{} {path} answered {status} with a body its documented schema refuses:\n{}\nbody: {body}",
        method.to_uppercase(),
        problems.join("\n")
    );
}

#[test]
fn an_answer_the_document_does_not_describe_is_refused() {
    let declared = std::panic::catch_unwind(|| {
        check("get", "/health", 200, &json!({"status": "ok", "database": "sqlite"}))
    });
    assert!(declared.is_ok());
    let wrong = std::panic::catch_unwind(|| check("get", "/health", 200, &json!({"status": 1})));
    assert!(wrong.is_err(), "a number where the schema says an enum passed");
    let undocumented =
        std::panic::catch_unwind(|| check("get", "/api/v1/audit/verify", 418, &json!({})));
    assert!(undocumented.is_err(), "an undocumented status passed");
    assert_eq!(
        template_of("/api/v1/declarations/abc/history?x=1").as_deref(),
        Some("/api/v1/declarations/{id}/history")
    );
}

on_both_backends!(health_and_exchange_rates_answer_as_documented);

/// The answers that the other tests do not read through `TestApp`'s calls.
async fn health_and_exchange_rates_answer_as_documented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = app
        .client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    check("get", "/health", status, &body);
    assert_eq!(body["status"], "ok");

    let admin = app.user("admin", "admin", None, None).await;
    let trader = app.user("trader", "trader", Some(PARTY_A), None).await;
    let (status, imported) = app
        .post(
            "/api/v1/exchange-rates",
            &admin,
            &json!({"rates": [{"date": "2026-11-23", "currency": "EUR", "rate": "95.10"}]}),
        )
        .await;
    assert_eq!((status, &imported["imported"]), (201, &json!(1)), "{imported}");
    let (status, rates) = app.get("/api/v1/exchange-rates", &trader).await;
    assert_eq!(status, 200, "{rates}");
    assert!(rates["rates"].as_array().unwrap().iter().any(|r| r["currency"] == "EUR"));
}
