//! Declarations as stored: the current state in `declarations`, every version's body in
//! `declaration_versions`. State changes are built here as [`Change`]s and committed by the
//! writer with their events; reads go straight to the pool.
//!
//! A row is read once into a [`DeclarationRecord`] ([`DeclarationRow::parse`],
//! [`get_record`], [`list_records`]): a status, channel, balance or time that does not parse
//! is [`StoreError::CorruptValue`] naming the field, never a default (a balance read as 0
//! would let a release through).

use jiff::Timestamp;
use serde::Deserialize;
use sqlx::FromRow;
use tamga_types::{Channel, CurrencyCode, Decimal, DeclarationType, OfficeCode, PartyId, Status};

use crate::writer::{Change, Stmt, time_text};
use crate::{Db, Result, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DeclarationRow {
    pub id: String,
    /// Bumped by every change; guards concurrent updates (optimistic locking).
    pub revision: i64,
    /// Bumped by every amendment of the declared data.
    pub version: i64,
    pub status: String,
    pub channel: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub office: String,
    pub declarant: String,
    pub importer: Option<String>,
    pub lodged_at: String,
    pub updated_at: String,
    pub released_at: Option<String>,
    /// The validated declaration, JSON.
    pub body: String,
    /// The risk assessment, JSON.
    pub assessment: String,
    /// The tax calculation, JSON (absent until taxes are assessed).
    pub taxes: Option<String>,
    /// Amount still due in national currency, decimal text.
    pub balance: Option<String>,
}

const COLUMNS: &str = "id, revision, version, status, channel, type, office, declarant, importer, \
    lodged_at, updated_at, released_at, body, assessment, taxes, balance";

/// A declaration read once into its domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    pub id: String,
    /// Bumped by every change; guards concurrent updates (optimistic locking).
    pub revision: i64,
    /// Bumped by every amendment of the declared data; 1 when lodged.
    pub version: i64,
    pub status: Status,
    pub channel: Channel,
    pub kind: DeclarationType,
    pub office: OfficeCode,
    pub declarant: PartyId,
    pub importer: Option<PartyId>,
    pub lodged_at: Timestamp,
    pub updated_at: Timestamp,
    pub released_at: Option<Timestamp>,
    /// The validated declaration, JSON text (its shape belongs to `tamga-types`).
    pub body: String,
    /// The risk assessment, JSON text (its shape belongs to `tamga-risk`).
    pub assessment: String,
    /// Absent until taxes are assessed.
    pub taxes: Option<StoredTaxes>,
    /// Amount still due in national currency; absent for a declaration without taxes.
    pub balance: Option<Decimal>,
}

/// A declaration's tax calculation: its total and currency read, the whole kept as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTaxes {
    pub total: Decimal,
    pub currency: CurrencyCode,
    /// The calculation as stored, JSON text (its shape belongs to `tamga-tariff`).
    pub json: String,
}

/// The keys of a stored calculation the store reads (others are the tariff's).
#[derive(Deserialize)]
struct TaxesHead {
    total: Decimal,
    currency: String,
}

impl StoredTaxes {
    fn parse(id: &str, json: &str) -> Result<StoredTaxes> {
        let bad = || StoreError::corrupt_value("declarations", id, "taxes", json);
        let head: TaxesHead = serde_json::from_str(json).map_err(|_| bad())?;
        Ok(StoredTaxes {
            total: head.total,
            currency: CurrencyCode::parse(&head.currency).ok_or_else(bad)?,
            json: json.to_owned(),
        })
    }
}

