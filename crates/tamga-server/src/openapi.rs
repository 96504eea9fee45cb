//! The OpenAPI 3 document, generated from the handlers' annotations.
//!
//! The handlers read their bodies as untrusted JSON (`crate::json::JsonBody`) and validate
//! them by hand, so the request body schemas below are written for the document: each says
//! the shape the validator accepts (enums, lengths, patterns, decimal strings). A body the
//! schema allows may still be refused with 422 for what a schema cannot know (an unknown
//! HS code, a declaration in the wrong status): every operation lists that answer.
//!
//! The answers every operation shares are added by [`StandardAnswers`] rather than written
//! on each handler: 401 and the bearer requirement under `/api/v1`, 400 and 413 where there
//! is a body, 400 where there are query parameters, 404 where there are path parameters.
//!
//! The document is committed at the repository's root as `openapi.json` ([`document_text`]);
//! a test fails when the two differ, and another when any schema is a bare JSON object.

use serde::Deserialize;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tamga e-customs API", description = "Electronic declarations, risk management, duties and taxes. See CONTRACT.md. Every error answer is `{\"errors\": [{\"path\", \"code\", \"message\"}]}` (schema `FieldErrors`)."),
    paths(
        routes::health::health,
        routes::health::me,
        routes::declarations::lodge,
        routes::declarations::list,
        routes::declarations::get,
        routes::declarations::amend,
        routes::declarations::invalidate,
        routes::declarations::release,
        routes::declarations::history,
        routes::audit::verify,
        routes::auth::lockouts,
        routes::auth::unlock,
        routes::risk::create,
        routes::risk::update,
        routes::risk::retire,
        routes::risk::list,
        routes::risk::get,
        routes::risk::stats,
        routes::risk::feedback,
        routes::risk::backtest,
        routes::risk::settings,
        routes::risk::put_settings,
        routes::risk::trader,
        routes::risk::put_trader_status,
        routes::controls::list,
        routes::controls::get,
        routes::controls::result,
        routes::controls::cancel,
        routes::controls::change_channel,
        routes::controls::replay,
        routes::payments::notify,
        routes::payments::ledger,
        routes::payments::guarantee,
        routes::payments::refund,
        routes::payments::rates,
        routes::payments::post_rates,
        routes::payments::due,
        routes::claims::list,
        routes::claims::get,
        routes::claims::decide,
        routes::claims::of_declaration,
    ),
    components(schemas(tamga_types::FieldErrors, tamga_types::FieldError)),
    modifiers(&BearerAuth, &StandardAnswers, &SchemaCorrections),
    tags(
        (name = "declarations", description = "Goods declarations and their lifecycle"),
        (name = "audit", description = "The hash-chained event log"),
        (name = "risk", description = "Risk profiles, feedback, back-testing, trader categories"),
        (name = "controls", description = "Control tasks; the channel cannot be overridden"),
        (name = "payments", description = "Duties and taxes: payments, guarantees, refunds, exchange rates"),
        (name = "users", description = "Users and roles"),
        (name = "system", description = "Health")
    )
)]
pub struct ApiDoc;

/// The name of the security scheme every `/api/v1` operation requires.
pub const BEARER: &str = "bearer";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the API token `tamga user add` prints"))
                    .build(),
            ),
        );
    }
}

/// Adds the answers every operation of a kind gives, each with the error schema.
struct StandardAnswers;

impl Modify for StandardAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let secured = path.starts_with("/api/v1/");
            for (method, op) in [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ] {
                if let Some(op) = op {
                    standard_answers(op, secured, method, path);
                }
            }
        }
    }
}

/// Operations any authenticated caller may call: no 403.
const OPEN_TO_EVERY_ROLE: &[(&str, &str)] =
    &[("get", "/api/v1/me"), ("get", "/api/v1/exchange-rates")];

