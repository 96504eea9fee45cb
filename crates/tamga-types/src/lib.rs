//! Tamga's vocabulary, shared by every other crate.
//!
//! Owns the shapes of a goods declaration (WCO Data Model concepts), the code newtypes
//! that can only be built valid (`HsCode::parse`, `CountryCode::parse`, …), the
//! field-path error every refusal is made of, and the validation that turns untrusted JSON
//! into a [`Declaration`] or the complete list of its problems.
//!
//! Invariant: this crate does no I/O. Code lists reach validation through the
//! [`CodeLists`] trait, implemented by `tamga-reference` from data files.

pub mod codes;
pub mod declaration;
pub mod error;
pub mod lifecycle;
pub mod validate;

pub use codes::{CountryCode, CurrencyCode, HsCode, OfficeCode, PartyId};
pub use declaration::{
    Declaration, DeclarationType, Document, Exporter, GoodsItem, Invoice, Transport,
};
pub use error::{FieldError, FieldErrors};
pub use lifecycle::{Channel, Status};
pub use rust_decimal::Decimal;
pub use validate::{CodeLists, validate_declaration};
