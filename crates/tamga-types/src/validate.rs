//! Untrusted JSON → [`Declaration`], or every problem at once.
//!
//! Validation walks the already-parsed JSON in the order of CONTRACT.md's declaration and
//! records one [`crate::FieldError`] per faulty field (path, stable code, message), so a
//! declarant fixes everything in one round trip. Rules that span fields (procedure and
//! type, net and gross mass, parties required by the type) are checked where the later
//! field is read, which keeps the errors in document order.
//!
//! The walk never panics and never trusts a length: strings are bounded, arrays are
//! counted before they are walked, and values are not echoed back unbounded.
//!
//! Stable codes: `bad_type`, `unknown_field`, `missing`, `too_long`, `too_many`, `empty`,
//! `bad_format`, `bad_decimal`, `not_positive`, `negative`, `duplicate`,
//! `unknown_hs_code`, `unknown_country`, `unknown_currency`, `unknown_office`,
//! `unknown_procedure`, `unknown_unit`, `unknown_transport_mode`, `unknown_incoterm`,
//! `unknown_type`, `unknown_preference`, `procedure_mismatch`, `net_exceeds_gross`.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::codes::{CountryCode, CurrencyCode, HsCode, OfficeCode, PartyId};
use crate::declaration::{
    Declaration, DeclarationType, Document, Exporter, GoodsItem, Invoice, Transport,
};
use crate::error::FieldErrors;

/// The administration's code lists, as validation needs them. Implemented from data
/// files by `tamga-reference`; tests may implement it over small fixed sets.
pub trait CodeLists {
    /// `six` is an HS 2022 subheading (level 6).
    fn is_hs_subheading(&self, six: &str) -> bool;
    /// ISO 3166-1 alpha-2.
    fn is_country(&self, code: &str) -> bool;
    /// ISO 4217 alphabetic, currently in use (not withdrawn).
    fn is_currency(&self, code: &str) -> bool;
    /// A customs office of the administration.
    fn is_office(&self, code: &str) -> bool;
    /// The declaration types a procedure code may be used with; `None` for an unknown procedure.
    fn procedure_types(&self, code: &str) -> Option<&[DeclarationType]>;
    /// A unit of quantity (`p/st`, `kg`, `l`, …).
    fn is_unit(&self, code: &str) -> bool;
    /// UN/ECE Recommendation 19 transport mode.
    fn is_transport_mode(&self, code: &str) -> bool;
    /// Incoterms 2020.
    fn is_incoterm(&self, code: &str) -> bool;
}

/// Most goods items one declaration may carry (WCO / EU SAD limit).
pub const MAX_ITEMS: usize = 999;
/// Most documents one declaration may carry.
pub const MAX_DOCUMENTS: usize = 99;
/// Longest goods description, in characters.
pub const MAX_DESCRIPTION: usize = 512;
/// Longest name, in characters.
pub const MAX_NAME: usize = 256;
/// Longest reference or identity (document ref, means of transport), in characters.
pub const MAX_REF: usize = 70;
/// Most decimals of money: item value, freight, insurance.
pub const MONEY_SCALE: u32 = 2;
/// Most decimals of quantities and masses.
pub const MEASURE_SCALE: u32 = 6;
/// Most significant digits of any amount (what `Decimal` holds exactly).
const MAX_DIGITS: usize = 28;
/// Codes have no length limit of their own: their form or their list decides.
const ANY_LENGTH: usize = usize::MAX;

const DECLARATION_FIELDS: &[&str] = &[
    "type",
    "procedure",
    "office",
    "declarant",
    "importer",
    "exporter",
    "dispatch_country",
    "destination_country",
    "transport",
    "invoice",
    "items",
    "documents",
];
const EXPORTER_FIELDS: &[&str] = &["name", "country"];
const TRANSPORT_FIELDS: &[&str] = &["mode", "id", "border_office"];
const INVOICE_FIELDS: &[&str] = &["currency", "incoterm", "freight", "insurance"];
const ITEM_FIELDS: &[&str] = &[
    "hs_code",
    "description",
    "origin",
    "quantity",
    "unit",
    "net_mass_kg",
    "gross_mass_kg",
    "value",
    "preference",
];
const DOCUMENT_FIELDS: &[&str] = &["code", "ref"];
const PREFERENCES: &[&str] = &["100", "200", "300"];

/// Turns untrusted JSON into a [`Declaration`], or returns every problem found, in
/// document order. The returned error is never empty.
pub fn validate_declaration(
    value: &serde_json::Value,
    lists: &dyn CodeLists,
) -> Result<Declaration, FieldErrors> {
    use DeclarationType::{EX, IM, TR};

    let mut errors = FieldErrors::default();
    let Some(mut root) = Obj::open(value, String::new(), DECLARATION_FIELDS, &mut errors, lists)
    else {
        return Err(errors);
    };

    let kind = root.declaration_type("type");
    let procedure = root.procedure("procedure", kind);
    let office = root.office("office", Need::Required);
    let declarant = root.party("declarant", Need::Required);
    let importer = root.party("importer", Need::when(kind == Some(IM), "an import"));
    let exporter = root
        .object(
            "exporter",
            EXPORTER_FIELDS,
            Need::when(kind == Some(EX), "an export"),
        )
        .and_then(|mut o| exporter(&mut o));
    let dispatch_country = root.country(
        "dispatch_country",
        Need::when(matches!(kind, Some(IM | TR)), "an import or a transit"),
    );
    let destination_country = root.country(
        "destination_country",
        Need::when(matches!(kind, Some(EX | TR)), "an export or a transit"),
    );
    let transport = root
        .object("transport", TRANSPORT_FIELDS, Need::Required)
        .and_then(|mut o| transport(&mut o, kind));
    let invoice = root
        .object("invoice", INVOICE_FIELDS, Need::Required)
        .and_then(|mut o| invoice(&mut o));
    let items = items(&mut root);
    let documents = documents(&mut root);

    match (
        kind, procedure, office, declarant, transport, invoice, items, documents,
    ) {
        (
            Some(kind),
            Some(procedure),
            Some(office),
            Some(declarant),
            Some(transport),
            Some(invoice),
            Some(items),
            Some(documents),
        ) if errors.is_empty() => Ok(Declaration {
            kind,
            procedure,
            office,
            declarant,
            importer,
            exporter,
            dispatch_country,
            destination_country,
            transport,
            invoice,
            items,
            documents,
        }),
        _ => {
            // Every getter that yields nothing for a required field has pushed an error;
            // this guards the promise that a refusal is never empty.
            if errors.is_empty() {
                errors.push("", "missing", "the declaration is incomplete");
            }
            Err(errors)
        }
    }
}

