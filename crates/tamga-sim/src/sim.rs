//! The generator: draws the declaration type, partner, trader, goods and route, applies
//! fraud, and emits the CONTRACT.md request body together with the truth.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::geo::{self, EXPORT_DESTINATIONS, IMPORT_PARTNERS, OfficeKind, TRANSIT_ROUTES};
use crate::goods::{EXPORTS, IMPORTS, MISCLASSIFICATIONS, Profile, Unit};
use crate::names::{self, pick, weighted, weighted_index};
use crate::nomenclature::{Nomenclature, nomenclature};
use crate::population::{Bucket, Entry, Flow, Population, Trader};
use crate::{FraudKind, Party, SimConfig, SimulatedDeclaration, TrueItem, Truth};

/// Share of import and export declarations lodged by a broker.
const BROKER_SHARE: f64 = 0.6;
/// Share of transit declarations lodged by a broker (forwarders).
const TRANSIT_BROKER_SHARE: f64 = 0.75;
/// Weight multiplier of goods outside a trader's specialty.
const OFF_SPECIALTY: f64 = 0.002;

/// A seeded generator of simulated declarations. See the crate docs.
#[derive(Debug, Clone)]
pub struct TradeSimulator {
    rng: ChaCha8Rng,
    config: SimConfig,
    population: Population,
    import_candidates: Vec<Vec<usize>>,
    export_candidates: Vec<Vec<usize>>,
}

/// One goods line: true facts and what is declared.
#[derive(Debug, Clone)]
struct Line {
    profile: &'static Profile,
    sub: usize,
    long_code: bool,
    origin: &'static str,
    quantity: Decimal,
    net: Decimal,
    gross: Decimal,
    value: Decimal,
    /// Invoice-currency price per unit.
    unit_price: f64,
}

#[derive(Debug, Clone)]
struct Declared {
    sub: usize,
    origin: &'static str,
    quantity: Decimal,
    net: Decimal,
    gross: Decimal,
    value: Decimal,
    tampered: bool,
}

/// Candidate subheadings of each profile: those under its prefix not claimed by a longer
/// prefix of the same table.
/// Counted goods (pieces, pairs) leave out the heading's parts subheadings (`…90`).
fn candidates(hs: &Nomenclature, table: &[Profile]) -> Vec<Vec<usize>> {
    table
        .iter()
        .map(|p| {
            let all: Vec<usize> = hs
                .with_prefix(p.prefix)
                .into_iter()
                .filter(|&i| {
                    let code = &hs.subheadings[i].code;
                    !table.iter().any(|q| {
                        q.prefix.len() > p.prefix.len()
                            && q.prefix.starts_with(p.prefix)
                            && code.starts_with(q.prefix)
                    })
                })
                .collect();
            let whole: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| !(p.unit.is_count() && hs.subheadings[i].code.ends_with("90")))
                .collect();
            if whole.is_empty() { all } else { whole }
        })
        .collect()
}

fn log_uniform<R: Rng + ?Sized>(rng: &mut R, (lo, hi): (f64, f64)) -> f64 {
    if hi <= lo {
        return lo;
    }
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

fn uniform<R: Rng + ?Sized>(rng: &mut R, (lo, hi): (f64, f64)) -> f64 {
    lo + rng.random::<f64>() * (hi - lo)
}

/// `x` rounded half-up to cents, at least one cent.
fn cents(x: f64) -> Decimal {
    Decimal::new(((x * 100.0).round() as i64).max(1), 2)
}

fn dec_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

fn table(flow: Flow) -> &'static [Profile] {
    match flow {
        Flow::Import => IMPORTS,
        Flow::Export => EXPORTS,
    }
}

