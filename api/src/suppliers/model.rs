use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::area::Area;
use crate::clock;
use crate::db::schema::suppliers;
use crate::error::{ApiError, ApiResult};
use crate::frameworks::model::AwardStatus;
use crate::http::patch::double_option;
use crate::region::Region;
use crate::suppliers::strategic_profile::{StrategicProfile, StrategicProfileInput, StrategicProfileRow};
use crate::text_enum::text_enum;
use crate::validate::Checks;

text_enum! {
    /// The national team's red / amber / green assessment of a strategic supplier.
    pub enum RiskRating {
        Red = "red",
        Amber = "amber",
        Green = "green",
    }
}

text_enum! {
    /// Modern-slavery risk of the supplier's operations and supply chain.
    pub enum ModernSlaveryRiskTier {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = suppliers)]
pub struct SupplierRow {
    pub id: String,
    pub name: String,
    pub companies_house_number: Option<String>,
    pub sme: bool,
    pub vcse: bool,
    pub regions: String,
    pub strategic: bool,
    pub contacts: String,
    pub evidence: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub based_in: Option<String>,
}

/// Someone at the supplier that forces can contact. Kept current by the supplier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[schema(example = "Priya Shah", min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: String,
    #[schema(example = "Account manager")]
    pub role: Option<String>,
    /// Something `@` a host name with a dot.
    #[schema(example = "priya.shah@example.co.uk", pattern = r"^[^@]+@[\s\S]*\.")]
    pub email: Option<String>,
    #[schema(example = "01632 960123")]
    pub phone: Option<String>,
}

/// A document the supplier holds out as evidence (certificates, insurance, policies).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EvidenceItem {
    #[schema(
        example = "ISO 27001 certificate",
        min_length = 1,
        max_length = 300,
        pattern = r"[^\s\u0085]"
    )]
    pub title: String,
    /// An http(s) URL.
    #[schema(
        example = "https://example.co.uk/certificates/iso27001.pdf",
        pattern = r#"^https?://[!"$&'()*+,\-.0-9;=A-Z_`a-z{}~]*[A-Za-z]\.?(:([0-9]{0,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#][\s\S]*)?$"#
    )]
    pub url: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

/// A social-value commitment made to policing (Public Services (Social Value) Act 2012).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SocialValueCommitment {
    #[schema(
        example = "Local employment",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\s\u0085]"
    )]
    pub theme: String,
    #[schema(
        example = "20 apprenticeships in the North West by 2027",
        min_length = 1,
        max_length = 2000,
        pattern = r"[^\s\u0085]"
    )]
    pub commitment: String,
    #[schema(example = "Apprentices started, reported quarterly")]
    pub measure: Option<String>,
}

/// A supplier to policing.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Supplier {
    #[schema(example = "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    #[schema(example = "Pennine Protective Apparel Ltd")]
    pub name: String,
    #[schema(example = "08123456")]
    pub companies_house_number: Option<String>,
    pub sme: bool,
    pub vcse: bool,
    /// Where it delivers; `national` means everywhere. Serving a region does not make a
    /// supplier local there: `based_in` does.
    pub regions: Vec<Region>,
    /// The police force area it is based in (`null` when not recorded): a supplier is local to
    /// a tenant serving that area, and regional to tenants in `based_in_region`.
    pub based_in: Option<Area>,
    /// The region of `based_in`.
    pub based_in_region: Option<Region>,
    pub strategic: bool,
    pub contacts: Vec<Contact>,
    pub evidence: Vec<EvidenceItem>,
    /// Present for strategic suppliers, to those allowed to see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategic_profile: Option<StrategicProfile>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A supplier with the framework lots it is awarded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierDetail {
    #[serde(flatten)]
    pub supplier: Supplier,
    pub awards: Vec<SupplierAward>,
}

/// One framework lot a supplier is awarded, with its status there.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierAward {
    pub framework_id: String,
    #[schema(example = "BLC-UNI-2024-01")]
    pub framework_reference: String,
    pub framework_title: String,
    pub lot_number: i32,
    pub lot_title: String,
    pub status: AwardStatus,
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored {what}: {e}")))
}

pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

impl SupplierRow {
    pub fn based_in(&self) -> ApiResult<Option<Area>> {
        self.based_in.as_deref().map(Area::from_db).transpose()
    }

