//! `tamga demo`: the server, demo users, and a stream of simulated trade lodged through the
//! real API, with a progress line. The simulator keeps the truth of each declaration
//! (what was hidden) so simulated inspections can find it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
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
        ("bank", "bank"),
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

/// Puts the simulator's reference prices into the risk settings, as an analyst would with
/// a world-price table, so that `items.reference_price_ratio` has something to read.
async fn install_reference_prices(
    client: &reqwest::Client,
    api: &str,
    analyst: &str,
) -> anyhow::Result<()> {
    let mut settings: serde_json::Value = client
        .get(format!("{api}/risk/settings"))
        .bearer_auth(analyst)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let prices: serde_json::Map<String, serde_json::Value> = tamga_sim::reference_prices_usd()
        .into_iter()
        .map(|(prefix, usd)| {
            (
                prefix.to_owned(),
                json!({"currency": "USD", "unit_price": format!("{usd:.4}")}),
            )
        })
        .collect();
    settings["reference_prices"] = json!({ "prices": prices });
    let r = client
        .put(format!("{api}/risk/settings"))
        .bearer_auth(analyst)
        .json(&settings)
        .send()
        .await?;
    anyhow::ensure!(
        r.status().is_success(),
        "demo reference prices refused: {}",
        r.text().await?
    );
    Ok(())
}

/// Risk profiles an analyst of a Central Asian administration would start with. Written
/// through the same API analysts use, so they are type-checked like any other.
fn demo_profiles() -> Vec<serde_json::Value> {
    vec![
        json!({"title": "Unit value far below the reference price", "rationale": "Declared at under 70 % of the lowest usual world price (reference-price table in the risk settings; USD invoices)",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.reference_price_ratio", "op": "lt", "value": "0.7"}],
               "score": 40, "measure": "documentary_check"}),
        json!({"title": "Undervalued smartphones from China", "rationale": "Unit values far below the world price of handsets",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
                            {"field": "items.origin", "op": "in", "values": ["CN", "HK"]},
                            {"field": "items.unit_value", "op": "lt", "value": "60"}],
               "score": 60, "measure": "physical_inspection", "inspection": "scan"}),
        json!({"title": "Customs-union origin on goods shipped from China", "rationale": "False EAEU origin claims to avoid duty",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.origin", "op": "in", "values": ["KZ", "RU", "BY", "AM"]},
                            {"field": "dispatch_country", "op": "in", "values": ["CN", "TR", "AE"]}],
               "score": 70, "measure": "physical_inspection", "inspection": "partial"}),
        json!({"title": "Excise goods: spirits and tobacco", "rationale": "High excise, frequent quantity understatement",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["2208", "2402", "2403"]}],
               "score": 40, "measure": "documentary_check"}),
        json!({"title": "Clothing and footwear at give-away prices", "rationale": "Undervaluation of textiles from Asia",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["61", "62", "64"]},
                            {"field": "items.value_per_kg", "op": "lt", "value": "3"}],
               "score": 50, "measure": "documentary_check"}),
        json!({"title": "Pharmaceuticals at the Dordoi post", "rationale": "Medicines without registration seen at Dordoi",
               "scope": {"offices": ["41713"]}, "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["3004"]}],
               "score": 50, "measure": "documentary_check"}),
        json!({"title": "Cars: heavy and cheap", "rationale": "Used cars declared far below their value per kg",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["8703"]},
                            {"field": "items.value_per_kg", "op": "lt", "value": "4"}],
               "condition": "trader.risk_category != 'low'",
               "score": 60, "measure": "physical_inspection", "inspection": "full"}),
    ]
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
    tamga_server::audit::start_from_env(&state).map_err(anyhow::Error::msg)?;
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
    let api = format!("http://{local}/api/v1");
    let token_of = |name: &str| {
        logins
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.token.clone())
            .unwrap_or_default()
    };
    let client = reqwest::Client::new();
    if tamga_store::risk::profile_count(state.store.db()).await? == 0 {
        for p in demo_profiles() {
            let r = client
                .post(format!("{api}/risk/profiles"))
                .bearer_auth(token_of("analyst"))
                .json(&p)
                .send()
                .await?;
            anyhow::ensure!(
                r.status().as_u16() == 201,
                "demo profile refused: {}",
                r.text().await?
            );
        }
        install_reference_prices(&client, &api, &token_of("analyst")).await?;
    }

    println!(
        "Tamga demo on {} ({} store)",
        database,
        state.store.backend_name()
    );
    println!("  console:  http://{local}/");
    println!("  API:      {api}  (OpenAPI: {api}/openapi.json)");
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

    let officers: HashMap<String, String> = logins
        .iter()
        .filter(|l| l.role == "officer")
        .map(|l| {
            (
                l.name.trim_start_matches("officer-").to_owned(),
                l.token.clone(),
            )
        })
        .collect();
    let actors = Arc::new(Actors {
        api,
        traders: tokens,
        officers,
        bank: token_of("bank"),
        client,
    });
    let simulation = tokio::spawn(simulate(sim, actors, rate));
    tokio::select! {
        r = server => { r??; }
        r = simulation => { r??; }
    }
    Ok(())
}

