//! Tax assessment of one declaration: customs value, duty, excise and VAT per goods item,
//! exactly as CONTRACT.md ("Tariff, exchange rates, taxes, payments") says, rounded as
//! `ROUNDING.md` says.
//!
//! A pure function of the declaration and immutable snapshots of the tariff, rates and
//! preferences: the same inputs always give the same taxes, whatever the order of the items.
//! It computes import taxes; whether the declared procedure levies them is the caller's call.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use tamga_types::{Declaration, FieldError, GoodsItem};

use crate::preferences::{MFN, PROOF_OF_ORIGIN, PreferenceRules};
use crate::rates::ExchangeRates;
use crate::schedule::{DutyMode, Specific, TariffLine, TariffSchedule};

/// A refusal of the assessment, by field path, e.g. `items[0].unit` / `unit_mismatch`.
///
/// Codes: `no_exchange_rate` (`invoice.currency`), `no_tariff_line` (`items[i].hs_code`),
/// `unit_mismatch` (`items[i].unit`), `unknown_preference` (`items[i].preference`),
/// `negative` (the amount's path), `nothing_to_apportion` (`invoice.freight`: freight or
/// insurance on a declaration whose items are worth nothing), `amount_too_large`.
pub type TaxError = FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TaxKind {
    Duty,
    Excise,
    Vat,
}

/// One tax of one goods item: `amount` = round2(`base` × `rate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxLine {
    pub tax: TaxKind,
    /// The customs value (ad valorem), the quantity or net mass (specific), or customs value +
    /// duty + excise (VAT).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1311750.00"))]
    pub base: Decimal,
    /// What `base` counts: the national currency, or the unit of a specific rate (`kg`, `l`, …).
    #[cfg_attr(feature = "openapi", schema(example = "KGS"))]
    pub base_unit: String,
    /// The rate applied, after any preference: `"10%"` or `"2.5 KGS/l"`.
    #[cfg_attr(feature = "openapi", schema(example = "10%"))]
    pub rate: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "131175.00"))]
    pub amount: Decimal,
    /// How the rate was chosen, for mixed duties and preferences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The taxes of one goods item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxItem {
    /// Index of the goods item in the declaration, from 0 (as in `items[0]`).
    pub item: usize,
    pub hs_code: String,
    /// Code of the tariff line applied (the longest matching prefix).
    pub tariff_code: String,
    /// (value + share of freight and insurance) × exchange rate, rounded to 2 decimals.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1311750.00"))]
    pub customs_value: Decimal,
    /// The preference code granted (`200`, `300`); `None` when MFN applies.
    pub preference_applied: Option<String>,
    /// Why a requested preference was granted or refused.
    pub note: Option<String>,
    pub lines: Vec<TaxLine>,
}

impl TaxItem {
    /// Sum of this item's rounded amounts.
    pub fn total(&self) -> Decimal {
        self.lines.iter().map(|l| l.amount).sum()
    }

    /// The rounded amount of one tax (zero when the item does not pay it).
    pub fn amount(&self, tax: TaxKind) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.tax == tax)
            .map(|l| l.amount)
            .sum()
    }
}

/// The taxes of a declaration, in national currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Taxes {
    /// The national currency every amount is in.
    #[cfg_attr(feature = "openapi", schema(example = "KGS"))]
    pub currency: String,
    /// The day whose tariff and exchange rate were applied.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03-02"))]
    pub date: Date,
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub invoice_currency: String,
    /// National currency per one unit of the invoice currency on `date`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "87.4500"))]
    pub exchange_rate: Decimal,
    pub items: Vec<TaxItem>,
    /// Sum of every rounded amount of every item.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "157410.00"))]
    pub total: Decimal,
}

/// The revenue a reassessment recovers: `after.total − before.total` (negative for a refund).
pub fn difference(before: &Taxes, after: &Taxes) -> Decimal {
    after.total - before.total
}