    /// The API view; `profile` is given only when the caller may see it.
    pub fn into_api(self, profile: Option<StrategicProfileRow>) -> ApiResult<Supplier> {
        Ok(Supplier {
            regions: from_json::<Vec<String>>("regions", &self.regions)?
                .iter()
                .map(|r| Region::from_db(r))
                .collect::<ApiResult<_>>()?,
            based_in: self.based_in()?,
            based_in_region: self.based_in()?.map(Area::region),
            contacts: from_json("contacts", &self.contacts)?,
            evidence: from_json("evidence", &self.evidence)?,
            strategic_profile: match profile {
                Some(profile) if self.strategic => Some(profile.into_api()?),
                _ => None,
            },
            id: self.id,
            name: self.name,
            companies_house_number: self.companies_house_number,
            sme: self.sme,
            vcse: self.vcse,
            strategic: self.strategic,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

fn check_companies_house_number(checks: &mut Checks, number: &str) {
    let bytes = number.as_bytes();
    let ok = bytes.len() == 8
        && (bytes.iter().all(u8::is_ascii_digit)
            || (bytes[..2].iter().all(u8::is_ascii_uppercase) && bytes[2..].iter().all(u8::is_ascii_digit)));
    checks.check(
        ok,
        "companies_house_number",
        "must be 8 characters: 8 digits, or 2 capital letters and 6 digits",
    );
}

fn check_contacts(checks: &mut Checks, contacts: &[Contact]) {
    for (i, contact) in contacts.iter().enumerate() {
        checks.text(&format!("contacts[{i}].name"), &contact.name, 200);
        if let Some(email) = &contact.email {
            let ok = email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            checks.check(ok, format!("contacts[{i}].email"), "must be an email address");
        }
    }
}

fn check_evidence(checks: &mut Checks, evidence: &[EvidenceItem]) {
    for (i, item) in evidence.iter().enumerate() {
        checks.text(&format!("evidence[{i}].title"), &item.title, 300);
        if let Some(url) = &item.url {
            checks.url(&format!("evidence[{i}].url"), url);
        }
    }
}

/// A new supplier (national team).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Pennine Protective Apparel Ltd", "companies_house_number": "08123456", "sme": true, "vcse": false, "regions": ["north-west", "yorkshire-and-the-humber"], "strategic": false, "contacts": [{"name": "Priya Shah", "role": "Account manager", "email": "priya.shah@example.co.uk"}]}))]
pub struct NewSupplier {
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub name: String,
    /// 8 digits, or 2 capital letters and 6 digits.
    #[schema(pattern = r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")]
    pub companies_house_number: Option<String>,
    pub sme: bool,
    #[serde(default)]
    pub vcse: bool,
    #[serde(default)]
    pub regions: Vec<Region>,
    /// The police force area it is based in; what makes it local to a force.
    pub based_in: Option<Area>,
    #[serde(default)]
    pub strategic: bool,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub evidence: Vec<EvidenceItem>,
    /// Only for strategic suppliers.
    pub strategic_profile: Option<StrategicProfileInput>,
}

impl NewSupplier {
    pub fn validate(&self) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.text("name", &self.name, 300);
        if let Some(number) = &self.companies_house_number {
            check_companies_house_number(&mut checks, number);
        }
        check_contacts(&mut checks, &self.contacts);
        check_evidence(&mut checks, &self.evidence);
        if let Some(profile) = &self.strategic_profile {
            checks.check(
                self.strategic,
                "strategic_profile",
                "is only for strategic suppliers (set `strategic: true`)",
            );
            profile.check(&mut checks);
        }
        checks.finish()
    }

    pub fn into_rows(self) -> (SupplierRow, Option<StrategicProfileRow>) {
        let now = clock::now();
        let id = clock::new_id();
        let profile = self
            .strategic
            .then(|| self.strategic_profile.unwrap_or_default().into_row(id.clone(), None));
        let mut regions = self.regions;
        regions.sort_by_key(|r| r.as_str());
        regions.dedup();
        let row = SupplierRow {
            id,
            name: self.name.trim().to_owned(),
            companies_house_number: self.companies_house_number,
            sme: self.sme,
            vcse: self.vcse,
            regions: to_json(&regions),
            based_in: self.based_in.map(|a| a.as_str().to_owned()),
            strategic: self.strategic,
            contacts: to_json(&self.contacts),
            evidence: to_json(&self.evidence),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        (row, profile)
    }
}

/// Changes to a supplier (national team); absent fields stay as they are. A given
/// `strategic_profile` replaces the profile's fields (not its risk rating).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"strategic": true, "strategic_profile": {"modern_slavery_risk_tier": "low", "code_of_ethics_signed_on": "2025-06-01", "contingency_plan_summary": "Dual-sourced fabric; 12 weeks' stock held regionally"}}))]
pub struct SupplierChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")]
    pub companies_house_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false)]
    pub sme: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false)]
    pub vcse: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Vec<Region>)]
    pub regions: Option<Vec<Region>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Area>)]
    pub based_in: Option<Option<Area>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false)]
    pub strategic: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = StrategicProfileInput)]
    pub strategic_profile: Option<StrategicProfileInput>,
}

