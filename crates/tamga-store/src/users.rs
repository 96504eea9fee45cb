//! Users of the API and console. Tokens are stored only as hashes (SHA-256 of a 256-bit
//! random token: fast to look up, useless if the table leaks); console passwords as argon2
//! hashes, computed by the caller.

use sqlx::FromRow;

use crate::event_log::NewEvent;
use crate::writer::{Change, Stmt};
use crate::{Db, Result, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub party: Option<String>,
    pub office: Option<String>,
    pub token_hash: String,
    pub password_hash: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, name, role, party, office, token_hash, password_hash, created_at";

impl UserRow {
    /// The change that creates this user and records it (never the hashes) in the log.
    pub fn insert(&self, actor: &str) -> Change {
        Change::new()
            .stmt(
                Stmt::new(format!(
                    "INSERT INTO users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .text(&self.id)
                .text(&self.name)
                .text(&self.role)
                .opt_text(self.party.clone())
                .opt_text(self.office.clone())
                .text(&self.token_hash)
                .opt_text(self.password_hash.clone())
                .text(&self.created_at),
            )
            .event(NewEvent::new(
                "user.created",
                &self.id,
                actor,
                &serde_json::json!({
                    "name": self.name, "role": self.role, "party": self.party,
                    "office": self.office, "console_password": self.password_hash.is_some(),
                }),
            ))
    }
}

pub async fn by_token_hash(db: &Db, token_hash: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE token_hash = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(token_hash).fetch_optional(p).await?),
    )
}

pub async fn by_name(db: &Db, name: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE name = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(name).fetch_optional(p).await?),
    )
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?),
    )
}

/// Officers of an office (for assigning control tasks).
pub async fn officers_of(db: &Db, office: &str) -> Result<Vec<UserRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM users WHERE role = 'officer' AND office = $1 ORDER BY id");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(office).fetch_all(p).await?),
    )
}

/// The change that replaces a user's API token (the old one stops working).
pub fn rotate_token(id: &str, new_token_hash: &str, actor: &str) -> Change {
    Change::new()
        .stmt(
            Stmt::new("UPDATE users SET token_hash = $1 WHERE id = $2")
                .text(new_token_hash)
                .text(id)
                .expect_rows(1, format!("no user {id}")),
        )
        .event(NewEvent::new(
            "user.token_rotated",
            id,
            actor,
            &serde_json::json!({}),
        ))
}

/// The change that revokes a user's API token: the stored hash is replaced by a value no
/// token hashes to (`revoked:` and random hex), so the old token stops working and no new
/// one is issued. The console password, if any, still works.
pub fn revoke_token(id: &str, unusable_hash: &str, actor: &str) -> Change {
    Change::new()
        .stmt(
            Stmt::new("UPDATE users SET token_hash = $1 WHERE id = $2")
                .text(unusable_hash)
                .text(id)
                .expect_rows(1, format!("no user {id}")),
        )
        .event(NewEvent::new(
            "user.token_revoked",
            id,
            actor,
            &serde_json::json!({}),
        ))
}

/// The change that removes a user: its token and console password stop working. What it
/// did stays in the log under its id.
pub fn remove(id: &str, name: &str, actor: &str) -> Change {
    Change::new()
        .stmt(
            Stmt::new("DELETE FROM users WHERE id = $1")
                .text(id)
                .expect_rows(1, format!("no user {id}")),
        )
        .event(NewEvent::new(
            "user.removed",
            id,
            actor,
            &serde_json::json!({"name": name}),
        ))
}
