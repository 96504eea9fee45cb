use std::process::ExitCode;

use anyhow::Context;
use tamga_store::{DatabaseUrl, Db, VerifyReport};

/// Reads only: no migration, no writer, so verifying never changes the database. Checks the
/// payments ledger against every declaration's balance, then walks the event chain; the
/// last line is `ok: N events` or names the first broken event.
pub async fn verify(database: &str) -> anyhow::Result<ExitCode> {
    let url = DatabaseUrl::new(database);
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    let (checked, mismatches) = tamga_store::ledger::reconcile(&db).await?;
    for m in &mismatches {
        println!(
            "ledger mismatch: declaration {} stores balance {} but its ledger adds up to {}",
            m.declaration_id, m.stored, m.ledger
        );
    }
    if mismatches.is_empty() {
        println!("ledger: {checked} balances reconcile");
    }
    match tamga_store::event_log::verify(&db).await? {
        VerifyReport::Ok { events } if mismatches.is_empty() => {
            println!("ok: {events} events");
            Ok(ExitCode::SUCCESS)
        }
        VerifyReport::Ok { events } => {
            println!(
                "broken: the event chain holds ({events} events) but {} balance(s) do not reconcile",
                mismatches.len()
            );
            Ok(ExitCode::FAILURE)
        }
        VerifyReport::Broken { seq, reason } => {
            println!("broken: event {seq}: {reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}
