//! `GET` and `POST /api/v1/exchange-rates`.

use serde::Serialize;
use utoipa::ToSchema;

/// Every dated exchange rate, by currency then date.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRates {
    /// What each rate is in (ISO 4217).
    #[schema(example = "KGS")]
    pub national_currency: String,
    pub rates: Vec<Rate>,
}

/// National currency per one unit of `currency`, from `date` until the currency's next row.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rate {
    #[schema(example = "2026-11-23", format = Date)]
    pub date: String,
    #[schema(example = "USD")]
    pub currency: String,
    #[schema(example = "87.45")]
    pub rate: String,
}

impl From<(String, String, String)> for Rate {
    fn from((date, currency, rate): (String, String, String)) -> Self {
        Rate {
            date,
            currency,
            rate,
        }
    }
}

/// How many rates an import added or replaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}
