//! Field checks shared by the resources. Each check adds to a list, so one response names every
//! field at fault rather than the first.

use crate::error::{ApiError, FieldError};
use crate::money::Money;

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
        if value.trim().is_empty() {
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
