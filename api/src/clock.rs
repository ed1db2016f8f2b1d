//! Time and identifiers, in one place so every record is stamped the same way.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Now, in UTC, truncated to microseconds: PostgreSQL keeps microseconds and SQLite would keep
/// nanoseconds, so truncating makes both backends return what was stored.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

/// Which day it is for the service: the day frameworks are live or expired on, evaluations are
/// recorded for, awards are checked on and the default KPI year is counted back from.
///
/// Production always runs on the system's UTC date (nothing in the configuration can change it,
/// so no operator setting can back-date an award). A fixed day is for code that embeds the
/// service, such as the test suite, so that a date-dependent result is the same whichever day it
/// runs and cannot change under a test at midnight. Timestamps (`now`) stay real either way:
/// they order records and expire idempotency keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(NaiveDate),
}

impl Clock {
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::System => Utc::now().date_naive(),
            Clock::Fixed(day) => day,
        }
    }
}

pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    stored.and_utc()
}

/// A new identifier: a UUIDv7, so identifiers sort by creation time and lists paginate in the
/// order records were made.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
