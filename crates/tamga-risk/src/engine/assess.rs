//! The assessment itself: the candidates' firings, the trader's score and the random draw
//! combined into a channel, an inspection depth and a reason a person can read.

use std::borrow::Cow;

use tamga_types::Channel;

#[cfg(test)]
use super::index::ALL_ITEMS;
use super::index::Candidate;
use super::random::draw;
use super::{
    Assessment, AssessmentInput, ENGINE_VERSION, FiredProfile, NO_PROFILES_REASON, RandomDraw,
    RiskEngine,
};
use crate::profile::Measure;
use crate::trader::RiskCategory;

impl RiskEngine {
    /// Assesses one declaration. Deterministic: see [`crate::engine`].
    pub fn assess(&self, input: &AssessmentInput<'_>) -> Assessment {
        let candidates = self.candidates(input);
        self.assess_among(input, &candidates)
    }

    /// `assess` checking every profile, without the index (the reference for tests).
    #[cfg(test)]
    pub(crate) fn assess_brute_force(&self, input: &AssessmentInput<'_>) -> Assessment {
        let all: Vec<Candidate> = (0..self.profiles.len() as u32)
            .map(|profile| Candidate {
                profile,
                items: ALL_ITEMS,
            })
            .collect();
        let mut a = self.assess_among(input, &all);
        a.profiles_checked = self.assess(input).profiles_checked;
        a
    }

