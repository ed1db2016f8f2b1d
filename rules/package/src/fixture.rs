//! The fixture format, shared with the host: see `bluelight_rules_types::fixture`.

pub use bluelight_rules_types::fixture::{Expectation, ExpectedFinding, Fixture, FixtureFile};
pub use bluelight_rules_types::{Outcome, Procurement, Severity};