fn standard_answers(op: &mut Operation, secured: bool, method: &str, path: &str) {
    if secured {
        if op.security.as_ref().is_none_or(Vec::is_empty) {
            op.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
        }
        error_answer(op, 401, "no valid bearer token (`unauthenticated`)");
        if !OPEN_TO_EVERY_ROLE.contains(&(method, path)) {
            error_answer(
                op,
                403,
                "the caller's role (or its party or office) may not do this (`forbidden`)",
            );
        }
        if method != "get" {
            error_answer(
                op,
                409,
                "the record's state forbids it, or it changed meanwhile (`concurrent_change`, …)",
            );
        }
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        params.iter().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let (query, path) = (has(ParameterIn::Query), has(ParameterIn::Path));
    if op.request_body.is_some() {
        error_answer(
            op,
            400,
            "the body is not JSON (`bad_json`) or cannot be read (`bad_body`)",
        );
        error_answer(op, 413, "the body exceeds the size limit (`too_large`)");
    }
    if query {
        error_answer(
            op,
            400,
            "a query parameter is malformed or out of range (`bad_query`, `unknown_status`, `out_of_range`, …)",
        );
    }
    if path {
        error_answer(
            op,
            404,
            "no such resource, or one the caller may not see (`not_found`)",
        );
    }
    // Answers any call can get, whatever its shape (`nul.rs`, `throttle.rs`, `edge.rs`).
    error_answer(
        op,
        400,
        "a NUL character in the path, the query or the body (`nul_character`)",
    );
    if secured {
        error_answer(
            op,
            429,
            "too many failed sign-ins or refused tokens from this address or account (`too_many_attempts`); see `Retry-After`",
        );
    }
    error_answer(
        op,
        503,
        "the server is stopping (`shutting_down`); send it again to the next one",
    );
}

/// Adds `status` with the error schema unless the operation already documents it.
fn error_answer(op: &mut Operation, status: u16, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("FieldErrors")))
                        .build(),
                )
                .build()
                .into()
        });
}

/// Corrects what the derives get wrong about the JSON actually sent: a map keyed by integers
/// (`BTreeMap<i64, _>`) is derived with `propertyNames` of type integer, which no JSON object
/// can satisfy (keys are strings): its keys are digit strings.
struct SchemaCorrections;

impl Modify for SchemaCorrections {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut doc = match serde_json::to_value(&*openapi) {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "the OpenAPI document does not serialise");
                return;
            }
        };
        let Some(schemas) = doc.pointer_mut("/components/schemas") else {
            return;
        };
        integer_keys_as_strings(schemas);
        declaration_request(&mut doc);
        match serde_json::from_value(doc) {
            Ok(corrected) => *openapi = corrected,
            Err(e) => {
                tracing::error!(error = %e, "the corrected OpenAPI document does not read back")
            }
        }
    }
}

/// The declaration a client sends refuses unknown fields (`additionalProperties: false`);
/// the stored one, flattened into `DeclarationView`, cannot say so. The request bodies
/// (lodging, and the amendment's `declaration`) take `DeclarationRequest`: the same schema,
/// closed.
fn declaration_request(doc: &mut serde_json::Value) {
    let reference = serde_json::json!({"$ref": "#/components/schemas/DeclarationRequest"});
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let Some(mut closed) = schemas.get("Declaration").cloned() else {
        return;
    };
    closed["additionalProperties"] = false.into();
    schemas.insert("DeclarationRequest".into(), closed);
    if let Some(slot) = schemas
        .get_mut("Amendment")
        .and_then(|a| a.pointer_mut("/properties/declaration"))
    {
        *slot = reference.clone();
    }
    let body = "/paths/~1api~1v1~1declarations/post/requestBody/content/application~1json/schema";
    if let Some(slot) = doc.pointer_mut(body) {
        *slot = reference;
    }
}

