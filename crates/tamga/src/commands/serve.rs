use anyhow::Context;
use tamga_server::Config;

pub async fn run(
    addr: &str,
    database: &str,
    trusted_proxies: Vec<std::net::IpAddr>,
) -> anyhow::Result<()> {
    let config = Config {
        trusted_proxies,
        ..Config::default()
    };
    let state = super::open_with(database, config).await?;
    tamga_server::audit::start_from_env(&state).map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, backend = state.store.backend_name(), "tamga serving");
    println!("Tamga API on http://{local}/api/v1 (OpenAPI: http://{local}/api/v1/openapi.json)");
    // Until SIGTERM or Ctrl-C; then requests in flight finish (their changes are committed
    // before they are answered) and new ones are answered 503.
    tamga_server::serve(listener, state.clone()).await?;
    // Every acknowledged change is already durable; closing the pool checkpoints SQLite's
    // write-ahead log so the file is whole on its own.
    let close = async {
        match state.store.db() {
            tamga_store::Db::Sqlite(p) => p.close().await,
            tamga_store::Db::Postgres(p) => p.close().await,
        }
    };
    if tokio::time::timeout(std::time::Duration::from_secs(5), close)
        .await
        .is_err()
    {
        tracing::warn!("the database pool did not close within 5 s");
    }
    tracing::info!("tamga stopped");
    Ok(())
}
