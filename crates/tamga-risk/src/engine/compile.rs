//! Compiling the active profiles into a [`RiskEngine`]: the digest of what it decides with,
//! the candidate index, and each profile's criteria compiled for deciding.

use std::sync::Arc;

use super::check::Check;
use super::facts::day_key;
use super::index::IndexBuilder;
use super::random::Cuts;
use super::text::TextSet;
use super::{ENGINE_VERSION, RiskEngine, SelectionSettings};
use crate::condition::Condition;
use crate::profile::{Criterion, Inspection, Measure, RiskProfile, Scope};

/// A profile ready to evaluate. `repr(C)` keeps the fields read for every candidate in the
/// first cache line (most candidates do not fire; what a fired profile reports comes after).
#[derive(Debug)]
#[repr(C)]
pub(super) struct Compiled {
    /// Validity as [`day_key`]s (`valid_to`: `i32::MAX` when open-ended).
    pub(super) valid_from: i32,
    pub(super) valid_to: i32,
    /// The criteria compiled for deciding, cheapest first.
    pub(super) declaration_checks: Vec<Check>,
    pub(super) item_checks: Vec<Check>,
    pub(super) condition: Option<Box<Result<Condition, String>>>,
    /// The scope's offices (`None`: national).
    pub(super) offices: Option<TextSet>,
    pub(super) score: u32,
    pub(super) version: u32,
    pub(super) measure: Measure,
    pub(super) inspection: Option<Inspection>,
    pub(super) id: Arc<str>,
    pub(super) title: Arc<str>,
    /// The criteria as written, for the `matched` output of a profile that fires.
    pub(super) declaration_criteria: Vec<Criterion>,
    pub(super) item_criteria: Vec<Criterion>,
}

impl RiskEngine {
    /// Compiles the active profiles of `profiles` (inactive ones are ignored). The order of
    /// `profiles` does not matter: profiles are kept sorted by id then version.
    pub fn compile(profiles: &[RiskProfile], settings: SelectionSettings) -> RiskEngine {
        let mut active: Vec<&RiskProfile> = profiles.iter().filter(|p| p.active).collect();
        active.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));

        let mut hasher = blake3::Hasher::new();
        hasher.update(ENGINE_VERSION.as_bytes());
        hasher.update(&serde_json::to_vec(&settings).expect("settings serialise"));
        for p in &active {
            hasher.update(&serde_json::to_vec(p).expect("profiles serialise"));
        }
        let digest: Arc<str> = hasher.finalize().to_hex().as_str().into();

        let mut index = IndexBuilder::default();
        let mut compiled = Vec::with_capacity(active.len());
        for (i, p) in active.iter().enumerate() {
            let i = i as u32;
            let d = &p.draft;
            let (item_criteria, declaration_criteria): (Vec<_>, Vec<_>) =
                d.criteria.iter().cloned().partition(|c| c.field.is_item());
            let offices: Option<Vec<String>> = match &d.scope {
                Scope::National => None,
                Scope::Offices(o) => Some(o.iter().map(|c| c.as_str().to_owned()).collect()),
            };
            index.file(i, &d.criteria, offices.as_deref());
            let mut declaration_checks: Vec<Check> =
                declaration_criteria.iter().map(Check::new).collect();
            declaration_checks.sort_by_key(Check::cost);
            let mut item_checks: Vec<Check> = item_criteria.iter().map(Check::new).collect();
            item_checks.sort_by_key(Check::cost);
            compiled.push(Compiled {
                id: p.id.as_str().into(),
                version: p.version,
                title: d.title.as_str().into(),
                score: d.score,
                measure: d.measure,
                inspection: d.inspection,
                offices: offices.as_deref().map(TextSet::new),
                valid_from: day_key(d.valid_from),
                valid_to: d.valid_to.map_or(i32::MAX, day_key),
                declaration_criteria,
                item_criteria,
                declaration_checks,
                item_checks,
                condition: d
                    .condition
                    .as_deref()
                    .map(|c| Box::new(Condition::compile(c))),
            });
        }
        RiskEngine {
            profiles: compiled,
            index: index.freeze(),
            cuts: Cuts::new(settings.random),
            reference_currencies: settings
                .reference_prices
                .currencies()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            office_cuts: settings
                .office_random
                .iter()
                .map(|(office, rates)| (office.clone(), Cuts::new(*rates)))
                .collect(),
            settings,
            digest,
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::engine::testing::{phones_from_china, priced, profile};
    use crate::engine::{ENGINE_VERSION, RandomRates, RiskEngine, SelectionSettings};

    #[test]
    fn the_digest_changes_with_the_profile_set() {
        let a = RiskEngine::compile(&[phones_from_china()], SelectionSettings::default());
        let b = RiskEngine::compile(&[], SelectionSettings::default());
        assert_ne!(a.digest(), b.digest());
        assert_eq!(
            a.digest(),
            RiskEngine::compile(&[phones_from_china()], SelectionSettings::default()).digest()
        );
    }

    /// Stored assessments and snapshots are keyed by the digest: the same profiles and
    /// settings must give the very same digest from one build to the next. The pinned value
    /// changes only with the engine version (part of the digest, on purpose) or with the
    /// serialised shape of a profile or the settings: both call for a new engine version.
    #[test]
    fn the_digest_of_a_fixed_profile_set_and_settings_is_stable() {
        assert_eq!(
            ENGINE_VERSION, "tamga-risk/0.1.0",
            "update the pin below too"
        );
        let profiles = [
            phones_from_china(),
            profile(
                "osh-air",
                json!({"scope": {"offices": ["41702", "41703"]}, "valid_to": "2026-12-31",
                       "criteria": [{"field": "transport.mode", "op": "in", "values": ["4"]}],
                       "score": 35, "measure": "physical_inspection", "inspection": "scan"}),
            ),
            profile(
                "cheap",
                json!({"criteria": [{"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"}],
                       "condition": "double(item.value) > 1000.0", "measure": "post_entry_audit"}),
            ),
        ];
        let mut settings = priced("851713", Decimal::new(18000, 2));
        settings.office_random.insert(
            "41709".to_owned(),
            RandomRates {
                yellow: Decimal::new(5, 2),
                red: Decimal::ZERO,
            },
        );
        let mut reversed = profiles.to_vec();
        reversed.reverse();
        for set in [&profiles[..], &reversed] {
            assert_eq!(
                RiskEngine::compile(set, settings.clone()).digest(),
                "ee2bbb9f00199db077b963f686d97d6f66fbfd473cee61eec5cb81d1da288187"
            );
        }
    }
}