fn exporter(o: &mut Obj<'_, '_>) -> Option<Exporter> {
    let name = o.text("name", MAX_NAME, Need::Required);
    let country = o.country("country", Need::Required);
    Some(Exporter {
        name: name?.to_owned(),
        country: country?,
    })
}

fn transport(o: &mut Obj<'_, '_>, kind: Option<DeclarationType>) -> Option<Transport> {
    let mode = o.listed("mode", Need::Required, &TRANSPORT_MODES);
    let id = o.text("id", MAX_REF, Need::Optional);
    let border = Need::when(kind == Some(DeclarationType::TR), "a transit");
    let border_office = o.office("border_office", border);
    Some(Transport {
        mode: mode?.to_owned(),
        id: id.map(str::to_owned),
        border_office,
    })
}

fn invoice(o: &mut Obj<'_, '_>) -> Option<Invoice> {
    let currency = o.currency("currency");
    let incoterm = o.listed("incoterm", Need::Optional, &INCOTERMS);
    let freight = o.amount("freight", MONEY_SCALE, Need::Optional, Sign::NotNegative);
    let insurance = o.amount("insurance", MONEY_SCALE, Need::Optional, Sign::NotNegative);
    Some(Invoice {
        currency: currency?,
        incoterm: incoterm.map(str::to_owned),
        // Absent freight and insurance cost nothing.
        freight: freight.ok()?.unwrap_or(Decimal::ZERO),
        insurance: insurance.ok()?.unwrap_or(Decimal::ZERO),
    })
}

fn items(root: &mut Obj<'_, '_>) -> Option<Vec<GoodsItem>> {
    let values = root.array("items", MAX_ITEMS, Need::Required)?;
    if values.is_empty() {
        root.push(
            "items",
            "empty",
            "a declaration needs at least one goods item",
        );
        return None;
    }
    let mut items = Vec::with_capacity(values.len());
    let mut complete = true;
    for (i, v) in values.iter().enumerate() {
        let item = root
            .element(v, format!("items[{i}]"), ITEM_FIELDS)
            .and_then(|mut o| goods_item(&mut o));
        match item {
            Some(item) => items.push(item),
            None => complete = false,
        }
    }
    complete.then_some(items)
}

fn goods_item(o: &mut Obj<'_, '_>) -> Option<GoodsItem> {
    let hs_code = o.hs_code("hs_code");
    let description = o.text("description", MAX_DESCRIPTION, Need::Required);
    let origin = o.country("origin", Need::Required);
    let quantity = o.amount("quantity", MEASURE_SCALE, Need::Required, Sign::Positive);
    let unit = o.listed("unit", Need::Required, &UNITS);
    let net = o.amount("net_mass_kg", MEASURE_SCALE, Need::Required, Sign::Positive);
    let gross = o.amount(
        "gross_mass_kg",
        MEASURE_SCALE,
        Need::Required,
        Sign::Positive,
    );
    if let (Ok(Some(n)), Ok(Some(g))) = (&net, &gross)
        && n > g
    {
        o.push(
            "net_mass_kg",
            "net_exceeds_gross",
            "the net mass exceeds the gross mass",
        );
    }
    let value = o.amount("value", MONEY_SCALE, Need::Required, Sign::Positive);
    let preference = o.one_of("preference", PREFERENCES, "unknown_preference");
    Some(GoodsItem {
        hs_code: hs_code?,
        description: description?.to_owned(),
        origin: origin?,
        quantity: quantity.ok()??,
        unit: unit?.to_owned(),
        net_mass_kg: net.ok()??,
        gross_mass_kg: gross.ok()??,
        value: value.ok()??,
        preference: preference.map(str::to_owned),
    })
}

fn documents(root: &mut Obj<'_, '_>) -> Option<Vec<Document>> {
    let Some(values) = root.array("documents", MAX_DOCUMENTS, Need::Optional) else {
        // Absent (or null) documents mean none; a malformed array has pushed its error.
        return (!root.has_error_at("documents")).then(Vec::new);
    };
    let mut documents: Vec<Document> = Vec::with_capacity(values.len());
    let mut seen = HashSet::new();
    let mut complete = true;
    for (i, v) in values.iter().enumerate() {
        let path = format!("documents[{i}]");
        let Some(mut o) = root.element(v, path.clone(), DOCUMENT_FIELDS) else {
            complete = false;
            continue;
        };
        let code = o.document_code("code");
        let reference = o.text("ref", MAX_REF, Need::Required);
        let (Some(code), Some(reference)) = (code, reference) else {
            complete = false;
            continue;
        };
        if !seen.insert((code, reference)) {
            root.push_at(
                path,
                "duplicate",
                "the same document (code and ref) is listed twice",
            );
            complete = false;
            continue;
        }
        documents.push(Document {
            code: code.to_owned(),
            reference: reference.to_owned(),
        });
    }
    complete.then_some(documents)
}

