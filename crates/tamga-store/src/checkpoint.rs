//! Signed checkpoints of the event log.
//!
//! The chain alone is unkeyed: whoever can write the database can edit an event and
//! recompute every hash after it, or cut events off the end, and the chain still holds. A
//! checkpoint pins the head — the seq and hash of the last event and the number of events —
//! with an ed25519 signature by a key that lives outside the database (a file named by
//! `TAMGA_AUDIT_KEY_FILE` or `--audit-key`). Verification takes the public key from the
//! configuration, never from the database. A rewritten chain no longer has the signed hash
//! at a checkpoint's seq, and a shortened one has fewer events than a checkpoint counted;
//! checkpoints exported to a file held elsewhere (`tamga audit export`) survive the
//! deletion of their rows too.
//!
//! The signed message ([`message`]) is `tamga.checkpoint.v1` followed by seq, event count,
//! head hash and signing time, each length-prefixed (as the event hash encodes its fields),
//! so no two checkpoints sign the same bytes. Checkpoint rows are not events: signing one
//! changes no state and extends no chain.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::{Db, Result, StoreError, on_pool};

/// The domain separator at the start of every signed message.
pub const DOMAIN: &str = "tamga.checkpoint.v1";

/// A signed checkpoint, as stored in `audit_checkpoints` and as exported (one JSON line).
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Seq of the head event.
    pub seq: i64,
    /// Hash of the head event.
    pub head_hash: String,
    /// Events in the log when signed (equals `seq` in an intact log).
    pub event_count: i64,
    /// RFC 3339 UTC.
    pub signed_at: String,
    /// The signer's public key, hex (informative: verification uses the configured key).
    pub public_key: String,
    /// ed25519 signature over [`message`], hex.
    pub signature: String,
}

/// The bytes a checkpoint signs.
pub fn message(seq: i64, event_count: i64, head_hash: &str, signed_at: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(160);
    let (seq, count) = (seq.to_string(), event_count.to_string());
    for field in [DOMAIN, &seq, &count, head_hash, signed_at] {
        m.extend_from_slice(&(field.len() as u64).to_le_bytes());
        m.extend_from_slice(field.as_bytes());
    }
    m
}

/// The signing key: a 32-byte ed25519 seed, kept in a file as 64 hex digits.
pub struct AuditKey(SigningKey);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(public {})", self.public_hex())
    }
}

impl AuditKey {
    pub fn from_seed(seed: [u8; 32]) -> AuditKey {
        AuditKey(SigningKey::from_bytes(&seed))
    }

    /// Parses the 64 hex digits of a seed (surrounding whitespace ignored).
    pub fn from_seed_hex(text: &str) -> std::result::Result<AuditKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("a seed is 32 bytes, this is {}", b.len()))?;
        Ok(AuditKey::from_seed(seed))
    }

    /// Reads a key file written by `tamga audit keygen`.
    pub fn read_file(path: &std::path::Path) -> std::result::Result<AuditKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?;
        AuditKey::from_seed_hex(&text)
            .map_err(|e| format!("the audit key {} is not a key: {e}", path.display()))
    }

    pub fn seed_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public().to_bytes())
    }

    /// Signs a checkpoint of the given head.
    pub fn sign(&self, seq: i64, event_count: i64, head_hash: &str, signed_at: &str) -> Checkpoint {
        let signature = self
            .0
            .sign(&message(seq, event_count, head_hash, signed_at));
        Checkpoint {
            seq,
            head_hash: head_hash.to_owned(),
            event_count,
            signed_at: signed_at.to_owned(),
            public_key: self.public_hex(),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// Parses a public key given as 64 hex digits.
pub fn parse_public_key(text: &str) -> std::result::Result<VerifyingKey, String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("a public key is 32 bytes, this is {}", b.len()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an ed25519 public key: {e}"))
}

impl Checkpoint {
    /// Checks the signature against `key` (the configured key, not the one in the row).
    pub fn verify(&self, key: &VerifyingKey) -> std::result::Result<(), String> {
        if self.public_key != hex::encode(key.to_bytes()) {
            return Err(format!("signed by another key ({})", self.public_key));
        }
        let sig = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or("the signature is not 64 bytes of hex")?;
        key.verify_strict(
            &message(self.seq, self.event_count, &self.head_hash, &self.signed_at),
            &sig,
        )
        .map_err(|_| "the signature does not match the checkpoint".to_owned())
    }
}

/// Seq and hash of the last event, if any.
pub async fn head(db: &Db) -> Result<Option<(i64, String)>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(p)
    .await?))
}

