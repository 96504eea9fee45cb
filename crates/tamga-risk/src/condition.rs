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

/// The variable values for one evaluation, converted once per declaration.
pub struct Bindings {
    pub declaration: Value,
    pub items: Vec<Value>,
    pub trader: Value,
}

impl Bindings {
    pub fn new(
        declaration: &tamga_types::Declaration,
        trader: crate::RiskCategory,
    ) -> Result<Bindings, String> {
        let declaration_value = cel::to_value(declaration).map_err(|e| e.to_string())?;
        let items = declaration
            .items
            .iter()
            .map(|i| cel::to_value(i).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let trader =
            cel::to_value(json!({"risk_category": trader.as_str()})).map_err(|e| e.to_string())?;
        Ok(Bindings {
            declaration: declaration_value,
            items,
            trader,
        })
    }
}

impl Condition {
    /// Parses `source`; the parser's message on failure.
    pub fn compile(source: &str) -> Result<Condition, String> {
        let program = env().compile(source).map_err(|e| e.to_string())?;
        let per_item = program.references().has_variable("item");
        Ok(Condition {
            source: source.to_owned(),
            program,
            per_item,
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
        let b = Bindings::new(&sample, crate::RiskCategory::Medium)?;
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
        let run = || {
            let mut ctx = Context::with_env(Arc::clone(env()));
            ctx.add_variable_from_value("declaration", b.declaration.clone());
            ctx.add_variable_from_value("trader", b.trader.clone());
            let item = item
                .and_then(|i| b.items.get(i))
                .cloned()
                .unwrap_or(Value::Null);
            ctx.add_variable_from_value("item", item);
            self.program.execute(&ctx)
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(Value::Bool(v))) => Ok(v),
            Ok(Ok(other)) => Err(EvalError::NotBoolean(format!("{:?}", other.type_of()))),
            Ok(Err(ExecutionError::UndeclaredReference(name))) => {
                Err(EvalError::Undeclared(name.to_string()))
            }
            Ok(Err(e)) => Err(EvalError::Other(e.to_string())),
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

    fn _assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn a_compiled_condition_can_be_shared_across_threads() {
        _assert_send_sync::<Condition>();
    }
}
