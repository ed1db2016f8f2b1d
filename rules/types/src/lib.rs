//! The plugin interface as plain serde types: the same shapes as the WIT records in
//! `rules/wit/rules-v2.wit` (a superset of `rules-v1.wit`). The host converts them to and from its generated bindings, the
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

/// The contracting authority's kind for the Act's thresholds (Procurement Act 2023, Schedule 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorityType {
    CentralGovernment,
    /// Police and fire bodies.
    #[default]
    SubCentral,
}

text_forms!(AuthorityType {
    CentralGovernment = "central_government",
    SubCentral = "sub_central",
});

/// How a contract is awarded, in the Procurement Act 2023's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// Competitive tendering, open procedure (s.20(2)(a)).
    Open,
    /// Competitive tendering, competitive flexible procedure (s.20(2)(b)).
    CompetitiveFlexible,
    /// Direct award on a Schedule 5 justification (s.41), or after no suitable tenders (s.43).
    DirectAward,
    /// A call-off under a framework (s.45-s.47).
    FrameworkCallOff,
    /// Below threshold, advertised for tenders (Part 6).
    BelowThresholdAdvertised,
    /// Below threshold, quotes invited from chosen suppliers without advertising.
    BelowThresholdInvited,
    /// Below threshold, awarded to one supplier without competition.
    BelowThresholdDirect,
}

text_forms!(Procedure {
    Open = "open",
    CompetitiveFlexible = "competitive_flexible",
    DirectAward = "direct_award",
    FrameworkCallOff = "framework_call_off",
    BelowThresholdAdvertised = "below_threshold_advertised",
    BelowThresholdInvited = "below_threshold_invited",
    BelowThresholdDirect = "below_threshold_direct",
});

/// The ground for a direct award: a Schedule 5 justification (s.41), or s.43 switching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectAwardGround {
    PrototypesAndDevelopment,
    SingleSupplier,
    AdditionalOrRepeat,
    Commodities,
    AdvantageousTermsOnInsolvency,
    Urgency,
    ProtectingLife,
    UserChoice,
    DefenceAndSecurity,
    /// s.43: a competitive procedure received no suitable tenders.
    NoSuitableTenders,
}

text_forms!(DirectAwardGround {
    PrototypesAndDevelopment = "prototypes_and_development",
    SingleSupplier = "single_supplier",
    AdditionalOrRepeat = "additional_or_repeat",
    Commodities = "commodities",
    AdvantageousTermsOnInsolvency = "advantageous_terms_on_insolvency",
    Urgency = "urgency",
    ProtectingLife = "protecting_life",
    UserChoice = "user_choice",
    DefenceAndSecurity = "defence_and_security",
    NoSuitableTenders = "no_suitable_tenders",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DirectAward {
    pub ground: DirectAwardGround,
    /// Why the ground applies, as recorded by the buyer.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")
    )]
    pub evidence: String,
}

/// The Act's notices a procurement records as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// s.21.
    TenderNotice,
    /// s.86.
    BelowThresholdTenderNotice,
    /// s.44.
    TransparencyNotice,
    /// s.50.
    ContractAwardNotice,
    /// s.53 (s.87 below threshold).
    ContractDetailsNotice,
}

text_forms!(NoticeKind {
    TenderNotice = "tender_notice",
    BelowThresholdTenderNotice = "below_threshold_tender_notice",
    TransparencyNotice = "transparency_notice",
    ContractAwardNotice = "contract_award_notice",
    ContractDetailsNotice = "contract_details_notice",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub kind: NoticeKind,
    // The pattern states the years both databases store (1900-9999).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, format = Date, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")
    )]
    pub published_on: NaiveDate,
}

/// Who approved a procurement, in what role, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Approval {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")
    )]
    pub approver: String,
    /// E.g. `head_of_procurement`, `chief_finance_officer`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")
    )]
    pub role: String,
    // The pattern states the years both databases store (1900-9999).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, format = Date, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")
    )]
    pub approved_on: NaiveDate,
}

/// Why a single tender action is justified: the evidence that only one supplier can do the work
/// and the market engagement that showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SingleTenderJustification {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")
    )]
    pub sole_supplier_evidence: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")
    )]
    pub market_engagement: String,
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
    // Interface version 2 adds the fields below. Each has a default, so an input recorded for a
    // version 1 plugin reads back unchanged (and a v1 plugin never sees them); the service always
    // sends them, so the document lists them as required.
    /// Sub-central for police and fire bodies.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub authority_type: AuthorityType,
    /// A light-touch contract (the Act's light-touch threshold applies).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub light_touch: bool,
    #[serde(default)]
    pub procedure: Option<Procedure>,
    #[serde(default)]
    pub direct_award: Option<DirectAward>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub notices: Vec<Notice>,
    /// A conflicts assessment was prepared (s.83).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub conflicts_assessed: bool,
    /// KPIs set for the contract (s.52).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub kpis_set: u32,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub approvals: Vec<Approval>,
    #[serde(default)]
    pub single_tender_justification: Option<SingleTenderJustification>,
}

/// The standard rate of VAT, as a fraction: 20%.
const VAT_NUMERATOR: i128 = 6;
const VAT_DENOMINATOR: i128 = 5;

impl Procurement {
    /// The value including VAT, as the Act's thresholds count it: a VAT-exclusive value plus VAT
    /// at the standard rate (20%), rounded half up to the penny; an inclusive or exempt value as
    /// it is. Saturates rather than overflowing on absurd values.
    pub fn value_including_vat_pence(&self) -> i64 {
        match self.vat {
            VatTreatment::Inclusive | VatTreatment::Exempt => self.value_pence,
            VatTreatment::Exclusive => {
                let scaled = self.value_pence as i128 * VAT_NUMERATOR;
                let rounded = (2 * scaled + VAT_DENOMINATOR).div_euclid(2 * VAT_DENOMINATOR);
                rounded.clamp(i64::MIN as i128, i64::MAX as i128) as i64
            }
        }
    }

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
            + self.direct_award.as_ref().map_or(0, |d| RECORD + d.evidence.len())
            + self.notices.len() * RECORD
            + self
                .approvals
                .iter()
                .map(|a| RECORD + a.approver.len() + a.role.len())
                .sum::<usize>()
            + self.single_tender_justification.as_ref().map_or(0, |j| {
                RECORD + j.sole_supplier_evidence.len() + j.market_engagement.len()
            })
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
