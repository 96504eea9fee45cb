//! `tamga bench risk`: single-thread throughput and latency of risk assessment, on
//! generated profiles and declarations ([`tamga_sim::risk_workload`]).
//!
//! The engine is pure; only this harness reads the clock.

use std::time::Instant;

use anyhow::Context;
use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tamga_risk::{
    AssessmentInput, RiskCategory, RiskEngine, RiskProfile, SelectionSettings, TraderContext,
    parse_profile,
};
use tamga_sim::risk_workload;

/// The generated profile bodies as stored profiles `RP-00000`, `RP-00001`, … version 1.
fn generated_profiles(n: usize, seed: u64) -> anyhow::Result<Vec<RiskProfile>> {
    risk_workload::profile_bodies(n, seed)
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let draft =
                parse_profile(body).with_context(|| format!("generated profile {i} is invalid"))?;
            Ok(RiskProfile::new(format!("RP-{i:05}"), 1, draft))
        })
        .collect()
}

/// What `tamga bench risk` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskBenchResult {
    pub profiles: usize,
    pub assessments: u64,
    pub assessments_per_s: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Profiles checked in full per assessment, after indexing.
    pub candidates_avg: f64,
    /// Profiles fired per assessment.
    pub fired_avg: f64,
}

impl std::fmt::Display for RiskBenchResult {
    /// The CONTRACT.md result line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RESULT bench=risk profiles={} assessments_per_s={:.0} p50_us={:.1} p99_us={:.1} candidates_avg={:.1} fired_avg={:.2}",
            self.profiles,
            self.assessments_per_s,
            self.p50_us,
            self.p99_us,
            self.candidates_avg,
            self.fired_avg
        )
    }
}

/// Assesses generated declarations against `profiles` generated profiles for `seconds`
/// on the calling thread, timing each assessment.
pub fn run(profiles: usize, seconds: f64) -> anyhow::Result<RiskBenchResult> {
    let set = generated_profiles(profiles, 42)?;
    let engine = RiskEngine::compile(&set, SelectionSettings::default());
    let declarations = risk_workload::declarations(1000, 7);
    let date = Date::constant(2026, 3, 1);
    let categories = [RiskCategory::Low, RiskCategory::Medium, RiskCategory::High];
    let mut seed_rng = ChaCha8Rng::seed_from_u64(1);
    let mut latencies_ns: Vec<u64> = Vec::new();
    let mut candidates = 0u64;
    let mut fired = 0u64;
    let start = Instant::now();
    let budget = std::time::Duration::from_secs_f64(seconds.max(0.001));
    let mut i = 0usize;
    while start.elapsed() < budget {
        let mut random_seed = [0u8; 32];
        seed_rng.fill_bytes(&mut random_seed);
        let input = AssessmentInput {
            declaration: &declarations[i % declarations.len()],
            date,
            trader: TraderContext {
                risk_category: categories[i % 3],
            },
            random_seed,
            exchange_rates: None,
        };
        let t = Instant::now();
        let a = engine.assess(&input);
        latencies_ns.push(t.elapsed().as_nanos() as u64);
        candidates += u64::from(a.profiles_checked);
        fired += a.fired.len() as u64;
        std::hint::black_box(a);
        i += 1;
    }
    let total = start.elapsed().as_secs_f64();
    latencies_ns.sort_unstable();
    let at = |q: f64| {
        let k = ((latencies_ns.len() as f64 - 1.0) * q).round() as usize;
        latencies_ns.get(k).copied().unwrap_or(0) as f64 / 1000.0
    };
    let n = latencies_ns.len() as u64;
    Ok(RiskBenchResult {
        profiles,
        assessments: n,
        assessments_per_s: n as f64 / total,
        p50_us: at(0.50),
        p99_us: at(0.99),
        candidates_avg: candidates as f64 / n.max(1) as f64,
        fired_avg: fired as f64 / n.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_bench_runs_and_reports() {
        let r = run(100, 0.05).unwrap();
        assert!(r.assessments > 0);
        assert!(
            r.to_string()
                .starts_with("RESULT bench=risk profiles=100 assessments_per_s=")
        );
    }

    #[test]
    fn every_generated_profile_is_valid() {
        assert_eq!(generated_profiles(500, 42).unwrap().len(), 500);
    }
}
