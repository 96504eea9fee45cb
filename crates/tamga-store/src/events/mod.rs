//! The events of the log as one typed enum: one variant per kind, one payload shape per
//! kind.
//!
//! The log stores a kind (`declaration.lodged`) and a payload (JSON text) per event, and
//! both are hashed into the chain, so the encoding here is exactly what the emitters wrote
//! before the enum existed: [`NewEvent::typed`] writes the payload through a
//! `serde_json::Value` (keys in sorted order, as `json!` gives them), a key an emitter
//! sometimes omits is omitted again (`skip_serializing_if`), and a key written as `null`
//! is written as `null` again ([`present`]). Older logs parse too: keys added later (the
//! `ledger`, `status` and `overpaid` keys, a version's `body_hash` on a control result) are
//! optional, and `declaration.taxes_assessed`, no longer emitted, is still a kind.
//!
//! Reading is [`Event::parse`] (or [`crate::event_log::Event::typed`] for a stored row):
//! an unknown kind, or a payload that is not that kind's shape, is corrupt — never a
//! default.

mod payloads;
#[cfg(test)]
mod tests;

pub use payloads::*;

use serde::{Deserialize, Serialize};

use crate::event_log::NewEvent;
use crate::{Result, StoreError};

/// Declares [`Event`] from one list: variant, payload type and stored kind, so that the
/// serde tag and [`Event::kind`] cannot disagree.
macro_rules! events {
    ($($(#[$doc:meta])* $variant:ident($payload:ty) = $kind:literal,)*) => {
        /// Something that happened, as the log records it.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "payload")]
        pub enum Event {
            $($(#[$doc])* #[serde(rename = $kind)] $variant($payload),)*
        }

        impl Event {
            /// Every kind, in the order of the enum.
            pub const KINDS: &[&str] = &[$($kind),*];

            /// The kind as stored (`declaration.lodged`, `payment.received`…).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => $kind,)*
                }
            }
        }
    };
}

events! {
    /// A declaration that failed validation: nothing stored but this (subject: the
    /// declarant named in the body, or `unknown`).
    DeclarationRefused(DeclarationRefused) = "declaration.refused",
    DeclarationLodged(DeclarationLodged) = "declaration.lodged",
    /// The risk engine's assessment of a version.
    DeclarationAssessed(DeclarationAssessed) = "declaration.assessed",
    DeclarationAmended(DeclarationAmended) = "declaration.amended",
    DeclarationInvalidated(DeclarationInvalidated) = "declaration.invalidated",
    /// Released after assessment, payment or control (with its channel), or by an officer
    /// (without).
    DeclarationReleased(StatusChanged) = "declaration.released",
    DeclarationHeldForControl(StatusChanged) = "declaration.held_for_control",
    DeclarationAwaitingPayment(StatusChanged) = "declaration.awaiting_payment",
    /// Any other status a declaration moves to (a control refusing prohibited goods).
    DeclarationStatusChanged(StatusChanged) = "declaration.status_changed",
    /// Written before the taxes rode in the lodged and amended events; no longer emitted.
    DeclarationTaxesAssessed(TaxSummary) = "declaration.taxes_assessed",
    ControlOpened(ControlOpened) = "control.opened",
    ControlResultRecorded(ControlResultRecorded) = "control.result_recorded",
    /// An attempt to get round a selected control (release or invalidation before the
    /// result), refused.
    ControlOverrideRefused(OverrideRefused) = "control.override_refused",
    PaymentReceived(PaymentReceived) = "payment.received",
    PaymentRefunded(PaymentRefunded) = "payment.refunded",
    PaymentGuaranteed(PaymentGuaranteed) = "payment.guaranteed",
    /// An amendment that lowers the duties files a claim for an officer.
    AmendmentReductionRequested(ReductionRequested) = "amendment.reduction_requested",
    AmendmentReductionDecided(ReductionDecided) = "amendment.reduction_decided",
    AuthSignInFailed(SignInFailed) = "auth.sign_in_failed",
    AuthTokenRefused(TokenRefused) = "auth.token_refused",
    AuthLockedOut(LockedOut) = "auth.locked_out",
    AuthUnlocked(Unlocked) = "auth.unlocked",
    UserCreated(UserCreated) = "user.created",
    UserTokenRotated(Nothing) = "user.token_rotated",
    UserTokenRevoked(Nothing) = "user.token_revoked",
    UserRemoved(UserRemoved) = "user.removed",
    RiskProfileCreated(ProfileVersion) = "risk.profile_created",
    RiskProfileVersioned(ProfileVersion) = "risk.profile_versioned",
    RiskProfileRetired(ProfileVersion) = "risk.profile_retired",
    RiskSettingsChanged(SelectionSettings) = "risk.settings_changed",
    TraderStatusChanged(TraderStatusChanged) = "trader.status_changed",
    TariffImported(TariffImported) = "tariff.imported",
    ExchangeRatesImported(ExchangeRatesImported) = "exchange_rates.imported",
    ReferenceLoaded(ReferenceLoaded) = "reference.loaded",
}

impl Event {
    /// Reads a stored kind and payload. An unknown kind, or a payload that is not that
    /// kind's shape, is [`StoreError::Corrupt`].
    pub fn parse(kind: &str, payload: &str) -> Result<Event> {
        // Always an object: serde would also read a struct from an array of its values.
        let payload: serde_json::Map<String, serde_json::Value> = serde_json::from_str(payload)
            .map_err(|e| {
                StoreError::Corrupt(format!("event {kind}: payload is not a JSON object: {e}"))
            })?;
        serde_json::from_value(serde_json::json!({"kind": kind, "payload": payload}))
            .map_err(|e| StoreError::Corrupt(format!("event {kind}: {e}")))
    }

    /// The payload as the log stores it: JSON text, keys sorted.
    pub fn payload(&self) -> Result<serde_json::Value> {
        let mut tagged = serde_json::to_value(self).map_err(StoreError::Encode)?;
        Ok(tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .unwrap_or_default())
    }
}

impl NewEvent {
    /// The event `event` about `subject`, done by `actor`, as the writer appends it.
    pub fn typed(subject: &str, actor: &str, event: &Event) -> Result<NewEvent> {
        Ok(NewEvent::new(
            event.kind(),
            subject,
            actor,
            &event.payload()?,
        ))
    }
}

impl crate::event_log::Event {
    /// This stored event as a typed [`Event`]; an unknown kind or a payload of another
    /// shape is [`StoreError::CorruptValue`] naming the event's sequence number.
    pub fn typed(&self) -> Result<Event> {
        Event::parse(&self.kind, &self.payload).map_err(|e| {
            tracing::warn!(seq = self.seq, error = %e, "a stored event does not parse");
            let field = if Event::KINDS.contains(&self.kind.as_str()) {
                "payload"
            } else {
                "kind"
            };
            let value = if field == "kind" {
                &self.kind
            } else {
                &self.payload
            };
            StoreError::corrupt_value("events", self.seq.to_string(), field, value)
        })
    }
}
