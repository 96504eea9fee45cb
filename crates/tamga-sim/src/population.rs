//! The simulated trading population: traders (importers and exporters) with a Pareto-like
//! activity, sector specialties, preferred partner countries and a small catalogue of
//! goods they trade again and again; and the customs brokers who declare for them.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use crate::geo::{EXPORT_DESTINATIONS, HOME_OFFICES, IMPORT_PARTNERS};
use crate::goods::{EXPORT_SECTORS, IMPORT_SECTORS, Sector};
use crate::names::{self, weighted, weighted_index};

/// What a party is in the simulated economy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// An importer and/or exporter.
    Trader,
    /// A customs broker lodging declarations for many traders.
    Broker,
}

/// A party of the simulated economy; the demo creates one trader user per party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// 14-digit Kyrgyz-style tax id (INN).
    pub id: String,
    pub name: String,
    pub role: PartyRole,
    /// The customs office the party is registered with (an `offices.csv` code).
    pub home_office: String,
}

/// Direction of trade a catalogue bucket serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Import,
    Export,
}

/// One good a trader trades repeatedly.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Index into the flow's profile table.
    pub profile: usize,
    /// Index into the nomenclature.
    pub sub: usize,
    /// The trader's usual price, USD per unit.
    pub unit_price_usd: f64,
    /// Net kg per unit.
    pub kg_per_unit: f64,
}

/// The goods a trader trades with one partner country, and its usual counterparty there.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub flow: Flow,
    pub country: &'static str,
    /// Seller (imports) or buyer (exports).
    pub counterparty: String,
    /// Country of the counterparty (a transit hub for some imports).
    pub counterparty_country: &'static str,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub(crate) struct Trader {
    /// Index into the parties.
    pub party: usize,
    pub imports: bool,
    pub exports: bool,
    pub activity: f64,
    pub import_chapters: Vec<&'static str>,
    pub export_chapters: Vec<&'static str>,
    /// Preferred origins of its imports / destinations of its exports.
    pub partners: Vec<&'static str>,
    pub destinations: Vec<&'static str>,
    /// Indices into the brokers, most used first.
    pub brokers: Vec<usize>,
    /// How many distinct goods the trader usually deals in.
    pub catalogue_cap: usize,
    pub buckets: Vec<Bucket>,
}

impl Trader {
    pub fn catalogue_size(&self) -> usize {
        self.buckets.iter().map(|b| b.entries.len()).sum()
    }

