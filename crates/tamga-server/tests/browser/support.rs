//! What the console's tests share: a fresh application over a fresh SQLite database, users
//! with console passwords, and a valid declaration.

#![allow(dead_code)]

use serde_json::{Value, json};
use tamga_server::users::{NewUser, create_user};
use tamga_server::{AppState, Config};
use tamga_store::DatabaseUrl;

pub const PASSWORD: &str = "correct horse battery";
pub const TRADER_PARTY: &str = "01234567890123";
pub const OTHER_PARTY: &str = "98765432109876";
pub const OFFICE: &str = "41701";

/// API tokens of [`Console::cast`]'s users.
pub struct Cast {
    pub trader_a: String,
    pub trader_b: String,
    pub officer: String,
    pub admin: String,
}

pub struct Console {
    pub state: AppState,
    _tmp: tempfile::TempDir,
}

impl Console {
    pub async fn new() -> Console {
        let tmp = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::new(format!("sqlite://{}", tmp.path().join("t.db").display()));
        let state = tamga_server::startup::build_state(&url, Config::default())
            .await
            .expect("state");
        Console { state, _tmp: tmp }
    }

    /// Creates a user with the console password [`PASSWORD`]; answers its API token.
    pub async fn user(
        &self,
        name: &str,
        role: &str,
        party: Option<&str>,
        office: Option<&str>,
    ) -> String {
        create_user(
            &self.state,
            NewUser {
                name: name.into(),
                role: role.into(),
                party: party.map(Into::into),
                office: office.map(Into::into),
                password: Some(PASSWORD.into()),
            },
            "test",
        )
        .await
        .expect("create user")
        .token
    }

    /// The standard cast: two traders of different parties, an officer, an admin.
    pub async fn cast(&self) -> Cast {
        Cast {
            trader_a: self
                .user("trader-a", "trader", Some(TRADER_PARTY), None)
                .await,
            trader_b: self
                .user("trader-b", "trader", Some(OTHER_PARTY), None)
                .await,
            officer: self.user("officer-a", "officer", None, Some(OFFICE)).await,
            admin: self.user("admin", "admin", None, None).await,
        }
    }

    /// Lodges a declaration for `party` as its trader would, through the lifecycle.
    pub async fn lodge_as(&self, token: &str, party: &str) -> String {
        let caller = tamga_server::auth::authenticate(&self.state, token)
            .await
            .expect("token");
        tamga_server::declarations::lodge(&self.state, &caller, declaration(party))
            .await
            .expect("lodged")
            .id
    }

    /// Creates the analyst `analyst-a` and has it set random selection to send every
    /// declaration to yellow (a control task, drawn to an officer of the office).
    pub async fn everything_yellow(&self) {
        let token = self.user("analyst-a", "analyst", None, None).await;
        let analyst = tamga_server::auth::authenticate(&self.state, &token)
            .await
            .expect("token");
        let mut s = self.state.risk.settings();
        s.random.yellow = rust_decimal::Decimal::ONE;
        s.random.red = rust_decimal::Decimal::ZERO;
        s.office_random.clear();
        tamga_server::profiles::put_settings(
            &self.state,
            &analyst,
            serde_json::to_value(s).unwrap(),
        )
        .await
        .expect("settings");
    }

    /// Writes profile RP-0001 (smartphones, score 60: yellow) as the analyst `analyst-p`,
    /// lodges a declaration it selects and records a discrepancy on its control as
    /// `cast.officer`: one selection, one control, one hit. Answers the declaration's id.
    pub async fn profile_hit(&self, cast: &Cast, party: &str) -> String {
        let token = self.user("analyst-p", "analyst", None, None).await;
        let caller = |t: String| async move {
            tamga_server::auth::authenticate(&self.state, &t)
                .await
                .expect("token")
        };
        let analyst = caller(token).await;
        tamga_server::profiles::create(
            &self.state,
            &analyst,
            json!({"title": "Smartphones", "rationale": "undervaluation seen in 2025",
                   "scope": "national", "valid_from": "2026-01-01",
                   "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["851713"]}],
                   "score": 60, "measure": "documentary_check"}),
        )
        .await
        .expect("profile");
        let trader = if party == TRADER_PARTY {
            &cast.trader_a
        } else {
            &cast.trader_b
        };
        let id = self.lodge_as(trader, party).await;
        let officer = caller(cast.officer.clone()).await;
        let task = tamga_server::controls::list(&self.state, &officer, Some("open"))
            .await
            .expect("tasks")
            .into_iter()
            .find(|t| t.declaration == id)
            .expect("the profile selected the declaration for control");
        tamga_server::controls::record_result(
            &self.state,
            &officer,
            &task.id,
            json!({"outcome": "discrepancy", "findings": [{"kind": "missing_document"}]}),
        )
        .await
        .expect("result");
        id
    }

    /// Stores a declaration of `channel` lodged `secs` seconds ago and released now, for
    /// the dashboard's release times.
    pub async fn released_after(&self, party: &str, channel: &str, secs: i64) -> String {
        let lodged = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs);
        let lodged = lodged.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let now = tamga_store::now_text();
        self.store(party, "released", channel, &lodged, Some(now))
            .await
    }

    /// Stores a declaration held for control at [`OFFICE`] (the risk engine decides that
    /// in real life; the console only has to show it).
    pub async fn held_for_control(&self, party: &str) -> String {
        let now = tamga_store::now_text();
        self.store(party, "under_control", "red", &now, None).await
    }

    async fn store(
        &self,
        party: &str,
        status: &str,
        channel: &str,
        lodged_at: &str,
        released_at: Option<String>,
    ) -> String {
        let id = uuid_like();
        let body = serde_json::to_string(&declaration(party)).unwrap();
        let row = tamga_store::DeclarationRow {
            id: id.clone(),
            revision: 1,
            version: 1,
            status: status.into(),
            channel: channel.into(),
            kind: "IM".into(),
            office: OFFICE.into(),
            declarant: party.into(),
            importer: Some(party.into()),
            lodged_at: lodged_at.into(),
            updated_at: tamga_store::now_text(),
            released_at,
            body,
            assessment: json!({"channel": "red", "score": 80, "reason": "profile fired",
                "fired": [{"profile": "phones-cn", "version": 2, "score": 80,
                           "measure": "physical_inspection", "matched": {"items.hs_code": "8517130000"}}],
                "random": {"draw": 123, "fraction": "0.5", "yellow_rate": "0.05", "red_rate": "0.01", "selected": null}})
            .to_string(),
            taxes: Some(
                json!({"currency": "KGS", "items": [{"item": 0, "lines": [
                    {"tax": "duty", "base": "1000.00", "rate": "10", "amount": "100.00"},
                    {"tax": "vat", "base": "1100.00", "rate": "12", "amount": "132.00"}]}],
                    "total": "232.00"})
                .to_string(),
            ),
            balance: Some("232.00".into()),
        };
        self.state
            .store
            .apply(row.insert("test"))
            .await
            .expect("stored");
        id
    }
}

fn uuid_like() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn declaration(party: &str) -> Value {
    json!({
        "type": "IM",
        "procedure": "4000",
        "office": OFFICE,
        "declarant": party,
        "importer": party,
        "exporter": {"name": "Shenzhen Example Co", "country": "CN"},
        "dispatch_country": "CN",
        "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
        "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
        "items": [
            {"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
             "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
             "value": "15000.00", "preference": "100"}
        ],
        "documents": [{"code": "N380", "ref": "INV-2026-001"}]
    })
}
