//! Risk management records: profile versions, the snapshots assessments ran on, fired
//! profiles per declaration, control tasks, trader registry status, settings.
//!
//! A control task is read once into a [`ControlRecord`] ([`ControlRow::parse`],
//! [`control_record`]): a value that does not parse is [`StoreError::CorruptValue`].

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use tamga_types::{Channel, Decimal, OfficeCode};

use crate::writer::{Change, Stmt};
use crate::{Db, Result, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ProfileRow {
    pub id: String,
    pub version: i64,
    pub active: i64,
    pub body: String,
    pub author: String,
    pub created_at: String,
}

pub fn insert_profile(row: &ProfileRow) -> Stmt {
    Stmt::new(
        "INSERT INTO risk_profiles (id, version, active, body, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .text(&row.id)
    .int(row.version)
    .int(row.active)
    .text(&row.body)
    .text(&row.author)
    .text(&row.created_at)
}

/// The latest version of every profile.
pub async fn latest_profiles(db: &Db) -> Result<Vec<ProfileRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, ProfileRow>(
        "SELECT p.id, p.version, p.active, p.body, p.author, p.created_at FROM risk_profiles p \
         WHERE p.version = (SELECT MAX(q.version) FROM risk_profiles q WHERE q.id = p.id) ORDER BY p.id",
    )
    .fetch_all(p)
    .await?))
}

pub async fn profile_versions(db: &Db, id: &str) -> Result<Vec<ProfileRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, ProfileRow>(
        "SELECT id, version, active, body, author, created_at FROM risk_profiles WHERE id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(p)
    .await?))
}

pub async fn profile_version(db: &Db, id: &str, version: i64) -> Result<Option<ProfileRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, ProfileRow>(
        "SELECT id, version, active, body, author, created_at FROM risk_profiles WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(p)
    .await?))
}

pub async fn profile_count(db: &Db) -> Result<i64> {
    let (n,): (i64,) = on_pool!(db, p => sqlx::query_as("SELECT COUNT(DISTINCT id) FROM risk_profiles").fetch_one(p).await?);
    Ok(n)
}

pub async fn snapshot(db: &Db, digest: &str) -> Result<Option<(String, String)>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, (String, String)>(
        "SELECT profiles, settings FROM risk_snapshots WHERE digest = $1",
    )
    .bind(digest)
    .fetch_optional(p)
    .await?))
}

/// Records a snapshot unless it is known (digests are content hashes).
pub fn insert_snapshot(digest: &str, profiles: &str, settings: &str, at: &str) -> Change {
    let exists_guard = "INSERT INTO risk_snapshots (digest, profiles, settings, created_at) \
        SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM risk_snapshots WHERE digest = $1)";
    Change::new().stmt(
        Stmt::new(exists_guard)
            .text(digest)
            .text(profiles)
            .text(settings)
            .text(at),
    )
}

pub fn insert_hit(
    declaration_id: &str,
    profile: &str,
    version: i64,
    score: i64,
    measure: &str,
    at: &str,
) -> Stmt {
    Stmt::new(
        "INSERT INTO risk_hits (declaration_id, profile_id, version, score, measure, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .text(declaration_id)
    .text(profile)
    .int(version)
    .int(score)
    .text(measure)
    .text(at)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ControlRow {
    pub id: String,
    pub declaration_id: String,
    pub office: String,
    pub channel: String,
    pub inspection: Option<String>,
    pub status: String,
    pub assigned_to: Option<String>,
    pub assignment: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    pub findings: Option<String>,
    pub note: Option<String>,
    pub revenue_recovered: Option<String>,
}

/// Where a control task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Open,
    Done,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Open => "open",
            ControlStatus::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<ControlStatus> {
        [ControlStatus::Open, ControlStatus::Done]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// What a control found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlOutcome {
    NoDiscrepancy,
    Discrepancy,
}

impl ControlOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlOutcome::NoDiscrepancy => "no_discrepancy",
            ControlOutcome::Discrepancy => "discrepancy",
        }
    }
    pub fn parse(s: &str) -> Option<ControlOutcome> {
        [ControlOutcome::NoDiscrepancy, ControlOutcome::Discrepancy]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One finding of a control, as stored in `control_tasks.findings` and in the
/// `control.result_recorded` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// `misclassification`, `undervaluation`, … (the server's list).
    pub kind: String,
    /// The goods item it concerns, `null` for the declaration as a whole.
    pub item: Option<usize>,
    /// Corrected values of the item's fields.
    pub corrected: serde_json::Map<String, serde_json::Value>,
    pub detail: Option<String>,
}

