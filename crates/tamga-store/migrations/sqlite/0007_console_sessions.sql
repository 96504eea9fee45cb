-- Console sessions: who is signed in to the web console, so that a restart signs no one
-- out. The session id (the cookie's value) is never stored: `id_hash` is its BLAKE3, so
-- whoever reads this table cannot present a session. `token_hash` is the hash of the API
-- token the session was opened with (the session ends with that token), NULL for a
-- console password. Times are RFC 3339 UTC text with a fixed fraction (text order is time
-- order): a session ends at `expires_at` (its absolute lifetime) or 8 hours after
-- `last_used_at`, which is written at most once a minute.
CREATE TABLE console_sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    token_hash    TEXT,
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
