//! The one shape of a refusal: a field path, a stable code, a human message.

use serde::{Deserialize, Serialize};

/// One problem with one field. `code` is stable and machine-readable (`missing`,
/// `unknown_hs_code`, …); `message` is for people and may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field, e.g. `items[0].hs_code`; empty for the document as a whole.
    pub path: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Every problem found, in document order. Never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldErrors {
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub errors: Vec<FieldError>,
}

impl FieldErrors {
    pub fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(path, code, message));
    }
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    pub fn codes(&self) -> Vec<(&str, &str)> {
        self.errors
            .iter()
            .map(|e| (e.path.as_str(), e.code.as_str()))
            .collect()
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {} ({})", e.path, e.code, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}
