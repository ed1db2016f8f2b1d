//! The subset of the Open Contracting Data Standard (OCDS 1.1) the export writes: a release
//! package of releases, one per procurement (tender, its award and contract when awarded) and one
//! per contract recorded without a procurement here (award and contract).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// OCDS amounts are JSON numbers; ours are exact pence, written with two decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OcdsValue {
    #[schema(value_type = f64, example = 48500.0)]
    pub amount: serde_json::Number,
    #[schema(example = "GBP")]
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsIdentifier {
    pub scheme: String,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsPartyDetails {
    /// `sme` or `large`, from the supplier's flag.
    pub scale: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsParty {
    pub id: String,
    pub name: String,
    /// `buyer`, `procuringEntity`, `supplier`, `tenderer`.
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<OcdsIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<OcdsPartyDetails>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsOrganizationReference {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsClassification {
    pub scheme: String,
    pub id: String,
    pub description: Option<String>,
}

/// The force's latest evaluation of the procurement against its own rules (an extension field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsComplianceDecision {
    pub decision_id: String,
    pub outcome: String,
    pub rule_plugin_version: i64,
    pub rule_plugin_sha256: String,
    pub decided_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsTender {
    pub id: String,
    pub title: String,
    /// `planning`, `active` or `complete` (awarded).
    pub status: String,
    pub value: OcdsValue,
    /// `open`, `selective`, `limited` or `direct`, from the route to market.
    pub procurement_method: String,
    pub procurement_method_details: String,
    /// `goods`, `services` or `works`.
    pub main_procurement_category: String,
    pub classification: OcdsClassification,
    pub tenderers: Vec<OcdsOrganizationReference>,
    pub number_of_tenderers: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_decision: Option<OcdsComplianceDecision>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPeriod {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub max_extent_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsAward {
    pub id: String,
    pub title: String,
    pub status: String,
    pub date: String,
    pub value: OcdsValue,
    pub suppliers: Vec<OcdsOrganizationReference>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsContract {
    pub id: String,
    #[serde(rename = "awardID")]
    pub award_id: String,
    pub title: String,
    /// `pending`, `active`, `terminated`.
    pub status: String,
    pub period: OcdsPeriod,
    pub value: OcdsValue,
}

/// For a call-off: the framework agreement it is under (an extension field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsFrameworkCallOff {
    pub framework_id: String,
    pub lot_number: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsRelease {
    pub ocid: String,
    pub id: String,
    pub date: String,
    pub tag: Vec<String>,
    pub initiation_type: String,
    pub language: String,
    pub parties: Vec<OcdsParty>,
    pub buyer: OcdsOrganizationReference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tender: Option<OcdsTender>,
    pub awards: Vec<OcdsAward>,
    pub contracts: Vec<OcdsContract>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework_call_off: Option<OcdsFrameworkCallOff>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsPublisher {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcdsLinks {
    /// The next page of this package, when there is one.
    pub next: Option<String>,
}

/// An OCDS 1.1 release package.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReleasePackage {
    pub uri: String,
    pub version: String,
    pub published_date: String,
    pub publisher: OcdsPublisher,
    pub releases: Vec<OcdsRelease>,
    pub links: OcdsLinks,
}

/// Paging through a tenant's releases.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReleaseParams {
    /// 1-200, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
