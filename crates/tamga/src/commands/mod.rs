pub mod audit;
pub mod bench_lodge;
pub mod bench_risk;
pub mod demo;
pub mod serve;
pub mod tables;
pub mod user;

use anyhow::Context;
use tamga_server::{AppState, Config};
use tamga_store::DatabaseUrl;

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the store (creating and migrating it), loads reference data, builds the state.
pub async fn open(database: &str) -> anyhow::Result<AppState> {
    open_with(database, Config::default()).await
}

pub async fn open_with(database: &str, config: Config) -> anyhow::Result<AppState> {
    let url = DatabaseUrl::new(database);
    tamga_server::startup::build_state(&url, config)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}
