//! Risk profiles: what an analyst writes, parsed from untrusted JSON into a [`ProfileDraft`]
//! that can only exist valid, and the stored, versioned [`RiskProfile`].
//!
//! Owns the criterion vocabulary ([`Field`], [`Op`]), which operators each field accepts,
//! and the check of a profile's `condition` expression at write time.
//!
//! Invariants:
//! - [`parse_profile`] reports every problem at once (path + stable code), never the first
//!   one only, and never panics on any JSON input.
//! - A [`Criterion`] that exists is well-typed: its operator is allowed on its field and its
//!   value has the operator's shape (decimal for numeric comparisons, a list for `in`, …).
//! - The stored form (serde of [`RiskProfile`]) is the same JSON shape as the analyst's
//!   request plus `id`, `version`, `active`; reading it back goes through the same checks
//!   as [`parse_profile`], so a tampered store cannot smuggle in an ill-typed criterion.

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tamga_types::{FieldErrors, OfficeCode};

use crate::condition::Condition;

/// A field a criterion can test. `items.*` fields are tested per goods item, and all
/// `items.*` criteria of a profile must hold for the same item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Type,
    Procedure,
    Office,
    Declarant,
    Importer,
    ExporterCountry,
    DispatchCountry,
    DestinationCountry,
    TransportMode,
    TransportBorderOffice,
    InvoiceCurrency,
    InvoiceIncoterm,
    /// With `present`/`absent` and a list of document codes.
    DocumentsCode,
    /// The trader's risk category given in the assessment input.
    TraderRiskCategory,
    ItemsCount,
    /// Sum of the items' invoice values, in the invoice currency.
    InvoiceTotal,
    ItemHsCode,
    ItemOrigin,
    ItemQuantity,
    ItemNetMassKg,
    ItemGrossMassKg,
    ItemValue,
    ItemUnit,
    ItemPreference,
    /// `value / quantity`, invoice currency.
    ItemUnitValue,
    /// `value / net_mass_kg`, invoice currency.
    ItemValuePerKg,
    /// Unit value over the reference price for the item's HS prefix (see
    /// [`crate::ReferencePrices`]); absent when no reference price applies.
    ItemReferencePriceRatio,
}

/// What kind of value a field holds, which decides the operators it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Numeric,
    Documents,
}

impl Field {
    pub const ALL: [Field; 27] = [
        Field::Type,
        Field::Procedure,
        Field::Office,
        Field::Declarant,
        Field::Importer,
        Field::ExporterCountry,
        Field::DispatchCountry,
        Field::DestinationCountry,
        Field::TransportMode,
        Field::TransportBorderOffice,
        Field::InvoiceCurrency,
        Field::InvoiceIncoterm,
        Field::DocumentsCode,
        Field::TraderRiskCategory,
        Field::ItemsCount,
        Field::InvoiceTotal,
        Field::ItemHsCode,
        Field::ItemOrigin,
        Field::ItemQuantity,
        Field::ItemNetMassKg,
        Field::ItemGrossMassKg,
        Field::ItemValue,
        Field::ItemUnit,
        Field::ItemPreference,
        Field::ItemUnitValue,
        Field::ItemValuePerKg,
        Field::ItemReferencePriceRatio,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Type => "type",
            Field::Procedure => "procedure",
            Field::Office => "office",
            Field::Declarant => "declarant",
            Field::Importer => "importer",
            Field::ExporterCountry => "exporter.country",
            Field::DispatchCountry => "dispatch_country",
            Field::DestinationCountry => "destination_country",
            Field::TransportMode => "transport.mode",
            Field::TransportBorderOffice => "transport.border_office",
            Field::InvoiceCurrency => "invoice.currency",
            Field::InvoiceIncoterm => "invoice.incoterm",
            Field::DocumentsCode => "documents.code",
            Field::TraderRiskCategory => "trader.risk_category",
            Field::ItemsCount => "items.count",
            Field::InvoiceTotal => "invoice.total",
            Field::ItemHsCode => "items.hs_code",
            Field::ItemOrigin => "items.origin",
            Field::ItemQuantity => "items.quantity",
            Field::ItemNetMassKg => "items.net_mass_kg",
            Field::ItemGrossMassKg => "items.gross_mass_kg",
            Field::ItemValue => "items.value",
            Field::ItemUnit => "items.unit",
            Field::ItemPreference => "items.preference",
            Field::ItemUnitValue => "items.unit_value",
            Field::ItemValuePerKg => "items.value_per_kg",
            Field::ItemReferencePriceRatio => "items.reference_price_ratio",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Tested per goods item (`items.count` is a declaration-level figure).
    pub fn is_item(self) -> bool {
        self >= Field::ItemHsCode
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Field::DocumentsCode => FieldKind::Documents,
            Field::ItemsCount
            | Field::InvoiceTotal
            | Field::ItemQuantity
            | Field::ItemNetMassKg
            | Field::ItemGrossMassKg
            | Field::ItemValue
            | Field::ItemUnitValue
            | Field::ItemValuePerKg
            | Field::ItemReferencePriceRatio => FieldKind::Numeric,
            _ => FieldKind::Text,
        }
    }
}

