//! The values of one declaration that criteria read: computed or packed once per
//! assessment ([`Facts`]), and shown as text in what a fired profile reports ([`Val`]).

use std::borrow::Cow;
use std::cell::OnceCell;

use jiff::civil::Date;
use rust_decimal::Decimal;
use tamga_types::{Declaration, GoodsItem};

use super::prices::convert;
use super::text::Packed;
use super::{AssessmentInput, Matched, ReferencePrices, SelectionSettings};
use crate::condition::Bindings;
use crate::profile::{Criterion, Field, Op, Operand};
use crate::trader::RiskCategory;

/// A field's value for deciding: [`Val`] with texts packed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fact<'a> {
    Text(Packed, &'a str),
    Num(Decimal),
    Missing,
}

impl<'a> From<Fact<'a>> for Val<'a> {
    fn from(f: Fact<'a>) -> Val<'a> {
        match f {
            Fact::Text(_, s) => Val::Text(s),
            Fact::Num(n) => Val::Num(n),
            Fact::Missing => Val::Missing,
        }
    }
}

impl<'a> From<Val<'a>> for Fact<'a> {
    fn from(v: Val<'a>) -> Fact<'a> {
        match v {
            Val::Text(s) => Fact::Text(Packed::new(s), s),
            Val::Num(n) => Fact::Num(n),
            Val::Missing => Fact::Missing,
        }
    }
}

/// One goods item's values, packed or derived once per assessment (derived on first use).
pub(super) struct ItemFacts<'a> {
    item: &'a GoodsItem,
    hs_code: Packed,
    origin: Packed,
    unit: Packed,
    preference: Option<Packed>,
    unit_value: OnceCell<Option<Decimal>>,
    value_per_kg: OnceCell<Option<Decimal>>,
    reference_price_ratio: OnceCell<Option<Decimal>>,
}

/// What every candidate of one assessment reads: computed once, not per profile.
pub(super) struct Facts<'a> {
    pub(super) input: &'a AssessmentInput<'a>,
    /// The settings' reference-price table (covered by the engine digest).
    reference_prices: &'a ReferencePrices,
    pub(super) date: i32,
    pub(super) office: Packed,
    invoice_total: OnceCell<Decimal>,
    pub(super) items: Vec<ItemFacts<'a>>,
    pub(super) bindings: OnceCell<Bindings<'a>>,
}

impl<'a> Facts<'a> {
    pub(super) fn new(
        input: &'a AssessmentInput<'a>,
        settings: &'a SelectionSettings,
    ) -> Facts<'a> {
        let d = input.declaration;
        Facts {
            input,
            reference_prices: &settings.reference_prices,
            date: day_key(input.date),
            office: Packed::new(d.office.as_str()),
            invoice_total: OnceCell::new(),
            items: d
                .items
                .iter()
                .map(|item| ItemFacts {
                    item,
                    hs_code: Packed::new(item.hs_code.as_str()),
                    origin: Packed::new(item.origin.as_str()),
                    unit: Packed::new(&item.unit),
                    preference: item.preference.as_deref().map(Packed::new),
                    unit_value: OnceCell::new(),
                    value_per_kg: OnceCell::new(),
                    reference_price_ratio: OnceCell::new(),
                })
                .collect(),
            bindings: OnceCell::new(),
        }
    }

    /// Same values as [`declaration_value`].
    pub(super) fn declaration(&self, f: Field) -> Fact<'a> {
        let d = self.input.declaration;
        match f {
            Field::Office => Fact::Text(self.office, d.office.as_str()),
            Field::InvoiceTotal => Fact::Num(*self.invoice_total.get_or_init(|| d.invoice_total())),
            f => declaration_value(f, d, self.input.trader.risk_category).into(),
        }
    }

    /// An item field's value (what `matched` shows is read here too).
    #[inline]
    pub(super) fn item(&self, f: Field, it: &ItemFacts<'a>) -> Fact<'a> {
        let item = it.item;
        let num = |o: Option<Decimal>| o.map_or(Fact::Missing, Fact::Num);
        let unit_value = || *it.unit_value.get_or_init(|| item.unit_value());
        match f {
            Field::ItemHsCode => Fact::Text(it.hs_code, item.hs_code.as_str()),
            Field::ItemOrigin => Fact::Text(it.origin, item.origin.as_str()),
            Field::ItemUnit => Fact::Text(it.unit, &item.unit),
            Field::ItemPreference => match (it.preference, item.preference.as_deref()) {
                (Some(p), Some(s)) => Fact::Text(p, s),
                _ => Fact::Missing,
            },
            Field::ItemQuantity => Fact::Num(item.quantity),
            Field::ItemNetMassKg => Fact::Num(item.net_mass_kg),
            Field::ItemGrossMassKg => Fact::Num(item.gross_mass_kg),
            Field::ItemValue => Fact::Num(item.value),
            Field::ItemUnitValue => num(unit_value()),
            Field::ItemValuePerKg => num(*it
                .value_per_kg
                .get_or_init(|| item.value.checked_div(item.net_mass_kg))),
            Field::ItemReferencePriceRatio => num(*it.reference_price_ratio.get_or_init(|| {
                let p = self.reference_prices.lookup(item.hs_code.as_str())?;
                let invoice = self.input.declaration.invoice.currency.as_str();
                let price = convert(
                    p.unit_price,
                    &p.currency,
                    invoice,
                    self.input.exchange_rates,
                )?;
                unit_value()?.checked_div(price)
            })),
            _ => Fact::Missing,
        }
    }
}

