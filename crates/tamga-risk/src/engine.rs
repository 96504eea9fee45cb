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

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tamga_types::{Channel, Declaration, GoodsItem};

use crate::condition::{Bindings, Condition};
use crate::profile::{Criterion, Field, Inspection, Measure, Op, Operand, RiskProfile, Scope};
use crate::trader::RiskCategory;

/// Version of the assessment rules, recorded in every assessment.
pub const ENGINE_VERSION: &str = concat!("tamga-risk/", env!("CARGO_PKG_VERSION"));

/// Reason given when the engine holds no active profile (the foundation relies on this text).
pub const NO_PROFILES_REASON: &str = "no risk profiles active";

/// Score thresholds: a total score at or above `red` gives red, at or above `yellow` yellow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreThresholds {
    pub yellow: u32,
    pub red: u32,
}

impl Default for ScoreThresholds {
    fn default() -> Self {
        Self {
            yellow: 50,
            red: 100,
        }
    }
}

/// Score added for the trader's risk category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraderScores {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
}

impl Default for TraderScores {
    fn default() -> Self {
        Self {
            low: 0,
            medium: 20,
            high: 50,
        }
    }
}

impl TraderScores {
    pub fn score(&self, c: RiskCategory) -> u32 {
        match c {
            RiskCategory::Low => self.low,
            RiskCategory::Medium => self.medium,
            RiskCategory::High => self.high,
        }
    }
}

/// Random selection rates, as fractions (`"0.02"` is 2 %). Red is drawn first, then yellow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomRates {
    pub yellow: Decimal,
    pub red: Decimal,
}

impl Default for RandomRates {
    /// Yellow 2 %, red 1 %.
    fn default() -> Self {
        Self {
            yellow: Decimal::new(2, 2),
            red: Decimal::new(1, 2),
        }
    }
}

impl RandomRates {
    pub const NONE: RandomRates = RandomRates {
        yellow: Decimal::ZERO,
        red: Decimal::ZERO,
    };
}

/// The administration's selection policy, beside the profiles.
///
/// `SelectionSettings::default()` — also what applies when no profile is active — is:
/// thresholds yellow ≥ 50, red ≥ 100; trader scores low 0, medium 20, high 50; random
/// selection yellow 2 %, red 1 % at every office; red inspections `partial` unless a fired
/// profile asks otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionSettings {
    #[serde(default)]
    pub thresholds: ScoreThresholds,
    #[serde(default)]
    pub trader_scores: TraderScores,
    #[serde(default)]
    pub random: RandomRates,
    /// Per-office random rates, replacing `random` at that office.
    #[serde(default)]
    pub office_random: BTreeMap<String, RandomRates>,
    /// Inspection depth of a red channel when no fired profile names one.
    #[serde(default = "default_inspection")]
    pub default_inspection: Inspection,
    /// The reference-price table `items.reference_price_ratio` reads. Part of the
    /// settings so that the engine digest covers it and a stored assessment replays
    /// against the very prices it was decided with.
    #[serde(default, skip_serializing_if = "ReferencePrices::is_empty")]
    pub reference_prices: ReferencePrices,
}

fn default_inspection() -> Inspection {
    Inspection::Partial
}

impl Default for Inspection {
    fn default() -> Self {
        default_inspection()
    }
}

impl SelectionSettings {
    /// The defaults without random selection (tests, back-testing).
    pub fn without_random() -> Self {
        Self {
            random: RandomRates::NONE,
            ..Self::default()
        }
    }
}

/// A reference (world) price for goods whose HS code starts with a prefix, per unit of
/// quantity in `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePrice {
    pub currency: String,
    pub unit_price: Decimal,
}

/// Reference prices by HS prefix (2 to 10 digits); the longest matching prefix applies.
/// Serialised as `{"prices": {"<prefix>": {"currency", "unit_price"}}}`.
/// `items.reference_price_ratio` is the item's unit value over that price, the price
/// converted into the invoice currency through [`AssessmentInput::exchange_rates`] when it
/// is in another currency; absent when no prefix matches or a rate is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePrices {
    pub prices: BTreeMap<String, ReferencePrice>,
}

impl ReferencePrices {
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    pub fn lookup(&self, hs_code: &str) -> Option<&ReferencePrice> {
        (2..=hs_code.len().min(10))
            .rev()
            .find_map(|l| self.prices.get(&hs_code[..l]))
    }

    /// The currencies the table's prices are in, each once.
    pub fn currencies(&self) -> std::collections::BTreeSet<&str> {
        self.prices.values().map(|p| p.currency.as_str()).collect()
    }
}

/// What one unit of each currency is worth in the national currency on the assessment
/// date (the national currency itself at 1): how a reference price in one currency is
/// compared with an invoice in another. The caller passes the rates of the invoice
/// currency and of the reference table's currencies; the assessment records them, so a
/// replay converts with the very rates the decision used.
pub type CurrencyRates = BTreeMap<String, Decimal>;

/// `price` (in `from`) in currency `to`, through the national currency.
fn convert(price: Decimal, from: &str, to: &str, rates: Option<&CurrencyRates>) -> Option<Decimal> {
    if from == to {
        return Some(price);
    }
    let rates = rates?;
    let (from, to) = (rates.get(from)?, rates.get(to)?);
    if from.is_sign_negative() || to.is_zero() || to.is_sign_negative() {
        return None;
    }
    price.checked_mul(*from)?.checked_div(*to)
}

/// What the engine knows of the trader beyond the declaration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraderContext {
    pub risk_category: RiskCategory,
}

/// One assessment's input. `random_seed` is generated by the caller from the operating
/// system's CSPRNG and stored with the assessment, so an auditor can replay the draw.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentInput<'a> {
    pub declaration: &'a Declaration,
    pub date: Date,
    pub trader: TraderContext,
    pub random_seed: [u8; 32],
    /// Rates for comparing reference prices in another currency than the invoice's; see
    /// [`CurrencyRates`]. `None`: such prices are not compared.
    pub exchange_rates: Option<&'a CurrencyRates>,
}

/// A value of the declaration that made a criterion hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matched {
    pub field: Cow<'static, str>,
    pub value: String,
    /// Index of the goods item, for `items.*` criteria and per-item conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
}

/// A profile version that fired, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredProfile {
    /// Shared with the compiled profile: a firing costs no copy of its id or title.
    pub profile: Arc<str>,
    pub version: u32,
    pub title: Arc<str>,
    pub score: u32,
    pub measure: Measure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
    pub matched: Vec<Matched>,
    /// True when the profile fired because its condition could not be evaluated.
    #[serde(default)]
    pub failed_safe: bool,
}

/// A run-time failure of a profile's condition (the profile then fired, failing safe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentError {
    pub profile: String,
    pub version: u32,
    pub message: String,
}

/// The random selection draw, enough to replay it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomDraw {
    /// The 32-byte ChaCha20 seed, hex.
    pub seed: String,
    /// The first `u32` drawn.
    pub draw: u32,
    /// `draw / 2^32`, 8 decimals: selected red when below `red_rate`, yellow when below
    /// `red_rate + yellow_rate`.
    pub fraction: Decimal,
    pub yellow_rate: Decimal,
    pub red_rate: Decimal,
    pub selected: Option<Channel>,
}