/// The random draw that chose a control's officer, kept so that it can be replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The ChaCha20 seed, hex.
    pub seed: String,
    /// The office's officers, ordered by id.
    pub candidates: Vec<String>,
    /// Which candidate was drawn; `null` when there was none.
    pub index: Option<usize>,
    pub rule: String,
}

/// A control task read once into its domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRecord {
    pub id: String,
    pub declaration_id: String,
    pub office: OfficeCode,
    pub channel: Channel,
    /// Depth of a physical inspection: scan, partial or full.
    pub inspection: Option<String>,
    pub status: ControlStatus,
    pub assigned_to: Option<String>,
    pub assignment: Assignment,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub outcome: Option<ControlOutcome>,
    pub findings: Option<Vec<Finding>>,
    pub note: Option<String>,
    /// Duties added (or, negative, removed) by the result, national currency.
    pub revenue_recovered: Option<Decimal>,
}

impl ControlRow {
    /// The row read into its domain types; the first field that does not parse is
    /// [`StoreError::CorruptValue`].
    pub fn parse(&self) -> Result<ControlRecord> {
        let id = self.id.as_str();
        let bad = |field, value: &str| StoreError::corrupt_value("control_tasks", id, field, value);
        let time = |field, value: &str| value.parse::<Timestamp>().map_err(|_| bad(field, value));
        Ok(ControlRecord {
            id: self.id.clone(),
            declaration_id: self.declaration_id.clone(),
            office: OfficeCode::parse(&self.office).ok_or_else(|| bad("office", &self.office))?,
            channel: Channel::parse(&self.channel).ok_or_else(|| bad("channel", &self.channel))?,
            inspection: self.inspection.clone(),
            status: ControlStatus::parse(&self.status)
                .ok_or_else(|| bad("status", &self.status))?,
            assigned_to: self.assigned_to.clone(),
            assignment: serde_json::from_str(&self.assignment)
                .map_err(|_| bad("assignment", &self.assignment))?,
            opened_at: time("opened_at", &self.opened_at)?,
            closed_at: self
                .closed_at
                .as_deref()
                .map(|t| time("closed_at", t))
                .transpose()?,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| ControlOutcome::parse(o).ok_or_else(|| bad("outcome", o)))
                .transpose()?,
            findings: self
                .findings
                .as_deref()
                .map(|f| serde_json::from_str(f).map_err(|_| bad("findings", f)))
                .transpose()?,
            note: self.note.clone(),
            revenue_recovered: self
                .revenue_recovered
                .as_deref()
                .map(|r| r.parse().map_err(|_| bad("revenue_recovered", r)))
                .transpose()?,
        })
    }
}

impl TryFrom<ControlRow> for ControlRecord {
    type Error = StoreError;
    fn try_from(row: ControlRow) -> Result<ControlRecord> {
        row.parse()
    }
}

const CONTROL_COLUMNS: &str = "id, declaration_id, office, channel, inspection, status, assigned_to, assignment, \
    opened_at, closed_at, outcome, findings, note, revenue_recovered";

impl ControlRow {
    pub fn insert(&self) -> Stmt {
        Stmt::new(format!(
            "INSERT INTO control_tasks ({CONTROL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .text(&self.id)
        .text(&self.declaration_id)
        .text(&self.office)
        .text(&self.channel)
        .opt_text(self.inspection.clone())
        .text(&self.status)
        .opt_text(self.assigned_to.clone())
        .text(&self.assignment)
        .text(&self.opened_at)
        .opt_text(self.closed_at.clone())
        .opt_text(self.outcome.clone())
        .opt_text(self.findings.clone())
        .opt_text(self.note.clone())
        .opt_text(self.revenue_recovered.clone())
    }

    /// Closes an open task with its result; fails the change if it is no longer open.
    pub fn close(&self) -> Stmt {
        Stmt::new(
            "UPDATE control_tasks SET status = 'done', closed_at = $1, outcome = $2, findings = $3, note = $4, \
             revenue_recovered = $5 WHERE id = $6 AND status = 'open'",
        )
        .opt_text(self.closed_at.clone())
        .opt_text(self.outcome.clone())
        .opt_text(self.findings.clone())
        .opt_text(self.note.clone())
        .opt_text(self.revenue_recovered.clone())
        .text(&self.id)
        .expect_rows(1, format!("control {} is no longer open", self.id))
    }
}

pub async fn control(db: &Db, id: &str) -> Result<Option<ControlRow>> {
    let sql = format!("SELECT {CONTROL_COLUMNS} FROM control_tasks WHERE id = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ControlRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?),
    )
}

/// A control task read into its domain types ([`ControlRow::parse`]).
pub async fn control_record(db: &Db, id: &str) -> Result<Option<ControlRecord>> {
    control(db, id)
        .await?
        .as_ref()
        .map(ControlRow::parse)
        .transpose()
}

/// A declaration's control tasks, oldest first, read into their domain types.
pub async fn control_records_of_declaration(
    db: &Db,
    declaration_id: &str,
) -> Result<Vec<ControlRecord>> {
    controls_of_declaration(db, declaration_id)
        .await?
        .iter()
        .map(ControlRow::parse)
        .collect()
}

pub async fn controls_of_declaration(db: &Db, declaration_id: &str) -> Result<Vec<ControlRow>> {
    let sql = format!(
        "SELECT {CONTROL_COLUMNS} FROM control_tasks WHERE declaration_id = $1 ORDER BY opened_at"
    );
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ControlRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(declaration_id).fetch_all(p).await?),
    )
}

