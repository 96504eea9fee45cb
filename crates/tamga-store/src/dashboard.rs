//! The management dashboard's figures. The page is refreshed every 5 seconds, so no query
//! here reads a whole table: lodgements and releases are read through the
//! `declarations_lodged` index over the window the page shows, and the counts by status and
//! the ledger's sums are running totals (`declaration_status_counts`, kept by triggers, and
//! `ledger_totals`, kept by the writer; migration 0008).

use jiff::Timestamp;
use jiff::civil::Date;
use tamga_types::{Channel, Decimal, OfficeCode, Status};

use crate::ledger::LedgerKind;
use crate::{Db, Result, StoreError, on_pool};

/// Declarations lodged on one day (UTC) in one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LodgedOnDay {
    pub day: Date,
    pub channel: Channel,
    pub count: i64,
}

/// A day as the store's timestamps begin with it (`YYYY-MM-DD`).
fn day_text(day: Date) -> String {
    day.strftime("%Y-%m-%d").to_string()
}

const LODGED_PER_DAY: &str = "SELECT substr(lodged_at, 1, 10) AS day, channel, COUNT(*) AS n \
    FROM declarations WHERE lodged_at >= $1 GROUP BY substr(lodged_at, 1, 10), channel";

const RELEASES: &str = "SELECT id, channel, office, lodged_at, released_at FROM declarations \
    WHERE released_at IS NOT NULL AND lodged_at >= $1 ORDER BY lodged_at DESC LIMIT $2";

/// Declarations lodged from the start of `since` (UTC) on, per day and channel.
pub async fn lodged_per_day(db: &Db, since: Date) -> Result<Vec<LodgedOnDay>> {
    // Timestamps are fixed-width RFC 3339 UTC text: text order is time order and the first
    // ten characters are the day, on both backends.
    let rows: Vec<(String, String, i64)> = on_pool!(db, p => sqlx::query_as(LODGED_PER_DAY)
    .bind(day_text(since))
    .fetch_all(p)
    .await?);
    rows.into_iter()
        .map(|(day, channel, count)| {
            let bad = |field, value: &str| {
                StoreError::corrupt_value("declarations", format!("lodged on {day}"), field, value)
            };
            Ok(LodgedOnDay {
                day: day.parse().map_err(|_| bad("lodged_at", &day))?,
                channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
                count,
            })
        })
        .collect()
}

/// How many declarations are in each status (statuses with none are left out).
pub async fn status_counts(db: &Db) -> Result<Vec<(Status, i64)>> {
    let rows: Vec<(String, i64)> = on_pool!(db, p => sqlx::query_as(
        "SELECT status, n FROM declaration_status_counts WHERE n <> 0 ORDER BY status",
    )
    .fetch_all(p)
    .await?);
    rows.into_iter()
        .map(|(status, n)| {
            let bad = |field, value: &str| {
                StoreError::corrupt_value("declaration_status_counts", &status, field, value)
            };
            let s = Status::parse(&status).ok_or_else(|| bad("status", &status))?;
            if n < 0 {
                return Err(bad("n", &n.to_string()));
            }
            Ok((s, n))
        })
        .collect()
}

/// A released declaration: where and how fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub channel: Channel,
    pub office: OfficeCode,
    pub lodged_at: Timestamp,
    pub released_at: Timestamp,
}

/// Declarations lodged from the start of `since` on and released, newest lodgement first,
/// at most `limit`.
pub async fn releases_since(db: &Db, since: Date, limit: i64) -> Result<Vec<Release>> {
    let rows: Vec<(String, String, String, String, String)> = on_pool!(db, p => sqlx::query_as(RELEASES)
    .bind(day_text(since))
    .bind(limit)
    .fetch_all(p)
    .await?);
    rows.into_iter()
        .map(|(id, channel, office, lodged, released)| {
            let bad =
                |field, value: &str| StoreError::corrupt_value("declarations", &id, field, value);
            Ok(Release {
                channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
                office: OfficeCode::parse(&office).ok_or_else(|| bad("office", &office))?,
                lodged_at: lodged.parse().map_err(|_| bad("lodged_at", &lodged))?,
                released_at: released
                    .parse()
                    .map_err(|_| bad("released_at", &released))?,
            })
        })
        .collect()
}

/// The whole ledger's revenue, national currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revenue {
    /// Assessed plus additional (corrections, amendments, granted claims).
    pub assessed: Decimal,
    /// Paid.
    pub collected: Decimal,
}

/// The revenue from the ledger's running totals, exact.
pub async fn revenue(db: &Db) -> Result<Revenue> {
    let totals = crate::ledger::totals(db).await?;
    let of = |k: LedgerKind| totals.get(&k).copied().unwrap_or_default();
    Ok(Revenue {
        assessed: of(LedgerKind::Assessed)
            .checked_add(of(LedgerKind::Additional))
            .ok_or_else(|| StoreError::Corrupt("revenue assessed overflows".into()))?,
        collected: of(LedgerKind::Paid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On SQLite, the windowed queries search the `declarations_lodged` index instead of
    /// scanning the table: their cost follows the window, not the table.
    #[tokio::test]
    async fn the_windowed_queries_search_the_lodged_at_index_not_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("d.db").display());
        let store = crate::Store::open(&crate::DatabaseUrl::new(url))
            .await
            .unwrap();
        let crate::Db::Sqlite(pool) = store.db() else {
            unreachable!()
        };
        for sql in [LODGED_PER_DAY, RELEASES] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(explain.as_str())).bind("2026-03-01");
            if sql.contains("$2") {
                q = q.bind(10i64);
            }
            let plan: Vec<(i64, i64, i64, String)> = q.fetch_all(pool).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
            assert!(
                steps
                    .iter()
                    .any(|s| s.starts_with("SEARCH declarations USING INDEX declarations_lodged")),
                "{sql}: {steps:?}"
            );
            assert!(
                !steps.iter().any(|s| s.starts_with("SCAN declarations")),
                "{sql}: {steps:?}"
            );
        }
    }
}
