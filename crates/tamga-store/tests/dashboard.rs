//! The dashboard's figures from the store: the same numbers as the whole-table queries they
//! replace, from the window the page shows and from running totals.

mod common;

use common::{Backend, TestStore, declaration};
use tamga_store::dashboard::{self, LodgedOnDay};
use tamga_store::ledger::{self, LedgerEntry, LedgerKind};
use tamga_store::{Change, StoreError};
use tamga_types::{Channel, Decimal, Status};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

/// Lodged over three days: two green and a red on the 2nd (one green released), a yellow
/// on the 3rd, a blue on the 1st (released).
async fn lodgements(backend: Backend) -> TestStore {
    let t = TestStore::new(backend).await;
    for (id, status, channel, at) in [
        ("A", "released", "blue", "2026-03-01T23:59:59.000000Z"),
        ("B", "released", "green", "2026-03-02T08:00:00.000000Z"),
        (
            "C",
            "awaiting_payment",
            "green",
            "2026-03-02T09:00:00.000000Z",
        ),
        ("D", "under_control", "red", "2026-03-02T10:00:00.000000Z"),
        (
            "E",
            "under_control",
            "yellow",
            "2026-03-03T00:00:00.000000Z",
        ),
    ] {
        let mut row = declaration(id, status, channel, at);
        row.released_at = (status == "released").then(|| {
            let lodged: jiff::Timestamp = at.parse().unwrap();
            tamga_store::time_text(lodged + jiff::SignedDuration::from_secs(90))
        });
        t.store.apply(row.insert("u1")).await.unwrap();
    }
    t
}

async fn lodgements_per_day_count_only_the_days_asked_for(backend: Backend) {
    let t = lodgements(backend).await;
    let mut got = dashboard::lodged_per_day(t.store.db(), day("2026-03-02"))
        .await
        .unwrap();
    got.sort_by_key(|l| (l.day, l.channel));
    let at = |d: &str, channel, count| LodgedOnDay {
        day: day(d),
        channel,
        count,
    };
    assert_eq!(
        got,
        vec![
            at("2026-03-02", Channel::Green, 2),
            at("2026-03-02", Channel::Red, 1),
            at("2026-03-03", Channel::Yellow, 1),
        ]
    );
}