/// A criterion's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    In,
    NotIn,
    Prefix,
    Lt,
    Le,
    Gt,
    Ge,
    Present,
    Absent,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Eq,
        Op::In,
        Op::NotIn,
        Op::Prefix,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Present,
        Op::Absent,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Prefix => "prefix",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Present => "present",
            Op::Absent => "absent",
        }
    }
    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s)
    }
    /// Whether `self` may be used on a field of `kind`.
    pub fn allowed_on(self, kind: FieldKind) -> bool {
        match kind {
            FieldKind::Text => {
                matches!(
                    self,
                    Op::Eq | Op::In | Op::NotIn | Op::Prefix | Op::Present | Op::Absent
                )
            }
            FieldKind::Numeric => matches!(
                self,
                Op::Eq | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Present | Op::Absent
            ),
            FieldKind::Documents => matches!(self, Op::Present | Op::Absent),
        }
    }
}

/// The operand of a criterion, shaped by its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `present` / `absent` on a field: no operand.
    None,
    /// `eq` on a text field (one element), `in`, `not_in`, `prefix` (any of), and
    /// `present`/`absent` on `documents.code` (the codes).
    Texts(Vec<String>),
    /// `eq`, `lt`, `le`, `gt`, `ge` on a numeric field.
    Number(Decimal),
}

/// One well-typed test on one field. Built by [`parse_profile`] only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Value", try_from = "Value")]
pub struct Criterion {
    pub field: Field,
    pub op: Op,
    pub operand: Operand,
}

impl From<Criterion> for Value {
    fn from(c: Criterion) -> Value {
        let mut m = Map::new();
        m.insert("field".into(), c.field.as_str().into());
        m.insert("op".into(), c.op.as_str().into());
        match c.operand {
            Operand::None => {}
            Operand::Number(d) => {
                m.insert("value".into(), d.to_string().into());
            }
            Operand::Texts(t) if c.op == Op::Eq => {
                m.insert(
                    "value".into(),
                    t.into_iter().next().unwrap_or_default().into(),
                );
            }
            Operand::Texts(t) => {
                m.insert("values".into(), t.into());
            }
        }
        Value::Object(m)
    }
}

impl TryFrom<Value> for Criterion {
    type Error = FieldErrors;
    fn try_from(v: Value) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        match parse_criterion(&v, "criterion", &mut errors) {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }
}

/// Where a profile applies: the whole country, or only at some customs offices
/// (the declaration's `office`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Value", try_from = "Value")]
pub enum Scope {
    National,
    Offices(Vec<OfficeCode>),
}

impl From<Scope> for Value {
    fn from(s: Scope) -> Value {
        match s {
            Scope::National => "national".into(),
            Scope::Offices(o) => serde_json::json!({
                "offices": o.iter().map(|c| c.as_str()).collect::<Vec<_>>()
            }),
        }
    }
}

