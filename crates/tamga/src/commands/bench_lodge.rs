//! `tamga bench lodge`: declarations per second lodged over HTTP with a durable commit
//! (5 goods items each), then p50/p99 latency at half that rate.
//!
//! Method: the server runs in this process on a real port with a real store; the load
//! comes over loopback through a real HTTP client. Peak: `clients` concurrent callers
//! lodging back to back. Latency: an open-loop schedule at half the peak rate, each latency
//! measured from the moment the request was *due*, so a stalled server cannot hide its
//! stall (no coordinated omission).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tamga_sim::{SimConfig, TradeSimulator};

struct Request {
    token: String,
    body: bytes::Bytes,
}

pub async fn run(
    database: Option<&str>,
    seconds: f64,
    clients: usize,
    taxes: bool,
    latency_rate: Option<f64>,
) -> anyhow::Result<()> {
    anyhow::ensure!(seconds > 0.0, "--seconds must be positive");
    anyhow::ensure!(
        latency_rate.is_none_or(|r| r > 0.0 && r.is_finite()),
        "--latency-rate must be a positive number of declarations per second"
    );
    let tmp = tempfile::tempdir()?;
    let url = match database {
        Some(u) => u.to_owned(),
        None => format!("sqlite://{}", tmp.path().join("bench.db").display()),
    };
    let Server {
        backend,
        store,
        endpoint,
        requests,
    } = Server::start(&url, taxes).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients * 2)
        .build()?;

    // Warm up (connections, caches, SQLite pages).
    closed_loop(
        &client,
        &endpoint,
        &requests,
        clients,
        Duration::from_secs(1),
    )
    .await?;

    eprintln!("peak: {clients} clients for {seconds}s on {backend}…");
    let writer_before = store.writer_stats();
    let (ok, elapsed) = closed_loop(
        &client,
        &endpoint,
        &requests,
        clients,
        Duration::from_secs_f64(seconds),
    )
    .await?;
    let peak = ok as f64 / elapsed.as_secs_f64();
    eprintln!(
        "  {ok} declarations in {:.2}s = {peak:.0}/s",
        elapsed.as_secs_f64()
    );
    eprintln!(
        "  {}",
        writer_summary(&store.writer_stats().since(&writer_before), elapsed)
    );

    let half = (peak / 2.0).max(1.0);
    let phase = |rate: f64| {
        open_loop(
            &client,
            &endpoint,
            &requests,
            rate,
            Duration::from_secs_f64(seconds),
        )
    };
    eprintln!("latency: open loop at {half:.0}/s for {seconds}s…");
    let latencies = phase(half).await?;
    let mut line = format!(
        "RESULT bench=lodge database={backend} taxes={taxes} items=5 clients={clients} declarations_per_s={peak:.0} \
         half_rate_per_s={half:.0} {}",
        latency_fields("", &latencies)
    );
    if let Some(rate) = latency_rate {
        eprintln!("latency: open loop at {rate:.0}/s for {seconds}s…");
        let fixed = phase(rate).await?;
        line.push_str(&format!(
            " fixed_rate_per_s={rate:.0} {}",
            latency_fields("fixed_", &fixed)
        ));
    }
    println!("{line}");
    Ok(())
}

/// One server under test: in this process, on a real port, over its own store, with the
/// simulated declarations (5 items each) and the tokens of their declarants.
struct Server {
    backend: &'static str,
    store: tamga_store::Store,
    endpoint: String,
    requests: Arc<Vec<Request>>,
}

impl Server {
    async fn start(url: &str, taxes: bool) -> anyhow::Result<Server> {
        let config = tamga_server::Config {
            assess_taxes: taxes,
            ..tamga_server::Config::default()
        };
        let state = super::open_with(url, config).await?;
        let mut sim = TradeSimulator::new(
            7,
            SimConfig {
                items: Some(5),
                ..SimConfig::default()
            },
        );
        let (_, tokens) = super::demo::demo_users(&state, &sim, false).await?;
        let requests = (0..2_000)
            .filter_map(|_| {
                let d = sim.next().declaration;
                let token = tokens.get(d["declarant"].as_str()?)?.clone();
                Some(Request {
                    token,
                    body: bytes::Bytes::from(serde_json::to_vec(&d).ok()?),
                })
            })
            .collect();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (backend, store) = (state.store.backend_name(), state.store.clone());
        tokio::spawn(tamga_server::serve(listener, state));
        Ok(Server {
            backend,
            store,
            endpoint: format!("http://{addr}/api/v1/declarations"),
            requests: Arc::new(requests),
        })
    }
}

