//! The single write path: changes are queued to one task that group-commits them.
//!
//! Why: SQLite allows one writer at a time and a durable commit costs an fsync. Committing
//! many changes per transaction turns thousands of fsyncs per second into tens, while each
//! caller still hears back only after its change is durable. Each change runs inside its own
//! savepoint, so one failing change (a guard that finds the record moved on) is rolled back
//! alone and the others in the batch still commit. The chain head is read inside the
//! transaction, so the log stays a chain even across restarts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use crate::event_log::{Event, GENESIS, NewEvent, event_hash};
use crate::ledger::{TOTALS_UPSERT, TotalDelta};
use crate::{Db, Result, StoreError};

/// Serialises writers on PostgreSQL (even a second process): a transaction-scoped lock.
pub(crate) const POSTGRES_WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(7261746761)";

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
    /// Set on a ledger row's insert: what it adds to `ledger_totals`.
    pub(crate) ledger_total: Option<TotalDelta>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>) -> Self {
        Stmt {
            sql: sql.into(),
            args: Vec::new(),
            expect_rows: None,
            ledger_total: None,
        }
    }
    pub(crate) fn ledger_total(mut self, delta: TotalDelta) -> Self {
        self.ledger_total = Some(delta);
        self
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
    /// Why the writer refuses this change before running it: a ledger row whose kind or
    /// amount does not parse.
    fn refusal(&self) -> Option<StoreError> {
        self.statements
            .iter()
            .find_map(|s| s.ledger_total.as_ref().and_then(TotalDelta::refusal))
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

/// What the writer has done since it started. Why: the writer is the one serial part of
/// lodging, so whether it is busy all the time, and how many changes share a commit, say
/// where a throughput limit lies (`tamga bench lodge` prints them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed (or attempted).
    pub commits: u64,
    /// Changes handed to those transactions.
    pub changes: u64,
    /// Time spent committing, from BEGIN to the durable COMMIT.
    pub busy: Duration,
}

impl WriterStats {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &WriterStats) -> WriterStats {
        WriterStats {
            commits: self.commits - earlier.commits,
            changes: self.changes - earlier.changes,
            busy: self.busy.saturating_sub(earlier.busy),
        }
    }
}

#[derive(Default)]
struct Counters {
    commits: AtomicU64,
    changes: AtomicU64,
    busy_ns: AtomicU64,
}

impl Counters {
    fn note(&self, changes: usize, took: Duration) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.changes.fetch_add(changes as u64, Ordering::Relaxed);
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.busy_ns.fetch_add(ns, Ordering::Relaxed);
    }
}

pub(crate) struct Writer {
    queue: mpsc::Sender<Job>,
    counters: Arc<Counters>,
}

impl Writer {
    pub(crate) fn start(db: Db) -> Writer {
        let (queue, rx) = mpsc::channel(8 * MAX_BATCH);
        let counters = Arc::new(Counters::default());
        tokio::spawn(run(db, rx, counters.clone()));
        Writer { queue, counters }
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            changes: self.counters.changes.load(Ordering::Relaxed),
            busy: Duration::from_nanos(self.counters.busy_ns.load(Ordering::Relaxed)),
        }
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

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, counters: Arc<Counters>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (changes, replies): (Vec<Change>, Vec<_>) =
            jobs.drain(..).map(|j| (j.change, j.reply)).unzip();
        let started = Instant::now();
        let outcome = match &db {
            Db::Sqlite(p) => sqlite::commit(p, &changes).await,
            Db::Postgres(p) => postgres::commit(p, &changes).await,
        };
        counters.note(changes.len(), started.elapsed());
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
    time_text(jiff::Timestamp::now())
}

