//! The floor: each seed plugin's own crate (`rules/guest/plugins/<name>`), compiled natively and
//! called directly, as its native unit tests call it. No sandbox and no conversion inside the
//! timed call: the procurements are turned into the plugin's types (the SDK's, generated from the
//! WIT) before anything is timed, the way the host's JSON contract reaches a plugin's fixtures.
//!
//! A sandboxed evaluation does the same work plus what the sandbox adds: the host's input checks,
//! lowering the procurement into the instance's memory, the guest's own allocations, lifting the
//! decision back out, and instance set-up when it is fresh.

use anyhow::{Context as _, bail};
use bluelight_rules::{Decision, Finding, Outcome, Procurement, Route, Severity};
use bluelight_rules_sdk as sdk;
use bluelight_rules_sdk::RulePlugin as _;

/// A plugin's `evaluate`, compiled natively.
pub type Evaluate = fn(&sdk::Procurement) -> sdk::Decision;

/// The natively compiled `evaluate` of a seed plugin, by its tenant.
pub fn evaluate_of(tenant: &str) -> anyhow::Result<Evaluate> {
    Ok(match tenant {
        bedfordshire_police::TENANT => bedfordshire_police::Bedfordshire::evaluate,
        cheshire_constabulary::TENANT => cheshire_constabulary::Cheshire::evaluate,
        lancashire_constabulary::TENANT => lancashire_constabulary::Lancashire::evaluate,
        other => bail!("no native build of the seed plugin for {other}: add its crate to benches/Cargo.toml"),
    })
}

/// A procurement as a plugin receives it: through the host's JSON form (the fixtures' contract,
/// which the SDK's `testing` types mirror field for field) into the SDK's types.
pub fn to_guest(p: &Procurement) -> anyhow::Result<sdk::Procurement> {
    let json = serde_json::to_value(p).context("a procurement as JSON")?;
    let input: sdk::testing::FixtureInput =
        serde_json::from_value(json).with_context(|| format!("{} in the plugins' input form", p.reference))?;
    Ok(input.into())
}

/// A plugin's decision in the host's types, to compare with the sandboxed plugin's.
pub fn to_host(d: sdk::Decision) -> Decision {
    Decision {
        outcome: match d.outcome {
            sdk::Outcome::Compliant => Outcome::Compliant,
            sdk::Outcome::NonCompliant => Outcome::NonCompliant,
        },
        required_route: d.required_route.map(|route| match route {
            sdk::RouteToMarket::SingleQuote => Route::SingleQuote,
            sdk::RouteToMarket::MultipleQuotes => Route::MultipleQuotes,
            sdk::RouteToMarket::ETender => Route::ETender,
            sdk::RouteToMarket::OpenTender => Route::OpenTender,
            sdk::RouteToMarket::FrameworkCallOff => Route::FrameworkCallOff,
            sdk::RouteToMarket::SingleTenderAction => Route::SingleTenderAction,
        }),
        findings: d
            .findings
            .into_iter()
            .map(|f| Finding {
                rule_id: f.rule_id,
                severity: match f.severity {
                    sdk::Severity::Violation => Severity::Violation,
                    sdk::Severity::Warning => Severity::Warning,
                    sdk::Severity::Info => Severity::Info,
                },
                message: f.message,
                policy_clause: f.policy_clause,
                required_action: f.required_action,
            })
            .collect(),
    }
}
