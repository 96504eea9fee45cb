//! Exchange rates: national currency per one unit of a foreign currency, each rate valid from
//! its date until the next row for the same currency.
//!
//! Invariant: the national currency always has rate 1, whatever the file says.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::table::{LineError, RowCheck, read_rows};

/// The columns of an exchange-rate file.
pub const RATE_COLUMNS: [&str; 3] = ["date", "currency", "rate"];

/// The national currency of the demo administration (Kyrgyz som).
pub const DEFAULT_NATIONAL_CURRENCY: &str = "KGS";

/// Exchange rates, immutable once built.
#[derive(Debug, Clone)]
pub struct ExchangeRates {
    national: String,
    /// Currency → (date, rate) sorted by date, dates unique.
    by_currency: HashMap<String, Vec<(Date, Decimal)>>,
}

impl ExchangeRates {
    /// Reads a rate file (`date,currency,rate`); the national currency is
    /// [`DEFAULT_NATIONAL_CURRENCY`] until [`Self::with_national_currency`] says otherwise.
    /// Refused with every problem: `missing`, `bad_date`, `bad_currency`, `bad_decimal`,
    /// `not_positive`, `duplicate` (same currency and date twice), and the table codes.
    pub fn from_csv(text: &str) -> Result<ExchangeRates, Vec<LineError>> {
        let rows = read_rows(text, &RATE_COLUMNS)?;
        let mut errors = Vec::new();
        let mut by_currency: HashMap<String, Vec<(Date, Decimal, usize)>> = HashMap::new();
        for row in &rows {
            let mut check = RowCheck {
                line: row.line,
                errors: &mut errors,
            };
            let before = check.errors.len();
            let date = check
                .required("date", row.cell(0))
                .and_then(|c| check.date("date", c));
            let currency = check.required("currency", row.cell(1)).and_then(|c| {
                let ok = c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase());
                if !ok {
                    check.push(
                        "currency",
                        "bad_currency",
                        format!("{c:?} is not an ISO 4217 code such as USD"),
                    );
                }
                ok.then_some(c)
            });
            let rate = check
                .required("rate", row.cell(2))
                .and_then(|c| check.decimal("rate", c));
            if let Some(r) = rate
                && r <= Decimal::ZERO
            {
                check.push(
                    "rate",
                    "not_positive",
                    format!("rate {r} must be above zero"),
                );
            }
            if check.errors.len() > before {
                continue;
            }
            if let (Some(date), Some(currency), Some(rate)) = (date, currency, rate) {
                by_currency
                    .entry(currency.to_owned())
                    .or_default()
                    .push((date, rate, row.line));
            }
        }
        let mut sorted = HashMap::with_capacity(by_currency.len());
        for (currency, mut entries) in by_currency {
            entries.sort_by_key(|&(date, _, line)| (date, line));
            for pair in entries.windows(2) {
                if pair[0].0 == pair[1].0 {
                    errors.push(LineError::new(
                        pair[1].2,
                        "date",
                        "duplicate",
                        format!(
                            "{currency} already has a rate on {} (line {})",
                            pair[0].0, pair[0].2
                        ),
                    ));
                }
            }
            sorted.insert(
                currency,
                entries.into_iter().map(|(d, r, _)| (d, r)).collect(),
            );
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        Ok(ExchangeRates {
            national: DEFAULT_NATIONAL_CURRENCY.to_owned(),
            by_currency: sorted,
        })
    }

    /// The same rates for an administration whose national currency is `code`.
    pub fn with_national_currency(mut self, code: &str) -> Self {
        code.clone_into(&mut self.national);
        self
    }

    pub fn national_currency(&self) -> &str {
        &self.national
    }

    /// National currency per one unit of `currency` on `date`: the latest row on or before
    /// `date`; 1 for the national currency; `None` before the currency's first row.
    pub fn rate(&self, currency: &str, date: Date) -> Option<Decimal> {
        if currency == self.national {
            return Some(Decimal::ONE);
        }
        let entries = self.by_currency.get(currency)?;
        let after = entries.partition_point(|&(d, _)| d <= date);
        entries.get(after.checked_sub(1)?).map(|&(_, rate)| rate)
    }

    /// Every row, by currency then date, e.g. to store them.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Date, Decimal)> {
        let mut currencies: Vec<&String> = self.by_currency.keys().collect();
        currencies.sort();
        currencies.into_iter().flat_map(move |c| {
            self.by_currency[c]
                .iter()
                .map(move |&(d, r)| (c.as_str(), d, r))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rates(rows: &str) -> ExchangeRates {
        ExchangeRates::from_csv(&format!("date,currency,rate\n{rows}")).unwrap()
    }

    #[test]
    fn a_rate_holds_from_its_date_until_the_next_row_for_that_currency() {
        let r = rates("2026-01-01,USD,87.4500\n2026-02-01,USD,87.3000\n2026-01-15,EUR,101.20\n");
        assert_eq!(
            r.rate("USD", date(2026, 1, 1)),
            Some("87.4500".parse().unwrap())
        );
        assert_eq!(
            r.rate("USD", date(2026, 1, 31)),
            Some("87.4500".parse().unwrap())
        );
        assert_eq!(
            r.rate("USD", date(2026, 2, 1)),
            Some("87.3000".parse().unwrap())
        );
        assert_eq!(
            r.rate("USD", date(2030, 1, 1)),
            Some("87.3000".parse().unwrap())
        );
        assert_eq!(r.rate("EUR", date(2026, 1, 14)), None);
        assert_eq!(r.rate("CNY", date(2026, 1, 14)), None);
    }

    #[test]
    fn the_national_currency_always_has_rate_one() {
        let r = rates("2026-01-01,KGS,2\n2026-01-01,KZT,0.1710\n");
        assert_eq!(r.rate("KGS", date(2000, 1, 1)), Some(Decimal::ONE));
        let r = r.with_national_currency("KZT");
        assert_eq!(r.rate("KZT", date(2000, 1, 1)), Some(Decimal::ONE));
    }

    #[test]
    fn every_problem_of_a_bad_rate_file_is_reported() {
        let errors = ExchangeRates::from_csv(
            "date,currency,rate\n2026-01-01,usd,87\n2026-13-01,EUR,100\n2026-01-01,CNY,zero\n\
             2026-01-01,RUB,0\n2026-01-01,TRY,2\n2026-01-01,TRY,2.1\n,GBP,\n",
        )
        .err()
        .unwrap();
        let got: Vec<_> = errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "currency", "bad_currency"),
                (3, "date", "bad_date"),
                (4, "rate", "bad_decimal"),
                (5, "rate", "not_positive"),
                (7, "date", "duplicate"),
                (8, "date", "missing"),
                (8, "rate", "missing"),
            ]
        );
    }
}
