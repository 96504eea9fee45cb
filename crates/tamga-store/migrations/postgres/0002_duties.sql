-- Duties and taxes: the tariff and exchange rates as data, and the payments ledger.
CREATE TABLE tariff_lines (
    code            TEXT NOT NULL,
    description     TEXT NOT NULL,
    duty_rate       TEXT NOT NULL,
    duty_specific   TEXT NOT NULL,
    duty_unit       TEXT NOT NULL,
    duty_mode       TEXT NOT NULL,
    vat_rate        TEXT NOT NULL,
    excise_rate     TEXT NOT NULL,
    excise_specific TEXT NOT NULL,
    excise_unit     TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_to        TEXT NOT NULL,
    PRIMARY KEY (code, valid_from)
);

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    date     TEXT NOT NULL,
    rate     TEXT NOT NULL,
    PRIMARY KEY (currency, date)
);

-- One row per movement of money owed on a declaration. The balance stored on the
-- declaration always equals assessed + additional − paid − guaranteed + refunded here.
CREATE TABLE ledger (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    amount         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    reference      TEXT,
    actor          TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX ledger_declaration ON ledger (declaration_id, at);
