//! The payments ledger and the tariff/exchange-rate tables.
//!
//! Amounts are decimal text; the arithmetic is done in Rust with exact decimals, never in
//! SQL (SQLite has no decimal type and we do not let floats near money).

use std::collections::HashMap;

use sqlx::FromRow;
use tamga_types::Decimal;

use crate::writer::{Change, Stmt};
use crate::{Db, Result, on_pool};

/// Kinds of ledger entry and the sign each has on the balance.
pub const KINDS: [(&str, i8); 5] = [
    ("assessed", 1),
    ("additional", 1),
    ("paid", -1),
    ("guaranteed", -1),
    ("refunded", 1),
];

pub fn sign_of(kind: &str) -> Option<i8> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct LedgerEntry {
    pub id: String,
    pub declaration_id: String,
    pub kind: String,
    pub amount: String,
    pub currency: String,
    pub idempotency_key: Option<String>,
    pub reference: Option<String>,
    pub actor: String,
    pub at: String,
}

const COLUMNS: &str =
    "id, declaration_id, kind, amount, currency, idempotency_key, reference, actor, at";

impl LedgerEntry {
    pub fn insert(&self) -> Stmt {
        Stmt::new(format!(
            "INSERT INTO ledger ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .text(&self.id)
        .text(&self.declaration_id)
        .text(&self.kind)
        .text(&self.amount)
        .text(&self.currency)
        .opt_text(self.idempotency_key.clone())
        .opt_text(self.reference.clone())
        .text(&self.actor)
        .text(&self.at)
    }
}

pub async fn entries_for(db: &Db, declaration_id: &str) -> Result<Vec<LedgerEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM ledger WHERE declaration_id = $1 ORDER BY at, id");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, LedgerEntry>(sqlx::AssertSqlSafe(sql.as_str())).bind(declaration_id).fetch_all(p).await?),
    )
}

pub async fn by_key(db: &Db, key: &str) -> Result<Option<LedgerEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM ledger WHERE idempotency_key = $1");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, LedgerEntry>(sqlx::AssertSqlSafe(sql.as_str())).bind(key).fetch_optional(p).await?),
    )
}

/// The balance the entries add up to.
pub fn balance_of(entries: &[LedgerEntry]) -> Result<Decimal> {
    let mut total = Decimal::ZERO;
    for e in entries {
        let amount: Decimal = e.amount.parse().map_err(|_| {
            crate::StoreError::Corrupt(format!("ledger entry {} amount `{}`", e.id, e.amount))
        })?;
        let sign = sign_of(&e.kind)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("ledger kind {}", e.kind)))?;
        total += if sign > 0 { amount } else { -amount };
    }
    Ok(total)
}

/// The sum of the entries of `kinds` (unsigned), or `Corrupt` when an amount does not parse
/// or the sum overflows: a ledger that cannot be read stops the use case, it is never 0.
pub fn sum_of(entries: &[LedgerEntry], kinds: &[&str]) -> Result<Decimal> {
    let mut total = Decimal::ZERO;
    for e in entries.iter().filter(|e| kinds.contains(&e.kind.as_str())) {
        let amount: Decimal = e.amount.parse().map_err(|_| {
            crate::StoreError::Corrupt(format!("ledger entry {} amount `{}`", e.id, e.amount))
        })?;
        total = total.checked_add(amount).ok_or_else(|| {
            crate::StoreError::Corrupt(format!("ledger of {} overflows", e.declaration_id))
        })?;
    }
    Ok(total)
}

/// A declaration whose stored balance disagrees with its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub declaration_id: String,
    pub stored: String,
    pub ledger: Decimal,
}