/// A time as the store writes it (see [`now_text`]).
pub fn time_text(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Events inserted per multi-row INSERT (8 columns each: far below both bind limits).
const EVENT_CHUNK: usize = 512;

/// An event with its place in the chain, ready to insert.
fn chain(events: &[NewEvent], seq: &mut i64, prev: &mut String, at: &str) -> Vec<Event> {
    events
        .iter()
        .map(|e| {
            *seq += 1;
            let hash = event_hash(prev, *seq, at, &e.kind, &e.subject, &e.actor, &e.payload);
            Event {
                seq: *seq,
                at: at.to_owned(),
                kind: e.kind.clone(),
                subject: e.subject.clone(),
                actor: e.actor.clone(),
                payload: e.payload.clone(),
                prev_hash: std::mem::replace(prev, hash.clone()),
                hash,
            }
        })
        .collect()
}

const EVENTS_INSERT: &str =
    "INSERT INTO events (seq, at, kind, subject, actor, payload, prev_hash, hash) VALUES ";

/// Binds most per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;

/// `INSERT INTO t (…) VALUES ($1, …, $k)` → (`INSERT INTO t (…) VALUES `, k), when the
/// statement is exactly one row of `k` numbered placeholders and unguarded: such inserts
/// from many changes can be sent as one multi-row INSERT.
fn single_row_insert(stmt: &Stmt) -> Option<(&str, usize)> {
    if stmt.expect_rows.is_some() || !stmt.sql.starts_with("INSERT INTO ") {
        return None;
    }
    let at = stmt.sql.find(" VALUES (")? + " VALUES ".len();
    let k = stmt.args.len();
    // Expect exactly `($1, $2, …, $k)`, read without allocating: this runs per statement.
    let mut rest = stmt.sql[at..].strip_prefix('(')?;
    for i in 1..=k {
        if i > 1 {
            rest = rest.strip_prefix(", ")?;
        }
        rest = rest.strip_prefix('$')?;
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if rest[..digits].parse::<usize>().ok()? != i {
            return None;
        }
        rest = &rest[digits..];
    }
    (rest == ")").then_some((&stmt.sql[..at], k))
}

/// Rows per multi-row INSERT of `columns` columns, within `MAX_BINDS`.
fn rows_per_insert(columns: usize) -> usize {
    (MAX_BINDS / columns.max(1)).max(1)
}

/// How a multi-row statement marks its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1, $2, …` (PostgreSQL).
    Numbered,
    /// `?, ?, …` in order (SQLite). Why: sqlx binds each `$N` by asking SQLite its name,
    /// a linear search, so a statement of thousands of `$N` costs quadratic time.
    Positional,
}

