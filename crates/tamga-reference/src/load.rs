//! Parsing the CSV files into the lists of [`crate::lists`]. Every row is checked against
//! the form the rest of Tamga relies on (an office code must pass `OfficeCode::parse`, …),
//! so a file replaced by one of another shape fails loading instead of validation later.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use tamga_types::{CountryCode, CurrencyCode, DeclarationType, OfficeCode};

use crate::error::ReferenceError;
use crate::lists::{CodeEntry, Country, Currency, HsEntry, HsLevel, HsSection, Office, Procedure};

/// The rows of one CSV file, each with its line number.
fn rows<T: DeserializeOwned>(
    file: &'static str,
    text: &str,
) -> Result<Vec<(u64, T)>, ReferenceError> {
    let csv_error = |source| ReferenceError::Csv { file, source };
    // Some of the public files start with a UTF-8 byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.deserialize(Some(&headers)).map_err(csv_error)?));
    }
    Ok(rows)
}

fn invalid(file: &'static str, line: u64, message: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid {
        file,
        line,
        message: message.into(),
    }
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

/// Refuses a code seen on an earlier line of the same file.
struct Unique {
    file: &'static str,
    seen: HashSet<String>,
}

impl Unique {
    fn new(file: &'static str) -> Self {
        Unique {
            file,
            seen: HashSet::new(),
        }
    }

