//! What every request handler shares.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tamga_reference::ReferenceData;
use tamga_store::Store;

use crate::auth::CallerCache;
use crate::duties::TaxState;
use crate::risk::RiskState;
use crate::throttle::Throttle;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub reference: Arc<ReferenceData>,
    pub callers: Arc<CallerCache>,
    pub risk: Arc<RiskState>,
    pub duties: Arc<TaxState>,
    pub config: Arc<Config>,
    /// Failed sign-ins and refused tokens per account and address ([`crate::throttle`]).
    pub throttle: Arc<Throttle>,
    /// Set when a stop signal arrives: new requests are answered 503 ([`crate::edge`]).
    pub draining: Arc<AtomicBool>,
}

/// Settings an administration chooses.
#[derive(Debug, Clone)]
pub struct Config {
    /// ISO 4217 code of the national currency (the demo: KGS).
    pub national_currency: String,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Risk selection settings used until an analyst stores others.
    pub risk_settings: tamga_risk::SelectionSettings,
    /// Assess duties and taxes on lodgement. Only `tamga bench lodge --without-taxes` turns
    /// it off, to measure what the calculation costs.
    pub assess_taxes: bool,
    /// Reverse proxies whose `X-Forwarded-Proto`, `X-Forwarded-For` and `Forwarded`
    /// headers are believed (`--trusted-proxy`, `TAMGA_TRUSTED_PROXIES`). From any other
    /// peer these headers are ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            national_currency: "KGS".into(),
            body_limit: 1024 * 1024,
            risk_settings: tamga_risk::SelectionSettings::default(),
            assess_taxes: true,
            trusted_proxies: Vec::new(),
        }
    }
}

impl AppState {
    pub fn new(
        store: Store,
        reference: Arc<ReferenceData>,
        risk: RiskState,
        duties: TaxState,
        config: Config,
    ) -> Self {
        AppState {
            store,
            reference,
            callers: Arc::new(CallerCache::default()),
            risk: Arc::new(risk),
            duties: Arc::new(duties),
            config: Arc::new(config),
            throttle: Arc::new(Throttle::default()),
            draining: Arc::new(AtomicBool::new(false)),
        }
    }
}
