//! The payments ledger and the tariff/exchange-rate tables.
//!
//! Amounts are decimal text; the arithmetic is done in Rust with exact decimals, never in
//! SQL (SQLite has no decimal type and we do not let floats near money). For the same
//! reason the running totals per kind (`ledger_totals`, read by the dashboard) are kept by
//! the writer in Rust: each row built by [`LedgerEntry::insert`] carries its kind and
//! amount, and the writer adds them to the totals in the transaction that inserts it.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use tamga_types::{CurrencyCode, Decimal};

use crate::writer::{Change, Stmt};
use crate::{Db, Result, StoreError, on_pool};

/// A kind of ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// The taxes of the lodged version.
    Assessed,
    /// A change of the taxes by an amendment, a control or a granted claim (may be negative).
    Additional,
    Paid,
    /// Deferred under a bank guarantee.
    Guaranteed,
    Refunded,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 5] = [
        LedgerKind::Assessed,
        LedgerKind::Additional,
        LedgerKind::Paid,
        LedgerKind::Guaranteed,
        LedgerKind::Refunded,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Assessed => "assessed",
            LedgerKind::Additional => "additional",
            LedgerKind::Paid => "paid",
            LedgerKind::Guaranteed => "guaranteed",
            LedgerKind::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The sign an entry of this kind has on the balance: what is owed is positive.
    pub const fn sign(self) -> i8 {
        match self {
            LedgerKind::Assessed | LedgerKind::Additional | LedgerKind::Refunded => 1,
            LedgerKind::Paid | LedgerKind::Guaranteed => -1,
        }
    }
}

/// Kinds of ledger entry and the sign each has on the balance.
pub const KINDS: [(&str, i8); 5] = {
    let mut out = [("", 0i8); 5];
    let mut i = 0;
    while i < 5 {
        out[i] = (LedgerKind::ALL[i].as_str(), LedgerKind::ALL[i].sign());
        i += 1;
    }
    out
};

pub fn sign_of(kind: &str) -> Option<i8> {
    LedgerKind::parse(kind).map(LedgerKind::sign)
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
    /// The row's insert. It carries the row's kind and amount, which the writer adds to
    /// `ledger_totals` in the same transaction; a kind or amount that does not parse fails
    /// the change ([`StoreError::CorruptValue`]) instead of skewing the totals.
    pub fn insert(&self) -> Stmt {
        let delta = match (
            LedgerKind::parse(&self.kind),
            self.amount.parse::<Decimal>(),
        ) {
            (Some(kind), Ok(amount)) => TotalDelta::Add(kind, amount),
            (None, _) => TotalDelta::Unreadable {
                id: self.id.clone(),
                field: "kind",
                value: self.kind.clone(),
            },
            (_, Err(_)) => TotalDelta::Unreadable {
                id: self.id.clone(),
                field: "amount",
                value: self.amount.clone(),
            },
        };
        Stmt::new(format!(
            "INSERT INTO ledger ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .ledger_total(delta)
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

    /// The entry with its kind, amount, currency and time parsed; any that does not parse is
    /// [`StoreError::CorruptValue`] (an unreadable amount is never 0).
    pub fn parse(&self) -> Result<LedgerRecord> {
        let bad = |field, value: &str| StoreError::corrupt_value("ledger", &self.id, field, value);
        Ok(LedgerRecord {
            id: self.id.clone(),
            declaration_id: self.declaration_id.clone(),
            kind: LedgerKind::parse(&self.kind).ok_or_else(|| bad("kind", &self.kind))?,
            amount: self
                .amount
                .parse()
                .map_err(|_| bad("amount", &self.amount))?,
            currency: CurrencyCode::parse(&self.currency)
                .ok_or_else(|| bad("currency", &self.currency))?,
            idempotency_key: self.idempotency_key.clone(),
            reference: self.reference.clone(),
            actor: self.actor.clone(),
            at: self.at.parse().map_err(|_| bad("at", &self.at))?,
        })
    }
}

/// A ledger entry read once into its domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    pub id: String,
    pub declaration_id: String,
    pub kind: LedgerKind,
    /// As written: `additional` may be negative.
    pub amount: Decimal,
    pub currency: CurrencyCode,
    pub idempotency_key: Option<String>,
    pub reference: Option<String>,
    pub actor: String,
    pub at: jiff::Timestamp,
}

impl LedgerRecord {
    /// The amount with the sign its kind has on the balance.
    pub fn signed_amount(&self) -> Decimal {
        if self.kind.sign() > 0 {
            self.amount
        } else {
            -self.amount
        }
    }
}

impl TryFrom<LedgerEntry> for LedgerRecord {
    type Error = StoreError;
    fn try_from(e: LedgerEntry) -> Result<LedgerRecord> {
        e.parse()
    }
}

/// What a ledger insert adds to `ledger_totals`, decided when the statement is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TotalDelta {
    Add(LedgerKind, Decimal),
    /// The row's kind or amount does not parse: the writer refuses the change.
    Unreadable {
        id: String,
        field: &'static str,
        value: String,
    },
}

impl TotalDelta {
    pub(crate) fn refusal(&self) -> Option<StoreError> {
        match self {
            TotalDelta::Add(..) => None,
            TotalDelta::Unreadable { id, field, value } => {
                Some(StoreError::corrupt_value("ledger", id, field, value))
            }
        }
    }
}

/// The sums, per kind, of the deltas of `stmts`.
pub(crate) fn sum_deltas<'a>(
    stmts: impl Iterator<Item = &'a Stmt>,
) -> Result<BTreeMap<LedgerKind, Decimal>> {
    let mut sums: BTreeMap<LedgerKind, Decimal> = BTreeMap::new();
    for stmt in stmts {
        if let Some(TotalDelta::Add(kind, amount)) = &stmt.ledger_total {
            let sum = sums.entry(*kind).or_default();
            *sum = sum.checked_add(*amount).ok_or_else(|| {
                StoreError::Corrupt(format!("ledger total {} overflows", kind.as_str()))
            })?;
        }
    }
    Ok(sums)
}

