//! A profile's `condition`: a CEL expression (the `cel` crate) for what criteria cannot say.
//!
//! The expression sees three variables, each in its stored JSON form (decimals are
//! strings, so compare with `double(item.value) > 100.0`):
//! - `declaration`: the whole declaration;
//! - `item`: one goods item. The condition is evaluated once per goods item that satisfies
//!   the profile's `items.*` criteria (every item when there are none), and the profile
//!   fires when criteria and condition hold for the same item. An expression that does not
//!   mention `item` is evaluated once, with `item` bound to `null`;
//! - `trader`: `{"risk_category": "low" | "medium" | "high"}`.
//!
//! Invariants: an expression is checked when the profile is written ([`Condition::check`]:
//! it must parse, name no other variable and yield a boolean on a sample declaration);
//! evaluation never panics out of this module (interpreter panics are caught) and an
//! evaluation that fails or yields a non-boolean is an `Err` the engine must fail safe on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

use std::collections::HashMap;

use cel::common::types::{CelMap, CelMapKey, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, ExecutionError, Program, Value};
use serde_json::json;

/// The variables a condition may name.
pub const VARIABLES: [&str; 3] = ["declaration", "item", "trader"];

/// A compiled condition, shareable across threads.
pub struct Condition {
    pub source: String,
    program: Program,
    /// False when the expression does not mention `item`: evaluate it once per declaration.
    pub per_item: bool,
    uses_declaration: bool,
    uses_trader: bool,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condition")
            .field("source", &self.source)
            .finish()
    }
}

fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(Env::stdlib()))
}

/// The variable values for one declaration, each converted on first use only (converting
/// the whole declaration costs far more than evaluating most conditions) and then kept in
/// the interpreter's own form, so that an evaluation binds them by reference, without
/// copying a map per evaluation.
pub struct Bindings<'a> {
    source: &'a tamga_types::Declaration,
    declaration: OnceLock<Result<Box<dyn Val>, String>>,
    items: Vec<OnceLock<Result<Box<dyn Val>, String>>>,
    trader: Box<dyn Val>,
    null: Box<dyn Val>,
}

fn convert<T: serde::Serialize>(v: &T) -> Result<Box<dyn Val>, String> {
    let value = cel::to_value(v).map_err(|e| e.to_string())?;
    Box::<dyn Val>::try_from(value).map_err(|e| e.to_string())
}

/// A goods item built straight into the interpreter's form: the same map as
/// `convert(item)` (tested), without going through serde and [`Value`] and copying it.
fn convert_item(item: &tamga_types::GoodsItem) -> Result<Box<dyn Val>, String> {
    let text = |s: &str| -> Box<dyn Val> { Box::new(CelString::from(s.to_owned())) };
    // A decimal as its serde form (a string), exactly as `convert` writes it.
    let decimal = |d: &rust_decimal::Decimal| -> Result<Box<dyn Val>, String> {
        match cel::to_value(d).map_err(|e| e.to_string())? {
            Value::String(s) => Ok(Box::new(CelString::from(s))),
            other => Box::<dyn Val>::try_from(other).map_err(|e| e.to_string()),
        }
    };
    let mut m: HashMap<CelMapKey<'static>, Box<dyn Val>> = HashMap::with_capacity(9);
    let mut put = |k: &'static str, v: Box<dyn Val>| {
        m.insert(CelMapKey::from(k), v);
    };
    put("hs_code", text(item.hs_code.as_str()));
    put("description", text(&item.description));
    put("origin", text(item.origin.as_str()));
    put("quantity", decimal(&item.quantity)?);
    put("unit", text(&item.unit));
    put("net_mass_kg", decimal(&item.net_mass_kg)?);
    put("gross_mass_kg", decimal(&item.gross_mass_kg)?);
    put("value", decimal(&item.value)?);
    if let Some(p) = &item.preference {
        put("preference", text(p));
    }
    Ok(Box::new(CelMap::from(m)))
}

fn boxed(v: Value) -> Box<dyn Val> {
    Box::<dyn Val>::try_from(v).expect("a string map and null convert")
}

impl<'a> Bindings<'a> {
    pub fn new(
        declaration: &'a tamga_types::Declaration,
        trader: crate::RiskCategory,
    ) -> Bindings<'a> {
        let mut m = std::collections::HashMap::new();
        m.insert("risk_category".to_owned(), Value::from(trader.as_str()));
        Bindings {
            source: declaration,
            declaration: OnceLock::new(),
            items: declaration.items.iter().map(|_| OnceLock::new()).collect(),
            trader: boxed(Value::from(m)),
            null: boxed(Value::Null),
        }
    }

    fn declaration(&self) -> Result<&dyn Val, String> {
        match self.declaration.get_or_init(|| convert(self.source)) {
            Ok(v) => Ok(v.as_ref()),
            Err(e) => Err(e.clone()),
        }
    }

    fn item(&self, i: Option<usize>) -> Result<&dyn Val, String> {
        match i.and_then(|i| Some((self.items.get(i)?, &self.source.items[i]))) {
            Some((cell, item)) => match cell.get_or_init(|| convert_item(item)) {
                Ok(v) => Ok(v.as_ref()),
                Err(e) => Err(e.clone()),
            },
            None => Ok(self.null.as_ref()),
        }
    }
}

