-- Same keys as the SQLite schema: the ledger keyed by (declaration_id, at, id), which serves
-- every read (by declaration, in order of time), and idempotency keys indexed only where
-- present, so an `assessed` row updates one index instead of three.
ALTER TABLE ledger DROP CONSTRAINT ledger_pkey;
ALTER TABLE ledger DROP CONSTRAINT ledger_idempotency_key_key;
DROP INDEX ledger_declaration;
ALTER TABLE ledger ADD PRIMARY KEY (declaration_id, at, id);
CREATE UNIQUE INDEX ledger_idempotency ON ledger (idempotency_key) WHERE idempotency_key IS NOT NULL;
