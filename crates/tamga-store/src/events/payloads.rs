//! The payload of each kind of event. Field order follows the emitters, but the stored
//! text has its keys sorted (see [`super`]). `deny_unknown_fields` everywhere but in the
//! documents another crate owns (a risk profile, the selection settings, an assessment),
//! so that a payload parses whole or not at all.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tamga_types::{
    Channel, CurrencyCode, Decimal, DeclarationType, FieldError, OfficeCode, PartyId, Status,
};

use crate::ledger::LedgerKind;
use crate::risk::{Assignment, ControlOutcome, Finding};

/// A key that is sometimes absent and sometimes `null`: `None` is absent, `Some(None)` is
/// `null`, so both are written back as they were read. Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present::deserialize")]`.
pub mod present {
    use serde::{Deserialize, Deserializer};

    /// A present key (even `null`) is `Some`; an absent one stays `None` through `default`.
    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Decimal text read and written as it is. Why: rust_decimal writes a negated zero as
/// `-0.00` (a payment that settles the balance exactly records `"overpaid": "-0.00"`) but
/// reads `-0.00` back as `0.00`, which would change the stored payload. Use with
/// `#[serde(with = "exact")]` (`exact::option` for an `Option`).
pub mod exact {
    use serde::{Deserialize, Deserializer, Serializer, de};
    use tamga_types::Decimal;

    /// `text` as a decimal, keeping the sign of a negative zero.
    pub fn parse(text: &str) -> Option<Decimal> {
        let mut d: Decimal = text.parse().ok()?;
        if d.is_zero() && text.starts_with('-') {
            d.set_sign_negative(true);
        }
        Some(d)
    }

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| de::Error::custom(format!("`{text}` is not a decimal")))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.collect_str(d),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|text| {
                    parse(&text)
                        .ok_or_else(|| de::Error::custom(format!("`{text}` is not a decimal")))
                })
                .transpose()
        }
    }
}

/// A ledger row an event wrote: the key the audit rebuild folds on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerMovement {
    pub kind: LedgerKind,
    /// Decimal text; `additional` may be negative.
    #[serde(with = "exact")]
    pub amount: Decimal,
}

/// The taxes of a version, as lodged and amended events carry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSummary {
    #[serde(with = "exact")]
    pub total: Decimal,
    pub currency: CurrencyCode,
    /// The day whose tariff and exchange rate were applied.
    pub date: jiff::civil::Date,
    #[serde(with = "exact")]
    pub exchange_rate: Decimal,
}

/// The taxes of a controlled version, as a control result carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxTotal {
    #[serde(with = "exact")]
    pub total: Decimal,
    pub currency: CurrencyCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationRefused {
    pub errors: Vec<FieldError>,
    /// BLAKE3 of the refused body as received.
    pub body_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationLodged {
    /// Always 1.
    pub version: i64,
    /// BLAKE3 of the stored body.
    pub body_hash: String,
    pub declarant: PartyId,
    pub office: OfficeCode,
    #[serde(rename = "type")]
    pub kind: DeclarationType,
    /// The `assessed` row, `null` without taxes; absent in logs older than the audit trail.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present::deserialize"
    )]
    pub ledger: Option<Option<LedgerMovement>>,
    /// Absent when the declaration was lodged without taxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxes: Option<TaxSummary>,
}

/// The risk engine's assessment of a version. The document belongs to `tamga-risk`; the
/// store reads the channel it proposed and which version it assessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclarationAssessed {
    /// The engine's proposal, which an amendment may not lower (not the declaration's
    /// channel after the event).
    pub channel: Channel,
    /// Absent in assessments older than replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration_version: Option<i64>,
    /// The rest of the assessment, as the engine serialised it.
    #[serde(flatten)]
    pub assessment: Map<String, Value>,
}

