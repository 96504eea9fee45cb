//! `tamga demo`: the server, demo users, and a stream of simulated trade lodged through the
//! real API, with a progress line. The simulator keeps the truth of each declaration
//! (what was hidden) so simulated inspections can find it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tamga_server::AppState;
use tamga_server::users::{NewUser, create_user, rotate_token};
use tamga_sim::{SimConfig, TradeSimulator};

/// Console password of every demo user (printed; demo only).
pub const DEMO_PASSWORD: &str = "tamga-demo";

pub struct DemoLogin {
    pub name: String,
    pub role: String,
    pub detail: String,
    pub token: String,
}

/// Creates a user, or gives an existing one a fresh token: a demo restarted on the same
/// database prints working tokens again.
async fn ensure_user(state: &AppState, new: NewUser) -> anyhow::Result<String> {
    if let Some(existing) = tamga_store::users::by_name(state.store.db(), &new.name).await? {
        return Ok(rotate_token(state, &existing.id, "demo").await?);
    }
    let name = new.name.clone();
    let created = create_user(state, new, "demo")
        .await
        .with_context(|| format!("creating demo user {name}"))?;
    Ok(created.token)
}

/// Staff users and one trader user per simulated party; returns the logins and the token of
/// each party.
pub async fn demo_users(
    state: &AppState,
    sim: &TradeSimulator,
    passwords: bool,
) -> anyhow::Result<(Vec<DemoLogin>, HashMap<String, String>)> {
    let pw = |on: bool| (passwords && on).then(|| DEMO_PASSWORD.to_owned());
    let mut logins = Vec::new();
    for (name, role) in [
        ("admin", "admin"),
        ("analyst", "analyst"),
        ("auditor", "auditor"),
    ] {
        let token = ensure_user(
            state,
            NewUser {
                name: name.into(),
                role: role.into(),
                party: None,
                office: None,
                password: pw(true),
            },
        )
        .await?;
        logins.push(DemoLogin {
            name: name.into(),
            role: role.into(),
            detail: String::new(),
            token,
        });
    }
    for office in state.reference.offices().to_vec() {
        let name = format!("officer-{}", office.code);
        let token = ensure_user(
            state,
            NewUser {
                name: name.clone(),
                role: "officer".into(),
                party: None,
                office: Some(office.code.clone()),
                password: pw(true),
            },
        )
        .await?;
        logins.push(DemoLogin {
            name,
            role: "officer".into(),
            detail: office.name.clone(),
            token,
        });
    }
    let mut by_party = HashMap::new();
    for (i, party) in sim.parties().iter().enumerate() {
        let name = format!("trader-{}", party.id);
        let token = ensure_user(
            state,
            NewUser {
                name: name.clone(),
                role: "trader".into(),
                party: Some(party.id.clone()),
                office: None,
                password: pw(i < 3),
            },
        )
        .await?;
        if i < 3 {
            logins.push(DemoLogin {
                name,
                role: "trader".into(),
                detail: party.name.clone(),
                token: token.clone(),
            });
        }
        by_party.insert(party.id.clone(), token);
    }
    Ok((logins, by_party))
}

pub async fn run(
    addr: &str,
    database: &str,
    rate: f64,
    seed: u64,
    fraud_rate: f64,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        rate > 0.0 && rate <= 10_000.0,
        "--rate must be between 0 and 10000 per second"
    );
    let state = super::open(database).await?;
    let sim = TradeSimulator::new(
        seed,
        SimConfig {
            fraud_rate,
            ..SimConfig::default()
        },
    );
    let (logins, tokens) = demo_users(&state, &sim, true).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let server = tokio::spawn(tamga_server::serve(listener, state.clone()));

    println!(
        "Tamga demo on {} ({} store)",
        database,
        state.store.backend_name()
    );
    println!("  console:  http://{local}/");
    println!("  API:      http://{local}/api/v1  (OpenAPI: http://{local}/api/v1/openapi.json)");
    println!("  password of every demo login below: {DEMO_PASSWORD}");
    for l in &logins {
        println!(
            "  {:<16} {:<8} {:<40} {}",
            l.name, l.role, l.detail, l.token
        );
    }
    println!(
        "Simulating {rate} declarations/s (seed {seed}, hidden fraud rate {fraud_rate}); ctrl-c stops."
    );

    let base = format!("http://{local}/api/v1/declarations");
    let simulation = tokio::spawn(simulate(sim, tokens, base, rate));
    tokio::select! {
        r = server => { r??; }
        r = simulation => { r??; }
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    by_channel: HashMap<String, u64>,
    refused: u64,
    failed: u64,
    lodged: u64,
    /// What each declaration really was: kept for simulated inspections.
    truths: HashMap<String, tamga_sim::Truth>,
}

async fn simulate(
    mut sim: TradeSimulator,
    tokens: HashMap<String, String>,
    url: String,
    rate: f64,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let tally = Arc::new(tokio::sync::Mutex::new(Tally::default()));
    let period = Duration::from_secs_f64(1.0 / rate);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = Instant::now();
    let mut last_report = Instant::now();
    loop {
        ticker.tick().await;
        let generated = sim.next();
        let declarant = generated.declaration["declarant"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some(token) = tokens.get(&declarant).cloned() else {
            continue;
        };
        let (client, url, shared) = (client.clone(), url.clone(), tally.clone());
        tokio::spawn(async move {
            let answer = client
                .post(&url)
                .bearer_auth(token)
                .json(&generated.declaration)
                .send()
                .await;
            let mut t = shared.lock().await;
            match answer {
                Ok(resp) if resp.status().as_u16() == 201 => {
                    let body: serde_json::Value = resp.json().await.unwrap_or_default();
                    let channel = body["channel"].as_str().unwrap_or("?").to_owned();
                    *t.by_channel.entry(channel).or_default() += 1;
                    t.lodged += 1;
                    if let Some(id) = body["id"].as_str() {
                        t.truths.insert(id.to_owned(), generated.truth);
                    }
                }
                Ok(resp) if resp.status().as_u16() == 422 => t.refused += 1,
                _ => t.failed += 1,
            }
        });
        if last_report.elapsed() >= Duration::from_secs(2) {
            last_report = Instant::now();
            let t = tally.lock().await;
            let c = |k: &str| t.by_channel.get(k).copied().unwrap_or(0);
            eprint!(
                "\r[{:>5}s] lodged {} (green {} yellow {} red {} blue {}), refused {}, failed {}   ",
                started.elapsed().as_secs(),
                t.lodged,
                c("green"),
                c("yellow"),
                c("red"),
                c("blue"),
                t.refused,
                t.failed
            );
        }
    }
}
