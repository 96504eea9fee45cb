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
//!
//! Size bounds ([`bound`]): the parser (ANTLR), the tree it builds, the interpreter and the
//! drop of each tree recurse once per level of the expression, and a left-recursive chain
//! (`declaration.a.a.a…`, `1 + 1 + 1…`, `!!!!x`) is one level per operator, which the
//! `cel` parser's own limit (bracket nesting only) does not see. So before anything is
//! parsed, a scan of the source bounds its length ([`MAX_CHARS`]), its bracket nesting
//! ([`MAX_NESTING`]) and its operator characters ([`MAX_OPERATORS`]): every level of the
//! tree needs a bracket or an operator, so these bound the depth of every recursion. The
//! scan knows string literals (escapes, raw, triple-quoted) and `//` comments, so text in a
//! string counts for the length only, and refuses what it cannot read for sure (an
//! unterminated string, a backtick). Measured in a debug build, a bracket level costs the
//! parser about 12 KiB of stack and an operator about 1.2 KiB; the bounds keep the worst
//! mix under 400 KiB, and a test runs every worst shape at the bounds on a 512 KiB stack,
//! a quarter of a server worker's 2 MiB (a release build needs several times less).

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

/// Longest condition source, in bytes (the demo and generated profiles use under 120).
pub const MAX_CHARS: usize = 4096;
/// Deepest nesting of `(`, `[` and `{` outside strings.
pub const MAX_NESTING: usize = 16;
/// Most operator characters outside strings: each of `. ( [ { ! - + * / % < > = & | ? :`
/// counts once (`&&` twice), and so does each `in`.
pub const MAX_OPERATORS: usize = 160;

/// Why a condition was refused at write time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// `condition_too_long`, `condition_too_deep` or `bad_expression`.
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
        }
    }
}

/// What [`scan`] measured of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    pub nesting: usize,
    pub operators: usize,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Measures nesting and operators outside string literals and comments, as CEL's lexer
