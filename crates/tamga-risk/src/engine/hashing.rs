//! The two hashers of the candidate index: FNV-1a for short text codes, a folded multiply
//! for the integer HS keys. Both are deterministic (no random state), and no iteration
//! order of the maps they key reaches an assessment.

use std::collections::HashMap;

use super::index::Span;

/// FNV-1a: the index keys are short codes (2–10 bytes), for which SipHash's setup
/// dominates the lookup. Keys come from analysts' profiles, not from traders, so hash
/// flooding is not a concern here.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(super) type CodeMap<V = Span> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// Folded multiply for the integer HS keys (their low bits are the length: they need mixing).
#[derive(Default)]
pub(super) struct IntHash(u64);

impl std::hash::Hasher for IntHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        let m = u128::from(x ^ self.0) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (m >> 64) as u64 ^ m as u64;
    }
}

pub(super) type HsMap<V = Span> = HashMap<u64, V, std::hash::BuildHasherDefault<IntHash>>;
