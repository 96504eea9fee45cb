//! Random selection: one `u32` drawn from ChaCha20 seeded with the input's seed, compared
//! with cuts computed once per engine from the selection rates.

use rand_chacha::ChaCha20Rng;
// rand_core through rand_chacha: a seeded generator only, no path to OS randomness.
use rand_chacha::rand_core::{Rng, SeedableRng};
use rust_decimal::Decimal;
use tamga_types::Channel;

use super::{RandomDraw, RandomRates};

/// 2^32, the number of possible draws.
const DRAWS: u64 = 1 << 32;

fn cut(rate: Decimal) -> u64 {
    let rate = rate.clamp(Decimal::ZERO, Decimal::ONE);
    let c = (rate * Decimal::from(DRAWS)).floor();
    u64::try_from(c).unwrap_or(DRAWS)
}

/// Random rates with their cuts on the draw, computed once per engine rather than per
/// assessment.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cuts {
    rates: RandomRates,
    /// Draws below `red` select red; below `yellow` (≥ `red`), yellow.
    red: u64,
    yellow: u64,
}

impl Cuts {
    pub(super) fn new(rates: RandomRates) -> Cuts {
        let red = cut(rates.red);
        Cuts {
            rates,
            red,
            yellow: red + cut(rates.yellow),
        }
    }
}

pub(super) fn draw(seed: &[u8; 32], cuts: &Cuts) -> RandomDraw {
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let draw = rng.next_u32();
    let (red, yellow, rates) = (cuts.red, cuts.yellow, cuts.rates);
    let value = u64::from(draw);
    let selected = if value < red {
        Some(Channel::Red)
    } else if value < yellow {
        Some(Channel::Yellow)
    } else {
        None
    };
    let fraction = (Decimal::from(draw) / Decimal::from(DRAWS)).round_dp(8);
    RandomDraw {
        seed: hex::encode(seed),
        draw,
        fraction,
        yellow_rate: rates.yellow,
        red_rate: rates.red,
        selected,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;
    use tamga_types::Channel;

    use crate::engine::testing::{declaration, input};
    use crate::engine::{AssessmentInput, RandomRates, RiskEngine, SelectionSettings};

    #[test]
    fn random_selection_is_reproducible_from_the_seed() {
        let settings = SelectionSettings {
            random: RandomRates {
                yellow: Decimal::new(3, 1),
                red: Decimal::new(2, 1),
            },
            office_random: [("41709".to_owned(), RandomRates::NONE)].into(),
            ..SelectionSettings::default()
        };
        let e = RiskEngine::compile(&[], settings);
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let mut counts = BTreeMap::new();
        for s in 0..2000u32 {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&s.to_le_bytes());
            let i = AssessmentInput {
                random_seed: seed,
                ..input(&d)
            };
            let a = e.assess(&i);
            assert_eq!(a, e.assess(&i), "same seed, same assessment");
            assert_eq!(a.random.seed, hex::encode(seed));
            assert_eq!(a.channel, a.random.selected.unwrap_or(Channel::Green));
            *counts.entry(a.channel).or_insert(0) += 1;
        }
        // 20 % red, 30 % yellow, 50 % green, within sampling noise.
        assert!((330..470).contains(&counts[&Channel::Red]), "{counts:?}");
        assert!((520..680).contains(&counts[&Channel::Yellow]), "{counts:?}");
        // An office override of zero never selects.
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41709");
        assert!((0..200u8).all(|s| {
            e.assess(&AssessmentInput {
                random_seed: [s; 32],
                ..input(&d)
            })
            .random
            .selected
            .is_none()
        }));
    }

    #[test]
    fn the_seed_is_recorded_in_hex() {
        let seed: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
        let e = RiskEngine::compile(&[], SelectionSettings::default());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let a = e.assess(&AssessmentInput {
            random_seed: seed,
            ..input(&d)
        });
        assert_eq!(a.random.seed, hex::encode(seed));
    }
}