/// A declaration's status (and, from assessment, payment and control, its channel) after
/// the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChanged {
    pub status: Status,
    /// Absent on a release by an officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationAmended {
    pub version: i64,
    pub reason: String,
    pub body_hash: String,
    /// Absent in logs older than the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The `additional` row, or `null`: "this amendment wrote no ledger row" (a lower total
    /// files a claim instead).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present::deserialize"
    )]
    pub ledger: Option<Option<LedgerMovement>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxes: Option<TaxSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationInvalidated {
    pub reason: String,
    /// `invalidated`; absent in logs older than the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlOpened {
    /// The control task's id.
    pub control: String,
    pub channel: Channel,
    /// Depth of a physical inspection, `null` when none; absent when an amendment opened
    /// the control.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present::deserialize"
    )]
    pub inspection: Option<Option<String>>,
    /// `null` when the office has no officer.
    pub assigned_to: Option<String>,
    /// The draw that chose the officer; absent when an amendment opened the control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// The version to control, when an amendment opened the control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlResultRecorded {
    pub control: String,
    pub outcome: ControlOutcome,
    pub findings: Vec<Finding>,
    pub note: Option<String>,
    #[serde(with = "exact")]
    pub revenue_recovered: Decimal,
    /// The declaration's version after the result (a new one when findings corrected it).
    pub version: i64,
    /// Absent in logs older than the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_hash: Option<String>,
    /// `null` when the version has no taxes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present::deserialize"
    )]
    pub taxes: Option<Option<TaxTotal>>,
    /// The `additional` row, or `null` when the result changed nothing owed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present::deserialize"
    )]
    pub ledger: Option<Option<LedgerMovement>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideRefused {
    /// `release` or `invalidate`.
    pub attempted: String,
    /// `control_pending` or `unpaid`.
    pub code: String,
    /// The caller's role.
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentReceived {
    #[serde(with = "exact")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// The bank's idempotency key.
    pub key: String,
    /// The balance after the payment (negative when overpaid).
    #[serde(with = "exact")]
    pub balance: Decimal,
    /// Absent in logs older than the integrity rules.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "exact::option"
    )]
    pub overpaid: Option<Decimal>,
    /// Absent in logs older than the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerMovement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRefunded {
    #[serde(with = "exact")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    pub key: String,
    pub reason: Option<String>,
    #[serde(with = "exact")]
    pub balance: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerMovement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentGuaranteed {
    #[serde(with = "exact")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// The bank guarantee's reference.
    pub reference: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerMovement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReductionRequested {
    /// The claim's id.
    pub claim: String,
    pub version: i64,
    #[serde(with = "exact")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
}

/// An officer's decision on a claim to lower the duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimDecision {
    Granted,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReductionDecided {
    pub claim: String,
    #[serde(with = "exact")]
    pub amount: Decimal,
    pub note: String,
    pub decision: ClaimDecision,
    /// The balance after a granted claim.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "exact::option"
    )]
    pub balance: Option<Decimal>,
    /// The negative `additional` row of a granted claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerMovement>,
}

/// How a console sign-in was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInVia {
    Token,
    Password,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInFailed {
    /// The account name tried; `null` for a sign-in by token.
    pub account: Option<String>,
    /// The client's address.
    pub address: String,
    pub via: SignInVia,
    /// Failures counted against the key so far.
    pub failures: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRefused {
    pub address: String,
    pub failures: u32,
}

/// What failures are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Account,
    Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedOut {
    pub key_kind: KeyKind,
    pub key: String,
    /// How long the lock lasts, whole seconds.
    pub seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unlocked {
    pub key_kind: KeyKind,
    pub key: String,
}

/// A user as the log records it: never a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCreated {
    pub name: String,
    pub role: String,
    pub party: Option<String>,
    pub office: Option<String>,
    pub console_password: bool,
}

/// The empty payload `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRemoved {
    pub name: String,
}

/// A version of a risk profile. The draft (title, scope, criteria, condition, score…)
/// belongs to `tamga-risk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileVersion {
    pub id: String,
    pub version: u32,
    pub active: bool,
    #[serde(flatten)]
    pub draft: Map<String, Value>,
}

/// The selection settings (thresholds, random rates, reference prices), as `tamga-risk`
/// serialises them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SelectionSettings(pub Map<String, Value>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraderStatusChanged {
    pub aeo: bool,
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffImported {
    pub lines: u64,
    /// BLAKE3 of the imported file.
    pub blake3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRatesImported {
    /// (day, currency, national currency per unit), as in the file.
    pub rates: Vec<RateRow>,
}

/// One imported rate, written as a JSON array `[day, currency, rate]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRow(
    pub jiff::civil::Date,
    pub CurrencyCode,
    #[serde(with = "exact")] pub Decimal,
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceLoaded {
    pub hs: u64,
    pub countries: u64,
    pub currencies: u64,
    pub offices: u64,
}
