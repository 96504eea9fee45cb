//! Console sessions (table `console_sessions`): who is signed in to the web console.
//!
//! Kept in the database so that a restart signs no one out and every server on the
//! database sees a sign-out or a revocation at once. The session id is a secret like a
//! password: only its BLAKE3 ([`IdHash`]) is stored, so whoever reads the table cannot
//! present a session. A session ends [`IDLE`] after its last use or [`LIFETIME`] after it
//! was opened, whichever comes first; an ended row is refused when read and swept when
//! someone signs in. Rows are parsed once here: a time that does not parse is
//! [`crate::StoreError::Corrupt`], never a session that lives for ever.
//!
//! Session rows are not customs records: they change through the single writer like every
//! other table, but record no events (a sign-in per page would flood the log).

use jiff::{SignedDuration, Timestamp};
use sqlx::FromRow;

use crate::writer::{Change, Stmt};
use crate::{Db, Result, StoreError, on_pool};

/// A session ends after this long without use.
pub const IDLE: SignedDuration = SignedDuration::from_hours(8);
/// A session ends this long after it was opened, however busy: a stolen cookie does not
/// live for ever by being used.
pub const LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);
/// `last_used_at` is written at most this often. Why: the idle limit needs the time of
/// use only to the minute, and a write per page view would put every click, and the
/// dashboard's refresh every 5 seconds, through the single writer.
pub const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// What identifies a session in the table: the BLAKE3 of its id, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdHash(String);

impl IdHash {
    /// The hash of the session id a browser presents.
    pub fn of(session_id: &str) -> IdHash {
        IdHash(blake3::hash(session_id.as_bytes()).to_hex().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A console session as stored, its times parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub id_hash: IdHash,
    pub user_id: String,
    /// The hash of the API token the session was opened with; `None` for a password.
    pub token_hash: Option<String>,
    /// The session's CSRF token, compared with every form it posts.
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    /// The end of its [`LIFETIME`].
    pub expires_at: Timestamp,
}

#[derive(FromRow)]
struct Row {
    id_hash: String,
    user_id: String,
    token_hash: Option<String>,
    csrf: String,
    created_at: String,
    last_used_at: String,
    expires_at: String,
}

const COLUMNS: &str = "id_hash, user_id, token_hash, csrf, created_at, last_used_at, expires_at";

/// A time as the tables keep it: RFC 3339 UTC with a fixed six-digit fraction (as
/// [`crate::now_text`]), so that text order is time order.
fn text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_time(id: &str, field: &str, value: &str) -> Result<Timestamp> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("console session {id}: {field} `{value}`")))
}

impl Row {
    fn parse(self) -> Result<ConsoleSession> {
        let id = &self.id_hash;
        Ok(ConsoleSession {
            created_at: parse_time(id, "created_at", &self.created_at)?,
            last_used_at: parse_time(id, "last_used_at", &self.last_used_at)?,
            expires_at: parse_time(id, "expires_at", &self.expires_at)?,
            id_hash: IdHash(self.id_hash),
            user_id: self.user_id,
            token_hash: self.token_hash,
            csrf: self.csrf,
        })
    }
}

impl ConsoleSession {
    /// A session opened `now`, ending after [`LIFETIME`] at the latest.
    pub fn new(
        id_hash: IdHash,
        user_id: String,
        token_hash: Option<String>,
        csrf: String,
        now: Timestamp,
    ) -> ConsoleSession {
        ConsoleSession {
            id_hash,
            user_id,
            token_hash,
            csrf,
            created_at: now,
            last_used_at: now,
            expires_at: now.checked_add(LIFETIME).unwrap_or(Timestamp::MAX),
        }
    }

