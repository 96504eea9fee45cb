//! A criterion compiled for deciding: its operand packed or parsed once, and a cost to test
//! the cheap criteria of a profile first.

use rust_decimal::Decimal;
use tamga_types::Declaration;

use super::facts::Fact;
use super::text::TextSet;
use crate::profile::{Criterion, Field, Op, Operand};

/// A criterion's operand, compiled.
#[derive(Debug)]
enum Test {
    None,
    Text(TextSet),
    Number(Decimal),
}

/// A criterion compiled for deciding.
#[derive(Debug)]
pub(super) struct Check {
    pub(super) field: Field,
    op: Op,
    test: Test,
}

impl Check {
    pub(super) fn new(c: &Criterion) -> Check {
        Check {
            field: c.field,
            op: c.op,
            test: match &c.operand {
                Operand::None => Test::None,
                Operand::Texts(t) => Test::Text(TextSet::new(t)),
                Operand::Number(n) => Test::Number(*n),
            },
        }
    }

    /// Relative cost of deciding, to test the cheap criteria first.
    pub(super) fn cost(&self) -> u8 {
        match self.field {
            Field::DocumentsCode | Field::InvoiceTotal => 3,
            Field::ItemUnitValue | Field::ItemValuePerKg => 2,
            Field::ItemReferencePriceRatio => 4,
            f if f.kind() == crate::profile::FieldKind::Numeric => 1,
            _ => 0,
        }
    }

    /// Whether the criterion holds for `v`. A missing value satisfies only `absent` and
    /// `not_in`.
    #[inline]
    pub(super) fn holds(&self, v: Fact<'_>) -> bool {
        match (self.op, v) {
            (Op::Present, v) => !matches!(v, Fact::Missing),
            (Op::Absent, v) => matches!(v, Fact::Missing),
            (Op::NotIn, Fact::Missing) => true,
            (_, Fact::Missing) => false,
            (op, Fact::Text(p, s)) => {
                let Test::Text(t) = &self.test else {
                    return false;
                };
                match op {
                    Op::Eq | Op::In => t.contains(p, s),
                    Op::NotIn => !t.contains(p, s),
                    Op::Prefix => t.prefixes(p, s),
                    _ => false,
                }
            }
            (op, Fact::Num(n)) => {
                let Test::Number(x) = &self.test else {
                    return false;
                };
                match op {
                    Op::Eq => n == *x,
                    Op::Lt => n < *x,
                    Op::Le => n <= *x,
                    Op::Gt => n > *x,
                    Op::Ge => n >= *x,
                    _ => false,
                }
            }
        }
    }

    /// Same answer as `documents_hold(..).is_some()`, without allocating.
    pub(super) fn documents_hold(&self, d: &Declaration) -> bool {
        let Test::Text(t) = &self.test else {
            return false;
        };
        let any = || t.texts.iter().any(|x| d.has_document(x));
        match self.op {
            Op::Present => any(),
            Op::Absent => !any(),
            _ => false,
        }
    }
}
