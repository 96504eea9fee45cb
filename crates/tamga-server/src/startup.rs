//! Building the application state from a database URL: open and migrate the store, load
//! reference data on first start, compile the risk engine.

use std::sync::Arc;

use tamga_reference::ReferenceData;
use tamga_store::{DatabaseUrl, Store};

use crate::duties::TaxState;
use crate::risk::RiskState;
use crate::state::{AppState, Config};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] tamga_store::StoreError),
    #[error("tariff or exchange rates: {0}")]
    Duties(#[from] crate::duties::TableError),
    #[error("reference data: {0}")]
    Reference(String),
}

pub async fn build_state(url: &DatabaseUrl, config: Config) -> Result<AppState, StartupError> {
    let store = Store::open(url).await?;
    let reference =
        ReferenceData::embedded().map_err(|e| StartupError::Reference(e.to_string()))?;
    tamga_store::reference::seed_if_empty(&store, &reference).await?;
    let reference = Arc::new(reference);
    let risk = RiskState::load(&store, config.risk_settings.clone()).await?;
    let duties = TaxState::load(&store, &config.national_currency).await?;
    Ok(AppState::new(store, reference, risk, duties, config))
}
