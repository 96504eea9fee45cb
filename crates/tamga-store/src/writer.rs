//! The single write path: changes are queued to one task that group-commits them.
//!
//! Why: SQLite allows one writer at a time and a durable commit costs an fsync. Committing
//! many changes per transaction turns thousands of fsyncs per second into tens, while each
//! caller still hears back only after its change is durable. Each change runs inside its own
//! savepoint, so one failing change (a guard that finds the record moved on) is rolled back
//! alone and the others in the batch still commit. The chain head is read inside the
//! transaction, so the log stays a chain even across restarts.

use tokio::sync::{mpsc, oneshot};

use crate::event_log::{Event, GENESIS, NewEvent, event_hash};
use crate::{Db, Result, StoreError};

/// Most changes committed in one transaction.
const MAX_BATCH: usize = 512;

/// A bound value of a statement. Only the types both backends encode the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

/// One SQL statement of a change, optionally guarded: when `expect_rows` is set and the
/// statement touches another number of rows, the whole change fails with `Conflict`.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub args: Vec<Arg>,
    pub expect_rows: Option<(u64, String)>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>) -> Self {
        Stmt {
            sql: sql.into(),
            args: Vec::new(),
            expect_rows: None,
        }
    }
    pub fn text(mut self, v: impl Into<String>) -> Self {
        self.args.push(Arg::Text(v.into()));
        self
    }
    pub fn opt_text(mut self, v: Option<impl Into<String>>) -> Self {
        self.args.push(Arg::OptText(v.map(Into::into)));
        self
    }
    pub fn int(mut self, v: i64) -> Self {
        self.args.push(Arg::Int(v));
        self
    }
    /// Fails the change with `Conflict(message)` unless exactly `n` rows are touched.
    pub fn expect_rows(mut self, n: u64, message: impl Into<String>) -> Self {
        self.expect_rows = Some((n, message.into()));
        self
    }
}

/// A state change: statements and the events that record them, all or nothing.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub statements: Vec<Stmt>,
    pub events: Vec<NewEvent>,
}

impl Change {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn stmt(mut self, s: Stmt) -> Self {
        self.statements.push(s);
        self
    }
    pub fn event(mut self, e: NewEvent) -> Self {
        self.events.push(e);
        self
    }
}

struct Job {
    change: Change,
    reply: oneshot::Sender<Result<Vec<Event>>>,
}

pub(crate) struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    pub(crate) fn start(db: Db) -> Writer {
        let (queue, rx) = mpsc::channel(8 * MAX_BATCH);
        tokio::spawn(run(db, rx));
        Writer { queue }
    }

    pub(crate) async fn apply(&self, change: Change) -> Result<Vec<Event>> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { change, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (changes, replies): (Vec<Change>, Vec<_>) =
            jobs.drain(..).map(|j| (j.change, j.reply)).unzip();
        let outcome = match &db {
            Db::Sqlite(p) => commit_sqlite(p, &changes).await,
            Db::Postgres(p) => commit_postgres(p, &changes).await,
        };
        match outcome {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, changes = replies.len(), "batch commit failed");
                let msg = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Corrupt(format!("commit failed: {msg}"))));
                }
            }
        }
    }
}

/// Current time as the log writes it: RFC 3339 UTC with a fixed six-digit fraction, so
/// text order is time order.
pub fn now_text() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

macro_rules! commit_fn {
    ($name:ident, $DB:ty, $begin:literal, $lock:expr) => {
        async fn $name(
            pool: &sqlx::Pool<$DB>,
            changes: &[Change],
        ) -> Result<Vec<Result<Vec<Event>>>> {
            let mut tx = pool.begin_with($begin).await?;
            if let Some(lock) = $lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            let head: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_owned()));
            let at = now_text();
            let mut results = Vec::with_capacity(changes.len());
            for change in changes {
                sqlx::query("SAVEPOINT change").execute(&mut *tx).await?;
                let mut outcome: Result<()> = Ok(());
                for stmt in &change.statements {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(stmt.sql.as_str()));
                    for a in &stmt.args {
                        q = match a {
                            Arg::Text(s) => q.bind(s.as_str()),
                            Arg::OptText(s) => q.bind(s.as_deref()),
                            Arg::Int(i) => q.bind(*i),
                        };
                    }
                    match q.execute(&mut *tx).await {
                        Ok(done) => {
                            if let Some((n, msg)) = &stmt.expect_rows {
                                if done.rows_affected() != *n {
                                    outcome = Err(StoreError::Conflict(msg.clone()));
                                    break;
                                }
                            }
                        }
                        Err(e) => {
                            outcome = Err(e.into());
                            break;
                        }
                    }
                }
                let mut written = Vec::with_capacity(change.events.len());
                if outcome.is_ok() {
                    let (mut s, mut p) = (seq, prev.clone());
                    for e in &change.events {
                        s += 1;
                        let hash = event_hash(&p, s, &at, &e.kind, &e.subject, &e.actor, &e.payload);
                        let r = sqlx::query(
                            "INSERT INTO events (seq, at, kind, subject, actor, payload, prev_hash, hash) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(s)
                        .bind(at.as_str())
                        .bind(e.kind.as_str())
                        .bind(e.subject.as_str())
                        .bind(e.actor.as_str())
                        .bind(e.payload.as_str())
                        .bind(p.as_str())
                        .bind(hash.as_str())
                        .execute(&mut *tx)
                        .await;
                        if let Err(err) = r {
                            outcome = Err(err.into());
                            break;
                        }
                        written.push(Event {
                            seq: s,
                            at: at.clone(),
                            kind: e.kind.clone(),
                            subject: e.subject.clone(),
                            actor: e.actor.clone(),
                            payload: e.payload.clone(),
                            prev_hash: std::mem::replace(&mut p, hash.clone()),
                            hash,
                        });
                    }
                    if outcome.is_ok() {
                        seq = s;
                        prev = p;
                    }
                }
                match outcome {
                    Ok(()) => {
                        sqlx::query("RELEASE SAVEPOINT change").execute(&mut *tx).await?;
                        results.push(Ok(written));
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT change").execute(&mut *tx).await?;
                        sqlx::query("RELEASE SAVEPOINT change").execute(&mut *tx).await?;
                        results.push(Err(e));
                    }
                }
            }
            tx.commit().await?;
            Ok(results)
        }
    };
}

// SQLite: take the write lock up front, so the head we read stays the head.
commit_fn!(commit_sqlite, sqlx::Sqlite, "BEGIN IMMEDIATE", None::<&str>);
// PostgreSQL: a transaction-scoped advisory lock serialises writers (even a second process).
commit_fn!(
    commit_postgres,
    sqlx::Postgres,
    "BEGIN",
    Some("SELECT pg_advisory_xact_lock(7261746761)")
);
