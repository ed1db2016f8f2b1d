//! Reading an uploaded CSV file: headers matched loosely (case, spaces, hyphens), cells parsed
//! into our types, and every problem reported with its line and column, so one answer lists all
//! that is wrong with a file.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{ApiError, FieldError};
use crate::money::Money;

/// The most data rows one file may hold: every row is checked in memory before any is written,
/// so a file is bounded (100,000 spend lines is a year of a large force's over-£500 file).
pub const MAX_ROWS: usize = 500_000;

/// The most row problems one answer lists; a file with more is mostly wrong anyway.
pub const MAX_REPORTED_ERRORS: usize = 500;

/// A column a format knows: its name, other names files use for it, and whether it must be there.
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Column {
    pub const fn required(name: &'static str, aliases: &'static [&'static str]) -> Column {
        Column {
            name,
            aliases,
            required: true,
        }
    }

    pub const fn optional(name: &'static str, aliases: &'static [&'static str]) -> Column {
        Column {
            name,
            aliases,
            required: false,
        }
    }
}

/// `Start Date`, `start_date` and `START-DATE` are one column.
fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A parsed file: its records with their line numbers, and where each known column is.
pub struct CsvFile {
    records: Vec<(u64, csv::StringRecord)>,
    positions: HashMap<&'static str, usize>,
}

impl CsvFile {
    /// Reads the whole file and finds the format's columns. A file that is not UTF-8 CSV, or
    /// lacks a required column, is refused as a whole.
    pub fn read(bytes: &[u8], columns: &[Column]) -> Result<CsvFile, ApiError> {
        // Spreadsheets often save a byte-order mark before the header.
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let headers = reader.headers().map_err(|e| unreadable(&e, bytes))?.clone();
        let by_key: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (header_key(h), i)).collect();
        let mut positions = HashMap::new();
        let mut missing = Vec::new();
        for column in columns {
            let found = std::iter::once(column.name)
                .chain(column.aliases.iter().copied())
                .find_map(|name| by_key.get(&header_key(name)).copied());
            match found {
                Some(position) => {
                    positions.insert(column.name, position);
                }
                None if column.required => missing.push(FieldError::at_line(
                    1,
                    column.name,
                    "the header has no such column (required)",
                )),
                None => {}
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::Validation(missing));
        }
        let mut records = Vec::new();
        let mut lines = LineCounter::new(bytes);
        for record in reader.records() {
            let record = record.map_err(|e| unreadable(&e, bytes))?;
            let line = record.position().map_or(1, |p| lines.line_at(p.byte() as usize));
            // Spreadsheets leave rows of empty cells at the end.
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            if records.len() == MAX_ROWS {
                return Err(ApiError::Validation(vec![FieldError::at_line(
                    line,
                    "file",
                    format!("has more than {MAX_ROWS} rows; split it into several files"),
                )]));
            }
            records.push((line, record));
        }
        if records.is_empty() {
            return Err(ApiError::invalid("file", "the file has a header but no rows"));
        }
        Ok(CsvFile { records, positions })
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Each data row, to be read cell by cell; problems go into `errors`.
    pub fn rows<'a>(&'a self) -> impl Iterator<Item = CsvRow<'a>> + 'a {
        self.records.iter().map(|(line, record)| CsvRow {
            line: *line,
            record,
            positions: &self.positions,
        })
    }
}

/// Line numbers as an editor shows them, whichever line ends the file uses (`\n`, `\r\n` as
/// Excel on Windows saves, or a lone `\r`); the csv crate's own count is off by one for `\r\n`.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line a record starting at `offset` is on; offsets must not go backwards between calls.
    /// The csv crate reports a record as starting where the previous one ended, so blank lines
    /// before it are stepped over.
    fn line_at(&mut self, offset: usize) -> u64 {
        let end = offset.min(self.bytes.len());
        while self.offset < end || matches!(self.bytes.get(self.offset), Some(b'\n' | b'\r')) {
            match self.bytes[self.offset] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.offset + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

fn unreadable(error: &csv::Error, bytes: &[u8]) -> ApiError {
    let line = error
        .position()
        .map_or(1, |p| LineCounter::new(bytes).line_at(p.byte() as usize));
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text; save the file as \"CSV UTF-8\"".to_owned(),
        _ => format!("cannot be read as CSV: {error}"),
    };
    ApiError::Validation(vec![FieldError::at_line(line, "file", message)])
}

/// One data row of a file.
pub struct CsvRow<'a> {
    pub line: u64,
    record: &'a csv::StringRecord,
    positions: &'a HashMap<&'static str, usize>,
}

/// Problems found in rows, capped at [`MAX_REPORTED_ERRORS`] but counted in full.
#[derive(Debug, Default)]
pub struct RowErrors {
    errors: Vec<FieldError>,
    total: usize,
}

impl RowErrors {
    pub fn add(&mut self, line: u64, field: impl Into<String>, message: impl Into<String>) {
        self.total += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(FieldError::at_line(line, field, message));
        }
    }

    /// Adds the field errors of a record validated as the JSON API would, at `line`, each under
    /// the file's column for that field (`column_of`).
    pub fn add_validation(&mut self, line: u64, error: ApiError, column_of: fn(&str) -> &str) -> Result<(), ApiError> {
        match error {
            ApiError::Validation(fields) => {
                for field in fields {
                    self.add(line, column_of(&field.field), field.message);
                }
                Ok(())
            }
            other => Err(other),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many problems so far, listed or not.
    pub fn len(&self) -> usize {
        self.total
    }

    /// 422 `import_rejected` listing the rows at fault; nothing was written.
    pub fn into_rejection(self) -> ApiError {
        ApiError::ImportRejected {
            total: self.total,
            errors: self.errors,
        }
    }
}

impl<'a> CsvRow<'a> {
    /// The cell, trimmed; None when the column is absent or the cell empty.
    pub fn text(&self, column: &str) -> Option<&'a str> {
        let position = *self.positions.get(column)?;
        let cell = self.record.get(position)?.trim();
        (!cell.is_empty()).then_some(cell)
    }

    pub fn required_text(&self, column: &'static str, errors: &mut RowErrors) -> Option<String> {
        let text = self.text(column).map(str::to_owned);
        if text.is_none() {
            errors.add(self.line, column, "must not be empty");
        }
        text
    }

    pub fn date(&self, column: &'static str, errors: &mut RowErrors) -> Option<NaiveDate> {
        let text = self.text(column)?;
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
            .ok()
            .filter(|date| crate::validate::date_in_range(*date));
        if parsed.is_none() {
            errors.add(
                self.line,
                column,
                format!("'{text}' is not a date from 1900 to 9999 (use 2026-04-01 or 01/04/2026)"),
            );
        }
        parsed
    }

    pub fn required_date(&self, column: &'static str, errors: &mut RowErrors) -> Option<NaiveDate> {
        if self.text(column).is_none() {
            errors.add(self.line, column, "must not be empty");
            return None;
        }
        self.date(column, errors)
    }

    /// Pounds, as spreadsheets write them: `1234.56`, `£1,234.56`, `-250.00`, `(250.00)`.
    pub fn money(&self, column: &'static str, errors: &mut RowErrors) -> Option<Money> {
        let text = self.text(column)?;
        let parsed = parse_pounds(text);
        if let Err(reason) = parsed {
            errors.add(self.line, column, format!("'{text}' {reason}"));
        }
        parsed.ok()
    }

    pub fn required_money(&self, column: &'static str, errors: &mut RowErrors) -> Option<Money> {
        if self.text(column).is_none() {
            errors.add(self.line, column, "must not be empty");
            return None;
        }
        self.money(column, errors)
    }

    pub fn yes_no(&self, column: &'static str, errors: &mut RowErrors) -> Option<bool> {
        let text = self.text(column)?;
        match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                errors.add(self.line, column, format!("'{text}' is not yes or no"));
                None
            }
        }
    }

    pub fn whole_number(&self, column: &'static str, errors: &mut RowErrors) -> Option<u32> {
        let text = self.text(column)?;
        let parsed = text.parse::<u32>().ok();
        if parsed.is_none() {
            errors.add(self.line, column, format!("'{text}' is not a whole number"));
        }
        parsed
    }

    /// One of a text enumeration's values.
    pub fn choice<T>(
        &self,
        column: &'static str,
        parse: fn(&str) -> Option<T>,
        allowed: &[T],
        errors: &mut RowErrors,
    ) -> Option<T>
    where
        T: std::fmt::Display,
    {
        let text = self.text(column)?;
        let parsed = parse(&text.to_ascii_lowercase());
        if parsed.is_none() {
            let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            errors.add(
                self.line,
                column,
                format!("'{text}' is not one of {}", allowed.join(", ")),
            );
        }
        parsed
    }

    /// A `;`-separated list, each item trimmed, empty items dropped.
    pub fn list(&self, column: &'static str) -> Vec<String> {
        self.text(column)
            .map(|text| {
                text.split(';')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn parse_pounds(text: &str) -> Result<Money, &'static str> {
    let (negative, body) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (!negative, rest.trim()),
        None => (negative, body),
    };
    let digits: String = body
        .strip_prefix('£')
        .unwrap_or(body)
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err("is not an amount in pounds (e.g. 1234.56)");
    }
    let amount: Decimal = digits
        .parse()
        .map_err(|_| "is not an amount in pounds (e.g. 1234.56)")?;
    let money = Money::from_decimal(amount)?;
    Ok(if negative {
        Money::from_pence(-money.pence())
    } else {
        money
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_as_spreadsheets_write_them() {
        assert_eq!(parse_pounds("1234.56"), Ok(Money::from_pence(123_456)));
        assert_eq!(parse_pounds("£1,234.56"), Ok(Money::from_pence(123_456)));
        assert_eq!(parse_pounds("-250"), Ok(Money::from_pence(-25_000)));
        assert_eq!(parse_pounds("(250.00)"), Ok(Money::from_pence(-25_000)));
        assert_eq!(parse_pounds("-£5.5"), Ok(Money::from_pence(-550)));
        assert!(parse_pounds("12.345").is_err());
        assert!(parse_pounds("twelve").is_err());
        assert!(parse_pounds("1.2.3").is_err());
        assert!(parse_pounds("").is_err());
    }

    #[test]
    fn headers_match_ignoring_case_spaces_and_separators() {
        assert_eq!(header_key("Start Date"), "startdate");
        assert_eq!(header_key("START-DATE"), "startdate");
        assert_eq!(header_key("start_date"), "startdate");
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let columns = [
            Column::required("date", &["payment_date"]),
            Column::required("amount", &[]),
        ];
        let Err(ApiError::Validation(errors)) = CsvFile::read(b"Payment Date,Supplier\n2026-01-01,X\n", &columns)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "amount");
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn line_numbers_are_an_editors_whatever_the_line_ends() {
        let columns = [Column::required("a", &[])];
        for file in [&b"a\n1\n2\n\n3\n"[..], b"a\r\n1\r\n2\r\n\r\n3\r\n", b"a\r1\r2\r\r3\r"] {
            let lines: Vec<u64> = CsvFile::read(file, &columns).unwrap().rows().map(|r| r.line).collect();
            assert_eq!(lines, vec![2, 3, 5], "{:?}", String::from_utf8_lossy(file));
        }
    }

    #[test]
    fn rows_keep_their_line_numbers_across_quoted_newlines() {
        let columns = [Column::required("title", &[]), Column::required("value", &[])];
        let file = CsvFile::read(b"\xEF\xBB\xBFTitle,Value\n\"two\nlines\",1\n,\nthird,2\n", &columns).unwrap();
        let lines: Vec<u64> = file.rows().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 5]);
        assert_eq!(file.rows().next().unwrap().text("title"), Some("two\nlines"));
    }
}
