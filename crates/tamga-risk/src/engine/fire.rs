//! Whether one candidate profile fires for a declaration, and why: validity, scope, the
//! declaration's criteria, all `items.*` criteria on one same item, then the condition,
//! which fails safe (at least a documentary check) when it cannot be evaluated.

use std::borrow::Cow;

use tamga_types::Channel;

use super::compile::Compiled;
use super::facts::{Facts, ItemFacts, Val, declaration_value, documents_hold};
use super::index::{Candidate, ItemMask, may_match};
use super::{AssessmentError, AssessmentInput, FiredProfile, Matched, RiskEngine};
use crate::condition::Bindings;
use crate::profile::{Field, Measure};

impl RiskEngine {
    /// The profiles that fire (without trader score or random selection), and the
    /// condition errors met. Used by back-testing.
    pub(crate) fn fire(
        &self,
        input: &AssessmentInput<'_>,
    ) -> (Vec<FiredProfile>, Vec<AssessmentError>) {
        let candidates = self.candidates(input);
        self.fire_among(input, &candidates)
    }

    pub(super) fn fire_among(
        &self,
        input: &AssessmentInput<'_>,
        candidates: &[Candidate],
    ) -> (Vec<FiredProfile>, Vec<AssessmentError>) {
        let facts = Facts::new(input, &self.settings);
        let mut fired = Vec::new();
        let mut errors = Vec::new();
        for c in candidates {
            let p = &self.profiles[c.profile as usize];
            if let Some(f) = evaluate(p, &facts, c.items, &mut errors) {
                fired.push(f);
            }
        }
        (fired, errors)
    }
}

fn in_scope_and_valid(p: &Compiled, facts: &Facts<'_>) -> bool {
    if facts.date < p.valid_from || facts.date > p.valid_to {
        return false;
    }
    match &p.offices {
        None => true,
        Some(o) => o.contains(facts.office, facts.input.declaration.office.as_str()),
    }
}

