//! The payload of an event in a declaration's history.

use serde::Deserialize;
use tamga_types::{Channel, Status};
use utoipa::ToSchema;

/// What an event recorded. Each kind has its own fields; those below are the ones `tamga
/// audit verify` rebuilds a declaration from, named alike in every kind that changes them
/// (ARCHITECTURE.md, "A new event"). A trader sees a kind's safe fields only.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // documents `crate::confidential::EventPayload`
pub struct EventPayload {
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    /// The version of the declared data the event made or concerns.
    pub version: Option<i64>,
    /// BLAKE3 of the declared data of that version.
    pub body_hash: Option<String>,
    /// The ledger row the event wrote; null when it wrote none.
    pub ledger: Option<LedgerMovement>,
    /// The taxes of the version, null when untaxed.
    pub taxes: Option<TaxesTotal>,
    /// An amount moved or claimed, national currency.
    pub amount: Option<tamga_types::Decimal>,
    pub currency: Option<String>,
}

/// A ledger row as an event names it.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct LedgerMovement {
    /// `assessed`, `additional`, `paid`, `guaranteed` or `refunded`.
    pub kind: String,
    pub amount: tamga_types::Decimal,
}

/// The total of a version's taxes, as an event records it.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct TaxesTotal {
    pub total: tamga_types::Decimal,
    pub currency: String,
}
