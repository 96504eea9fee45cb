//! Rows are parsed once into domain types; a stored value that does not parse is
//! `CorruptValue` naming table, row and field — never a default (a balance read as 0 would
//! let a release through).

mod common;

use common::{Backend, TestStore, declaration};
use tamga_store::ledger::{LedgerEntry, LedgerKind};
use tamga_store::risk::{ControlOutcome, ControlRow, ControlStatus};
use tamga_store::{Change, StoreError, declarations, ledger, risk};
use tamga_types::{Channel, Decimal, Status};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// (table, id, field, value) of a `CorruptValue`, or a panic naming what came instead.
fn corrupt_field<T: std::fmt::Debug>(
    r: tamga_store::Result<T>,
) -> (&'static str, String, &'static str, String) {
    match r {
        Err(StoreError::CorruptValue {
            table,
            id,
            field,
            value,
        }) => (table, id, field, value),
        other => panic!("expected CorruptValue, got {other:?}"),
    }
}

async fn lodged(backend: Backend) -> TestStore {
    let t = TestStore::new(backend).await;
    let row = declaration(
        "D1",
        "awaiting_payment",
        "yellow",
        "2026-03-02T10:00:00.000000Z",
    );
    t.store.apply(row.insert("u1")).await.unwrap();
    t
}