/// A code list as a field sees it: the lookup, and the error code when it fails.
struct List {
    knows: fn(&dyn CodeLists, &str) -> bool,
    unknown: &'static str,
    what: &'static str,
}

const HS_SUBHEADINGS: List = List {
    // The code has passed `HsCode::parse`, so it has at least six digits.
    knows: |l, s| s.get(..6).is_some_and(|six| l.is_hs_subheading(six)),
    unknown: "unknown_hs_code",
    what: "in an HS 2022 subheading",
};
const COUNTRIES: List = List {
    knows: |l, s| l.is_country(s),
    unknown: "unknown_country",
    what: "an ISO 3166-1 country",
};
const CURRENCIES: List = List {
    knows: |l, s| l.is_currency(s),
    unknown: "unknown_currency",
    what: "a current ISO 4217 currency",
};
const OFFICES: List = List {
    knows: |l, s| l.is_office(s),
    unknown: "unknown_office",
    what: "a customs office",
};
const UNITS: List = List {
    knows: |l, s| l.is_unit(s),
    unknown: "unknown_unit",
    what: "a unit of quantity",
};
const TRANSPORT_MODES: List = List {
    knows: |l, s| l.is_transport_mode(s),
    unknown: "unknown_transport_mode",
    what: "a UN/ECE Recommendation 19 transport mode",
};
const INCOTERMS: List = List {
    knows: |l, s| l.is_incoterm(s),
    unknown: "unknown_incoterm",
    what: "an Incoterms 2020 rule",
};

/// Whether a field must be present, and why when it depends on the declaration type.
#[derive(Clone, Copy)]
enum Need {
    Required,
    Optional,
    /// Required because of the declaration type; the text names the kind of declaration.
    RequiredFor(&'static str),
}

impl Need {
    fn when(required: bool, what: &'static str) -> Need {
        if required {
            Need::RequiredFor(what)
        } else {
            Need::Optional
        }
    }
}

#[derive(Clone, Copy)]
enum Sign {
    Positive,
    NotNegative,
}

/// An amount as read: `Err(())` when an error was pushed, `Ok(None)` when absent.
type Amount = Result<Option<Decimal>, ()>;

/// One JSON object being walked: its path, and typed getters that push a
/// [`crate::FieldError`] for each problem and yield `None` when the field is unusable.
struct Obj<'v, 'e> {
    map: &'v Map<String, Value>,
    path: String,
    errors: &'e mut FieldErrors,
    lists: &'e dyn CodeLists,
}

impl<'v, 'e> Obj<'v, 'e> {
    /// Opens `value` as an object of the given shape; reports every key outside it.
    fn open(
        value: &'v Value,
        path: String,
        fields: &[&str],
        errors: &'e mut FieldErrors,
        lists: &'e dyn CodeLists,
    ) -> Option<Self> {
        let Value::Object(map) = value else {
            errors.push(
                path,
                "bad_type",
                format!("an object is expected, not {}", kind_of(value)),
            );
            return None;
        };
        let obj = Obj {
            map,
            path,
            errors,
            lists,
        };
        for key in map.keys().filter(|k| !fields.contains(&k.as_str())) {
            let path = obj.at(key);
            obj.errors.push(
                path,
                "unknown_field",
                "this field is not part of a declaration",
            );
        }
        Some(obj)
    }

    fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn push(&mut self, key: &str, code: &str, message: impl Into<String>) {
        let path = self.at(key);
        self.errors.push(path, code, message);
    }

    fn push_at(&mut self, path: String, code: &str, message: impl Into<String>) {
        self.errors.push(path, code, message);
    }

    fn has_error_at(&self, key: &str) -> bool {
        let path = self.at(key);
        self.errors.errors.iter().any(|e| e.path == path)
    }

    fn missing(&mut self, key: &str, need: Need) {
        match need {
            Need::Optional => {}
            Need::Required => self.push(key, "missing", "this field is required"),
            Need::RequiredFor(what) => {
                self.push(key, "missing", format!("this field is required for {what}"));
            }
        }
    }

    /// The field's value; absent and `null` read as nothing (pushing `missing` if needed).
    fn raw(&mut self, key: &str, need: Need) -> Option<&'v Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => {
                self.missing(key, need);
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A non-empty string of at most `max` characters; the empty string reads as absent.
    fn text(&mut self, key: &str, max: usize, need: Need) -> Option<&'v str> {
        let s = match self.raw(key, need)? {
            Value::String(s) => s.as_str(),
            other => {
                let message = format!("a string is expected, not {}", kind_of(other));
                self.push(key, "bad_type", message);
                return None;
            }
        };
        if s.is_empty() {
            self.missing(key, need);
            return None;
        }
        if s.chars().nth(max).is_some() {
            self.push(key, "too_long", format!("at most {max} characters"));
            return None;
        }
        Some(s)
    }