impl TryFrom<Value> for Scope {
    type Error = FieldErrors;
    fn try_from(v: Value) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        match parse_scope(&v, "scope", &mut errors) {
            Some(s) if errors.is_empty() => Ok(s),
            _ => Err(errors),
        }
    }
}

/// The control a profile demands when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    None,
    DocumentaryCheck,
    PhysicalInspection,
    PostEntryAudit,
}

impl Measure {
    pub fn parse(s: &str) -> Option<Measure> {
        Some(match s {
            "none" => Measure::None,
            "documentary_check" => Measure::DocumentaryCheck,
            "physical_inspection" => Measure::PhysicalInspection,
            "post_entry_audit" => Measure::PostEntryAudit,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::None => "none",
            Measure::DocumentaryCheck => "documentary_check",
            Measure::PhysicalInspection => "physical_inspection",
            Measure::PostEntryAudit => "post_entry_audit",
        }
    }
    /// The channel this measure demands.
    pub fn channel(self) -> tamga_types::Channel {
        use tamga_types::Channel;
        match self {
            Measure::None => Channel::Green,
            Measure::DocumentaryCheck => Channel::Yellow,
            Measure::PhysicalInspection => Channel::Red,
            Measure::PostEntryAudit => Channel::Blue,
        }
    }
}

/// Depth of a physical inspection, weakest first (`Ord`: the strongest asked wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inspection {
    Scan,
    Partial,
    Full,
}

impl Inspection {
    pub fn parse(s: &str) -> Option<Inspection> {
        Some(match s {
            "scan" => Inspection::Scan,
            "partial" => Inspection::Partial,
            "full" => Inspection::Full,
            _ => return None,
        })
    }
}

/// A profile as written by an analyst, valid by construction (see [`parse_profile`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct ProfileDraft {
    pub title: String,
    #[serde(default)]
    pub rationale: String,
    pub scope: Scope,
    pub valid_from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<Date>,
    pub criteria: Vec<Criterion>,
    /// CEL expression; see [`crate::condition`] for the variables it sees.
    pub condition: Option<String>,
    pub score: u32,
    pub measure: Measure,
    /// Only with `physical_inspection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Inspection>,
}

impl TryFrom<Value> for ProfileDraft {
    type Error = FieldErrors;
    fn try_from(v: Value) -> Result<Self, FieldErrors> {
        parse_profile(&v)
    }
}

/// A stored, versioned risk profile. Its JSON is the draft's fields plus `id`, `version`
/// and `active`. Only active profiles take part in assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskProfile {
    pub id: String,
    pub version: u32,
    pub active: bool,
    #[serde(flatten)]
    pub draft: ProfileDraft,
}

impl RiskProfile {
    /// A new active profile at `version`.
    pub fn new(id: impl Into<String>, version: u32, draft: ProfileDraft) -> Self {
        Self {
            id: id.into(),
            version,
            active: true,
            draft,
        }
    }
}

pub const SCORE_MAX: u32 = 1000;

const PROFILE_FIELDS: [&str; 10] = [
    "title",
    "rationale",
    "scope",
    "valid_from",
    "valid_to",
    "criteria",
    "condition",
    "score",
    "measure",
    "inspection",
];
/// Fields of the stored form that a draft tolerates (so a stored profile reads back).
const STORED_FIELDS: [&str; 3] = ["id", "version", "active"];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn bad_type(errors: &mut FieldErrors, path: &str, want: &str, got: &Value) {
    errors.push(
        path,
        "bad_type",
        format!("expected {want}, got {}", type_name(got)),
    );
}

fn string_field<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    match obj.get(name) {
        None | Some(Value::Null) => {
            if required {
                errors.push(name, "missing", format!("`{name}` is required"));
            }
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            bad_type(errors, name, "a string", other);
            None
        }
    }
}

