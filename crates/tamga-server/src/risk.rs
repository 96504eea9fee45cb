//! The server's side of risk management: the compiled engine snapshot (rebuilt when an
//! analyst changes a profile or the settings), each trader's record for its risk category,
//! and the replay of a stored assessment.
//!
//! Invariant: an assessment is a pure function of (declaration version, date, trader
//! category, random seed, profile snapshot). All five are stored, so anyone can re-run it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::json;
use tamga_risk::{
    Assessment, AssessmentInput, CurrencyRates, RiskCategory, RiskEngine, RiskProfile,
    SelectionSettings, TraderContext, TraderHistory, derive_category,
};
use tamga_store::{NewEvent, Store, StoreError};
use tamga_types::{Channel, Declaration};

const SETTINGS_KEY: &str = "risk.selection";

/// What the registry and the record say about a trader.
#[derive(Debug, Clone, Copy, Default)]
struct TraderRecord {
    history: TraderHistory,
}

pub struct RiskState {
    engine: RwLock<Arc<RiskEngine>>,
    settings: RwLock<SelectionSettings>,
    traders: Mutex<HashMap<String, TraderRecord>>,
}

pub struct Outcome {
    pub channel: Channel,
    pub assessment: Assessment,
    pub json: serde_json::Value,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stored profile rows → the active latest version of each profile.
fn active_profiles(
    rows: Vec<tamga_store::risk::ProfileRow>,
) -> Result<Vec<RiskProfile>, StoreError> {
    rows.into_iter()
        .filter(|r| r.active == 1)
        .map(|r| {
            serde_json::from_str::<RiskProfile>(&r.body).map_err(|e| {
                StoreError::Corrupt(format!("risk profile {} v{}: {e}", r.id, r.version))
            })
        })
        .collect()
}

impl RiskState {
    /// Loads settings (stored, else `default_settings`), profiles and trader records.
    pub async fn load(
        store: &Store,
        default_settings: SelectionSettings,
    ) -> Result<RiskState, StoreError> {
        let db = store.db();
        let settings = match tamga_store::risk::setting(db, SETTINGS_KEY).await? {
            Some(s) => serde_json::from_str(&s)
                .map_err(|e| StoreError::Corrupt(format!("risk settings: {e}")))?,
            None => default_settings,
        };
        let state = RiskState {
            engine: RwLock::new(Arc::new(RiskEngine::compile(&[], settings.clone()))),
            settings: RwLock::new(settings),
            traders: Mutex::new(HashMap::new()),
        };
        state.rebuild(store).await?;
        let mut traders = HashMap::new();
        for (party, declarations, controls, discrepancies) in
            tamga_store::risk::trader_histories(db).await?
        {
            let h = &mut traders
                .entry(party)
                .or_insert_with(TraderRecord::default)
                .history;
            h.declarations = declarations as u32;
            h.controls = controls as u32;
            h.discrepancies = discrepancies as u32;
        }
        for (party, aeo, suspended) in tamga_store::risk::trader_statuses(db).await? {
            let h = &mut traders
                .entry(party)
                .or_insert_with(TraderRecord::default)
                .history;
            h.aeo = aeo == 1;
            h.suspended = suspended == 1;
        }
        *lock(&state.traders) = traders;
        Ok(state)
    }

    /// Recompiles the engine from the stored profiles and records the snapshot it runs on.
    pub async fn rebuild(&self, store: &Store) -> Result<(), StoreError> {
        let profiles = active_profiles(tamga_store::risk::latest_profiles(store.db()).await?)?;
        let settings = self
            .settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let engine = RiskEngine::compile(&profiles, settings.clone());
        let versions: Vec<(String, u32)> =
            profiles.iter().map(|p| (p.id.clone(), p.version)).collect();
        let change = tamga_store::risk::insert_snapshot(
            engine.digest(),
            &json!(versions).to_string(),
            &serde_json::to_string(&settings).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            &tamga_store::now_text(),
        );
        store.apply(change).await?;
        *self.engine.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
        Ok(())
    }