/// A field's value in one declaration (and one item).
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Text(&'a str),
    Num(Decimal),
    Missing,
}

impl Val<'_> {
    pub(super) fn show(self) -> String {
        match self {
            Val::Text(s) => s.to_owned(),
            Val::Num(d) => d.normalize().to_string(),
            Val::Missing => "(absent)".to_owned(),
        }
    }
}

fn opt<T: AsRef<str>>(v: &Option<T>) -> Val<'_> {
    v.as_ref().map_or(Val::Missing, |s| Val::Text(s.as_ref()))
}

pub(super) fn declaration_value<'a>(f: Field, d: &'a Declaration, trader: RiskCategory) -> Val<'a> {
    match f {
        Field::Type => Val::Text(d.kind.as_str()),
        Field::Procedure => Val::Text(&d.procedure),
        Field::Office => Val::Text(d.office.as_str()),
        Field::Declarant => Val::Text(d.declarant.as_str()),
        Field::Importer => opt(&d.importer),
        Field::ExporterCountry => d
            .exporter
            .as_ref()
            .map_or(Val::Missing, |e| Val::Text(e.country.as_str())),
        Field::DispatchCountry => opt(&d.dispatch_country),
        Field::DestinationCountry => opt(&d.destination_country),
        Field::TransportMode => Val::Text(&d.transport.mode),
        Field::TransportBorderOffice => opt(&d.transport.border_office),
        Field::InvoiceCurrency => Val::Text(d.invoice.currency.as_str()),
        Field::InvoiceIncoterm => opt(&d.invoice.incoterm),
        Field::TraderRiskCategory => Val::Text(trader.as_str()),
        Field::ItemsCount => Val::Num(Decimal::from(d.items.len())),
        Field::InvoiceTotal => Val::Num(d.invoice_total()),
        // Documents are tested by `documents_hold`; item fields per item.
        _ => Val::Missing,
    }
}

pub(super) fn documents_hold(c: &Criterion, d: &Declaration) -> Option<Matched> {
    let Operand::Texts(codes) = &c.operand else {
        return None;
    };
    let found: Vec<&str> = codes
        .iter()
        .filter(|x| d.has_document(x))
        .map(|s| s.as_str())
        .collect();
    let value = match c.op {
        Op::Present if !found.is_empty() => found.join(", "),
        Op::Absent if found.is_empty() => format!("none of {}", codes.join(", ")),
        _ => return None,
    };
    Some(Matched {
        field: Cow::Borrowed(c.field.as_str()),
        value,
        item: None,
    })
}

/// A date as one integer ordered like the date.
pub(super) fn day_key(d: Date) -> i32 {
    (i32::from(d.year()) << 9) | (i32::from(d.month()) << 5) | i32::from(d.day())
}