/// The stored totals plus `sums`, as the rows to write back. A stored total that does not
/// parse, or a missing one, is corrupt: `ledger_totals` holds every kind from the start.
pub(crate) fn next_totals(
    stored: &[(String, String)],
    sums: &BTreeMap<LedgerKind, Decimal>,
) -> Result<Vec<(&'static str, String)>> {
    sums.iter()
        .map(|(kind, add)| {
            let (_, text) = stored
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .ok_or_else(|| {
                    StoreError::corrupt_value("ledger_totals", kind.as_str(), "kind", "missing")
                })?;
            let now: Decimal = text.parse().map_err(|_| {
                StoreError::corrupt_value("ledger_totals", kind.as_str(), "amount", text)
            })?;
            let next = now.checked_add(*add).ok_or_else(|| {
                StoreError::Corrupt(format!("ledger total {} overflows", kind.as_str()))
            })?;
            Ok((kind.as_str(), next.to_string()))
        })
        .collect()
}

/// Written per kind after a batch's ledger rows.
pub(crate) const TOTALS_UPSERT: &str = "INSERT INTO ledger_totals (kind, amount) VALUES ($1, $2) \
    ON CONFLICT (kind) DO UPDATE SET amount = excluded.amount";

/// The running totals per kind, from `ledger_totals`: what the whole ledger adds up to,
/// read in one small query whatever the ledger's size.
pub async fn totals(db: &Db) -> Result<BTreeMap<LedgerKind, Decimal>> {
    let rows: Vec<(String, String)> = on_pool!(db, p => sqlx::query_as("SELECT kind, amount FROM ledger_totals")
        .fetch_all(p)
        .await?);
    rows.iter()
        .map(|(kind, amount)| {
            let k = LedgerKind::parse(kind)
                .ok_or_else(|| StoreError::corrupt_value("ledger_totals", kind, "kind", kind))?;
            let a = amount
                .parse()
                .map_err(|_| StoreError::corrupt_value("ledger_totals", kind, "amount", amount))?;
            Ok((k, a))
        })
        .collect()
}