fn integer_keys_as_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(names) = map.get_mut("propertyNames")
                && names.get("type").and_then(serde_json::Value::as_str) == Some("integer")
            {
                *names = serde_json::json!({"type": "string", "pattern": "^-?[0-9]+$"});
            }
            map.values_mut().for_each(integer_keys_as_strings);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integer_keys_as_strings),
        _ => {}
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as committed at the repository's root (`openapi.json`): keys sorted at every
/// level, pretty-printed, one final newline, so that a change shows as a small diff.
pub fn document_text() -> String {
    let doc = serde_json::to_value(document()).unwrap_or_default();
    let mut text = serde_json::to_string_pretty(&sorted(doc)).unwrap_or_default();
    text.push('\n');
    text
}

/// `v` with every object's keys in order (whatever map `serde_json` was built with).
fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

// ---- Request bodies, as the validators accept them (documentation only) ----

/// A bank's payment notification. The same `key` twice is applied once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentNotice {
    /// The declaration's id.
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub declaration: String,
    /// In national currency, at most 2 decimals, greater than zero.
    #[schema(
        example = "1234.50",
        max_length = 28,
        pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,2})?|0+\\.[0-9]?[1-9])$"
    )]
    pub amount: String,
    /// The national currency (ISO 4217).
    #[schema(example = "KGS", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Idempotency key: the bank's own transaction id.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub key: String,
    /// The bank's reference, kept with the ledger entry.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A guarantee covering the balance (deferred payment).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeRequest {
    /// The guarantee's reference (bank guarantee number).
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub reference: String,
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub key: String,
}

/// A refund of an overpayment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// In national currency, at most 2 decimals, greater than zero.
    #[schema(
        example = "100.00",
        max_length = 28,
        pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,2})?|0+\\.[0-9]?[1-9])$"
    )]
    pub amount: String,
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub key: String,
}

/// Exchange rates to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatesRequest {
    #[schema(min_items = 1)]
    pub rates: Vec<RateRow>,
}

/// National currency per one unit of `currency`, valid from `date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    #[schema(example = "2026-11-23", format = Date)]
    pub date: String,
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    #[schema(
        example = "87.45",
        max_length = 28,
        pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,6})?|0+\\.[0-9]{0,5}[1-9])$"
    )]
    pub rate: String,
}

/// The outcome of a control.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NoDiscrepancy,
    Discrepancy,
}

/// What a control found.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Misclassification,
    Undervaluation,
    Quantity,
    Origin,
    ProhibitedGoods,
    MissingPermit,
    MissingDocument,
    Other,
}

/// A control's result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlResultRequest {
    pub outcome: Outcome,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One finding, on one goods item (index into `items`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub kind: FindingKind,
    #[schema(minimum = 0)]
    pub item: Option<u32>,
    /// The corrected values of the item (`value`, `quantity`, `net_mass_kg`,
    /// `gross_mass_kg` as decimal strings; `hs_code`; `origin`).
    #[serde(default)]
    pub corrected: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub detail: Option<String>,
}

/// A trader's registry status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TraderStatusRequest {
    /// Authorised economic operator.
    pub aeo: bool,
    pub suspended: bool,
}

/// The measure a profile asks for; it sets the channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    None,
    DocumentaryCheck,
    PhysicalInspection,
    PostEntryAudit,
}

/// A criterion's operator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionOp {
    Eq,
    In,
    NotIn,
    Prefix,
    Lt,
    Le,
    Gt,
    Ge,
    Present,
    Absent,
}

/// One criterion: `field op value` or `field op values`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// A declaration field such as `items.hs_code`, `items.origin`, `items.unit_value`, `office`.
    #[schema(example = "items.hs_code")]
    pub field: String,
    pub op: CriterionOp,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