/// Half-up (away from zero) to 2 decimals, always written with 2 decimals.
pub fn round2(x: Decimal) -> Decimal {
    let mut r = x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// Assesses the taxes of `decl` on `date`. Refused with every problem found, each by field
/// path (see [`TaxError`]); nothing is assessed when anything is wrong.
pub fn assess_taxes(
    decl: &Declaration,
    date: Date,
    tariff: &TariffSchedule,
    rates: &ExchangeRates,
    preferences: &PreferenceRules,
    national_currency: &str,
) -> Result<Taxes, Vec<TaxError>> {
    let mut errors = Vec::new();
    let invoice_currency = decl.invoice.currency.as_str();
    let exchange_rate = if invoice_currency == national_currency {
        Some(Decimal::ONE)
    } else {
        rates.rate(invoice_currency, date)
    };
    if exchange_rate.is_none() {
        errors.push(FieldError::new(
            "invoice.currency",
            "no_exchange_rate",
            format!("no exchange rate for {invoice_currency} on {date}"),
        ));
    }
    let (freight, insurance) = (decl.invoice.freight, decl.invoice.insurance);
    for (path, amount) in [
        ("invoice.freight", freight),
        ("invoice.insurance", insurance),
    ] {
        if is_negative(amount) {
            errors.push(negative(path.to_owned(), amount));
        }
    }
    let added = freight.checked_add(insurance);
    let total_value = decl
        .items
        .iter()
        .try_fold(Decimal::ZERO, |sum, item| sum.checked_add(item.value));
    let (Some(added), Some(total_value)) = (added, total_value) else {
        errors.push(too_large("invoice"));
        return Err(errors);
    };
    if total_value.is_zero() && !added.is_zero() {
        errors.push(FieldError::new(
            "invoice.freight",
            "nothing_to_apportion",
            "freight and insurance cannot be shared among items worth nothing",
        ));
    }
    let context = Context {
        date,
        exchange_rate: exchange_rate.unwrap_or(Decimal::ONE),
        national_currency,
        added,
        total_value,
        total_with_added: total_value.checked_add(added),
        proof_of_origin: decl
            .documents
            .iter()
            .map(|d| d.code.as_str())
            .find(|code| PROOF_OF_ORIGIN.contains(code)),
    };

    let mut items = Vec::with_capacity(decl.items.len());
    for (i, item) in decl.items.iter().enumerate() {
        if let Some(taxed) = assess_item(i, item, &context, tariff, preferences, &mut errors) {
            items.push(taxed);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let total = items
        .iter()
        .flat_map(|item| item.lines.iter())
        .try_fold(Decimal::ZERO, |sum, line| sum.checked_add(line.amount))
        .ok_or_else(|| vec![too_large("items")])?;
    Ok(Taxes {
        currency: national_currency.to_owned(),
        date,
        invoice_currency: invoice_currency.to_owned(),
        exchange_rate: context.exchange_rate,
        items,
        total,
    })
}

struct Context<'a> {
    date: Date,
    exchange_rate: Decimal,
    national_currency: &'a str,
    /// Freight + insurance, in the invoice currency.
    added: Decimal,
    /// Sum of the items' values, in the invoice currency.
    total_value: Decimal,
    total_with_added: Option<Decimal>,
    proof_of_origin: Option<&'a str>,
}

/// The arithmetic outgrew `Decimal` (about 7.9 × 10^28): no real declaration gets here.
struct Overflow;

/// What the preference rules decided for one item.
struct PreferenceOutcome {
    /// Share of the MFN duty to pay; `None`: MFN.
    duty_share: Option<Decimal>,
    applied: Option<String>,
    note: Option<String>,
}

fn assess_item(
    i: usize,
    item: &GoodsItem,
    context: &Context<'_>,
    tariff: &TariffSchedule,
    preferences: &PreferenceRules,
    errors: &mut Vec<TaxError>,
) -> Option<TaxItem> {
    let before = errors.len();
    for (field, amount) in [
        ("value", item.value),
        ("quantity", item.quantity),
        ("net_mass_kg", item.net_mass_kg),
    ] {
        if is_negative(amount) {
            errors.push(negative(format!("items[{i}].{field}"), amount));
        }
    }
    let preference = resolve_preference(i, item, preferences, context.proof_of_origin, errors);
    let hs_code = item.hs_code.as_str();
    let Some(line) = tariff.line_for(hs_code, context.date) else {
        errors.push(FieldError::new(
            format!("items[{i}].hs_code"),
            "no_tariff_line",
            format!("no tariff line for {hs_code} on {}", context.date),
        ));
        return None;
    };
    let duty_specific = line
        .duty_specific()
        .filter(|_| line.duty_mode().is_some_and(|m| m != DutyMode::AdValorem));
    let duty_quantity = duty_specific.and_then(|s| quantity_for(i, item, line, s, "duty", errors));
    let excise_quantity = match line.excise_specific() {
        // Same unit as the duty, already refused: one problem, reported once.
        Some(s) if duty_quantity.is_none() && duty_specific.is_some_and(|d| d.unit == s.unit) => {
            None
        }
        Some(s) => quantity_for(i, item, line, s, "excise", errors),
        None => None,
    };
    if errors.len() > before || context.total_with_added.is_none() {
        return None;
    }
    let preference = preference?;
    match compute(
        i,
        item,
        line,
        context,
        preference,
        duty_quantity,
        excise_quantity,
    ) {
        Ok(taxed) => Some(taxed),
        Err(Overflow) => {
            errors.push(too_large(&format!("items[{i}].value")));
            None
        }
    }
}

/// The quantity a specific rate applies to: net mass for `kg`, else the declared quantity,
/// which must be in the line's unit.
fn quantity_for(
    i: usize,
    item: &GoodsItem,
    line: &TariffLine,
    specific: &Specific,
    tax: &str,
    errors: &mut Vec<TaxError>,
) -> Option<Decimal> {
    if specific.unit == "kg" {
        Some(item.net_mass_kg)
    } else if item.unit == specific.unit {
        Some(item.quantity)
    } else {
        errors.push(FieldError::new(
            format!("items[{i}].unit"),
            "unit_mismatch",
            format!(
                "tariff line {} levies {tax} per {}; the quantity is declared in {}",
                line.code(),
                specific.unit,
                item.unit
            ),
        ));
        None
    }
}

fn resolve_preference(
    i: usize,
    item: &GoodsItem,
    preferences: &PreferenceRules,
    proof_of_origin: Option<&str>,
    errors: &mut Vec<TaxError>,
) -> Option<PreferenceOutcome> {
    let mfn = PreferenceOutcome {
        duty_share: None,
        applied: None,
        note: None,
    };
    let code = match item.preference.as_deref() {
        None | Some(MFN) => return Some(mfn),
        Some(code) if !PreferenceRules::is_known(code) => {
            errors.push(FieldError::new(
                format!("items[{i}].preference"),
                "unknown_preference",
                format!("{code:?} is not one of 100 (MFN), 200 (developing), 300 (free trade / customs union)"),
            ));
            return None;
        }
        Some(code) => code,
    };
    let origin = item.origin.as_str();
    let Some(grant) = preferences.grant(code, origin) else {
        let groups: Vec<&str> = PreferenceRules::groups_for(code).collect();
        return Some(PreferenceOutcome {
            note: Some(format!(
                "preference {code} refused: origin {origin} not in group {}; MFN applied",
                groups.join(" or ")
            )),
            ..mfn
        });
    };
    let Some(proof) = proof_of_origin else {
        return Some(PreferenceOutcome {
            note: Some(format!(
                "preference {code} refused: no proof of origin ({}); MFN applied",
                PROOF_OF_ORIGIN.join(", ")
            )),
            ..mfn
        });
    };
    Some(PreferenceOutcome {
        duty_share: Some(grant.duty_share),
        applied: Some(code.to_owned()),
        note: Some(format!(
            "preference {code} granted: origin {origin} in group {}, proof of origin {proof}, duty share {} of MFN",
            grant.group,
            grant.duty_share.normalize()
        )),
    })
}

/// One way of levying a tax before rounding: `exact` = `base` × rate.
struct Levy {
    base: Decimal,
    base_unit: String,
    rate: String,
    exact: Decimal,
}

fn compute(
    i: usize,
    item: &GoodsItem,
    line: &TariffLine,
    context: &Context<'_>,
    preference: PreferenceOutcome,
    duty_quantity: Option<Decimal>,
    excise_quantity: Option<Decimal>,
) -> Result<TaxItem, Overflow> {
    let customs_value = customs_value(item.value, context)?;
    let national = context.national_currency;
    let mut lines = Vec::with_capacity(3);

    let mut duty = Decimal::ZERO;
    if let Some(mode) = line.duty_mode() {
        let share = preference.duty_share;
        let scaled = |x: Decimal| share.map_or(Some(x), |s| x.checked_mul(s)).ok_or(Overflow);
        let ad_valorem = match line.duty_rate() {
            Some(rate) => Some(ad_valorem(customs_value, scaled(rate)?, national)?),
            None => None,
        };
        let specific = match (line.duty_specific(), duty_quantity) {
            (Some(s), Some(quantity)) => {
                Some(specific(quantity, scaled(s.amount)?, &s.unit, national)?)
            }
            _ => None,
        };
        let (chosen, mut detail) = match (mode, ad_valorem, specific) {
            (DutyMode::AdValorem, Some(a), _) => (a, None),
            (DutyMode::Specific, _, Some(s)) => (s, None),
            (DutyMode::Higher | DutyMode::Lower, Some(a), Some(s)) => {
                let take_specific = if mode == DutyMode::Higher {
                    s.exact > a.exact
                } else {
                    s.exact < a.exact
                };
                let detail = format!(
                    "{} of {} × {} {} = {} and {} × {} {} = {}",
                    mode.as_str(),
                    a.rate,
                    a.base,
                    a.base_unit,
                    round2(a.exact),
                    s.rate,
                    s.base,
                    s.base_unit,
                    round2(s.exact)
                );
                (if take_specific { s } else { a }, Some(detail))
            }
            // A schedule only holds lines whose mode has its rates (checked on load), and the
            // specific quantity was resolved before computing.
            _ => unreachable!("tariff line {} mode without its rates", line.code()),
        };
        if let (Some(share), Some(code)) = (share, preference.applied.as_deref()) {
            let why = format!(
                "preference {code}: MFN rates × duty share {}",
                share.normalize()
            );
            detail = Some(match detail {
                Some(d) => format!("{why}; {d}"),
                None => why,
            });
        }
        let line = finish(TaxKind::Duty, chosen, detail);
        duty = line.amount;
        lines.push(line);
    }

    let mut excise = Decimal::ZERO;
    let excise_levy = match (line.excise_rate(), line.excise_specific(), excise_quantity) {
        (Some(rate), _, _) => Some(ad_valorem(customs_value, rate, national)?),
        (None, Some(s), Some(quantity)) => Some(specific(quantity, s.amount, &s.unit, national)?),
        _ => None,
    };
    if let Some(levy) = excise_levy {
        let line = finish(TaxKind::Excise, levy, None);
        excise = line.amount;
        lines.push(line);
    }

    if let Some(rate) = line.vat_rate() {
        let base = customs_value
            .checked_add(duty)
            .and_then(|b| b.checked_add(excise))
            .ok_or(Overflow)?;
        lines.push(finish(
            TaxKind::Vat,
            ad_valorem(base, rate, national)?,
            None,
        ));
    }

    Ok(TaxItem {
        item: i,
        hs_code: item.hs_code.as_str().to_owned(),
        tariff_code: line.code().to_owned(),
        customs_value,
        preference_applied: preference.applied,
        note: preference.note,
        lines,
    })
}

/// round2((value + share of freight and insurance) × rate), where the share is
/// (freight + insurance) × value / total value, never rounded on its own. Computed as
/// value × (total + freight + insurance) × rate / total — the same number, with the one
/// division last so that nothing is lost before the final rounding.
fn customs_value(value: Decimal, context: &Context<'_>) -> Result<Decimal, Overflow> {
    let exact = if context.added.is_zero() || context.total_value.is_zero() {
        value.checked_mul(context.exchange_rate)
    } else {
        context
            .total_with_added
            .and_then(|t| value.checked_mul(t))
            .and_then(|x| x.checked_mul(context.exchange_rate))
            .and_then(|x| x.checked_div(context.total_value))
    };
    exact.map(round2).ok_or(Overflow)
}

fn ad_valorem(base: Decimal, percent: Decimal, national: &str) -> Result<Levy, Overflow> {
    let exact = base
        .checked_mul(percent)
        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
        .ok_or(Overflow)?;
    Ok(Levy {
        base,
        base_unit: national.to_owned(),
        rate: format!("{}%", percent.normalize()),
        exact,
    })
}

fn specific(
    quantity: Decimal,
    amount: Decimal,
    unit: &str,
    national: &str,
) -> Result<Levy, Overflow> {
    let exact = quantity.checked_mul(amount).ok_or(Overflow)?;
    Ok(Levy {
        base: quantity,
        base_unit: unit.to_owned(),
        rate: format!("{} {national}/{unit}", amount.normalize()),
        exact,
    })
}

fn finish(tax: TaxKind, levy: Levy, detail: Option<String>) -> TaxLine {
    TaxLine {
        tax,
        base: levy.base,
        base_unit: levy.base_unit,
        rate: levy.rate,
        amount: round2(levy.exact),
        detail,
    }
}

fn is_negative(amount: Decimal) -> bool {
    amount.is_sign_negative() && !amount.is_zero()
}

fn negative(path: String, amount: Decimal) -> TaxError {
    FieldError::new(path, "negative", format!("{amount} is negative"))
}

fn too_large(path: &str) -> TaxError {
    FieldError::new(
        path,
        "amount_too_large",
        "the amounts are too large to compute exactly",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_away_from_zero_to_two_decimals() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(round2(d("1.005")).to_string(), "1.01");
        assert_eq!(round2(d("1.0049999")).to_string(), "1.00");
        assert_eq!(round2(d("2.675")).to_string(), "2.68");
        assert_eq!(round2(d("0.125")).to_string(), "0.13");
        assert_eq!(round2(d("10")).to_string(), "10.00");
        assert_eq!(round2(d("-1.005")).to_string(), "-1.01");
    }
}
