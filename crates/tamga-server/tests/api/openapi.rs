//! Every answer the API tests receive is checked against the served OpenAPI document: its
//! status must be documented for the operation, and its body must validate against the
//! schema documented for that status (JSON Schema 2020-12, as OpenAPI 3.1 says). So a
//! schema written by hand for a type the derives cannot see (`crate::views`) cannot drift
//! from what is sent without some test failing.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::helpers::{Backend, PARTY_A, TestApp};
use crate::on_both_backends;

static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(tamga_server::openapi::document()).expect("document"));

/// Where the document is filed for the validator (it is never fetched).
const DOCUMENT_URL: &str = "http://tamga.invalid/openapi.json";

/// Every answer schema of the document, compiled, by (method, documented path, status).
struct Validators {
    schemas: boon::Schemas,
    compiled: HashMap<(String, String, String), boon::SchemaIndex>,
    /// The error shape, which a 5xx has although no operation documents one.
    errors: boon::SchemaIndex,
}

static VALIDATORS: LazyLock<Validators> = LazyLock::new(|| {
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    compiler
        .add_resource(DOCUMENT_URL, DOCUMENT.clone())
        .expect("the document as a schema resource");
    let mut schemas = boon::Schemas::new();
    let mut compiled = HashMap::new();
    for (template, item) in DOCUMENT["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            for (status, answer) in op["responses"].as_object().expect("responses") {
                if answer["content"]["application/json"]
                    .get("schema")
                    .is_none()
                {
                    continue;
                }
                let at = format!(
                    "{DOCUMENT_URL}#/paths/{}/{method}/responses/{status}/content/application~1json/schema",
                    token(template)
                );
                let index = compiler
                    .compile(&at, &mut schemas)
                    .unwrap_or_else(|e| panic!("the schema at {at} does not compile: {e:#}"));
                compiled.insert((method.clone(), template.clone(), status.clone()), index);
            }
        }
    }
    let errors = compiler
        .compile(
            &format!("{DOCUMENT_URL}#/components/schemas/FieldErrors"),
            &mut schemas,
        )
        .expect("the error schema compiles");
    Validators {
        schemas,
        compiled,
        errors,
    }
});

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
        // A literal segment beats a parameter.
        .max_by_key(|t| t.split('/').filter(|s| !s.starts_with('{')).count())
        .cloned()
}

/// A JSON pointer token as it sits in a URL fragment.
fn token(s: &str) -> String {
    s.replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// Fails unless `body`, answered with `status` to `method path`, is what the document says.
/// A path the document does not have (a test probing an unknown route) is not checked; a
/// 5xx (a test of fail-closed refusals) must still have the error shape.
pub fn check(method: &str, path: &str, status: u16, body: &Value) {
    let Some(template) = template_of(path) else {
        return;
    };
    let v = &*VALIDATORS;
    let answer = &DOCUMENT["paths"][&template][method]["responses"][status.to_string()];
    let index = if answer.is_null() && status >= 500 {
        v.errors
    } else {
        assert!(
            answer.is_object(),
            "{} {template} answered {status}, which the document does not list: {body}",
            method.to_uppercase()
        );
        match v
            .compiled
            .get(&(method.to_owned(), template, status.to_string()))
        {
            Some(&index) => index,
            None => return, // documented without a body
        }
    };
    if let Err(e) = v.schemas.validate(body, index) {
        panic!(
            "{} {path} answered {status} with a body its documented schema refuses:\n{e}\nbody: {body}",
            method.to_uppercase()
        );
    }
}

#[test]
fn an_answer_the_document_does_not_describe_is_refused() {
    let declared = std::panic::catch_unwind(|| {
        check(
            "get",
            "/health",
            200,
            &json!({"status": "ok", "database": "sqlite"}),
        )
    });
    assert!(declared.is_ok());
    let wrong = std::panic::catch_unwind(|| check("get", "/health", 200, &json!({"status": 1})));
    assert!(
        wrong.is_err(),
        "a number where the schema says an enum passed"
    );
    let undocumented =
        std::panic::catch_unwind(|| check("get", "/api/v1/audit/verify", 418, &json!({})));
    assert!(undocumented.is_err(), "an undocumented status passed");
    let not_the_error_shape =
        std::panic::catch_unwind(|| check("get", "/api/v1/me", 500, &json!({"oops": true})));
    assert!(
        not_the_error_shape.is_err(),
        "a 500 without the error shape passed"
    );
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
    assert_eq!(
        (status, &imported["imported"]),
        (201, &json!(1)),
        "{imported}"
    );
    let (status, rates) = app.get("/api/v1/exchange-rates", &trader).await;
    assert_eq!(status, 200, "{rates}");
    assert!(
        rates["rates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["currency"] == "EUR")
    );
}
