//! The fixture format: a plugin's own tests, inputs and the decisions they must give. A fixture
//! file is `fixtures/<name>.json` (a [`FixtureFile`]); a packaged plugin carries them as a JSON
//! array of [`Fixture`] in its `bluelight-rules-fixtures` custom section. Unknown fields are
//! refused, so a typo fails the build instead of silently testing something else.

use serde::{Deserialize, Serialize};

use crate::{Outcome, Procurement, Route, Severity};

/// One fixture file, `fixtures/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    pub description: Option<String>,
    pub input: Procurement,
    pub expect: Expectation,
}

/// A fixture file with its name (the file's stem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub input: Procurement,
    pub expect: Expectation,
}

/// What a decision must be. Findings are compared by rule and severity, not by wording, so a
/// force can improve its messages without rewriting its tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub outcome: Outcome,
    pub required_route: Option<Route>,
    pub findings: Vec<ExpectedFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    pub rule_id: String,
    pub severity: Severity,
}

impl Fixture {
    /// A named fixture from a file's contents, checked beyond its shape: a name, a tenant, and an
    /// expected outcome that agrees with the expected findings.
    pub fn from_file(name: &str, file: FixtureFile) -> Result<Fixture, String> {
        if name.trim().is_empty() {
            return Err("a fixture needs a name".into());
        }
        if file.input.tenant.trim().is_empty() {
            return Err("input.tenant is empty".into());
        }
        let violation = file.expect.findings.iter().any(|f| f.severity == Severity::Violation);
        if violation != (file.expect.outcome == Outcome::NonCompliant) {
            return Err("expect.outcome must be non_compliant exactly when an expected finding is a violation".into());
        }
        Ok(Fixture {
            name: name.to_owned(),
            description: file.description,
            input: file.input,
            expect: file.expect,
        })
    }
}
