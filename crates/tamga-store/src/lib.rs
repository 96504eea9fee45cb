//! Tamga's persistence: SQLite (embedded default, WAL) and PostgreSQL through `sqlx`.
//!
//! Owns the schema (one migrations folder per backend), the hash-chained event log, and
//! the single write path. Invariants:
//! - **Every state change is a [`Change`]**: its statements and its events commit in one
//!   transaction, or nothing does. There is no other way to write.
//! - **One writer.** Changes are queued to one task that group-commits them (many changes
//!   per transaction, one savepoint each), appends their events to the chain, and answers
//!   each caller only after the commit is durable. One `tamga` process writes a database.
//! - Queries are plain SQL text shared by both backends (`$1` placeholders work on both);
//!   timestamps are RFC 3339 UTC text, amounts decimal text, documents JSON text.

pub mod audit_rebuild;
mod backend;
pub mod checkpoint;
pub mod claims;
pub mod dashboard;
pub mod declarations;
pub mod event_log;
pub mod events;
pub mod ledger;
pub mod reference;
pub mod risk;
pub mod sessions;
pub mod users;
mod writer;

pub use backend::{DatabaseUrl, Db};
pub use declarations::{DeclarationFilter, DeclarationRecord, DeclarationRow, VersionRow};
pub use event_log::{Event, NewEvent, VerifyReport};
pub use users::UserRow;
pub use writer::{Arg, Change, Stmt, WriterStats, now_text, time_text};

use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    /// A guarded statement did not touch the rows it expected: someone else changed the
    /// record first. The whole change was rolled back.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the writer has stopped")]
    WriterGone,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A stored value that does not parse into its domain type: it stops the use case,
    /// it is never replaced by a default.
    #[error("stored data is corrupt: {table} {id} {field} holds `{value}`")]
    CorruptValue {
        table: &'static str,
        /// The row's key (an id, or an event's sequence number).
        id: String,
        field: &'static str,
        /// The value as stored, cut to [`CORRUPT_VALUE_SHOWN`] characters.
        value: String,
    },
    /// A typed event did not encode as JSON (cannot happen for the payloads of
    /// [`events::Event`], whose maps all have string keys).
    #[error("an event does not encode: {0}")]
    Encode(serde_json::Error),
}

/// How much of a corrupt value an error shows.
pub const CORRUPT_VALUE_SHOWN: usize = 100;

impl StoreError {
    /// The error for `table`.`field` of row `id` holding `value`, which does not parse.
    pub fn corrupt_value(
        table: &'static str,
        id: impl Into<String>,
        field: &'static str,
        value: &str,
    ) -> StoreError {
        StoreError::CorruptValue {
            table,
            id: id.into(),
            field,
            value: value.chars().take(CORRUPT_VALUE_SHOWN).collect(),
        }
    }

    /// Stored data that cannot be read, whichever way it was reported.
    pub fn is_corrupt(&self) -> bool {
        matches!(
            self,
            StoreError::Corrupt(_) | StoreError::CorruptValue { .. }
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    writer: Arc<writer::Writer>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.backend_name())
            .finish()
    }
}

impl Store {
    /// Opens (creating a SQLite file if needed), migrates, and starts the writer.
    pub async fn open(url: &DatabaseUrl) -> Result<Store> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        ledger::init_totals(&db).await?;
        let writer = Arc::new(writer::Writer::start(db.clone()));
        Ok(Store { db, writer })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn backend_name(&self) -> &'static str {
        self.db.backend_name()
    }

    /// Commits `change` durably (group commit) and returns its events as written.
    pub async fn apply(&self, change: Change) -> Result<Vec<Event>> {
        self.writer.apply(change).await
    }

    /// The writer's counters since the store opened (diff two with [`WriterStats::since`]).
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(&self.db, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }
}
