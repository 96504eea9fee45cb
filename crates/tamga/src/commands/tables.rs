//! `tamga tariff import` and `tamga rates import`: all lines or none.

use std::process::ExitCode;

use anyhow::Context;
use tamga_server::duties::{TableError, import_rates, import_tariff};

pub enum Table {
    Tariff,
    Rates,
}

pub async fn import(
    database: &str,
    file: &std::path::Path,
    table: Table,
) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let state = super::open(database).await?;
    let result = match table {
        Table::Tariff => import_tariff(&state.store, &text, "cli").await,
        Table::Rates => import_rates(&state.store, &text, "cli").await,
    };
    match result {
        Ok(n) => {
            println!("imported {n} lines from {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(TableError::Invalid(errors)) => {
            for e in &errors {
                eprintln!(
                    "{}:{}: {}: {} ({})",
                    file.display(),
                    e.line,
                    e.column,
                    e.message,
                    e.code
                );
            }
            eprintln!("{} problem(s); nothing was imported", errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