async fn status_counts_follow_every_insert_update_and_delete(backend: Backend) {
    let t = lodgements(backend).await;
    let whole_table = |t: &TestStore| {
        let db = t.store.db().clone();
        async move {
            let rows: Vec<(String, i64)> = tamga_store::on_pool!(&db, p => sqlx::query_as(
                "SELECT status, COUNT(*) FROM declarations GROUP BY status ORDER BY status",
            )
            .fetch_all(p)
            .await
            .unwrap());
            rows.into_iter()
                .map(|(s, n)| (Status::parse(&s).unwrap(), n))
                .collect::<Vec<_>>()
        }
    };
    let counts = dashboard::status_counts(t.store.db()).await.unwrap();
    assert_eq!(
        counts,
        vec![
            (Status::AwaitingPayment, 1),
            (Status::Released, 2),
            (Status::UnderControl, 2)
        ]
    );
    assert_eq!(counts, whole_table(&t).await);
    // Many at once, so that the writer merges them into multi-row INSERTs.
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let status = ["lodged", "released", "under_control"][n % 3];
            let row = declaration(
                &format!("M{n:02}"),
                status,
                "green",
                "2026-03-04T00:00:00.000000Z",
            );
            let store = t.store.clone();
            tokio::spawn(async move { store.apply(row.insert("u1")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let counts = dashboard::status_counts(t.store.db()).await.unwrap();
    assert_eq!(counts[0], (Status::AwaitingPayment, 1));
    assert_eq!(counts[1], (Status::Lodged, 14));
    assert_eq!(counts, whole_table(&t).await);
    t.execute("DELETE FROM declarations WHERE id LIKE 'M%'")
        .await;
    // Through the store (C paid and released), then by hand: an update that keeps the
    // status, one that changes it, a delete.
    let c = tamga_store::declarations::get(t.store.db(), "C")
        .await
        .unwrap()
        .unwrap();
    let mut next = c.clone();
    next.revision += 1;
    next.status = "released".into();
    t.store.apply(next.update(c.revision)).await.unwrap();
    t.execute("UPDATE declarations SET status = 'under_control' WHERE id = 'D'")
        .await;
    t.execute("UPDATE declarations SET status = 'refused' WHERE id = 'E'")
        .await;
    t.execute("DELETE FROM declarations WHERE id = 'A'").await;
    let counts = dashboard::status_counts(t.store.db()).await.unwrap();
    assert_eq!(
        counts,
        vec![
            (Status::Refused, 1),
            (Status::Released, 2),
            (Status::UnderControl, 1)
        ]
    );
    assert_eq!(counts, whole_table(&t).await);
    t.execute("UPDATE declaration_status_counts SET status = 'flying' WHERE status = 'refused'")
        .await;
    assert!(matches!(
        dashboard::status_counts(t.store.db()).await,
        Err(StoreError::CorruptValue {
            table: "declaration_status_counts",
            field: "status",
            ..
        })
    ));
}

async fn releases_are_those_lodged_in_the_window_newest_first(backend: Backend) {
    let t = lodgements(backend).await;
    let all = dashboard::releases_since(t.store.db(), day("2026-03-01"), 10)
        .await
        .unwrap();
    let channels: Vec<Channel> = all.iter().map(|r| r.channel).collect();
    assert_eq!(channels, vec![Channel::Green, Channel::Blue]);
    assert_eq!(
        all[0].released_at.duration_since(all[0].lodged_at),
        jiff::SignedDuration::from_secs(90)
    );
    assert_eq!(all[0].office.as_str(), "41701");
    let window = dashboard::releases_since(t.store.db(), day("2026-03-02"), 10)
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    let newest = dashboard::releases_since(t.store.db(), day("2026-03-01"), 1)
        .await
        .unwrap();
    assert_eq!(newest, all[..1]);
    t.execute("UPDATE declarations SET released_at = 'soon' WHERE id = 'B'")
        .await;
    assert!(matches!(
        dashboard::releases_since(t.store.db(), day("2026-03-01"), 10).await,
        Err(StoreError::CorruptValue {
            field: "released_at",
            ..
        })
    ));
}

fn entry(n: usize, kind: &str, amount: &str) -> LedgerEntry {
    LedgerEntry {
        id: format!("e{n}"),
        declaration_id: "B".into(),
        kind: kind.into(),
        amount: amount.into(),
        currency: "KGS".into(),
        idempotency_key: None,
        reference: None,
        actor: "u1".into(),
        at: format!("2026-03-02T08:00:{n:02}.000000Z"),
    }
}

async fn revenue_is_the_exact_sum_of_the_ledger_kept_as_running_totals(backend: Backend) {
    let t = lodgements(backend).await;
    assert_eq!(
        dashboard::revenue(t.store.db()).await.unwrap(),
        dashboard::Revenue::default()
    );
    let rows = [
        ("assessed", "0.10"),
        ("assessed", "0.20"),
        ("additional", "-0.05"),
        ("additional", "1000000000000.01"),
        ("paid", "0.1"),
        ("paid", "0.2"),
        ("guaranteed", "3"),
        ("refunded", "0.01"),
    ];
    // One change with two rows, the others concurrently (so that some share a batch).
    t.store
        .apply(
            Change::new()
                .stmt(entry(0, rows[0].0, rows[0].1).insert())
                .stmt(entry(1, rows[1].0, rows[1].1).insert()),
        )
        .await
        .unwrap();
    let tasks: Vec<_> = rows[2..]
        .iter()
        .enumerate()
        .map(|(i, (k, a))| {
            let store = t.store.clone();
            let change = Change::new().stmt(entry(i + 2, k, a).insert());
            tokio::spawn(async move { store.apply(change).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let revenue = dashboard::revenue(t.store.db()).await.unwrap();
    assert_eq!(revenue.assessed, d("1000000000000.26"));
    assert_eq!(revenue.collected, d("0.3"));
    assert_eq!(revenue.collected.to_string(), "0.3");
    let totals = ledger::totals(t.store.db()).await.unwrap();
    assert_eq!(totals[&LedgerKind::Guaranteed], d("3"));
    assert_eq!(totals[&LedgerKind::Refunded], d("0.01"));
    // The totals are what the whole ledger adds up to, also after a restart that fills
    // them again from the ledger.
    t.execute("DELETE FROM ledger_totals").await;
    let reopened = t.reopen().await;
    assert_eq!(dashboard::revenue(reopened.db()).await.unwrap(), revenue);
    assert_eq!(ledger::totals(reopened.db()).await.unwrap(), totals);
    // A total that does not parse stops the dashboard and the next ledger write.
    t.execute("UPDATE ledger_totals SET amount = 'abc' WHERE kind = 'paid'")
        .await;
    assert!(matches!(
        dashboard::revenue(t.store.db()).await,
        Err(StoreError::CorruptValue {
            table: "ledger_totals",
            field: "amount",
            ..
        })
    ));
    assert!(
        t.store
            .apply(Change::new().stmt(entry(20, "paid", "1").insert()))
            .await
            .is_err()
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM ledger WHERE id = 'e20'")
            .await,
        0
    );
}

async fn totals_are_filled_from_an_existing_ledger_when_the_store_opens(backend: Backend) {
    let t = lodgements(backend).await;
    // Rows written before `ledger_totals` existed (by hand here), and the table empty.
    t.execute("DELETE FROM ledger_totals").await;
    for (n, kind, amount) in [
        (1, "assessed", "100.00"),
        (2, "additional", "-0.5"),
        (3, "paid", "40"),
    ] {
        t.execute(&format!(
            "INSERT INTO ledger (id, declaration_id, kind, amount, currency, idempotency_key, \
             reference, actor, at) VALUES ('h{n}', 'B', '{kind}', '{amount}', 'KGS', NULL, NULL, \
             'u1', '2026-03-02T08:00:0{n}.000000Z')"
        ))
        .await;
    }
    let reopened = t.reopen().await;
    let revenue = dashboard::revenue(reopened.db()).await.unwrap();
    assert_eq!((revenue.assessed, revenue.collected), (d("99.50"), d("40")));
    // Every kind has its row, so the writer can add to it.
    assert_eq!(t.count("SELECT COUNT(*) FROM ledger_totals").await, 5);
    // An unreadable row keeps the store from opening rather than skew the totals.
    t.execute("DELETE FROM ledger_totals").await;
    t.execute("UPDATE ledger SET amount = 'lots' WHERE id = 'h3'")
        .await;
    assert!(matches!(
        tamga_store::Store::open(&t.url).await,
        Err(StoreError::CorruptValue {
            table: "ledger",
            field: "amount",
            ..
        })
    ));
}

on_both_backends!(
    lodgements_per_day_count_only_the_days_asked_for,
    status_counts_follow_every_insert_update_and_delete,
    releases_are_those_lodged_in_the_window_newest_first,
    revenue_is_the_exact_sum_of_the_ledger_kept_as_running_totals,
    totals_are_filled_from_an_existing_ledger_when_the_store_opens,
);