    /// Whether the session still stands at `now`: used within [`IDLE`], and before the end
    /// of its lifetime.
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at && now.duration_since(self.last_used_at) < IDLE
    }

    /// Whether a use at `now` should be written (see [`TOUCH_EVERY`]).
    pub fn needs_touch(&self, now: Timestamp) -> bool {
        now.duration_since(self.last_used_at) >= TOUCH_EVERY
    }

    /// The change that stores this session, sweeping the sessions ended by its time.
    /// Why sweep here: a sign-in is when rows are added, so the table stays bounded by
    /// the sessions that can still be used, without a timer of its own.
    pub fn open(&self) -> Change {
        Change::new().stmt(sweep(self.created_at)).stmt(
            Stmt::new(format!(
                "INSERT INTO console_sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ))
            .text(self.id_hash.as_str())
            .text(&self.user_id)
            .opt_text(self.token_hash.clone())
            .text(&self.csrf)
            .text(text(self.created_at))
            .text(text(self.last_used_at))
            .text(text(self.expires_at)),
        )
    }
}

/// Deletes every session ended at `now` (idle too long, or past its lifetime).
pub fn sweep(now: Timestamp) -> Stmt {
    let idle_since = now.checked_sub(IDLE).unwrap_or(Timestamp::MIN);
    Stmt::new("DELETE FROM console_sessions WHERE expires_at <= $1 OR last_used_at <= $2")
        .text(text(now))
        .text(text(idle_since))
}

/// The change that records a use of the session at `now` (never moving it back).
pub fn touch(id: &IdHash, now: Timestamp) -> Change {
    let now = text(now);
    Change::new().stmt(
        Stmt::new(
            "UPDATE console_sessions SET last_used_at = $1 WHERE id_hash = $2 AND last_used_at < $1",
        )
        .text(now)
        .text(id.as_str()),
    )
}

/// The change that ends one session (sign-out, or found ended when read).
pub fn close(id: &IdHash) -> Change {
    Change::new()
        .stmt(Stmt::new("DELETE FROM console_sessions WHERE id_hash = $1").text(id.as_str()))
}

/// Ends every session of a user (the user removed).
pub fn end_all_of_user(user_id: &str) -> Stmt {
    Stmt::new("DELETE FROM console_sessions WHERE user_id = $1").text(user_id)
}

/// Ends the sessions a user opened with an API token (its token revoked or replaced: a
/// user has one token at a time, so these are the sessions of that token and of tokens
/// already retired). Sessions opened with the console password stay, as the password does.
pub fn end_token_sessions_of_user(user_id: &str) -> Stmt {
    Stmt::new("DELETE FROM console_sessions WHERE user_id = $1 AND token_hash IS NOT NULL")
        .text(user_id)
}

/// The session with this id hash, as stored (ended or not: see [`ConsoleSession::is_live`]).
pub async fn find(db: &Db, id: &IdHash) -> Result<Option<ConsoleSession>> {
    let sql = format!("SELECT {COLUMNS} FROM console_sessions WHERE id_hash = $1");
    let row = on_pool!(db, p => sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id.as_str()).fetch_optional(p).await?);
    row.map(Row::parse).transpose()
}

