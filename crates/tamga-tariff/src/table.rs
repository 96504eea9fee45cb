//! Reading the administration's small CSV tables (tariff, exchange rates, preferences).
//!
//! Owns the one error shape of a refused table ([`LineError`]) and the strict cell parsers
//! shared by every table. A table is either read whole or refused with every problem found;
//! nothing here ever returns half a table.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One problem in one cell of a CSV table. `line` is the 1-based line of the file (the header
/// is line 1); `column` names the column (empty for the row or file as a whole); `code` is
/// stable and machine-readable; `message` is for people and may change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineError {
    pub line: usize,
    pub column: String,
    pub code: String,
    pub message: String,
}

impl LineError {
    pub(crate) fn new(line: usize, column: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {} ({})", self.line, self.code, self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {} ({})",
                self.line, self.column, self.code, self.message
            )
        }
    }
}

impl std::error::Error for LineError {}

/// One data row, its cells in the order of the table's declared columns.
pub(crate) struct Row {
    pub line: usize,
    cells: Vec<String>,
}

impl Row {
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map(String::as_str).unwrap_or("")
    }
}

/// Reads `text` as CSV with a header naming (at least) `columns`, in any order; extra
/// columns are ignored so that administrations may keep notes beside the data. Cells are
/// trimmed; a short row reads as empty cells. A header problem refuses the file at once,
/// since no row could then be read meaningfully.
pub(crate) fn read_rows(text: &str, columns: &[&str]) -> Result<Vec<Row>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![LineError::new(1, "", "bad_csv", e.to_string())]),
    };
    let mut errors = Vec::new();
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    for (position, name) in header.iter().enumerate() {
        if let Some(c) = columns.iter().position(|c| *c == name) {
            if index[c].is_some() {
                errors.push(LineError::new(
                    1,
                    name,
                    "duplicate_column",
                    format!("column {name} appears twice in the header"),
                ));
            } else {
                index[c] = Some(position);
            }
        }
    }
    for (c, name) in columns.iter().enumerate() {
        if index[c].is_none() {
            errors.push(LineError::new(
                1,
                name,
                "missing_column",
                format!("the header has no column {name}"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let index: Vec<usize> = index.into_iter().flatten().collect();

    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                if record.len() > header.len() {
                    errors.push(LineError::new(
                        line,
                        "",
                        "too_many_cells",
                        format!(
                            "the row has {} cells, the header {}",
                            record.len(),
                            header.len()
                        ),
                    ));
                    continue;
                }
                let cells = index
                    .iter()
                    .map(|&i| record.get(i).unwrap_or("").to_owned())
                    .collect();
                rows.push(Row { line, cells });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(LineError::new(line, "", "bad_csv", e.to_string()));
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(LineError::new(1, "", "empty", "the file has no data rows"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A plain decimal: optional minus, digits, optional fraction. No exponent, no thousands
/// separator, no comma as decimal mark — a tariff is not the place to guess.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return None;
    }
    Decimal::from_str_exact(s).ok()
}

/// A calendar date written `YYYY-MM-DD`, and nothing else.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    s.parse().ok()
}

/// Helper collecting the problems of one row.
pub(crate) struct RowCheck<'a> {
    pub line: usize,
    pub errors: &'a mut Vec<LineError>,
}

impl RowCheck<'_> {
    pub fn push(&mut self, column: &str, code: &str, message: impl Into<String>) {
        self.errors
            .push(LineError::new(self.line, column, code, message));
    }

    /// An optional decimal cell; a present cell that does not parse is `bad_decimal`.
    pub fn decimal(&mut self, column: &str, cell: &str) -> Option<Decimal> {
        if cell.is_empty() {
            return None;
        }
        let parsed = parse_decimal(cell);
        if parsed.is_none() {
            self.push(
                column,
                "bad_decimal",
                format!("{cell:?} is not a decimal number such as 12.5"),
            );
        }
        parsed
    }

    /// An optional decimal that must not be negative.
    pub fn non_negative(&mut self, column: &str, cell: &str) -> Option<Decimal> {
        let value = self.decimal(column, cell)?;
        if value.is_sign_negative() && !value.is_zero() {
            self.push(column, "negative", format!("{cell} is negative"));
            return None;
        }
        Some(value)
    }

    /// An optional date; a present cell that does not parse is `bad_date`.
    pub fn date(&mut self, column: &str, cell: &str) -> Option<Date> {
        if cell.is_empty() {
            return None;
        }
        let parsed = parse_date(cell);
        if parsed.is_none() {
            self.push(
                column,
                "bad_date",
                format!("{cell:?} is not a date written YYYY-MM-DD"),
            );
        }
        parsed
    }

    /// A cell that must be present.
    pub fn required<'c>(&mut self, column: &str, cell: &'c str) -> Option<&'c str> {
        if cell.is_empty() {
            self.push(column, "missing", format!("{column} is required"));
            None
        } else {
            Some(cell)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_with_an_exponent_or_comma_is_refused() {
        assert_eq!(parse_decimal("12.5"), Some(Decimal::new(125, 1)));
        assert_eq!(parse_decimal("-3"), Some(Decimal::new(-3, 0)));
        for bad in ["1e3", "12,5", ".5", "5.", "", "-", "1 000", "+1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_date_must_be_written_year_month_day_with_hyphens() {
        assert_eq!(
            parse_date("2026-01-31"),
            Some(jiff::civil::date(2026, 1, 31))
        );
        for bad in [
            "2026-1-31",
            "20260131",
            "2026-02-30",
            "31.01.2026",
            "2026-01-31T00:00",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_header_without_a_required_column_refuses_the_file() {
        let errors = read_rows("a,c\n1,2\n", &["a", "b", "c"]).err().unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].column.as_str(), errors[0].code.as_str()),
            ("b", "missing_column")
        );
    }

    #[test]
    fn columns_may_come_in_any_order_and_extra_columns_are_ignored() {
        let rows = read_rows("note,b,a\nx, 2 ,1\n", &["a", "b"]).unwrap();
        assert_eq!((rows[0].cell(0), rows[0].cell(1)), ("1", "2"));
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn a_file_with_only_a_header_is_refused_as_empty() {
        let errors = read_rows("a,b\n", &["a", "b"]).err().unwrap();
        assert_eq!(errors[0].code, "empty");
    }
}
