//! Claims to lower a declaration's duties (table `duty_claims`).
//!
//! A declarant's amendment that would lower what is owed files a claim instead of writing
//! to the ledger; an officer of the declaration's office decides it. Rows are parsed once
//! here: a status that is not one of the three is a [`crate::StoreError::Corrupt`].

use sqlx::FromRow;

use crate::writer::Stmt;
use crate::{Db, Result, on_pool};

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Pending,
    Granted,
    Refused,
    /// Closed by a control's result, which sets the duties of the version it controlled.
    Superseded,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Pending => "pending",
            ClaimStatus::Granted => "granted",
            ClaimStatus::Refused => "refused",
            ClaimStatus::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        [
            ClaimStatus::Pending,
            ClaimStatus::Granted,
            ClaimStatus::Refused,
            ClaimStatus::Superseded,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClaimRow {
    pub id: String,
    pub declaration_id: String,
    pub office: String,
    /// The declaration version whose lower duties are claimed.
    pub version: i64,
    /// The reduction claimed, positive decimal text, national currency.
    pub amount: String,
    pub currency: String,
    pub status: String,
    /// The amendment's reason.
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, declaration_id, office, version, amount, currency, status, reason, \
    requested_by, requested_at, decided_by, decided_at, note";

impl ClaimRow {
    /// The stored status, or `Corrupt`: a claim whose state cannot be read stops the use case.
    pub fn status(&self) -> Result<ClaimStatus> {
        ClaimStatus::parse(&self.status).ok_or_else(|| {
            crate::StoreError::Corrupt(format!("claim {} status `{}`", self.id, self.status))
        })
    }

    pub fn insert(&self) -> Stmt {
        Stmt::new(format!(
            "INSERT INTO duty_claims ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .text(&self.id)
        .text(&self.declaration_id)
        .text(&self.office)
        .int(self.version)
        .text(&self.amount)
        .text(&self.currency)
        .text(&self.status)
        .text(&self.reason)
        .text(&self.requested_by)
        .text(&self.requested_at)
        .opt_text(self.decided_by.clone())
        .opt_text(self.decided_at.clone())
        .opt_text(self.note.clone())
    }

    /// Records the decision on a pending claim; fails the change if it was decided meanwhile.
    pub fn decide(&self) -> Stmt {
        Stmt::new(
            "UPDATE duty_claims SET status = $1, decided_by = $2, decided_at = $3, note = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .text(&self.status)
        .opt_text(self.decided_by.clone())
        .opt_text(self.decided_at.clone())
        .opt_text(self.note.clone())
        .text(&self.id)
        .expect_rows(1, format!("claim {} is no longer pending", self.id))
    }
}

/// Closes whatever claim of `declaration_id` is pending as superseded by a control's result
/// (no row is fine: most controls have no claim to close).
pub fn supersede_pending(declaration_id: &str, by: &str, at: &str, note: &str) -> Stmt {
    Stmt::new(
        "UPDATE duty_claims SET status = 'superseded', decided_by = $1, decided_at = $2, note = $3 \
         WHERE declaration_id = $4 AND status = 'pending'",
    )
    .text(by)
    .text(at)
    .text(note)
    .text(declaration_id)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<ClaimRow>> {
    let sql = format!("SELECT {COLUMNS} FROM duty_claims WHERE id = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ClaimRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id).fetch_optional(p).await?),
    )
}

pub async fn of_declaration(db: &Db, declaration_id: &str) -> Result<Vec<ClaimRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM duty_claims WHERE declaration_id = $1 ORDER BY requested_at, id"
    );
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ClaimRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(declaration_id).fetch_all(p).await?),
    )
}

/// Claims by office (all offices when `None`) and status, oldest first, at most `limit`.
pub async fn list(
    db: &Db,
    office: Option<&str>,
    status: Option<ClaimStatus>,
    limit: i64,
) -> Result<Vec<ClaimRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM duty_claims WHERE ($1 = '' OR office = $1) AND ($2 = '' OR status = $2) \
         ORDER BY requested_at, id LIMIT $3"
    );
    let office = office.unwrap_or("");
    let status = status.map(ClaimStatus::as_str).unwrap_or("");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, ClaimRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(office).bind(status).bind(limit).fetch_all(p).await?),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_as_written() {
        for s in [
            ClaimStatus::Pending,
            ClaimStatus::Granted,
            ClaimStatus::Refused,
            ClaimStatus::Superseded,
        ] {
            assert_eq!(ClaimStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ClaimStatus::parse("approved"), None);
    }

    #[test]
    fn an_unreadable_status_is_corrupt_not_pending() {
        let row = ClaimRow {
            id: "c1".into(),
            declaration_id: "d1".into(),
            office: "41701".into(),
            version: 2,
            amount: "10.00".into(),
            currency: "KGS".into(),
            status: "pendng".into(),
            reason: "typo".into(),
            requested_by: "u1".into(),
            requested_at: "2026-01-01T00:00:00.000000Z".into(),
            decided_by: None,
            decided_at: None,
            note: None,
        };
        assert!(matches!(row.status(), Err(crate::StoreError::Corrupt(_))));
    }
}