/// The result the API shows and the store keeps with the declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub channel: Channel,
    /// Fired profiles' scores plus the trader category's score.
    pub score: u32,
    pub fired: Vec<FiredProfile>,
    pub trader_category: RiskCategory,
    pub trader_score: u32,
    pub random: RandomDraw,
    pub thresholds: ScoreThresholds,
    /// Depth of the physical inspection, when the channel is red.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
    pub reason: String,
    pub errors: Vec<AssessmentError>,
    pub date: Date,
    /// Profiles checked in full after indexing.
    pub profiles_checked: u32,
    /// The exchange rates the assessment was given (see [`CurrencyRates`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exchange_rates: CurrencyRates,
    pub engine_version: Cow<'static, str>,
    /// blake3 of the active profile set and settings this assessment ran on.
    pub profiles_digest: Arc<str>,
}

/// A set of goods items by index: bit `j` for item `j` < 64; [`ALL_ITEMS`] stands for
/// every item (also those from 64 on, which have no bit of their own).
type ItemMask = u64;

const ALL_ITEMS: ItemMask = u64::MAX;

fn item_bit(j: usize) -> ItemMask {
    if j < 64 { 1 << j } else { ALL_ITEMS }
}

/// Whether item `j` is in `mask`.
#[inline]
fn may_match(mask: ItemMask, j: usize) -> bool {
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
struct Candidate {
    profile: u32,
    items: ItemMask,
}

/// A profile ready to evaluate. `repr(C)` keeps the fields read for every candidate in the
/// first cache line (most candidates do not fire; what a fired profile reports comes after).
#[derive(Debug)]
#[repr(C)]
struct Compiled {
    /// Validity as [`day_key`]s (`valid_to`: `i32::MAX` when open-ended).
    valid_from: i32,
    valid_to: i32,
    /// The criteria compiled for deciding, cheapest first.
    declaration_checks: Vec<Check>,
    item_checks: Vec<Check>,
    condition: Option<Box<Result<Condition, String>>>,
    /// The scope's offices (`None`: national).
    offices: Option<TextSet>,
    score: u32,
    version: u32,
    measure: Measure,
    inspection: Option<Inspection>,
    id: Arc<str>,
    title: Arc<str>,
    /// The criteria as written, for the `matched` output of a profile that fires.
    declaration_criteria: Vec<Criterion>,
    item_criteria: Vec<Criterion>,
}

/// A text's first 16 bytes in one integer (little-endian, zero-padded) and its length:
/// equality and prefix tests on the short codes of a declaration take one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    head: u128,
    len: usize,
}

impl Packed {
    fn new(s: &str) -> Packed {
        let b = s.as_bytes();
        let n = b.len().min(16);
        let mut buf = [0u8; 16];
        buf[..n].copy_from_slice(&b[..n]);
        Packed {
            head: u128::from_le_bytes(buf),
            len: b.len(),
        }
    }
}

/// The first `len` bytes of a packed head.
#[inline]
fn head_mask(len: usize) -> u128 {
    if len >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * len)) - 1
    }
}

/// Texts packed in place: most criteria name one or two codes, and keeping them inside
/// the check spares a memory load per candidate.
const FEW: usize = 2;

/// A text operand, kept as written and packed.
#[derive(Debug)]
struct TextSet {
    few: [Packed; FEW],
    /// Every text packed, when there are more than [`FEW`].
    many: Vec<Packed>,
    texts: Vec<String>,
}

impl TextSet {
    fn new(texts: &[String]) -> TextSet {
        let packed: Vec<Packed> = texts.iter().map(|t| Packed::new(t)).collect();
        let mut few = [Packed { head: 0, len: 0 }; FEW];
        let many = if packed.len() <= FEW {
            few[..packed.len()].copy_from_slice(&packed);
            Vec::new()
        } else {
            packed
        };
        TextSet {
            few,
            many,
            texts: texts.to_vec(),
        }
    }

    #[inline]
    fn packed(&self) -> &[Packed] {
        if self.texts.len() <= FEW {
            &self.few[..self.texts.len()]
        } else {
            &self.many
        }
    }

    /// Whether `s` (packed as `v`) equals one of the texts.
    #[inline]
    fn contains(&self, v: Packed, s: &str) -> bool {
        self.packed()
            .iter()
            .zip(&self.texts)
            .any(|(p, t)| p.head == v.head && p.len == v.len && (v.len <= 16 || t == s))
    }

    /// Whether `s` (packed as `v`) starts with one of the texts.
    #[inline]
    fn prefixes(&self, v: Packed, s: &str) -> bool {
        self.packed().iter().zip(&self.texts).any(|(p, t)| {
            if p.len > 16 {
                s.starts_with(t.as_str())
            } else {
                p.len <= v.len && v.head & head_mask(p.len) == p.head
            }
        })
    }
}

/// A criterion's operand, compiled.
#[derive(Debug)]
enum Test {
    None,
    Text(TextSet),
    Number(Decimal),
}

/// A criterion compiled for deciding.
#[derive(Debug)]
struct Check {
    field: Field,
    op: Op,
    test: Test,
}

impl Check {
    fn new(c: &Criterion) -> Check {
        Check {
            field: c.field,
            op: c.op,
            test: match &c.operand {
                Operand::None => Test::None,
                Operand::Texts(t) => Test::Text(TextSet::new(t)),
                Operand::Number(n) => Test::Number(*n),
            },
        }
    }

    /// Relative cost of deciding, to test the cheap criteria first.
    fn cost(&self) -> u8 {
        match self.field {
            Field::DocumentsCode | Field::InvoiceTotal => 3,
            Field::ItemUnitValue | Field::ItemValuePerKg => 2,
            Field::ItemReferencePriceRatio => 4,
            f if f.kind() == crate::profile::FieldKind::Numeric => 1,
            _ => 0,
        }
    }

    /// Whether the criterion holds for `v`. A missing value satisfies only `absent` and
    /// `not_in`.
    #[inline]
    fn holds(&self, v: Fact<'_>) -> bool {
        match (self.op, v) {
            (Op::Present, v) => !matches!(v, Fact::Missing),
            (Op::Absent, v) => matches!(v, Fact::Missing),
            (Op::NotIn, Fact::Missing) => true,
            (_, Fact::Missing) => false,
            (op, Fact::Text(p, s)) => {
                let Test::Text(t) = &self.test else {
                    return false;
                };
                match op {
                    Op::Eq | Op::In => t.contains(p, s),
                    Op::NotIn => !t.contains(p, s),
                    Op::Prefix => t.prefixes(p, s),
                    _ => false,
                }
            }
            (op, Fact::Num(n)) => {
                let Test::Number(x) = &self.test else {
                    return false;
                };
                match op {
                    Op::Eq => n == *x,
                    Op::Lt => n < *x,
                    Op::Le => n <= *x,
                    Op::Gt => n > *x,
                    Op::Ge => n >= *x,
                    _ => false,
                }
            }
        }
    }

    /// Same answer as `documents_hold(..).is_some()`, without allocating.
    fn documents_hold(&self, d: &Declaration) -> bool {
        let Test::Text(t) = &self.test else {
            return false;
        };
        let any = || t.texts.iter().any(|x| d.has_document(x));
        match self.op {
            Op::Present => any(),
            Op::Absent => !any(),
            _ => false,
        }
    }
}

/// A field's value for deciding: [`Val`] with texts packed.
#[derive(Debug, Clone, Copy)]
enum Fact<'a> {
    Text(Packed, &'a str),
    Num(Decimal),
    Missing,
}

