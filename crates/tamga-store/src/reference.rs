//! Reference tables, loaded from the data files shipped with the binary on first start,
//! so the code lists are in the database for anyone who queries it (statistics, reports,
//! other agencies). Validation itself reads the same files through `tamga-reference`.

use serde_json::json;
use tamga_reference::ReferenceData;

use crate::event_log::NewEvent;
use crate::writer::{Arg, Change, Stmt};
use crate::{Result, Store, on_pool};

/// Rows per multi-row INSERT: few round trips, far below either backend's bind limit.
const CHUNK: usize = 200;

fn insert_rows<V: Into<Arg> + Clone>(
    change: &mut Change,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
) {
    for chunk in rows.chunks(CHUNK) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let marks: Vec<String> = columns
                .iter()
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            sql.push_str(&format!("({})", marks.join(", ")));
        }
        let mut stmt = Stmt::new(sql);
        for row in chunk {
            for v in row {
                stmt.args.push(v.clone().into());
            }
        }
        change.statements.push(stmt);
    }
}

/// Loads every list when the tables are empty; does nothing otherwise.
pub async fn seed_if_empty(store: &Store, data: &ReferenceData) -> Result<bool> {
    let (n,): (i64,) = on_pool!(store.db(), p => sqlx::query_as("SELECT COUNT(*) FROM ref_hs").fetch_one(p).await?);
    if n > 0 {
        return Ok(false);
    }
    let mut change = Change::new();
    let hs: Vec<Vec<Arg>> = data
        .hs_entries()
        .iter()
        .map(|e| {
            vec![
                Arg::Text(e.code.clone()),
                Arg::Text(e.description.clone()),
                Arg::Int(i64::from(e.level.digits())),
                Arg::Text(e.parent.clone().unwrap_or_default()),
                Arg::Text(e.section.clone()),
            ]
        })
        .collect();
    let hs_count = hs.len();
    insert_rows(
        &mut change,
        "ref_hs",
        &["code", "description", "level", "parent", "section"],
        hs,
    );
    let countries: Vec<Vec<String>> = data
        .countries()
        .iter()
        .map(|c| {
            vec![
                c.alpha2.clone(),
                c.alpha3.clone(),
                c.name_en.clone(),
                c.name_ru.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let country_count = countries.len();
    insert_rows(
        &mut change,
        "ref_countries",
        &["code", "alpha3", "name_en", "name_ru"],
        countries,
    );
    let currencies: Vec<Vec<Arg>> = data
        .currencies()
        .iter()
        .map(|c| {
            vec![
                Arg::Text(c.code.clone()),
                Arg::Text(c.name.clone()),
                Arg::Text(c.minor_unit.map(|m| m.to_string()).unwrap_or_default()),
                Arg::Int(i64::from(c.is_current())),
            ]
        })
        .collect();
    let currency_count = currencies.len();
    insert_rows(
        &mut change,
        "ref_currencies",
        &["code", "name", "minor_unit", "current"],
        currencies,
    );
    let offices: Vec<Vec<String>> = data
        .offices()
        .iter()
        .map(|o| {
            vec![
                o.code.clone(),
                o.name.clone(),
                o.kind.clone(),
                o.neighbour.clone().unwrap_or_default(),
                o.latitude.to_string(),
                o.longitude.to_string(),
            ]
        })
        .collect();
    let office_count = offices.len();
    insert_rows(
        &mut change,
        "ref_offices",
        &["code", "name", "kind", "neighbour", "latitude", "longitude"],
        offices,
    );
    let mut codes: Vec<Vec<String>> = Vec::new();
    for p in data.procedures() {
        for t in &p.types {
            codes.push(vec![
                "procedure".into(),
                p.code.clone(),
                t.as_str().into(),
                p.description.clone(),
            ]);
        }
    }
    for (list, entries) in [
        ("unit", data.units()),
        ("transport_mode", data.transport_modes()),
        ("incoterm", data.incoterms()),
    ] {
        for e in entries {
            codes.push(vec![
                list.into(),
                e.code.clone(),
                String::new(),
                e.description.clone(),
            ]);
        }
    }
    insert_rows(
        &mut change,
        "ref_codes",
        &["list", "code", "attribute", "description"],
        codes,
    );
    change.events.push(NewEvent::new(
        "reference.loaded",
        "reference",
        "system",
        &json!({"hs": hs_count, "countries": country_count, "currencies": currency_count, "offices": office_count}),
    ));
    store.apply(change).await?;
    Ok(true)
}
