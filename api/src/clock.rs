//! Time and identifiers, in one place so every record is stamped the same way.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Now, in UTC, truncated to microseconds: PostgreSQL keeps microseconds and SQLite would keep
/// nanoseconds, so truncating makes both backends return what was stored.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    stored.and_utc()
}

/// A new identifier: a UUIDv7, so identifiers sort by creation time and lists paginate in the
/// order records were made.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