/// Checks one profile in full; `Some` when it fires.
fn evaluate<'a>(
    p: &Compiled,
    facts: &Facts<'a>,
    item_mask: ItemMask,
    errors: &mut Vec<AssessmentError>,
) -> Option<FiredProfile> {
    let input = facts.input;
    let d = input.declaration;
    let trader = input.trader.risk_category;
    if !in_scope_and_valid(p, facts) {
        return None;
    }
    // Decide first, without allocating: most candidates do not fire.
    for c in &p.declaration_checks {
        let ok = if c.field == Field::DocumentsCode {
            c.documents_hold(d)
        } else {
            c.holds(facts.declaration(c.field))
        };
        if !ok {
            return None;
        }
    }
    let item_holds = |it: &ItemFacts<'a>| {
        p.item_checks
            .iter()
            .all(|c| c.holds(facts.item(c.field, it)))
    };
    // Items that satisfy every `items.*` criterion (only the first is needed without a
    // condition); `None` stands for "no item" when the profile has no item criteria and
    // the declaration no items.
    let mut matching = facts
        .items
        .iter()
        .enumerate()
        .filter(|&(i, it)| may_match(item_mask, i) && item_holds(it))
        .map(|(i, _)| Some(i));
    let mut items: Vec<Option<usize>> = match &p.condition {
        None => matching.next().into_iter().collect(),
        Some(_) => matching.collect(),
    };
    if p.item_checks.is_empty() && items.is_empty() {
        items.push(None);
    }
    if items.is_empty() {
        return None;
    }
    let mut matched = Vec::new();
    for c in &p.declaration_criteria {
        if c.field == Field::DocumentsCode {
            matched.extend(documents_hold(c, d));
            continue;
        }
        let v = declaration_value(c.field, d, trader);
        matched.push(Matched {
            field: Cow::Borrowed(c.field.as_str()),
            value: v.show(),
            item: None,
        });
    }

    let mut failure: Option<String> = None;
    let firing_item = match p.condition.as_deref() {
        None => items[0],
        Some(Err(parse)) => {
            failure = Some(format!("condition does not compile: {parse}"));
            items[0]
        }
        Some(Ok(cond)) => {
            let b = facts.bindings.get_or_init(|| Bindings::new(d, trader));
            let to_try: Vec<Option<usize>> = if cond.per_item {
                items.clone()
            } else {
                vec![None]
            };
            let mut hit = None;
            for it in to_try {
                match cond.evaluate(b, it) {
                    Ok(true) => {
                        hit = Some(it);
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        let at = it.map(|i| format!(" (item {i})")).unwrap_or_default();
                        failure.get_or_insert(format!("condition failed{at}: {e}"));
                    }
                }
            }
            match (hit, &failure) {
                (Some(it), _) => {
                    // Fired on its own merits: the error is still reported.
                    if let Some(f) = failure.take() {
                        errors.push(AssessmentError {
                            profile: p.id.to_string(),
                            version: p.version,
                            message: f,
                        });
                    }
                    it.or(items[0])
                }
                (None, Some(_)) => items[0],
                (None, None) => return None,
            }
        }
    };

    if let Some(item) = firing_item.map(|i| &facts.items[i]) {
        for c in &p.item_criteria {
            // The very values the decision read (the reference-price ratio as converted).
            let v = Val::from(facts.item(c.field, item));
            matched.push(Matched {
                field: Cow::Borrowed(c.field.as_str()),
                value: v.show(),
                item: firing_item,
            });
        }
    }
    if let Some(cond) = p.condition.as_deref()
        && failure.is_none()
    {
        matched.push(Matched {
            field: Cow::Borrowed("condition"),
            value: cond.as_ref().map(|c| c.source.clone()).unwrap_or_default(),
            item: firing_item.filter(|_| cond.as_ref().is_ok_and(|c| c.per_item)),
        });
    }

    let failed_safe = failure.is_some();
    let mut measure = p.measure;
    if let Some(message) = failure {
        errors.push(AssessmentError {
            profile: p.id.to_string(),
            version: p.version,
            message,
        });
        // Fail safe: at least a documentary check.
        if measure.channel() < Channel::Yellow {
            measure = Measure::DocumentaryCheck;
        }
    }
    Some(FiredProfile {
        profile: p.id.clone(),
        version: p.version,
        title: p.title.clone(),
        score: p.score,
        measure,
        inspection: if measure == Measure::PhysicalInspection {
            p.inspection
        } else {
            None
        },
        matched,
        failed_safe,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::Date;
    use serde_json::json;
    use tamga_types::Channel;

    use crate::engine::testing::{declaration, fired_ids, input, phones_from_china, profile};
    use crate::engine::{AssessmentInput, Matched, RiskEngine, SelectionSettings};
    use crate::profile::Measure;

    #[test]
    fn item_criteria_matched_by_two_different_items_do_not_fire() {
        let e = RiskEngine::compile(&[phones_from_china()], SelectionSettings::without_random());
        let d = declaration(
            &[
                ("8517130000", "KR", "10", "100"),
                ("6403990000", "CN", "10", "100"),
            ],
            "41701",
        );
        assert!(e.assess(&input(&d)).fired.is_empty());
        let d = declaration(
            &[
                ("6403990000", "KR", "10", "100"),
                ("8517130000", "CN", "10", "100"),
            ],
            "41701",
        );
        let a = e.assess(&input(&d));
        assert_eq!(a.fired.len(), 1);
        assert_eq!(
            a.fired[0].matched,
            vec![
                Matched {
                    field: "items.hs_code".into(),
                    value: "8517130000".into(),
                    item: Some(1)
                },
                Matched {
                    field: "items.origin".into(),
                    value: "CN".into(),
                    item: Some(1)
                },
            ]
        );
        assert_eq!(a.channel, Channel::Yellow);
    }

    #[test]
    fn a_profile_scoped_to_an_office_fires_only_at_that_office() {
        let p = profile("osh", json!({"scope": {"offices": ["41702"]}}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let here = declaration(&[("8517130000", "CN", "1", "1")], "41702");
        let there = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(fired_ids(&e, &input(&here)), vec!["osh"]);
        assert!(fired_ids(&e, &input(&there)).is_empty());
    }

    #[test]
    fn a_profile_fires_only_within_its_validity_dates() {
        let p = profile(
            "dated",
            json!({"valid_from": "2026-02-01", "valid_to": "2026-02-28"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        for (date, fires) in [
            ((2026, 1, 31), false),
            ((2026, 2, 1), true),
            ((2026, 2, 28), true),
            ((2026, 3, 1), false),
        ] {
            let i = AssessmentInput {
                date: Date::constant(date.0, date.1, date.2),
                ..input(&d)
            };
            assert_eq!(!fired_ids(&e, &i).is_empty(), fires, "{date:?}");
        }
    }

    #[test]
    fn a_missing_document_fires_an_absent_criterion() {
        let p = profile(
            "no-eur1",
            json!({"criteria": [
                {"field": "documents.code", "op": "absent", "values": ["N954"]},
                {"field": "dispatch_country", "op": "eq", "value": "CN"},
            ]}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let mut d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(fired_ids(&e, &input(&d)), vec!["no-eur1"]);
        d.documents.push(tamga_types::Document {
            code: "N954".into(),
            reference: "E1".into(),
        });
        assert!(fired_ids(&e, &input(&d)).is_empty());
    }

    #[test]
    fn a_condition_must_hold_for_an_item_that_meets_the_criteria() {
        let p = profile(
            "dear",
            json!({
                "criteria": [{"field": "items.origin", "op": "eq", "value": "CN"}],
                "condition": "double(item.value) > 1000.0 && trader.risk_category == 'low' && declaration.office == '41701'"
            }),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let no = declaration(
            &[
                ("8517130000", "CN", "1", "10"),
                ("8517130000", "KR", "1", "5000"),
            ],
            "41701",
        );
        assert!(fired_ids(&e, &input(&no)).is_empty());
        assert!(e.assess(&input(&no)).errors.is_empty());
        let yes = declaration(
            &[
                ("8517130000", "KR", "1", "10"),
                ("8517130000", "CN", "1", "5000"),
            ],
            "41701",
        );
        let a = e.assess(&input(&yes));
        assert_eq!(a.fired.len(), 1);
        assert_eq!(a.fired[0].matched.last().unwrap().item, Some(1));
    }

    #[test]
    fn a_condition_runtime_error_fails_safe_to_at_least_yellow_and_is_recorded() {
        // `int("Goods")` parses and passes the write-time check but fails on evaluation.
        let p = profile(
            "broken",
            json!({"measure": "none", "score": 0, "condition": "int(item.description) > 3"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Yellow);
        assert_eq!(a.fired.len(), 1);
        assert!(a.fired[0].failed_safe);
        assert_eq!(a.fired[0].measure, Measure::DocumentaryCheck);
        assert_eq!(a.errors.len(), 1);
        assert_eq!(
            (a.errors[0].profile.as_str(), a.errors[0].version),
            ("broken", 1)
        );
        assert!(
            a.errors[0].message.contains("condition failed"),
            "{}",
            a.errors[0].message
        );
    }

    #[test]
    fn a_failing_condition_keeps_a_stronger_measure() {
        let p = profile(
            "broken",
            json!({"measure": "physical_inspection", "condition": "int(item.description) > 3"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(e.assess(&input(&d)).channel, Channel::Red);
    }
}