fn date_field(
    obj: &Map<String, Value>,
    name: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<Date> {
    let s = string_field(obj, name, required, errors)?;
    match Date::from_str(s) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(
                name,
                "bad_date",
                format!("`{s}` is not a date (YYYY-MM-DD)"),
            );
            None
        }
    }
}

/// Parses untrusted JSON into a [`ProfileDraft`], or reports every problem found with its
/// path (`criteria[1].op`) and stable code. Unknown top-level fields are refused
/// (`unknown_field`), except the stored form's `id`, `version`, `active`.
pub fn parse_profile(value: &Value) -> Result<ProfileDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Value::Object(obj) = value else {
        errors.push(
            "",
            "bad_type",
            format!("expected an object, got {}", type_name(value)),
        );
        return Err(errors);
    };
    for key in obj.keys() {
        if !PROFILE_FIELDS.contains(&key.as_str()) && !STORED_FIELDS.contains(&key.as_str()) {
            errors.push(
                key.as_str(),
                "unknown_field",
                format!("`{key}` is not a profile field"),
            );
        }
    }

    let title = string_field(obj, "title", true, &mut errors);
    if title.is_some_and(|t| t.trim().is_empty()) {
        errors.push("title", "missing", "the title is empty");
    }
    let rationale = string_field(obj, "rationale", false, &mut errors).unwrap_or_default();

    let scope = match obj.get("scope") {
        None | Some(Value::Null) => {
            errors.push("scope", "missing", "`scope` is required");
            None
        }
        Some(v) => parse_scope(v, "scope", &mut errors),
    };

    let valid_from = date_field(obj, "valid_from", true, &mut errors);
    let valid_to = date_field(obj, "valid_to", false, &mut errors);
    if let (Some(from), Some(to)) = (valid_from, valid_to)
        && to < from
    {
        errors.push(
            "valid_to",
            "bad_range",
            format!("valid_to {to} is before valid_from {from}"),
        );
    }

    let mut criteria = Vec::new();
    match obj.get("criteria") {
        None | Some(Value::Null) => errors.push("criteria", "missing", "`criteria` is required"),
        Some(Value::Array(list)) => {
            for (i, c) in list.iter().enumerate() {
                if let Some(c) = parse_criterion(c, &format!("criteria[{i}]"), &mut errors) {
                    criteria.push(c);
                }
            }
        }
        Some(other) => bad_type(&mut errors, "criteria", "an array", other),
    }

    let condition = match obj.get("condition") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            if let Err(r) = Condition::check(s) {
                errors.push("condition", r.code, r.message);
            }
            Some(s.clone())
        }
        Some(other) => {
            bad_type(&mut errors, "condition", "a string or null", other);
            None
        }
    };

    let score = match obj.get("score") {
        None | Some(Value::Null) => {
            errors.push("score", "missing", "`score` is required");
            None
        }
        // `159.0` is the integer 159 to JSON Schema (and to the OpenAPI document): accept
        // a whole number written with a fraction, refuse `159.5`.
        Some(Value::Number(n)) => match n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(SCORE_MAX))
                .map(|f| f as u64)
        }) {
            Some(s) if s <= u64::from(SCORE_MAX) => Some(s as u32),
            _ => {
                errors.push(
                    "score",
                    "bad_score",
                    format!("score must be an integer 0..={SCORE_MAX}"),
                );
                None
            }
        },
        Some(other) => {
            bad_type(&mut errors, "score", "an integer", other);
            None
        }
    };

    let measure = string_field(obj, "measure", true, &mut errors).and_then(|m| {
        let parsed = Measure::parse(m);
        if parsed.is_none() {
            errors.push(
                "measure",
                "bad_measure",
                format!(
                    "`{m}` is not none, documentary_check, physical_inspection or post_entry_audit"
                ),
            );
        }
        parsed
    });
    let inspection = string_field(obj, "inspection", false, &mut errors).and_then(|s| {
        let parsed = Inspection::parse(s);
        if parsed.is_none() {
            errors.push(
                "inspection",
                "bad_measure",
                format!("`{s}` is not scan, partial or full"),
            );
        }
        parsed
    });
    if inspection.is_some() && measure.is_some_and(|m| m != Measure::PhysicalInspection) {
        errors.push(
            "inspection",
            "bad_measure",
            "an inspection depth goes only with the measure physical_inspection",
        );
    }

    match (title, scope, valid_from, score, measure) {
        (Some(title), Some(scope), Some(valid_from), Some(score), Some(measure))
            if errors.is_empty() =>
        {
            Ok(ProfileDraft {
                title: title.to_owned(),
                rationale: rationale.to_owned(),
                scope,
                valid_from,
                valid_to,
                criteria,
                condition,
                score,
                measure,
                inspection,
            })
        }
        _ => Err(errors),
    }
}

