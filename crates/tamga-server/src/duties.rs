//! Duties and taxes on the server side: the tariff and exchange rates held as data in the
//! store, loaded into an immutable snapshot the pure calculator reads. A tariff import or a
//! new rate replaces the snapshot; calculations in flight keep the one they started with.

use std::sync::{Arc, RwLock};

use tamga_store::ledger::{self, TariffRow};
use tamga_store::{NewEvent, Store};
use tamga_tariff::{
    ExchangeRates, LineError, PreferenceRules, TariffRecord, TariffSchedule, Taxes,
};
use tamga_types::{Declaration, DeclarationType, FieldError, FieldErrors};

pub struct TaxTables {
    pub tariff: TariffSchedule,
    pub rates: ExchangeRates,
    pub preferences: PreferenceRules,
    pub national_currency: String,
}

pub struct TaxState {
    tables: RwLock<Arc<TaxTables>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{}", describe(.0))]
    Invalid(Vec<LineError>),
    #[error(transparent)]
    Store(#[from] tamga_store::StoreError),
}

fn describe(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(|e| format!("line {}, {}: {} ({})", e.line, e.column, e.message, e.code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn to_row(r: TariffRecord) -> TariffRow {
    (
        r.code,
        r.description,
        r.duty_rate,
        r.duty_specific,
        r.duty_unit,
        r.duty_mode,
        r.vat_rate,
        r.excise_rate,
        r.excise_specific,
        r.excise_unit,
        r.valid_from,
        r.valid_to,
    )
}

fn to_record(r: TariffRow) -> TariffRecord {
    TariffRecord {
        code: r.0,
        description: r.1,
        duty_rate: r.2,
        duty_specific: r.3,
        duty_unit: r.4,
        duty_mode: r.5,
        vat_rate: r.6,
        excise_rate: r.7,
        excise_specific: r.8,
        excise_unit: r.9,
        valid_from: r.10,
        valid_to: r.11,
    }
}

fn rates_csv(rows: &[(String, String, String)]) -> String {
    let mut csv = String::from("date,currency,rate\n");
    for (d, c, r) in rows {
        csv.push_str(&format!("{d},{c},{r}\n"));
    }
    csv
}

/// Replaces the stored tariff with the file's lines: all of them or, when any line is bad,
/// none (every problem listed by line and column).
pub async fn import_tariff(store: &Store, csv: &str, actor: &str) -> Result<usize, TableError> {
    let schedule = TariffSchedule::from_csv(csv).map_err(TableError::Invalid)?;
    let rows: Vec<TariffRow> = schedule.lines().map(|l| to_row(l.to_record())).collect();
    let change = ledger::replace_tariff(&rows).event(NewEvent::new(
        "tariff.imported",
        "tariff",
        actor,
        &serde_json::json!({"lines": rows.len(), "blake3": blake3::hash(csv.as_bytes()).to_hex().to_string()}),
    ));
    store.apply(change).await?;
    Ok(rows.len())
}

/// Adds exchange rates from a `date,currency,rate` file (all or none).
pub async fn import_rates(store: &Store, csv: &str, actor: &str) -> Result<usize, TableError> {
    let parsed = ExchangeRates::from_csv(csv).map_err(TableError::Invalid)?;
    let rows: Vec<(String, String, String)> = parsed
        .entries()
        .map(|(c, d, r)| (d.to_string(), c.to_owned(), r.to_string()))
        .collect();
    let change = ledger::upsert_rates(&rows).event(NewEvent::new(
        "exchange_rates.imported",
        "exchange_rates",
        actor,
        &serde_json::json!({"rates": rows}),
    ));
    store.apply(change).await?;
    Ok(rows.len())
}

impl TaxState {
    /// Loads the stored tables, seeding the shipped illustrative ones into an empty store.
    pub async fn load(store: &Store, national_currency: &str) -> Result<TaxState, TableError> {
        let state = TaxState {
            tables: RwLock::new(Arc::new(Self::read(store, national_currency).await?)),
        };
        Ok(state)
    }

    async fn read(store: &Store, national_currency: &str) -> Result<TaxTables, TableError> {
        let db = store.db();
        if ledger::tariff_rows(db).await?.is_empty() {
            import_tariff(store, tamga_tariff::DEFAULT_TARIFF_CSV, "system").await?;
        }
        if ledger::rate_rows(db).await?.is_empty() {
            import_rates(store, tamga_tariff::DEFAULT_RATES_CSV, "system").await?;
        }
        let tariff =
            TariffSchedule::from_records(ledger::tariff_rows(db).await?.into_iter().map(to_record))
                .map_err(TableError::Invalid)?;
        let rates = ExchangeRates::from_csv(&rates_csv(&ledger::rate_rows(db).await?))
            .map_err(TableError::Invalid)?
            .with_national_currency(national_currency);
        Ok(TaxTables {
            tariff,
            rates,
            preferences: tamga_tariff::default_preferences(),
            national_currency: national_currency.to_owned(),
        })
    }

    /// Re-reads the tables after an import.
    pub async fn reload(&self, store: &Store) -> Result<(), TableError> {
        let national = self.snapshot().national_currency.clone();
        let fresh = Arc::new(Self::read(store, &national).await?);
        *self.tables.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    pub fn snapshot(&self) -> Arc<TaxTables> {
        self.tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What one unit of each of `currencies` is worth in the national currency on `date`
    /// (the national currency at 1); a currency without a rate that day is left out.
    pub fn rates_on<'c>(
        &self,
        currencies: impl IntoIterator<Item = &'c str>,
        date: jiff::civil::Date,
    ) -> tamga_risk::CurrencyRates {
        let t = self.snapshot();
        currencies
            .into_iter()
            .filter_map(|c| Some((c.to_owned(), t.rates.rate(c, date)?)))
            .collect()
    }

    /// Import duties and taxes of a declaration on `date`; exports and transit owe none
    /// here (a transit guarantee is a separate matter).
    pub fn assess(
        &self,
        declaration: &Declaration,
        date: jiff::civil::Date,
    ) -> Result<Option<Taxes>, FieldErrors> {
        if declaration.kind != DeclarationType::IM {
            return Ok(None);
        }
        let t = self.snapshot();
        tamga_tariff::assess_taxes(
            declaration,
            date,
            &t.tariff,
            &t.rates,
            &t.preferences,
            &t.national_currency,
        )
        .map(Some)
        .map_err(|errors: Vec<FieldError>| FieldErrors { errors })
    }
}
