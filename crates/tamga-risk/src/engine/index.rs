//! The candidate index: each active profile filed under one *anchor* (see the module
//! documentation of [`crate::engine`]), and the lookup of the profiles worth checking in
//! full for one declaration, with the goods items that can make each fire.

use std::collections::HashMap;

use super::hashing::{CodeMap, HsMap};
use super::{AssessmentInput, RiskEngine};
use crate::profile::{Criterion, Field, Op, Operand};

/// A set of goods items by index: bit `j` for item `j` < 64; [`ALL_ITEMS`] stands for
/// every item (also those from 64 on, which have no bit of their own).
pub(super) type ItemMask = u64;

pub(super) const ALL_ITEMS: ItemMask = u64::MAX;

fn item_bit(j: usize) -> ItemMask {
    if j < 64 { 1 << j } else { ALL_ITEMS }
}

/// Whether item `j` is in `mask`.
#[inline]
pub(super) fn may_match(mask: ItemMask, j: usize) -> bool {
    mask == ALL_ITEMS || (j < 64 && mask >> j & 1 == 1)
}

/// Per-thread scratch of [`RiskEngine::candidates`]: the items each profile was found
/// under, by profile number. An entry counts only when stamped with the current call's
/// generation, so nothing needs clearing between calls (and a call that stopped half-way
/// leaves nothing behind that a later call could read).
#[derive(Default)]
struct ItemMasks {
    generation: u32,
    entries: Vec<(u32, ItemMask)>,
}

impl ItemMasks {
    fn begin(&mut self, profiles: usize) -> &mut ItemMasks {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: stamps from 2^32 calls ago would look current.
            self.entries.clear();
            self.generation = 1;
        }
        if self.entries.len() < profiles {
            self.entries.resize(profiles, (0, 0));
        }
        self
    }

    #[inline]
    fn add(&mut self, profile: u32, mask: ItemMask) {
        let e = &mut self.entries[profile as usize];
        if e.0 == self.generation {
            e.1 |= mask;
        } else {
            *e = (self.generation, mask);
        }
    }

    /// The items `profile` was found under in this call; `None` when it was found under the
    /// declaration only.
    #[inline]
    fn get(&self, profile: u32) -> Option<ItemMask> {
        let e = self.entries[profile as usize];
        (e.0 == self.generation).then_some(e.1)
    }
}

thread_local! {
    static ITEM_MASKS: std::cell::RefCell<ItemMasks> =
        std::cell::RefCell::new(ItemMasks::default());
}

/// A profile worth checking in full, and the items that can make it fire.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) profile: u32,
    pub(super) items: ItemMask,
}

/// The profile numbers filed under one index key: a range of [`Index::ids`]. All lists
/// sit in one array, so a lookup reads one table and one contiguous run, not a separate
/// allocation per key.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Span {
    start: u32,
    len: u32,
}

/// Moves the lists of `map` into `ids`, keeping their ranges.
fn freeze<K: std::hash::Hash + Eq, H: std::hash::Hasher + Default>(
    ids: &mut Vec<u32>,
    map: HashMap<K, Vec<u32>, std::hash::BuildHasherDefault<H>>,
) -> HashMap<K, Span, std::hash::BuildHasherDefault<H>> {
    map.into_iter()
        .map(|(k, list)| (k, append(ids, &list)))
        .collect()
}

fn append(ids: &mut Vec<u32>, list: &[u32]) -> Span {
    let start = ids.len() as u32;
    ids.extend_from_slice(list);
    Span {
        start,
        len: list.len() as u32,
    }
}

/// Longest all-digit HS prefix kept as an integer key (10^15 · 32 < 2^64).
const HS_KEY_DIGITS: usize = 15;

/// An all-digit prefix as an integer key: its value and its length (so `"08"` ≠ `"8"`).
fn hs_key(value: u64, len: usize) -> u64 {
    (value << 5) | len as u64
}

fn hs_key_of(code: &str) -> Option<u64> {
    if code.is_empty() || code.len() > HS_KEY_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = code
        .bytes()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    Some(hs_key(value, code.len()))
}

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Every key's profile numbers, ascending within a key (see [`Span`]).
    ids: Vec<u32>,
    /// All-digit HS prefixes, by [`hs_key`], and every shorter prefix of one (at the
    /// lengths in `hs_lengths`), so that a lookup stops at the first length that leads
    /// nowhere.
    hs: HsMap<HsNode>,
    /// (origin, profiles) runs of the HS nodes, each run sorted by origin.
    by_origin: Vec<(u16, Span)>,
    /// The prefix lengths present in `hs`, ascending.
    hs_lengths: Vec<usize>,
    /// Any other HS prefix (not all digits, or too long), by text.
    hs_other: CodeMap,
    hs_other_lengths: Vec<usize>,
    origin: CodeMap,
    office: CodeMap,
    dispatch: CodeMap,
    trader: CodeMap,
    residual: Span,
}