/// Draws a new catalogue entry for goods traded with `country`.
fn new_entry<R: Rng + ?Sized>(
    rng: &mut R,
    flow: Flow,
    candidates: &[Vec<usize>],
    chapters: Option<&[&'static str]>,
    country: &str,
    avoid: &[usize],
) -> Entry {
    let profiles = table(flow);
    let weights = profiles.iter().enumerate().map(|(i, p)| {
        // Skip empty profiles and those whose every subheading is already in use.
        if candidates[i].iter().all(|sub| avoid.contains(sub)) {
            return 0.0;
        }
        let specialty = match chapters {
            Some(ch) if !ch.contains(&p.chapter()) => OFF_SPECIALTY,
            _ => 1.0,
        };
        p.weight * specialty * p.affinity(country)
    });
    let profile = weighted_index(rng, weights);
    let subs = &candidates[profile];
    let mut sub = *pick(rng, subs);
    for _ in 0..6 {
        if !avoid.contains(&sub) {
            break;
        }
        sub = *pick(rng, subs);
    }
    let p = &profiles[profile];
    Entry {
        profile,
        sub,
        unit_price_usd: log_uniform(rng, p.price),
        kg_per_unit: uniform(rng, p.kg_per_unit),
    }
}

/// Country a seller of goods originating in `origin` ships from.
fn seller_country<R: Rng + ?Sized>(rng: &mut R, origin: &'static str) -> &'static str {
    let r = rng.random::<f64>();
    if geo::is_eu(origin) {
        if r < 0.3 {
            return "KZ";
        } else if r < 0.4 {
            return "RU";
        }
    } else if matches!(
        origin,
        "US" | "KR" | "JP" | "IN" | "GB" | "VN" | "BD" | "BR" | "PK" | "EG" | "CH"
    ) && r < 0.15
    {
        return "AE";
    }
    origin
}

/// The entries (indices into the bucket) for `n` goods items, growing the trader's
/// catalogue as needed.
fn take_entries<R: Rng + ?Sized>(
    rng: &mut R,
    trader: &mut Trader,
    flow: Flow,
    country: &'static str,
    candidates: &[Vec<usize>],
    n: usize,
) -> (usize, Vec<usize>) {
    let bucket = match trader
        .buckets
        .iter()
        .position(|b| b.flow == flow && b.country == country)
    {
        Some(b) => b,
        None => {
            let counterparty_country = match flow {
                Flow::Import => seller_country(rng, country),
                Flow::Export => country,
            };
            trader.buckets.push(Bucket {
                flow,
                country,
                counterparty: names::supplier(rng, counterparty_country),
                counterparty_country,
                entries: Vec::new(),
            });
            trader.buckets.len() - 1
        }
    };
    let chapters = match flow {
        Flow::Import => trader.import_chapters.clone(),
        Flow::Export => trader.export_chapters.clone(),
    };
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    for _ in 0..n {
        let size = trader.catalogue_size();
        let entries = &trader.buckets[bucket].entries;
        let available: Vec<usize> = (0..entries.len()).filter(|i| !chosen.contains(i)).collect();
        let create = available.is_empty() || (size < trader.catalogue_cap && rng.random_bool(0.25));
        if create {
            let avoid: Vec<usize> = entries.iter().map(|e| e.sub).collect();
            let entry = new_entry(rng, flow, candidates, Some(&chapters), country, &avoid);
            let entries = &mut trader.buckets[bucket].entries;
            entries.push(entry);
            chosen.push(entries.len() - 1);
        } else {
            // Favourites first: earlier entries are the trader's staple goods.
            let i = weighted_index(rng, available.iter().map(|&i| 1.0 / (i as f64 + 1.0)));
            chosen.push(available[i]);
        }
    }
    (bucket, chosen)
}

/// Builds the true goods line for `entry`.
#[allow(clippy::too_many_arguments)]
fn line<R: Rng + ?Sized>(
    rng: &mut R,
    flow: Flow,
    entry: &Entry,
    origin: &'static str,
    currency: &str,
    n_items: usize,
    small: bool,
) -> Line {
    let profile = &table(flow)[entry.profile];
    let unit = profile.unit;
    let mut qty = log_uniform(rng, profile.qty) / (n_items as f64).sqrt();
    if small {
        qty = if unit.is_count() {
            rng.random_range(1.0..6.0)
        } else {
            rng.random_range(0.5..15.0)
        };
    }
    let quantity = if unit.is_count() {
        Decimal::from(qty.round().max(1.0) as i64)
    } else {
        cents(qty)
    };
    let net = if unit == Unit::Kg {
        quantity
    } else {
        cents(dec_f64(quantity) * entry.kg_per_unit)
    };
    let gross = gross_of(rng, net);
    let unit_price = entry.unit_price_usd * rng.random_range(0.94..1.06) * geo::per_usd(currency);
    let value = cents(dec_f64(quantity) * unit_price);
    Line {
        profile,
        sub: entry.sub,
        long_code: rng.random_bool(0.8),
        origin,
        quantity,
        net,
        gross,
        value,
        unit_price,
    }
}

/// Gross mass: net plus 3–15 % packaging, always strictly more than net.
fn gross_of<R: Rng + ?Sized>(rng: &mut R, net: Decimal) -> Decimal {
    let packed = cents(dec_f64(net) * rng.random_range(1.03..1.15));
    packed.max(net + Decimal::new(1, 2))
}

fn is_heavy(lines: &[Line]) -> bool {
    let gross: f64 = lines.iter().map(|l| dec_f64(l.gross)).sum();
    gross > 2500.0
        || lines
            .iter()
            .any(|l| l.profile.unit == Unit::Litre && l.profile.prefix.starts_with("27"))
}

fn is_light(lines: &[Line]) -> bool {
    lines.iter().map(|l| dec_f64(l.gross)).sum::<f64>() < 400.0
}

/// Mode of transport and border office for goods coming from (or going to) `partner`.
fn route<R: Rng + ?Sized>(
    rng: &mut R,
    partner: &str,
    home: &str,
    heavy: bool,
    light: bool,
) -> (&'static str, &'static str) {
    let south = geo::is_south(home);
    // (road, rail, air)
    let (road, rail, air): (f64, f64, f64) = match partner {
        "CN" => (0.85, 0.03, 0.12),
        "KZ" | "RU" | "BY" | "AM" | "UA" => (0.8, 0.13, 0.07),
        c if geo::is_eu(c) => (0.65, 0.15, 0.2),
        "UZ" | "TJ" | "IR" | "PK" | "AF" | "TM" => (0.95, 0.0, 0.05),
        _ => (0.4, 0.15, 0.45),
    };
    let air = if heavy { 0.0 } else { air };
    let rail = if light { 0.0 } else { rail };
    let mode = *weighted(rng, &[("3", road), ("2", rail), ("4", air)]);
    let border = match mode {
        "2" => "41712",
        "4" => {
            if south && rng.random_bool(0.7) {
                "41709"
            } else if rng.random_bool(0.9) {
                "41707"
            } else {
                "41709"
            }
        }
        _ => match partner {
            "CN" => {
                let irkeshtam = if south { 0.75 } else { 0.25 };
                if rng.random_bool(irkeshtam) {
                    "41703"
                } else {
                    "41702"
                }
            }
            "UZ" | "TJ" | "IR" | "PK" | "AF" | "TM" => *pick(rng, &["41706", "41711"]),
            "TR" if rng.random_bool(0.5) => *pick(rng, &["41706", "41711"]),
            _ => {
                if south && rng.random_bool(0.3) {
                    *pick(rng, &["41706", "41711"])
                } else {
                    *weighted(rng, &[("41704", 0.55), ("41705", 0.45)])
                }
            }
        },
    };
    (mode, border)
}

/// The clearance office: the border post (or airport, railway station) or an inland post.
fn clearance_office<R: Rng + ?Sized>(
    rng: &mut R,
    mode: &str,
    border: &'static str,
    home: &str,
    bazaar_goods: bool,
) -> String {
    let at_border = match mode {
        "4" | "5" => 0.9,
        "2" => 0.8,
        _ => 0.35,
    };
    if rng.random_bool(at_border) {
        return border.to_owned();
    }
    if bazaar_goods && rng.random_bool(0.3) {
        return "41713".to_owned();
    }
    match geo::office_kind(home) {
        Some(OfficeKind::Inland) => home.to_owned(),
        _ if geo::is_south(home) => "41708".to_owned(),
        _ => "41701".to_owned(),
    }
}

fn transport_id<R: Rng + ?Sized>(rng: &mut R, mode: &str, partner: &str) -> (String, String) {
    // (transport id, airline AWB prefix when by air)
    match mode {
        "4" => {
            let (airline, prefix) = *pick(rng, geo::airlines(partner));
            (names::flight(rng, airline), prefix.to_owned())
        }
        "2" => (names::wagon(rng), String::new()),
        "5" => (names::parcel(rng, partner), String::new()),
        _ => {
            let plate_country = if rng.random_bool(0.45) { partner } else { "KG" };
            (names::plate(rng, plate_country), String::new())
        }
    }
}

fn invoice<R: Rng + ?Sized>(rng: &mut R, currency: &str, lines: &[Declared], flow: Flow) -> Value {
    let incoterms: &[(&str, f64)] = match flow {
        Flow::Import => &[
            ("EXW", 15.0),
            ("FCA", 30.0),
            ("FOB", 10.0),
            ("CPT", 20.0),
            ("DAP", 25.0),
        ],
        Flow::Export => &[("FCA", 35.0), ("DAP", 30.0), ("CPT", 20.0), ("EXW", 15.0)],
    };
    let incoterm = *weighted(rng, incoterms);
    let total: f64 = lines.iter().map(|l| dec_f64(l.value)).sum();
    let freight = match incoterm {
        "EXW" => cents(total * rng.random_range(0.04..0.08)),
        "FCA" | "FOB" => cents(total * rng.random_range(0.02..0.07)),
        _ => Decimal::new(0, 2),
    };
    let insurance = if incoterm != "DAP" && rng.random_bool(0.7) {
        cents(total * rng.random_range(0.001..0.005))
    } else {
        Decimal::new(0, 2)
    };
    json!({
        "currency": currency,
        "incoterm": incoterm,
        "freight": freight.to_string(),
        "insurance": insurance.to_string(),
    })
}

fn hs_string(hs: &Nomenclature, sub: usize, long: bool) -> String {
    let code = &hs.subheadings[sub].code;
    if long {
        format!("{code}0000")
    } else {
        code.clone()
    }
}

/// A plausible lower-duty subheading in the same chapter as `sub`.
fn misclassify<R: Rng + ?Sized>(rng: &mut R, hs: &Nomenclature, sub: usize) -> usize {
    let code = hs.subheadings[sub].code.as_str();
    if let Some(target) = MISCLASSIFICATIONS
        .iter()
        .filter(|(from, to)| code.starts_with(from) && *to != code)
        .find_map(|(_, to)| hs.index_of(to))
    {
        return target;
    }
    let heading = &code[..4];
    let others: Vec<usize> = hs
        .with_prefix(&code[..2])
        .into_iter()
        .filter(|&i| !hs.subheadings[i].code.starts_with(heading))
        .collect();
    if let Some(&i) = others.get(rng.random_range(0..others.len().max(1))) {
        return i;
    }
    let siblings: Vec<usize> = hs
        .with_prefix(heading)
        .into_iter()
        .filter(|&i| i != sub)
        .collect();
    siblings
        .get(rng.random_range(0..siblings.len().max(1)))
        .copied()
        .unwrap_or(sub)
}

fn pick_fraud<R: Rng + ?Sized>(rng: &mut R, flow: Option<Flow>) -> FraudKind {
    let kinds: &[(FraudKind, f64)] = match flow {
        Some(Flow::Import) => &[
            (FraudKind::Undervaluation, 45.0),
            (FraudKind::Misclassification, 20.0),
            (FraudKind::FalseOrigin, 15.0),
            (FraudKind::QuantityUnderstated, 20.0),
        ],
        _ => &[
            (FraudKind::Undervaluation, 40.0),
            (FraudKind::Misclassification, 25.0),
            (FraudKind::QuantityUnderstated, 35.0),
        ],
    };
    *weighted(rng, kinds)
}

/// Applies `fraud` (except false origin, which is decided with the route) to the lines.
fn declare<R: Rng + ?Sized>(
    rng: &mut R,
    hs: &Nomenclature,
    lines: &[Line],
    fraud: &mut Option<FraudKind>,
) -> Vec<Declared> {
    let mut declared: Vec<Declared> = lines
        .iter()
        .map(|l| Declared {
            sub: l.sub,
            origin: l.origin,
            quantity: l.quantity,
            net: l.net,
            gross: l.gross,
            value: l.value,
            tampered: false,
        })
        .collect();
    if *fraud == Some(FraudKind::QuantityUnderstated)
        && !lines
            .iter()
            .any(|l| !l.profile.unit.is_count() || l.quantity >= Decimal::from(2))
    {
        *fraud = Some(FraudKind::Undervaluation);
    }
    let Some(kind) = *fraud else {
        return declared;
    };
    if kind == FraudKind::FalseOrigin {
        for d in &mut declared {
            d.tampered = true;
        }
        return declared;
    }
    let eligible: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            kind != FraudKind::QuantityUnderstated
                || !lines[i].profile.unit.is_count()
                || lines[i].quantity >= Decimal::from(2)
        })
        .collect();
    // Undervaluation is often the whole invoice (a second, cheaper invoice).
    let affected: Vec<usize> = if kind == FraudKind::Undervaluation && rng.random_bool(0.4) {
        eligible
    } else {
        let k = (*weighted(rng, &[(1usize, 60.0), (2, 30.0), (3, 10.0)])).min(eligible.len());
        let mut pool = eligible;
        let mut out = Vec::with_capacity(k);
        for _ in 0..k {
            out.push(pool.swap_remove(rng.random_range(0..pool.len())));
        }
        out.sort_unstable();
        out
    };
    for i in affected {
        let (l, d) = (&lines[i], &mut declared[i]);
        d.tampered = true;
        match kind {
            FraudKind::Undervaluation => {
                d.value = cents(dec_f64(l.value) * rng.random_range(0.30..0.70));
            }
            FraudKind::Misclassification => {
                d.sub = misclassify(rng, hs, l.sub);
            }
            FraudKind::QuantityUnderstated => {
                let keep = rng.random_range(0.50..0.80);
                d.quantity = if l.profile.unit.is_count() {
                    let q = (dec_f64(l.quantity) * keep).floor().max(1.0) as i64;
                    Decimal::from(q.min(dec_f64(l.quantity) as i64 - 1).max(1))
                } else {
                    cents(dec_f64(l.quantity) * keep)
                };
                let share = dec_f64(d.quantity) / dec_f64(l.quantity);
                d.net = if l.profile.unit == Unit::Kg {
                    d.quantity
                } else {
                    cents(dec_f64(l.net) * share)
                };
                d.gross = cents(dec_f64(l.gross) * share).max(d.net + Decimal::new(1, 2));
                d.value = cents(dec_f64(d.quantity) * l.unit_price);
            }
            FraudKind::FalseOrigin => {}
        }
    }
    declared
}