/// The hash stored for event `seq`, if the event exists.
pub async fn hash_at(db: &Db, seq: i64) -> Result<Option<String>> {
    Ok(on_pool!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT hash FROM events WHERE seq = $1",
    )
    .bind(seq)
    .fetch_optional(p)
    .await?))
}

pub async fn insert(db: &Db, c: &Checkpoint) -> Result<()> {
    on_pool!(db, p => {
        sqlx::query(
            "INSERT INTO audit_checkpoints (seq, head_hash, event_count, signed_at, public_key, signature) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.seq)
        .bind(&c.head_hash)
        .bind(c.event_count)
        .bind(&c.signed_at)
        .bind(&c.public_key)
        .bind(&c.signature)
        .execute(p)
        .await?;
    });
    Ok(())
}

/// Signs and stores a checkpoint of the current head (the last committed event); `None`
/// when the log is empty. The count is the head's seq: seqs run from 1 without gaps in an
/// intact log, which `verify` checks. Outside the writer: it reads one committed row and
/// writes a row that is not an event.
pub async fn sign_head(db: &Db, key: &AuditKey) -> Result<Option<Checkpoint>> {
    let Some((seq, hash)) = head(db).await? else {
        return Ok(None);
    };
    let c = key.sign(seq, seq, &hash, &crate::now_text());
    insert(db, &c).await?;
    Ok(Some(c))
}

/// Every stored checkpoint, oldest head first. An absent table (a database never migrated
/// past 0006, read by a verify that does not migrate) holds none.
pub async fn all(db: &Db) -> Result<Vec<Checkpoint>> {
    let rows = on_pool!(db, p => sqlx::query_as::<_, Checkpoint>(
        "SELECT seq, head_hash, event_count, signed_at, public_key, signature \
         FROM audit_checkpoints ORDER BY seq, signed_at",
    )
    .fetch_all(p)
    .await);
    match rows {
        Ok(rows) => Ok(rows),
        Err(sqlx::Error::Database(e)) if table_missing(e.message()) => Ok(Vec::new()),
        Err(e) => Err(StoreError::Database(e)),
    }
}

fn table_missing(message: &str) -> bool {
    message.contains("no such table") || message.contains("does not exist")
}

/// Reads checkpoints exported as JSON lines (blank lines skipped).
pub fn parse_exported(text: &str) -> std::result::Result<Vec<Checkpoint>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("line {}: not a checkpoint: {e}", i + 1))
        })
        .collect()
}

/// A problem a checkpoint reveals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The event the problem is at.
    pub seq: i64,
    pub reason: String,
}

/// Checks checkpoints against the chain: `events` is how many events the (walked, intact)
/// chain holds and `hash_at` the stored hash of an event. With a `key`, every signature
/// must be that key's. `origin` names where the checkpoints come from, for the reasons.
pub fn check<'a>(
    checkpoints: impl IntoIterator<Item = &'a Checkpoint>,
    key: Option<&VerifyingKey>,
    events: u64,
    hash_at: impl Fn(i64) -> Option<String>,
    origin: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checkpoints {
        let at = format!("the {origin} checkpoint of {} (seq {})", c.signed_at, c.seq);
        if let Some(key) = key
            && let Err(why) = c.verify(key)
        {
            out.push(Finding {
                seq: c.seq,
                reason: format!("{at} is not valid: {why}"),
            });
            continue;
        }
        if c.event_count != c.seq {
            out.push(Finding {
                seq: c.seq,
                reason: format!("{at} counts {} events", c.event_count),
            });
        }
        if u64::try_from(c.event_count).unwrap_or(0) > events {
            out.push(Finding {
                seq: events as i64 + 1,
                reason: format!(
                    "{at} counted {} events but the log holds {events}: events were deleted from the end",
                    c.event_count
                ),
            });
            continue;
        }
        match hash_at(c.seq) {
            Some(h) if h == c.head_hash => {}
            Some(_) => out.push(Finding {
                seq: c.seq,
                reason: format!(
                    "{at} signed another hash for this event: the log before it was rewritten"
                ),
            }),
            None => out.push(Finding {
                seq: c.seq,
                reason: format!("{at} names an event that is missing"),
            }),
        }
    }
    out
}