/// `tamga bench lodge --taxes-cost`: the peak with and without the duties-and-taxes
/// calculation, from two servers in this process (each with its own fresh SQLite file)
/// loaded in turns of `seconds / rounds`, in the order ABBA…, so that drift in the machine's
/// speed (large on shared VMs) falls on both alike. Separate runs drift: the same binary,
/// taxes on, lodged 2,187 and 3,244/s minutes apart (BENCHMARKS.md).
pub async fn taxes_cost(seconds: f64, clients: usize, rounds: usize) -> anyhow::Result<()> {
    anyhow::ensure!(seconds > 0.0, "--seconds must be positive");
    anyhow::ensure!(rounds >= 2, "--rounds must be at least 2");
    let tmp = tempfile::tempdir()?;
    let url = |name: &str| format!("sqlite://{}", tmp.path().join(name).display());
    let servers = [
        Server::start(&url("with.db"), true).await?,
        Server::start(&url("without.db"), false).await?,
    ];
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients * 2)
        .build()?;
    for s in &servers {
        closed_loop(
            &client,
            &s.endpoint,
            &s.requests,
            clients,
            Duration::from_secs(1),
        )
        .await?;
    }
    let turn = Duration::from_secs_f64(seconds / rounds as f64);
    let mut done = [(0u64, Duration::ZERO); 2];
    eprintln!("peak, with and without taxes: {rounds} turns of {turn:?} each, {clients} clients…");
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let s = &servers[i];
            let (ok, elapsed) =
                closed_loop(&client, &s.endpoint, &s.requests, clients, turn).await?;
            done[i].0 += ok;
            done[i].1 += elapsed;
        }
    }
    let rate = |(ok, elapsed): (u64, Duration)| ok as f64 / elapsed.as_secs_f64();
    let (with, without) = (rate(done[0]), rate(done[1]));
    let cost = 100.0 * (1.0 - with / without);
    println!(
        "RESULT bench=lodge_taxes_cost database=sqlite items=5 clients={clients} rounds={rounds} \
         with_taxes_per_s={with:.0} without_taxes_per_s={without:.0} cost_pct={cost:.1}"
    );
    Ok(())
}

/// How the single writer spent a phase: commits, changes per commit, share of the time busy.
fn writer_summary(w: &tamga_store::WriterStats, elapsed: Duration) -> String {
    let per_commit = w.changes as f64 / w.commits.max(1) as f64;
    let busy = 100.0 * w.busy.as_secs_f64() / elapsed.as_secs_f64().max(f64::EPSILON);
    let per_change_us = w.busy.as_secs_f64() * 1e6 / w.changes.max(1) as f64;
    format!(
        "writer: {} commits, {per_commit:.1} changes per commit, busy {busy:.0}% of the time, \
         {per_change_us:.0} µs per change",
        w.commits
    )
}

/// `{prefix}p50_ms=… {prefix}p99_ms=… {prefix}samples=…` of one latency phase.
fn latency_fields(prefix: &str, latencies: &[Duration]) -> String {
    format!(
        "{prefix}p50_ms={:.2} {prefix}p99_ms={:.2} {prefix}samples={}",
        percentile_ms(latencies, 0.50),
        percentile_ms(latencies, 0.99),
        latencies.len()
    )
}

/// The `p` quantile (nearest rank) of `latencies`, in milliseconds.
fn percentile_ms(latencies: &[Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn lodge_one(client: &reqwest::Client, endpoint: &str, r: &Request) -> anyhow::Result<()> {
    let resp = client
        .post(endpoint)
        .bearer_auth(&r.token)
        .header("content-type", "application/json")
        .body(r.body.clone())
        .send()
        .await?;
    let status = resp.status();
    if status.as_u16() != 201 {
        let text = resp.text().await.unwrap_or_default();
        anyhow::bail!("lodging answered {status}: {text}");
    }
    // Read the answer to its end, as a trader's system would: a body dropped half-read
    // costs the connection (a new TCP connection per request, counted against the server).
    resp.bytes().await?;
    Ok(())
}

async fn closed_loop(
    client: &reqwest::Client,
    endpoint: &str,
    requests: &Arc<Vec<Request>>,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let done = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, endpoint, requests, done, next) = (
            client.clone(),
            endpoint.to_owned(),
            requests.clone(),
            done.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < duration {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize % requests.len();
                lodge_one(&client, &endpoint, &requests[i]).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("bench client")??;
    }
    Ok((done.load(Ordering::Relaxed), start.elapsed()))
}

async fn open_loop(
    client: &reqwest::Client,
    endpoint: &str,
    requests: &Arc<Vec<Request>>,
    rate: f64,
    duration: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let mut tasks = Vec::new();
    let mut n: u32 = 0;
    loop {
        let due = start + period * n;
        if due.duration_since(start) >= duration {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let (client, endpoint, requests) = (client.clone(), endpoint.to_owned(), requests.clone());
        let i = n as usize % requests.len();
        tasks.push(tokio::spawn(async move {
            lodge_one(&client, &endpoint, &requests[i]).await?;
            anyhow::Ok(due.elapsed())
        }));
        n += 1;
    }
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.context("bench client")??);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_unsorted_samples() {
        let ms: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&ms, 0.50), 50.0);
        assert_eq!(percentile_ms(&ms, 0.99), 99.0);
        assert_eq!(percentile_ms(&ms[..1], 0.99), 100.0);
        assert!(percentile_ms(&[], 0.5).is_nan());
    }
}
