//! A plugin's own tests, carried inside the plugin: inputs and the decisions they must give.
//! A version is activated only when all of them pass (as `opa test` gates a policy bundle).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use bluelight_rules_types::fixture::{Expectation, ExpectedFinding, Fixture};

use crate::plugin::Plugin;
use crate::types::{Decision, Route};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FixtureReport {
    pub total: usize,
    pub passed: usize,
    /// True when there is at least one fixture and every fixture passed.
    pub all_passed: bool,
    pub results: Vec<FixtureResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FixtureResult {
    pub name: String,
    pub passed: bool,
    /// Why it failed: the differences, or the plugin's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// Runs the fixtures in order within `time` all together: once it is spent, the rest are not
/// run and count as failed, so a plugin cannot hold a sandbox for long by carrying slow ones.
pub fn run(plugin: &Plugin, fixtures: &[Fixture], time: Duration) -> FixtureReport {
    let started = Instant::now();
    let results: Vec<FixtureResult> = fixtures
        .iter()
        .map(|fixture| {
            let failure = if started.elapsed() > time {
                Some(format!(
                    "not run: the fixtures took longer than {} ms together",
                    time.as_millis()
                ))
            } else {
                match plugin.evaluate(&fixture.input) {
                    Ok(evaluation) => differences(&fixture.expect, &evaluation.decision),
                    Err(error) => Some(format!("{} ({})", error, error.code())),
                }
            };
            FixtureResult {
                name: fixture.name.clone(),
                passed: failure.is_none(),
                failure,
            }
        })
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    FixtureReport {
        total: results.len(),
        passed,
        all_passed: !results.is_empty() && passed == results.len(),
        results,
    }
}

/// How `actual` differs from `expected`, said plainly; `None` when it matches.
pub fn differences(expected: &Expectation, actual: &Decision) -> Option<String> {
    let mut problems = Vec::new();
    if expected.outcome != actual.outcome {
        problems.push(format!(
            "outcome: expected {}, got {}",
            expected.outcome.as_str(),
            actual.outcome.as_str()
        ));
    }
    if expected.required_route != actual.required_route {
        problems.push(format!(
            "required_route: expected {}, got {}",
            route_name(expected.required_route),
            route_name(actual.required_route)
        ));
    }
    let mut want: Vec<ExpectedFinding> = expected.findings.clone();
    let mut got: Vec<ExpectedFinding> = actual
        .findings
        .iter()
        .map(|f| ExpectedFinding {
            rule_id: f.rule_id.clone(),
            severity: f.severity,
        })
        .collect();
    want.sort();
    got.sort();
    if want != got {
        problems.push(format!("findings: expected [{}], got [{}]", list(&want), list(&got)));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn route_name(route: Option<Route>) -> &'static str {
    route.map_or("none", Route::as_str)
}

fn list(findings: &[ExpectedFinding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}", f.rule_id, f.severity.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
