use anyhow::Context;

pub async fn run(addr: &str, database: &str) -> anyhow::Result<()> {
    let state = super::open(database).await?;
    tamga_server::audit::start_from_env(&state).map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, backend = state.store.backend_name(), "tamga serving");
    println!("Tamga API on http://{local}/api/v1 (OpenAPI: http://{local}/api/v1/openapi.json)");
    tamga_server::serve(listener, state).await?;
    Ok(())
}
