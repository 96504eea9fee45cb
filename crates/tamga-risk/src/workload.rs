//! The benchmark's generated workload ([`tamga_sim::risk_workload`]) as this crate's types,
//! for tests that need many realistic profiles and declarations.

use crate::profile::{RiskProfile, parse_profile};

pub(crate) use tamga_sim::risk_workload::declarations as sample_declarations;

/// `n` generated profiles, stored as `RP-00000`, `RP-00001`, … version 1 (as the benchmark
/// stores them).
pub(crate) fn realistic_profiles(n: usize, seed: u64) -> Vec<RiskProfile> {
    tamga_sim::risk_workload::profile_bodies(n, seed)
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let draft = parse_profile(body).expect("generated profiles are valid");
            RiskProfile::new(format!("RP-{i:05}"), 1, draft)
        })
        .collect()
}