    /// A code: a string of the right form (`bad_format`) that its code list knows.
    fn code<T>(
        &mut self,
        key: &str,
        need: Need,
        parse: impl Fn(&'v str) -> Option<T>,
        form: &str,
        list: Option<&List>,
    ) -> Option<T> {
        // An over-long code is simply not of the form (or not in the list): no `too_long`.
        let s = self.text(key, ANY_LENGTH, need)?;
        let Some(code) = parse(s) else {
            self.push(key, "bad_format", format!("expected {form}"));
            return None;
        };
        if let Some(list) = list
            && !(list.knows)(self.lists, s)
        {
            self.push(
                key,
                list.unknown,
                format!("`{}` is not {}", shown(s), list.what),
            );
            return None;
        }
        Some(code)
    }

    /// A string that must be in a code list, with no form of its own.
    fn listed(&mut self, key: &str, need: Need, list: &List) -> Option<&'v str> {
        self.code(key, need, Some, "a code", Some(list))
    }

    fn one_of(&mut self, key: &str, allowed: &[&str], unknown: &str) -> Option<&'v str> {
        let s = self.text(key, ANY_LENGTH, Need::Optional)?;
        if !allowed.contains(&s) {
            self.push(
                key,
                unknown,
                format!("expected one of {}", allowed.join(", ")),
            );
            return None;
        }
        Some(s)
    }

    fn declaration_type(&mut self, key: &str) -> Option<DeclarationType> {
        let s = self.text(key, ANY_LENGTH, Need::Required)?;
        let kind = DeclarationType::parse(s);
        if kind.is_none() {
            self.push(
                key,
                "unknown_type",
                "expected IM (import), EX (export) or TR (transit)",
            );
        }
        kind
    }

    /// A procedure code, known, and allowed with the declaration type when that is known.
    fn procedure(&mut self, key: &str, kind: Option<DeclarationType>) -> Option<String> {
        let s = self.text(key, ANY_LENGTH, Need::Required)?;
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            self.push(
                key,
                "bad_format",
                "expected 4 digits (requested + previous procedure)",
            );
            return None;
        }
        let Some(types) = self.lists.procedure_types(s) else {
            self.push(
                key,
                "unknown_procedure",
                format!("`{s}` is not a customs procedure"),
            );
            return None;
        };
        if let Some(kind) = kind
            && !types.contains(&kind)
        {
            let message = format!(
                "procedure `{s}` cannot be declared in a {} declaration",
                kind.as_str()
            );
            self.push(key, "procedure_mismatch", message);
            return None;
        }
        Some(s.to_owned())
    }

    fn office(&mut self, key: &str, need: Need) -> Option<OfficeCode> {
        self.code(
            key,
            need,
            OfficeCode::parse,
            "an office code of digits",
            Some(&OFFICES),
        )
    }

    fn party(&mut self, key: &str, need: Need) -> Option<PartyId> {
        self.code(
            key,
            need,
            PartyId::parse,
            "a tax id of 9 to 14 digits",
            None,
        )
    }

    fn country(&mut self, key: &str, need: Need) -> Option<CountryCode> {
        let form = "an ISO 3166-1 alpha-2 code (two capital letters)";
        self.code(key, need, CountryCode::parse, form, Some(&COUNTRIES))
    }

    fn currency(&mut self, key: &str) -> Option<CurrencyCode> {
        let form = "an ISO 4217 code (three capital letters)";
        self.code(
            key,
            Need::Required,
            CurrencyCode::parse,
            form,
            Some(&CURRENCIES),
        )
    }

    fn hs_code(&mut self, key: &str) -> Option<HsCode> {
        self.code(
            key,
            Need::Required,
            HsCode::parse,
            "6 to 10 digits",
            Some(&HS_SUBHEADINGS),
        )
    }

    fn document_code(&mut self, key: &str) -> Option<&'v str> {
        let s = self.text(key, ANY_LENGTH, Need::Required)?;
        let form = s.len() == 4
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !form {
            self.push(
                key,
                "bad_format",
                "expected 4 capital letters or digits, e.g. N380",
            );
            return None;
        }
        Some(s)
    }

    /// An amount written as a decimal string with at most `scale` decimals.
    fn amount(&mut self, key: &str, scale: u32, need: Need, sign: Sign) -> Amount {
        let s = match self.raw(key, need) {
            None => {
                return if matches!(need, Need::Optional) {
                    Ok(None)
                } else {
                    Err(())
                };
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.missing(key, need);
                return if matches!(need, Need::Optional) {
                    Ok(None)
                } else {
                    Err(())
                };
            }
            Some(Value::String(s)) => s,
            Some(Value::Number(_)) => {
                let message = "amounts are decimal strings, e.g. \"1234.50\", not JSON numbers";
                self.push(key, "bad_decimal", message);
                return Err(());
            }
            Some(other) => {
                let message = format!("a decimal string is expected, not {}", kind_of(other));
                self.push(key, "bad_type", message);
                return Err(());
            }
        };
        let d = match parse_decimal(s, scale) {
            Ok(d) => d,
            Err(message) => {
                self.push(key, "bad_decimal", message);
                return Err(());
            }
        };
        match sign {
            Sign::Positive if d <= Decimal::ZERO => {
                self.push(key, "not_positive", "must be greater than zero");
                Err(())
            }
            Sign::NotNegative if d < Decimal::ZERO => {
                self.push(key, "negative", "must not be negative");
                Err(())
            }
            _ => Ok(Some(d)),
        }
    }

    /// An array of at most `max` elements.
    fn array(&mut self, key: &str, max: usize, need: Need) -> Option<&'v [Value]> {
        match self.raw(key, need)? {
            Value::Array(a) if a.len() > max => {
                self.push(key, "too_many", format!("at most {max} entries"));
                None
            }
            Value::Array(a) => Some(a),
            other => {
                self.push(
                    key,
                    "bad_type",
                    format!("an array is expected, not {}", kind_of(other)),
                );
                None
            }
        }
    }

    /// The nested object under `key`.
    fn object(&mut self, key: &str, fields: &[&str], need: Need) -> Option<Obj<'v, '_>> {
        let value = self.raw(key, need)?;
        let path = self.at(key);
        Obj::open(value, path, fields, self.errors, self.lists)
    }

    /// An object inside one of this object's arrays, at its own `path`.
    fn element(&mut self, value: &'v Value, path: String, fields: &[&str]) -> Option<Obj<'v, '_>> {
        Obj::open(value, path, fields, self.errors, self.lists)
    }
}

