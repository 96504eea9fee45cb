//! `spawn_app`: the real server on a random port over a real, fresh database — SQLite in a
//! temporary folder, or a new PostgreSQL database when `TAMGA_TEST_POSTGRES_URL` is set.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use tamga_server::users::{NewUser, create_user};
use tamga_server::{AppState, Config};
use tamga_store::DatabaseUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per backend. PostgreSQL runs when
/// `TAMGA_TEST_POSTGRES_URL` is set and is skipped loudly otherwise.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::helpers::postgres_url().is_some() {
                        super::$name($crate::helpers::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

static WARNED: AtomicBool = AtomicBool::new(false);

pub fn postgres_url() -> Option<String> {
    match std::env::var("TAMGA_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if !WARNED.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "\n*** SKIPPED: PostgreSQL tests — TAMGA_TEST_POSTGRES_URL is not set \
                     (.ci/run sets it; e.g. postgres://postgres@127.0.0.1:5432/test) ***\n"
                );
            }
            None
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub url: DatabaseUrl,
    pub client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    _tmp: Option<tempfile::TempDir>,
}

/// A fresh database URL for one test.
async fn fresh_database(backend: Backend) -> (DatabaseUrl, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let tmp = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", tmp.path().join("tamga.db").display());
            (DatabaseUrl::new(url), Some(tmp))
        }
        Backend::Postgres => {
            let admin_url = postgres_url().expect("postgres url");
            let name = format!("tamga_test_{}", uuid_like());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                .await
                .expect("connect to postgres");
            sqlx::Executor::execute(
                &mut conn,
                sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
            )
            .await
            .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .expect("url with a database");
            (DatabaseUrl::new(format!("{base}/{name}")), None)
        }
    }
}

fn uuid_like() -> String {
    let bytes: [u8; 8] = rand_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rand_bytes() -> [u8; 8] {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish().to_le_bytes()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let (url, tmp) = fresh_database(backend).await;
        Self::start(url, tmp).await
    }

    async fn start(url: DatabaseUrl, tmp: Option<tempfile::TempDir>) -> TestApp {
        // No random selection unless a test asks for it: outcomes must not depend on luck.
        let config = Config {
            risk_settings: tamga_risk::SelectionSettings::without_random(),
            ..Config::default()
        };
        let state = tamga_server::startup::build_state(&url, config)
            .await
            .expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = tamga_server::app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("server");
        });
        TestApp {
            base,
            state,
            url,
            client: reqwest::Client::new(),
            server,
            _tmp: tmp,
        }
    }

    /// Stops the server, closes the database, and starts again on the same database.
    pub async fn restart(self) -> TestApp {
        self.server.abort();
        let _ = self.server.await;
        match self.state.store.db() {
            tamga_store::Db::Sqlite(p) => p.close().await,
            tamga_store::Db::Postgres(p) => p.close().await,
        }
        Self::start(self.url.clone(), self._tmp).await
    }

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
                password: None,
            },
            "test",
        )
        .await
        .expect("create user")
        .token
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(Value::Null);
        crate::openapi::check("post", path, status, &body);
        (status, body)
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(Value::Null);
        crate::openapi::check("put", path, status, &body);
        (status, body)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(Value::Null);
        crate::openapi::check("get", path, status, &body);
        (status, body)
    }

    /// Runs one SQL statement straight on the database, as an intruder with a SQL console would.
    pub async fn execute_sql(&self, sql: &str) -> u64 {
        tamga_store::on_pool!(self.state.store.db(), p => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(p)
            .await
            .expect("sql")
            .rows_affected())
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        tamga_store::on_pool!(self.state.store.db(), p => sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
            .fetch_one(p)
            .await
            .expect("count")
            .0)
    }

    pub async fn event_kinds(&self) -> Vec<String> {
        tamga_store::on_pool!(self.state.store.db(), p => sqlx::query_as::<_, (String,)>("SELECT kind FROM events ORDER BY seq")
            .fetch_all(p)
            .await
            .expect("events"))
        .into_iter()
        .map(|(k,)| k)
        .collect()
    }
}

