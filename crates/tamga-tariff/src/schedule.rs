//! The customs tariff: lines keyed by a code prefix (2 to 10 digits), each valid over a
//! span of dates, carrying duty, excise and VAT rates.
//!
//! Invariant: a [`TariffSchedule`] only exists whole and consistent — every line's mode has
//! the rates it needs, and no two lines of the same code are valid on the same day — so the
//! calculation never meets a half-specified line. Lookup costs at most nine hash probes
//! (one per prefix length), whatever the size of the tariff.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::table::{LineError, RowCheck, read_rows};

/// The columns of a tariff file, in the order of CONTRACT.md.
pub const TARIFF_COLUMNS: [&str; 12] = [
    "code",
    "description",
    "duty_rate",
    "duty_specific",
    "duty_unit",
    "duty_mode",
    "vat_rate",
    "excise_rate",
    "excise_specific",
    "excise_unit",
    "valid_from",
    "valid_to",
];

/// Units a specific rate may be expressed in. `kg` takes an item's net mass; every other unit
/// takes the item's quantity, which must be declared in that same unit.
pub const UNITS: [&str; 13] = [
    "kg",
    "g",
    "l",
    "l alc 100%",
    "p/st",
    "1000 p/st",
    "pa",
    "m",
    "m2",
    "m3",
    "ct",
    "kWh",
    "1000 kWh",
];

/// How a line's duty is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyMode {
    /// Customs value × `duty_rate` %.
    AdValorem,
    /// `duty_specific` × quantity.
    Specific,
    /// The higher of the ad valorem and the specific amount.
    Higher,
    /// The lower of the ad valorem and the specific amount.
    Lower,
}

impl DutyMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ad_valorem" => Some(Self::AdValorem),
            "specific" => Some(Self::Specific),
            "higher" => Some(Self::Higher),
            "lower" => Some(Self::Lower),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdValorem => "ad_valorem",
            Self::Specific => "specific",
            Self::Higher => "higher",
            Self::Lower => "lower",
        }
    }

    fn needs_rate(self) -> bool {
        !matches!(self, Self::Specific)
    }

    fn needs_specific(self) -> bool {
        !matches!(self, Self::AdValorem)
    }
}

/// A specific rate: `amount` of national currency per one `unit`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Specific {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2.50"))]
    pub amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(example = "l"))]
    pub unit: String,
}

/// One validated line of the tariff. Built only by [`TariffSchedule::from_csv`] or
/// [`TariffSchedule::from_records`]; read it through its accessors or serialise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TariffLine {
    code: String,
    description: String,
    /// `None`: the line levies no duty at all (no duty line appears in the taxes).
    duty_mode: Option<DutyMode>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    duty_rate: Option<Decimal>,
    duty_specific: Option<Specific>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    vat_rate: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    excise_rate: Option<Decimal>,
    excise_specific: Option<Specific>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    valid_from: Date,
    /// Last day of validity, inclusive; `None`: open-ended.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    valid_to: Option<Date>,
    /// Line of the source file, for messages.
    #[serde(skip)]
    source_line: usize,
}