/// Everything `tamga audit verify` checks, in one report.
#[derive(Debug, Clone)]
pub struct TrailReport {
    /// The walk of the chain.
    pub chain: crate::VerifyReport,
    /// What stored and held checkpoints reveal, stored first.
    pub checkpoints: Vec<Finding>,
    /// How many stored checkpoints there are.
    pub stored_checkpoints: usize,
    /// Declarations compared with their events.
    pub declarations: usize,
    /// Where the tables and the events disagree.
    pub mismatches: Vec<crate::audit_rebuild::Mismatch>,
    /// Events the rebuild could not read.
    pub unreadable: Vec<(i64, String)>,
}

impl TrailReport {
    pub fn is_ok(&self) -> bool {
        matches!(self.chain, crate::VerifyReport::Ok { .. })
            && self.checkpoints.is_empty()
            && self.mismatches.is_empty()
            && self.unreadable.is_empty()
    }

    /// The first broken event: where the chain breaks, or else the lowest seq a checkpoint
    /// or an unreadable event names.
    pub fn first_broken(&self) -> Option<(i64, &str)> {
        if let crate::VerifyReport::Broken { seq, reason } = &self.chain {
            return Some((*seq, reason));
        }
        self.checkpoints
            .iter()
            .map(|f| (f.seq, f.reason.as_str()))
            .chain(self.unreadable.iter().map(|(s, r)| (*s, r.as_str())))
            .min_by_key(|(s, _)| *s)
    }
}

