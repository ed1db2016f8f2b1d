//! Field checks shared by the resources. Each check adds to a list, so one response names every
//! field at fault rather than the first.

use crate::error::{ApiError, FieldError};
use crate::money::Money;

/// The pattern the OpenAPI document gives human text: at least one character that is neither
/// white space in the document's regular expressions (ECMA-262 `\s`) nor trimmed by the service
/// (Rust's `char::is_whitespace`, which adds U+0085). `#[schema(pattern)]` takes only a literal,
/// so each field spells it out; a unit test holds the two views of "blank" together.
pub const NOT_BLANK_PATTERN: &str = r"[^\s\u0085]";

/// Whether text is blank: nothing but white space in the document's sense or the service's, so
/// that a value the document calls valid is never refused as blank and the reverse.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Checks {
        Checks::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn check(&mut self, ok: bool, field: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.fail(field, message);
        }
    }

    /// A lower-case hyphenated identifier such as `bedfordshire-police`.
    pub fn slug(&mut self, field: &str, value: &str) {
        let shape_ok = !value.is_empty()
            && value
                .split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        self.check(
            shape_ok && (2..=64).contains(&value.len()),
            field,
            "must be 2-64 lower-case letters and digits in hyphen-separated words, e.g. `bedfordshire-police`",
        );
    }

    /// Human text: not blank, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if is_blank(value) {
            self.fail(field, "must not be blank");
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
    }

    /// Optional human text: when present, as [`Checks::text`].
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(field, value, max);
        }
    }

    /// A date both databases store and order the same way: years 1900 to 9999.
    pub fn date(&mut self, field: &str, value: Option<chrono::NaiveDate>) {
        if let Some(value) = value {
            self.check(
                date_in_range(value),
                field,
                "must be a date between 1900-01-01 and 9999-12-31",
            );
        }
    }

    /// Money up to a ceiling, so that sums over many records cannot overflow.
    pub fn at_most(&mut self, field: &str, value: Money, ceiling: Money) {
        self.check(value <= ceiling, field, format!("must be at most {ceiling}"));
    }

    pub fn non_negative(&mut self, field: &str, value: Option<Money>) {
        if let Some(value) = value {
            self.check(!value.is_negative(), field, "must not be negative");
        }
    }

    /// An `http(s)` URL.
    pub fn url(&mut self, field: &str, value: &str) {
        let ok = reqwest::Url::parse(value)
            .map(|u| matches!(u.scheme(), "http" | "https"))
            .unwrap_or(false);
        self.check(ok, field, "must be an http or https URL");
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// Whether `date` is one that both databases store and order the same way.
pub fn date_in_range(date: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (1900..=9999).contains(&date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ECMA-262's WhiteSpace and LineTerminator, which `\s` matches in the document's patterns:
    /// TAB, VT, FF, ZWNBSP, the space separators (Unicode category Zs), LF, CR, LS and PS.
    fn ecma_white_space(c: char) -> bool {
        const SPACE_SEPARATORS: [u32; 17] = [
            0x20, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
            0x202F, 0x205F, 0x3000,
        ];
        matches!(
            c,
            '\t' | '\u{b}' | '\u{c}' | '\u{feff}' | '\n' | '\r' | '\u{2028}' | '\u{2029}'
        ) || SPACE_SEPARATORS.contains(&u32::from(c))
    }

    #[test]
    fn blank_is_what_the_documented_pattern_refuses() {
        assert_eq!(NOT_BLANK_PATTERN, r"[^\s\u0085]");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let pattern_refuses = ecma_white_space(c) || c == '\u{85}';
            assert_eq!(is_blank(&c.to_string()), pattern_refuses, "U+{:04X}", u32::from(c));
        }
        assert!(is_blank(" \u{85}\u{feff}\t"));
        assert!(!is_blank(" a "));
    }

    #[test]
    fn the_document_gives_human_text_the_not_blank_pattern() {
        let document = crate::openapi::document_json();
        assert!(
            !document.contains(r#""pattern": "\\S""#),
            "a bare \\S pattern is back in the document"
        );
        assert!(document.contains(&serde_json::to_string(NOT_BLANK_PATTERN).unwrap()));
    }
}