impl SupplierChanges {
    pub fn validate(&self, currently_strategic: bool) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.optional_text("name", self.name.as_deref(), 300);
        if let Some(Some(number)) = &self.companies_house_number {
            check_companies_house_number(&mut checks, number);
        }
        if let Some(profile) = &self.strategic_profile {
            let strategic = self.strategic.unwrap_or(currently_strategic);
            checks.check(
                strategic,
                "strategic_profile",
                "is only for strategic suppliers (set `strategic: true`)",
            );
            profile.check(&mut checks);
        }
        checks.finish()
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = suppliers)]
pub struct SupplierChangeset {
    pub name: Option<String>,
    pub companies_house_number: Option<Option<String>>,
    pub sme: Option<bool>,
    pub vcse: Option<bool>,
    pub regions: Option<String>,
    pub based_in: Option<Option<String>>,
    pub strategic: Option<bool>,
    pub contacts: Option<String>,
    pub evidence: Option<String>,
}

impl SupplierChangeset {
    pub fn from_changes(changes: &SupplierChanges) -> SupplierChangeset {
        SupplierChangeset {
            name: changes.name.as_ref().map(|n| n.trim().to_owned()),
            companies_house_number: changes.companies_house_number.clone(),
            sme: changes.sme,
            vcse: changes.vcse,
            regions: changes.regions.as_ref().map(|regions| {
                let mut regions = regions.clone();
                regions.sort_by_key(|r| r.as_str());
                regions.dedup();
                to_json(&regions)
            }),
            based_in: changes.based_in.map(|a| a.map(|a| a.as_str().to_owned())),
            strategic: changes.strategic,
            contacts: None,
            evidence: None,
        }
    }
}

/// What a supplier keeps current itself: its contacts and evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contacts": [{"name": "Priya Shah", "role": "Account manager", "email": "priya.shah@example.co.uk", "phone": "01632 960123"}], "evidence": [{"title": "Cyber Essentials Plus", "url": "https://example.co.uk/ce-plus.pdf", "valid_until": "2027-03-31"}]}))]
pub struct SupplierProfileChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Vec<Contact>)]
    pub contacts: Option<Vec<Contact>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Vec<EvidenceItem>)]
    pub evidence: Option<Vec<EvidenceItem>>,
}

impl SupplierProfileChanges {
    pub fn validate(&self) -> ApiResult<()> {
        let mut checks = Checks::new();
        if let Some(contacts) = &self.contacts {
            check_contacts(&mut checks, contacts);
        }
        if let Some(evidence) = &self.evidence {
            check_evidence(&mut checks, evidence);
        }
        checks.finish()
    }

    pub fn into_changeset(self) -> SupplierChangeset {
        SupplierChangeset {
            name: None,
            companies_house_number: None,
            sme: None,
            vcse: None,
            regions: None,
            based_in: None,
            strategic: None,
            contacts: self.contacts.map(|c| to_json(&c)),
            evidence: self.evidence.map(|e| to_json(&e)),
        }
    }
}

/// Filters for the supplier list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupplierFilter {
    /// Free text, matched against the name and Companies House number.
    pub q: Option<String>,
    pub strategic: Option<bool>,
    pub sme: Option<bool>,
    pub vcse: Option<bool>,
    /// Suppliers that deliver in this region (including those delivering nationally).
    pub region: Option<Region>,
    /// Suppliers awarded a lot on this framework (its id).
    pub framework: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
