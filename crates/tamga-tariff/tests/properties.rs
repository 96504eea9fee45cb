//! Properties of the tax arithmetic that must hold for every declaration.

mod common;

use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use tamga_tariff::{Taxes, assess_taxes, difference};
use tamga_types::Declaration;

/// Commodity codes of the test tariff with the unit their specific rates want.
const GOODS: [(&str, &str); 7] = [
    ("8517130000", "p/st"),
    ("2203000000", "l"),
    ("2208300000", "l"),
    ("6403990000", "pa"),
    ("6204110000", "p/st"),
    ("2402209000", "1000 p/st"),
    ("8703231990", "p/st"),
];
const ORIGINS: [&str; 5] = ["CN", "IN", "KZ", "BD", "DE"];
const PREFERENCES: [Option<&str>; 4] = [None, Some("100"), Some("200"), Some("300")];
const CURRENCIES: [&str; 3] = ["KGS", "USD", "EUR"];

#[derive(Debug, Clone)]
struct Goods {
    kind: usize,
    origin: usize,
    preference: usize,
    /// In thousandths.
    quantity: i64,
    /// In grams.
    net_mass: i64,
    /// In cents.
    value: i64,
}

#[derive(Debug, Clone)]
struct Case {
    currency: usize,
    freight: i64,
    insurance: i64,
    proof: bool,
    goods: Vec<Goods>,
}

fn goods() -> impl Strategy<Value = Goods> {
    (
        0..GOODS.len(),
        0..ORIGINS.len(),
        0..PREFERENCES.len(),
        0i64..=100_000_000,
        0i64..=100_000_000,
        1i64..=1_000_000_000,
    )
        .prop_map(
            |(kind, origin, preference, quantity, net_mass, value)| Goods {
                kind,
                origin,
                preference,
                quantity,
                net_mass,
                value,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..CURRENCIES.len(),
        0i64..=10_000_000,
        0i64..=1_000_000,
        any::<bool>(),
        prop::collection::vec(goods(), 1..8),
    )
        .prop_map(|(currency, freight, insurance, proof, goods)| Case {
            currency,
            freight,
            insurance,
            proof,
            goods,
        })
}

fn goods_json(g: &Goods) -> Value {
    let (hs_code, unit) = GOODS[g.kind];
    item(
        hs_code,
        ORIGINS[g.origin],
        &Decimal::new(g.quantity, 3).to_string(),
        unit,
        &Decimal::new(g.net_mass, 3).to_string(),
        &Decimal::new(g.value, 2).to_string(),
        PREFERENCES[g.preference],
    )
}

fn build(case: &Case, goods: &[Goods]) -> Declaration {
    let documents: &[&str] = if case.proof {
        &["N380", "N954"]
    } else {
        &["N380"]
    };
    declaration(
        CURRENCIES[case.currency],
        &Decimal::new(case.freight, 2).to_string(),
        &Decimal::new(case.insurance, 2).to_string(),
        goods.iter().map(goods_json).collect(),
        documents,
    )
}

fn assess(decl: &Declaration) -> Taxes {
    match assess_taxes(decl, day(), &tariff(), &rates(), &preferences(), "KGS") {
        Ok(taxes) => taxes,
        Err(errors) => panic!("{errors:#?}"),
    }
}

/// A case and a permutation of its goods items.
fn case_and_permutation() -> impl Strategy<Value = (Case, Vec<usize>)> {
    case().prop_flat_map(|case| {
        let order: Vec<usize> = (0..case.goods.len()).collect();
        (Just(case), Just(order).prop_shuffle())
    })
}

proptest! {
    #[test]
    fn the_total_is_the_sum_of_every_items_rounded_amounts(case in case()) {
        let taxes = assess(&build(&case, &case.goods));
        let sum: Decimal = taxes.items.iter().flat_map(|i| &i.lines).map(|l| l.amount).sum();
        prop_assert_eq!(taxes.total, sum);
        for line in taxes.items.iter().flat_map(|i| &i.lines) {
            prop_assert_eq!(line.amount.scale(), 2);
        }
    }

    #[test]
    fn no_tax_is_negative(case in case()) {
        let taxes = assess(&build(&case, &case.goods));
        prop_assert!(taxes.total >= Decimal::ZERO);
        for item in &taxes.items {
            prop_assert!(item.customs_value >= Decimal::ZERO);
            for line in &item.lines {
                prop_assert!(line.amount >= Decimal::ZERO, "{:?}", line);
                prop_assert!(line.base >= Decimal::ZERO, "{:?}", line);
            }
        }
    }

    #[test]
    fn the_taxes_do_not_depend_on_the_order_of_the_items((case, order) in case_and_permutation()) {
        let original = assess(&build(&case, &case.goods));
        let permuted_goods: Vec<Goods> = order.iter().map(|&i| case.goods[i].clone()).collect();
        let permuted = assess(&build(&case, &permuted_goods));
        prop_assert_eq!(permuted.total, original.total);
        for (position, &i) in order.iter().enumerate() {
            let mut moved = permuted.items[position].clone();
            prop_assert_eq!(moved.item, position);
            moved.item = i;
            prop_assert_eq!(&moved, &original.items[i]);
        }
    }

    #[test]
    fn a_reassessment_difference_is_after_minus_before_and_grows_with_a_corrected_value(
        case in case(),
        which in any::<prop::sample::Index>(),
        // At least one unit of the invoice currency more.
        correction in 100i64..=100_000_000,
    ) {
        let k = which.index(case.goods.len());
        let mut corrected = case.goods.clone();
        corrected[k].value += correction;
        let before = assess(&build(&case, &case.goods));
        let after = assess(&build(&case, &corrected));
        prop_assert_eq!(difference(&before, &after), after.total - before.total);
        // With freight to share among several items, raising one item's value moves part of
        // the freight onto it from the others, whose duty may be higher; the total can then
        // (rarely) fall. Without that, correcting a value upwards always recovers revenue.
        if case.goods.len() == 1 || case.freight + case.insurance == 0 {
            prop_assert!(difference(&before, &after) > Decimal::ZERO);
        }
        let cif = |t: &Taxes| t.items.iter().map(|i| i.customs_value).sum::<Decimal>();
        prop_assert!(cif(&after) > cif(&before));
    }
}
