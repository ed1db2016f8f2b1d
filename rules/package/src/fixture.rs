//! The fixture JSON contract: what a plugin's `fixtures/*.json` files hold, and what the
//! `bluelight-rules-fixtures` section of a packaged component holds (an array of [`Fixture`]).
//!
//! Field for field the shape the host deserialises; unknown fields are refused, so a typo in a
//! fixture file fails the build instead of silently testing something else.

use serde::{Deserialize, Serialize};

/// One fixture file, `fixtures/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    pub description: String,
    pub input: Input,
    pub expect: Expect,
}

/// One entry of the packaged array: a fixture file with its name (the file stem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub name: String,
    pub description: String,
    pub input: Input,
    pub expect: Expect,
}

/// The procurement a fixture evaluates (the WIT `procurement`, money in whole pence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub tenant: String,
    pub reference: String,
    pub title: String,
    pub value_pence: i64,
    pub vat: Vat,
    pub contract_type: ContractType,
    pub category: Category,
    pub route: Route,
    pub quotes: Vec<Quote>,
    pub weightings: Option<Weightings>,
    pub social_value_relevant: bool,
    pub call_off: Option<CallOff>,
    pub published: bool,
    pub market_engagement_evidence: Option<String>,
    pub evaluation_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub slug: String,
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub supplier_name: String,
    pub supplier_id: Option<String>,
    pub amount_pence: i64,
    pub local: bool,
    pub sme: bool,
    pub vcse: bool,
}

/// Basis points: 10000 = 100%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weightings {
    pub price: u32,
    pub quality: u32,
    pub social_value: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallOff {
    pub framework_reference: String,
    pub lot_number: u32,
    pub framework_live: bool,
    pub open_to_tenant: bool,
}

/// What the decision must be. `findings` is the exact multiset of (rule id, severity); messages
/// are not compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: Outcome,
    pub required_route: Option<Route>,
    pub findings: Vec<ExpectedFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    pub rule_id: String,
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vat {
    Exclusive,
    Inclusive,
    Exempt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractType {
    Goods,
    Services,
    Works,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    SingleQuote,
    MultipleQuotes,
    ETender,
    OpenTender,
    FrameworkCallOff,
    SingleTenderAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Compliant,
    NonCompliant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Violation,
    Warning,
    Info,
}

impl Fixture {
    /// A named fixture from a file's contents, checked beyond its shape: a name, a tenant, an
    /// ISO date, and an outcome that agrees with the expected findings.
    pub fn from_file(name: &str, file: FixtureFile) -> Result<Fixture, String> {
        if name.trim().is_empty() {
            return Err("a fixture needs a name".into());
        }
        if file.input.tenant.trim().is_empty() {
            return Err("input.tenant is empty".into());
        }
        if !is_iso_date(&file.input.evaluation_date) {
            return Err(format!(
                "input.evaluation_date {:?} is not YYYY-MM-DD",
                file.input.evaluation_date
            ));
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

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && matches!(
            &s[5..7],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}