fn parse_scope(v: &Value, path: &str, errors: &mut FieldErrors) -> Option<Scope> {
    match v {
        Value::String(s) if s == "national" => Some(Scope::National),
        Value::Object(o) => {
            let mut ok = true;
            for k in o.keys() {
                if k != "offices" {
                    errors.push(
                        format!("{path}.{k}"),
                        "unknown_field",
                        "a scope has only `offices`",
                    );
                    ok = false;
                }
            }
            let Some(Value::Array(list)) = o.get("offices") else {
                errors.push(
                    path,
                    "bad_scope",
                    "expected \"national\" or {\"offices\": [\"41702\", …]}",
                );
                return None;
            };
            if list.is_empty() {
                errors.push(
                    format!("{path}.offices"),
                    "bad_scope",
                    "list at least one office",
                );
                ok = false;
            }
            let mut offices = Vec::new();
            for (i, o) in list.iter().enumerate() {
                match o.as_str().and_then(OfficeCode::parse) {
                    Some(c) => offices.push(c),
                    None => {
                        errors.push(
                            format!("{path}.offices[{i}]"),
                            "bad_scope",
                            format!("{o} is not an office code"),
                        );
                        ok = false;
                    }
                }
            }
            ok.then_some(Scope::Offices(offices))
        }
        _ => {
            errors.push(
                path,
                "bad_scope",
                "expected \"national\" or {\"offices\": [\"41702\", …]}",
            );
            None
        }
    }
}