    fn check(&mut self, line: u64, code: &str) -> Result<(), ReferenceError> {
        if code.is_empty() {
            return Err(invalid(self.file, line, "empty code"));
        }
        if !self.seen.insert(code.to_owned()) {
            return Err(invalid(
                self.file,
                line,
                format!("`{code}` is listed twice"),
            ));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct HsRow {
    section: String,
    hscode: String,
    description: String,
    parent: String,
    level: String,
}

pub(crate) fn hs(file: &'static str, text: &str) -> Result<Vec<HsEntry>, ReferenceError> {
    let mut unique = Unique::new(file);
    let mut entries = Vec::new();
    for (line, row) in rows::<HsRow>(file, text)? {
        // UN Comtrade's grand total (level 5, code `TOTAL`) is not a nomenclature entry.
        if row.hscode == "TOTAL" {
            continue;
        }
        let level = row
            .level
            .parse()
            .ok()
            .and_then(HsLevel::from_digits)
            .ok_or_else(|| invalid(file, line, format!("level `{}`", row.level)))?;
        let form = row.hscode.len() == usize::from(level.digits())
            && row.hscode.bytes().all(|b| b.is_ascii_digit());
        if !form {
            return Err(invalid(file, line, format!("code `{}`", row.hscode)));
        }
        unique.check(line, &row.hscode)?;
        entries.push(HsEntry {
            code: row.hscode,
            description: row.description,
            level,
            parent: non_empty(row.parent).filter(|p| p != "TOTAL"),
            section: row.section,
        });
    }
    Ok(entries)
}

#[derive(Deserialize)]
struct SectionRow {
    section: String,
    name: String,
}

pub(crate) fn hs_sections(
    file: &'static str,
    text: &str,
) -> Result<Vec<HsSection>, ReferenceError> {
    let mut unique = Unique::new(file);
    let mut sections = Vec::new();
    for (line, row) in rows::<SectionRow>(file, text)? {
        unique.check(line, &row.section)?;
        sections.push(HsSection {
            numeral: row.section,
            name: row.name,
        });
    }
    Ok(sections)
}

#[derive(Deserialize)]
struct CountryRow {
    #[serde(rename = "ISO3166-1-Alpha-2")]
    alpha2: String,
    #[serde(rename = "ISO3166-1-Alpha-3")]
    alpha3: String,
    #[serde(rename = "ISO3166-1-numeric")]
    numeric: String,
    official_name_en: String,
    #[serde(rename = "CLDR display name")]
    cldr_name: String,
    official_name_ru: String,
    #[serde(rename = "Least Developed Countries (LDC)")]
    ldc: String,
    #[serde(rename = "Land Locked Developing Countries (LLDC)")]
    lldc: String,
    #[serde(rename = "Region Name")]
    region: String,
}

pub(crate) fn countries(file: &'static str, text: &str) -> Result<Vec<Country>, ReferenceError> {
    let mut unique = Unique::new(file);
    let mut countries = Vec::new();
    for (line, row) in rows::<CountryRow>(file, text)? {
        if CountryCode::parse(&row.alpha2).is_none() {
            return Err(invalid(
                file,
                line,
                format!("alpha-2 code `{}`", row.alpha2),
            ));
        }
        unique.check(line, &row.alpha2)?;
        let name_en = non_empty(row.official_name_en)
            .or_else(|| non_empty(row.cldr_name))
            .ok_or_else(|| invalid(file, line, "no English name"))?;
        countries.push(Country {
            alpha2: row.alpha2,
            alpha3: row.alpha3,
            numeric: format!("{:0>3}", row.numeric),
            name_en,
            name_ru: non_empty(row.official_name_ru),
            ldc: row.ldc == "x",
            lldc: row.lldc == "x",
            region: non_empty(row.region),
        });
    }
    Ok(countries)
}

#[derive(Deserialize)]
struct CurrencyRow {
    #[serde(rename = "Currency")]
    name: String,
    #[serde(rename = "AlphabeticCode")]
    code: String,
    #[serde(rename = "NumericCode")]
    numeric: String,
    #[serde(rename = "MinorUnit")]
    minor_unit: String,
    #[serde(rename = "WithdrawalDate")]
    withdrawal_date: String,
}

/// One entry per code (the file has one row per entity using it), sorted by code. The
/// name and minor unit come from a current row when there is one.
pub(crate) fn currencies(file: &'static str, text: &str) -> Result<Vec<Currency>, ReferenceError> {
    let mut by_code: BTreeMap<String, Currency> = BTreeMap::new();
    for (line, row) in rows::<CurrencyRow>(file, text)? {
        // Antarctica and a few territories have "No universal currency".
        if row.code.is_empty() {
            continue;
        }
        if CurrencyCode::parse(&row.code).is_none() {
            return Err(invalid(file, line, format!("code `{}`", row.code)));
        }
        let currency = Currency {
            code: row.code.clone(),
            numeric: non_empty(row.numeric),
            name: row.name,
            minor_unit: row.minor_unit.parse().ok(),
            withdrawn: !row.withdrawal_date.is_empty(),
        };
        match by_code.get_mut(&row.code) {
            Some(known) if known.withdrawn && !currency.withdrawn => *known = currency,
            Some(_) => {}
            None => {
                by_code.insert(row.code, currency);
            }
        }
    }
    Ok(by_code.into_values().collect())
}

#[derive(Deserialize)]
struct OfficeRow {
    code: String,
    name: String,
    kind: String,
    neighbour: String,
    latitude: String,
    longitude: String,
}

pub(crate) fn offices(file: &'static str, text: &str) -> Result<Vec<Office>, ReferenceError> {
    let mut unique = Unique::new(file);
    let mut offices = Vec::new();
    for (line, row) in rows::<OfficeRow>(file, text)? {
        if OfficeCode::parse(&row.code).is_none() {
            return Err(invalid(file, line, format!("office code `{}`", row.code)));
        }
        unique.check(line, &row.code)?;
        let coordinate = |s: &str| {
            s.parse::<f64>()
                .map_err(|_| invalid(file, line, format!("coordinate `{s}`")))
        };
        offices.push(Office {
            latitude: coordinate(&row.latitude)?,
            longitude: coordinate(&row.longitude)?,
            code: row.code,
            name: row.name,
            kind: row.kind,
            neighbour: non_empty(row.neighbour),
        });
    }
    Ok(offices)
}

#[derive(Deserialize)]
struct ProcedureRow {
    code: String,
    #[serde(rename = "type")]
    kind: String,
    description: String,
}

/// One entry per code, in file order; a code on several rows collects their types.
pub(crate) fn procedures(file: &'static str, text: &str) -> Result<Vec<Procedure>, ReferenceError> {
    let mut procedures: Vec<Procedure> = Vec::new();
    for (line, row) in rows::<ProcedureRow>(file, text)? {
        if row.code.len() != 4 || !row.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                file,
                line,
                format!("procedure code `{}`", row.code),
            ));
        }
        let kind = DeclarationType::parse(&row.kind)
            .ok_or_else(|| invalid(file, line, format!("declaration type `{}`", row.kind)))?;
        match procedures.iter_mut().find(|p| p.code == row.code) {
            Some(p) if p.types.contains(&kind) => {
                return Err(invalid(
                    file,
                    line,
                    format!("`{} {}` is listed twice", row.code, row.kind),
                ));
            }
            Some(p) => p.types.push(kind),
            None => procedures.push(Procedure {
                code: row.code,
                types: vec![kind],
                description: row.description,
            }),
        }
    }
    Ok(procedures)
}

#[derive(Deserialize)]
struct CodeRow {
    code: String,
    description: String,
}

pub(crate) fn code_entries(
    file: &'static str,
    text: &str,
) -> Result<Vec<CodeEntry>, ReferenceError> {
    let mut unique = Unique::new(file);
    let mut entries = Vec::new();
    for (line, row) in rows::<CodeRow>(file, text)? {
        unique.check(line, &row.code)?;
        entries.push(CodeEntry {
            code: row.code,
            description: row.description,
        });
    }
    Ok(entries)
}
