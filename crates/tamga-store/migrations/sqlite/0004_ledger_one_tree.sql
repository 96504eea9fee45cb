-- The ledger as one B-tree. Every lodgement with taxes writes an `assessed` row; with a
-- rowid table, a TEXT primary key, a UNIQUE column and an index, that row cost four B-tree
-- inserts (and four dirty pages per commit). Rows are only ever read by declaration (in
-- order of time) or by idempotency key, so the table is clustered on
-- (declaration_id, at, id) and only rows that carry a key are indexed by it.
CREATE TABLE ledger_clustered (
    id              TEXT NOT NULL,
    declaration_id  TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    idempotency_key TEXT,
    reference       TEXT,
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (declaration_id, at, id)
) WITHOUT ROWID;
INSERT INTO ledger_clustered (id, declaration_id, kind, amount, currency, idempotency_key, reference, actor, at)
    SELECT id, declaration_id, kind, amount, currency, idempotency_key, reference, actor, at FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_clustered RENAME TO ledger;
CREATE UNIQUE INDEX ledger_idempotency ON ledger (idempotency_key) WHERE idempotency_key IS NOT NULL;
