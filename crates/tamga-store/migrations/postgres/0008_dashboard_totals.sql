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

-- Inserts and deletes per statement, through transition tables: the writer inserts a
-- batch's declarations in one multi-row INSERT, which then costs one upsert per status
-- instead of one trigger call per row.
CREATE FUNCTION declarations_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO declaration_status_counts (status, n)
        SELECT status, COUNT(*) FROM inserted GROUP BY status
        ON CONFLICT (status) DO UPDATE SET n = declaration_status_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER declarations_count_insert AFTER INSERT ON declarations
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION declarations_count_inserted();

CREATE FUNCTION declarations_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE declaration_status_counts c SET n = c.n - d.n
        FROM (SELECT status, COUNT(*) AS n FROM deleted GROUP BY status) d
        WHERE c.status = d.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER declarations_count_delete AFTER DELETE ON declarations
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION declarations_count_deleted();

-- Updates per row, and only those that change the status (a column list and a WHEN
-- condition cannot go with transition tables; updates are one row per change anyway).
CREATE FUNCTION declarations_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE declaration_status_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT INTO declaration_status_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = declaration_status_counts.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER declarations_count_update AFTER UPDATE OF status ON declarations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION declarations_count_updated();