/// Checks every declaration's balance against its ledger entries. Both are read in one
/// snapshot (a read transaction; REPEATABLE READ on PostgreSQL), so a payment committing
/// meanwhile cannot show up as a mismatch.
pub async fn reconcile(db: &Db) -> Result<(u64, Vec<Mismatch>)> {
    let sql = format!("SELECT {COLUMNS} FROM ledger ORDER BY declaration_id");
    let balances_sql = "SELECT id, balance FROM declarations WHERE balance IS NOT NULL";
    let (entries, balances): (Vec<LedgerEntry>, Vec<(String, Option<String>)>) = match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin().await?;
            let e = sqlx::query_as::<_, LedgerEntry>(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(&mut *tx)
                .await?;
            let b = sqlx::query_as(balances_sql).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            (e, b)
        }
        Db::Postgres(p) => {
            let mut tx = p
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
            let e = sqlx::query_as::<_, LedgerEntry>(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(&mut *tx)
                .await?;
            let b = sqlx::query_as(balances_sql).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            (e, b)
        }
    };
    let mut by_decl: HashMap<String, Vec<LedgerEntry>> = HashMap::new();
    for e in entries {
        by_decl.entry(e.declaration_id.clone()).or_default().push(e);
    }
    let mut mismatches = Vec::new();
    let mut checked = 0u64;
    for (id, stored) in balances {
        checked += 1;
        let ledger = balance_of(by_decl.get(&id).map(Vec::as_slice).unwrap_or(&[]))?;
        let stored = stored.unwrap_or_default();
        if stored.parse::<Decimal>().ok() != Some(ledger) {
            mismatches.push(Mismatch {
                declaration_id: id,
                stored,
                ledger,
            });
        }
    }
    Ok((checked, mismatches))
}

/// Tariff rows as stored (the columns of a tariff file, all text).
pub type TariffRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

pub async fn tariff_rows(db: &Db) -> Result<Vec<TariffRow>> {
    Ok(on_pool!(db, p => sqlx::query_as::<_, TariffRow>(
        "SELECT code, description, duty_rate, duty_specific, duty_unit, duty_mode, vat_rate, excise_rate, \
         excise_specific, excise_unit, valid_from, valid_to FROM tariff_lines ORDER BY code, valid_from",
    )
    .fetch_all(p)
    .await?))
}

/// The change that replaces the whole tariff with `rows`.
pub fn replace_tariff(rows: &[TariffRow]) -> Change {
    let mut change = Change::new().stmt(Stmt::new("DELETE FROM tariff_lines"));
    for r in rows {
        change = change.stmt(
            Stmt::new(
                "INSERT INTO tariff_lines (code, description, duty_rate, duty_specific, duty_unit, duty_mode, \
                 vat_rate, excise_rate, excise_specific, excise_unit, valid_from, valid_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .text(&r.0)
            .text(&r.1)
            .text(&r.2)
            .text(&r.3)
            .text(&r.4)
            .text(&r.5)
            .text(&r.6)
            .text(&r.7)
            .text(&r.8)
            .text(&r.9)
            .text(&r.10)
            .text(&r.11),
        );
    }
    change
}

pub async fn rate_rows(db: &Db) -> Result<Vec<(String, String, String)>> {
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, (String, String, String)>(
        "SELECT date, currency, rate FROM exchange_rates ORDER BY currency, date",
    )
    .fetch_all(p)
    .await?),
    )
}

/// The change that adds (or replaces) exchange rates, given as (date, currency, rate).
pub fn upsert_rates(rows: &[(String, String, String)]) -> Change {
    let mut change = Change::new();
    for (date, currency, rate) in rows {
        change = change
            .stmt(
                Stmt::new("DELETE FROM exchange_rates WHERE currency = $1 AND date = $2")
                    .text(currency)
                    .text(date),
            )
            .stmt(
                Stmt::new("INSERT INTO exchange_rates (currency, date, rate) VALUES ($1, $2, $3)")
                    .text(currency)
                    .text(date)
                    .text(rate),
            );
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, amount: &str) -> LedgerEntry {
        LedgerEntry {
            id: format!("{kind}-{amount}"),
            declaration_id: "d1".into(),
            kind: kind.into(),
            amount: amount.into(),
            currency: "KGS".into(),
            idempotency_key: None,
            reference: None,
            actor: "u1".into(),
            at: "2026-12-02T00:00:00.000000Z".into(),
        }
    }

    #[test]
    fn a_sum_adds_only_the_kinds_asked_for_with_their_signs_as_written() {
        let entries = [
            entry("assessed", "100.00"),
            entry("additional", "-30.50"),
            entry("paid", "40.00"),
        ];
        let accepted = sum_of(&entries, &["assessed", "additional"]).unwrap();
        assert_eq!(accepted, "69.50".parse::<Decimal>().unwrap());
        assert_eq!(sum_of(&entries, &["refunded"]).unwrap(), Decimal::ZERO);
    }

    #[test]
    fn an_unreadable_amount_is_corrupt_not_zero() {
        let entries = [entry("assessed", "100.00"), entry("additional", "lots")];
        assert!(matches!(
            sum_of(&entries, &["assessed", "additional"]),
            Err(crate::StoreError::Corrupt(_))
        ));
    }
}