/// splits them; refuses an unterminated string and a backtick (so that the scan never takes
/// code for string text, which would under-count). Iterative: no recursion of its own.
pub fn scan(source: &str) -> Result<Shape, Rejection> {
    let s = source.as_bytes();
    let mut shape = Shape::default();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            b'\'' | b'"' => {
                // A raw string: `r'…'`, `R'…'`, `br'…'`, where the prefix starts a token.
                let starts_token = |at: usize| at == 0 || !is_ident(s[at - 1]);
                let raw = i >= 1
                    && matches!(s[i - 1], b'r' | b'R')
                    && (starts_token(i - 1)
                        || (i >= 2 && matches!(s[i - 2], b'b' | b'B') && starts_token(i - 2)));
                let triple = s.get(i + 1) == Some(&c) && s.get(i + 2) == Some(&c);
                let mut j = if triple { i + 3 } else { i + 1 };
                loop {
                    let Some(&d) = s.get(j) else {
                        return Err(Rejection::new(
                            "bad_expression",
                            "a string literal is not closed",
                        ));
                    };
                    if d == b'\\' && !raw {
                        j += 2;
                    } else if d == c
                        && (!triple || (s.get(j + 1) == Some(&c) && s.get(j + 2) == Some(&c)))
                    {
                        i = if triple { j + 3 } else { j + 1 };
                        break;
                    } else if !triple && (d == b'\n' || d == b'\r') {
                        return Err(Rejection::new(
                            "bad_expression",
                            "a string literal is not closed on its line",
                        ));
                    } else {
                        j += 1;
                    }
                }
                continue;
            }
            b'/' if s.get(i + 1) == Some(&b'/') => {
                while i < s.len() && s[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'`' => {
                return Err(Rejection::new(
                    "bad_expression",
                    "backquoted names are not supported in a condition",
                ));
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                shape.nesting = shape.nesting.max(depth);
                shape.operators += 1;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'.' | b'!' | b'-' | b'+' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'&' | b'|'
            | b'?' | b':' => shape.operators += 1,
            b'i' if s.get(i + 1) == Some(&b'n')
                && (i == 0 || !is_ident(s[i - 1]))
                && !s.get(i + 2).is_some_and(|&b| is_ident(b)) =>
            {
                shape.operators += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(shape)
}

/// The bounds every condition must keep before it is parsed; see the module doc.
pub fn bound(source: &str) -> Result<(), Rejection> {
    if source.len() > MAX_CHARS {
        return Err(Rejection::new(
            "condition_too_long",
            format!(
                "the condition is {} bytes long; at most {MAX_CHARS} are allowed",
                source.len()
            ),
        ));
    }
    let shape = scan(source)?;
    if shape.nesting > MAX_NESTING {
        return Err(Rejection::new(
            "condition_too_deep",
            format!(
                "the condition nests brackets {} deep; at most {MAX_NESTING} are allowed",
                shape.nesting
            ),
        ));
    }
    if shape.operators > MAX_OPERATORS {
        return Err(Rejection::new(
            "condition_too_deep",
            format!(
                "the condition has {} operators and member accesses; at most {MAX_OPERATORS} are allowed",
                shape.operators
            ),
        ));
    }
    Ok(())
}

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
    /// Parses `source` once it keeps the [`bound`]s; the parser's message on failure.
    pub fn compile(source: &str) -> Result<Condition, String> {
        bound(source).map_err(|r| r.message)?;
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

    /// The write-time check: refuses a source past the [`bound`]s (`condition_too_long`,
    /// `condition_too_deep`), then parses and runs it on a sample declaration so that
    /// unknown variables and non-boolean results are caught (`bad_expression`). Errors a
    /// sample cannot rule out (a key the sample lacks) are left to run time.
    pub fn check(source: &str) -> Result<(), Rejection> {
        bound(source)?;
        let c = Condition::compile(source).map_err(|m| Rejection::new("bad_expression", m))?;
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
        let message = match c.evaluate(&b, Some(0)) {
            Ok(_) | Err(EvalError::Other(_)) => return Ok(()),
            Err(EvalError::Undeclared(name)) => format!(
                "unknown variable or function `{name}`; a condition sees {}",
                VARIABLES.join(", ")
            ),
            Err(EvalError::NotBoolean(t)) => format!("the condition yields {t}, not a boolean"),
        };
        Err(Rejection::new("bad_expression", message))
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

    use crate::workload::sample_declarations;

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

    /// Runs `f` on a thread with a 512 KiB stack (a server worker has 2 MiB): a recursion
    /// the bounds do not cap overflows it and aborts the test binary.
    fn on_a_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    /// `n` nested brackets of the kind `open`/`close` around `inner`.
    fn nest(open: &str, close: &str, n: usize, inner: &str) -> String {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    }

    /// The shapes that recurse deepest per character, each exactly at a bound.
    fn at_the_bounds() -> Vec<String> {
        let chain = |n: usize| format!("declaration{}", ".a".repeat(n));
        let ops = MAX_OPERATORS;
        vec![
            chain(ops),
            format!("{}true", "!".repeat(ops)),
            format!("{}1 > 0", "-".repeat(ops - 1)),
            format!("1{} > 0", " + 1".repeat(ops - 1)),
            format!("0{} < 1", " - 1".repeat(ops - 1)),
            format!("2{} > 0", " * 1".repeat(ops - 1)),
            format!("true{}", " && true".repeat(ops / 2)),
            format!("false{}", " || false".repeat(ops / 2)),
            format!("true{}", " ? true : true".repeat(ops / 2)),
            format!("1{} == 1", " in [1]".repeat(ops / 2 - 1)),
            nest("(", ")", MAX_NESTING, "true"),
            format!("size({}) == 1", nest("[", "]", MAX_NESTING - 1, "1")),
            format!("size({}) == 1", nest("{1: ", "}", MAX_NESTING - 1, "1")),
            format!(
                "size({}) > 0",
                nest("string(", ")", MAX_NESTING - 1, "item.value")
            ),
            nest("(", ")", MAX_NESTING, &chain(ops - MAX_NESTING)),
            format!(
                "{}true{}",
                "declaration.items.exists(i, ".repeat(MAX_NESTING),
                ")".repeat(MAX_NESTING)
            ),
            // The worst mixes: the deepest brackets around the longest chains left.
            format!(
                "size({}) > 0",
                nest(
                    "[",
                    "]",
                    MAX_NESTING - 1,
                    &format!("1{}", " + 1".repeat(ops - MAX_NESTING - 1))
                )
            ),
            format!(
                "size({}) > 0",
                nest(
                    "string(",
                    ")",
                    MAX_NESTING - 2,
                    &format!("1{}", " in [1]".repeat((ops - MAX_NESTING) / 2))
                )
            ),
            nest(
                "(",
                ")",
                MAX_NESTING,
                &format!("{}true", "!".repeat(ops - MAX_NESTING)),
            ),
        ]
    }

    #[test]
    fn the_shapes_at_the_bounds_keep_them() {
        for source in at_the_bounds() {
            assert!(source.len() <= MAX_CHARS, "{source}");
            let shape = scan(&source).unwrap();
            assert!(
                shape.nesting <= MAX_NESTING && shape.operators <= MAX_OPERATORS,
                "{shape:?} {source}"
            );
            assert!(
                shape.nesting + 1 >= MAX_NESTING || shape.operators + 2 >= MAX_OPERATORS,
                "not at a bound: {shape:?} {source}"
            );
        }
    }

    #[test]
    fn expressions_at_the_bounds_compile_and_evaluate_on_a_small_stack() {
        let outcomes = on_a_small_stack(|| {
            at_the_bounds()
                .into_iter()
                .map(|source| {
                    let compiled = Condition::compile(&source).map(drop);
                    let checked = Condition::check(&source);
                    (source, compiled, checked)
                })
                .collect::<Vec<_>>()
        });
        for (source, compiled, checked) in outcomes {
            // Each parses; the type mistakes some contain are for run time, not a crash.
            assert_eq!(compiled, Ok(()), "{source}");
            if let Err(r) = checked {
                assert_eq!(r.code, "bad_expression", "{source}");
            }
        }
    }

    #[test]
    fn a_chain_past_the_bound_is_refused_before_parsing_on_a_small_stack() {
        let source = format!("declaration{}", ".a".repeat(8_000));
        assert_eq!(source.len(), 16_011);
        let (checked, compiled) = on_a_small_stack(move || {
            (
                Condition::check(&source),
                Condition::compile(&source).map(drop),
            )
        });
        assert_eq!(checked.unwrap_err().code, "condition_too_long");
        assert!(compiled.unwrap_err().contains("at most 4096"));
        // Short enough, but one operator too many.
        let source = format!("declaration{}", ".a".repeat(MAX_OPERATORS + 1));
        let r = Condition::check(&source).unwrap_err();
        assert_eq!(r.code, "condition_too_deep");
        assert!(r.message.contains("161 operators"), "{}", r.message);
        let source = nest("(", ")", MAX_NESTING + 1, "true");
        let r = Condition::check(&source).unwrap_err();
        assert_eq!(r.code, "condition_too_deep");
        assert!(r.message.contains("17 deep"), "{}", r.message);
    }

    #[test]
    fn text_in_strings_and_comments_is_not_counted() {
        let dots = format!("'{}'", ".(".repeat(1000));
        let source = format!("item.description == {dots} // ((((( it's\n&& true");
        // `.`, `==`, `&&`
        assert_eq!(
            scan(&source).unwrap(),
            Shape {
                nesting: 0,
                operators: 5
            }
        );
        // A raw string ends at its quote; an escaped quote does not end a string; a
        // triple-quoted string holds single quotes.
        let source = r#"r'\' + "\"((" + '''a'b''' + "x""#;
        assert_eq!(scan(source).unwrap().operators, 3);
        assert_eq!(scan("x in y && min(1) == 1").unwrap().operators, 6);
    }

    #[test]
    fn what_the_scan_cannot_read_for_sure_is_refused() {
        for source in ["'open", "\"a\n\" == 1", "a.`b c` == 1", "'''never closed''"] {
            assert_eq!(scan(source).unwrap_err().code, "bad_expression", "{source}");
        }
    }

    #[test]
    fn the_conditions_in_use_keep_the_bounds_with_room() {
        for source in [
            "trader.risk_category != 'low'",
            "double(item.value) / double(item.net_mass_kg) < 2.0",
            "declaration.items.exists(i, i.origin == 'CN') && double(item.value) > 10.0 && trader.risk_category != 'low'",
        ] {
            let shape = scan(source).unwrap();
            assert!(shape.operators * 8 < MAX_OPERATORS && shape.nesting * 5 < MAX_NESTING);
            Condition::check(source).unwrap();
        }
    }

    fn _assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn a_compiled_condition_can_be_shared_across_threads() {
        _assert_send_sync::<Condition>();
    }
}
