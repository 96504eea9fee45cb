//! Tamga's tariff and tax library: the customs tariff, exchange rates, tariff preferences,
//! and the assessment of a declaration's duty, excise and VAT.
//!
//! Owns: reading the administration's tariff, rate and preference tables (CSV text handed
//! in by the caller), longest-prefix tariff lookup by date, and the tax arithmetic of
//! CONTRACT.md, rounded as `ROUNDING.md` states.
//!
//! Invariants:
//! - Pure: no I/O, no clock, no randomness. The CSV *text* comes from the caller; the
//!   shipped defaults are compiled in with `include_str!`.
//! - A table is loaded whole or refused with every problem ([`LineError`]); an assessment
//!   succeeds whole or is refused with every problem ([`TaxError`], by field path).
//! - Money is `Decimal`, never floating point; rounding happens only where `ROUNDING.md`
//!   says.
//!
//! The shipped tariff, rates and preferences (`data/`) are ILLUSTRATIVE, not the official
//! tariff of any administration.

mod assess;
mod preferences;
mod rates;
mod schedule;
mod table;

pub use assess::{TaxError, TaxItem, TaxKind, TaxLine, Taxes, assess_taxes, difference, round2};
pub use preferences::{GROUPS, Grant, MFN, PREFERENCE_COLUMNS, PROOF_OF_ORIGIN, PreferenceRules};
pub use rates::{DEFAULT_NATIONAL_CURRENCY, ExchangeRates, RATE_COLUMNS};
pub use schedule::{
    DutyMode, Specific, TARIFF_COLUMNS, TariffLine, TariffRecord, TariffSchedule, UNITS,
};
pub use table::LineError;

/// The shipped illustrative tariff, as CSV text.
pub const DEFAULT_TARIFF_CSV: &str = include_str!("../data/tariff-default.csv");
/// The shipped illustrative exchange rates (KGS per unit), as CSV text.
pub const DEFAULT_RATES_CSV: &str = include_str!("../data/rates-default.csv");
/// The shipped illustrative preference groups, as CSV text.
pub const DEFAULT_PREFERENCES_CSV: &str = include_str!("../data/preferences-default.csv");

/// The shipped ILLUSTRATIVE tariff: every HS chapter plus excise goods.
pub fn default_tariff() -> TariffSchedule {
    TariffSchedule::from_csv(DEFAULT_TARIFF_CSV).expect("the shipped tariff parses (tested)")
}

/// The shipped ILLUSTRATIVE exchange rates; national currency KGS.
pub fn default_rates() -> ExchangeRates {
    ExchangeRates::from_csv(DEFAULT_RATES_CSV).expect("the shipped rates parse (tested)")
}

/// The shipped ILLUSTRATIVE preference groups (EAEU customs union, free-trade partners,
/// developing and least-developed countries).
pub fn default_preferences() -> PreferenceRules {
    PreferenceRules::from_csv(DEFAULT_PREFERENCES_CSV)
        .expect("the shipped preferences parse (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rust_decimal::Decimal;

    #[test]
    fn the_shipped_tariff_parses() {
        if let Err(errors) = TariffSchedule::from_csv(DEFAULT_TARIFF_CSV) {
            panic!("{errors:#?}");
        }
    }

    #[test]
    fn the_shipped_rates_parse() {
        if let Err(errors) = ExchangeRates::from_csv(DEFAULT_RATES_CSV) {
            panic!("{errors:#?}");
        }
    }

    #[test]
    fn the_shipped_preferences_parse() {
        if let Err(errors) = PreferenceRules::from_csv(DEFAULT_PREFERENCES_CSV) {
            panic!("{errors:#?}");
        }
    }

    #[test]
    fn the_shipped_tariff_covers_every_hs_chapter_but_the_reserved_77() {
        let tariff = default_tariff();
        let d = date(2026, 1, 1);
        for chapter in (1..=97).filter(|c| *c != 77) {
            let code = format!("{chapter:02}0000");
            let line = tariff.line_for(&code, d);
            assert!(line.is_some(), "chapter {chapter:02} has no line");
            assert_eq!(line.unwrap().vat_rate(), Some(Decimal::from(12)));
        }
    }

    #[test]
    fn the_shipped_tariff_levies_excise_on_spirits_tobacco_and_fuel() {
        let tariff = default_tariff();
        let d = date(2026, 3, 1);
        for code in [
            "2208300000",
            "2204210000",
            "2203000000",
            "2402200000",
            "2710124100",
        ] {
            let line = tariff.line_for(code, d).unwrap();
            assert!(line.excise_specific().is_some(), "{code}");
        }
        let cars = tariff.line_for("8703231990", d).unwrap();
        assert_eq!(cars.duty_mode(), Some(DutyMode::Higher));
        let phones = tariff.line_for("8517130000", d).unwrap();
        assert_eq!(phones.duty_rate(), Some(Decimal::ZERO));
    }

    #[test]
    fn the_shipped_rates_cover_the_main_trading_currencies_from_2026() {
        let rates = default_rates();
        for currency in [
            "USD", "EUR", "CNY", "RUB", "KZT", "TRY", "UZS", "GBP", "JPY", "AED",
        ] {
            assert!(
                rates.rate(currency, date(2026, 1, 1)).is_some(),
                "{currency}"
            );
        }
        assert_eq!(rates.rate("KGS", date(2026, 1, 1)), Some(Decimal::ONE));
    }

    #[test]
    fn the_shipped_preferences_put_the_eaeu_partners_in_the_customs_union() {
        let prefs = default_preferences();
        for country in ["RU", "KZ", "BY", "AM", "KG"] {
            assert_eq!(
                prefs.grant("300", country).unwrap().duty_share,
                Decimal::ZERO
            );
        }
        assert!(prefs.grant("300", "CN").is_none());
    }
}
