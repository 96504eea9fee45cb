//! What an officer finds on full inspection of a simulated declaration: the CONTRACT.md
//! control result (`no_discrepancy`, or `discrepancy` with one finding per tampered item).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{FraudKind, Truth};

/// One finding of an inspection: the item and its corrected value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `undervaluation`, `misclassification`, `origin` or `quantity`.
    pub kind: String,
    /// Index of the goods item in the declaration.
    pub item: usize,
    /// The corrected field: one of `value`, `hs_code`, `origin`, `quantity`.
    pub corrected: BTreeMap<String, String>,
}

/// The body of `POST /api/v1/controls/{id}/result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionResult {
    /// `no_discrepancy` or `discrepancy`.
    pub outcome: String,
    pub findings: Vec<Finding>,
    pub note: String,
}

/// The typed inspection result of a declaration whose truth is `truth`.
pub fn inspection(truth: &Truth) -> InspectionResult {
    let Some(kind) = truth.fraud else {
        return InspectionResult {
            outcome: "no_discrepancy".to_owned(),
            findings: Vec::new(),
            note: "Full inspection: goods match the declaration".to_owned(),
        };
    };
    let (name, field, note) = match kind {
        FraudKind::Undervaluation => (
            "undervaluation",
            "value",
            "Invoice value below the seller's price list found in the cargo documents",
        ),
        FraudKind::Misclassification => (
            "misclassification",
            "hs_code",
            "Goods examined do not match the declared commodity code",
        ),
        FraudKind::FalseOrigin => (
            "origin",
            "origin",
            "Marking and packing show a different country of origin; certificate not valid",
        ),
        FraudKind::QuantityUnderstated => (
            "quantity",
            "quantity",
            "Count and weighing found more goods than declared",
        ),
    };
    let findings = truth
        .items
        .iter()
        .enumerate()
        .filter(|(_, t)| t.tampered)
        .map(|(i, t)| {
            let corrected = match kind {
                FraudKind::Undervaluation => t.value.to_string(),
                FraudKind::Misclassification => t.hs_code.clone(),
                FraudKind::FalseOrigin => t.origin.clone(),
                FraudKind::QuantityUnderstated => t.quantity.to_string(),
            };
            Finding {
                kind: name.to_owned(),
                item: i,
                corrected: BTreeMap::from([(field.to_owned(), corrected)]),
            }
        })
        .collect();
    InspectionResult {
        outcome: "discrepancy".to_owned(),
        findings,
        note: format!("Full inspection: {note}"),
    }
}

/// What an officer would find on full inspection, as the JSON body ready to POST to
/// `/api/v1/controls/{id}/result`.
pub fn inspect(truth: &Truth) -> serde_json::Value {
    serde_json::to_value(inspection(truth)).unwrap_or(serde_json::Value::Null)
}