/// Who acts in the simulated economy, by token.
struct Actors {
    api: String,
    traders: HashMap<String, String>,
    /// Officer token by office code.
    officers: HashMap<String, String>,
    bank: String,
    client: reqwest::Client,
}

#[derive(Default)]
struct Tally {
    by_channel: HashMap<String, u64>,
    refused: u64,
    failed: u64,
    lodged: u64,
    controls: u64,
    hits: u64,
    paid: u64,
}

async fn simulate(mut sim: TradeSimulator, actors: Arc<Actors>, rate: f64) -> anyhow::Result<()> {
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
        let Some(token) = actors.traders.get(&declarant).cloned() else {
            continue;
        };
        let (actors, shared) = (actors.clone(), tally.clone());
        tokio::spawn(async move {
            let answer = actors
                .client
                .post(format!("{}/declarations", actors.api))
                .bearer_auth(token)
                .json(&generated.declaration)
                .send()
                .await;
            let body = match answer {
                Ok(resp) if resp.status().as_u16() == 201 => {
                    resp.json::<serde_json::Value>().await.unwrap_or_default()
                }
                Ok(resp) if resp.status().as_u16() == 422 => {
                    shared.lock().await.refused += 1;
                    return;
                }
                _ => {
                    shared.lock().await.failed += 1;
                    return;
                }
            };
            {
                let mut t = shared.lock().await;
                *t.by_channel
                    .entry(body["channel"].as_str().unwrap_or("?").to_owned())
                    .or_default() += 1;
                t.lodged += 1;
            }
            follow_up(&actors, &shared, body, &generated.truth).await;
        });
        if last_report.elapsed() >= Duration::from_secs(2) {
            last_report = Instant::now();
            let t = tally.lock().await;
            let c = |k: &str| t.by_channel.get(k).copied().unwrap_or(0);
            eprint!(
                "\r[{:>5}s] lodged {} (green {} yellow {} red {} blue {}) · controls {} (hits {}) · paid {} · refused {} failed {}   ",
                started.elapsed().as_secs(),
                t.lodged,
                c("green"),
                c("yellow"),
                c("red"),
                c("blue"),
                t.controls,
                t.hits,
                t.paid,
                t.refused,
                t.failed
            );
        }
    }
}

/// What happens after lodgement: the office's officer inspects a selected declaration and
/// finds what the simulator hid (if anything); the bank pays what is due.
async fn follow_up(
    actors: &Actors,
    tally: &tokio::sync::Mutex<Tally>,
    mut declaration: serde_json::Value,
    truth: &tamga_sim::Truth,
) {
    let id = declaration["id"].as_str().unwrap_or_default().to_owned();
    let pause = |ms: u64| tokio::time::sleep(Duration::from_millis(ms + rand_ms()));
    if declaration["status"] == "under_control" {
        pause(1_500).await;
        let office = declaration["office"].as_str().unwrap_or_default();
        let Some(officer) = actors.officers.get(office) else {
            return;
        };
        let open: serde_json::Value = match actors
            .client
            .get(format!("{}/controls?status=open", actors.api))
            .bearer_auth(officer)
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => return,
        };
        let Some(task) = open
            .as_array()
            .and_then(|l| l.iter().find(|t| t["declaration"] == id.as_str()))
        else {
            return;
        };
        let result = tamga_sim::inspect(truth);
        let hit = result["outcome"] == "discrepancy";
        let answer = actors
            .client
            .post(format!(
                "{}/controls/{}/result",
                actors.api,
                task["id"].as_str().unwrap_or_default()
            ))
            .bearer_auth(officer)
            .json(&result)
            .send()
            .await;
        match answer {
            Ok(r) if r.status().is_success() => {
                let body: serde_json::Value = r.json().await.unwrap_or_default();
                declaration = body["declaration"].clone();
                let mut t = tally.lock().await;
                t.controls += 1;
                t.hits += u64::from(hit);
            }
            _ => return,
        }
    }
    if declaration["status"] == "awaiting_payment" && rand::random::<f64>() < CLAIM_RATE {
        pause(600).await;
        if !claim_lower_duties(actors, &declaration, truth).await {
            return;
        }
        // The bank learns the amount due by number, as a payer's bank would.
        match actors
            .client
            .get(format!("{}/payments/due/{id}", actors.api))
            .bearer_auth(&actors.bank)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {
                let due: serde_json::Value = r.json().await.unwrap_or_default();
                declaration["status"] = due["status"].clone();
                declaration["balance"] = due["balance"].clone();
            }
            _ => return,
        }
    }
    if declaration["status"] == "awaiting_payment" {
        pause(800).await;
        let payment = json!({
            "declaration": id,
            "amount": declaration["balance"],
            "currency": "KGS",
            "key": format!("BANK-{}", id),
        });
        let paid = actors
            .client
            .post(format!("{}/payments", actors.api))
            .bearer_auth(&actors.bank)
            .json(&payment)
            .send()
            .await;
        if paid.is_ok_and(|r| r.status().is_success()) {
            tally.lock().await.paid += 1;
        }
    }
}