    pub fn settings(&self) -> SelectionSettings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the selection settings (thresholds, random rates) and recompiles.
    pub async fn set_settings(
        &self,
        store: &Store,
        settings: SelectionSettings,
        actor: &str,
    ) -> Result<(), StoreError> {
        let text =
            serde_json::to_string(&settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let change = tamga_store::risk::put_setting(SETTINGS_KEY, &text).event(NewEvent::new(
            "risk.settings_changed",
            "risk",
            actor,
            &serde_json::to_value(&settings).unwrap_or_default(),
        ));
        store.apply(change).await?;
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
        self.rebuild(store).await
    }

    pub fn engine(&self) -> Arc<RiskEngine> {
        self.engine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn category_of(&self, party: &str) -> RiskCategory {
        lock(&self.traders)
            .get(party)
            .map(|r| derive_category(&r.history))
            .unwrap_or(RiskCategory::Medium)
    }

    pub fn history_of(&self, party: &str) -> TraderHistory {
        lock(&self.traders)
            .get(party)
            .map(|r| r.history)
            .unwrap_or_default()
    }

    /// Called after a lodgement committed.
    pub fn note_lodged(&self, party: &str) {
        lock(&self.traders)
            .entry(party.to_owned())
            .or_default()
            .history
            .declarations += 1;
    }

    /// Called after a control result committed.
    pub fn note_control(&self, party: &str, discrepancy: bool) {
        let mut t = lock(&self.traders);
        let h = &mut t.entry(party.to_owned()).or_default().history;
        h.controls += 1;
        h.discrepancies += u32::from(discrepancy);
    }

    pub fn note_status(&self, party: &str, aeo: bool, suspended: bool) {
        let mut t = lock(&self.traders);
        let h = &mut t.entry(party.to_owned()).or_default().history;
        h.aeo = aeo;
        h.suspended = suspended;
    }

    /// Assesses a declaration now, with a fresh seed from the operating system's CSPRNG and,
    /// when the reference-price table has prices in another currency than the invoice's,
    /// the day's exchange rates from `duties`.
    pub fn assess(
        &self,
        declaration: &Declaration,
        party: &str,
        version: i64,
        duties: &crate::duties::TaxState,
    ) -> Outcome {
        let seed: [u8; 32] = rand::random();
        let engine = self.engine();
        let date = crate::declarations::today();
        let rates = exchange_rates_for(&engine, declaration, date, duties);
        let input = AssessmentInput {
            declaration,
            date,
            trader: TraderContext {
                risk_category: self.category_of(party),
            },
            random_seed: seed,
            exchange_rates: rates.as_ref(),
        };
        let assessment = engine.assess(&input);
        let mut json = serde_json::to_value(&assessment).unwrap_or_default();
        // Which version of the declared data was assessed: needed to replay it.
        json["declaration_version"] = json!(version);
        Outcome {
            channel: assessment.channel,
            assessment,
            json,
        }
    }
}

/// The rates an assessment of `declaration` on `date` needs: `None` when every reference
/// price is in the invoice currency (nothing to convert, nothing to record).
pub fn exchange_rates_for(
    engine: &RiskEngine,
    declaration: &Declaration,
    date: jiff::civil::Date,
    duties: &crate::duties::TaxState,
) -> Option<CurrencyRates> {
    let invoice = declaration.invoice.currency.as_str();
    let currencies = engine.reference_currencies();
    if currencies.iter().all(|c| c == invoice) {
        return None;
    }
    Some(
        duties.rates_on(
            currencies
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(invoice)),
            date,
        ),
    )
}

/// Re-runs a stored assessment from its stored inputs: the declaration version, date,
/// trader category, seed, exchange rates and the profile snapshot named by its digest.
pub async fn replay(
    store: &Store,
    declaration: &Declaration,
    stored: &Assessment,
) -> Result<Assessment, StoreError> {
    let (profiles, settings) = tamga_store::risk::snapshot(store.db(), &stored.profiles_digest)
        .await?
        .ok_or_else(|| {
            StoreError::Corrupt(format!("no risk snapshot {}", stored.profiles_digest))
        })?;
    let versions: Vec<(String, u32)> = serde_json::from_str(&profiles)
        .map_err(|e| StoreError::Corrupt(format!("snapshot profiles: {e}")))?;
    let settings: SelectionSettings = serde_json::from_str(&settings)
        .map_err(|e| StoreError::Corrupt(format!("snapshot settings: {e}")))?;
    let mut set = Vec::with_capacity(versions.len());
    for (id, version) in versions {
        let row = tamga_store::risk::profile_version(store.db(), &id, i64::from(version))
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("snapshot names missing profile {id} v{version}"))
            })?;
        let mut p: RiskProfile = serde_json::from_str(&row.body)
            .map_err(|e| StoreError::Corrupt(format!("profile {id} v{version}: {e}")))?;
        p.active = true;
        set.push(p);
    }
    let engine = RiskEngine::compile(&set, settings);
    let seed = decode_seed(&stored.random.seed)
        .ok_or_else(|| StoreError::Corrupt("stored seed".into()))?;
    Ok(engine.assess(&AssessmentInput {
        declaration,
        date: stored.date,
        trader: TraderContext {
            risk_category: stored.trader_category,
        },
        random_seed: seed,
        exchange_rates: Some(&stored.exchange_rates),
    }))
}

fn decode_seed(hex_seed: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_seed).ok()?;
    bytes.try_into().ok()
}