/// An HS prefix in the index: the profiles filed under it (maybe none) and whether any
/// longer prefix starts with it.
#[derive(Debug, Clone, Copy, Default)]
struct HsNode {
    ids: Span,
    /// Profiles that also name origins: a run of [`Index::by_origin`].
    origins: Span,
    longer: bool,
}

impl Index {
    #[inline]
    fn ids(&self, s: Span) -> &[u32] {
        &self.ids[s.start as usize..(s.start + s.len) as usize]
    }

    /// The profiles of an HS node filed under `origin` as well.
    #[inline]
    fn by_origin(&self, node: &HsNode, origin: u16) -> &[u32] {
        let run = &self.by_origin
            [node.origins.start as usize..(node.origins.start + node.origins.len) as usize];
        match run.binary_search_by_key(&origin, |&(o, _)| o) {
            Ok(k) => self.ids(run[k].1),
            Err(_) => &[],
        }
    }
}

/// A two-letter code (a country) as an integer; `None` for any other text.
fn origin_key(code: &str) -> Option<u16> {
    match code.as_bytes() {
        &[a, b] => Some(u16::from_le_bytes([a, b])),
        _ => None,
    }
}

/// [`Index`] while it is being filled.
#[derive(Default)]
pub(super) struct IndexBuilder {
    hs: HsMap<Vec<u32>>,
    /// Profiles with both an HS prefix and a two-letter origin list, by (prefix, origin).
    hs_origin: HashMap<(u64, u16), Vec<u32>>,
    hs_other: CodeMap<Vec<u32>>,
    origin: CodeMap<Vec<u32>>,
    office: CodeMap<Vec<u32>>,
    dispatch: CodeMap<Vec<u32>>,
    trader: CodeMap<Vec<u32>>,
    residual: Vec<u32>,
}

impl IndexBuilder {
    /// Files profile `i` under its anchor, or in the residual list when it has none.
    pub(super) fn file(&mut self, i: u32, criteria: &[Criterion], offices: Option<&[String]>) {
        let put = |map: &mut CodeMap<Vec<u32>>, keys: &[String]| {
            for k in keys {
                let ids = map.entry(k.clone()).or_default();
                if ids.last() != Some(&i) {
                    ids.push(i);
                }
            }
        };
        let find = |f: Field| criteria.iter().find_map(|c| anchor_values(c, f));
        if let Some(v) = find(Field::ItemHsCode) {
            // With an origin criterion beside it, the profile is filed under each
            // (prefix, origin) pair: it is a candidate only when one item has both.
            let origins: Option<Vec<u16>> =
                find(Field::ItemOrigin).and_then(|o| o.iter().map(|c| origin_key(c)).collect());
            for k in v {
                let ids = match (hs_key_of(k), &origins) {
                    (Some(key), Some(origins)) => {
                        for &o in origins {
                            let ids = self.hs_origin.entry((key, o)).or_default();
                            if ids.last() != Some(&i) {
                                ids.push(i);
                            }
                        }
                        continue;
                    }
                    (Some(key), None) => self.hs.entry(key).or_default(),
                    (None, _) => self.hs_other.entry(k.clone()).or_default(),
                };
                if ids.last() != Some(&i) {
                    ids.push(i);
                }
            }
        } else if let Some(v) = find(Field::ItemOrigin) {
            put(&mut self.origin, v);
        } else if let Some(o) = offices {
            put(&mut self.office, o);
        } else if let Some(v) = find(Field::Office) {
            put(&mut self.office, v);
        } else if let Some(v) = find(Field::DispatchCountry) {
            put(&mut self.dispatch, v);
        } else if let Some(v) = find(Field::TraderRiskCategory) {
            put(&mut self.trader, v);
        } else {
            self.residual.push(i);
        }
    }

