//! NUL characters are refused at the edge, on both backends. PostgreSQL cannot store U+0000
//! in text (it answered 500 `invalid byte sequence`), SQLite would store it and truncate it
//! in some readers; no customs datum contains one. So: a `%00` in the path or the query is
//! a 400, a NUL in a form body is a 400, and a NUL in any string (or key) of a JSON body is
//! a 422 naming each field (`JsonBody` calls [`nul_problems`]).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tamga_types::FieldErrors;

use crate::error::ApiError;

const CODE: &str = "nul_character";

/// The largest console form read: the lodgement form with 999 items stays well below.
const FORM_LIMIT: usize = 1024 * 1024;

/// Whether URL-encoded text carries a NUL, encoded (`%00`) or raw.
fn encoded_nul(text: &[u8]) -> bool {
    text.contains(&0)
        || text
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Middleware: refuses a NUL in the path, the query or a form body before any handler.
pub async fn refuse(req: Request, next: Next) -> Response {
    if encoded_nul(req.uri().path().as_bytes()) {
        return ApiError::bad_request("", CODE, "the path contains a NUL character")
            .into_response();
    }
    if req.uri().query().is_some_and(|q| encoded_nul(q.as_bytes())) {
        return ApiError::bad_request("", CODE, "the query contains a NUL character")
            .into_response();
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    // Forms are small (the body limit applies here too); read once, check, pass on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => return ApiError::TooLarge.into_response(),
    };
    if encoded_nul(&bytes) {
        return ApiError::bad_request("", CODE, "the form contains a NUL character")
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether JSON text may hold a NUL: only as the escape `\u0000` (a raw control character
/// is not JSON). `\\u0000` (an escaped backslash) also matches; the walk then finds nothing.
pub fn may_escape_nul(json: &[u8]) -> bool {
    json.windows(6).any(|w| w == b"\\u0000")
}

/// Every string and key of a JSON document that holds a NUL, by path.
pub fn nul_problems(value: &Value) -> FieldErrors {
    let mut problems = FieldErrors::default();
    walk(value, String::new(), &mut problems);
    problems
}

// Recursion is bounded: serde_json refuses documents nested deeper than 128 levels.
fn walk(value: &Value, path: String, problems: &mut FieldErrors) {
    match value {
        Value::String(s) if s.contains('\0') => {
            problems.push(path, CODE, "text may not contain a NUL character");
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                walk(v, format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.contains('\0') {
                    problems.push(
                        p.replace('\0', "\\u0000"),
                        CODE,
                        "a key may not contain a NUL character",
                    );
                } else {
                    walk(v, p, problems);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_in_a_json_body_is_named_by_its_path() {
        let v = json!({"reason": "a\u{0}b", "declaration": {"items": [{"description": "ok"}, {"description": "\u{0}"}]}});
        let paths: Vec<String> = nul_problems(&v)
            .errors
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, vec!["declaration.items[1].description", "reason"]);
        assert!(nul_problems(&json!({"reason": "fine", "n": [1, "two"]})).is_empty());
    }

    #[test]
    fn only_json_text_with_the_escape_is_walked() {
        assert!(may_escape_nul(br#"{"key": "k\u0000x"}"#));
        assert!(!may_escape_nul(br#"{"key": "k\u0020x", "n": 0}"#));
    }

    #[test]
    fn an_encoded_or_raw_nul_in_url_text_is_found() {
        assert!(encoded_nul(b"/api/v1/declarations/%00abc"));
        assert!(encoded_nul(b"key=k%00x&amount=1"));
        assert!(encoded_nul(b"a\0b"));
        assert!(!encoded_nul(b"/api/v1/declarations/0190abc%2000"));
        assert!(!encoded_nul(b"amount=100.00&note=%20ok"));
    }
}