async fn a_declaration_reads_into_its_domain_types_and_back(backend: Backend) {
    let t = lodged(backend).await;
    let record = declarations::get_record(t.store.db(), "D1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, Status::AwaitingPayment);
    assert_eq!(record.channel, Channel::Yellow);
    assert_eq!(record.balance, Some(d("157410.00")));
    let taxes = record.taxes.as_ref().unwrap();
    assert_eq!(
        (taxes.total, taxes.currency.as_str()),
        (d("157410.00"), "KGS")
    );
    assert_eq!(record.lodged_at, "2026-03-02T10:00:00Z".parse().unwrap());
    // Written back, the row is the row that was read.
    let row = declarations::get(t.store.db(), "D1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tamga_store::DeclarationRow::from(&record), row);
    assert_eq!(
        declarations::get_record(t.store.db(), "D2").await.unwrap(),
        None
    );
}

async fn a_corrupt_declaration_field_is_corrupt_naming_table_and_field(backend: Backend) {
    let t = lodged(backend).await;
    let cases = [
        ("balance = 'abc'", "balance", "abc"),
        ("status = 'flying'", "status", "flying"),
        ("channel = 'purple'", "channel", "purple"),
        ("type = 'XX'", "type", "XX"),
        ("lodged_at = 'yesterday'", "lodged_at", "yesterday"),
        ("importer = 'someone'", "importer", "someone"),
        (
            "taxes = '{\"total\":\"a lot\",\"currency\":\"KGS\"}'",
            "taxes",
            "{\"total\":\"a lot\",\"currency\":\"KGS\"}",
        ),
    ];
    // One declaration per case, each corrupt in one field only.
    for (n, (set, field, value)) in cases.iter().enumerate() {
        let id = format!("C{n}");
        let row = declaration(
            &id,
            "awaiting_payment",
            "yellow",
            "2026-03-02T10:00:00.000000Z",
        );
        t.store.apply(row.insert("u1")).await.unwrap();
        assert_eq!(
            t.execute(&format!("UPDATE declarations SET {set} WHERE id = '{id}'"))
                .await,
            1
        );
        assert_eq!(
            corrupt_field(declarations::get_record(t.store.db(), &id).await),
            ("declarations", id, *field, (*value).to_owned()),
            "{set}"
        );
    }
    // A page with one corrupt row fails whole.
    let filter = tamga_store::DeclarationFilter {
        visibility: declarations::Visibility::All,
        status: None,
        channel: None,
        limit: 10,
        offset: 0,
    };
    assert!(matches!(
        declarations::list_records(t.store.db(), &filter).await,
        Err(StoreError::CorruptValue {
            table: "declarations",
            ..
        })
    ));
}

fn entry(id: &str, kind: &str, amount: &str) -> LedgerEntry {
    LedgerEntry {
        id: id.into(),
        declaration_id: "D1".into(),
        kind: kind.into(),
        amount: amount.into(),
        currency: "KGS".into(),
        idempotency_key: None,
        reference: None,
        actor: "u1".into(),
        at: format!("2026-03-02T10:00:0{}.000000Z", id.len()),
    }
}

async fn a_ledger_entry_reads_with_its_kind_and_amount_or_is_corrupt(backend: Backend) {
    let t = lodged(backend).await;
    t.store
        .apply(
            Change::new()
                .stmt(entry("e1", "assessed", "157410.00").insert())
                .stmt(entry("e22", "additional", "-10.50").insert()),
        )
        .await
        .unwrap();
    let records = ledger::records_for(t.store.db(), "D1").await.unwrap();
    let read: Vec<(LedgerKind, Decimal)> = records.iter().map(|r| (r.kind, r.amount)).collect();
    assert_eq!(
        read,
        vec![
            (LedgerKind::Assessed, d("157410.00")),
            (LedgerKind::Additional, d("-10.50"))
        ]
    );
    assert_eq!(records[1].signed_amount(), d("-10.50"));
    t.execute("UPDATE ledger SET amount = 'abc' WHERE id = 'e22'")
        .await;
    assert_eq!(
        corrupt_field(ledger::records_for(t.store.db(), "D1").await),
        ("ledger", "e22".into(), "amount", "abc".into())
    );
    t.execute("UPDATE ledger SET amount = '1', kind = 'stolen' WHERE id = 'e22'")
        .await;
    assert_eq!(
        corrupt_field(ledger::records_for(t.store.db(), "D1").await),
        ("ledger", "e22".into(), "kind", "stolen".into())
    );
}

async fn a_ledger_row_that_does_not_parse_is_refused_by_the_writer(backend: Backend) {
    let t = lodged(backend).await;
    let refused = t
        .store
        .apply(Change::new().stmt(entry("e1", "paid", "lots").insert()))
        .await;
    assert_eq!(
        corrupt_field(refused),
        ("ledger", "e1".into(), "amount", "lots".into())
    );
    // In the same batch as a good change: the good one still commits, the totals count it.
    let (bad, good) = tokio::join!(
        t.store
            .apply(Change::new().stmt(entry("e2", "bribe", "5").insert())),
        t.store
            .apply(Change::new().stmt(entry("e333", "paid", "7.25").insert())),
    );
    assert!(matches!(
        bad,
        Err(StoreError::CorruptValue { field: "kind", .. })
    ));
    good.unwrap();
    assert_eq!(t.count("SELECT COUNT(*) FROM ledger").await, 1);
    let totals = ledger::totals(t.store.db()).await.unwrap();
    assert_eq!(totals[&LedgerKind::Paid], d("7.25"));
}

fn control(id: &str) -> ControlRow {
    ControlRow {
        id: id.into(),
        declaration_id: "D1".into(),
        office: "41701".into(),
        channel: "red".into(),
        inspection: Some("full".into()),
        status: "open".into(),
        assigned_to: Some("u-officer".into()),
        assignment: r#"{"candidates":["u-officer"],"index":0,"rule":"r","seed":"00ff"}"#.into(),
        opened_at: "2026-03-02T10:00:00.000000Z".into(),
        closed_at: None,
        outcome: None,
        findings: None,
        note: None,
        revenue_recovered: None,
    }
}

async fn a_control_task_reads_into_its_domain_types_or_is_corrupt(backend: Backend) {
    let t = lodged(backend).await;
    t.store
        .apply(Change::new().stmt(control("c1").insert()))
        .await
        .unwrap();
    let mut closed = control("c1");
    closed.closed_at = Some("2026-03-02T11:00:00.000000Z".into());
    closed.outcome = Some("discrepancy".into());
    closed.findings =
        Some(r#"[{"kind":"origin","item":0,"corrected":{"origin":"CN"},"detail":null}]"#.into());
    closed.revenue_recovered = Some("20.00".into());
    t.store
        .apply(Change::new().stmt(closed.close()))
        .await
        .unwrap();
    let record = risk::control_record(t.store.db(), "c1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, ControlStatus::Done);
    assert_eq!(record.outcome, Some(ControlOutcome::Discrepancy));
    assert_eq!(record.channel, Channel::Red);
    assert_eq!(record.revenue_recovered, Some(d("20.00")));
    assert_eq!(record.findings.as_ref().map(Vec::len), Some(1));
    assert_eq!(record.assignment.candidates, vec!["u-officer".to_owned()]);
    assert_eq!(
        risk::control_records_of_declaration(t.store.db(), "D1")
            .await
            .unwrap(),
        vec![record]
    );
    for (n, (set, field, value)) in [
        ("status = 'flying'", "status", "flying"),
        ("revenue_recovered = 'abc'", "revenue_recovered", "abc"),
        ("outcome = 'maybe'", "outcome", "maybe"),
        ("findings = 'lots'", "findings", "lots"),
        ("assignment = '{}'", "assignment", "{}"),
        ("opened_at = 'noon'", "opened_at", "noon"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("k{n}");
        let mut row = closed.clone();
        row.id = id.clone();
        t.store
            .apply(Change::new().stmt(row.insert()))
            .await
            .unwrap();
        t.execute(&format!("UPDATE control_tasks SET {set} WHERE id = '{id}'"))
            .await;
        assert_eq!(
            corrupt_field(risk::control_record(t.store.db(), &id).await),
            ("control_tasks", id, field, value.to_owned()),
            "{set}"
        );
    }
}

on_both_backends!(
    a_declaration_reads_into_its_domain_types_and_back,
    a_corrupt_declaration_field_is_corrupt_naming_table_and_field,
    a_ledger_entry_reads_with_its_kind_and_amount_or_is_corrupt,
    a_ledger_row_that_does_not_parse_is_refused_by_the_writer,
    a_control_task_reads_into_its_domain_types_or_is_corrupt,
);