pub const PARTY_A: &str = "01234567890123";
pub const PARTY_B: &str = "02345678901234";

/// CONTRACT.md's example declaration, lodged by `party` for itself.
pub fn declaration(party: &str) -> Value {
    json!({
        "type": "IM",
        "procedure": "4000",
        "office": "41701",
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

impl TestApp {
    pub async fn delete(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .client
            .delete(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(Value::Null);
        crate::openapi::check("delete", path, status, &body);
        (status, body)
    }

    /// The user id behind a token (`GET /api/v1/me`).
    pub async fn user_id(&self, token: &str) -> String {
        let (status, me) = self.get("/api/v1/me", token).await;
        assert_eq!(status, 200, "{me}");
        me["id"].as_str().expect("user id").to_owned()
    }

    /// Lodges `body` and expects 201; answers the stored declaration.
    pub async fn lodge(&self, token: &str, body: &Value) -> Value {
        let (status, created) = self.post("/api/v1/declarations", token, body).await;
        assert_eq!(status, 201, "lodging failed: {created}");
        created
    }

    /// A declaration as customs sees it, its whole assessment included, read by a fresh
    /// auditor: a trader's answers carry only the channel and the next step.
    pub async fn seen_by_customs(&self, declaration: &Value) -> Value {
        let auditor = self
            .user(&format!("auditor-{}", uuid_like()), "auditor", None, None)
            .await;
        let id = declaration["id"].as_str().expect("a declaration id");
        let (status, seen) = self
            .get(&format!("/api/v1/declarations/{id}"), &auditor)
            .await;
        assert_eq!(status, 200, "{seen}");
        seen
    }

    /// How many events of `kind` the log holds.
    pub async fn events_of(&self, kind: &str) -> usize {
        self.event_kinds()
            .await
            .iter()
            .filter(|k| k.as_str() == kind)
            .count()
    }

    /// Every stored balance agrees with its ledger, and every declaration's state and
    /// ledger with what its events say (`tamga audit verify`'s rebuild).
    pub async fn assert_ledger_reconciles(&self) -> u64 {
        let (checked, mismatches) = tamga_store::ledger::reconcile(self.state.store.db())
            .await
            .expect("reconcile");
        assert!(mismatches.is_empty(), "ledger mismatches: {mismatches:?}");
        let (_, state, unreadable) = tamga_store::audit_rebuild::check(self.state.store.db())
            .await
            .expect("rebuild");
        assert!(
            state.is_empty() && unreadable.is_empty(),
            "the tables and the events disagree: {state:#?} {unreadable:?}"
        );
        checked
    }
}

/// The `(path, code)` pairs of an `{"errors": […]}` answer.
pub fn error_codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["path"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A decimal from a JSON string (how amounts travel).
pub fn dec(v: &Value) -> tamga_types::Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a decimal string, got {v}"))
        .parse()
        .unwrap_or_else(|_| panic!("not a decimal: {v}"))
}

/// CONTRACT.md's example risk profile: smartphones from China or Hong Kong below 50 per unit.
pub fn profile() -> Value {
    json!({
        "title": "Undervalued smartphones from China",
        "rationale": "Unit values far below the world price seen in 2025",
        "scope": "national",
        "valid_from": "2026-01-01",
        "criteria": [
            {"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
            {"field": "items.origin", "op": "in", "values": ["CN", "HK"]},
            {"field": "items.unit_value", "op": "lt", "value": "50"}
        ],
        "condition": null,
        "score": 60,
        "measure": "physical_inspection"
    })
}

/// The example declaration with 1000 phones for 15000.00 USD: a unit value of 15.
pub fn cheap_phones(party: &str) -> Value {
    let mut d = declaration(party);
    d["items"][0]["quantity"] = json!("1000");
    d
}
