//! Simulated trade for `tamga demo` and the benchmarks.
//!
//! This crate owns a *pure*, seeded generator of customs declarations that look like the
//! trade of a small Central Asian administration (Kyrgyz-like geography, partners, goods
//! and offices): a population of traders and brokers ([`Party`]), the declarations they
//! lodge (the request body of CONTRACT.md, as JSON) and the hidden truth behind each one
//! ([`Truth`]: whether and how it is fraudulent, and the true goods), plus [`inspect`],
//! what an officer's full inspection would find. It does no I/O: the binary posts what
//! it generates. The same seed and config always give the same population and stream.
//!
//! [`risk_workload`] is the other generator: the risk profiles and declarations that
//! `tamga bench risk` (and the risk engine's tests) assess.
//!
//! ```
//! use tamga_sim::{SimConfig, TradeSimulator};
//!
//! let mut sim = TradeSimulator::new(7, SimConfig::default());
//! let d = sim.next();
//! assert!(d.declaration["items"].as_array().is_some());
//! let result = tamga_sim::inspect(&d.truth);
//! assert!(result["outcome"] == "no_discrepancy" || result["outcome"] == "discrepancy");
//! ```

mod geo;
mod goods;
mod inspect;
mod names;
mod nomenclature;
mod population;
pub mod risk_workload;
mod sim;
#[cfg(test)]
mod tests;

pub use inspect::{Finding, InspectionResult, inspect, inspection};
pub use population::{Party, PartyRole};
pub use sim::TradeSimulator;

/// The lowest usual import price per HS prefix, in USD per unit of the goods' quantity: a
/// reference-price table for the demo's risk settings. An honest simulated price is never
/// below 94 % of it; undervalued lines (30–70 % of the true value) often are far below.
pub fn reference_prices_usd() -> Vec<(&'static str, f64)> {
    let mut out: Vec<(&'static str, f64)> = Vec::new();
    for p in goods::IMPORTS {
        match out.iter_mut().find(|(prefix, _)| *prefix == p.prefix) {
            Some((_, lo)) => *lo = lo.min(p.price.0),
            None => out.push((p.prefix, p.price.0)),
        }
    }
    out
}

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Settings of the simulated economy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Share of declarations that are fraudulent; clamped to `0.01..=0.08`.
    pub fraud_rate: f64,
    /// Number of traders (importers and exporters); at least 2.
    pub traders: usize,
    /// Number of customs brokers; at least 1.
    pub brokers: usize,
    /// Fixed number of goods items per declaration (the benchmark lodges 5); `None`
    /// draws 1 to 5 (mean about 3).
    pub items: Option<usize>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            fraud_rate: 0.04,
            traders: 60,
            brokers: 8,
            items: None,
        }
    }
}

/// How a fraudulent declaration departs from the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FraudKind {
    /// Declared value is 30–70 % of the true value.
    Undervaluation,
    /// Declared HS code is a lower-duty subheading of the same chapter.
    Misclassification,
    /// Declared origin is a customs-union country (duty-free), true origin is not.
    FalseOrigin,
    /// Quantity and masses reduced by 20–50 %, the value consistent with the declared
    /// quantity.
    QuantityUnderstated,
}

/// The true facts of one goods item, in the order of the declaration's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrueItem {
    /// True commodity code, in the same 6- or 10-digit form as the declared one.
    pub hs_code: String,
    /// True country of origin.
    pub origin: String,
    pub quantity: Decimal,
    pub unit: String,
    pub net_mass_kg: Decimal,
    pub gross_mass_kg: Decimal,
    /// True invoice value in the declaration's currency.
    pub value: Decimal,
    /// Whether the declared item departs from these facts.
    pub tampered: bool,
}

/// What the simulator knows and the declarant hides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    pub fraud: Option<FraudKind>,
    pub items: Vec<TrueItem>,
}

/// One generated declaration with its truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedDeclaration {
    /// The CONTRACT.md request body of `POST /api/v1/declarations`.
    pub declaration: serde_json::Value,
    pub truth: Truth,
}