/// A risk profile as an analyst writes it (CONTRACT.md). `scope` is `"national"` or
/// `{"offices": ["41702"]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    #[schema(min_length = 1)]
    pub title: String,
    #[schema(min_length = 1)]
    pub rationale: String,
    pub scope: Scope,
    #[schema(example = "2026-01-01", format = Date)]
    pub valid_from: String,
    #[serde(default)]
    #[schema(format = Date)]
    pub valid_to: Option<String>,
    pub criteria: Vec<Criterion>,
    /// An optional expression for what criteria cannot say.
    #[serde(default)]
    pub condition: Option<String>,
    #[schema(minimum = 0, maximum = 1000)]
    pub score: u32,
    pub measure: Measure,
    /// How deep a physical inspection goes (only with `physical_inspection`).
    #[serde(default)]
    pub inspection: Option<Inspection>,
}

/// Where a profile applies: `"national"`, or `{"offices": ["41702"]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Scope {
    National(NationalScope),
    Offices(OfficesScope),
}

/// The offices a profile applies at.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficesScope {
    #[schema(min_items = 1)]
    pub offices: Vec<tamga_types::OfficeCode>,
}

/// Every office of the administration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NationalScope {
    National,
}

/// Depth of a physical inspection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Inspection {
    Scan,
    Partial,
    Full,
}

/// A draft profile back-tested over the declarations lodged from `from` to `to`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    pub profile: ProfileRequest,
    #[schema(example = "2026-01-01", format = Date)]
    pub from: String,
    #[schema(example = "2026-01-31", format = Date)]
    pub to: String,
}