    pub(super) fn freeze(self) -> Index {
        let lengths = |it: &mut dyn Iterator<Item = usize>| {
            let mut l: Vec<usize> = it.collect();
            l.sort_unstable();
            l.dedup();
            l
        };
        let hs_lengths = lengths(
            &mut self
                .hs
                .keys()
                .chain(self.hs_origin.keys().map(|(k, _)| k))
                .map(|k| (k & 31) as usize),
        );
        let hs_other_lengths = lengths(&mut self.hs_other.keys().map(|k| k.len()));
        let mut ids = Vec::new();
        let mut hs: HsMap<HsNode> = freeze(&mut ids, self.hs)
            .into_iter()
            .map(|(k, ids)| {
                let node = HsNode {
                    ids,
                    ..HsNode::default()
                };
                (k, node)
            })
            .collect();
        // Each node's origins, sorted, as one run of `by_origin`.
        let mut pairs: Vec<((u64, u16), Vec<u32>)> = self.hs_origin.into_iter().collect();
        pairs.sort_unstable_by_key(|(k, _)| *k);
        let mut by_origin: Vec<(u16, Span)> = Vec::with_capacity(pairs.len());
        for ((key, origin), list) in pairs {
            let node = hs.entry(key).or_default();
            if node.origins.len == 0 {
                node.origins.start = by_origin.len() as u32;
            }
            node.origins.len += 1;
            by_origin.push((origin, append(&mut ids, &list)));
        }
        let keys: Vec<u64> = hs.keys().copied().collect();
        for key in keys {
            let (value, len) = (key >> 5, (key & 31) as usize);
            for &l in hs_lengths.iter().take_while(|&&l| l < len) {
                let shorter = hs_key(value / 10u64.pow((len - l) as u32), l);
                hs.entry(shorter).or_default().longer = true;
            }
        }
        Index {
            hs,
            by_origin,
            hs_lengths,
            hs_other: freeze(&mut ids, self.hs_other),
            hs_other_lengths,
            origin: freeze(&mut ids, self.origin),
            office: freeze(&mut ids, self.office),
            dispatch: freeze(&mut ids, self.dispatch),
            trader: freeze(&mut ids, self.trader),
            residual: append(&mut ids, &self.residual),
            ids,
        }
    }
}

fn anchor_values(c: &Criterion, field: Field) -> Option<&[String]> {
    match (&c.operand, c.op) {
        (Operand::Texts(v), Op::Eq | Op::In) if c.field == field => Some(v),
        // Only the HS index is looked up by prefix; elsewhere a prefix is no anchor.
        (Operand::Texts(v), Op::Prefix) if c.field == field && field == Field::ItemHsCode => {
            Some(v)
        }
        _ => None,
    }
}

impl RiskEngine {
    /// The profiles that can fire for this declaration, ascending, each with the goods
    /// items that can satisfy its anchor.
    pub(super) fn candidates(&self, input: &AssessmentInput<'_>) -> Vec<Candidate> {
        let ix = &self.index;
        let d = input.declaration;
        // A bitset over profile numbers: marking is O(1), and reading it back yields the
        // candidates sorted and without duplicates (no sort, no dedup). Beside it, the
        // items under which a profile anchored on an HS prefix or an origin was found: such
        // a profile can only fire on one of those items. Every profile has one anchor, so a
        // profile is found either under items or under the declaration, never both.
        let mut seen = vec![0u64; self.profiles.len().div_ceil(64)];
        ITEM_MASKS.with_borrow_mut(|scratch| {
            let masks = scratch.begin(self.profiles.len());
            let mut mark = |ids: &[u32], items: Option<ItemMask>| {
                for &i in ids {
                    seen[i as usize / 64] |= 1 << (i % 64);
                    if let Some(mask) = items {
                        masks.add(i, mask);
                    }
                }
            };
            for (j, item) in d.items.iter().enumerate() {
                let mask = Some(item_bit(j));
                let origin = origin_key(item.origin.as_str());
                let code = item.hs_code.as_str();
                // The all-digit prefixes as integers, built one digit at a time.
                let (mut value, mut digits) = (0u64, 0usize);
                let bytes = code.as_bytes();
                'lengths: for &l in &ix.hs_lengths {
                    if l > bytes.len() {
                        break;
                    }
                    while digits < l {
                        let b = bytes[digits];
                        if !b.is_ascii_digit() {
                            break 'lengths;
                        }
                        value = value * 10 + u64::from(b - b'0');
                        digits += 1;
                    }
                    let Some(node) = ix.hs.get(&hs_key(value, l)) else {
                        break;
                    };
                    mark(ix.ids(node.ids), mask);
                    if node.origins.len > 0
                        && let Some(o) = origin
                    {
                        mark(ix.by_origin(node, o), mask);
                    }
                    if !node.longer {
                        break;
                    }
                }
                for &l in &ix.hs_other_lengths {
                    if l > code.len() {
                        break;
                    }
                    if let Some(&s) = code.get(..l).and_then(|k| ix.hs_other.get(k)) {
                        mark(ix.ids(s), mask);
                    }
                }
                if let Some(&s) = ix.origin.get(item.origin.as_str()) {
                    mark(ix.ids(s), mask);
                }
            }
            if let Some(&s) = ix.office.get(d.office.as_str()) {
                mark(ix.ids(s), None);
            }
            if let Some(&s) = d
                .dispatch_country
                .as_ref()
                .and_then(|c| ix.dispatch.get(c.as_str()))
            {
                mark(ix.ids(s), None);
            }
            if let Some(&s) = ix.trader.get(input.trader.risk_category.as_str()) {
                mark(ix.ids(s), None);
            }
            mark(ix.ids(ix.residual), None);
            let mut out = Vec::with_capacity(seen.iter().map(|w| w.count_ones() as usize).sum());
            for (w, &bits) in seen.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let profile = w as u32 * 64 + bits.trailing_zeros();
                    out.push(Candidate {
                        profile,
                        items: masks.get(profile).unwrap_or(ALL_ITEMS),
                    });
                    bits &= bits - 1;
                }
            }
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::Date;
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::{Rng, SeedableRng};
    use serde_json::json;

