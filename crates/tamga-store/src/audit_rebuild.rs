//! Rebuilds each declaration's state from the event log and compares it with the tables.
//!
//! The chain and its signed checkpoints prove the events were not rewritten; this proves the
//! state tables say what the events say, so a hand edit of `declarations` (a red channel
//! turned green, a status turned `released`) or a forged `ledger` row is found too.
//!
//! The fold ([`Rebuild::apply`]) is pure and generic on payload keys, not on a list of event
//! kinds, so new kinds that follow the convention need no change here. **The convention**
//! (for every event about a declaration, i.e. whose subject has a `declaration.lodged`):
//! - `"status"`: the declaration's status after the event, on every event that changes it;
//! - `"channel"`: its channel after the event (except `declaration.assessed`, whose channel
//!   is the engine's proposal, which an amendment may not lower);
//! - `"body_hash"` (BLAKE3 hex of the stored body): the event accepts a new version of the
//!   declared data, numbered `"version"`, whose taxes are `"taxes": {"total": …}` (absent or
//!   null: no taxes);
//! - `"ledger": {"kind": K, "amount": "<decimal string>"}` on every event that writes a
//!   ledger row, K one of [`crate::ledger::KINDS`] (`additional` may be negative).
//!
//! Events written before the convention carry less; [`legacy`] derives the same from their
//! older keys (`amount`, `revenue_recovered`, the taxes total), so older logs still verify.
//! Where nothing can be derived (a version without a body hash), that field is not compared.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sqlx::FromRow;
use tamga_types::Decimal;

use crate::event_log::Event;
use crate::ledger::sign_of;
use crate::{Db, Result};

/// One declaration as its events describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rebuilt {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub version: Option<i64>,
    /// The body hash of `version`, when an event recorded it.
    pub body_hash: Option<String>,
    /// The taxes total of the current version; `None` inside when untaxed.
    pub taxes_total: Option<Option<Decimal>>,
    /// Ledger amounts by kind.
    pub ledger: BTreeMap<String, Decimal>,
}

impl Rebuilt {
    /// assessed + additional − paid − guaranteed + refunded.
    pub fn balance(&self) -> Decimal {
        self.ledger
            .iter()
            .map(|(k, a)| if sign_of(k) == Some(-1) { -*a } else { *a })
            .sum()
    }
}

/// The fold over the whole log.
#[derive(Debug, Default)]
pub struct Rebuild {
    pub declarations: BTreeMap<String, Rebuilt>,
    /// Events the fold could not read (seq, why): each is a finding.
    pub unreadable: Vec<(i64, String)>,
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// What an event written before the convention implies, from its older keys: returns the
/// payload with `ledger` (and `status`) added where the kind tells.
pub fn legacy(kind: &str, payload: &mut serde_json::Map<String, Value>, before: &Rebuilt) {
    if payload.contains_key("ledger") {
        return;
    }
    let taxes_now = || {
        payload
            .get("taxes")
            .and_then(|t| t.get("total"))
            .and_then(decimal)
    };
    let ledger = match kind {
        "declaration.lodged" => taxes_now().map(|t| ("assessed", t)),
        "declaration.amended" => {
            let was = before.taxes_total.flatten().unwrap_or_default();
            let diff = taxes_now().unwrap_or_default() - was;
            (diff != Decimal::ZERO).then_some(("additional", diff))
        }
        "control.result_recorded" => payload
            .get("revenue_recovered")
            .and_then(decimal)
            .filter(|d| *d != Decimal::ZERO)
            .map(|d| ("additional", d)),
        "payment.received" => payload.get("amount").and_then(decimal).map(|a| ("paid", a)),
        "payment.guaranteed" => payload
            .get("amount")
            .and_then(decimal)
            .map(|a| ("guaranteed", a)),
        "payment.refunded" => payload
            .get("amount")
            .and_then(decimal)
            .map(|a| ("refunded", a)),
        _ => None,
    };
    if let Some((k, a)) = ledger {
        payload.insert(
            "ledger".into(),
            serde_json::json!({"kind": k, "amount": a.to_string()}),
        );
    }
    if kind == "declaration.invalidated" && !payload.contains_key("status") {
        payload.insert("status".into(), Value::from("invalidated"));
    }
}

impl Rebuild {
    pub fn apply(&mut self, e: &Event) {
        if e.kind == "declaration.lodged" {
            self.declarations.entry(e.subject.clone()).or_default();
        }
        let Some(d) = self.declarations.get_mut(&e.subject) else {
            return;
        };
        let mut payload = match serde_json::from_str::<Value>(&e.payload) {
            Ok(Value::Object(m)) => m,
            _ => {
                self.unreadable
                    .push((e.seq, "the payload is not a JSON object".into()));
                return;
            }
        };
        legacy(&e.kind, &mut payload, d);
        if let Some(s) = payload.get("status").and_then(Value::as_str) {
            d.status = Some(s.to_owned());
        }
        if e.kind != "declaration.assessed"
            && let Some(c) = payload.get("channel").and_then(Value::as_str)
        {
            d.channel = Some(c.to_owned());
        }
        let version = payload.get("version").and_then(Value::as_i64);
        if let Some(h) = payload.get("body_hash").and_then(Value::as_str) {
            d.body_hash = Some(h.to_owned());
            d.version = version.or(d.version);
            d.taxes_total = Some(match payload.get("taxes") {
                None | Some(Value::Null) => None,
                Some(t) => match t.get("total").and_then(decimal) {
                    Some(total) => Some(total),
                    None => {
                        self.unreadable
                            .push((e.seq, "taxes without a readable total".into()));
                        return;
                    }
                },
            });
        } else if let Some(v) = version
            && d.version != Some(v)
        {
            // A new version whose body and taxes this event does not pin.
            d.version = Some(v);
            d.body_hash = None;
            d.taxes_total = None;
        }
        if let Some(l) = payload.get("ledger").filter(|l| !l.is_null()) {
            let kind = l.get("kind").and_then(Value::as_str);
            let amount = l.get("amount").and_then(decimal);
            match (kind, amount) {
                (Some(k), Some(a)) if sign_of(k).is_some() => {
                    *d.ledger.entry(k.to_owned()).or_default() += a;
                }
                _ => self
                    .unreadable
                    .push((e.seq, format!("a ledger movement that cannot be read: {l}"))),
            }
        }
    }
}

/// A declaration as its tables store it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredDeclaration {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub channel: String,
    pub body: String,
    pub taxes: Option<String>,
    pub balance: Option<String>,
    /// The body of `version` in `declaration_versions`, if that row exists.
    pub version_body: Option<String>,
}

