-- Signed checkpoints of the event log: each pins the head of the chain (its seq and hash,
-- and the number of events) with an ed25519 signature by a key kept outside the database.
-- Rows here are not events: signing one changes no state, and a checkpoint cannot be
-- forged by whoever holds only the database. `signed_at` is RFC 3339 UTC text; the key and
-- the signature are lowercase hex.
CREATE TABLE audit_checkpoints (
    seq         BIGINT NOT NULL,
    head_hash   TEXT NOT NULL,
    event_count BIGINT NOT NULL,
    signed_at   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    signature   TEXT NOT NULL,
    PRIMARY KEY (seq, signed_at, public_key)
);