impl DeclarationRow {
    /// The row read into its domain types; the first field that does not parse is
    /// [`StoreError::CorruptValue`].
    pub fn parse(&self) -> Result<DeclarationRecord> {
        let id = self.id.as_str();
        let bad = |field, value: &str| StoreError::corrupt_value("declarations", id, field, value);
        let time = |field, value: &str| value.parse::<Timestamp>().map_err(|_| bad(field, value));
        let party = |field, value: &str| PartyId::parse(value).ok_or_else(|| bad(field, value));
        if self.version < 1 {
            return Err(bad("version", &self.version.to_string()));
        }
        Ok(DeclarationRecord {
            id: self.id.clone(),
            revision: self.revision,
            version: self.version,
            status: Status::parse(&self.status).ok_or_else(|| bad("status", &self.status))?,
            channel: Channel::parse(&self.channel).ok_or_else(|| bad("channel", &self.channel))?,
            kind: DeclarationType::parse(&self.kind).ok_or_else(|| bad("type", &self.kind))?,
            office: OfficeCode::parse(&self.office).ok_or_else(|| bad("office", &self.office))?,
            declarant: party("declarant", &self.declarant)?,
            importer: self
                .importer
                .as_deref()
                .map(|i| party("importer", i))
                .transpose()?,
            lodged_at: time("lodged_at", &self.lodged_at)?,
            updated_at: time("updated_at", &self.updated_at)?,
            released_at: self
                .released_at
                .as_deref()
                .map(|t| time("released_at", t))
                .transpose()?,
            body: self.body.clone(),
            assessment: self.assessment.clone(),
            taxes: self
                .taxes
                .as_deref()
                .map(|t| StoredTaxes::parse(id, t))
                .transpose()?,
            balance: self
                .balance
                .as_deref()
                .map(|b| b.parse::<Decimal>().map_err(|_| bad("balance", b)))
                .transpose()?,
        })
    }
}

impl TryFrom<DeclarationRow> for DeclarationRecord {
    type Error = StoreError;
    fn try_from(row: DeclarationRow) -> Result<DeclarationRecord> {
        row.parse()
    }
}