fn preference<R: Rng + ?Sized>(rng: &mut R, origin: &str) -> &'static str {
    if geo::is_eaeu(origin) {
        if rng.random_bool(0.85) { "300" } else { "100" }
    } else if geo::is_cis_fta(origin) {
        if rng.random_bool(0.6) { "300" } else { "100" }
    } else if geo::is_developing(origin) && rng.random_bool(0.3) {
        "200"
    } else {
        "100"
    }
}

impl TradeSimulator {
    /// A simulator whose population and stream are fixed by `seed` and `config`.
    pub fn new(seed: u64, config: SimConfig) -> Self {
        let mut config = config;
        config.fraud_rate = if config.fraud_rate.is_finite() {
            config.fraud_rate.clamp(0.01, 0.08)
        } else {
            0.04
        };
        config.items = config.items.map(|n| n.max(1));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let population = Population::generate(&mut rng, config.traders, config.brokers);
        let hs = nomenclature();
        TradeSimulator {
            rng,
            config,
            population,
            import_candidates: candidates(hs, IMPORTS),
            export_candidates: candidates(hs, EXPORTS),
        }
    }

    /// The configuration in force (after clamping).
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Every trader and broker of the simulated economy.
    pub fn parties(&self) -> &[Party] {
        &self.population.parties
    }