/// Control tasks by status, optionally of one office, oldest first.
pub async fn controls(
    db: &Db,
    office: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<ControlRow>> {
    let sql = format!(
        "SELECT {CONTROL_COLUMNS} FROM control_tasks WHERE ($1 = '' OR office = $1) AND ($2 = '' OR status = $2) \
         ORDER BY opened_at LIMIT $3"
    );
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ControlRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(office.unwrap_or(""))
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(p)
        .await?),
    )
}

/// Per profile version: selections, controls done, hits, revenue recovered (decimal text sums done by caller).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HitRow {
    pub profile_id: String,
    pub version: i64,
    pub declaration_id: String,
    pub outcome: Option<String>,
    pub revenue_recovered: Option<String>,
}

pub async fn hits_of_profile(db: &Db, profile: Option<&str>) -> Result<Vec<HitRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, HitRow>(
        "SELECT h.profile_id, h.version, h.declaration_id, c.outcome, c.revenue_recovered FROM risk_hits h \
         LEFT JOIN control_tasks c ON c.declaration_id = h.declaration_id AND c.status = 'done' \
         WHERE ($1 = '' OR h.profile_id = $1) ORDER BY h.profile_id, h.version",
    )
    .bind(profile.unwrap_or(""))
    .fetch_all(p)
    .await?))
}

/// Per declaration: channel, office, control outcome, revenue recovered.
pub async fn outcomes(db: &Db) -> Result<Vec<(String, String, Option<String>, Option<String>)>> {
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
        "SELECT d.channel, d.office, c.outcome, c.revenue_recovered FROM declarations d \
         LEFT JOIN control_tasks c ON c.declaration_id = d.id AND c.status = 'done'",
    )
    .fetch_all(p)
    .await?),
    )
}

/// Trader history for the category: per party, (declarations, controls done, discrepancies).
pub async fn trader_histories(db: &Db) -> Result<Vec<(String, i64, i64, i64)>> {
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, (String, i64, i64, i64)>(
        "SELECT COALESCE(d.importer, d.declarant) AS party, COUNT(*), \
           SUM(CASE WHEN c.status = 'done' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN c.outcome = 'discrepancy' THEN 1 ELSE 0 END) \
         FROM declarations d LEFT JOIN control_tasks c ON c.declaration_id = d.id \
         GROUP BY COALESCE(d.importer, d.declarant)",
    )
    .fetch_all(p)
    .await?),
    )
}

pub async fn trader_statuses(db: &Db) -> Result<Vec<(String, i64, i64)>> {
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, (String, i64, i64)>("SELECT party, aeo, suspended FROM trader_status")
        .fetch_all(p)
        .await?),
    )
}

pub fn upsert_trader_status(party: &str, aeo: bool, suspended: bool, at: &str) -> Change {
    Change::new()
        .stmt(Stmt::new("DELETE FROM trader_status WHERE party = $1").text(party))
        .stmt(
            Stmt::new("INSERT INTO trader_status (party, aeo, suspended, updated_at) VALUES ($1, $2, $3, $4)")
                .text(party)
                .int(i64::from(aeo))
                .int(i64::from(suspended))
                .text(at),
        )
}

pub async fn setting(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, (String,)>("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(p)
        .await?)
    .map(|(v,)| v))
}

pub fn put_setting(key: &str, value: &str) -> Change {
    Change::new()
        .stmt(Stmt::new("DELETE FROM settings WHERE key = $1").text(key))
        .stmt(
            Stmt::new("INSERT INTO settings (key, value) VALUES ($1, $2)")
                .text(key)
                .text(value),
        )
}

/// Declarations lodged in a period, with whether they were controlled and found wrong.
pub async fn history_between(
    db: &Db,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String, Option<String>)>> {
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT d.id, d.body, d.lodged_at, c.outcome FROM declarations d \
         LEFT JOIN control_tasks c ON c.declaration_id = d.id AND c.status = 'done' \
         WHERE d.lodged_at >= $1 AND d.lodged_at < $2 ORDER BY d.lodged_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?),
    )
}
