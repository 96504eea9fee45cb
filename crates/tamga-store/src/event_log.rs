//! The append-only, hash-chained event log.
//!
//! Each event's hash is BLAKE3 over a canonical encoding of the previous event's hash and
//! this event's fields (each field length-prefixed, so no two different events encode the
//! same bytes). Editing, deleting or reordering any row breaks the chain at that row, which
//! [`verify`] reports. The first event's `prev_hash` is [`GENESIS`].

use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, Result, on_pool};

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as a change asks for it; sequence, time and hashes are added by the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// What happened, dotted: `declaration.lodged`, `declaration.refused`, `user.created`…
    pub kind: String,
    /// What it happened to: a declaration id, a user name, a profile id.
    pub subject: String,
    /// Who did it: a user id, or `system`.
    pub actor: String,
    /// The event's data as JSON text.
    pub payload: String,
}

impl NewEvent {
    pub fn new(kind: &str, subject: &str, actor: &str, payload: &serde_json::Value) -> Self {
        NewEvent {
            kind: kind.to_owned(),
            subject: subject.to_owned(),
            actor: actor.to_owned(),
            payload: payload.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event from its fields and its predecessor's hash.
pub fn event_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    kind: &str,
    subject: &str,
    actor: &str,
    payload: &str,
) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"tamga.event.v1");
    let seq = seq.to_string();
    for field in [prev_hash, &seq, at, kind, subject, actor, payload] {
        h.update(&(field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

impl Event {
    pub fn computed_hash(&self) -> String {
        event_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.kind,
            &self.subject,
            &self.actor,
            &self.payload,
        )
    }
}

/// Outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReport {
    Ok {
        events: u64,
    },
    /// The first event where the chain breaks, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Walks the whole log in order, in pages, and checks sequence, links and hashes.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    const PAGE: i64 = 5_000;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut count = 0u64;
    loop {
        let page: Vec<Event> = on_pool!(db, p => sqlx::query_as::<_, Event>(
            "SELECT seq, at, kind, subject, actor, payload, prev_hash, hash FROM events \
             WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(expected_seq)
        .bind(PAGE)
        .fetch_all(p)
        .await?);
        if page.is_empty() {
            return Ok(VerifyReport::Ok { events: count });
        }
        for e in &page {
            if e.seq != expected_seq {
                return Ok(VerifyReport::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next stored is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(VerifyReport::Broken {
                    seq: e.seq,
                    reason: "prev_hash does not match the hash of the event before it".into(),
                });
            }
            if e.computed_hash() != e.hash {
                return Ok(VerifyReport::Broken {
                    seq: e.seq,
                    reason: "hash does not match the event's contents".into(),
                });
            }
            prev = e.hash.clone();
            expected_seq += 1;
            count += 1;
        }
    }
}

/// Events about one subject, oldest first.
pub async fn events_for(db: &Db, subject: &str) -> Result<Vec<Event>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, Event>(
        "SELECT seq, at, kind, subject, actor, payload, prev_hash, hash FROM events \
         WHERE subject = $1 ORDER BY seq",
    )
    .bind(subject)
    .fetch_all(p)
    .await?))
}

/// Events of a kind, newest first (for operators looking at refusals, override attempts…).
pub async fn recent_events_of_kind(db: &Db, kind: &str, limit: i64) -> Result<Vec<Event>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, Event>(
        "SELECT seq, at, kind, subject, actor, payload, prev_hash, hash FROM events \
         WHERE kind = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(kind)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_boundary_shift_changes_the_hash() {
        // "ab" + "c" must not hash like "a" + "bc".
        let a = event_hash(GENESIS, 1, "t", "ab", "c", "x", "{}");
        let b = event_hash(GENESIS, 1, "t", "a", "bc", "x", "{}");
        assert_ne!(a, b);
    }

    #[test]
    fn the_hash_depends_on_the_previous_hash() {
        let a = event_hash(GENESIS, 2, "t", "k", "s", "x", "{}");
        let b = event_hash(&"1".repeat(64), 2, "t", "k", "s", "x", "{}");
        assert_ne!(a, b);
    }
}