    /// Weight of this trader for a declaration of `flow` with partner `country`.
    pub fn weight(&self, flow: Flow, country: &str) -> f64 {
        let (active, partners) = match flow {
            Flow::Import => (self.imports, &self.partners),
            Flow::Export => (self.exports, &self.destinations),
        };
        if !active {
            return 0.0;
        }
        let affinity = if partners.contains(&country) {
            1.0
        } else {
            0.08
        };
        self.activity * affinity
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Broker {
    pub party: usize,
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Population {
    pub parties: Vec<Party>,
    pub traders: Vec<Trader>,
    pub brokers: Vec<Broker>,
}

fn chapters_of<R: Rng + ?Sized>(
    rng: &mut R,
    sectors: &'static [Sector],
) -> (&'static str, Vec<&'static str>) {
    let first = &sectors[weighted_index(rng, sectors.iter().map(|s| s.weight))];
    let mut chapters: Vec<&'static str> = first.chapters.to_vec();
    if rng.random_bool(0.3) {
        let second = &sectors[weighted_index(rng, sectors.iter().map(|s| s.weight))];
        for c in second.chapters {
            if !chapters.contains(c) {
                chapters.push(c);
            }
        }
    }
    (first.name, chapters)
}

fn distinct_countries<R: Rng + ?Sized>(
    rng: &mut R,
    table: &'static [(&'static str, f64)],
    n: usize,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for _ in 0..n * 8 {
        if out.len() == n {
            break;
        }
        let c = *weighted(rng, table);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn unique_id<R: Rng + ?Sized>(rng: &mut R, taken: &[Party], legal_entity: bool) -> String {
    loop {
        let id = names::inn(rng, legal_entity);
        if !taken.iter().any(|p| p.id == id) {
            return id;
        }
    }
}

fn unique_name(taken: &[Party], name: String) -> String {
    if !taken.iter().any(|p| p.name == name) {
        return name;
    }
    (2..)
        .map(|n| format!("{name} ({n})"))
        .find(|candidate| !taken.iter().any(|p| &p.name == candidate))
        .unwrap_or(name)
}

impl Population {
    pub fn generate<R: Rng + ?Sized>(rng: &mut R, traders: usize, brokers: usize) -> Self {
        let traders = traders.max(2);
        let brokers = brokers.max(1);
        let mut parties: Vec<Party> = Vec::with_capacity(traders + brokers);

        let mut broker_list = Vec::with_capacity(brokers);
        for rank in 0..brokers {
            let id = unique_id(rng, &parties, true);
            let name = unique_name(&parties, names::broker(rng));
            let home_office = (*weighted(rng, &HOME_OFFICES[..5])).to_owned();
            broker_list.push(Broker {
                party: parties.len(),
                weight: 1.0 / (rank as f64 + 1.0).powf(0.8),
            });
            parties.push(Party {
                id,
                name,
                role: PartyRole::Broker,
                home_office,
            });
        }

        // Zipf-like activity by rank (a few big importers make most declarations),
        // jittered, then dealt out to traders in random order.
        let mut activity: Vec<f64> = (0..traders)
            .map(|rank| rng.random_range(0.85..1.15) / (rank as f64 + 1.0))
            .collect();
        for i in (1..activity.len()).rev() {
            let j = rng.random_range(0..=i);
            activity.swap(i, j);
        }

        let mut trader_list = Vec::with_capacity(traders);
        for (i, activity) in activity.into_iter().enumerate() {
            let r = rng.random::<f64>();
            // Guarantee at least one importer and one exporter.
            let (imports, exports) = match i {
                0 => (true, false),
                1 => (false, true),
                _ if r < 0.75 => (true, false),
                _ if r < 0.90 => (false, true),
                _ => (true, true),
            };
            let (import_sector, import_chapters) = chapters_of(rng, IMPORT_SECTORS);
            let (export_sector, export_chapters) = chapters_of(rng, EXPORT_SECTORS);
            let legal_entity = rng.random_bool(0.8);
            let id = unique_id(rng, &parties, legal_entity);
            let name = if legal_entity {
                let sector = if imports {
                    import_sector
                } else {
                    export_sector
                };
                names::company(rng, sector)
            } else {
                names::entrepreneur(rng, id.starts_with('1'))
            };
            let name = unique_name(&parties, name);
            let home_office = (*weighted(rng, HOME_OFFICES)).to_owned();
            let n_partners = *weighted(rng, &[(1usize, 45.0), (2, 35.0), (3, 20.0)]);
            let partners = distinct_countries(rng, IMPORT_PARTNERS, n_partners);
            let destinations = distinct_countries(rng, EXPORT_DESTINATIONS, n_partners);
            let first = weighted_index(rng, broker_list.iter().map(|b| b.weight));
            let mut own_brokers = vec![first];
            if broker_list.len() > 1 && rng.random_bool(0.35) {
                let second = weighted_index(rng, broker_list.iter().map(|b| b.weight));
                if second != first {
                    own_brokers.push(second);
                }
            }
            trader_list.push(Trader {
                party: parties.len(),
                imports,
                exports,
                activity,
                import_chapters,
                export_chapters,
                partners,
                destinations,
                brokers: own_brokers,
                catalogue_cap: rng.random_range(3..=10),
                buckets: Vec::new(),
            });
            parties.push(Party {
                id,
                name,
                role: PartyRole::Trader,
                home_office,
            });
        }

        Population {
            parties,
            traders: trader_list,
            brokers: broker_list,
        }
    }
}
