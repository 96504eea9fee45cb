-- Tamga foundation schema (SQLite). Timestamps are RFC 3339 UTC text; amounts are decimal
-- text; JSON documents are text. Kept identical in shape to the PostgreSQL schema so one
-- set of queries serves both backends.

-- The append-only, hash-chained event log: every state change writes one or more rows here
-- in the same transaction as the change itself.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX events_subject ON events (subject, seq);

CREATE TABLE declarations (
    id          TEXT PRIMARY KEY,
    revision    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    type        TEXT NOT NULL,
    office      TEXT NOT NULL,
    declarant   TEXT NOT NULL,
    importer    TEXT,
    lodged_at   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    released_at TEXT,
    body        TEXT NOT NULL,
    assessment  TEXT NOT NULL,
    taxes       TEXT,
    balance     TEXT
);
CREATE INDEX declarations_declarant ON declarations (declarant, lodged_at);
CREATE INDEX declarations_importer ON declarations (importer, lodged_at);
CREATE INDEX declarations_office_status ON declarations (office, status);
CREATE INDEX declarations_lodged ON declarations (lodged_at);

CREATE TABLE declaration_versions (
    declaration_id TEXT NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    reason         TEXT,
    actor          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (declaration_id, version)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    party         TEXT,
    office        TEXT,
    token_hash    TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    created_at    TEXT NOT NULL
);

-- Reference data: loaded from the files shipped with the binary on first start.
CREATE TABLE ref_hs (code TEXT PRIMARY KEY, description TEXT NOT NULL, level INTEGER NOT NULL, parent TEXT NOT NULL, section TEXT NOT NULL);
CREATE TABLE ref_countries (code TEXT PRIMARY KEY, alpha3 TEXT NOT NULL, name_en TEXT NOT NULL, name_ru TEXT NOT NULL);
CREATE TABLE ref_currencies (code TEXT PRIMARY KEY, name TEXT NOT NULL, minor_unit TEXT NOT NULL, current INTEGER NOT NULL);
CREATE TABLE ref_offices (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, neighbour TEXT NOT NULL, latitude TEXT NOT NULL, longitude TEXT NOT NULL);
CREATE TABLE ref_codes (list TEXT NOT NULL, code TEXT NOT NULL, attribute TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (list, code, attribute));
