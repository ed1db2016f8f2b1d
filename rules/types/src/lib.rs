//! The plugin interface as plain serde types: the same shapes as the WIT records in
//! `rules/wit/rules-v1.wit`. The host converts them to and from its generated bindings, the
//! service stores and serves them (decision logs, API bodies), and fixtures are written in them.

pub mod fixture;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The text form each enum has in JSON, in the database and in query filters.
macro_rules! text_forms {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractType {
    Goods,
    Services,
    Works,
}

text_forms!(ContractType {
    Goods = "goods",
    Services = "services",
    Works = "works",
});

/// Whether the value includes VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VatTreatment {
    Exclusive,
    Inclusive,
    Exempt,
}

text_forms!(VatTreatment {
    Exclusive = "exclusive",
    Inclusive = "inclusive",
    Exempt = "exempt",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    SingleQuote,
    MultipleQuotes,
    ETender,
    OpenTender,
    FrameworkCallOff,
    SingleTenderAction,
}

text_forms!(Route {
    SingleQuote = "single_quote",
    MultipleQuotes = "multiple_quotes",
    ETender = "e_tender",
    OpenTender = "open_tender",
    FrameworkCallOff = "framework_call_off",
    SingleTenderAction = "single_tender_action",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryRef {
    pub slug: String,
    /// Slugs from the top of the category tree down to this one.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PluginQuote {
    pub supplier_name: String,
    pub supplier_id: Option<String>,
    pub amount_pence: i64,
    /// The supplier is local to the force's area.
    pub local: bool,
    pub sme: bool,
    pub vcse: bool,
}

/// Tender evaluation weightings in basis points (10000 = 100%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Weightings {
    pub price: u32,
    pub quality: u32,
    pub social_value: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallOff {
    pub framework_reference: String,
    pub lot_number: u32,
    /// The framework was live on the evaluation date.
    pub framework_live: bool,
    /// The framework is open to this tenant's kind of service.
    pub open_to_tenant: bool,
}

/// Everything a rule needs to decide, resolved by the host: the exact input a plugin sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Named apart from the API's own `Procurement` resource: two schemas of one name overwrite each
// other in the OpenAPI document.
#[cfg_attr(feature = "openapi", schema(as = PluginInput))]
#[serde(deny_unknown_fields)]
pub struct Procurement {
    pub tenant: String,
    pub reference: String,
    pub title: String,
    /// Whole pence.
    pub value_pence: i64,
    pub vat: VatTreatment,
    pub contract_type: ContractType,
    pub category: CategoryRef,
    pub route: Route,
    pub quotes: Vec<PluginQuote>,
    pub weightings: Option<Weightings>,
    pub social_value_relevant: bool,
    pub call_off: Option<CallOff>,
    pub published: bool,
    pub market_engagement_evidence: Option<String>,
    /// The day the decision is made for; plugins have no clock.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub evaluation_date: NaiveDate,
}

impl Procurement {
    /// Roughly what the procurement occupies in the plugin's memory once passed in: its strings
    /// plus a fixed cost per record. Cheap to compute, and what the input limit is checked against.
    pub fn wire_size(&self) -> usize {
        const RECORD: usize = 64;
        let quotes: usize = self
            .quotes
            .iter()
            .map(|q| RECORD + q.supplier_name.len() + q.supplier_id.as_ref().map_or(0, String::len))
            .sum();
        let call_off = self
            .call_off
            .as_ref()
            .map_or(0, |c| RECORD + c.framework_reference.len());
        RECORD
            + self.tenant.len()
            + self.reference.len()
            + self.title.len()
            + self.category.slug.len()
            + self.category.path.iter().map(|p| p.len() + 8).sum::<usize>()
            + quotes
            + call_off
            + self.market_engagement_evidence.as_ref().map_or(0, String::len)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Violation,
    Warning,
    Info,
}

text_forms!(Severity {
    Violation = "violation",
    Warning = "warning",
    Info = "info",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Compliant,
    NonCompliant,
}

text_forms!(Outcome {
    Compliant = "compliant",
    NonCompliant = "non_compliant",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Finding {
    #[cfg_attr(feature = "openapi", schema(example = "BED-QUOTE-2"))]
    pub rule_id: String,
    pub severity: Severity,
    /// Said so that a buyer understands it.
    pub message: String,
    /// The clause of the force's policy the rule enforces.
    pub policy_clause: String,
    pub required_action: String,
}

/// A plugin's decision on one procurement. `outcome` is `non_compliant` exactly when a finding is
/// a `violation`; the host refuses a decision that says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: Outcome,
    /// The route the rules require, where they decide one.
    pub required_route: Option<Route>,
    pub findings: Vec<Finding>,
}

impl Decision {
    /// The bytes of text the decision carries; what the output limit is checked against.
    pub fn text_size(&self) -> usize {
        self.findings
            .iter()
            .map(|f| f.rule_id.len() + f.message.len() + f.policy_clause.len() + f.required_action.len())
            .sum()
    }

    /// The outcome its findings call for.
    pub fn outcome_from_findings(findings: &[Finding]) -> Outcome {
        if findings.iter().any(|f| f.severity == Severity::Violation) {
            Outcome::NonCompliant
        } else {
            Outcome::Compliant
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub policy_clause: String,
}

/// What a plugin says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    /// The tenant whose policy the plugin encodes.
    pub tenant: String,
    pub rules: Vec<RuleInfo>,
}

impl PluginInfo {
    pub fn text_size(&self) -> usize {
        self.name.len()
            + self.version.len()
            + self.tenant.len()
            + self
                .rules
                .iter()
                .map(|r| r.id.len() + r.title.len() + r.policy_clause.len())
                .sum::<usize>()
    }
}