/// Fills `ledger_totals` from the ledger when it is empty (a database made before it
/// existed, or a new one), once, before the writer starts. The ledger is read whole this
/// one time; an unreadable row stops the store from opening rather than skew the totals.
pub(crate) async fn init_totals(db: &Db) -> Result<()> {
    macro_rules! fill {
        ($tx:expr) => {{
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_totals")
                .fetch_one(&mut *$tx)
                .await?;
            if n == 0 {
                let rows: Vec<(String, String, String)> =
                    sqlx::query_as("SELECT id, kind, amount FROM ledger")
                        .fetch_all(&mut *$tx)
                        .await?;
                let mut sums: BTreeMap<LedgerKind, Decimal> = LedgerKind::ALL
                    .iter()
                    .map(|k| (*k, Decimal::ZERO))
                    .collect();
                for (id, kind, amount) in &rows {
                    let k = LedgerKind::parse(kind)
                        .ok_or_else(|| StoreError::corrupt_value("ledger", id, "kind", kind))?;
                    let a: Decimal = amount
                        .parse()
                        .map_err(|_| StoreError::corrupt_value("ledger", id, "amount", amount))?;
                    let sum = sums.entry(k).or_default();
                    *sum = sum.checked_add(a).ok_or_else(|| {
                        StoreError::Corrupt(format!("ledger total {} overflows", k.as_str()))
                    })?;
                }
                for (k, sum) in sums {
                    sqlx::query(TOTALS_UPSERT)
                        .bind(k.as_str())
                        .bind(sum.to_string())
                        .execute(&mut *$tx)
                        .await?;
                }
            }
        }};
    }
    match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            fill!(tx);
            tx.commit().await?;
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query(crate::writer::POSTGRES_WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            fill!(tx);
            tx.commit().await?;
        }
    }
    Ok(())
}

pub async fn entries_for(db: &Db, declaration_id: &str) -> Result<Vec<LedgerEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM ledger WHERE declaration_id = $1 ORDER BY at, id");
    Ok(
        on_pool!(db, p => sqlx::query_as::<_, LedgerEntry>(sqlx::AssertSqlSafe(sql.as_str())).bind(declaration_id).fetch_all(p).await?),
    )
}

/// A declaration's entries, oldest first, parsed ([`LedgerEntry::parse`]).
pub async fn records_for(db: &Db, declaration_id: &str) -> Result<Vec<LedgerRecord>> {
    entries_for(db, declaration_id)
        .await?
        .iter()
        .map(LedgerEntry::parse)
        .collect()
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
    fn kinds_and_signs_are_those_the_balance_uses() {
        assert_eq!(
            KINDS,
            [
                ("assessed", 1),
                ("additional", 1),
                ("paid", -1),
                ("guaranteed", -1),
                ("refunded", 1)
            ]
        );
        for k in LedgerKind::ALL {
            assert_eq!(LedgerKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(LedgerKind::parse("stolen"), None);
    }

    #[test]
    fn a_missing_or_unreadable_running_total_is_corrupt_not_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let sums = BTreeMap::from([(LedgerKind::Paid, d("1.00"))]);
        let stored = |amount: &str| vec![("paid".to_owned(), amount.to_owned())];
        assert_eq!(
            next_totals(&stored("2.5"), &sums).unwrap(),
            vec![("paid", "3.50".to_owned())]
        );
        assert!(matches!(
            next_totals(&[], &sums),
            Err(StoreError::CorruptValue {
                table: "ledger_totals",
                ..
            })
        ));
        assert!(matches!(
            next_totals(&stored("abc"), &sums),
            Err(StoreError::CorruptValue {
                field: "amount",
                ..
            })
        ));
    }

    #[test]
    fn a_ledger_insert_carries_its_kind_and_amount_or_why_it_cannot() {
        let good = entry("paid", "40.00").insert();
        assert_eq!(
            good.ledger_total,
            Some(TotalDelta::Add(LedgerKind::Paid, "40.00".parse().unwrap()))
        );
        assert!(
            good.ledger_total
                .as_ref()
                .and_then(TotalDelta::refusal)
                .is_none()
        );
        let bad = entry("paid", "forty").insert();
        assert!(matches!(
            bad.ledger_total.as_ref().and_then(TotalDelta::refusal),
            Some(StoreError::CorruptValue {
                field: "amount",
                ..
            })
        ));
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
