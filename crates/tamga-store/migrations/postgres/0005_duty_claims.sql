-- Claims to lower the duties of a declaration. An amendment by the declarant that would
-- lower what is owed never writes to the ledger itself: it files a claim, and only an
-- officer of the declaration's office grants it (a negative `additional` ledger entry
-- written with the officer as actor) or refuses it. One pending claim per declaration.
CREATE TABLE duty_claims (
    id              TEXT PRIMARY KEY,
    declaration_id  TEXT NOT NULL,
    office          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    amount          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    note            TEXT
);
CREATE INDEX duty_claims_declaration ON duty_claims (declaration_id);
CREATE INDEX duty_claims_office_status ON duty_claims (office, status);
CREATE UNIQUE INDEX duty_claims_one_pending ON duty_claims (declaration_id) WHERE status = 'pending';
