//! Reference (world) prices by HS prefix, and converting a price into the invoice
//! currency: what `items.reference_price_ratio` compares a declared unit value with.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A reference (world) price for goods whose HS code starts with a prefix, per unit of
/// quantity in `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePrice {
    pub currency: String,
    pub unit_price: Decimal,
}

/// Reference prices by HS prefix (2 to 10 digits); the longest matching prefix applies.
/// Serialised as `{"prices": {"<prefix>": {"currency", "unit_price"}}}`.
/// `items.reference_price_ratio` is the item's unit value over that price, the price
/// converted into the invoice currency through [`super::AssessmentInput::exchange_rates`]
/// when it is in another currency; absent when no prefix matches or a rate is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePrices {
    pub prices: BTreeMap<String, ReferencePrice>,
}

impl ReferencePrices {
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    pub fn lookup(&self, hs_code: &str) -> Option<&ReferencePrice> {
        (2..=hs_code.len().min(10))
            .rev()
            .find_map(|l| self.prices.get(&hs_code[..l]))
    }

    /// The currencies the table's prices are in, each once.
    pub fn currencies(&self) -> std::collections::BTreeSet<&str> {
        self.prices.values().map(|p| p.currency.as_str()).collect()
    }
}

/// What one unit of each currency is worth in the national currency on the assessment
/// date (the national currency itself at 1): how a reference price in one currency is
/// compared with an invoice in another. The caller passes the rates of the invoice
/// currency and of the reference table's currencies; the assessment records them, so a
/// replay converts with the very rates the decision used.
pub type CurrencyRates = BTreeMap<String, Decimal>;

/// `price` (in `from`) in currency `to`, through the national currency.
pub(super) fn convert(
    price: Decimal,
    from: &str,
    to: &str,
    rates: Option<&CurrencyRates>,
) -> Option<Decimal> {
    if from == to {
        return Some(price);
    }
    let rates = rates?;
    let (from, to) = (rates.get(from)?, rates.get(to)?);
    if from.is_sign_negative() || to.is_zero() || to.is_sign_negative() {
        return None;
    }
    price.checked_mul(*from)?.checked_div(*to)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::engine::testing::{declaration, fired_ids, input, priced, profile};
    use crate::engine::{AssessmentInput, CurrencyRates, RiskEngine, SelectionSettings};

    #[test]
    fn reference_prices_in_another_currency_are_converted_with_the_given_rates() {
        // Reference: 200 USD per phone. Declared: 100 phones for 9,000.00 EUR, 90 EUR each.
        // With 1 USD = 87.45 KGS and 1 EUR = 102.685 KGS, 200 USD = 170.326... EUR, and
        // 90 / 170.326... = 0.528... < 0.7: undervalued.
        let p = profile(
            "under",
            json!({"criteria": [{"field": "items.reference_price_ratio", "op": "lt", "value": "0.7"}]}),
        );
        let e = RiskEngine::compile(&[p], priced("851713", Decimal::new(200, 0)));
        let mut d = declaration(&[("8517130000", "CN", "100", "9000.00")], "41701");
        d.invoice.currency = tamga_types::CurrencyCode::parse("EUR").unwrap();
        let rates: CurrencyRates = [
            ("USD".to_owned(), Decimal::new(874500, 4)),
            ("EUR".to_owned(), Decimal::new(102685, 3)),
            ("KGS".to_owned(), Decimal::ONE),
        ]
        .into();
        let with = AssessmentInput {
            exchange_rates: Some(&rates),
            ..input(&d)
        };
        let a = e.assess(&with);
        assert_eq!(fired_ids(&e, &with), ["under"]);
        let ratio: Decimal = a.fired[0].matched[0].value.parse().unwrap();
        let expected = Decimal::new(90, 0)
            / (Decimal::new(200, 0) * Decimal::new(874500, 4) / Decimal::new(102685, 3));
        assert_eq!(ratio, expected.normalize());
        // The rates are recorded, and replaying with them gives the same assessment.
        assert_eq!(a.exchange_rates, rates);
        let replay = AssessmentInput {
            exchange_rates: Some(&a.exchange_rates),
            ..input(&d)
        };
        assert_eq!(e.assess(&replay), a);
        // Without a rate for either currency the price is not compared: nothing fires.
        assert!(fired_ids(&e, &input(&d)).is_empty());
        let no_eur: CurrencyRates = [("USD".to_owned(), Decimal::new(874500, 4))].into();
        let partial = AssessmentInput {
            exchange_rates: Some(&no_eur),
            ..input(&d)
        };
        assert!(fired_ids(&e, &partial).is_empty());
        // In USD at 90 per phone the price is compared as it stands: 90 / 200 = 0.45.
        d.invoice.currency = tamga_types::CurrencyCode::parse("USD").unwrap();
        let a = e.assess(&input(&d));
        assert_eq!(a.fired[0].matched[0].value, "0.45");
        assert!(a.exchange_rates.is_empty());
    }

    #[test]
    fn unit_value_and_reference_price_ratio_are_compared_as_decimals() {
        let p = profile(
            "cheap",
            json!({"criteria": [
                {"field": "items.unit_value", "op": "lt", "value": "50"},
                {"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"},
            ]}),
        );
        let unpriced = RiskEngine::compile(
            std::slice::from_ref(&p),
            SelectionSettings::without_random(),
        );
        let e = RiskEngine::compile(&[p], priced("851713", Decimal::from(180)));
        // 4999.99 / 100 = 49.9999 < 50; reference 180 → ratio 0.28.
        let d = declaration(&[("8517130000", "CN", "100", "4999.99")], "41701");
        assert!(
            fired_ids(&unpriced, &input(&d)).is_empty(),
            "no reference price, no ratio"
        );
        assert_eq!(fired_ids(&e, &input(&d)), vec!["cheap"]);
        let d = declaration(&[("8517130000", "CN", "100", "5000.00")], "41701");
        assert!(fired_ids(&e, &input(&d)).is_empty());
    }

    #[test]
    fn the_settings_reference_prices_apply_and_are_covered_by_the_digest() {
        let p = profile(
            "under-ref",
            json!({"criteria": [
                {"field": "items.reference_price_ratio", "op": "lt", "value": "0.5"},
            ]}),
        );
        let d = declaration(&[("8517130000", "CN", "100", "4999.99")], "41701");
        let without = RiskEngine::compile(
            std::slice::from_ref(&p),
            SelectionSettings::without_random(),
        );
        assert!(fired_ids(&without, &input(&d)).is_empty());
        let with = RiskEngine::compile(&[p], priced("8517", Decimal::from(180)));
        assert_ne!(with.digest(), without.digest());
        let a = with.assess(&input(&d));
        assert_eq!(
            a.fired.iter().map(|f| &*f.profile).collect::<Vec<_>>(),
            vec!["under-ref"]
        );
        // The explanation shows the ratio that matched: 49.9999 / 180.
        assert!(
            a.fired[0].matched[0].value.starts_with("0.2777"),
            "{:?}",
            a.fired[0].matched
        );
    }
}