    use crate::engine::testing::{input, profile};
    use crate::engine::{AssessmentInput, RiskEngine, SelectionSettings, TraderContext};
    use crate::trader::RiskCategory;
    use crate::workload::{realistic_profiles, sample_declarations};

    #[test]
    fn indexing_gives_the_same_result_as_checking_every_profile() {
        let mut fired = 0;
        let mut rng = ChaCha20Rng::seed_from_u64(99);
        for round in 0..4u64 {
            let mut ps = realistic_profiles(400, round);
            // Mix in office-criterion, origin-only and residual profiles.
            for k in 0..40 {
                let extra = match k % 4 {
                    0 => {
                        json!({"criteria": [{"field": "office", "op": "in", "values": ["41703", "41705"]}]})
                    }
                    1 => json!({"criteria": [{"field": "items.origin", "op": "eq", "value": "TR"},
                                             {"field": "items.value", "op": "gt", "value": "1000"}]}),
                    2 if k % 8 == 2 => {
                        json!({"criteria": [{"field": "items.count", "op": "ge", "value": "5"}], "score": 1})
                    }
                    2 => {
                        json!({"criteria": [{"field": "items.origin", "op": "prefix", "values": ["T"]},
                                             {"field": "trader.risk_category", "op": "in", "values": ["high"]}]})
                    }
                    _ => {
                        json!({"criteria": [{"field": "items.hs_code", "op": "eq", "value": "85171300"}]})
                    }
                };
                ps.push(profile(&format!("extra-{k}"), extra));
            }
            let e = RiskEngine::compile(&ps, SelectionSettings::default());
            for (n, mut d) in sample_declarations(300, round + 100)
                .into_iter()
                .enumerate()
            {
                if n % 10 == 0 {
                    // Past 64 items an item has no bit of its own in the candidate masks:
                    // move a real item there, behind goods no profile targets.
                    let mut filler = d.items[0].clone();
                    filler.hs_code = tamga_types::HsCode::parse("9999999999").unwrap();
                    filler.origin = tamga_types::CountryCode::parse("AQ").unwrap();
                    d.items.resize(72, filler);
                    d.items.swap(n % 5, 64 + n % 8);
                }
                let mut seed = [0u8; 32];
                rng.fill_bytes(&mut seed);
                let category = [RiskCategory::Low, RiskCategory::High][(seed[0] & 1) as usize];
                let date = Date::constant(2025, 6 + (seed[1] % 2) as i8 * 6, 1);
                let i = AssessmentInput {
                    random_seed: seed,
                    date,
                    trader: TraderContext {
                        risk_category: category,
                    },
                    ..input(&d)
                };
                let fast = e.assess(&i);
                assert_eq!(fast, e.assess_brute_force(&i));
                assert!((fast.profiles_checked as usize) < ps.len());
                fired += fast.fired.len();
            }
        }
        assert!(
            fired > 1000,
            "the comparison must not be vacuous: {fired} fired"
        );
    }
}