/// Parses a plain decimal (`-`? digits (`.` digits)?) keeping the written scale.
fn parse_decimal(s: &str, max_scale: u32) -> Result<Decimal, String> {
    const FORM: &str = "expected a plain decimal such as \"1234.50\"";
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        return Err(FORM.to_owned());
    }
    let decimals = frac.map_or(0, str::len);
    if decimals > max_scale as usize {
        return Err(format!("at most {max_scale} decimals"));
    }
    let significant = int.trim_start_matches('0').len() + decimals;
    if significant > MAX_DIGITS {
        return Err(format!("at most {MAX_DIGITS} significant digits"));
    }
    Decimal::from_str_exact(s).map_err(|_| FORM.to_owned())
}

/// A value quoted in a message, cut short: messages must not echo unbounded input.
fn shown(s: &str) -> String {
    const MAX: usize = 32;
    match s.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_owned(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The few codes the tests use.
    struct Lists;

    const IM: &[DeclarationType] = &[DeclarationType::IM];
    const EX: &[DeclarationType] = &[DeclarationType::EX];
    const TR: &[DeclarationType] = &[DeclarationType::TR];

    impl CodeLists for Lists {
        fn is_hs_subheading(&self, six: &str) -> bool {
            ["851713", "620342"].contains(&six)
        }
        fn is_country(&self, code: &str) -> bool {
            ["CN", "HK", "KG", "KZ", "DE"].contains(&code)
        }
        fn is_currency(&self, code: &str) -> bool {
            ["USD", "KGS"].contains(&code)
        }
        fn is_office(&self, code: &str) -> bool {
            ["41701", "41702"].contains(&code)
        }
        fn procedure_types(&self, code: &str) -> Option<&[DeclarationType]> {
            match code {
                "4000" => Some(IM),
                "1000" => Some(EX),
                "8000" => Some(TR),
                _ => None,
            }
        }
        fn is_unit(&self, code: &str) -> bool {
            ["p/st", "kg"].contains(&code)
        }
        fn is_transport_mode(&self, code: &str) -> bool {
            code == "3"
        }
        fn is_incoterm(&self, code: &str) -> bool {
            code == "FOB"
        }
    }

    /// CONTRACT.md's example declaration.
    fn example() -> Value {
        json!({
          "type": "IM",
          "procedure": "4000",
          "office": "41701",
          "declarant": "01234567890123",
          "importer": "01234567890123",
          "exporter": {"name": "Shenzhen Example Co", "country": "CN"},
          "dispatch_country": "CN",
          "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
          "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
          "items": [
            {"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
             "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
             "value": "15000.00", "preference": "100"}
          ],
          "documents": [{"code": "N380", "ref": "INV-2026-001"}]
        })
    }

    fn errors_of(v: &Value) -> Vec<(String, String)> {
        match validate_declaration(v, &Lists) {
            Ok(d) => panic!("expected a refusal, got {d:?}"),
            Err(e) => e.errors.into_iter().map(|e| (e.path, e.code)).collect(),
        }
    }

    fn refused_with(v: &Value, path: &str, code: &str) {
        let errors = errors_of(v);
        assert_eq!(errors, vec![(path.to_owned(), code.to_owned())], "for {v}");
    }

    fn with(mut v: Value, pointer: &str, new: Value) -> Value {
        *v.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}")) = new;
        v
    }

    fn without(mut v: Value, pointer: &str) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            &mut v
        } else {
            v.pointer_mut(parent).unwrap()
        };
        parent.as_object_mut().unwrap().remove(key);
        v
    }

    #[test]
    fn the_contract_example_validates() {
        let d = validate_declaration(&example(), &Lists).unwrap();
        assert_eq!(d.kind, DeclarationType::IM);
        assert_eq!(d.items[0].hs_code.subheading(), "851713");
        assert_eq!(d.invoice.freight.to_string(), "500.00");
        assert_eq!(d.documents.len(), 1);
    }

    #[test]
    fn the_validated_declaration_serialises_back_to_its_input() {
        let d = validate_declaration(&example(), &Lists).unwrap();
        assert_eq!(serde_json::to_value(&d).unwrap(), example());
    }

    #[test]
    fn absent_freight_insurance_and_documents_serialise_back_as_their_defaults() {
        let v = without(
            without(without(example(), "/invoice/freight"), "/invoice/insurance"),
            "/documents",
        );
        let d = validate_declaration(&v, &Lists).unwrap();
        let mut expected = v;
        expected["invoice"]["freight"] = json!("0");
        expected["invoice"]["insurance"] = json!("0");
        expected["documents"] = json!([]);
        assert_eq!(serde_json::to_value(&d).unwrap(), expected);
    }

    #[test]
    fn the_written_scale_is_kept() {
        let v = with(example(), "/items/0/net_mass_kg", json!("20.500"));
        let d = validate_declaration(&v, &Lists).unwrap();
        assert_eq!(d.items[0].value.to_string(), "15000.00");
        assert_eq!(d.items[0].net_mass_kg.to_string(), "20.500");
        let back = serde_json::to_value(&d).unwrap();
        assert_eq!(back["items"][0]["value"], json!("15000.00"));
        assert_eq!(back["items"][0]["net_mass_kg"], json!("20.500"));
    }

    #[test]
    fn a_root_that_is_not_an_object_is_bad_type() {
        refused_with(&json!([1, 2]), "", "bad_type");
        refused_with(&json!("IM"), "", "bad_type");
    }

    #[test]
    fn an_unknown_field_is_refused_at_its_path() {
        let mut v = example();
        v["colour"] = json!("red");
        v["items"][0]["brand"] = json!("X");
        v["transport"]["driver"] = json!("Y");
        assert_eq!(
            errors_of(&v),
            vec![
                ("colour".to_owned(), "unknown_field".to_owned()),
                ("transport.driver".to_owned(), "unknown_field".to_owned()),
                ("items[0].brand".to_owned(), "unknown_field".to_owned()),
            ]
        );
    }

    #[test]
    fn an_absent_null_or_empty_required_field_is_missing() {
        refused_with(&without(example(), "/office"), "office", "missing");
        refused_with(
            &with(example(), "/office", Value::Null),
            "office",
            "missing",
        );
        refused_with(
            &with(example(), "/items/0/description", json!("")),
            "items[0].description",
            "missing",
        );
        refused_with(
            &with(example(), "/invoice", Value::Null),
            "invoice",
            "missing",
        );
        refused_with(&without(example(), "/items"), "items", "missing");
    }

    #[test]
    fn a_value_of_the_wrong_json_type_is_bad_type() {
        refused_with(
            &with(example(), "/items/0/hs_code", json!(8517130000u64)),
            "items[0].hs_code",
            "bad_type",
        );
        refused_with(
            &with(example(), "/transport", json!("road")),
            "transport",
            "bad_type",
        );
        refused_with(&with(example(), "/items", json!({})), "items", "bad_type");
        refused_with(
            &with(example(), "/items/0", json!("x")),
            "items[0]",
            "bad_type",
        );
        refused_with(
            &with(example(), "/items/0/value", json!(true)),
            "items[0].value",
            "bad_type",
        );
    }

    #[test]
    fn a_description_longer_than_512_characters_is_too_long() {
        let ok = "é".repeat(512);
        assert!(
            validate_declaration(&with(example(), "/items/0/description", json!(ok)), &Lists)
                .is_ok()
        );
        let long = "é".repeat(513);
        refused_with(
            &with(example(), "/items/0/description", json!(long)),
            "items[0].description",
            "too_long",
        );
    }

    #[test]
    fn a_name_longer_than_256_and_a_ref_longer_than_70_are_too_long() {
        refused_with(
            &with(example(), "/exporter/name", json!("n".repeat(257))),
            "exporter.name",
            "too_long",
        );
        refused_with(
            &with(example(), "/documents/0/ref", json!("r".repeat(71))),
            "documents[0].ref",
            "too_long",
        );
        refused_with(
            &with(example(), "/transport/id", json!("i".repeat(71))),
            "transport.id",
            "too_long",
        );
    }

    #[test]
    fn more_than_999_items_or_99_documents_are_too_many() {
        let item = example()["items"][0].clone();
        refused_with(
            &with(example(), "/items", json!(vec![item; 1000])),
            "items",
            "too_many",
        );
        let docs: Vec<Value> = (0..100)
            .map(|i| json!({"code": "N380", "ref": format!("INV-{i}")}))
            .collect();
        refused_with(
            &with(example(), "/documents", json!(docs)),
            "documents",
            "too_many",
        );
    }

    #[test]
    fn exactly_999_items_are_accepted() {
        let item = example()["items"][0].clone();
        let d = validate_declaration(&with(example(), "/items", json!(vec![item; 999])), &Lists)
            .unwrap();
        assert_eq!(d.items.len(), 999);
    }

    #[test]
    fn an_empty_items_array_is_refused() {
        refused_with(&with(example(), "/items", json!([])), "items", "empty");
    }

    #[test]
    fn an_hs_code_of_the_wrong_form_is_bad_format() {
        refused_with(
            &with(example(), "/items/0/hs_code", json!("85171")),
            "items[0].hs_code",
            "bad_format",
        );
        refused_with(
            &with(example(), "/items/0/hs_code", json!("8517.13")),
            "items[0].hs_code",
            "bad_format",
        );
    }

    #[test]
    fn an_hs_code_outside_the_2022_subheadings_is_unknown() {
        refused_with(
            &with(example(), "/items/0/hs_code", json!("8517990000")),
            "items[0].hs_code",
            "unknown_hs_code",
        );
        assert!(
            validate_declaration(
                &with(example(), "/items/0/hs_code", json!("851713")),
                &Lists
            )
            .is_ok()
        );
    }

    #[test]
    fn codes_of_the_wrong_form_are_bad_format() {
        refused_with(
            &with(example(), "/dispatch_country", json!("cn")),
            "dispatch_country",
            "bad_format",
        );
        refused_with(
            &with(example(), "/invoice/currency", json!("usd")),
            "invoice.currency",
            "bad_format",
        );
        refused_with(
            &with(example(), "/declarant", json!("ACME")),
            "declarant",
            "bad_format",
        );
        refused_with(
            &with(example(), "/office", json!("KG01")),
            "office",
            "bad_format",
        );
        refused_with(
            &with(example(), "/procedure", json!("40")),
            "procedure",
            "bad_format",
        );
        refused_with(
            &with(example(), "/documents/0/code", json!("n380")),
            "documents[0].code",
            "bad_format",
        );
    }

    #[test]
    fn each_code_outside_its_list_is_named_after_the_list() {
        for (pointer, bad, path, code) in [
            ("/type", "XX", "type", "unknown_type"),
            ("/procedure", "9999", "procedure", "unknown_procedure"),
            ("/office", "99999", "office", "unknown_office"),
            (
                "/dispatch_country",
                "ZZ",
                "dispatch_country",
                "unknown_country",
            ),
            (
                "/exporter/country",
                "ZZ",
                "exporter.country",
                "unknown_country",
            ),
            (
                "/items/0/origin",
                "ZZ",
                "items[0].origin",
                "unknown_country",
            ),
            (
                "/invoice/currency",
                "SUR",
                "invoice.currency",
                "unknown_currency",
            ),
            (
                "/transport/border_office",
                "41799",
                "transport.border_office",
                "unknown_office",
            ),
            (
                "/transport/mode",
                "6",
                "transport.mode",
                "unknown_transport_mode",
            ),
            (
                "/invoice/incoterm",
                "FOX",
                "invoice.incoterm",
                "unknown_incoterm",
            ),
            ("/items/0/unit", "dozen", "items[0].unit", "unknown_unit"),
            (
                "/items/0/preference",
                "400",
                "items[0].preference",
                "unknown_preference",
            ),
        ] {
            refused_with(&with(example(), pointer, json!(bad)), path, code);
        }
    }

    #[test]
    fn an_over_long_code_is_refused_for_its_form_or_list_and_not_echoed_whole() {
        let long = "X".repeat(10_000);
        refused_with(
            &with(example(), "/items/0/hs_code", json!(long)),
            "items[0].hs_code",
            "bad_format",
        );
        refused_with(
            &with(example(), "/type", json!(long)),
            "type",
            "unknown_type",
        );
        let errors = validate_declaration(&with(example(), "/items/0/unit", json!(long)), &Lists)
            .unwrap_err();
        assert_eq!(errors.codes(), vec![("items[0].unit", "unknown_unit")]);
        assert!(errors.errors[0].message.len() < 100);
    }

    #[test]
    fn a_procedure_not_allowed_for_the_type_is_a_mismatch() {
        refused_with(
            &with(example(), "/procedure", json!("1000")),
            "procedure",
            "procedure_mismatch",
        );
    }

    #[test]
    fn a_json_number_amount_is_bad_decimal() {
        refused_with(
            &with(example(), "/items/0/value", json!(15000)),
            "items[0].value",
            "bad_decimal",
        );
        let errors =
            validate_declaration(&with(example(), "/invoice/freight", json!(500.0)), &Lists)
                .unwrap_err();
        assert_eq!(errors.codes(), vec![("invoice.freight", "bad_decimal")]);
        assert!(errors.errors[0].message.contains("decimal strings"));
    }

    #[test]
    fn an_amount_that_is_not_a_plain_decimal_is_bad_decimal() {
        for bad in [
            "1,5", "1e3", "+1", ".5", "1.", "1.2.3", " 1", "0x10", "--1", "NaN", "١٢",
        ] {
            refused_with(
                &with(example(), "/items/0/quantity", json!(bad)),
                "items[0].quantity",
                "bad_decimal",
            );
        }
        let huge = "1".repeat(29);
        refused_with(
            &with(example(), "/items/0/quantity", json!(huge)),
            "items[0].quantity",
            "bad_decimal",
        );
    }

    #[test]
    fn money_allows_two_decimals_and_measures_six() {
        refused_with(
            &with(example(), "/items/0/value", json!("1.005")),
            "items[0].value",
            "bad_decimal",
        );
        refused_with(
            &with(example(), "/invoice/insurance", json!("0.001")),
            "invoice.insurance",
            "bad_decimal",
        );
        refused_with(
            &with(example(), "/items/0/gross_mass_kg", json!("25.0000001")),
            "items[0].gross_mass_kg",
            "bad_decimal",
        );
        assert!(
            validate_declaration(
                &with(example(), "/items/0/quantity", json!("0.000001")),
                &Lists
            )
            .is_ok()
        );
    }

    #[test]
    fn a_zero_quantity_mass_or_value_is_not_positive() {
        for (pointer, path) in [
            ("/items/0/quantity", "items[0].quantity"),
            ("/items/0/value", "items[0].value"),
            ("/items/0/gross_mass_kg", "items[0].gross_mass_kg"),
        ] {
            refused_with(
                &with(example(), pointer, json!("0.00")),
                path,
                "not_positive",
            );
        }
        refused_with(
            &with(example(), "/items/0/net_mass_kg", json!("-1")),
            "items[0].net_mass_kg",
            "not_positive",
        );
    }

    #[test]
    fn negative_freight_or_insurance_is_refused_but_zero_is_fine() {
        refused_with(
            &with(example(), "/invoice/freight", json!("-0.01")),
            "invoice.freight",
            "negative",
        );
        assert!(
            validate_declaration(&with(example(), "/invoice/insurance", json!("0")), &Lists)
                .is_ok()
        );
    }

    #[test]
    fn absent_freight_and_insurance_default_to_zero() {
        let v = without(without(example(), "/invoice/freight"), "/invoice/insurance");
        let d = validate_declaration(&v, &Lists).unwrap();
        assert_eq!(d.invoice.freight, Decimal::ZERO);
        assert_eq!(d.invoice.insurance, Decimal::ZERO);
    }

    #[test]
    fn net_mass_above_gross_is_refused() {
        refused_with(
            &with(example(), "/items/0/net_mass_kg", json!("25.1")),
            "items[0].net_mass_kg",
            "net_exceeds_gross",
        );
        assert!(
            validate_declaration(
                &with(example(), "/items/0/net_mass_kg", json!("25.000")),
                &Lists
            )
            .is_ok()
        );
    }

    #[test]
    fn an_import_without_importer_is_refused() {
        refused_with(&without(example(), "/importer"), "importer", "missing");
    }

    #[test]
    fn an_import_without_dispatch_country_is_refused() {
        refused_with(
            &without(example(), "/dispatch_country"),
            "dispatch_country",
            "missing",
        );
    }

    fn export() -> Value {
        let v = with(example(), "/type", json!("EX"));
        let v = with(v, "/procedure", json!("1000"));
        let v = with(without(v, "/importer"), "/dispatch_country", Value::Null);
        let mut v = with(
            v,
            "/exporter",
            json!({"name": "Bishkek Textiles", "country": "KG"}),
        );
        v["destination_country"] = json!("KZ");
        v
    }

    #[test]
    fn an_export_needs_an_exporter_and_a_destination() {
        assert!(validate_declaration(&export(), &Lists).is_ok());
        refused_with(&without(export(), "/exporter"), "exporter", "missing");
        refused_with(
            &without(export(), "/destination_country"),
            "destination_country",
            "missing",
        );
    }

    #[test]
    fn a_transit_needs_dispatch_destination_and_border_office() {
        let v = with(example(), "/type", json!("TR"));
        let mut v = with(v, "/procedure", json!("8000"));
        v["destination_country"] = json!("KZ");
        assert!(validate_declaration(&v, &Lists).is_ok());
        let v = without(
            without(without(v, "/dispatch_country"), "/destination_country"),
            "/transport/border_office",
        );
        assert_eq!(
            errors_of(&v),
            vec![
                ("dispatch_country".to_owned(), "missing".to_owned()),
                ("destination_country".to_owned(), "missing".to_owned()),
                ("transport.border_office".to_owned(), "missing".to_owned()),
            ]
        );
    }

    #[test]
    fn the_border_office_is_optional_outside_transit() {
        assert!(
            validate_declaration(&without(example(), "/transport/border_office"), &Lists).is_ok()
        );
    }

    #[test]
    fn a_transport_without_mode_is_refused() {
        refused_with(
            &without(example(), "/transport/mode"),
            "transport.mode",
            "missing",
        );
    }

    #[test]
    fn a_document_needs_a_code_and_a_ref() {
        refused_with(
            &with(example(), "/documents/0", json!({"code": "N380"})),
            "documents[0].ref",
            "missing",
        );
        refused_with(
            &with(example(), "/documents/0", json!({"ref": "X", "code": ""})),
            "documents[0].code",
            "missing",
        );
    }

    #[test]
    fn a_duplicate_document_is_refused_on_the_second() {
        let v = with(
            example(),
            "/documents",
            json!([
                {"code": "N380", "ref": "INV-1"},
                {"code": "N380", "ref": "INV-2"},
                {"code": "N380", "ref": "INV-1"}
            ]),
        );
        refused_with(&v, "documents[2]", "duplicate");
    }

    #[test]
    fn null_documents_mean_none() {
        let d = validate_declaration(&with(example(), "/documents", Value::Null), &Lists).unwrap();
        assert!(d.documents.is_empty());
    }

    #[test]
    fn a_preference_without_proof_of_origin_is_not_refused() {
        let v = with(example(), "/items/0/preference", json!("300"));
        let d = validate_declaration(&with(v, "/documents", json!([])), &Lists).unwrap();
        assert_eq!(d.items[0].preference.as_deref(), Some("300"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let v = json!({
            "type": "IM",
            "procedure": "1000",
            "office": "41701",
            "declarant": "01234567890123",
            "dispatch_country": "ZZ",
            "transport": {"mode": "9"},
            "invoice": {"currency": "USD", "freight": 500},
            "items": [
                {"hs_code": "8517130000", "description": "Phones", "origin": "CN", "quantity": "1",
                 "unit": "p/st", "net_mass_kg": "30", "gross_mass_kg": "25", "value": "10"},
                {"hs_code": "1234567890", "description": "", "origin": "CN", "quantity": "0",
                 "unit": "p/st", "net_mass_kg": "1", "gross_mass_kg": "1", "value": "1.999", "extra": 1}
            ],
            "documents": [{"code": "N380", "ref": "A"}, {"code": "N380", "ref": "A"}]
        });
        let got = errors_of(&v);
        let expected = [
            ("procedure", "procedure_mismatch"),
            ("importer", "missing"),
            ("dispatch_country", "unknown_country"),
            ("transport.mode", "unknown_transport_mode"),
            ("invoice.freight", "bad_decimal"),
            ("items[0].net_mass_kg", "net_exceeds_gross"),
            ("items[1].extra", "unknown_field"),
            ("items[1].hs_code", "unknown_hs_code"),
            ("items[1].description", "missing"),
            ("items[1].quantity", "not_positive"),
            ("items[1].value", "bad_decimal"),
            ("documents[1]", "duplicate"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        assert_eq!(got, expected);
    }
}
