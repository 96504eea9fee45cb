use std::process::ExitCode;

use anyhow::Context;
use tamga_store::{DatabaseUrl, Db, VerifyReport};

/// Reads the log only: no migration, no writer, so verifying never changes the database.
pub async fn verify(database: &str) -> anyhow::Result<ExitCode> {
    let url = DatabaseUrl::new(database);
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    match tamga_store::event_log::verify(&db).await? {
        VerifyReport::Ok { events } => {
            println!("ok: {events} events");
            Ok(ExitCode::SUCCESS)
        }
        VerifyReport::Broken { seq, reason } => {
            println!("broken: event {seq}: {reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}
