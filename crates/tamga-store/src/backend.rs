//! The two backends behind one enum, and the macro that runs one body of SQL code on either.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Result, StoreError};

/// A database URL whose password never reaches a log (`Debug`/`Display` redact it).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
    fn redacted(&self) -> String {
        // scheme://user:password@host → scheme://user:***@host
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &self.0[s + 3..at];
                match creds.find(':') {
                    Some(c) => format!("{}{}:***{}", &self.0[..s + 3], &creds[..c], &self.0[at..]),
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend. The body is
/// compiled once per backend, so it must only use SQL both understand.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    pub async fn connect(url: &DatabaseUrl) -> Result<Db> {
        let raw = url.expose();
        if url.is_postgres() {
            let opts = PgConnectOptions::from_str(raw)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if raw.starts_with("sqlite:") {
            // WAL lets readers run beside the one writer; synchronous=FULL makes every
            // commit durable before we acknowledge it (NORMAL could lose the last commits
            // on power loss, and we never acknowledge what is not durable).
            let opts = SqliteConnectOptions::from_str(raw)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_never_shows_its_password() {
        let u = DatabaseUrl::new("postgres://tamga:s3cret@db.example:5432/tamga");
        assert_eq!(
            format!("{u:?}"),
            "DatabaseUrl(postgres://tamga:***@db.example:5432/tamga)"
        );
        assert!(!u.to_string().contains("s3cret"));
    }

    #[test]
    fn a_url_without_password_is_shown_as_is() {
        let u = DatabaseUrl::new("sqlite://tamga.db");
        assert_eq!(u.to_string(), "sqlite://tamga.db");
    }
}
