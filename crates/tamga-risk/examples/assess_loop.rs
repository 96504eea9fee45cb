//! Fixed-count assessment loop for instruction-count profiling (`valgrind --tool=callgrind`).
use jiff::civil::Date;
use tamga_risk::bench::{realistic_profiles, sample_declarations};
use tamga_risk::engine::{AssessmentInput, RiskEngine, SelectionSettings, TraderContext};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let engine = RiskEngine::compile(&realistic_profiles(1000, 42), SelectionSettings::default());
    let declarations = sample_declarations(1000, 7);
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
