//! The assessment: a declaration and an immutable snapshot of the active risk profiles
//! ([`RiskEngine`]) in, an [`Assessment`] (channel, score, what fired and why) out.
//!
//! How a declaration is assessed:
//! 1. **Candidates.** Each profile is indexed under one *anchor*, its most selective
//!    criterion: an `items.hs_code` prefix, else an `items.origin`, else its offices (scope
//!    or `office` criterion), else `dispatch_country`, else `trader.risk_category`
//!    (`eq`/`in`/`prefix` criteria only); profiles with none of these sit in a
//!    residual list checked for every declaration. A declaration is checked only against
//!    the profiles found under its items' HS prefixes and origins, its office and dispatch
//!    country, plus the residual list. The index only narrows: every candidate is then
//!    checked in full, so the result equals checking every profile (tested).
//! 2. **Firing.** A candidate fires when the assessment date is within its validity, its
//!    scope covers the declaration's office, every declaration-level criterion holds, all
//!    its `items.*` criteria hold for one same goods item, and its condition (if any) holds
//!    for that item (see [`crate::condition`]). A condition that cannot be evaluated
//!    *fails safe*: the profile fires with at least a documentary check, and the error is
//!    listed in [`Assessment::errors`].
//! 3. **Channel.** The strongest of: the measures of the fired profiles, the score
//!    thresholds applied to (fired scores + the trader category's score), and random
//!    selection drawn from ChaCha20 seeded with the input's `random_seed`.
//!
//! Invariants: no I/O; `assess` is a pure function of (input, profile set, settings) — the
//! same input gives the identical `Assessment`, random draw included; no `HashMap`
//! iteration order reaches the output.
//!
//! Code map, one concern a module:
//! - `settings`: the selection policy ([`SelectionSettings`]);
//! - `prices`: reference prices and currency conversion ([`ReferencePrices`],
//!   [`CurrencyRates`]);
//! - `assessment`: the input and the result ([`AssessmentInput`], [`Assessment`]);
//! - `compile`: [`RiskEngine::compile`] and the digest;
//! - `index` (with its two hashers in `hashing`): step 1, the candidates;
//! - `facts`, `text`, `check`: a declaration's values and the criteria compiled to test
//!   them; `fire`: step 2;
//! - `random` and `assess`: step 3, the draw and the channel with its reason.

use std::collections::HashMap;
use std::sync::Arc;

mod assess;
mod assessment;
mod check;
mod compile;
mod facts;
mod fire;
mod hashing;
mod index;
mod prices;
mod random;
mod settings;
#[cfg(test)]
mod testing;
mod text;

pub use assessment::{
    Assessment, AssessmentError, AssessmentInput, FiredProfile, Matched, RandomDraw, TraderContext,
};
pub use prices::{CurrencyRates, ReferencePrice, ReferencePrices};
pub use settings::{RandomRates, ScoreThresholds, SelectionSettings, TraderScores};

/// Version of the assessment rules, recorded in every assessment.
pub const ENGINE_VERSION: &str = concat!("tamga-risk/", env!("CARGO_PKG_VERSION"));

/// Reason given when the engine holds no active profile (the foundation relies on this text).
pub const NO_PROFILES_REASON: &str = "no risk profiles active";

/// An immutable snapshot of the active profiles and the selection settings. Build it with
/// [`RiskEngine::compile`] whenever a profile changes and share it (`Arc`) between requests.
#[derive(Debug)]
pub struct RiskEngine {
    profiles: Vec<compile::Compiled>,
    index: index::Index,
    settings: SelectionSettings,
    /// `settings.random` and `settings.office_random` as cuts on the draw.
    cuts: random::Cuts,
    /// The currencies of the reference-price table, each once.
    reference_currencies: Vec<String>,
    office_cuts: HashMap<String, random::Cuts>,
    digest: Arc<str>,
}

impl RiskEngine {
    /// Number of active profiles in this snapshot.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    pub fn settings(&self) -> &SelectionSettings {
        &self.settings
    }

    /// The currencies reference prices are in: what a caller needs rates for (see
    /// [`CurrencyRates`]) when an invoice is in another currency.
    pub fn reference_currencies(&self) -> &[String] {
        &self.reference_currencies
    }

    /// blake3 (hex) of the engine version, settings and active profiles.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}