/// Whether `s` has the right form for a value of `field` (codes only; free text passes).
fn text_value_ok(field: Field, op: Op, s: &str) -> Result<(), String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let upper = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_uppercase());
    let ok = match field {
        Field::ItemHsCode => digits(s) && (2..=10).contains(&s.len()),
        Field::ItemOrigin
        | Field::ExporterCountry
        | Field::DispatchCountry
        | Field::DestinationCountry => op == Op::Prefix || upper(s, 2),
        Field::InvoiceCurrency => op == Op::Prefix || upper(s, 3),
        Field::Office | Field::TransportBorderOffice => digits(s),
        Field::Type => matches!(s, "IM" | "EX" | "TR"),
        Field::TraderRiskCategory => matches!(s, "low" | "medium" | "high"),
        _ => !s.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{s}` is not a valid value for {}", field.as_str()))
    }
}

fn parse_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        // Read the number's own digits, never through f64.
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .ok(),
        _ => None,
    }
}

fn parse_criterion(v: &Value, path: &str, errors: &mut FieldErrors) -> Option<Criterion> {
    let Value::Object(o) = v else {
        bad_type(errors, path, "an object {field, op, value|values}", v);
        return None;
    };
    let before = errors.errors.len();
    for k in o.keys() {
        if !matches!(k.as_str(), "field" | "op" | "value" | "values") {
            errors.push(
                format!("{path}.{k}"),
                "unknown_field",
                format!("`{k}` is not a criterion field"),
            );
        }
    }
    let field = match o.get("field") {
        None | Some(Value::Null) => {
            errors.push(format!("{path}.field"), "missing", "`field` is required");
            None
        }
        Some(Value::String(s)) => {
            let f = Field::parse(s);
            if f.is_none() {
                errors.push(
                    format!("{path}.field"),
                    "unknown_criterion_field",
                    format!("`{s}` is not a field a criterion can test"),
                );
            }
            f
        }
        Some(other) => {
            bad_type(errors, &format!("{path}.field"), "a string", other);
            None
        }
    };
    let op = match o.get("op") {
        None | Some(Value::Null) => {
            errors.push(format!("{path}.op"), "missing", "`op` is required");
            None
        }
        Some(Value::String(s)) => {
            let op = Op::parse(s);
            if op.is_none() {
                errors.push(
                    format!("{path}.op"),
                    "unknown_op",
                    format!("`{s}` is not an operator"),
                );
            }
            op
        }
        Some(other) => {
            bad_type(errors, &format!("{path}.op"), "a string", other);
            None
        }
    };
    let (field, op) = (field?, op?);
    let kind = field.kind();
    if !op.allowed_on(kind) {
        errors.push(
            format!("{path}.op"),
            "op_not_allowed",
            format!("`{}` cannot be used on {}", op.as_str(), field.as_str()),
        );
        return None;
    }
    let value = o.get("value").filter(|v| !v.is_null());
    let values = o.get("values").filter(|v| !v.is_null());

    let operand = match (kind, op) {
        (FieldKind::Documents, _) => Operand::Texts(texts(path, value, values, field, op, errors)?),
        (_, Op::Present | Op::Absent) => {
            if value.is_some() || values.is_some() {
                errors.push(
                    format!("{path}.value"),
                    "bad_value",
                    format!("`{}` takes no value on {}", op.as_str(), field.as_str()),
                );
                return None;
            }
            Operand::None
        }
        (FieldKind::Numeric, _) => {
            if values.is_some() {
                errors.push(
                    format!("{path}.values"),
                    "bad_value",
                    "a numeric comparison takes one `value`",
                );
                return None;
            }
            let Some(v) = value else {
                errors.push(format!("{path}.value"), "missing", "`value` is required");
                return None;
            };
            match parse_decimal(v) {
                Some(d) => Operand::Number(d),
                None => {
                    errors.push(
                        format!("{path}.value"),
                        "bad_value",
                        format!("{v} is not a decimal (write it as a string, e.g. \"50.00\")"),
                    );
                    return None;
                }
            }
        }
        (FieldKind::Text, Op::Eq) => {
            let t = texts(path, value, values, field, op, errors)?;
            if t.len() != 1 {
                errors.push(
                    format!("{path}.values"),
                    "bad_value",
                    "`eq` takes one value; use `in`",
                );
                return None;
            }
            Operand::Texts(t)
        }
        (FieldKind::Text, _) => Operand::Texts(texts(path, value, values, field, op, errors)?),
    };
    (errors.errors.len() == before).then_some(Criterion { field, op, operand })
}

/// The list operand from `values` (or a single `value`), each checked for its field.
fn texts(
    path: &str,
    value: Option<&Value>,
    values: Option<&Value>,
    field: Field,
    op: Op,
    errors: &mut FieldErrors,
) -> Option<Vec<String>> {
    let (key, list): (&str, Vec<&Value>) = match (value, values) {
        (Some(_), Some(_)) => {
            errors.push(
                format!("{path}.values"),
                "bad_value",
                "give either `value` or `values`",
            );
            return None;
        }
        (Some(v), None) => ("value", vec![v]),
        (None, Some(Value::Array(a))) => ("values", a.iter().collect()),
        (None, Some(other)) => {
            bad_type(
                errors,
                &format!("{path}.values"),
                "an array of strings",
                other,
            );
            return None;
        }
        (None, None) => {
            errors.push(format!("{path}.values"), "missing", "`values` is required");
            return None;
        }
    };
    if list.is_empty() {
        errors.push(format!("{path}.{key}"), "bad_value", "the list is empty");
        return None;
    }
    let mut out = Vec::with_capacity(list.len());
    let mut ok = true;
    for (i, v) in list.iter().enumerate() {
        let p = if key == "value" {
            format!("{path}.value")
        } else {
            format!("{path}.values[{i}]")
        };
        match v {
            Value::String(s) => match text_value_ok(field, op, s) {
                Ok(()) => out.push(s.clone()),
                Err(m) => {
                    errors.push(p, "bad_value", m);
                    ok = false;
                }
            },
            other => {
                bad_type(errors, &p, "a string", other);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn contract_example() -> Value {
        json!({
            "title": "Undervalued smartphones from China",
            "rationale": "Unit values far below the world price seen in 2025",
            "scope": "national",
            "valid_from": "2026-01-01",
            "criteria": [
                {"field": "items.hs_code", "op": "prefix", "values": ["851713"]},
                {"field": "items.origin", "op": "in", "values": ["CN", "HK"]},
                {"field": "items.unit_value", "op": "lt", "value": "50"}
            ],
            "condition": null,
            "score": 60,
            "measure": "physical_inspection"
        })
    }

    #[test]
    fn the_contract_example_profile_is_accepted() {
        let d = parse_profile(&contract_example()).unwrap();
        assert_eq!(d.criteria.len(), 3);
        assert_eq!(d.criteria[2].operand, Operand::Number(Decimal::from(50)));
        assert_eq!(d.measure, Measure::PhysicalInspection);
    }

    #[test]
    fn a_whole_score_written_with_a_fraction_is_the_same_score() {
        let mut v = contract_example();
        v["score"] = json!(60.0);
        assert_eq!(parse_profile(&v).unwrap().score, 60);
        for bad in [json!(60.5), json!(-1.0), json!(1e9)] {
            v["score"] = bad.clone();
            let errs = parse_profile(&v).unwrap_err();
            assert_eq!(errs.errors[0].code, "bad_score", "{bad}");
        }
    }

    #[test]
    fn a_profile_with_an_unknown_field_is_refused_with_its_path() {
        let mut v = contract_example();
        v["colour"] = json!("red");
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(e.codes(), vec![("colour", "unknown_field")]);
    }

    #[test]
    fn a_profile_with_a_wrong_type_is_refused_with_its_path() {
        let mut v = contract_example();
        v["score"] = json!("sixty");
        v["title"] = json!(7);
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(
            e.codes(),
            vec![("title", "bad_type"), ("score", "bad_type")]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let v = json!({
            "title": "x",
            "scope": {"offices": ["4170A"]},
            "valid_from": "2026-13-01",
            "criteria": [
                {"field": "items.colour", "op": "eq", "value": "red"},
                {"field": "items.origin", "op": "lt", "value": "CN"},
                {"field": "items.unit_value", "op": "lt", "value": "cheap"},
                {"field": "office", "op": "like", "value": "41701"},
                {"field": "items.hs_code", "op": "prefix", "values": ["85x"]}
            ],
            "condition": "item.value >",
            "score": 5000,
            "measure": "arrest"
        });
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(
            e.codes(),
            vec![
                ("scope.offices[0]", "bad_scope"),
                ("valid_from", "bad_date"),
                ("criteria[0].field", "unknown_criterion_field"),
                ("criteria[1].op", "op_not_allowed"),
                ("criteria[2].value", "bad_value"),
                ("criteria[3].op", "unknown_op"),
                ("criteria[4].values[0]", "bad_value"),
                ("condition", "bad_expression"),
                ("score", "bad_score"),
                ("measure", "bad_measure"),
            ]
        );
    }

    #[test]
    fn missing_required_fields_are_each_reported() {
        let e = parse_profile(&json!({})).unwrap_err();
        let paths: Vec<_> = e
            .codes()
            .into_iter()
            .filter(|(_, c)| *c == "missing")
            .collect();
        assert_eq!(
            paths,
            vec![
                ("title", "missing"),
                ("scope", "missing"),
                ("valid_from", "missing"),
                ("criteria", "missing"),
                ("score", "missing"),
                ("measure", "missing"),
            ]
        );
    }

    #[test]
    fn valid_to_before_valid_from_is_a_bad_range() {
        let mut v = contract_example();
        v["valid_to"] = json!("2025-12-31");
        assert_eq!(
            parse_profile(&v).unwrap_err().codes(),
            vec![("valid_to", "bad_range")]
        );
    }

    #[test]
    fn a_condition_that_does_not_parse_is_a_bad_expression_with_the_parser_message() {
        let mut v = contract_example();
        v["condition"] = json!("item.value > > 3");
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(e.codes(), vec![("condition", "bad_expression")]);
        assert!(!e.errors[0].message.is_empty());
    }

    #[test]
    fn a_16_kb_member_chain_is_refused_as_too_long_without_parsing() {
        let mut v = contract_example();
        v["condition"] = json!(format!("declaration{}", ".a".repeat(8_000)));
        // On a 256 KiB stack: the refusal itself does not recurse per level.
        let e = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse_profile(&v).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(e.codes(), vec![("condition", "condition_too_long")]);
    }

    #[test]
    fn a_short_chain_of_too_many_operators_is_refused_as_too_deep() {
        let mut v = contract_example();
        v["condition"] = json!(format!("declaration{} == 1", ".a".repeat(200)));
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(e.codes(), vec![("condition", "condition_too_deep")]);
    }

    #[test]
    fn a_condition_naming_an_unknown_variable_is_a_bad_expression() {
        let mut v = contract_example();
        v["condition"] = json!("shipment.weight > 3");
        let e = parse_profile(&v).unwrap_err();
        assert_eq!(e.codes(), vec![("condition", "bad_expression")]);
    }

    #[test]
    fn a_condition_over_declaration_item_and_trader_is_accepted() {
        let mut v = contract_example();
        v["condition"] = json!(
            "declaration.items.exists(i, i.origin == 'CN') && double(item.value) > 10.0 && trader.risk_category != 'low'"
        );
        parse_profile(&v).unwrap();
    }

    #[test]
    fn an_inspection_depth_needs_a_physical_inspection() {
        let mut v = contract_example();
        v["measure"] = json!("documentary_check");
        v["inspection"] = json!("full");
        assert_eq!(
            parse_profile(&v).unwrap_err().codes(),
            vec![("inspection", "bad_measure")]
        );
    }

    #[test]
    fn a_stored_profile_round_trips_through_json() {
        let mut v = contract_example();
        v["valid_to"] = json!("2026-12-31");
        v["scope"] = json!({"offices": ["41702"]});
        v["criteria"]
            .as_array_mut()
            .unwrap()
            .push(json!({"field": "documents.code", "op": "absent", "values": ["N954"]}));
        v["criteria"]
            .as_array_mut()
            .unwrap()
            .push(json!({"field": "type", "op": "eq", "value": "IM"}));
        let p = RiskProfile::new("P-1", 3, parse_profile(&v).unwrap());
        let stored = serde_json::to_value(&p).unwrap();
        assert_eq!(stored["id"], "P-1");
        assert_eq!(
            stored["criteria"][0],
            json!({"field": "items.hs_code", "op": "prefix", "values": ["851713"]})
        );
        assert_eq!(
            stored["criteria"][2],
            json!({"field": "items.unit_value", "op": "lt", "value": "50"})
        );
        let back: RiskProfile = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(back, p);
        // The stored form is itself an acceptable request body.
        parse_profile(&stored).unwrap();
    }

    #[test]
    fn a_tampered_stored_criterion_does_not_deserialise() {
        let p = RiskProfile::new("P-1", 1, parse_profile(&contract_example()).unwrap());
        let mut stored = serde_json::to_value(&p).unwrap();
        stored["criteria"][1]["op"] = json!("lt");
        assert!(serde_json::from_value::<RiskProfile>(stored).is_err());
    }
}
