-- Running totals for the dashboard, so that a refresh reads a few rows instead of the
-- whole `declarations` and `ledger` tables (same tables as the SQLite schema).
--
-- Ledger sums per kind, decimal text. They are added up in Rust by the store's writer, in
-- the transaction of each ledger row (one code path for both backends; SQLite has no exact
-- decimal type), and filled from the existing ledger when the store first opens.
CREATE TABLE ledger_totals (
    kind   TEXT PRIMARY KEY,
    amount TEXT NOT NULL
);

-- Declarations per status, kept by triggers: counts are integers, exact in SQL, and a
-- trigger sees every write, including the old status an update replaces.
CREATE TABLE declaration_status_counts (
    status TEXT PRIMARY KEY,
    n      BIGINT NOT NULL
);
INSERT INTO declaration_status_counts (status, n)
    SELECT status, COUNT(*) FROM declarations GROUP BY status;

CREATE FUNCTION declarations_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE declaration_status_counts SET n = n - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO declaration_status_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = declaration_status_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER declarations_count_insert_delete AFTER INSERT OR DELETE ON declarations
    FOR EACH ROW EXECUTE FUNCTION declarations_count_status();
CREATE TRIGGER declarations_count_update AFTER UPDATE OF status ON declarations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION declarations_count_status();