/// The variables one evaluation sees, borrowed from [`Bindings`].
struct Vars<'b> {
    declaration: Option<&'b dyn Val>,
    trader: Option<&'b dyn Val>,
    item: Option<&'b dyn Val>,
}

impl VariableResolver for Vars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let v = match variable {
            "declaration" => self.declaration?,
            "trader" => self.trader?,
            "item" => self.item?,
            _ => return None,
        };
        Some(CowVal::Borrowed(v))
    }
}

impl Condition {
    /// Parses `source`; the parser's message on failure.
    pub fn compile(source: &str) -> Result<Condition, String> {
        let program = env().compile(source).map_err(|e| e.to_string())?;
        let refs = program.references();
        let per_item = refs.has_variable("item");
        let uses_declaration = refs.has_variable("declaration");
        let uses_trader = refs.has_variable("trader");
        drop(refs);
        Ok(Condition {
            source: source.to_owned(),
            program,
            per_item,
            uses_declaration,
            uses_trader,
        })
    }

    /// The write-time check behind `bad_expression`: parses, then runs on a sample
    /// declaration so that unknown variables and non-boolean results are caught. Errors a
    /// sample cannot rule out (a key the sample lacks) are left to run time.
    pub fn check(source: &str) -> Result<(), String> {
        let c = Condition::compile(source)?;
        let sample: tamga_types::Declaration = serde_json::from_value(json!({
            "type": "IM", "procedure": "4000", "office": "41701",
            "declarant": "01234567890123", "importer": "01234567890123",
            "exporter": {"name": "Sample", "country": "CN"}, "dispatch_country": "CN",
            "destination_country": "KG",
            "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
            "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
            "items": [{"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
                       "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
                       "value": "15000.00", "preference": "100"}],
            "documents": [{"code": "N380", "ref": "INV-1"}]
        }))
        .expect("the sample declaration is well-formed");
        let b = Bindings::new(&sample, crate::RiskCategory::Medium);
        match c.evaluate(&b, Some(0)) {
            Ok(_) => Ok(()),
            Err(EvalError::Undeclared(name)) => Err(format!(
                "unknown variable or function `{name}`; a condition sees {}",
                VARIABLES.join(", ")
            )),
            Err(EvalError::NotBoolean(t)) => {
                Err(format!("the condition yields {t}, not a boolean"))
            }
            Err(EvalError::Other(_)) => Ok(()),
        }
    }

    /// Evaluates with `item` bound to item `item` of the declaration (or `null`).
    pub fn evaluate(&self, b: &Bindings, item: Option<usize>) -> Result<bool, EvalError> {
        // Only the variables the expression names are bound, by reference.
        let run = || -> Result<cel::ResolveResult, String> {
            let vars = Vars {
                declaration: if self.uses_declaration {
                    Some(b.declaration()?)
                } else {
                    None
                },
                trader: self.uses_trader.then_some(b.trader.as_ref()),
                item: if self.per_item {
                    Some(b.item(item)?)
                } else {
                    None
                },
            };
            let mut ctx = Context::with_env(Arc::clone(env()));
            ctx.set_variable_resolver(&vars);
            Ok(self.program.execute(&ctx))
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Err(conversion)) => {
                Err(EvalError::Other(format!("binding variables: {conversion}")))
            }
            Ok(Ok(Ok(Value::Bool(v)))) => Ok(v),
            Ok(Ok(Ok(other))) => Err(EvalError::NotBoolean(format!("{:?}", other.type_of()))),
            Ok(Ok(Err(ExecutionError::UndeclaredReference(name)))) => {
                Err(EvalError::Undeclared(name.to_string()))
            }
            Ok(Ok(Err(e))) => Err(EvalError::Other(e.to_string())),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(EvalError::Other(format!(
                    "the expression interpreter panicked: {what}"
                )))
            }
        }
    }
}

/// Why a condition could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("undeclared reference to `{0}`")]
    Undeclared(String),
    #[error("the condition yields {0}, not a boolean")]
    NotBoolean(String),
    #[error("{0}")]
    Other(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bench::sample_declarations;

    #[test]
    fn an_item_built_by_hand_is_the_item_serde_gives() {
        let mut items: Vec<tamga_types::GoodsItem> = sample_declarations(20, 4)
            .into_iter()
            .flat_map(|d| d.items)
            .collect();
        items[0].preference = None;
        items[1].value = rust_decimal::Decimal::new(-0, 2);
        items[2].quantity = rust_decimal::Decimal::new(-12345, 3);
        for item in &items {
            let by_hand = Value::try_from(convert_item(item).unwrap().as_ref()).unwrap();
            let by_serde = cel::to_value(item).unwrap();
            assert_eq!(by_hand, by_serde, "{item:?}");
        }
    }

    fn _assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn a_compiled_condition_can_be_shared_across_threads() {
        _assert_send_sync::<Condition>();
    }
}
