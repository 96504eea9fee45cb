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
pub mod declarations;
pub mod event_log;
pub mod ledger;
pub mod reference;
pub mod risk;
pub mod sessions;
pub mod users;
mod writer;

pub use backend::{DatabaseUrl, Db};
pub use declarations::{DeclarationFilter, DeclarationRow, VersionRow};
pub use event_log::{Event, NewEvent, VerifyReport};
pub use users::UserRow;
pub use writer::{Arg, Change, Stmt, WriterStats, now_text};

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