/// One field where the tables and the events disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub declaration: String,
    pub field: String,
    pub stored: String,
    pub events: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "declaration {} {}: the tables hold {} but the events say {}",
            self.declaration, self.field, self.stored, self.events
        )
    }
}

fn body_hash(body: &str) -> String {
    blake3::hash(body.as_bytes()).to_hex().to_string()
}

fn shown(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "nothing".to_owned(), |v| v.to_string())
}

/// Compares the tables with the fold: every field of every declaration, the ledger sums
/// per kind (`ledger` holds (declaration, kind, amount) rows), and declarations or ledger
/// rows that one side has and the other has not.
pub fn compare(
    rebuilt: &BTreeMap<String, Rebuilt>,
    stored: &[StoredDeclaration],
    ledger: &[(String, String, String)],
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut miss = |d: &str, field: &str, stored: String, events: String| {
        out.push(Mismatch {
            declaration: d.to_owned(),
            field: field.to_owned(),
            stored,
            events,
        })
    };
    let mut sums: HashMap<&str, BTreeMap<String, Decimal>> = HashMap::new();
    for (d, kind, amount) in ledger {
        match amount.parse::<Decimal>() {
            Ok(a) => *sums.entry(d).or_default().entry(kind.clone()).or_default() += a,
            Err(_) => miss(
                d,
                &format!("ledger.{kind}"),
                amount.clone(),
                "a decimal".into(),
            ),
        }
    }
    let empty = BTreeMap::new();
    for row in stored {
        let id = row.id.as_str();
        let Some(r) = rebuilt.get(id) else {
            miss(
                id,
                "events",
                "a declaration".into(),
                "no declaration.lodged".into(),
            );
            continue;
        };
        if let Some(s) = &r.status
            && *s != row.status
        {
            miss(id, "status", row.status.clone(), s.clone());
        }
        if let Some(c) = &r.channel
            && *c != row.channel
        {
            miss(id, "channel", row.channel.clone(), c.clone());
        }
        if let Some(v) = r.version
            && v != row.version
        {
            miss(id, "version", row.version.to_string(), v.to_string());
        }
        if r.version == Some(row.version)
            && let Some(h) = &r.body_hash
        {
            if body_hash(&row.body) != *h {
                miss(
                    id,
                    "body",
                    format!("body hashing to {}", body_hash(&row.body)),
                    format!("body_hash {h}"),
                );
            }
            match &row.version_body {
                Some(b) if body_hash(b) != *h => miss(
                    id,
                    &format!("declaration_versions[{}].body", row.version),
                    format!("body hashing to {}", body_hash(b)),
                    format!("body_hash {h}"),
                ),
                _ => {}
            }
        }
        if let Some(t) = r.taxes_total {
            let stored_total = match row.taxes.as_deref() {
                None => Ok(None),
                Some(text) => serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v.get("total").and_then(decimal))
                    .map(Some)
                    .ok_or(text),
            };
            match stored_total {
                Ok(s) if s == t => {}
                Ok(s) => miss(id, "taxes.total", shown(s), shown(t)),
                Err(text) => miss(id, "taxes", text.to_owned(), shown(t)),
            }
        }
        let balance = r.balance();
        match row.balance.as_deref().map(str::parse::<Decimal>) {
            None if balance == Decimal::ZERO && r.ledger.is_empty() => {}
            Some(Ok(b)) if b == balance => {}
            other => miss(
                id,
                "balance",
                match other {
                    None => "nothing".into(),
                    Some(_) => row.balance.clone().unwrap_or_default(),
                },
                balance.to_string(),
            ),
        }
        let in_table = sums.get(id).unwrap_or(&empty);
        let kinds: std::collections::BTreeSet<&String> =
            in_table.keys().chain(r.ledger.keys()).collect();
        for k in kinds {
            let (s, e) = (in_table.get(k), r.ledger.get(k));
            if s.copied().unwrap_or_default() != e.copied().unwrap_or_default() {
                miss(id, &format!("ledger.{k}"), shown(s), shown(e));
            }
        }
    }
    let rows: std::collections::HashSet<&str> = stored.iter().map(|r| r.id.as_str()).collect();
    for id in rebuilt.keys().filter(|id| !rows.contains(id.as_str())) {
        miss(id, "row", "nothing".into(), "a lodged declaration".into());
    }
    let mut orphans: Vec<&&str> = sums.keys().filter(|d| !rows.contains(**d)).collect();
    orphans.sort();
    for d in orphans {
        miss(d, "ledger", "rows".into(), "no declaration".into());
    }
    out
}