impl From<&DeclarationRecord> for DeclarationRow {
    /// The row that stores `r` (times as the store writes them), for
    /// [`DeclarationRow::insert`] and [`DeclarationRow::update`].
    fn from(r: &DeclarationRecord) -> DeclarationRow {
        DeclarationRow {
            id: r.id.clone(),
            revision: r.revision,
            version: r.version,
            status: r.status.as_str().to_owned(),
            channel: r.channel.as_str().to_owned(),
            kind: r.kind.as_str().to_owned(),
            office: r.office.to_string(),
            declarant: r.declarant.to_string(),
            importer: r.importer.as_ref().map(PartyId::to_string),
            lodged_at: time_text(r.lodged_at),
            updated_at: time_text(r.updated_at),
            released_at: r.released_at.map(time_text),
            body: r.body.clone(),
            assessment: r.assessment.clone(),
            taxes: r.taxes.as_ref().map(|t| t.json.clone()),
            balance: r.balance.map(|b| b.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VersionRow {
    pub declaration_id: String,
    pub version: i64,
    pub body: String,
    pub reason: Option<String>,
    pub actor: String,
    pub created_at: String,
}

/// Who may see which declarations, decided by the caller's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// A trader: declarations where its party is declarant or importer.
    Party(String),
    /// An officer: declarations lodged at its office.
    Office(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationFilter {
    pub visibility: Visibility,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl DeclarationRow {
    /// The change that stores a newly lodged declaration as version 1.
    pub fn insert(&self, actor: &str) -> Change {
        Change::new()
            .stmt(
                Stmt::new(format!(
                    "INSERT INTO declarations ({COLUMNS}) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                ))
                .text(&self.id)
                .int(self.revision)
                .int(self.version)
                .text(&self.status)
                .text(&self.channel)
                .text(&self.kind)
                .text(&self.office)
                .text(&self.declarant)
                .opt_text(self.importer.clone())
                .text(&self.lodged_at)
                .text(&self.updated_at)
                .opt_text(self.released_at.clone())
                .text(&self.body)
                .text(&self.assessment)
                .opt_text(self.taxes.clone())
                .opt_text(self.balance.clone()),
            )
            .stmt(version_insert(
                &self.id,
                self.version,
                &self.body,
                None,
                actor,
                &self.lodged_at,
            ))
    }

    /// The change that replaces the stored state with `self`, provided nobody changed it
    /// since `expected_revision` was read. `self.revision` must be `expected_revision + 1`.
    pub fn update(&self, expected_revision: i64) -> Change {
        Change::new().stmt(
            Stmt::new(
                "UPDATE declarations SET revision = $1, version = $2, status = $3, channel = $4, \
                 office = $5, importer = $6, updated_at = $7, released_at = $8, body = $9, \
                 assessment = $10, taxes = $11, balance = $12 WHERE id = $13 AND revision = $14",
            )
            .int(self.revision)
            .int(self.version)
            .text(&self.status)
            .text(&self.channel)
            .text(&self.office)
            .opt_text(self.importer.clone())
            .text(&self.updated_at)
            .opt_text(self.released_at.clone())
            .text(&self.body)
            .text(&self.assessment)
            .opt_text(self.taxes.clone())
            .opt_text(self.balance.clone())
            .text(&self.id)
            .int(expected_revision)
            .expect_rows(
                1,
                format!(
                    "declaration {} was changed meanwhile; read it again",
                    self.id
                ),
            ),
        )
    }
}

/// Stores the body of an amended version.
pub fn version_insert(
    id: &str,
    version: i64,
    body: &str,
    reason: Option<&str>,
    actor: &str,
    at: &str,
) -> Stmt {
    Stmt::new(
        "INSERT INTO declaration_versions (declaration_id, version, body, reason, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .text(id)
    .int(version)
    .text(body)
    .opt_text(reason)
    .text(actor)
    .text(at)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<DeclarationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM declarations WHERE id = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, DeclarationRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?),
    )
}

/// A declaration read into its domain types ([`DeclarationRow::parse`]).
pub async fn get_record(db: &Db, id: &str) -> Result<Option<DeclarationRecord>> {
    get(db, id)
        .await?
        .as_ref()
        .map(DeclarationRow::parse)
        .transpose()
}

pub async fn versions(db: &Db, id: &str) -> Result<Vec<VersionRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, VersionRow>(
        "SELECT declaration_id, version, body, reason, actor, created_at FROM declaration_versions \
         WHERE declaration_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(p)
    .await?))
}

/// A page of declarations, newest first, and the total matching the filter.
pub async fn list(db: &Db, f: &DeclarationFilter) -> Result<(Vec<DeclarationRow>, i64)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    match &f.visibility {
        Visibility::All => {}
        Visibility::Party(p) => {
            args.push(p.clone());
            let n = args.len();
            clauses.push(format!("(declarant = ${n} OR importer = ${n})"));
        }
        Visibility::Office(o) => {
            args.push(o.clone());
            clauses.push(format!("office = ${}", args.len()));
        }
    }
    if let Some(s) = &f.status {
        args.push(s.clone());
        clauses.push(format!("status = ${}", args.len()));
    }
    if let Some(c) = &f.channel {
        args.push(c.clone());
        clauses.push(format!("channel = ${}", args.len()));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let page_sql = format!(
        "SELECT {COLUMNS} FROM declarations{filter} ORDER BY lodged_at DESC, id DESC LIMIT ${} OFFSET ${}",
        args.len() + 1,
        args.len() + 2
    );
    let count_sql = format!("SELECT COUNT(*) FROM declarations{filter}");
    on_pool!(db, p => {
        let mut q = sqlx::query_as::<_, DeclarationRow>(sqlx::AssertSqlSafe(page_sql.as_str()));
        let mut c = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(count_sql.as_str()));
        for a in &args {
            q = q.bind(a.as_str());
            c = c.bind(a.as_str());
        }
        let rows = q.bind(f.limit).bind(f.offset).fetch_all(p).await?;
        let (total,) = c.fetch_one(p).await?;
        Ok((rows, total))
    })
}

/// [`list`], every row read into its domain types: one corrupt row fails the page.
pub async fn list_records(db: &Db, f: &DeclarationFilter) -> Result<(Vec<DeclarationRecord>, i64)> {
    let (rows, total) = list(db, f).await?;
    let records = rows
        .iter()
        .map(DeclarationRow::parse)
        .collect::<Result<_>>()?;
    Ok((records, total))
}
