-- Risk management: analysts' profiles (every version kept), the profile sets assessments
-- ran on, which profiles fired for which declaration, control tasks, trader registry status.
CREATE TABLE risk_profiles (
    id         TEXT NOT NULL,
    version    BIGINT NOT NULL,
    active     BIGINT NOT NULL,
    body       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- The exact profile versions and settings behind a `profiles_digest`: enough to re-run any
-- stored assessment.
CREATE TABLE risk_snapshots (
    digest     TEXT PRIMARY KEY,
    profiles   TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE risk_hits (
    declaration_id TEXT NOT NULL,
    profile_id     TEXT NOT NULL,
    version        BIGINT NOT NULL,
    score          BIGINT NOT NULL,
    measure        TEXT NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (declaration_id, profile_id, version)
);
CREATE INDEX risk_hits_profile ON risk_hits (profile_id, version);

CREATE TABLE control_tasks (
    id              TEXT PRIMARY KEY,
    declaration_id  TEXT NOT NULL,
    office          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    inspection      TEXT,
    status          TEXT NOT NULL,
    assigned_to     TEXT,
    assignment      TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    closed_at       TEXT,
    outcome         TEXT,
    findings        TEXT,
    note            TEXT,
    revenue_recovered TEXT
);
CREATE INDEX control_tasks_office ON control_tasks (office, status);
CREATE INDEX control_tasks_declaration ON control_tasks (declaration_id);

CREATE TABLE trader_status (
    party      TEXT PRIMARY KEY,
    aeo        BIGINT NOT NULL,
    suspended  BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