/// Share of declarations awaiting payment whose declarant amends the value down (a
/// discount agreed after lodgement) and files a claim that the office's officer decides.
const CLAIM_RATE: f64 = 0.03;

/// The declarant amends the first item's value 10 % down; the amendment files a claim to
/// lower the duties, and the office's officer grants it when the goods were declared
/// honestly and refuses it otherwise (the simulator's truth stands in for the evidence).
/// False when the declaration went on to a control instead (the risk engine re-assessed it).
async fn claim_lower_duties(
    actors: &Actors,
    declaration: &serde_json::Value,
    truth: &tamga_sim::Truth,
) -> bool {
    let id = declaration["id"].as_str().unwrap_or_default();
    let declarant = declaration["declarant"].as_str().unwrap_or_default();
    let (Some(trader), Some(officer)) = (
        actors.traders.get(declarant),
        actors
            .officers
            .get(declaration["office"].as_str().unwrap_or_default()),
    ) else {
        return true;
    };
    let mut body = declaration.clone();
    let Some(obj) = body.as_object_mut() else {
        return true;
    };
    for k in [
        "id",
        "version",
        "status",
        "channel",
        "lodged_at",
        "updated_at",
        "released_at",
        "assessment",
        "taxes",
        "balance",
    ] {
        obj.remove(k);
    }
    let value: Option<rust_decimal::Decimal> = body["items"][0]["value"]
        .as_str()
        .and_then(|v| v.parse().ok());
    let Some(value) = value else { return true };
    let lower = (value * rust_decimal::Decimal::new(9, 1)).round_dp(2);
    body["items"][0]["value"] = json!(lower.to_string());
    let amended = actors
        .client
        .put(format!("{}/declarations/{id}", actors.api))
        .bearer_auth(trader)
        .json(&json!({"reason": "final invoice: a 10 % discount agreed with the seller", "declaration": body}))
        .send()
        .await;
    let amended: serde_json::Value = match amended {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
        _ => return true,
    };
    if amended["status"] != "awaiting_payment" {
        return false;
    }
    let claims: serde_json::Value = match actors
        .client
        .get(format!("{}/declarations/{id}/claims", actors.api))
        .bearer_auth(officer)
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(_) => return true,
    };
    let Some(claim) = claims
        .as_array()
        .and_then(|l| l.iter().find(|c| c["status"] == "pending"))
    else {
        return true;
    };
    let decision = if truth.fraud.is_none() {
        json!({"decision": "granted", "note": "the seller's credit note confirms the discount"})
    } else {
        json!({"decision": "refused", "note": "no credit note; the discount is not proven"})
    };
    let _ = actors
        .client
        .post(format!(
            "{}/claims/{}/decision",
            actors.api,
            claim["id"].as_str().unwrap_or_default()
        ))
        .bearer_auth(officer)
        .json(&decision)
        .send()
        .await;
    true
}

/// Up to two seconds of jitter, so follow-ups do not march in step.
fn rand_ms() -> u64 {
    rand::random::<u64>() % 2_000
}
