//! Tamga's risk engine: risk profiles written by analysts, the assessment of a declaration
//! into a control channel, back-testing a draft profile on history, and the trader's risk
//! category.
//!
//! Code map:
//! - [`profile`]: untrusted JSON → [`ProfileDraft`] (every problem at once), the stored
//!   [`RiskProfile`];
//! - [`condition`]: a profile's CEL `condition`, checked at write time, fail-safe at run time;
//! - [`engine`]: [`RiskEngine::compile`] (index the active profiles) and
//!   [`RiskEngine::assess`] → [`Assessment`], one module per concern inside;
//! - [`backtest`]: how a draft would have selected on past declarations;
//! - [`trader`]: [`derive_category`] from a trader's record.
//!
//! The benchmark (`tamga bench risk`) and its generated workload live outside this crate:
//! the harness in the `tamga` binary, the generator in `tamga_sim::risk_workload`.
//!
//! Invariants: no I/O (no database, no HTTP, no clock, no OS randomness — the caller passes
//! the date and the random seed), so an assessment is reproducible by an auditor from its
//! input, the profile versions and the settings.

pub mod backtest;
pub mod condition;
pub mod engine;
pub mod profile;
pub mod trader;
#[cfg(test)]
mod workload;

pub use backtest::{BacktestReport, HistoricDeclaration, backtest};
pub use engine::{
    Assessment, AssessmentError, AssessmentInput, CurrencyRates, ENGINE_VERSION, FiredProfile,
    Matched, NO_PROFILES_REASON, RandomDraw, RandomRates, ReferencePrice, ReferencePrices,
    RiskEngine, ScoreThresholds, SelectionSettings, TraderContext, TraderScores,
};
pub use profile::{
    Criterion, Field, Inspection, Measure, Op, Operand, ProfileDraft, RiskProfile, Scope,
    parse_profile,
};
pub use trader::{RiskCategory, TraderHistory, derive_category};