/// Walks the chain, checks the stored checkpoints and the `held` ones (exported earlier)
/// against it — signatures too when `key` is given — and rebuilds the state from the
/// events. With `expect_checkpoint` (a key is configured and the caller is not about to
/// sign the first checkpoint), a non-empty log without any stored checkpoint is a finding.
pub async fn verify_trail(
    db: &Db,
    key: Option<&VerifyingKey>,
    held: &[Checkpoint],
    expect_checkpoint: bool,
) -> Result<TrailReport> {
    // Checkpoints first: one signed meanwhile by a live server names an event the walk,
    // which comes after, will see.
    let stored = all(db).await?;
    let chain = crate::event_log::verify(db).await?;
    let events = match &chain {
        crate::VerifyReport::Ok { events } => *events,
        crate::VerifyReport::Broken { seq, .. } => (*seq - 1).max(0) as u64,
    };
    // The hashes at the stored checkpoints in one query (a server signing every minute
    // leaves many), then one query per held checkpoint not among them.
    let mut hashes: std::collections::HashMap<i64, Option<String>> = if stored.is_empty() {
        Default::default()
    } else {
        on_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
            "SELECT e.seq, e.hash FROM events e \
             WHERE e.seq IN (SELECT c.seq FROM audit_checkpoints c)",
        )
        .fetch_all(p)
        .await?)
        .into_iter()
        .map(|(seq, hash)| (seq, Some(hash)))
        .collect()
    };
    let seqs: std::collections::BTreeSet<i64> = stored.iter().chain(held).map(|c| c.seq).collect();
    for seq in seqs {
        if let std::collections::hash_map::Entry::Vacant(slot) = hashes.entry(seq) {
            slot.insert(hash_at(db, seq).await?);
        }
    }
    let at = |seq: i64| hashes.get(&seq).cloned().flatten();
    let mut findings = check(&stored, key, events, at, "stored");
    findings.extend(check(held, key, events, at, "held"));
    if expect_checkpoint && key.is_some() && stored.is_empty() && events > 0 {
        // Named after the head: no event is pinned, none in particular is broken.
        findings.push(Finding {
            seq: events as i64 + 1,
            reason: "no signed checkpoint is stored: they were deleted, or never signed".into(),
        });
    }
    let (declarations, mismatches, unreadable) = crate::audit_rebuild::check(db).await?;
    Ok(TrailReport {
        chain,
        checkpoints: findings,
        stored_checkpoints: stored.len(),
        declarations,
        mismatches,
        unreadable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> AuditKey {
        AuditKey::from_seed([n; 32])
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_and_not_with_another() {
        let c = key(1).sign(7, 7, &"ab".repeat(32), "2026-01-01T00:00:00Z");
        assert_eq!(c.verify(&key(1).public()), Ok(()));
        assert!(
            c.verify(&key(2).public())
                .unwrap_err()
                .contains("another key")
        );
        // A row whose key column is rewritten to the other key still fails the signature.
        let mut forged = c.clone();
        forged.public_key = key(2).public_hex();
        assert!(forged.verify(&key(2).public()).is_err());
    }

    #[test]
    fn every_signed_field_is_covered() {
        let k = key(3);
        let c = k.sign(7, 7, &"ab".repeat(32), "2026-01-01T00:00:00Z");
        for edit in [
            (|c: &mut Checkpoint| c.seq = 6) as fn(&mut Checkpoint),
            |c| c.event_count = 8,
            |c| c.head_hash = "cd".repeat(32),
            |c| c.signed_at = "2026-01-02T00:00:00Z".into(),
        ] {
            let mut e = c.clone();
            edit(&mut e);
            assert_eq!(
                e.verify(&k.public()),
                Err("the signature does not match the checkpoint".into())
            );
        }
    }

    #[test]
    fn the_message_is_domain_separated_and_length_prefixed() {
        let m = message(12, 12, "h", "t");
        assert!(m.windows(DOMAIN.len()).any(|w| w == DOMAIN.as_bytes()));
        // "1" + "2…" must not encode like "12" + "…".
        assert_ne!(message(1, 21, "h", "t"), message(12, 1, "h", "t"));
    }

    #[test]
    fn a_seed_round_trips_through_hex_and_bad_keys_are_refused() {
        let k = key(9);
        let again = AuditKey::from_seed_hex(&format!("{}\n", k.seed_hex())).unwrap();
        assert_eq!(again.public_hex(), k.public_hex());
        assert!(AuditKey::from_seed_hex("abcd").is_err());
        assert!(AuditKey::from_seed_hex(&"zz".repeat(32)).is_err());
        assert_eq!(
            parse_public_key(&k.public_hex()).unwrap(),
            k.public(),
            "the public key parses back"
        );
        assert!(parse_public_key("00").is_err());
    }

    #[test]
    fn check_finds_a_rewritten_chain_a_shortened_one_and_a_foreign_signature() {
        let k = key(4);
        let hashes: Vec<String> = (0..10).map(|i| format!("{i:064}")).collect();
        let at = |seq: i64| hashes.get(seq as usize - 1).cloned();
        let good = k.sign(5, 5, &hashes[4], "t1");
        assert!(check([&good], Some(&k.public()), 10, at, "stored").is_empty());
        // The log was rewritten: event 5 now has another hash.
        let rewritten = |seq: i64| {
            (seq != 5)
                .then(|| hashes[seq as usize - 1].clone())
                .or(Some("x".into()))
        };
        let f = check([&good], Some(&k.public()), 10, rewritten, "stored");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].seq, 5);
        assert!(f[0].reason.contains("rewritten"), "{f:?}");
        // Events 4.. were deleted: the checkpoint counted 5.
        let f = check([&good], Some(&k.public()), 3, at, "held");
        assert_eq!(f[0].seq, 4);
        assert!(f[0].reason.contains("deleted from the end"), "{f:?}");
        // Signed by another key.
        let foreign = key(5).sign(5, 5, &hashes[4], "t1");
        let f = check([&foreign], Some(&k.public()), 10, at, "stored");
        assert!(f[0].reason.contains("another key"), "{f:?}");
        // Without a configured key the signature is not judged, the hash still is.
        assert!(check([&foreign], None, 10, at, "stored").is_empty());
    }

    #[test]
    fn exported_lines_parse_back() {
        let c = key(6).sign(3, 3, "h", "t");
        let text = format!(
            "{}\n\n{}\n",
            serde_json::to_string(&c).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
        assert_eq!(parse_exported(&text).unwrap(), vec![c.clone(), c]);
        assert!(parse_exported("{").unwrap_err().starts_with("line 1"));
    }
}
