//! Shapes the OpenAPI document names that the handlers' own types do not carry:
//! small answers of their own (health, exchange rates), and the schemas of what the pure
//! crates serialise (`tamga-risk` has no wire-format dependency, so its profiles, settings,
//! assessments and reports are described here, field for field as serde writes them).
//!
//! A schema that does not match what is sent fails `tests/api/openapi.rs`, which checks the
//! real answers of a lodged, selected, controlled declaration against the document.

pub mod controls;
pub mod events;
pub mod rates;
pub mod risk;
pub mod system;