    /// The next declaration of the stream.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> SimulatedDeclaration {
        let r = self.rng.random::<f64>();
        if r < 0.80 {
            self.trade(Flow::Import)
        } else if r < 0.95 {
            self.trade(Flow::Export)
        } else {
            self.transit()
        }
    }

    fn n_items(&mut self) -> usize {
        match self.config.items {
            Some(n) => n,
            None => *weighted(
                &mut self.rng,
                &[(1usize, 20.0), (2, 20.0), (3, 25.0), (4, 17.0), (5, 18.0)],
            ),
        }
    }

    fn fraud(&mut self, flow: Option<Flow>) -> Option<FraudKind> {
        if self.rng.random_bool(self.config.fraud_rate) {
            Some(pick_fraud(&mut self.rng, flow))
        } else {
            None
        }
    }

    fn declarant(&mut self, trader: usize, share: f64) -> String {
        let t = &self.population.traders[trader];
        let party = if self.rng.random_bool(share) {
            let b = if t.brokers.len() > 1 && self.rng.random_bool(0.3) {
                t.brokers[1]
            } else {
                t.brokers[0]
            };
            self.population.brokers[b].party
        } else {
            t.party
        };
        self.population.parties[party].id.clone()
    }

    /// An import (IM) or export (EX) declaration of a trader.
    fn trade(&mut self, flow: Flow) -> SimulatedDeclaration {
        let hs = nomenclature();
        let partners = match flow {
            Flow::Import => IMPORT_PARTNERS,
            Flow::Export => EXPORT_DESTINATIONS,
        };
        let partner = *weighted(&mut self.rng, partners);
        let traders = &self.population.traders;
        let t = weighted_index(
            &mut self.rng,
            traders.iter().map(|t| t.weight(flow, partner)),
        );
        let n = self.n_items();
        let mut fraud = self.fraud(Some(flow));
        if fraud == Some(FraudKind::FalseOrigin)
            && (geo::is_eaeu(partner) || geo::is_cis_fta(partner))
        {
            fraud = Some(FraudKind::Undervaluation);
        }

        let candidates = match flow {
            Flow::Import => &self.import_candidates,
            Flow::Export => &self.export_candidates,
        };
        let trader = &mut self.population.traders[t];
        let (bucket, chosen) = take_entries(&mut self.rng, trader, flow, partner, candidates, n);
        let bucket: Bucket = trader.buckets[bucket].clone();
        let party = self.population.parties[trader.party].clone();
        let entries: Vec<Entry> = chosen.iter().map(|&i| bucket.entries[i].clone()).collect();

        // Who sells (imports) and where the goods are dispatched from.
        let (mut seller_name, mut seller_country) =
            (bucket.counterparty.clone(), bucket.counterparty_country);
        let declared_origin = if fraud == Some(FraudKind::FalseOrigin) {
            let front = *weighted(&mut self.rng, &[("KZ", 60.0), ("RU", 40.0)]);
            seller_name = names::supplier(&mut self.rng, front);
            seller_country = front;
            front
        } else {
            partner
        };
        let currency = match flow {
            Flow::Import => *weighted(&mut self.rng, geo::currencies(seller_country)),
            Flow::Export => *weighted(&mut self.rng, geo::currencies(partner)),
        };
        let origin = match flow {
            Flow::Import => partner,
            Flow::Export => "KG",
        };
        let postable = flow == Flow::Import
            && fraud != Some(FraudKind::FalseOrigin)
            && entries.iter().all(|e| {
                let p = &IMPORTS[e.profile];
                e.kg_per_unit <= 2.0
                    && matches!(p.unit, Unit::Piece | Unit::Pair | Unit::Kg)
                    && p.price.0 >= 2.0
            });
        let post = postable && self.rng.random_bool(0.08);
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| line(&mut self.rng, flow, e, origin, currency, n, post))
            .collect();
        let mut declared = declare(&mut self.rng, hs, &lines, &mut fraud);
        if fraud == Some(FraudKind::FalseOrigin) {
            for d in &mut declared {
                d.origin = declared_origin;
            }
        }

        let gold = lines.iter().any(|l| l.profile.prefix == "7108");
        let (mode, border) = if post {
            ("5", "41707")
        } else if gold {
            ("4", "41707")
        } else {
            let heavy = is_heavy(&lines);
            let light = is_light(&lines);
            let via = match flow {
                Flow::Import => seller_country,
                Flow::Export => partner,
            };
            route(&mut self.rng, via, &party.home_office, heavy, light)
        };
        let bazaar = flow == Flow::Import
            && partner == "CN"
            && lines
                .iter()
                .all(|l| matches!(l.profile.chapter(), "39" | "61" | "62" | "63" | "64" | "95"));
        let office = clearance_office(&mut self.rng, mode, border, &party.home_office, bazaar);
        let transport_partner = match flow {
            Flow::Import => seller_country,
            Flow::Export => partner,
        };
        let (transport_id, awb_prefix) = transport_id(&mut self.rng, mode, transport_partner);

        let procedure = match flow {
            Flow::Import => {
                let processing = lines.iter().any(|l| {
                    matches!(l.profile.chapter(), "39" | "52" | "54" | "55" | "72")
                        || l.profile.prefix == "5407"
                });
                if processing && self.rng.random_bool(0.35) {
                    "5100"
                } else if self.rng.random_bool(0.04) {
                    "4071"
                } else {
                    "4000"
                }
            }
            Flow::Export => {
                let garments = lines
                    .iter()
                    .any(|l| matches!(l.profile.chapter(), "61" | "62"));
                let p = if garments { 0.25 } else { 0.03 };
                if self.rng.random_bool(p) {
                    "3151"
                } else {
                    "1000"
                }
            }
        };

        let pref = match flow {
            Flow::Import if fraud == Some(FraudKind::FalseOrigin) => Some("300"),
            Flow::Import => Some(preference(&mut self.rng, partner)),
            Flow::Export => None,
        };
        let items = self.items_json(hs, &lines, &declared, pref);
        let mut documents =
            vec![json!({"code": "N380", "ref": names::invoice_ref(&mut self.rng, seller_country)})];
        documents.extend(self.transport_documents(mode, &transport_id, &awb_prefix, origin));
        match pref {
            Some("300") => documents.push(json!({
                "code": "N954",
                "ref": names::origin_certificate(&mut self.rng, declared_origin),
            })),
            Some("200") => documents.push(json!({
                "code": "N865",
                "ref": names::origin_certificate(&mut self.rng, declared_origin),
            })),
            _ => {}
        }
        let invoice = invoice(&mut self.rng, currency, &declared, flow);
        let share = BROKER_SHARE;
        let declarant = self.declarant(t, share);

        let declaration = match flow {
            Flow::Import => json!({
                "type": "IM",
                "procedure": procedure,
                "office": office,
                "declarant": declarant,
                "importer": party.id,
                "exporter": {"name": seller_name, "country": seller_country},
                "dispatch_country": seller_country,
                "transport": {"mode": mode, "id": transport_id, "border_office": border},
                "invoice": invoice,
                "items": items,
                "documents": documents,
            }),
            Flow::Export => json!({
                "type": "EX",
                "procedure": procedure,
                "office": office,
                "declarant": declarant,
                "exporter": {"name": party.name, "country": "KG"},
                "dispatch_country": "KG",
                "destination_country": partner,
                "transport": {"mode": mode, "id": transport_id, "border_office": border},
                "invoice": invoice,
                "items": items,
                "documents": documents,
            }),
        };
        SimulatedDeclaration {
            declaration,
            truth: truth(hs, fraud, &lines, &declared),
        }
    }

    /// A transit (TR) declaration: goods crossing the country on a TIR-like road route.
    fn transit(&mut self) -> SimulatedDeclaration {
        let hs = nomenclature();
        let (dispatch, destination, entries_at, exits_at, _) =
            TRANSIT_ROUTES[weighted_index(&mut self.rng, TRANSIT_ROUTES.iter().map(|r| r.4))];
        let entry = *pick(&mut self.rng, entries_at);
        let exit = *pick(&mut self.rng, exits_at);
        let traders = &self.population.traders;
        let t = weighted_index(&mut self.rng, traders.iter().map(|t| t.activity));
        let n = self.n_items();
        let mut fraud = self.fraud(None);
        let mut subs: Vec<usize> = Vec::with_capacity(n);
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let e = new_entry(
                &mut self.rng,
                Flow::Import,
                &self.import_candidates,
                None,
                dispatch,
                &subs,
            );
            subs.push(e.sub);
            entries.push(e);
        }
        let currency = *weighted(&mut self.rng, geo::currencies(dispatch));
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| line(&mut self.rng, Flow::Import, e, dispatch, currency, n, false))
            .collect();
        let declared = declare(&mut self.rng, hs, &lines, &mut fraud);
        let seller = names::supplier(&mut self.rng, dispatch);
        let (transport_id, _) = transport_id(&mut self.rng, "3", dispatch);
        let items = self.items_json(hs, &lines, &declared, None);
        let mut documents =
            vec![json!({"code": "N380", "ref": names::invoice_ref(&mut self.rng, dispatch)})];
        documents.extend(self.transport_documents("3", &transport_id, "", dispatch));
        let invoice = invoice(&mut self.rng, currency, &declared, Flow::Import);
        let declarant = self.declarant(t, TRANSIT_BROKER_SHARE);
        let declaration = json!({
            "type": "TR",
            "procedure": "8000",
            "office": entry,
            "declarant": declarant,
            "exporter": {"name": seller, "country": dispatch},
            "dispatch_country": dispatch,
            "destination_country": destination,
            "transport": {"mode": "3", "id": transport_id, "border_office": exit},
            "invoice": invoice,
            "items": items,
            "documents": documents,
        });
        SimulatedDeclaration {
            declaration,
            truth: truth(hs, fraud, &lines, &declared),
        }
    }

    fn items_json(
        &self,
        hs: &Nomenclature,
        lines: &[Line],
        declared: &[Declared],
        preference: Option<&str>,
    ) -> Vec<Value> {
        lines
            .iter()
            .zip(declared)
            .map(|(l, d)| {
                let mut item = json!({
                    "hs_code": hs_string(hs, d.sub, l.long_code),
                    "description": hs.subheadings[d.sub].description,
                    "origin": d.origin,
                    "quantity": d.quantity.to_string(),
                    "unit": l.profile.unit.code(),
                    "net_mass_kg": d.net.to_string(),
                    "gross_mass_kg": d.gross.to_string(),
                    "value": d.value.to_string(),
                });
                if let (Some(p), Some(obj)) = (preference, item.as_object_mut()) {
                    obj.insert("preference".to_owned(), Value::from(p));
                }
                item
            })
            .collect()
    }

    fn transport_documents(
        &mut self,
        mode: &str,
        transport_id: &str,
        awb_prefix: &str,
        origin: &str,
    ) -> Vec<Value> {
        let rng = &mut self.rng;
        match mode {
            "4" => vec![json!({"code": "N740", "ref": names::air_waybill(rng, awb_prefix)})],
            "5" => vec![json!({"code": "N750", "ref": transport_id})],
            "2" => {
                let mut docs = vec![json!({"code": "N720", "ref": names::rail_waybill(rng)})];
                // Overseas goods reach the railway by sea first.
                if matches!(
                    origin,
                    "US" | "KR" | "JP" | "IN" | "VN" | "BD" | "BR" | "GB" | "PK" | "EG"
                ) {
                    docs.push(json!({"code": "N705", "ref": names::bill_of_lading(rng)}));
                }
                docs
            }
            _ => vec![json!({"code": "N730", "ref": names::cmr(rng)})],
        }
    }
}

fn truth(
    hs: &Nomenclature,
    fraud: Option<FraudKind>,
    lines: &[Line],
    declared: &[Declared],
) -> Truth {
    Truth {
        fraud,
        items: lines
            .iter()
            .zip(declared)
            .map(|(l, d)| TrueItem {
                hs_code: hs_string(hs, l.sub, l.long_code),
                origin: l.origin.to_owned(),
                quantity: l.quantity,
                unit: l.profile.unit.code().to_owned(),
                net_mass_kg: l.net,
                gross_mass_kg: l.gross,
                value: l.value,
                tampered: d.tampered,
            })
            .collect(),
    }
}