impl<'a> From<Fact<'a>> for Val<'a> {
    fn from(f: Fact<'a>) -> Val<'a> {
        match f {
            Fact::Text(_, s) => Val::Text(s),
            Fact::Num(n) => Val::Num(n),
            Fact::Missing => Val::Missing,
        }
    }
}

impl<'a> From<Val<'a>> for Fact<'a> {
    fn from(v: Val<'a>) -> Fact<'a> {
        match v {
            Val::Text(s) => Fact::Text(Packed::new(s), s),
            Val::Num(n) => Fact::Num(n),
            Val::Missing => Fact::Missing,
        }
    }
}

/// One goods item's values, packed or derived once per assessment (derived on first use).
struct ItemFacts<'a> {
    item: &'a GoodsItem,
    hs_code: Packed,
    origin: Packed,
    unit: Packed,
    preference: Option<Packed>,
    unit_value: OnceCell<Option<Decimal>>,
    value_per_kg: OnceCell<Option<Decimal>>,
    reference_price_ratio: OnceCell<Option<Decimal>>,
}

/// What every candidate of one assessment reads: computed once, not per profile.
struct Facts<'a> {
    input: &'a AssessmentInput<'a>,
    /// The settings' reference-price table (covered by the engine digest).
    reference_prices: &'a ReferencePrices,
    date: i32,
    office: Packed,
    invoice_total: OnceCell<Decimal>,
    items: Vec<ItemFacts<'a>>,
    bindings: OnceCell<Bindings<'a>>,
}

impl<'a> Facts<'a> {
    fn new(input: &'a AssessmentInput<'a>, settings: &'a SelectionSettings) -> Facts<'a> {
        let d = input.declaration;
        Facts {
            input,
            reference_prices: &settings.reference_prices,
            date: day_key(input.date),
            office: Packed::new(d.office.as_str()),
            invoice_total: OnceCell::new(),
            items: d
                .items
                .iter()
                .map(|item| ItemFacts {
                    item,
                    hs_code: Packed::new(item.hs_code.as_str()),
                    origin: Packed::new(item.origin.as_str()),
                    unit: Packed::new(&item.unit),
                    preference: item.preference.as_deref().map(Packed::new),
                    unit_value: OnceCell::new(),
                    value_per_kg: OnceCell::new(),
                    reference_price_ratio: OnceCell::new(),
                })
                .collect(),
            bindings: OnceCell::new(),
        }
    }

    /// Same values as [`declaration_value`].
    fn declaration(&self, f: Field) -> Fact<'a> {
        let d = self.input.declaration;
        match f {
            Field::Office => Fact::Text(self.office, d.office.as_str()),
            Field::InvoiceTotal => Fact::Num(*self.invoice_total.get_or_init(|| d.invoice_total())),
            f => declaration_value(f, d, self.input.trader.risk_category).into(),
        }
    }

    /// An item field's value (what `matched` shows is read here too).
    #[inline]
    fn item(&self, f: Field, it: &ItemFacts<'a>) -> Fact<'a> {
        let item = it.item;
        let num = |o: Option<Decimal>| o.map_or(Fact::Missing, Fact::Num);
        let unit_value = || *it.unit_value.get_or_init(|| item.unit_value());
        match f {
            Field::ItemHsCode => Fact::Text(it.hs_code, item.hs_code.as_str()),
            Field::ItemOrigin => Fact::Text(it.origin, item.origin.as_str()),
            Field::ItemUnit => Fact::Text(it.unit, &item.unit),
            Field::ItemPreference => match (it.preference, item.preference.as_deref()) {
                (Some(p), Some(s)) => Fact::Text(p, s),
                _ => Fact::Missing,
            },
            Field::ItemQuantity => Fact::Num(item.quantity),
            Field::ItemNetMassKg => Fact::Num(item.net_mass_kg),
            Field::ItemGrossMassKg => Fact::Num(item.gross_mass_kg),
            Field::ItemValue => Fact::Num(item.value),
            Field::ItemUnitValue => num(unit_value()),
            Field::ItemValuePerKg => num(*it
                .value_per_kg
                .get_or_init(|| item.value.checked_div(item.net_mass_kg))),
            Field::ItemReferencePriceRatio => num(*it.reference_price_ratio.get_or_init(|| {
                let p = self.reference_prices.lookup(item.hs_code.as_str())?;
                let invoice = self.input.declaration.invoice.currency.as_str();
                let price = convert(
                    p.unit_price,
                    &p.currency,
                    invoice,
                    self.input.exchange_rates,
                )?;
                unit_value()?.checked_div(price)
            })),
            _ => Fact::Missing,
        }
    }
}

/// FNV-1a: the index keys are short codes (2–10 bytes), for which SipHash's setup
/// dominates the lookup. Keys come from analysts' profiles, not from traders, so hash
/// flooding is not a concern here.
#[derive(Default)]
struct Fnv(u64);

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

type CodeMap<V = Span> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// Folded multiply for the integer HS keys (their low bits are the length: they need mixing).
#[derive(Default)]
struct IntHash(u64);

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

type HsMap<V = Span> = HashMap<u64, V, std::hash::BuildHasherDefault<IntHash>>;

/// The profile numbers filed under one index key: a range of [`Index::ids`]. All lists
/// sit in one array, so a lookup reads one table and one contiguous run, not a separate
/// allocation per key.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
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
struct Index {
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
struct IndexBuilder {
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
    fn freeze(self) -> Index {
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

/// An immutable snapshot of the active profiles and the selection settings. Build it with
/// [`RiskEngine::compile`] whenever a profile changes and share it (`Arc`) between requests.
#[derive(Debug)]
pub struct RiskEngine {
    profiles: Vec<Compiled>,
    index: Index,
    settings: SelectionSettings,
    /// `settings.random` and `settings.office_random` as cuts on the draw.
    cuts: Cuts,
    /// The currencies of the reference-price table, each once.
    reference_currencies: Vec<String>,
    office_cuts: HashMap<String, Cuts>,
    digest: Arc<str>,
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
    /// Compiles the active profiles of `profiles` (inactive ones are ignored). The order of
    /// `profiles` does not matter: profiles are kept sorted by id then version.
    pub fn compile(profiles: &[RiskProfile], settings: SelectionSettings) -> RiskEngine {
        let mut active: Vec<&RiskProfile> = profiles.iter().filter(|p| p.active).collect();
        active.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));

        let mut hasher = blake3::Hasher::new();
        hasher.update(ENGINE_VERSION.as_bytes());
        hasher.update(&serde_json::to_vec(&settings).expect("settings serialise"));
        for p in &active {
            hasher.update(&serde_json::to_vec(p).expect("profiles serialise"));
        }
        let digest: Arc<str> = hasher.finalize().to_hex().as_str().into();

        let mut index = IndexBuilder::default();
        let mut compiled = Vec::with_capacity(active.len());
        for (i, p) in active.iter().enumerate() {
            let i = i as u32;
            let d = &p.draft;
            let (item_criteria, declaration_criteria): (Vec<_>, Vec<_>) =
                d.criteria.iter().cloned().partition(|c| c.field.is_item());
            let offices: Option<Vec<String>> = match &d.scope {
                Scope::National => None,
                Scope::Offices(o) => Some(o.iter().map(|c| c.as_str().to_owned()).collect()),
            };
            let put = |map: &mut CodeMap<Vec<u32>>, keys: &[String]| {
                for k in keys {
                    let ids = map.entry(k.clone()).or_default();
                    if ids.last() != Some(&i) {
                        ids.push(i);
                    }
                }
            };
            let find = |f: Field| d.criteria.iter().find_map(|c| anchor_values(c, f));
            if let Some(v) = find(Field::ItemHsCode) {
                // With an origin criterion beside it, the profile is filed under each
                // (prefix, origin) pair: it is a candidate only when one item has both.
                let origins: Option<Vec<u16>> =
                    find(Field::ItemOrigin).and_then(|o| o.iter().map(|c| origin_key(c)).collect());
                for k in v {
                    let ids = match (hs_key_of(k), &origins) {
                        (Some(key), Some(origins)) => {
                            for &o in origins {
                                let ids = index.hs_origin.entry((key, o)).or_default();
                                if ids.last() != Some(&i) {
                                    ids.push(i);
                                }
                            }
                            continue;
                        }
                        (Some(key), None) => index.hs.entry(key).or_default(),
                        (None, _) => index.hs_other.entry(k.clone()).or_default(),
                    };
                    if ids.last() != Some(&i) {
                        ids.push(i);
                    }
                }
            } else if let Some(v) = find(Field::ItemOrigin) {
                put(&mut index.origin, v);
            } else if let Some(o) = &offices {
                put(&mut index.office, o);
            } else if let Some(v) = find(Field::Office) {
                put(&mut index.office, v);
            } else if let Some(v) = find(Field::DispatchCountry) {
                put(&mut index.dispatch, v);
            } else if let Some(v) = find(Field::TraderRiskCategory) {
                put(&mut index.trader, v);
            } else {
                index.residual.push(i);
            }
            let mut declaration_checks: Vec<Check> =
                declaration_criteria.iter().map(Check::new).collect();
            declaration_checks.sort_by_key(Check::cost);
            let mut item_checks: Vec<Check> = item_criteria.iter().map(Check::new).collect();
            item_checks.sort_by_key(Check::cost);
            compiled.push(Compiled {
                id: p.id.as_str().into(),
                version: p.version,
                title: d.title.as_str().into(),
                score: d.score,
                measure: d.measure,
                inspection: d.inspection,
                offices: offices.as_deref().map(TextSet::new),
                valid_from: day_key(d.valid_from),
                valid_to: d.valid_to.map_or(i32::MAX, day_key),
                declaration_criteria,
                item_criteria,
                declaration_checks,
                item_checks,
                condition: d
                    .condition
                    .as_deref()
                    .map(|c| Box::new(Condition::compile(c))),
            });
        }
        RiskEngine {
            profiles: compiled,
            index: index.freeze(),
            cuts: Cuts::new(settings.random),
            reference_currencies: settings
                .reference_prices
                .currencies()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            office_cuts: settings
                .office_random
                .iter()
                .map(|(office, rates)| (office.clone(), Cuts::new(*rates)))
                .collect(),
            settings,
            digest,
        }
    }

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

