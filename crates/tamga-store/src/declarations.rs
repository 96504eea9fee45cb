//! Declarations as stored: the current state in `declarations`, every version's body in
//! `declaration_versions`. State changes are built here as [`Change`]s and committed by the
//! writer with their events; reads go straight to the pool.

use sqlx::FromRow;

use crate::writer::{Change, Stmt};
use crate::{Db, Result, on_pool};

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