/// Reads the whole log (in pages) and the tables in one snapshot (a read transaction;
/// REPEATABLE READ on PostgreSQL), so changes committing meanwhile, on a live server, are
/// seen on both sides or on neither; then compares them. Answers how many declarations were
/// compared, the mismatches, and the events the fold could not read.
pub async fn check(db: &Db) -> Result<(usize, Vec<Mismatch>, Vec<(i64, String)>)> {
    const PAGE: i64 = 5_000;
    macro_rules! read_all {
        ($tx:expr) => {{
            let mut fold = Rebuild::default();
            let mut next = 1i64;
            loop {
                let page: Vec<Event> = sqlx::query_as::<_, Event>(
                    "SELECT seq, at, kind, subject, actor, payload, prev_hash, hash FROM events \
                     WHERE seq >= $1 ORDER BY seq LIMIT $2",
                )
                .bind(next)
                .bind(PAGE)
                .fetch_all(&mut *$tx)
                .await?;
                let Some(last) = page.last() else { break };
                next = last.seq + 1;
                for e in &page {
                    fold.apply(e);
                }
            }
            let stored: Vec<StoredDeclaration> = sqlx::query_as::<_, StoredDeclaration>(
                "SELECT d.id, d.version, d.status, d.channel, d.body, d.taxes, d.balance, \
                 v.body AS version_body FROM declarations d LEFT JOIN declaration_versions v \
                 ON v.declaration_id = d.id AND v.version = d.version ORDER BY d.id",
            )
            .fetch_all(&mut *$tx)
            .await?;
            let ledger: Vec<(String, String, String)> =
                sqlx::query_as("SELECT declaration_id, kind, amount FROM ledger")
                    .fetch_all(&mut *$tx)
                    .await?;
            (fold, stored, ledger)
        }};
    }
    let (fold, stored, ledger) = match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin().await?;
            let read = read_all!(tx);
            tx.commit().await?;
            read
        }
        Db::Postgres(p) => {
            let mut tx = p
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
            let read = read_all!(tx);
            tx.commit().await?;
            read
        }
    };
    let mismatches = compare(&fold.declarations, &stored, &ledger);
    Ok((stored.len(), mismatches, fold.unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(seq: i64, kind: &str, subject: &str, payload: Value) -> Event {
        Event {
            seq,
            at: "t".into(),
            kind: kind.into(),
            subject: subject.into(),
            actor: "a".into(),
            payload: payload.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Lodged with 100 of taxes (red, under control), a control recovering 20 on version 2,
    /// 70 paid, a refund of 5, and the events of unrelated subjects in between.
    fn history() -> Vec<Event> {
        vec![
            event(1, "user.created", "u1", json!({"status": "ignored"})),
            event(
                2,
                "declaration.lodged",
                "D1",
                json!({"version": 1, "body_hash": "h1",
                "taxes": {"total": "100.00", "currency": "KGS"},
                "ledger": {"kind": "assessed", "amount": "100.00"}}),
            ),
            event(3, "declaration.assessed", "D1", json!({"channel": "green"})),
            event(4, "control.opened", "D1", json!({"channel": "red"})),
            event(
                5,
                "declaration.held_for_control",
                "D1",
                json!({"status": "under_control", "channel": "red"}),
            ),
            event(
                6,
                "declaration.refused",
                "01234567890123",
                json!({"body_hash": "x"}),
            ),
            event(
                7,
                "control.result_recorded",
                "D1",
                json!({"version": 2, "body_hash": "h2",
                "taxes": {"total": "120.00"}, "ledger": {"kind": "additional", "amount": "20.00"}}),
            ),
            event(
                8,
                "declaration.awaiting_payment",
                "D1",
                json!({"status": "awaiting_payment", "channel": "red"}),
            ),
            event(
                9,
                "payment.received",
                "D1",
                json!({"amount": "70", "ledger": {"kind": "paid", "amount": "70"}}),
            ),
            event(
                10,
                "payment.refunded",
                "D1",
                json!({"ledger": {"kind": "refunded", "amount": "5"}}),
            ),
        ]
    }

    fn fold(events: &[Event]) -> Rebuild {
        let mut r = Rebuild::default();
        for e in events {
            r.apply(e);
        }
        r
    }

    #[test]
    fn the_fold_rebuilds_status_channel_version_taxes_and_ledger() {
        let r = fold(&history());
        assert!(r.unreadable.is_empty(), "{:?}", r.unreadable);
        assert_eq!(r.declarations.len(), 1, "only lodged subjects are rebuilt");
        let d1 = &r.declarations["D1"];
        assert_eq!(d1.status.as_deref(), Some("awaiting_payment"));
        assert_eq!(
            d1.channel.as_deref(),
            Some("red"),
            "assessed's channel is not the declaration's"
        );
        assert_eq!(d1.version, Some(2));
        assert_eq!(d1.body_hash.as_deref(), Some("h2"));
        assert_eq!(d1.taxes_total, Some(Some(d("120.00"))));
        assert_eq!(d1.ledger["paid"], d("70"));
        assert_eq!(d1.balance(), d("55.00"));
    }

    #[test]
    fn events_written_before_the_convention_rebuild_the_same() {
        let legacy = vec![
            event(
                1,
                "declaration.lodged",
                "D1",
                json!({"version": 1, "body_hash": "h1", "taxes": {"total": "100.00"}}),
            ),
            event(
                2,
                "declaration.amended",
                "D1",
                json!({"version": 2, "body_hash": "h2", "taxes": {"total": "130.00"}}),
            ),
            event(
                3,
                "control.result_recorded",
                "D1",
                json!({"revenue_recovered": "-10.00", "version": 2}),
            ),
            event(
                4,
                "payment.received",
                "D1",
                json!({"amount": "50", "balance": "70"}),
            ),
            event(5, "payment.guaranteed", "D1", json!({"amount": "70"})),
            event(6, "declaration.invalidated", "D1", json!({"reason": "x"})),
        ];
        let d1 = &fold(&legacy).declarations["D1"];
        assert_eq!(d1.ledger["assessed"], d("100.00"));
        assert_eq!(d1.ledger["additional"], d("20.00"));
        assert_eq!(d1.balance(), Decimal::ZERO);
        assert_eq!(d1.status.as_deref(), Some("invalidated"));
        assert_eq!(d1.version, Some(2));
    }

    #[test]
    fn a_version_without_a_body_hash_is_not_compared_on_body_or_taxes() {
        let events = vec![
            event(
                1,
                "declaration.lodged",
                "D1",
                json!({"version": 1, "body_hash": "h1"}),
            ),
            event(2, "control.result_recorded", "D1", json!({"version": 2})),
        ];
        let d1 = &fold(&events).declarations["D1"];
        assert_eq!(
            (d1.version, d1.body_hash.as_ref(), d1.taxes_total),
            (Some(2), None, None)
        );
    }

    #[test]
    fn a_new_event_kind_following_the_convention_needs_no_change() {
        let mut events = history();
        events.push(event(
            11,
            "amendment.reduction_decided",
            "D1",
            json!({"decision": "granted", "ledger": {"kind": "additional", "amount": "-5.00"}}),
        ));
        let d1 = &fold(&events).declarations["D1"];
        assert_eq!(d1.ledger["additional"], d("15.00"));
        assert_eq!(d1.balance(), d("50.00"));
    }

    #[test]
    fn an_unreadable_ledger_movement_is_reported() {
        let mut events = history();
        events.push(event(
            11,
            "payment.received",
            "D1",
            json!({"ledger": {"kind": "stolen", "amount": "1"}}),
        ));
        events.push(event(12, "payment.received", "D1", "not json".into()));
        let r = fold(&events);
        assert_eq!(
            r.unreadable.iter().map(|u| u.0).collect::<Vec<_>>(),
            vec![11, 12]
        );
    }

    fn stored_as_events_say() -> StoredDeclaration {
        StoredDeclaration {
            id: "D1".into(),
            version: 2,
            status: "awaiting_payment".into(),
            channel: "red".into(),
            body: "{}".into(),
            taxes: Some(json!({"total": "120.00", "currency": "KGS"}).to_string()),
            balance: Some("55.00".into()),
            version_body: Some("{}".into()),
        }
    }

    fn ledger_as_events_say() -> Vec<(String, String, String)> {
        [
            ("assessed", "100.00"),
            ("additional", "20.00"),
            ("paid", "70"),
            ("refunded", "5"),
        ]
        .iter()
        .map(|(k, a)| ("D1".to_owned(), k.to_string(), a.to_string()))
        .collect()
    }

    /// The history with the real hash of the stored body `{}`.
    fn rebuilt() -> BTreeMap<String, Rebuilt> {
        let mut r = fold(&history()).declarations;
        r.get_mut("D1").unwrap().body_hash = Some(body_hash("{}"));
        r
    }

    fn fields(m: &[Mismatch]) -> Vec<&str> {
        m.iter().map(|m| m.field.as_str()).collect()
    }

    #[test]
    fn tables_that_say_what_the_events_say_compare_clean() {
        assert_eq!(
            compare(
                &rebuilt(),
                &[stored_as_events_say()],
                &ledger_as_events_say()
            ),
            vec![]
        );
    }

    #[test]
    fn each_edited_field_is_named() {
        let mut row = stored_as_events_say();
        row.status = "released".into();
        row.channel = "green".into();
        row.body = r#"{"value":"1.00"}"#.into();
        row.taxes = Some(json!({"total": "12.00"}).to_string());
        row.balance = Some("0".into());
        let m = compare(&rebuilt(), &[row], &ledger_as_events_say());
        assert_eq!(
            fields(&m),
            vec!["status", "channel", "body", "taxes.total", "balance"]
        );
        assert_eq!(
            m[0].to_string(),
            "declaration D1 status: the tables hold released but the events say awaiting_payment"
        );
    }

    #[test]
    fn a_forged_ledger_row_and_an_orphan_row_are_found() {
        let mut ledger = ledger_as_events_say();
        ledger.push(("D1".into(), "paid".into(), "55.00".into()));
        ledger.push(("D9".into(), "paid".into(), "1".into()));
        let m = compare(&rebuilt(), &[stored_as_events_say()], &ledger);
        assert_eq!(fields(&m), vec!["ledger.paid", "ledger"]);
        assert_eq!(
            (m[0].stored.as_str(), m[0].events.as_str()),
            ("125.00", "70")
        );
        assert_eq!(m[1].declaration, "D9");
    }

    #[test]
    fn a_row_without_events_and_events_without_a_row_are_found() {
        let mut stray = stored_as_events_say();
        stray.id = "D2".into();
        let m = compare(&rebuilt(), &[stray], &[]);
        assert_eq!(fields(&m), vec!["events", "row"]);
    }

    #[test]
    fn an_edited_version_body_is_found() {
        let mut row = stored_as_events_say();
        row.version_body = Some("{\"edited\":1}".into());
        let m = compare(&rebuilt(), &[row], &ledger_as_events_say());
        assert_eq!(fields(&m), vec!["declaration_versions[2].body"]);
    }
}