    /// The profiles that can fire for this declaration, ascending, each with the goods
    /// items that can satisfy its anchor.
    fn candidates(&self, input: &AssessmentInput<'_>) -> Vec<Candidate> {
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

    /// Assesses one declaration. Deterministic: see the module documentation.
    pub fn assess(&self, input: &AssessmentInput<'_>) -> Assessment {
        let candidates = self.candidates(input);
        self.assess_among(input, &candidates)
    }

    /// `assess` checking every profile, without the index (the reference for tests).
    #[cfg(test)]
    pub(crate) fn assess_brute_force(&self, input: &AssessmentInput<'_>) -> Assessment {
        let all: Vec<Candidate> = (0..self.profiles.len() as u32)
            .map(|profile| Candidate {
                profile,
                items: ALL_ITEMS,
            })
            .collect();
        let mut a = self.assess_among(input, &all);
        a.profiles_checked = self.assess(input).profiles_checked;
        a
    }

    /// The profiles that fire (without trader score or random selection), and the
    /// condition errors met. Used by back-testing.
    pub(crate) fn fire(
        &self,
        input: &AssessmentInput<'_>,
    ) -> (Vec<FiredProfile>, Vec<AssessmentError>) {
        let candidates = self.candidates(input);
        self.fire_among(input, &candidates)
    }

    fn fire_among(
        &self,
        input: &AssessmentInput<'_>,
        candidates: &[Candidate],
    ) -> (Vec<FiredProfile>, Vec<AssessmentError>) {
        let facts = Facts::new(input, &self.settings);
        let mut fired = Vec::new();
        let mut errors = Vec::new();
        for c in candidates {
            let p = &self.profiles[c.profile as usize];
            if let Some(f) = evaluate(p, &facts, c.items, &mut errors) {
                fired.push(f);
            }
        }
        (fired, errors)
    }

    fn assess_among(&self, input: &AssessmentInput<'_>, candidates: &[Candidate]) -> Assessment {
        let d = input.declaration;
        let (fired, errors) = self.fire_among(input, candidates);
        let s = &self.settings;

        let trader_category = input.trader.risk_category;
        let trader_score = s.trader_scores.score(trader_category);
        let score = fired
            .iter()
            .fold(trader_score, |acc, f| acc.saturating_add(f.score));

        let cuts = self
            .office_cuts
            .get(d.office.as_str())
            .unwrap_or(&self.cuts);
        let random = draw(&input.random_seed, cuts);

        let by_measure = fired
            .iter()
            .map(|f| f.measure.channel())
            .max()
            .unwrap_or(Channel::Green);
        let by_score = if score >= s.thresholds.red {
            Channel::Red
        } else if score >= s.thresholds.yellow {
            Channel::Yellow
        } else {
            Channel::Green
        };
        let by_random = random.selected.unwrap_or(Channel::Green);
        let channel = by_measure.max(by_score).max(by_random);

        let inspection = (channel == Channel::Red).then(|| {
            fired
                .iter()
                .filter(|f| f.measure == Measure::PhysicalInspection)
                .filter_map(|f| f.inspection)
                .max()
                .unwrap_or(s.default_inspection)
        });

        let reason = self.reason(
            &fired,
            score,
            trader_category,
            trader_score,
            &random,
            channel,
            [by_measure, by_score, by_random],
        );

        Assessment {
            channel,
            score,
            fired,
            trader_category,
            trader_score,
            random,
            thresholds: s.thresholds,
            inspection,
            reason,
            errors,
            date: input.date,
            profiles_checked: candidates.len() as u32,
            exchange_rates: input.exchange_rates.cloned().unwrap_or_default(),
            engine_version: Cow::Borrowed(ENGINE_VERSION),
            profiles_digest: self.digest.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn reason(
        &self,
        fired: &[FiredProfile],
        score: u32,
        category: RiskCategory,
        trader_score: u32,
        random: &RandomDraw,
        channel: Channel,
        [by_measure, by_score, by_random]: [Channel; 3],
    ) -> String {
        use std::fmt::Write as _;
        // One string written in place: this runs for every declaration.
        let mut out = String::with_capacity(160);
        if self.profiles.is_empty() {
            out.push_str(NO_PROFILES_REASON);
            if let Some(c) = random.selected {
                let _ = write!(out, "; random selection: {}", c.as_str());
            }
            return out;
        }
        if fired.is_empty() {
            out.push_str("no risk profile fired");
        } else {
            let _ = write!(out, "{} profile(s) fired: ", fired.len());
            for (k, f) in fired.iter().enumerate() {
                let sep = if k == 0 { "" } else { ", " };
                let _ = write!(
                    out,
                    "{sep}{} v{} ({})",
                    f.profile,
                    f.version,
                    f.measure.as_str()
                );
            }
        }
        let _ = write!(
            out,
            "; score {score} (trader {} +{trader_score}); channel {}",
            category.as_str(),
            channel.as_str()
        );
        if channel != Channel::Green {
            let t = &self.settings.thresholds;
            let at = if channel == Channel::Red {
                t.red
            } else {
                t.yellow
            };
            let mut sep = " by ";
            if by_measure == channel {
                out.push_str(sep);
                out.push_str("profile measure");
                sep = ", ";
            }
            if by_score == channel {
                let _ = write!(out, "{sep}score ≥ {at}");
                sep = ", ";
            }
            if by_random == channel {
                out.push_str(sep);
                out.push_str("random selection");
            }
        }
        if let Some(c) = random.selected
            && by_random != channel
        {
            let _ = write!(out, "; random selection: {}", c.as_str());
        }
        out
    }
}

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
struct Cuts {
    rates: RandomRates,
    /// Draws below `red` select red; below `yellow` (≥ `red`), yellow.
    red: u64,
    yellow: u64,
}

impl Cuts {
    fn new(rates: RandomRates) -> Cuts {
        let red = cut(rates.red);
        Cuts {
            rates,
            red,
            yellow: red + cut(rates.yellow),
        }
    }
}

fn draw(seed: &[u8; 32], cuts: &Cuts) -> RandomDraw {
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

/// A field's value in one declaration (and one item).
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Text(&'a str),
    Num(Decimal),
    Missing,
}

impl Val<'_> {
    fn show(self) -> String {
        match self {
            Val::Text(s) => s.to_owned(),
            Val::Num(d) => d.normalize().to_string(),
            Val::Missing => "(absent)".to_owned(),
        }
    }
}

fn opt<T: AsRef<str>>(v: &Option<T>) -> Val<'_> {
    v.as_ref().map_or(Val::Missing, |s| Val::Text(s.as_ref()))
}

fn declaration_value<'a>(f: Field, d: &'a Declaration, trader: RiskCategory) -> Val<'a> {
    match f {
        Field::Type => Val::Text(d.kind.as_str()),
        Field::Procedure => Val::Text(&d.procedure),
        Field::Office => Val::Text(d.office.as_str()),
        Field::Declarant => Val::Text(d.declarant.as_str()),
        Field::Importer => opt(&d.importer),
        Field::ExporterCountry => d
            .exporter
            .as_ref()
            .map_or(Val::Missing, |e| Val::Text(e.country.as_str())),
        Field::DispatchCountry => opt(&d.dispatch_country),
        Field::DestinationCountry => opt(&d.destination_country),
        Field::TransportMode => Val::Text(&d.transport.mode),
        Field::TransportBorderOffice => opt(&d.transport.border_office),
        Field::InvoiceCurrency => Val::Text(d.invoice.currency.as_str()),
        Field::InvoiceIncoterm => opt(&d.invoice.incoterm),
        Field::TraderRiskCategory => Val::Text(trader.as_str()),
        Field::ItemsCount => Val::Num(Decimal::from(d.items.len())),
        Field::InvoiceTotal => Val::Num(d.invoice_total()),
        // Documents are tested by `documents_hold`; item fields per item.
        _ => Val::Missing,
    }
}

fn documents_hold(c: &Criterion, d: &Declaration) -> Option<Matched> {
    let Operand::Texts(codes) = &c.operand else {
        return None;
    };
    let found: Vec<&str> = codes
        .iter()
        .filter(|x| d.has_document(x))
        .map(|s| s.as_str())
        .collect();
    let value = match c.op {
        Op::Present if !found.is_empty() => found.join(", "),
        Op::Absent if found.is_empty() => format!("none of {}", codes.join(", ")),
        _ => return None,
    };
    Some(Matched {
        field: Cow::Borrowed(c.field.as_str()),
        value,
        item: None,
    })
}

/// A date as one integer ordered like the date.
fn day_key(d: Date) -> i32 {
    (i32::from(d.year()) << 9) | (i32::from(d.month()) << 5) | i32::from(d.day())
}

fn in_scope_and_valid(p: &Compiled, facts: &Facts<'_>) -> bool {
    if facts.date < p.valid_from || facts.date > p.valid_to {
        return false;
    }
    match &p.offices {
        None => true,
        Some(o) => o.contains(facts.office, facts.input.declaration.office.as_str()),
    }
}

/// Checks one profile in full; `Some` when it fires.
fn evaluate<'a>(
    p: &Compiled,
    facts: &Facts<'a>,
    item_mask: ItemMask,
    errors: &mut Vec<AssessmentError>,
) -> Option<FiredProfile> {
    let input = facts.input;
    let d = input.declaration;
    let trader = input.trader.risk_category;
    if !in_scope_and_valid(p, facts) {
        return None;
    }
    // Decide first, without allocating: most candidates do not fire.
    for c in &p.declaration_checks {
        let ok = if c.field == Field::DocumentsCode {
            c.documents_hold(d)
        } else {
            c.holds(facts.declaration(c.field))
        };
        if !ok {
            return None;
        }
    }
    let item_holds = |it: &ItemFacts<'a>| {
        p.item_checks
            .iter()
            .all(|c| c.holds(facts.item(c.field, it)))
    };
    // Items that satisfy every `items.*` criterion (only the first is needed without a
    // condition); `None` stands for "no item" when the profile has no item criteria and
    // the declaration no items.
    let mut matching = facts
        .items
        .iter()
        .enumerate()
        .filter(|&(i, it)| may_match(item_mask, i) && item_holds(it))
        .map(|(i, _)| Some(i));
    let mut items: Vec<Option<usize>> = match &p.condition {
        None => matching.next().into_iter().collect(),
        Some(_) => matching.collect(),
    };
    if p.item_checks.is_empty() && items.is_empty() {
        items.push(None);
    }
    if items.is_empty() {
        return None;
    }
    let mut matched = Vec::new();
    for c in &p.declaration_criteria {
        if c.field == Field::DocumentsCode {
            matched.extend(documents_hold(c, d));
            continue;
        }
        let v = declaration_value(c.field, d, trader);
        matched.push(Matched {
            field: Cow::Borrowed(c.field.as_str()),
            value: v.show(),
            item: None,
        });
    }