    fn assess_among(&self, input: &AssessmentInput<'_>, candidates: &[Candidate]) -> Assessment {
        let d = input.declaration;
        let (fired, errors) = self.fire_among(input, candidates);
        let s = &self.settings;

        let trader_category = input.trader.risk_category;
        let trader_score = s.trader_scores.score(trader_category);
        let score = fired
            .iter()
            .fold(trader_score, |acc, f| acc.saturating_add(f.score));

        let cuts = self
            .office_cuts
            .get(d.office.as_str())
            .unwrap_or(&self.cuts);
        let random = draw(&input.random_seed, cuts);

        let by_measure = fired
            .iter()
            .map(|f| f.measure.channel())
            .max()
            .unwrap_or(Channel::Green);
        let by_score = if score >= s.thresholds.red {
            Channel::Red
        } else if score >= s.thresholds.yellow {
            Channel::Yellow
        } else {
            Channel::Green
        };
        let by_random = random.selected.unwrap_or(Channel::Green);
        let channel = by_measure.max(by_score).max(by_random);

        let inspection = (channel == Channel::Red).then(|| {
            fired
                .iter()
                .filter(|f| f.measure == Measure::PhysicalInspection)
                .filter_map(|f| f.inspection)
                .max()
                .unwrap_or(s.default_inspection)
        });

        let reason = self.reason(
            &fired,
            score,
            trader_category,
            trader_score,
            &random,
            channel,
            [by_measure, by_score, by_random],
        );

        Assessment {
            channel,
            score,
            fired,
            trader_category,
            trader_score,
            random,
            thresholds: s.thresholds,
            inspection,
            reason,
            errors,
            date: input.date,
            profiles_checked: candidates.len() as u32,
            exchange_rates: input.exchange_rates.cloned().unwrap_or_default(),
            engine_version: Cow::Borrowed(ENGINE_VERSION),
            profiles_digest: self.digest.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn reason(
        &self,
        fired: &[FiredProfile],
        score: u32,
        category: RiskCategory,
        trader_score: u32,
        random: &RandomDraw,
        channel: Channel,
        [by_measure, by_score, by_random]: [Channel; 3],
    ) -> String {
        use std::fmt::Write as _;
        // One string written in place: this runs for every declaration.
        let mut out = String::with_capacity(160);
        if self.profiles.is_empty() {
            out.push_str(NO_PROFILES_REASON);
            if let Some(c) = random.selected {
                let _ = write!(out, "; random selection: {}", c.as_str());
            }
            return out;
        }
        if fired.is_empty() {
            out.push_str("no risk profile fired");
        } else {
            let _ = write!(out, "{} profile(s) fired: ", fired.len());
            for (k, f) in fired.iter().enumerate() {
                let sep = if k == 0 { "" } else { ", " };
                let _ = write!(
                    out,
                    "{sep}{} v{} ({})",
                    f.profile,
                    f.version,
                    f.measure.as_str()
                );
            }
        }
        let _ = write!(
            out,
            "; score {score} (trader {} +{trader_score}); channel {}",
            category.as_str(),
            channel.as_str()
        );
        if channel != Channel::Green {
            let t = &self.settings.thresholds;
            let at = if channel == Channel::Red {
                t.red
            } else {
                t.yellow
            };
            let mut sep = " by ";
            if by_measure == channel {
                out.push_str(sep);
                out.push_str("profile measure");
                sep = ", ";
            }
            if by_score == channel {
                let _ = write!(out, "{sep}score ≥ {at}");
                sep = ", ";
            }
            if by_random == channel {
                out.push_str(sep);
                out.push_str("random selection");
            }
        }
        if let Some(c) = random.selected
            && by_random != channel
        {
            let _ = write!(out, "; random selection: {}", c.as_str());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;
    use tamga_types::Channel;

    use crate::engine::testing::{declaration, input, phones_from_china, profile};
    use crate::engine::{
        AssessmentInput, NO_PROFILES_REASON, RandomRates, RiskEngine, SelectionSettings,
        TraderContext,
    };
    use crate::profile::{Inspection, RiskProfile};
    use crate::trader::RiskCategory;
    use crate::workload::{realistic_profiles, sample_declarations};

    #[test]
    fn the_strongest_measure_wins_and_the_deepest_inspection() {
        let ps = [
            profile("audit", json!({"measure": "post_entry_audit"})),
            profile("docs", json!({"measure": "documentary_check"})),
            profile(
                "scan",
                json!({"measure": "physical_inspection", "inspection": "scan"}),
            ),
            profile(
                "full",
                json!({"measure": "physical_inspection", "inspection": "full"}),
            ),
        ];
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let e = RiskEngine::compile(&ps[..2], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).channel, Channel::Yellow);
        let e = RiskEngine::compile(&ps[..1], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).channel, Channel::Blue);
        let e = RiskEngine::compile(&ps, SelectionSettings::without_random());
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Red);
        assert_eq!(a.inspection, Some(Inspection::Full));
        assert_eq!(a.score, 40);
    }

    #[test]
    fn score_thresholds_decide_the_channel_with_the_trader_score() {
        let p = profile("quiet", json!({"measure": "none", "score": 30}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let with = |c| AssessmentInput {
            trader: TraderContext { risk_category: c },
            ..input(&d)
        };
        let low = e.assess(&with(RiskCategory::Low));
        assert_eq!((low.score, low.channel), (30, Channel::Green));
        let medium = e.assess(&with(RiskCategory::Medium));
        assert_eq!((medium.score, medium.channel), (50, Channel::Yellow));
        let high = e.assess(&with(RiskCategory::High));
        assert_eq!((high.score, high.channel), (80, Channel::Yellow));
        let p = profile("loud", json!({"measure": "none", "score": 100}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let a = e.assess(&input(&d));
        assert_eq!(
            (a.channel, a.inspection),
            (Channel::Red, Some(Inspection::Partial))
        );
    }

    #[test]
    fn the_reason_names_what_fired_the_score_and_what_set_the_channel() {
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let reason = |ps: &[RiskProfile], settings: SelectionSettings| {
            RiskEngine::compile(ps, settings).assess(&input(&d)).reason
        };
        let doc = profile("a", json!({"score": 30}));
        let phys = profile("b", json!({"score": 40, "measure": "physical_inspection"}));
        let quiet = |id: &str| profile(id, json!({"score": 30, "measure": "none"}));
        let off = SelectionSettings::without_random;
        assert_eq!(
            reason(&[doc.clone(), phys], off()),
            "2 profile(s) fired: a v1 (documentary_check), b v1 (physical_inspection); \
             score 70 (trader low +0); channel red by profile measure"
        );
        assert_eq!(
            reason(&[quiet("q1"), quiet("q2")], off()),
            "2 profile(s) fired: q1 v1 (none), q2 v1 (none); score 60 (trader low +0); \
             channel yellow by score ≥ 50"
        );
        let always_yellow = SelectionSettings {
            random: RandomRates {
                yellow: Decimal::ONE,
                red: Decimal::ZERO,
            },
            ..off()
        };
        assert_eq!(
            reason(&[doc], always_yellow.clone()),
            "1 profile(s) fired: a v1 (documentary_check); score 30 (trader low +0); \
             channel yellow by profile measure, random selection"
        );
        assert_eq!(
            reason(&[quiet("q1")], always_yellow.clone()),
            "1 profile(s) fired: q1 v1 (none); score 30 (trader low +0); \
             channel yellow by random selection"
        );
        assert_eq!(
            reason(&[], always_yellow),
            "no risk profiles active; random selection: yellow"
        );
        let d2 = declaration(&[("0101210000", "CN", "1", "1")], "41701");
        let hs = profile(
            "hs",
            json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["85"]}]}),
        );
        assert_eq!(
            RiskEngine::compile(&[hs], off()).assess(&input(&d2)).reason,
            "no risk profile fired; score 0 (trader low +0); channel green"
        );
    }

    #[test]
    fn no_profiles_give_green_with_the_reason_no_risk_profiles_active() {
        let e = RiskEngine::compile(&[], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Green);
        assert_eq!(a.reason, "no risk profiles active");
        assert_eq!(a.score, 0);
        // Inactive profiles count as none.
        let mut p = phones_from_china();
        p.active = false;
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).reason, NO_PROFILES_REASON);
    }

    #[test]
    fn assessing_twice_gives_the_identical_assessment() {
        let ps = realistic_profiles(500, 11);
        let e = RiskEngine::compile(&ps, SelectionSettings::default());
        for d in sample_declarations(50, 5) {
            let a = e.assess(&input(&d));
            let b = e.assess(&input(&d));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap()
            );
        }
        // The order the server passes profiles in does not matter.
        let mut reversed = ps.clone();
        reversed.reverse();
        let e2 = RiskEngine::compile(&reversed, SelectionSettings::default());
        let d = &sample_declarations(1, 5)[0];
        assert_eq!(e.assess(&input(d)), e2.assess(&input(d)));
    }
}
