//! Fixed-count risk assessment loop over the `tamga bench risk` workload (1,000 generated
//! profiles), for instruction-count profiling:
//! `valgrind --tool=callgrind target/release/examples/assess_loop 20000`
//! (built by `cargo build --release -p tamga --example assess_loop`).
use jiff::civil::Date;
use tamga_risk::{
    AssessmentInput, RiskEngine, RiskProfile, SelectionSettings, TraderContext, parse_profile,
};
use tamga_sim::risk_workload;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let profiles: Vec<RiskProfile> = risk_workload::profile_bodies(1000, 42)
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let draft = parse_profile(body).expect("generated profiles are valid");
            RiskProfile::new(format!("RP-{i:05}"), 1, draft)
        })
        .collect();
    let engine = RiskEngine::compile(&profiles, SelectionSettings::default());
    let declarations = risk_workload::declarations(1000, 7);
    let mut fired = 0;
    for i in 0..n {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let a = engine.assess(&AssessmentInput {
            declaration: &declarations[i % declarations.len()],
            date: Date::constant(2026, 3, 1),
            trader: TraderContext::default(),
            random_seed: seed,
            exchange_rates: None,
        });
        fired += a.fired.len();
    }
    println!("{fired}");
}