    let mut failure: Option<String> = None;
    let firing_item = match p.condition.as_deref() {
        None => items[0],
        Some(Err(parse)) => {
            failure = Some(format!("condition does not compile: {parse}"));
            items[0]
        }
        Some(Ok(cond)) => {
            let b = facts.bindings.get_or_init(|| Bindings::new(d, trader));
            let to_try: Vec<Option<usize>> = if cond.per_item {
                items.clone()
            } else {
                vec![None]
            };
            let mut hit = None;
            for it in to_try {
                match cond.evaluate(b, it) {
                    Ok(true) => {
                        hit = Some(it);
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        let at = it.map(|i| format!(" (item {i})")).unwrap_or_default();
                        failure.get_or_insert(format!("condition failed{at}: {e}"));
                    }
                }
            }
            match (hit, &failure) {
                (Some(it), _) => {
                    // Fired on its own merits: the error is still reported.
                    if let Some(f) = failure.take() {
                        errors.push(AssessmentError {
                            profile: p.id.to_string(),
                            version: p.version,
                            message: f,
                        });
                    }
                    it.or(items[0])
                }
                (None, Some(_)) => items[0],
                (None, None) => return None,
            }
        }
    };

    if let Some(item) = firing_item.map(|i| &facts.items[i]) {
        for c in &p.item_criteria {
            // The very values the decision read (the reference-price ratio as converted).
            let v = Val::from(facts.item(c.field, item));
            matched.push(Matched {
                field: Cow::Borrowed(c.field.as_str()),
                value: v.show(),
                item: firing_item,
            });
        }
    }
    if let Some(cond) = p.condition.as_deref()
        && failure.is_none()
    {
        matched.push(Matched {
            field: Cow::Borrowed("condition"),
            value: cond.as_ref().map(|c| c.source.clone()).unwrap_or_default(),
            item: firing_item.filter(|_| cond.as_ref().is_ok_and(|c| c.per_item)),
        });
    }

