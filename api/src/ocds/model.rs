//! The subset of the Open Contracting Data Standard (OCDS 1.1) the export writes: a release
//! package of releases, one per procurement (tender, its award and contract when awarded) and one
//! per contract recorded without a procurement here (award and contract); and the request and
//! report of an import of national framework agreements from a release package.

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

/// The latest recorded evaluation of the procurement against the force's own rules and the
/// national layer (an extension field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsComplianceDecision {
    pub decision_id: String,
    pub outcome: String,
    /// The force's plugin version and hash (`null` for a force with no plugin of its own).
    pub rule_plugin_version: Option<i64>,
    pub rule_plugin_sha256: Option<String>,
    /// The national layer's version and hash (`null` for decisions made before it was in force).
    pub national_rule_plugin_version: Option<i64>,
    pub national_rule_plugin_sha256: Option<String>,
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
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// An import of national framework agreements from an OCDS release package: the package itself,
/// or an https URL on a public address to fetch it from (exactly one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "dry_run": false,
    "package": {
        "uri": "https://example.org/ocds/national-frameworks.json",
        "version": "1.1",
        "publishedDate": "2026-11-20T09:00:00Z",
        "publisher": {"name": "BlueLight Commercial"},
        "releases": [{
            "ocid": "ocds-bluelight-fw-blc-arm-2026-01",
            "id": "ocds-bluelight-fw-blc-arm-2026-01-award",
            "date": "2026-03-01T09:00:00Z",
            "tag": ["award"],
            "initiationType": "tender",
            "parties": [
                {"id": "blc", "name": "BlueLight Commercial", "roles": ["procuringEntity", "buyer"]},
                {"id": "GB-COH-08123456", "name": "Pennine Protective Apparel Ltd", "roles": ["supplier"],
                 "identifier": {"scheme": "GB-COH", "id": "08123456"}}
            ],
            "buyer": {"id": "blc", "name": "BlueLight Commercial"},
            "tender": {
                "id": "BLC-ARM-2026-01",
                "title": "Body Armour and Protective Equipment",
                "description": "National framework for overt and covert body armour.",
                "procuringEntity": {"id": "blc", "name": "BlueLight Commercial"},
                "value": {"amount": 60000000, "currency": "GBP"},
                "contractPeriod": {"startDate": "2026-04-01T00:00:00+01:00", "endDate": "2030-03-31T23:59:59+01:00", "maxExtentDate": "2032-03-31T23:59:59+01:00"},
                "renewal": {"description": "2 x 12 months"},
                "items": [{"id": "1", "classification": {"scheme": "X-BLUELIGHT-CATEGORY", "id": "body-armour"}}],
                "techniques": {"hasFrameworkAgreement": true, "frameworkAgreement": {"method": "withAndWithoutReopeningCompetition"}},
                "eligibility": "police",
                "lots": [{"id": "1", "title": "Overt body armour", "value": {"amount": 5000000, "currency": "GBP"}}]
            },
            "awards": [{"id": "1-08123456", "status": "active", "relatedLots": ["1"],
                        "suppliers": [{"id": "GB-COH-08123456", "name": "Pennine Protective Apparel Ltd"}]}]
        }]
    }
}))]
pub struct FrameworkImportRequest {
    /// An OCDS 1.1 release package (at most 1 MiB in the body; larger packages by `url`).
    #[schema(schema_with = package_schema)]
    pub package: Option<serde_json::Value>,
    /// An `http` or `https` URL serving the package (at most 16 MiB, fetched within 20 seconds).
    #[schema(example = "https://example.org/ocds/national-frameworks.json")]
    pub url: Option<String>,
    /// Check and report without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `import::releases` requires of a package as a whole; each release is judged on its own.
/// `null` is as good as absent.
fn package_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some(
            "An OCDS 1.1 release package (at most 1 MiB in the body; larger packages by `url`).",
        ))
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([crate::ocds::import::PACKAGE_VERSION])),
        )
        .required("version")
        .property(
            "releases",
            ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
                .max_items(Some(crate::ocds::import::MAX_RELEASES)),
        )
        .required("releases")
        .build()
}

/// A framework the import created, updated, or found unchanged.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedFramework {
    /// The release's place in the package's `releases` (from 0).
    pub release: usize,
    pub ocid: Option<String>,
    /// The framework's id; none for a framework a dry run would create.
    pub framework_id: Option<String>,
    /// The framework's reference: the release's `tender.id`.
    #[schema(example = "BLC-ARM-2026-01")]
    pub reference: String,
    pub title: String,
    /// How many lots the release describes.
    pub lots: usize,
    /// How many supplier awards (active or excluded) the release describes.
    pub awards: usize,
    /// For an update: what changed, briefly (`end_date`, `lot 2 added`, `lot 1: max_value`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

/// A release that was not imported, with every problem found in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRelease {
    /// The release's place in the package's `releases` (from 0).
    pub release: usize,
    pub ocid: Option<String>,
    /// The release's `tender.id`, when it has one.
    pub reference: Option<String>,
    /// Each problem: `field` is the path in the package, e.g. `releases[2].tender.lots[0].value.amount`.
    pub errors: Vec<crate::error::FieldError>,
}

/// What an import did (or, for a dry run, would do), release by release.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkImportReport {
    pub dry_run: bool,
    /// The URL the package was fetched from, if it was not sent in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How many releases the package holds.
    pub releases: usize,
    pub created: Vec<ImportedFramework>,
    pub updated: Vec<ImportedFramework>,
    pub unchanged: Vec<ImportedFramework>,
    pub rejected: Vec<RejectedRelease>,
}