/// A user's sessions, oldest first.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<ConsoleSession>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM console_sessions WHERE user_id = $1 ORDER BY created_at, id_hash"
    );
    let rows = on_pool!(db, p => sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(user_id).fetch_all(p).await?);
    rows.into_iter().map(Row::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatabaseUrl, Store};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn session(raw: &str, user: &str, token: Option<&str>, now: Timestamp) -> ConsoleSession {
        ConsoleSession::new(
            IdHash::of(raw),
            user.into(),
            token.map(Into::into),
            format!("csrf-{raw}"),
            now,
        )
    }

    #[test]
    fn the_stored_id_is_a_hash_not_the_id() {
        let raw = "a".repeat(64);
        let h = IdHash::of(&raw);
        assert_eq!(h.as_str().len(), 64);
        assert_ne!(h.as_str(), raw);
        assert_eq!(h, IdHash::of(&raw));
        assert_ne!(h, IdHash::of(&"b".repeat(64)));
    }

    #[test]
    fn a_session_ends_after_8_hours_idle() {
        let t0 = at("2026-03-01T08:00:00Z");
        let s = session("x", "u1", None, t0);
        assert!(s.is_live(t0 + SignedDuration::from_mins(8 * 60 - 1)));
        assert!(!s.is_live(t0 + IDLE));
    }

    #[test]
    fn a_session_ends_after_7_days_however_busy() {
        let t0 = at("2026-03-01T08:00:00Z");
        let mut s = session("x", "u1", None, t0);
        s.last_used_at = t0 + SignedDuration::from_hours(7 * 24) - SignedDuration::from_mins(1);
        assert!(s.is_live(s.last_used_at));
        assert!(!s.is_live(t0 + LIFETIME));
    }

    #[test]
    fn a_use_is_written_at_most_once_a_minute() {
        let t0 = at("2026-03-01T08:00:00Z");
        let s = session("x", "u1", None, t0);
        assert!(!s.needs_touch(t0 + SignedDuration::from_secs(59)));
        assert!(s.needs_touch(t0 + TOUCH_EVERY));
    }

    #[test]
    fn an_unreadable_time_is_corrupt_not_a_live_session() {
        let row = Row {
            id_hash: "h".into(),
            user_id: "u1".into(),
            token_hash: None,
            csrf: "c".into(),
            created_at: "2026-03-01T08:00:00.000000Z".into(),
            last_used_at: "yesterday".into(),
            expires_at: "2026-03-08T08:00:00.000000Z".into(),
        };
        assert!(matches!(row.parse(), Err(StoreError::Corrupt(_))));
    }

    async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::new(format!("sqlite://{}", dir.path().join("s.db").display()));
        (Store::open(&url).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn a_session_reads_back_as_opened_and_a_touch_moves_only_forward() {
        let (store, _dir) = store().await;
        let t0 = at("2026-03-01T08:00:00.123456Z");
        let s = session("one", "u1", Some("tokenhash"), t0);
        store.apply(s.open()).await.unwrap();
        assert_eq!(find(store.db(), &s.id_hash).await.unwrap(), Some(s.clone()));
        assert_eq!(find(store.db(), &IdHash::of("two")).await.unwrap(), None);
        let later = t0 + SignedDuration::from_mins(5);
        store.apply(touch(&s.id_hash, later)).await.unwrap();
        store.apply(touch(&s.id_hash, t0)).await.unwrap();
        let read = find(store.db(), &s.id_hash).await.unwrap().unwrap();
        assert_eq!(read.last_used_at, later);
        store.apply(close(&s.id_hash)).await.unwrap();
        assert_eq!(find(store.db(), &s.id_hash).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_sign_in_sweeps_the_sessions_that_have_ended() {
        let (store, _dir) = store().await;
        let t0 = at("2026-03-01T08:00:00Z");
        let idle = session("idle", "u1", None, t0);
        let mut old = session("old", "u1", None, t0 - LIFETIME);
        old.last_used_at = t0 - SignedDuration::from_mins(1);
        let fresh = session("fresh", "u1", None, t0 + SignedDuration::from_hours(7));
        for s in [&idle, &old, &fresh] {
            store.apply(s.open()).await.unwrap();
        }
        // Opened 8 hours after `idle` was last used, and past `old`'s lifetime.
        let now = session("now", "u2", None, t0 + IDLE);
        store.apply(now.open()).await.unwrap();
        assert_eq!(find(store.db(), &idle.id_hash).await.unwrap(), None);
        assert_eq!(find(store.db(), &old.id_hash).await.unwrap(), None);
        assert!(find(store.db(), &fresh.id_hash).await.unwrap().is_some());
        assert!(find(store.db(), &now.id_hash).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn revoking_a_token_ends_its_sessions_and_removing_a_user_ends_all() {
        let (store, _dir) = store().await;
        let t0 = at("2026-03-01T08:00:00Z");
        let by_token = session("t", "u1", Some("tokenhash"), t0);
        let by_password = session("p", "u1", None, t0);
        let other = session("o", "u2", Some("other"), t0);
        for s in [&by_token, &by_password, &other] {
            store.apply(s.open()).await.unwrap();
        }
        store
            .apply(Change::new().stmt(end_token_sessions_of_user("u1")))
            .await
            .unwrap();
        let left: Vec<_> = of_user(store.db(), "u1").await.unwrap();
        assert_eq!(left, vec![by_password.clone()]);
        store
            .apply(Change::new().stmt(end_all_of_user("u1")))
            .await
            .unwrap();
        assert!(of_user(store.db(), "u1").await.unwrap().is_empty());
        assert_eq!(of_user(store.db(), "u2").await.unwrap(), vec![other]);
    }
}