    let failed_safe = failure.is_some();
    let mut measure = p.measure;
    if let Some(message) = failure {
        errors.push(AssessmentError {
            profile: p.id.to_string(),
            version: p.version,
            message,
        });
        // Fail safe: at least a documentary check.
        if measure.channel() < Channel::Yellow {
            measure = Measure::DocumentaryCheck;
        }
    }
    Some(FiredProfile {
        profile: p.id.clone(),
        version: p.version,
        title: p.title.clone(),
        score: p.score,
        measure,
        inspection: if measure == Measure::PhysicalInspection {
            p.inspection
        } else {
            None
        },
        matched,
        failed_safe,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{realistic_profiles, sample_declarations};
    use crate::profile::parse_profile;
    use serde_json::{Value, json};

    fn declaration(items: &[(&str, &str, &str, &str)], office: &str) -> Declaration {
        let items: Vec<Value> = items
            .iter()
            .map(|(hs, origin, qty, value)| {
                json!({"hs_code": hs, "description": "Goods", "origin": origin, "quantity": qty,
                       "unit": "p/st", "net_mass_kg": "10", "gross_mass_kg": "12", "value": value})
            })
            .collect();
        serde_json::from_value(json!({
            "type": "IM", "procedure": "4000", "office": office, "declarant": "01234567890123",
            "dispatch_country": "CN",
            "transport": {"mode": "3", "border_office": "41702"},
            "invoice": {"currency": "USD", "freight": "0", "insurance": "0"},
            "items": items,
            "documents": [{"code": "N380", "ref": "INV-1"}]
        }))
        .unwrap()
    }

    fn profile(id: &str, extra: Value) -> RiskProfile {
        let mut body = json!({
            "title": id, "scope": "national", "valid_from": "2026-01-01",
            "criteria": [], "score": 10, "measure": "documentary_check"
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        RiskProfile::new(id, 1, parse_profile(&body).unwrap())
    }

    fn input(d: &Declaration) -> AssessmentInput<'_> {
        AssessmentInput {
            declaration: d,
            date: Date::constant(2026, 3, 1),
            trader: TraderContext {
                risk_category: RiskCategory::Low,
            },
            random_seed: [7; 32],
            exchange_rates: None,
        }
    }

    /// Settings without random selection, with one reference price in USD.
    fn priced(prefix: &str, unit_price: Decimal) -> SelectionSettings {
        let mut settings = SelectionSettings::without_random();
        settings.reference_prices.prices.insert(
            prefix.to_owned(),
            ReferencePrice {
                currency: "USD".into(),
                unit_price,
            },
        );
        settings
    }

    fn fired_ids(engine: &RiskEngine, i: &AssessmentInput<'_>) -> Vec<String> {
        engine
            .assess(i)
            .fired
            .into_iter()
            .map(|f| f.profile.to_string())
            .collect()
    }

    fn phones_from_china() -> RiskProfile {
        profile(
            "phones",
            json!({"criteria": [
                {"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
                {"field": "items.origin", "op": "eq", "value": "CN"},
            ]}),
        )
    }

    #[test]
    fn item_criteria_matched_by_two_different_items_do_not_fire() {
        let e = RiskEngine::compile(&[phones_from_china()], SelectionSettings::without_random());
        let d = declaration(
            &[
                ("8517130000", "KR", "10", "100"),
                ("6403990000", "CN", "10", "100"),
            ],
            "41701",
        );
        assert!(e.assess(&input(&d)).fired.is_empty());
        let d = declaration(
            &[
                ("6403990000", "KR", "10", "100"),
                ("8517130000", "CN", "10", "100"),
            ],
            "41701",
        );
        let a = e.assess(&input(&d));
        assert_eq!(a.fired.len(), 1);
        assert_eq!(
            a.fired[0].matched,
            vec![
                Matched {
                    field: "items.hs_code".into(),
                    value: "8517130000".into(),
                    item: Some(1)
                },
                Matched {
                    field: "items.origin".into(),
                    value: "CN".into(),
                    item: Some(1)
                },
            ]
        );
        assert_eq!(a.channel, Channel::Yellow);
    }

    #[test]
    fn a_profile_scoped_to_an_office_fires_only_at_that_office() {
        let p = profile("osh", json!({"scope": {"offices": ["41702"]}}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let here = declaration(&[("8517130000", "CN", "1", "1")], "41702");
        let there = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(fired_ids(&e, &input(&here)), vec!["osh"]);
        assert!(fired_ids(&e, &input(&there)).is_empty());
    }

    #[test]
    fn a_profile_fires_only_within_its_validity_dates() {
        let p = profile(
            "dated",
            json!({"valid_from": "2026-02-01", "valid_to": "2026-02-28"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        for (date, fires) in [
            ((2026, 1, 31), false),
            ((2026, 2, 1), true),
            ((2026, 2, 28), true),
            ((2026, 3, 1), false),
        ] {
            let i = AssessmentInput {
                date: Date::constant(date.0, date.1, date.2),
                ..input(&d)
            };
            assert_eq!(!fired_ids(&e, &i).is_empty(), fires, "{date:?}");
        }
    }

    #[test]
    fn the_strongest_measure_wins_and_the_deepest_inspection() {
        let ps = [
            profile("audit", json!({"measure": "post_entry_audit"})),
            profile("docs", json!({"measure": "documentary_check"})),
            profile(
                "scan",
                json!({"measure": "physical_inspection", "inspection": "scan"}),
            ),
            profile(
                "full",
                json!({"measure": "physical_inspection", "inspection": "full"}),
            ),
        ];
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let e = RiskEngine::compile(&ps[..2], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).channel, Channel::Yellow);
        let e = RiskEngine::compile(&ps[..1], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).channel, Channel::Blue);
        let e = RiskEngine::compile(&ps, SelectionSettings::without_random());
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Red);
        assert_eq!(a.inspection, Some(Inspection::Full));
        assert_eq!(a.score, 40);
    }

    #[test]
    fn score_thresholds_decide_the_channel_with_the_trader_score() {
        let p = profile("quiet", json!({"measure": "none", "score": 30}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let with = |c| AssessmentInput {
            trader: TraderContext { risk_category: c },
            ..input(&d)
        };
        let low = e.assess(&with(RiskCategory::Low));
        assert_eq!((low.score, low.channel), (30, Channel::Green));
        let medium = e.assess(&with(RiskCategory::Medium));
        assert_eq!((medium.score, medium.channel), (50, Channel::Yellow));
        let high = e.assess(&with(RiskCategory::High));
        assert_eq!((high.score, high.channel), (80, Channel::Yellow));
        let p = profile("loud", json!({"measure": "none", "score": 100}));
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let a = e.assess(&input(&d));
        assert_eq!(
            (a.channel, a.inspection),
            (Channel::Red, Some(Inspection::Partial))
        );
    }

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
    fn assessing_twice_gives_the_identical_assessment() {
        let ps = realistic_profiles(500, 11);
        let e = RiskEngine::compile(&ps, SelectionSettings::default());
        for d in sample_declarations(50, 5) {
            let a = e.assess(&input(&d));
            let b = e.assess(&input(&d));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap()
            );
        }
        // The order the server passes profiles in does not matter.
        let mut reversed = ps.clone();
        reversed.reverse();
        let e2 = RiskEngine::compile(&reversed, SelectionSettings::default());
        let d = &sample_declarations(1, 5)[0];
        assert_eq!(e.assess(&input(d)), e2.assess(&input(d)));
    }

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

    #[test]
    fn reference_prices_in_another_currency_are_converted_with_the_given_rates() {
        // Reference: 200 USD per phone. Declared: 100 phones for 9,000.00 EUR, 90 EUR each.
        // With 1 USD = 87.45 KGS and 1 EUR = 102.685 KGS, 200 USD = 170.326... EUR, and
        // 90 / 170.326... = 0.528... < 0.7: undervalued.
        let p = profile(
            "under",
            json!({"criteria": [{"field": "items.reference_price_ratio", "op": "lt", "value": "0.7"}]}),
        );
        let e = RiskEngine::compile(&[p], priced("851713", Decimal::new(200, 0)));
        let mut d = declaration(&[("8517130000", "CN", "100", "9000.00")], "41701");
        d.invoice.currency = tamga_types::CurrencyCode::parse("EUR").unwrap();
        let rates: CurrencyRates = [
            ("USD".to_owned(), Decimal::new(874500, 4)),
            ("EUR".to_owned(), Decimal::new(102685, 3)),
            ("KGS".to_owned(), Decimal::ONE),
        ]
        .into();
        let with = AssessmentInput {
            exchange_rates: Some(&rates),
            ..input(&d)
        };
        let a = e.assess(&with);
        assert_eq!(fired_ids(&e, &with), ["under"]);
        let ratio: Decimal = a.fired[0].matched[0].value.parse().unwrap();
        let expected = Decimal::new(90, 0)
            / (Decimal::new(200, 0) * Decimal::new(874500, 4) / Decimal::new(102685, 3));
        assert_eq!(ratio, expected.normalize());
        // The rates are recorded, and replaying with them gives the same assessment.
        assert_eq!(a.exchange_rates, rates);
        let replay = AssessmentInput {
            exchange_rates: Some(&a.exchange_rates),
            ..input(&d)
        };
        assert_eq!(e.assess(&replay), a);
        // Without a rate for either currency the price is not compared: nothing fires.
        assert!(fired_ids(&e, &input(&d)).is_empty());
        let no_eur: CurrencyRates = [("USD".to_owned(), Decimal::new(874500, 4))].into();
        let partial = AssessmentInput {
            exchange_rates: Some(&no_eur),
            ..input(&d)
        };
        assert!(fired_ids(&e, &partial).is_empty());
        // In USD at 90 per phone the price is compared as it stands: 90 / 200 = 0.45.
        d.invoice.currency = tamga_types::CurrencyCode::parse("USD").unwrap();
        let a = e.assess(&input(&d));
        assert_eq!(a.fired[0].matched[0].value, "0.45");
        assert!(a.exchange_rates.is_empty());
    }

    #[test]
    fn text_sets_answer_as_plain_string_comparison_does() {
        let probes = [
            "",
            "8",
            "85",
            "8517",
            "851713",
            "8517130000",
            "85171300001234567",
            "CN",
            "C",
            "CNX",
            "41701",
            "a-long-office-code-of-20",
            "a-long-office-code-of-2",
        ];
        let sets: [&[&str]; 5] = [
            &["85"],
            &["CN", "8517"],
            &["8517130000", "CN", "41701"],
            &["a-long-office-code-of-2", "8"],
            &["85171300001234567", "x", "y", "z"],
        ];
        for set in sets {
            let texts: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            let t = TextSet::new(&texts);
            for s in probes {
                let v = Packed::new(s);
                assert_eq!(t.contains(v, s), set.contains(&s), "{set:?} contains {s:?}");
                assert_eq!(
                    t.prefixes(v, s),
                    set.iter().any(|p| s.starts_with(p)),
                    "{set:?} prefixes {s:?}"
                );
            }
        }
    }

    #[test]
    fn the_reason_names_what_fired_the_score_and_what_set_the_channel() {
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let reason = |ps: &[RiskProfile], settings: SelectionSettings| {
            RiskEngine::compile(ps, settings).assess(&input(&d)).reason
        };
        let doc = profile("a", json!({"score": 30}));
        let phys = profile("b", json!({"score": 40, "measure": "physical_inspection"}));
        let quiet = |id: &str| profile(id, json!({"score": 30, "measure": "none"}));
        let off = SelectionSettings::without_random;
        assert_eq!(
            reason(&[doc.clone(), phys], off()),
            "2 profile(s) fired: a v1 (documentary_check), b v1 (physical_inspection); \
             score 70 (trader low +0); channel red by profile measure"
        );
        assert_eq!(
            reason(&[quiet("q1"), quiet("q2")], off()),
            "2 profile(s) fired: q1 v1 (none), q2 v1 (none); score 60 (trader low +0); \
             channel yellow by score ≥ 50"
        );
        let always_yellow = SelectionSettings {
            random: RandomRates {
                yellow: Decimal::ONE,
                red: Decimal::ZERO,
            },
            ..off()
        };
        assert_eq!(
            reason(&[doc], always_yellow.clone()),
            "1 profile(s) fired: a v1 (documentary_check); score 30 (trader low +0); \
             channel yellow by profile measure, random selection"
        );
        assert_eq!(
            reason(&[quiet("q1")], always_yellow.clone()),
            "1 profile(s) fired: q1 v1 (none); score 30 (trader low +0); \
             channel yellow by random selection"
        );
        assert_eq!(
            reason(&[], always_yellow),
            "no risk profiles active; random selection: yellow"
        );
        let d2 = declaration(&[("0101210000", "CN", "1", "1")], "41701");
        let hs = profile(
            "hs",
            json!({"criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["85"]}]}),
        );
        assert_eq!(
            RiskEngine::compile(&[hs], off()).assess(&input(&d2)).reason,
            "no risk profile fired; score 0 (trader low +0); channel green"
        );
    }

    #[test]
    fn a_condition_runtime_error_fails_safe_to_at_least_yellow_and_is_recorded() {
        // `int("Goods")` parses and passes the write-time check but fails on evaluation.
        let p = profile(
            "broken",
            json!({"measure": "none", "score": 0, "condition": "int(item.description) > 3"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Yellow);
        assert_eq!(a.fired.len(), 1);
        assert!(a.fired[0].failed_safe);
        assert_eq!(a.fired[0].measure, Measure::DocumentaryCheck);
        assert_eq!(a.errors.len(), 1);
        assert_eq!(
            (a.errors[0].profile.as_str(), a.errors[0].version),
            ("broken", 1)
        );
        assert!(
            a.errors[0].message.contains("condition failed"),
            "{}",
            a.errors[0].message
        );
    }

    #[test]
    fn a_failing_condition_keeps_a_stronger_measure() {
        let p = profile(
            "broken",
            json!({"measure": "physical_inspection", "condition": "int(item.description) > 3"}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(e.assess(&input(&d)).channel, Channel::Red);
    }

    #[test]
    fn a_condition_must_hold_for_an_item_that_meets_the_criteria() {
        let p = profile(
            "dear",
            json!({
                "criteria": [{"field": "items.origin", "op": "eq", "value": "CN"}],
                "condition": "double(item.value) > 1000.0 && trader.risk_category == 'low' && declaration.office == '41701'"
            }),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let no = declaration(
            &[
                ("8517130000", "CN", "1", "10"),
                ("8517130000", "KR", "1", "5000"),
            ],
            "41701",
        );
        assert!(fired_ids(&e, &input(&no)).is_empty());
        assert!(e.assess(&input(&no)).errors.is_empty());
        let yes = declaration(
            &[
                ("8517130000", "KR", "1", "10"),
                ("8517130000", "CN", "1", "5000"),
            ],
            "41701",
        );
        let a = e.assess(&input(&yes));
        assert_eq!(a.fired.len(), 1);
        assert_eq!(a.fired[0].matched.last().unwrap().item, Some(1));
    }

    #[test]
    fn no_profiles_give_green_with_the_reason_no_risk_profiles_active() {
        let e = RiskEngine::compile(&[], SelectionSettings::without_random());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let a = e.assess(&input(&d));
        assert_eq!(a.channel, Channel::Green);
        assert_eq!(a.reason, "no risk profiles active");
        assert_eq!(a.score, 0);
        // Inactive profiles count as none.
        let mut p = phones_from_china();
        p.active = false;
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        assert_eq!(e.assess(&input(&d)).reason, NO_PROFILES_REASON);
    }

    #[test]
    fn a_missing_document_fires_an_absent_criterion() {
        let p = profile(
            "no-eur1",
            json!({"criteria": [
                {"field": "documents.code", "op": "absent", "values": ["N954"]},
                {"field": "dispatch_country", "op": "eq", "value": "CN"},
            ]}),
        );
        let e = RiskEngine::compile(&[p], SelectionSettings::without_random());
        let mut d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        assert_eq!(fired_ids(&e, &input(&d)), vec!["no-eur1"]);
        d.documents.push(tamga_types::Document {
            code: "N954".into(),
            reference: "E1".into(),
        });
        assert!(fired_ids(&e, &input(&d)).is_empty());
    }

    #[test]
    fn unit_value_and_reference_price_ratio_are_compared_as_decimals() {
        let p = profile(
            "cheap",
            json!({"criteria": [
                {"field": "items.unit_value", "op": "lt", "value": "50"},
                {"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"},
            ]}),
        );
        let unpriced = RiskEngine::compile(
            std::slice::from_ref(&p),
            SelectionSettings::without_random(),
        );
        let e = RiskEngine::compile(&[p], priced("851713", Decimal::from(180)));
        // 4999.99 / 100 = 49.9999 < 50; reference 180 → ratio 0.28.
        let d = declaration(&[("8517130000", "CN", "100", "4999.99")], "41701");
        assert!(
            fired_ids(&unpriced, &input(&d)).is_empty(),
            "no reference price, no ratio"
        );
        assert_eq!(fired_ids(&e, &input(&d)), vec!["cheap"]);
        let d = declaration(&[("8517130000", "CN", "100", "5000.00")], "41701");
        assert!(fired_ids(&e, &input(&d)).is_empty());
    }

    #[test]
    fn the_settings_reference_prices_apply_and_are_covered_by_the_digest() {
        let p = profile(
            "under-ref",
            json!({"criteria": [
                {"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"},
            ]}),
        );
        let d = declaration(&[("8517130000", "CN", "100", "4999.99")], "41701");
        let without = RiskEngine::compile(
            std::slice::from_ref(&p),
            SelectionSettings::without_random(),
        );
        assert!(fired_ids(&without, &input(&d)).is_empty());
        let with = RiskEngine::compile(&[p], priced("8517", Decimal::from(180)));
        assert_ne!(with.digest(), without.digest());
        let a = with.assess(&input(&d));
        assert_eq!(
            a.fired.iter().map(|f| &*f.profile).collect::<Vec<_>>(),
            vec!["under-ref"]
        );
        // The explanation shows the ratio that matched: 49.9999 / 180.
        assert!(
            a.fired[0].matched[0].value.starts_with("0.2777"),
            "{:?}",
            a.fired[0].matched
        );
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

    #[test]
    fn the_digest_changes_with_the_profile_set() {
        let a = RiskEngine::compile(&[phones_from_china()], SelectionSettings::default());
        let b = RiskEngine::compile(&[], SelectionSettings::default());
        assert_ne!(a.digest(), b.digest());
        assert_eq!(
            a.digest(),
            RiskEngine::compile(&[phones_from_china()], SelectionSettings::default()).digest()
        );
    }

    /// Stored assessments and snapshots are keyed by the digest: the same profiles and
    /// settings must give the very same digest from one build to the next. The pinned value
    /// changes only with the engine version (part of the digest, on purpose) or with the
    /// serialised shape of a profile or the settings: both call for a new engine version.
    #[test]
    fn the_digest_of_a_fixed_profile_set_and_settings_is_stable() {
        assert_eq!(
            ENGINE_VERSION, "tamga-risk/0.1.0",
            "update the pin below too"
        );
        let profiles = [
            phones_from_china(),
            profile(
                "osh-air",
                json!({"scope": {"offices": ["41702", "41703"]}, "valid_to": "2026-12-31",
                       "criteria": [{"field": "transport.mode", "op": "in", "values": ["4"]}],
                       "score": 35, "measure": "physical_inspection", "inspection": "scan"}),
            ),
            profile(
                "cheap",
                json!({"criteria": [{"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"}],
                       "condition": "double(item.value) > 1000.0", "measure": "post_entry_audit"}),
            ),
        ];
        let mut settings = priced("851713", Decimal::new(18000, 2));
        settings.office_random.insert(
            "41709".to_owned(),
            RandomRates {
                yellow: Decimal::new(5, 2),
                red: Decimal::ZERO,
            },
        );
        let mut reversed = profiles.to_vec();
        reversed.reverse();
        for set in [&profiles[..], &reversed] {
            assert_eq!(
                RiskEngine::compile(set, settings.clone()).digest(),
                "ee2bbb9f00199db077b963f686d97d6f66fbfd473cee61eec5cb81d1da288187"
            );
        }
    }

    #[test]
    fn an_assessment_serialises_to_the_contract_shape() {
        let e = RiskEngine::compile(&[phones_from_china()], SelectionSettings::default());
        let d = declaration(&[("8517130000", "CN", "1", "1")], "41701");
        let v = serde_json::to_value(e.assess(&input(&d))).unwrap();
        for key in [
            "channel",
            "score",
            "fired",
            "random",
            "reason",
            "errors",
            "thresholds",
            "profiles_digest",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        for key in ["profile", "version", "score", "measure", "matched"] {
            assert!(v["fired"][0].get(key).is_some(), "{key}");
        }
        let back: Assessment = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(back).unwrap(), v);
    }
}