/// `head` followed by `rows` rows of `columns` parameters each.
fn multi_row_sql(head: &str, columns: usize, rows: usize, marks: Placeholders) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(head.len() + rows * columns * 7);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            match marks {
                Placeholders::Numbered => {
                    let _ = write!(sql, "${}", r * columns + c + 1);
                }
                Placeholders::Positional => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// Why a change failed inside a batch.
enum Failure {
    /// This change alone is wrong (a guard, a constraint): roll it back, keep the others.
    Change(StoreError),
}

macro_rules! commit_fn {
    ($name:ident, $DB:ty, $begin:literal, $lock:expr, $marks:expr) => {
        type Query<'q> = sqlx::query::Query<'q, $DB, <$DB as sqlx::Database>::Arguments>;

        fn bind_args<'q>(mut q: Query<'q>, args: &'q [Arg]) -> Query<'q> {
            for a in args {
                q = match a {
                    Arg::Text(s) => q.bind(s.as_str()),
                    Arg::OptText(s) => q.bind(s.as_deref()),
                    Arg::Int(i) => q.bind(*i),
                };
            }
            q
        }

        /// Binds an event's eight columns in the order of `EVENTS_INSERT`.
        fn bind_event<'q>(q: Query<'q>, e: &'q Event) -> Query<'q> {
            q.bind(e.seq)
                .bind(e.at.as_str())
                .bind(e.kind.as_str())
                .bind(e.subject.as_str())
                .bind(e.actor.as_str())
                .bind(e.payload.as_str())
                .bind(e.prev_hash.as_str())
                .bind(e.hash.as_str())
        }

        /// Runs one change's statements; `Err` names the first that failed or missed its guard.
        async fn run_statements(
            tx: &mut sqlx::Transaction<'static, $DB>,
            change: &Change,
        ) -> std::result::Result<(), Failure> {
            for stmt in &change.statements {
                let done = bind_args(
                    sqlx::query(sqlx::AssertSqlSafe(stmt.sql.as_str())),
                    &stmt.args,
                )
                .execute(&mut **tx)
                .await
                .map_err(|e| Failure::Change(e.into()))?;
                if let Some((n, msg)) = &stmt.expect_rows {
                    if done.rows_affected() != *n {
                        return Err(Failure::Change(StoreError::Conflict(msg.clone())));
                    }
                }
            }
            Ok(())
        }

        async fn insert_events(
            tx: &mut sqlx::Transaction<'static, $DB>,
            events: &[Event],
        ) -> Result<()> {
            for chunk in events.chunks(EVENT_CHUNK) {
                let sql = multi_row_sql(EVENTS_INSERT, 8, chunk.len(), $marks);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for e in chunk {
                    q = bind_event(q, e);
                }
                q.execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Adds the ledger rows of `changes` to `ledger_totals`, in the batch's transaction.
        async fn add_ledger_totals(
            tx: &mut sqlx::Transaction<'static, $DB>,
            changes: &[&Change],
        ) -> Result<()> {
            let sums = crate::ledger::sum_deltas(changes.iter().flat_map(|c| c.statements.iter()))?;
            if sums.is_empty() {
                return Ok(());
            }
            let stored: Vec<(String, String)> =
                sqlx::query_as("SELECT kind, amount FROM ledger_totals")
                    .fetch_all(&mut **tx)
                    .await?;
            for (kind, amount) in crate::ledger::next_totals(&stored, &sums)? {
                sqlx::query(TOTALS_UPSERT)
                    .bind(kind)
                    .bind(amount)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }

        async fn begin(
            pool: &sqlx::Pool<$DB>,
        ) -> Result<(sqlx::Transaction<'static, $DB>, i64, String)> {
            let mut tx = pool.begin_with($begin).await?;
            if let Some(lock) = $lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            let head: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let (seq, prev) = head.unwrap_or((0, GENESIS.to_owned()));
            Ok((tx, seq, prev))
        }

        /// Fast path: every change's statements in one transaction, the events of all of
        /// them in a few multi-row inserts. `None` when some change failed: the caller then
        /// takes the careful path.
        async fn fast(
            pool: &sqlx::Pool<$DB>,
            changes: &[Change],
        ) -> Result<Option<Vec<Result<Vec<Event>>>>> {
            if changes.iter().any(|c| c.refusal().is_some()) {
                return Ok(None);
            }
            let (mut tx, mut seq, mut prev) = begin(pool).await?;
            let at = now_text();
            let mut written = Vec::with_capacity(changes.len());
            // Changes made only of single-row inserts (a lodgement) are merged, table by
            // table, into multi-row INSERTs after the others ran: no change in a batch can
            // refer to a row another change of the same batch creates, since nobody has
            // heard of that row before the batch commits.
            let mut merged: Vec<(&str, usize, Vec<&Stmt>)> = Vec::new();
            for change in changes {
                let inserts: Option<Vec<(&str, usize)>> =
                    change.statements.iter().map(single_row_insert).collect();
                match inserts {
                    Some(heads) => {
                        for ((head, k), stmt) in heads.into_iter().zip(&change.statements) {
                            match merged.iter_mut().find(|(h, c, _)| *h == head && *c == k) {
                                Some((_, _, list)) => list.push(stmt),
                                None => merged.push((head, k, vec![stmt])),
                            }
                        }
                    }
                    None => {
                        if run_statements(&mut tx, change).await.is_err() {
                            tx.rollback().await?;
                            return Ok(None);
                        }
                    }
                }
                written.push(chain(&change.events, &mut seq, &mut prev, &at));
            }
            for (head, columns, stmts) in &merged {
                for chunk in stmts.chunks(rows_per_insert(*columns)) {
                    let sql = multi_row_sql(head, *columns, chunk.len(), $marks);
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for stmt in chunk {
                        q = bind_args(q, &stmt.args);
                    }
                    if q.execute(&mut *tx).await.is_err() {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                }
            }
            add_ledger_totals(&mut tx, &changes.iter().collect::<Vec<_>>()).await?;
            let all: Vec<Event> = written.iter().flatten().cloned().collect();
            insert_events(&mut tx, &all).await?;
            tx.commit().await?;
            Ok(Some(written.into_iter().map(Ok).collect()))
        }

        /// Careful path: each change in its own savepoint, so one failing change is rolled
        /// back alone and the others still commit.
        async fn careful(
            pool: &sqlx::Pool<$DB>,
            changes: &[Change],
        ) -> Result<Vec<Result<Vec<Event>>>> {
            let (mut tx, mut seq, mut prev) = begin(pool).await?;
            let at = now_text();
            let mut results = Vec::with_capacity(changes.len());
            let mut done: Vec<&Change> = Vec::with_capacity(changes.len());
            for change in changes {
                if let Some(refused) = change.refusal() {
                    results.push(Err(refused));
                    continue;
                }
                sqlx::query("SAVEPOINT change").execute(&mut *tx).await?;
                match run_statements(&mut tx, change).await {
                    Ok(()) => {
                        let events = chain(&change.events, &mut seq, &mut prev, &at);
                        insert_events(&mut tx, &events).await?;
                        sqlx::query("RELEASE SAVEPOINT change")
                            .execute(&mut *tx)
                            .await?;
                        results.push(Ok(events));
                        done.push(change);
                    }
                    Err(Failure::Change(e)) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT change")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT change")
                            .execute(&mut *tx)
                            .await?;
                        results.push(Err(e));
                    }
                }
            }
            add_ledger_totals(&mut tx, &done).await?;
            tx.commit().await?;
            Ok(results)
        }

        pub(super) async fn $name(
            pool: &sqlx::Pool<$DB>,
            changes: &[Change],
        ) -> Result<Vec<Result<Vec<Event>>>> {
            match fast(pool, changes).await? {
                Some(results) => Ok(results),
                None => careful(pool, changes).await,
            }
        }
    };
}

// SQLite: take the write lock up front, so the head we read stays the head.
mod sqlite {
    use super::*;
    commit_fn!(
        commit,
        sqlx::Sqlite,
        "BEGIN IMMEDIATE",
        None::<&str>,
        Placeholders::Positional
    );
}
// PostgreSQL: a transaction-scoped advisory lock serialises writers (even a second process).
mod postgres {
    use super::*;
    commit_fn!(
        commit,
        sqlx::Postgres,
        "BEGIN",
        Some(POSTGRES_WRITE_LOCK),
        Placeholders::Numbered
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_row_insert_is_recognised_with_its_column_count() {
        let s = Stmt::new("INSERT INTO t (a, b) VALUES ($1, $2)")
            .text("x")
            .int(1);
        assert_eq!(
            single_row_insert(&s),
            Some(("INSERT INTO t (a, b) VALUES ", 2))
        );
    }

    #[test]
    fn guarded_multi_row_or_conditional_statements_are_not_merged() {
        let guarded = Stmt::new("INSERT INTO t (a) VALUES ($1)")
            .text("x")
            .expect_rows(1, "x");
        let two_rows = Stmt::new("INSERT INTO t (a) VALUES ($1), ($2)")
            .text("x")
            .text("y");
        let update = Stmt::new("UPDATE t SET a = $1").text("x");
        assert_eq!(single_row_insert(&guarded), None);
        assert_eq!(single_row_insert(&two_rows), None);
        assert_eq!(single_row_insert(&update), None);
    }

    /// A store on a fresh SQLite file, kept as long as the directory is.
    async fn temp_store() -> (tempfile::TempDir, crate::Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = crate::Store::open(&crate::DatabaseUrl::new(url))
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn the_writer_counts_its_commits_and_changes_including_refused_ones() {
        let (_dir, store) = temp_store().await;
        let start = store.writer_stats();
        let note = |n: i64| {
            Change::new().event(NewEvent::new(
                "test.noted",
                &format!("s{n}"),
                "tester",
                &serde_json::json!({"n": n}),
            ))
        };
        store.apply(note(1)).await.unwrap();
        let refused = note(2).stmt(
            Stmt::new("UPDATE users SET role = $1 WHERE id = $2")
                .text("admin")
                .text("nobody")
                .expect_rows(1, "no such user"),
        );
        assert!(matches!(
            store.apply(refused).await,
            Err(StoreError::Conflict(_))
        ));
        let (a, b) = tokio::join!(store.apply(note(3)), store.apply(note(4)));
        a.unwrap();
        b.unwrap();
        let done = store.writer_stats().since(&start);
        assert_eq!(done.changes, 4, "{done:?}");
        assert!((3..=4).contains(&done.commits), "{done:?}");
        assert!(done.busy > Duration::ZERO, "{done:?}");
    }

    /// A batch's single-row inserts are merged, table by table, into multi-row INSERTs:
    /// every value must still land in its own row and column, and the chain stay whole.
    #[tokio::test]
    async fn a_merged_batch_stores_every_row_as_given() {
        let (_dir, store) = temp_store().await;
        let change = |n: usize| {
            let currency = format!("C{n:02}");
            Change::new()
                .stmt(
                    Stmt::new("INSERT INTO exchange_rates (currency, date, rate) VALUES ($1, $2, $3)")
                        .text(&currency)
                        .text("2026-01-01")
                        .text(format!("{n}.5")),
                )
                .stmt(
                    Stmt::new(
                        "INSERT INTO ref_codes (list, code, attribute, description) VALUES ($1, $2, $3, $4)",
                    )
                    .text("test")
                    .text(&currency)
                    .text("")
                    .text(format!("code {n}")),
                )
                .event(NewEvent::new(
                    "test.noted",
                    &currency,
                    "tester",
                    &serde_json::json!({"n": n}),
                ))
        };
        let before = store.writer_stats();
        // In flight together, so that the writer batches them.
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let (store, change) = (store.clone(), change(n));
                tokio::spawn(async move { store.apply(change).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().len(), 1);
        }
        let done = store.writer_stats().since(&before);
        assert!(
            done.commits < 40,
            "the changes should share commits: {done:?}"
        );
        let crate::Db::Sqlite(pool) = store.db() else {
            unreachable!()
        };
        let rates: Vec<(String, String, String)> =
            sqlx::query_as("SELECT currency, date, rate FROM exchange_rates ORDER BY currency")
                .fetch_all(pool)
                .await
                .unwrap();
        let codes: Vec<(String, String)> = sqlx::query_as(
            "SELECT code, description FROM ref_codes WHERE list = 'test' ORDER BY code",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(rates.len(), 40);
        assert_eq!(codes.len(), 40);
        for n in 0..40 {
            let currency = format!("C{n:02}");
            assert_eq!(
                rates[n],
                (currency.clone(), "2026-01-01".into(), format!("{n}.5"))
            );
            assert_eq!(codes[n], (currency, format!("code {n}")));
        }
        let report = crate::event_log::verify(store.db()).await.unwrap();
        assert!(
            matches!(report, crate::VerifyReport::Ok { events: 40 }),
            "{report:?}"
        );
    }

    #[test]
    fn stats_since_an_earlier_reading_are_the_difference() {
        let earlier = WriterStats {
            commits: 2,
            changes: 10,
            busy: Duration::from_millis(5),
        };
        let later = WriterStats {
            commits: 5,
            changes: 40,
            busy: Duration::from_millis(12),
        };
        assert_eq!(
            later.since(&earlier),
            WriterStats {
                commits: 3,
                changes: 30,
                busy: Duration::from_millis(7),
            }
        );
    }

    #[test]
    fn merged_rows_are_numbered_on() {
        assert_eq!(
            multi_row_sql("INSERT INTO t (a, b) VALUES ", 2, 2, Placeholders::Numbered),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            multi_row_sql(
                "INSERT INTO t (a, b) VALUES ",
                2,
                2,
                Placeholders::Positional
            ),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
