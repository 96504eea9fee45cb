//! Fixed-count tax assessment loop over simulated declarations (5 items each), as lodging
//! runs it: assess, then serialise the breakdown once. For `valgrind --tool=callgrind`, or
//! timed: `cargo run --release -p tamga --example taxes_loop -- 20000`.
use std::time::Instant;

use tamga_sim::{SimConfig, TradeSimulator};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let reference = tamga_reference::ReferenceData::embedded().expect("embedded reference data");
    let mut sim = TradeSimulator::new(
        7,
        SimConfig {
            items: Some(5),
            ..SimConfig::default()
        },
    );
    let declarations: Vec<_> = (0..2_000)
        .filter_map(|_| tamga_types::validate_declaration(&sim.next().declaration, &reference).ok())
        .collect();
    let (tariff, rates, preferences) = (
        tamga_tariff::default_tariff(),
        tamga_tariff::default_rates(),
        tamga_tariff::default_preferences(),
    );
    let date = jiff::civil::Date::constant(2026, 3, 2);
    // Declarations the tariff refuses (none in the simulator's mix so far) are not counted.
    let (mut assessed, mut assess, mut json, mut bytes) = (0usize, 0.0, 0.0, 0usize);
    for i in 0..n {
        let d = &declarations[i % declarations.len()];
        let t0 = Instant::now();
        let Ok(taxes) = tamga_tariff::assess_taxes(d, date, &tariff, &rates, &preferences, "KGS")
        else {
            continue;
        };
        let t1 = Instant::now();
        let raw = serde_json::value::to_raw_value(&taxes).expect("taxes serialise");
        assess += (t1 - t0).as_secs_f64();
        json += t1.elapsed().as_secs_f64();
        bytes += raw.get().len();
        assessed += 1;
    }
    let per = assessed.max(1) as f64;
    println!(
        "{assessed} declarations: assess {:.1} µs, serialise {:.1} µs, {} bytes each",
        assess * 1e6 / per,
        json * 1e6 / per,
        bytes / assessed.max(1)
    );
}
