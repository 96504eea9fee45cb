//! A fresh store per test: SQLite in a temporary folder, or a new PostgreSQL database when
//! `TAMGA_TEST_POSTGRES_URL` is set (skipped loudly otherwise).

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};

use tamga_store::{DatabaseUrl, DeclarationRow, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each async test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::common::postgres_url().is_some() {
                        super::$name($crate::common::Backend::Postgres).await;
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
                     (e.g. postgres://postgres@127.0.0.1:5432/test) ***\n"
                );
            }
            None
        }
    }
}

pub struct TestStore {
    pub store: Store,
    pub url: DatabaseUrl,
    _tmp: Option<tempfile::TempDir>,
}

impl TestStore {
    pub async fn new(backend: Backend) -> TestStore {
        let (url, tmp) = match backend {
            Backend::Sqlite => {
                let tmp = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", tmp.path().join("store.db").display());
                (DatabaseUrl::new(url), Some(tmp))
            }
            Backend::Postgres => {
                let admin = postgres_url().expect("postgres url");
                let name = format!("tamga_store_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to postgres");
                sqlx::Executor::execute(
                    &mut conn,
                    sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
                )
                .await
                .expect("create test database");
                let base = admin.rsplit_once('/').expect("url with a database").0;
                (DatabaseUrl::new(format!("{base}/{name}")), None)
            }
        };
        let store = Store::open(&url).await.expect("open store");
        TestStore {
            store,
            url,
            _tmp: tmp,
        }
    }

    /// The same database opened again, as after a restart.
    pub async fn reopen(&self) -> Store {
        Store::open(&self.url).await.expect("reopen store")
    }

    /// Runs raw SQL, as an intruder or a broken disk would; returns the rows touched.
    pub async fn execute(&self, sql: &str) -> u64 {
        tamga_store::on_pool!(self.store.db(), p => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(p)
            .await
            .expect(sql)
            .rows_affected())
    }

    /// A query's single number.
    pub async fn count(&self, sql: &str) -> i64 {
        tamga_store::on_pool!(self.store.db(), p => sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(p)
            .await
            .expect(sql)
            .0)
    }
}

/// A declaration row as lodging writes it, with the given id, status, channel and time.
pub fn declaration(id: &str, status: &str, channel: &str, lodged_at: &str) -> DeclarationRow {
    DeclarationRow {
        id: id.into(),
        revision: 1,
        version: 1,
        status: status.into(),
        channel: channel.into(),
        kind: "IM".into(),
        office: "41701".into(),
        declarant: "01234567890123".into(),
        importer: Some("98765432109876".into()),
        lodged_at: lodged_at.into(),
        updated_at: lodged_at.into(),
        released_at: (status == "released").then(|| lodged_at.to_owned()),
        body: r#"{"declarant":"01234567890123"}"#.into(),
        assessment: r#"{"channel":"green"}"#.into(),
        taxes: Some(
            r#"{"currency":"KGS","date":"2026-03-02","total":"157410.00","items":[]}"#.into(),
        ),
        balance: Some("157410.00".into()),
    }
}