impl TariffLine {
    pub fn code(&self) -> &str {
        &self.code
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn duty_mode(&self) -> Option<DutyMode> {
        self.duty_mode
    }
    /// Duty rate in percent.
    pub fn duty_rate(&self) -> Option<Decimal> {
        self.duty_rate
    }
    pub fn duty_specific(&self) -> Option<&Specific> {
        self.duty_specific.as_ref()
    }
    /// VAT rate in percent.
    pub fn vat_rate(&self) -> Option<Decimal> {
        self.vat_rate
    }
    /// Excise rate in percent (a line has either this or [`Self::excise_specific`], never both).
    pub fn excise_rate(&self) -> Option<Decimal> {
        self.excise_rate
    }
    pub fn excise_specific(&self) -> Option<&Specific> {
        self.excise_specific.as_ref()
    }
    pub fn valid_from(&self) -> Date {
        self.valid_from
    }
    pub fn valid_to(&self) -> Option<Date> {
        self.valid_to
    }
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The line as the raw cells of a tariff file, e.g. to store it or write it back out.
    pub fn to_record(&self) -> TariffRecord {
        let dec = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        let amount = |s: &Option<Specific>| dec(s.as_ref().map(|s| s.amount));
        let unit = |s: &Option<Specific>| s.as_ref().map(|s| s.unit.clone()).unwrap_or_default();
        TariffRecord {
            code: self.code.clone(),
            description: self.description.clone(),
            duty_rate: dec(self.duty_rate),
            duty_specific: amount(&self.duty_specific),
            duty_unit: unit(&self.duty_specific),
            duty_mode: self
                .duty_mode
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            vat_rate: dec(self.vat_rate),
            excise_rate: dec(self.excise_rate),
            excise_specific: amount(&self.excise_specific),
            excise_unit: unit(&self.excise_specific),
            valid_from: self.valid_from.to_string(),
            valid_to: self.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// One tariff row as raw text cells, exactly the columns of a tariff file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TariffRecord {
    pub code: String,
    pub description: String,
    pub duty_rate: String,
    pub duty_specific: String,
    pub duty_unit: String,
    pub duty_mode: String,
    pub vat_rate: String,
    pub excise_rate: String,
    pub excise_specific: String,
    pub excise_unit: String,
    pub valid_from: String,
    pub valid_to: String,
}

/// The whole tariff, immutable once built.
#[derive(Debug, Clone)]
pub struct TariffSchedule {
    lines: Vec<TariffLine>,
    /// Code → indices into `lines`, sorted by `valid_from`; the validity spans never overlap.
    by_code: HashMap<String, Vec<usize>>,
}

impl TariffSchedule {
    /// Reads a tariff file (columns [`TARIFF_COLUMNS`], in any order). Refused with every
    /// problem found, by line, column and code; nothing is ever partially loaded.
    ///
    /// Codes: `missing_column`, `duplicate_column`, `bad_csv`, `too_many_cells`, `empty`,
    /// `missing`, `bad_code`, `bad_decimal`, `negative`, `bad_mode`, `bad_unit`, `bad_date`,
    /// `bad_date_range`, `mode_needs_rate`, `mode_needs_specific`, `unexpected_rate`,
    /// `unexpected_specific`, `unexpected_unit`, `excise_rate_and_specific`, `duplicate`.
    pub fn from_csv(text: &str) -> Result<TariffSchedule, Vec<LineError>> {
        let rows = read_rows(text, &TARIFF_COLUMNS)?;
        Self::build(rows.into_iter().map(|row| {
            let c = |i: usize| row.cell(i).to_owned();
            let record = TariffRecord {
                code: c(0),
                description: c(1),
                duty_rate: c(2),
                duty_specific: c(3),
                duty_unit: c(4),
                duty_mode: c(5),
                vat_rate: c(6),
                excise_rate: c(7),
                excise_specific: c(8),
                excise_unit: c(9),
                valid_from: c(10),
                valid_to: c(11),
            };
            (row.line, record)
        }))
    }

    /// Builds a tariff from raw records (as stored in a database); the record at index `i` is
    /// reported as line `i + 2`, as if it came from a file with a header.
    pub fn from_records(
        records: impl IntoIterator<Item = TariffRecord>,
    ) -> Result<TariffSchedule, Vec<LineError>> {
        Self::build(
            records
                .into_iter()
                .enumerate()
                .map(|(i, record)| (i + 2, record)),
        )
    }

    fn build(
        rows: impl Iterator<Item = (usize, TariffRecord)>,
    ) -> Result<TariffSchedule, Vec<LineError>> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (line, record) in rows {
            let mut check = RowCheck {
                line,
                errors: &mut errors,
            };
            if let Some(parsed) = parse_line(&mut check, &record) {
                lines.push(parsed);
            }
        }
        if lines.is_empty() && errors.is_empty() {
            errors.push(LineError::new(1, "", "empty", "the tariff has no lines"));
        }

        let mut by_code: HashMap<String, Vec<usize>> = HashMap::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            by_code.entry(line.code.clone()).or_default().push(i);
        }
        for indices in by_code.values_mut() {
            indices.sort_by_key(|&i| (lines[i].valid_from, lines[i].source_line));
            // Sorted by start: a line overlaps an earlier one iff it starts on or before the
            // latest end seen so far.
            let mut latest: Option<usize> = None;
            for &i in indices.iter() {
                if let Some(p) = latest {
                    let (prev, this) = (&lines[p], &lines[i]);
                    if prev.valid_to.is_none_or(|to| this.valid_from <= to) {
                        errors.push(LineError::new(
                            this.source_line,
                            "valid_from",
                            "duplicate",
                            format!(
                                "code {} is already valid on {} by line {} ({}..{})",
                                this.code,
                                this.valid_from,
                                prev.source_line,
                                prev.valid_from,
                                prev.valid_to.map(|d| d.to_string()).unwrap_or_default()
                            ),
                        ));
                    }
                }
                let ends_later = |p: usize| match (lines[p].valid_to, lines[i].valid_to) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(a), Some(b)) => b > a,
                };
                if latest.is_none_or(ends_later) {
                    latest = Some(i);
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        Ok(TariffSchedule { lines, by_code })
    }

    /// The line applying to `hs_code` on `date`: among lines valid on that date, the one with
    /// the longest code that is a prefix of `hs_code`.
    pub fn line_for(&self, hs_code: &str, date: Date) -> Option<&TariffLine> {
        if !hs_code.is_ascii() {
            return None;
        }
        let longest = hs_code.len().min(10);
        (2..=longest).rev().find_map(|n| {
            let indices = self.by_code.get(&hs_code[..n])?;
            let started = indices.partition_point(|&i| self.lines[i].valid_from <= date);
            let candidate = &self.lines[indices[started.checked_sub(1)?]];
            candidate.is_valid_on(date).then_some(candidate)
        })
    }

    /// Every line, in file order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = &TariffLine> {
        self.lines.iter()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

fn parse_line(check: &mut RowCheck<'_>, r: &TariffRecord) -> Option<TariffLine> {
    let before = check.errors.len();

    let code = check.required("code", &r.code).and_then(|code| {
        let ok = (2..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            check.push(
                "code",
                "bad_code",
                format!("{code:?} is not a code of 2 to 10 digits"),
            );
        }
        ok.then_some(code)
    });

    let duty_rate = check.non_negative("duty_rate", &r.duty_rate);
    let duty_specific = specific(
        check,
        "duty_specific",
        "duty_unit",
        &r.duty_specific,
        &r.duty_unit,
    );
    let duty_mode = if r.duty_mode.is_empty() {
        // No mode written: a lone rate is ad valorem; nothing at all is no duty; a specific
        // amount without a mode is ambiguous (specific? higher? lower?) and refused.
        if !r.duty_specific.is_empty() {
            check.push(
                "duty_mode",
                "missing",
                "duty_mode is required when duty_specific is given (specific, higher or lower)",
            );
        }
        (!r.duty_rate.is_empty()).then_some(DutyMode::AdValorem)
    } else {
        let mode = DutyMode::parse(&r.duty_mode);
        if mode.is_none() {
            check.push(
                "duty_mode",
                "bad_mode",
                format!(
                    "{:?} is not one of ad_valorem, specific, higher, lower",
                    r.duty_mode
                ),
            );
        }
        mode
    };
    if let Some(mode) = duty_mode {
        if mode.needs_rate() && r.duty_rate.is_empty() {
            check.push(
                "duty_rate",
                "mode_needs_rate",
                format!("duty_mode {} needs duty_rate", mode.as_str()),
            );
        }
        if !mode.needs_rate() && !r.duty_rate.is_empty() {
            check.push(
                "duty_rate",
                "unexpected_rate",
                "duty_mode specific takes no duty_rate",
            );
        }
        if mode.needs_specific() && r.duty_specific.is_empty() {
            check.push(
                "duty_specific",
                "mode_needs_specific",
                format!(
                    "duty_mode {} needs duty_specific and duty_unit",
                    mode.as_str()
                ),
            );
        }
        if !mode.needs_specific() && !r.duty_specific.is_empty() {
            check.push(
                "duty_specific",
                "unexpected_specific",
                "duty_mode ad_valorem takes no duty_specific; use higher or lower for mixed duties",
            );
        }
    }

    let vat_rate = check.non_negative("vat_rate", &r.vat_rate);
    let excise_rate = check.non_negative("excise_rate", &r.excise_rate);
    let excise_specific = specific(
        check,
        "excise_specific",
        "excise_unit",
        &r.excise_specific,
        &r.excise_unit,
    );
    if !r.excise_rate.is_empty() && !r.excise_specific.is_empty() {
        check.push(
            "excise_specific",
            "excise_rate_and_specific",
            "excise is either a rate or a specific amount, not both",
        );
    }

    let valid_from = check
        .required("valid_from", &r.valid_from)
        .and_then(|cell| check.date("valid_from", cell));
    let valid_to = check.date("valid_to", &r.valid_to);
    if let (Some(from), Some(to)) = (valid_from, valid_to)
        && to < from
    {
        check.push(
            "valid_to",
            "bad_date_range",
            format!("valid_to {to} is before valid_from {from}"),
        );
    }

    if check.errors.len() > before {
        return None;
    }
    Some(TariffLine {
        code: code?.to_owned(),
        description: r.description.clone(),
        duty_mode,
        duty_rate,
        duty_specific,
        vat_rate,
        excise_rate,
        excise_specific,
        valid_from: valid_from?,
        valid_to,
        source_line: check.line,
    })
}

/// A specific amount and its unit: both or neither.
fn specific(
    check: &mut RowCheck<'_>,
    amount_column: &str,
    unit_column: &str,
    amount: &str,
    unit: &str,
) -> Option<Specific> {
    let parsed = check.non_negative(amount_column, amount);
    if unit.is_empty() {
        if !amount.is_empty() {
            check.push(
                unit_column,
                "missing",
                format!("{unit_column} is required when {amount_column} is given"),
            );
        }
        return None;
    }
    if amount.is_empty() {
        check.push(
            unit_column,
            "unexpected_unit",
            format!("{unit_column} is given without {amount_column}"),
        );
        return None;
    }
    if !UNITS.contains(&unit) {
        check.push(
            unit_column,
            "bad_unit",
            format!("{unit:?} is not one of {}", UNITS.join(", ")),
        );
        return None;
    }
    Some(Specific {
        amount: parsed?,
        unit: unit.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const HEADER: &str = "code,description,duty_rate,duty_specific,duty_unit,duty_mode,vat_rate,excise_rate,excise_specific,excise_unit,valid_from,valid_to\n";

    fn schedule(rows: &str) -> TariffSchedule {
        TariffSchedule::from_csv(&format!("{HEADER}{rows}")).unwrap()
    }

    fn refusal(rows: &str) -> Vec<(usize, String, String)> {
        TariffSchedule::from_csv(&format!("{HEADER}{rows}"))
            .err()
            .unwrap()
            .into_iter()
            .map(|e| (e.line, e.column, e.code))
            .collect()
    }

    fn e(line: usize, column: &str, code: &str) -> (usize, String, String) {
        (line, column.to_owned(), code.to_owned())
    }

    #[test]
    fn the_longest_matching_prefix_wins() {
        let s = schedule(
            "22,Beverages,15,,,ad_valorem,12,,,,2020-01-01,\n\
             2208,Spirits,20,200,l,higher,12,,300,l,2020-01-01,\n\
             220830,Whisky,10,,,,12,,300,l,2020-01-01,\n",
        );
        let d = date(2026, 3, 1);
        assert_eq!(s.line_for("2208301000", d).unwrap().code(), "220830");
        assert_eq!(s.line_for("2208601100", d).unwrap().code(), "2208");
        assert_eq!(s.line_for("2201100000", d).unwrap().code(), "22");
        assert!(s.line_for("8517130000", d).is_none());
    }

    #[test]
    fn a_longer_prefix_not_valid_on_the_date_gives_way_to_a_shorter_one() {
        let s = schedule(
            "22,Beverages,15,,,,12,,,,2020-01-01,\n\
             2208,Spirits,20,,,,12,,,,2026-07-01,\n",
        );
        assert_eq!(
            s.line_for("2208300000", date(2026, 6, 30)).unwrap().code(),
            "22"
        );
        assert_eq!(
            s.line_for("2208300000", date(2026, 7, 1)).unwrap().code(),
            "2208"
        );
    }

    #[test]
    fn valid_to_is_the_last_day_of_validity_inclusive() {
        let s = schedule(
            "2208,Old,20,,,,12,,,,2025-01-01,2026-06-30\n\
             2208,New,25,,,,12,,,,2026-07-01,\n",
        );
        assert_eq!(
            s.line_for("220830", date(2026, 6, 30))
                .unwrap()
                .description(),
            "Old"
        );
        assert_eq!(
            s.line_for("220830", date(2026, 7, 1))
                .unwrap()
                .description(),
            "New"
        );
        assert!(s.line_for("220830", date(2024, 12, 31)).is_none());
    }

    #[test]
    fn an_empty_mode_with_a_rate_is_ad_valorem_and_with_nothing_is_no_duty() {
        let s = schedule(
            "01,Animals,5,,,,12,,,,2020-01-01,\n\
             49,Books,,,,,12,,,,2020-01-01,\n",
        );
        assert_eq!(
            s.line_for("010121", date(2026, 1, 1)).unwrap().duty_mode(),
            Some(DutyMode::AdValorem)
        );
        assert_eq!(
            s.line_for("490199", date(2026, 1, 1)).unwrap().duty_mode(),
            None
        );
    }

    #[test]
    fn every_problem_of_a_bad_file_is_reported_with_line_column_and_code() {
        let got = refusal(
            "1,Too short,5,,,,12,,,,2020-01-01,\n\
             22,Bad decimal,1x,,,,12,,,,2020-01-01,\n\
             23,Bad mode,5,,,maybe,12,,,,2020-01-01,\n\
             24,Bad date,5,,,,12,,,,2020-13-01,\n\
             ,No code,5,,,,12,,,,,\n\
             27,Bad unit,,,,,12,,3,tonne,2020-01-01,\n\
             2208,Higher without specific,20,,,higher,12,,,,2020-01-01,\n\
             2203,Specific without mode,,15,l,,12,,,,2020-01-01,\n",
        );
        assert_eq!(
            got,
            vec![
                e(2, "code", "bad_code"),
                e(3, "duty_rate", "bad_decimal"),
                e(4, "duty_mode", "bad_mode"),
                e(5, "valid_from", "bad_date"),
                e(6, "code", "missing"),
                e(6, "valid_from", "missing"),
                e(7, "excise_unit", "bad_unit"),
                e(8, "duty_specific", "mode_needs_specific"),
                e(9, "duty_mode", "missing"),
            ]
        );
    }

    #[test]
    fn a_code_with_overlapping_validity_is_refused_as_duplicate() {
        let got = refusal(
            "2208,A,20,,,,12,,,,2020-01-01,\n\
             2208,B,25,,,,12,,,,2026-07-01,\n\
             2204,C,20,,,,12,,,,2020-01-01,2025-12-31\n\
             2204,D,20,,,,12,,,,2026-01-01,\n",
        );
        assert_eq!(got, vec![e(3, "valid_from", "duplicate")]);
    }

    #[test]
    fn a_line_overlapping_an_earlier_but_not_the_previous_line_is_still_a_duplicate() {
        let got = refusal(
            "2208,Long,20,,,,12,,,,2020-01-01,2030-12-31\n\
             2208,Short,20,,,,12,,,,2021-01-01,2021-12-31\n\
             2208,Later,20,,,,12,,,,2025-01-01,\n",
        );
        assert_eq!(
            got,
            vec![
                e(3, "valid_from", "duplicate"),
                e(4, "valid_from", "duplicate")
            ]
        );
    }

    #[test]
    fn a_mode_and_its_rates_must_agree() {
        let got = refusal(
            "01,Ad valorem with specific,5,2,kg,ad_valorem,12,,,,2020-01-01,\n\
             02,Specific with rate,5,2,kg,specific,12,,,,2020-01-01,\n\
             03,Lower without rate,,2,kg,lower,12,,,,2020-01-01,\n\
             04,Unit without amount,5,,kg,,12,,,,2020-01-01,\n\
             05,Amount without unit,5,2,,higher,12,,,,2020-01-01,\n\
             06,Both excises,5,,,,12,10,2,kg,2020-01-01,\n\
             07,Negative,-5,,,,12,,,,2020-01-01,\n\
             08,Backwards,5,,,,12,,,,2026-01-01,2025-01-01\n",
        );
        assert_eq!(
            got,
            vec![
                e(2, "duty_specific", "unexpected_specific"),
                e(3, "duty_rate", "unexpected_rate"),
                e(4, "duty_rate", "mode_needs_rate"),
                e(5, "duty_unit", "unexpected_unit"),
                e(6, "duty_unit", "missing"),
                e(7, "excise_specific", "excise_rate_and_specific"),
                e(8, "duty_rate", "negative"),
                e(9, "valid_to", "bad_date_range"),
            ]
        );
    }

    #[test]
    fn a_line_written_back_as_a_record_reads_the_same() {
        let s = schedule("2208,Spirits,20,200,l,higher,12,,300,l,2020-01-01,2026-06-30\n");
        let again = TariffSchedule::from_records(s.lines().map(TariffLine::to_record)).unwrap();
        assert_eq!(again.lines().next(), s.lines().next());
    }

    #[test]
    fn a_line_error_serialises_with_line_column_code_and_message() {
        let errors = TariffSchedule::from_csv(&format!("{HEADER}1,x,,,,,,,,,2020-01-01,\n"))
            .err()
            .unwrap();
        let json = serde_json::to_value(&errors[0]).unwrap();
        assert_eq!(json["line"], 2);
        assert_eq!(json["column"], "code");
        assert_eq!(json["code"], "bad_code");
        assert!(json["message"].is_string());
    }
}
