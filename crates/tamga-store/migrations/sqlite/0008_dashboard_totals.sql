-- Running totals for the dashboard, so that a refresh reads a few rows instead of the
-- whole `declarations` and `ledger` tables.
--
-- Ledger sums per kind, decimal text. They are added up in Rust by the store's writer, in
-- the transaction of each ledger row (SQLite has no exact decimal type, so no trigger can
-- do it), and filled from the existing ledger when the store first opens.
CREATE TABLE ledger_totals (
    kind   TEXT PRIMARY KEY,
    amount TEXT NOT NULL
);

-- Declarations per status, kept by triggers: counts are integers, exact in SQL, and a
-- trigger sees every write, including the old status an update replaces.
CREATE TABLE declaration_status_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
);
INSERT INTO declaration_status_counts (status, n)
    SELECT status, COUNT(*) FROM declarations GROUP BY status;

CREATE TRIGGER declarations_count_insert AFTER INSERT ON declarations
BEGIN
    INSERT INTO declaration_status_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = declaration_status_counts.n + 1;
END;

CREATE TRIGGER declarations_count_update AFTER UPDATE OF status ON declarations
WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE declaration_status_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT INTO declaration_status_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = declaration_status_counts.n + 1;
END;

CREATE TRIGGER declarations_count_delete AFTER DELETE ON declarations
BEGIN
    UPDATE declaration_status_counts SET n = n - 1 WHERE status = OLD.status;
END;
