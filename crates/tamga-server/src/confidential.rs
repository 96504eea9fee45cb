//! Who may learn why a declaration was selected. Every customs risk management system keeps
//! its profiles confidential: a trader who sees which rule caught it learns how to avoid it.
//!
//! This module is the one place that decides. Customs (officers, analysts, auditors,
//! admins) see the whole assessment: fired profiles, matched values, score, thresholds, the
//! random draw and its seed, the officer draw of a control. A trader — and anyone else
//! outside customs — sees the channel and what it must do next, nothing of why.
//!
//! How it is enforced: an answer cannot carry an assessment or an event payload except as
//! an [`AssessmentView`] or an [`EventPayload`], and those are built only here, from an
//! [`Audience`] derived from the caller's role. A new handler that shows either has to ask
//! this module for it.

use serde::Serialize;
use serde_json::{Map, Value, json};
use tamga_types::{Channel, Status};

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};

/// Whom an answer is for, as far as the selection's reasons go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Customs: officers, analysts, auditors, admins. Sees everything.
    Customs,
    /// A trader (declarant or broker), or anyone else outside customs: the channel and the
    /// next step only.
    Declarant,
}

impl Audience {
    /// Decided by role alone. Exhaustive on purpose: a new role must be placed here.
    pub fn of_role(role: Role) -> Audience {
        match role {
            Role::Officer | Role::Analyst | Role::Auditor | Role::Admin => Audience::Customs,
            Role::Trader | Role::Bank => Audience::Declarant,
        }
    }

    pub fn of(caller: &Caller) -> Audience {
        Audience::of_role(caller.role)
    }

    pub fn is_customs(self) -> bool {
        self == Audience::Customs
    }

    /// Refuses (403) what only customs may read, such as the replay of an assessment.
    pub fn require_customs(self) -> ApiResult<()> {
        match self {
            Audience::Customs => Ok(()),
            Audience::Declarant => Err(ApiError::Forbidden(
                "the reasons of a risk selection are confidential to customs".into(),
            )),
        }
    }

    /// A declaration's stored assessment as this audience may see it. `status` and
    /// `channel` are the declaration's current ones (the channel applied, which an
    /// amendment can raise above the one this assessment chose).
    pub fn assessment(self, full: Value, status: Status, channel: Channel) -> AssessmentView {
        match self {
            Audience::Customs => AssessmentView(full),
            Audience::Declarant => AssessmentView(json!({
                "channel": channel,
                "next": next_step(status, channel),
            })),
        }
    }

    /// An event's payload as this audience may see it. For a trader: the money, status,
    /// channel, versions and the control's outcome and findings (the legal basis of any
    /// additional duties); never the assessment, the inspection depth, the officer draw
    /// (seed, candidates) or the officer's internal note. Kinds this module does not know
    /// keep only the fields every trader may see.
    pub fn event_payload(self, kind: &str, payload: Value) -> EventPayload {
        if self == Audience::Customs {
            return EventPayload(payload);
        }
        let keep: &[&str] = match kind {
            "declaration.assessed" => &["channel"],
            "control.opened" => &["control", "channel", "version"],
            "control.result_recorded" => &[
                "control",
                "outcome",
                "findings",
                "revenue_recovered",
                "version",
                "body_hash",
                "taxes",
                "ledger",
            ],
            "declaration.lodged"
            | "declaration.amended"
            | "declaration.invalidated"
            | "declaration.released"
            | "declaration.held_for_control"
            | "declaration.awaiting_payment"
            | "declaration.status_changed"
            | "declaration.refused"
            | "amendment.reduction_requested"
            | "amendment.reduction_decided"
            | "payment.received"
            | "payment.refunded"
            | "payment.guaranteed"
            | "control.override_refused" => return EventPayload(payload),
            _ => SAFE_FIELDS,
        };
        EventPayload(only(payload, keep))
    }
}

/// What any trader may see of an event it does not otherwise know.
const SAFE_FIELDS: &[&str] = &[
    "status", "channel", "version", "ledger", "taxes", "amount", "currency",
];

fn only(payload: Value, keep: &[&str]) -> Value {
    match payload {
        Value::Object(mut m) => {
            let kept: Map<String, Value> = keep
                .iter()
                .filter_map(|k| m.remove(*k).map(|v| ((*k).to_owned(), v)))
                .collect();
            Value::Object(kept)
        }
        _ => Value::Object(Map::new()),
    }
}

/// What the trader must do next: let the documents be checked, present the goods, pay, or
/// nothing.
pub fn next_step(status: Status, channel: Channel) -> &'static str {
    match status {
        Status::Lodged | Status::UnderControl => match channel {
            Channel::Red => "physical_inspection",
            Channel::Yellow | Channel::Blue | Channel::Green => "documentary_check",
        },
        Status::AwaitingPayment => "payment",
        Status::Released | Status::Invalidated | Status::Refused => "none",
    }
}

/// A risk assessment as its audience may see it: whole for customs, `{"channel", "next"}`
/// for a trader. Built only by [`Audience::assessment`].
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct AssessmentView(Value);

impl AssessmentView {
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

/// An event payload as its audience may see it. Built only by [`Audience::event_payload`].
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct EventPayload(Value);

impl EventPayload {
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Value {
        json!({"channel": "red", "score": 80, "reason": "profile p1 fired",
               "fired": [{"profile": "p1", "title": "Cheap phones", "matched": []}],
               "random": {"seed": "00", "draw": 1}, "thresholds": {"red": 70}})
    }

    #[test]
    fn only_customs_sees_the_whole_assessment() {
        for role in Role::ALL {
            let seen =
                Audience::of_role(role).assessment(full(), Status::UnderControl, Channel::Red);
            match role {
                Role::Officer | Role::Analyst | Role::Auditor | Role::Admin => {
                    assert_eq!(seen.as_value(), &full())
                }
                Role::Trader | Role::Bank => assert_eq!(
                    seen.as_value(),
                    &json!({"channel": "red", "next": "physical_inspection"})
                ),
            }
        }
    }

    #[test]
    fn a_trader_sees_no_officer_draw_and_no_unknown_field() {
        let opened = json!({"control": "c1", "channel": "red", "inspection": "full",
            "assigned_to": "u1", "assignment": {"seed": "ab", "candidates": ["u1"]}});
        let seen = Audience::Declarant.event_payload("control.opened", opened.clone());
        assert_eq!(seen.as_value(), &json!({"control": "c1", "channel": "red"}));
        assert_eq!(
            Audience::Customs
                .event_payload("control.opened", opened.clone())
                .as_value(),
            &opened
        );
        let unknown = json!({"status": "released", "why": "secret"});
        assert_eq!(
            Audience::Declarant
                .event_payload("some.new_kind", unknown)
                .as_value(),
            &json!({"status": "released"})
        );
        assert_eq!(
            Audience::Declarant
                .event_payload("declaration.assessed", full())
                .as_value(),
            &json!({"channel": "red"})
        );
    }

    #[test]
    fn the_next_step_follows_the_status_and_channel() {
        assert_eq!(
            next_step(Status::UnderControl, Channel::Yellow),
            "documentary_check"
        );
        assert_eq!(next_step(Status::AwaitingPayment, Channel::Red), "payment");
        assert_eq!(next_step(Status::Released, Channel::Green), "none");
        assert!(Audience::Declarant.require_customs().is_err());
        assert!(Audience::Customs.require_customs().is_ok());
    }
}