/// Filter of the control list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Open,
    Done,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::to_value(super::document()).unwrap()
    }

    /// The committed `openapi.json` is the document the server serves: a change to a
    /// handler's shapes shows in review as a change to that file.
    #[test]
    fn the_committed_openapi_document_is_the_served_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
        let served = super::document_text();
        if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
            std::fs::write(path, &served).expect("write openapi.json");
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != served {
            let line = committed
                .lines()
                .zip(served.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(served.lines().count()));
            panic!(
                "openapi.json (at the repository root) is not the document the server serves; \
                 they first differ at line {}:\n  committed: {}\n  served:    {}\n\
                 Review the change, then run `UPDATE_OPENAPI=1 cargo test -p tamga-server openapi` \
                 to accept it and commit openapi.json.",
                line + 1,
                committed.lines().nth(line).unwrap_or("(end of file)"),
                served.lines().nth(line).unwrap_or("(end of file)"),
            );
        }
    }

    /// Where `schema` is a JSON object that says nothing of its members: an object type with
    /// no `properties`, no typed `additionalProperties`, no `$ref` and no composition.
    /// A schema with no keyword that constrains the value (`{}`, any JSON) counts too.
    fn bare_objects(schema: &Value, at: &str, found: &mut Vec<String>) {
        let Some(map) = schema.as_object() else {
            return;
        };
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let composed = ["allOf", "oneOf", "anyOf", "$ref", "not"]
            .iter()
            .any(|k| map.contains_key(*k));
        let typed_members = map.contains_key("properties")
            || map
                .get("additionalProperties")
                .is_some_and(Value::is_object);
        let constrained = !types.is_empty()
            || composed
            || map.contains_key("enum")
            || map.contains_key("const")
            || map.contains_key("properties");
        if (types.contains(&"object") && !typed_members && !composed) || !constrained {
            found.push(at.to_owned());
        }
        for (key, child) in map {
            match key.as_str() {
                "properties" | "patternProperties" => {
                    for (name, s) in child.as_object().into_iter().flatten() {
                        bare_objects(s, &format!("{at}.{name}"), found);
                    }
                }
                "items" | "additionalProperties" | "propertyNames" | "not" => {
                    bare_objects(child, &format!("{at}[{key}]"), found)
                }
                "allOf" | "oneOf" | "anyOf" | "prefixItems" => {
                    for (i, s) in child.as_array().into_iter().flatten().enumerate() {
                        bare_objects(s, &format!("{at}.{key}[{i}]"), found);
                    }
                }
                _ => {}
            }
        }
    }

    /// Every body and answer has a shape a client can be generated from: no schema in the
    /// document is a bare JSON object (or any JSON at all).
    #[test]
    fn no_schema_in_the_openapi_document_is_a_bare_object() {
        let doc = doc();
        let mut found = Vec::new();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            bare_objects(schema, &format!("components.schemas.{name}"), &mut found);
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let at = format!("{method} {path}");
                for (i, p) in op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    bare_objects(&p["schema"], &format!("{at} parameters[{i}]"), &mut found);
                }
                for (media, c) in op["requestBody"]["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    bare_objects(&c["schema"], &format!("{at} request {media}"), &mut found);
                }
                for (status, r) in op["responses"].as_object().unwrap() {
                    for (media, c) in r["content"].as_object().into_iter().flatten() {
                        bare_objects(&c["schema"], &format!("{at} {status} {media}"), &mut found);
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "bare JSON objects in the document:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn a_bare_object_is_found_wherever_it_sits() {
        let mut found = Vec::new();
        let schema = serde_json::json!({"type": "object", "properties": {
            "typed": {"type": "object", "additionalProperties": {"type": "string"}},
            "open": {"type": ["object", "null"]},
            "list": {"type": "array", "items": {}},
            "either": {"oneOf": [{"$ref": "#/components/schemas/X"}, {"type": "object"}]}
        }});
        bare_objects(&schema, "S", &mut found);
        found.sort();
        assert_eq!(found, ["S.either.oneOf[1]", "S.list[items]", "S.open"]);
    }

    #[test]
    fn every_api_operation_requires_the_bearer_token_and_documents_401_429_503() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            for (method, op) in item.as_object().unwrap() {
                assert!(
                    op["security"][0].get("bearer").is_some(),
                    "{method} {path} has no bearer requirement"
                );
                assert_eq!(
                    op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/FieldErrors",
                    "{method} {path} does not document 401 with the error schema"
                );
                for code in ["400", "429", "503"] {
                    assert!(
                        op["responses"].get(code).is_some(),
                        "{method} {path} does not document {code} (NUL, lockout, stopping)"
                    );
                }
                if op.get("requestBody").is_some() {
                    for code in ["400", "413"] {
                        assert!(
                            op["responses"].get(code).is_some(),
                            "{method} {path}: {code}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_list_documents_its_bounds_and_enums() {
        let doc = doc();
        let params = doc["paths"]["/api/v1/declarations"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let param = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("no parameter {name}"))["schema"]
                .clone()
        };
        assert_eq!(param("limit")["minimum"], 1);
        assert_eq!(param("limit")["maximum"], 500);
        assert_eq!(param("offset")["minimum"], 0);
        assert_eq!(param("status")["enum"].as_array().unwrap().len(), 6);
        assert_eq!(param("channel")["enum"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn a_declaration_sent_is_closed_and_one_answered_is_not() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["DeclarationRequest"]["additionalProperties"], false);
        assert!(schemas["Declaration"].get("additionalProperties").is_none());
        assert_eq!(
            doc["paths"]["/api/v1/declarations"]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/DeclarationRequest"
        );
        assert_eq!(
            schemas["Amendment"]["properties"]["declaration"]["$ref"],
            "#/components/schemas/DeclarationRequest"
        );
    }

    #[test]
    fn the_derives_mistakes_are_corrected() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        fn integer_names(v: &Value) -> bool {
            match v {
                Value::Object(map) => {
                    map.get("propertyNames")
                        .is_some_and(|n| n["type"] == "integer")
                        || map.values().any(integer_names)
                }
                Value::Array(items) => items.iter().any(integer_names),
                _ => false,
            }
        }
        let versions = &schemas["ProfileStats"]["allOf"][1]["properties"]["versions"];
        assert_eq!(versions["propertyNames"]["type"], "string", "{versions}");
        assert!(
            !integer_names(schemas),
            "a map keyed by integers still has integer property names"
        );
    }
}
