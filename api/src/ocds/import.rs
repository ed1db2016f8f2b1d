//! Reading national framework agreements from an OCDS 1.1 release package. Pure functions from
//! the package's JSON to [`NewFramework`]s, so the mapping is tested without a database; the
//! supplier look-ups, the comparison with what is stored and the writes are in `sync.rs`.
//!
//! One release describes one framework agreement completely (a compiled release): the fields it
//! maps are set from it, and a mapped field it leaves out is cleared. The mapping, field by field,
//! is in `docs/ocds.md`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, de};
use serde_json::Value;

use super::model::RejectedRelease;
use crate::error::{ApiError, FieldError};
use crate::frameworks::model::{AwardStatus, Eligibility, NewFramework, NewLot, RouteToMarket};
use crate::money::Money;

/// The only package version read.
pub const PACKAGE_VERSION: &str = "1.1";
/// The classification scheme naming one of our categories by its slug (as the export writes it).
pub const CATEGORY_SCHEME: &str = "X-BLUELIGHT-CATEGORY";
/// The org-id scheme of Companies House numbers.
pub const COMPANIES_HOUSE_SCHEME: &str = "GB-COH";
/// An identifier scheme naming one of our supplier records by its id.
pub const SUPPLIER_SCHEME: &str = "X-BLUELIGHT-SUPPLIER";
/// The most releases one import reads.
pub const MAX_RELEASES: usize = 1000;

/// The package's releases, or every problem that makes it no release package at all. Fields are
/// paths in the package (`""` for the package itself).
pub fn releases(package: &Value) -> Result<&[Value], Vec<FieldError>> {
    let Some(object) = package.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "must be a JSON object: an OCDS release package",
        )]);
    };
    let mut errors = Vec::new();
    match object.get("version") {
        Some(Value::String(version)) if version == PACKAGE_VERSION => {}
        Some(_) => errors.push(FieldError::new(
            "version",
            "must be \"1.1\": only OCDS 1.1 release packages are read",
        )),
        None => errors.push(FieldError::new(
            "version",
            "is missing: an OCDS 1.1 release package says \"version\": \"1.1\"",
        )),
    }
    let releases = match object.get("releases") {
        Some(Value::Array(releases)) if releases.len() <= MAX_RELEASES => Some(releases.as_slice()),
        Some(Value::Array(_)) => {
            errors.push(FieldError::new(
                "releases",
                format!("holds more than {MAX_RELEASES} releases; split the package"),
            ));
            None
        }
        Some(_) => {
            errors.push(FieldError::new("releases", "must be an array of releases"));
            None
        }
        None => {
            errors.push(FieldError::new(
                "releases",
                "is missing: a release package lists its releases in `releases` (record packages are not read)",
            ));
            None
        }
    };
    match releases {
        Some(releases) if errors.is_empty() => Ok(releases),
        _ => Err(errors),
    }
}

// ----- the parts of a release that are read; everything else is ignored -----

/// An OCDS identifier: a string or an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl de::Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Id, E> {
                Ok(Id(text.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Id, E> {
                Ok(Id(number.to_string()))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Id, E> {
                Ok(Id(number.to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InRelease {
    id: Option<Id>,
    buyer: Option<InOrganizationReference>,
    parties: Option<Vec<InParty>>,
    tender: Option<InTender>,
    awards: Option<Vec<InAward>>,
}

#[derive(Debug, Deserialize)]
struct InOrganizationReference {
    id: Option<Id>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InParty {
    id: Option<Id>,
    identifier: Option<InIdentifier>,
    additional_identifiers: Option<Vec<InIdentifier>>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InIdentifier {
    scheme: Option<String>,
    id: Option<Id>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InTender {
    id: Option<Id>,
    title: Option<String>,
    description: Option<String>,
    procuring_entity: Option<InOrganizationReference>,
    value: Option<InValue>,
    contract_period: Option<InPeriod>,
    /// Our export's own field, read back.
    classification: Option<InClassification>,
    items: Option<Vec<InItem>>,
    techniques: Option<InTechniques>,
    lots: Option<Vec<InLot>>,
    /// Our extension field: `police`, `fire` or `both`.
    eligibility: Option<Eligibility>,
    renewal: Option<InRenewal>,
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InValue {
    amount: Option<serde_json::Number>,
    currency: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InPeriod {
    start_date: Option<String>,
    end_date: Option<String>,
    max_extent_date: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InClassification {
    scheme: Option<String>,
    id: Option<Id>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InItem {
    classification: Option<InClassification>,
    additional_classifications: Option<Vec<InClassification>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InTechniques {
    has_framework_agreement: Option<bool>,
    framework_agreement: Option<InFrameworkAgreement>,
}

#[derive(Debug, Deserialize)]
struct InFrameworkAgreement {
    method: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InRenewal {
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InLot {
    id: Option<Id>,
    title: Option<String>,
    description: Option<String>,
    value: Option<InValue>,
    techniques: Option<InTechniques>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InAward {
    status: Option<String>,
    suppliers: Option<Vec<InOrganizationReference>>,
    related_lots: Option<Vec<Id>>,
}

// ----- the mapping -----

/// How a release names a national supplier record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupplierKey {
    /// A Companies House number (`GB-COH`), as the supplier record holds it.
    CompaniesHouse(String),
    /// Our supplier id (`X-BLUELIGHT-SUPPLIER`).
    Id(String),
}

/// A supplier a release awards on a lot, still to be found among the national supplier records.
#[derive(Debug, Clone)]
pub struct AwardRef {
    /// The lot's place in the framework's `lots`.
    pub lot: usize,
    pub supplier: SupplierKey,
    pub status: AwardStatus,
    /// The award's supplier entry, e.g. `releases[0].awards[1].suppliers[0]`.
    pub field: String,
    /// The identifier naming the supplier, e.g. `releases[0].parties[2].identifier.id`.
    pub identifier_field: String,
}

/// A release read as a framework agreement, before its suppliers are looked up.
#[derive(Debug)]
pub struct MappedRelease {
    /// The release's place in the package.
    pub index: usize,
    pub ocid: Option<String>,
    pub release_id: Option<String>,
    /// The framework; its lots' `suppliers` are filled once the awards are found.
    pub framework: NewFramework,
    pub awards: Vec<AwardRef>,
    /// Where each field of `framework`, as validation names it (`lots[0].max_value`), came from
    /// in the package (`releases[3].tender.lots[0].value.amount`).
    pub sources: HashMap<String, String>,
}

impl MappedRelease {
    /// A validation problem of the framework, placed in the package.
    pub fn place(&self, error: FieldError) -> FieldError {
        FieldError::new(place(&self.sources, self.index, &error.field), error.message)
    }

    pub fn rejected(&self, errors: Vec<FieldError>) -> RejectedRelease {
        RejectedRelease {
            release: self.index,
            ocid: self.ocid.clone(),
            reference: Some(self.framework.reference.clone()),
            errors,
        }
    }

    /// Runs the framework model's own checks; their problems are placed in the package. A field
    /// already at fault in `errors` is not named twice.
    pub fn validate(&self, category_exists: bool, errors: &mut Vec<FieldError>) {
        if let Err(ApiError::Validation(found)) = self.framework.validate(category_exists) {
            for error in found {
                let error = self.place(error);
                if !errors.iter().any(|e| e.field == error.field) {
                    errors.push(error);
                }
            }
        }
    }
}

fn place(sources: &HashMap<String, String>, index: usize, field: &str) -> String {
    if let Some(source) = sources.get(field) {
        return source.clone();
    }
    // A field with no source of its own is placed where its nearest parent came from.
    let mut parent = field;
    while let Some(end) = parent.rfind(['.', '[']) {
        parent = &parent[..end];
        if let Some(source) = sources.get(parent) {
            return source.clone();
        }
    }
    format!("releases[{index}].tender")
}

/// Collects a release's problems, each at its path in the package.
struct Reader {
    base: String,
    errors: Vec<FieldError>,
    sources: HashMap<String, String>,
}

impl Reader {
    fn at(&self, path: &str) -> String {
        format!("{}.{path}", self.base)
    }

    fn fail(&mut self, path: &str, message: impl Into<String>) {
        let field = self.at(path);
        self.errors.push(FieldError::new(field, message));
    }

    /// Records that the framework's `field` comes from `path` in the release.
    fn source(&mut self, field: impl Into<String>, path: &str) {
        let path = self.at(path);
        self.sources.insert(field.into(), path);
    }

    fn date(&mut self, path: &str, text: Option<&str>) -> Option<NaiveDate> {
        let text = text?;
        match parse_date(text) {
            Some(date) if crate::validate::date_in_range(date) => Some(date),
            Some(_) => {
                self.fail(path, "must be a date between 1900-01-01 and 9999-12-31");
                None
            }
            None => {
                self.fail(path, "must be an ISO 8601 date-time such as 2026-04-01T00:00:00Z");
                None
            }
        }
    }

    /// An OCDS value as money: a JSON number of pounds, exact to the penny, in GBP.
    fn money(&mut self, path: &str, value: Option<&InValue>) -> Option<Money> {
        let value = value?;
        if value.currency.as_deref() != Some("GBP") {
            self.fail(
                &format!("{path}.currency"),
                "must be \"GBP\": amounts are pounds sterling",
            );
        }
        let amount = value.amount.as_ref()?;
        match money(amount) {
            Ok(money) => Some(money),
            Err(message) => {
                self.fail(&format!("{path}.amount"), message);
                None
            }
        }
    }

    fn routes(&mut self, path: &str, techniques: Option<&InTechniques>) -> Option<Vec<RouteToMarket>> {
        let method = techniques?.framework_agreement.as_ref()?.method.as_deref()?;
        match method {
            "withoutReopeningCompetition" => Some(vec![RouteToMarket::DirectAward]),
            "withReopeningCompetition" => Some(vec![RouteToMarket::FurtherCompetition]),
            "withAndWithoutReopeningCompetition" => {
                Some(vec![RouteToMarket::DirectAward, RouteToMarket::FurtherCompetition])
            }
            _ => {
                self.fail(
                    path,
                    "must be withoutReopeningCompetition, withReopeningCompetition or withAndWithoutReopeningCompetition",
                );
                None
            }
        }
    }
}

/// A date, or the date part of a date-time as written (its own offset, not converted to UTC:
/// `2030-03-31T23:59:59+01:00` is 31 March).
fn parse_date(text: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .map(|dt| dt.date_naive())
        .ok()
        .or_else(|| text.parse::<NaiveDate>().ok())
}

/// A JSON number of pounds as exact money.
fn money(amount: &serde_json::Number) -> Result<Money, &'static str> {
    let text = amount.to_string();
    let decimal = if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text)
    } else {
        text.parse::<Decimal>()
    }
    .map_err(|_| "is too large")?;
    Money::from_decimal(decimal.normalize())
}

/// A lot number from a lot's id: `1`, `"1"`, `"lot-1"`, `"LOT-01"`.
fn lot_number(id: &str) -> Option<i32> {
    let lower = id.trim().to_ascii_lowercase();
    let digits = lower
        .strip_prefix("lot")
        .map(|rest| rest.trim_start_matches(['-', '_', ' ']))
        .unwrap_or(&lower);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n >= 1)
}

/// A Companies House number as supplier records hold it: upper case, 8 characters (numbers
/// written without their leading zeros get them back).
pub fn companies_house_number(id: &str) -> String {
    let number: String = id
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !number.is_empty() && number.len() < 8 && number.bytes().all(|b| b.is_ascii_digit()) {
        format!("{number:0>8}")
    } else {
        number
    }
}

fn text_of(raw: &Value, pointer: &str) -> Option<String> {
    match raw.pointer(pointer)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Reads release `index` of a package as a framework agreement, or says every problem found.
pub fn map_release(index: usize, raw: &Value) -> Result<MappedRelease, RejectedRelease> {
    let base = format!("releases[{index}]");
    let ocid = text_of(raw, "/ocid");
    let rejected = |errors: Vec<FieldError>| RejectedRelease {
        release: index,
        ocid: ocid.clone(),
        reference: text_of(raw, "/tender/id"),
        errors,
    };
    let release: InRelease = serde_path_to_error::deserialize(raw).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            base.clone()
        } else {
            format!("{base}.{path}")
        };
        rejected(vec![FieldError::new(field, error.into_inner().to_string())])
    })?;
    let mut reader = Reader {
        base: base.clone(),
        errors: Vec::new(),
        sources: HashMap::new(),
    };
    let Some(tender) = &release.tender else {
        reader.fail("tender", "is missing: a framework agreement is read from its tender");
        return Err(rejected(reader.errors));
    };
    if tender.techniques.as_ref().and_then(|t| t.has_framework_agreement) != Some(true) {
        reader.fail(
            "tender.techniques.hasFrameworkAgreement",
            "is not true: only framework agreements are imported",
        );
        return Err(rejected(reader.errors));
    }
    // A tender that was cancelled, withdrawn or awarded to no one made no framework agreement.
    if let Some(status @ ("cancelled" | "unsuccessful" | "withdrawn")) = tender.status.as_deref() {
        reader.fail(
            "tender.status",
            format!("is '{status}': no framework agreement came of this tender"),
        );
        return Err(rejected(reader.errors));
    }
    let parties = release.parties.as_deref().unwrap_or_default();

    let reference = match &tender.id {
        Some(id) => id.0.clone(),
        None => {
            reader.fail("tender.id", "is missing: it is the framework's reference");
            String::new()
        }
    };
    reader.source("reference", "tender.id");
    reader.source("title", "tender.title");
    reader.source("description", "tender.description");

    // The owning body: the procuring entity (by name, or by id through the parties), else the buyer.
    let named = |reference: &InOrganizationReference| {
        reference.name.clone().or_else(|| {
            let id = reference.id.as_ref()?;
            parties.iter().find(|p| p.id.as_ref() == Some(id))?.name.clone()
        })
    };
    let owning_body = match (
        tender.procuring_entity.as_ref().and_then(named),
        release.buyer.as_ref().and_then(named),
    ) {
        (Some(name), _) => {
            reader.source("owning_body", "tender.procuringEntity.name");
            name
        }
        (None, Some(name)) => {
            reader.source("owning_body", "buyer.name");
            name
        }
        (None, None) => {
            reader.fail(
                "tender.procuringEntity",
                "is missing: the framework's owning body is the procuring entity (or the buyer)",
            );
            String::new()
        }
    };

    let category = read_category(&mut reader, tender);

    let period = tender.contract_period.as_ref();
    let start_date = reader.date(
        "tender.contractPeriod.startDate",
        period.and_then(|p| p.start_date.as_deref()),
    );
    let end_date = reader.date(
        "tender.contractPeriod.endDate",
        period.and_then(|p| p.end_date.as_deref()),
    );
    let max_end_date = reader.date(
        "tender.contractPeriod.maxExtentDate",
        period.and_then(|p| p.max_extent_date.as_deref()),
    );
    reader.source("start_date", "tender.contractPeriod.startDate");
    reader.source("end_date", "tender.contractPeriod.endDate");
    reader.source("max_end_date", "tender.contractPeriod.maxExtentDate");

    let extension_options = tender
        .renewal
        .as_ref()
        .and_then(|r| r.description.as_deref())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    reader.source("extension_options", "tender.renewal.description");

    let max_value = reader.money("tender.value", tender.value.as_ref());
    reader.source("max_value", "tender.value.amount");
    reader.source("eligibility", "tender.eligibility");

    let method_path = "tender.techniques.frameworkAgreement.method";
    let routes = reader
        .routes(method_path, tender.techniques.as_ref())
        .unwrap_or_else(|| vec![RouteToMarket::DirectAward, RouteToMarket::FurtherCompetition]);

    // Lots, and each lot's id as awards name it.
    let mut lots = Vec::new();
    let mut lot_ids: HashMap<String, usize> = HashMap::new();
    match tender.lots.as_deref() {
        Some(in_lots) if !in_lots.is_empty() => {
            for (i, lot) in in_lots.iter().enumerate() {
                let at = format!("tender.lots[{i}]");
                let number = match &lot.id {
                    Some(id) => {
                        if lot_ids.insert(id.0.clone(), i).is_some() {
                            reader.fail(&format!("{at}.id"), "is the id of another lot");
                        }
                        lot_number(&id.0).unwrap_or_else(|| {
                            reader.fail(
                                &format!("{at}.id"),
                                "must be a lot number from 1 to 9999, such as \"1\" or \"lot-1\"",
                            );
                            0
                        })
                    }
                    None => {
                        reader.fail(&format!("{at}.id"), "is missing: it is the lot's number");
                        0
                    }
                };
                let lot_method = format!("{at}.techniques.frameworkAgreement.method");
                let lot_routes = reader.routes(&lot_method, lot.techniques.as_ref());
                reader.source(
                    format!("lots[{i}].routes"),
                    if lot_routes.is_some() { &lot_method } else { method_path },
                );
                let lot_max = reader.money(&format!("{at}.value"), lot.value.as_ref());
                reader.source(format!("lots[{i}]"), &at);
                reader.source(format!("lots[{i}].number"), &format!("{at}.id"));
                reader.source(format!("lots[{i}].title"), &format!("{at}.title"));
                reader.source(format!("lots[{i}].description"), &format!("{at}.description"));
                reader.source(format!("lots[{i}].max_value"), &format!("{at}.value.amount"));
                reader.source(format!("lots[{i}].min_value"), &format!("{at}.value.amount"));
                lots.push(NewLot {
                    number,
                    title: lot.title.clone().unwrap_or_default(),
                    description: lot.description.clone().unwrap_or_default(),
                    routes: lot_routes.unwrap_or_else(|| routes.clone()),
                    min_value: None,
                    max_value: lot_max,
                    suppliers: Vec::new(),
                });
            }
        }
        // A tender not divided into lots is one lot: number 1, the tender's title and value.
        _ => {
            reader.source("lots[0]", "tender");
            reader.source("lots[0].title", "tender.title");
            reader.source("lots[0].routes", method_path);
            reader.source("lots[0].max_value", "tender.value.amount");
            lots.push(NewLot {
                number: 1,
                title: tender.title.clone().unwrap_or_default(),
                description: String::new(),
                routes,
                min_value: None,
                max_value,
                suppliers: Vec::new(),
            });
        }
    }

    let awards = read_awards(&mut reader, &release, parties, &lot_ids, lots.len());

    let mapped = MappedRelease {
        index,
        ocid: ocid.clone(),
        release_id: release.id.map(|id| id.0),
        framework: NewFramework {
            reference,
            title: tender.title.clone().unwrap_or_default(),
            description: tender.description.clone().unwrap_or_default(),
            owning_body,
            category,
            start_date,
            end_date,
            max_end_date,
            extension_options,
            max_value,
            eligibility: tender.eligibility.unwrap_or(Eligibility::Police),
            lots,
        },
        awards,
        sources: reader.sources,
    };
    if reader.errors.is_empty() {
        Ok(mapped)
    } else {
        // Name the model's problems too (the category is checked once the database is at hand).
        let mut errors = reader.errors;
        mapped.validate(true, &mut errors);
        Err(rejected(errors))
    }
}

/// The framework's category: the one `X-BLUELIGHT-CATEGORY` classification of the tender (as the
/// export writes it) or of its items.
fn read_category(reader: &mut Reader, tender: &InTender) -> String {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut consider = |classification: Option<&InClassification>, path: String| {
        if let Some(c) = classification
            && c.scheme
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(CATEGORY_SCHEME))
        {
            let slug = c.id.as_ref().map(|id| id.0.clone()).unwrap_or_default();
            found.push((slug, format!("{path}.id")));
        }
    };
    consider(tender.classification.as_ref(), "tender.classification".to_owned());
    for (k, item) in tender.items.as_deref().unwrap_or_default().iter().enumerate() {
        consider(
            item.classification.as_ref(),
            format!("tender.items[{k}].classification"),
        );
        for (m, extra) in item
            .additional_classifications
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            consider(Some(extra), format!("tender.items[{k}].additionalClassifications[{m}]"));
        }
    }
    let Some((slug, path)) = found.first().cloned() else {
        reader.fail(
            "tender.items",
            format!("no item has a classification with scheme {CATEGORY_SCHEME} naming the framework's category"),
        );
        reader.source("category", "tender.items");
        return String::new();
    };
    for (other, other_path) in &found[1..] {
        if *other != slug {
            reader.fail(
                other_path.as_str(),
                format!(
                    "names category '{other}' but {}.{path} names '{slug}': a framework has one category",
                    reader.base
                ),
            );
        }
    }
    reader.source("category", &path);
    slug
}

fn read_awards(
    reader: &mut Reader,
    release: &InRelease,
    parties: &[InParty],
    lot_ids: &HashMap<String, usize>,
    lot_count: usize,
) -> Vec<AwardRef> {
    let mut refs = Vec::new();
    for (j, award) in release.awards.as_deref().unwrap_or_default().iter().enumerate() {
        let at = format!("awards[{j}]");
        let status = match award.status.as_deref() {
            None | Some("active") => AwardStatus::Active,
            Some("cancelled") => AwardStatus::Excluded,
            // Not (or not yet) an award of the lot.
            Some("pending" | "unsuccessful") => continue,
            Some(_) => {
                reader.fail(
                    &format!("{at}.status"),
                    "must be active, cancelled, pending or unsuccessful",
                );
                continue;
            }
        };
        let lots: Vec<usize> = match award.related_lots.as_deref() {
            None | Some([]) if lot_ids.is_empty() || lot_count == 1 => vec![0],
            None | Some([]) => {
                reader.fail(
                    &format!("{at}.relatedLots"),
                    format!("must name the lots awarded: the tender has {lot_count} lots"),
                );
                continue;
            }
            Some(related) => related
                .iter()
                .enumerate()
                .filter_map(|(k, id)| {
                    let lot = lot_ids.get(&id.0).copied();
                    if lot.is_none() {
                        reader.fail(
                            &format!("{at}.relatedLots[{k}]"),
                            format!("names no lot of the tender ('{}')", id.0),
                        );
                    }
                    lot
                })
                .collect(),
        };
        let suppliers = award.suppliers.as_deref().unwrap_or_default();
        if suppliers.is_empty() {
            reader.fail(&format!("{at}.suppliers"), "must name the supplier awarded");
        }
        for (m, supplier) in suppliers.iter().enumerate() {
            let entry = format!("{at}.suppliers[{m}]");
            let party = supplier
                .id
                .as_ref()
                .and_then(|id| parties.iter().position(|p| p.id.as_ref() == Some(id)));
            let Some(k) = party else {
                reader.fail(&format!("{entry}.id"), "names no party in `parties`");
                continue;
            };
            let Some((key, identifier_path)) = supplier_key(&parties[k], k) else {
                reader.fail(
                    &format!("parties[{k}].identifier"),
                    format!(
                        "needs a {COMPANIES_HOUSE_SCHEME} (Companies House) or {SUPPLIER_SCHEME} identifier to find the national supplier record"
                    ),
                );
                continue;
            };
            for &lot in &lots {
                refs.push(AwardRef {
                    lot,
                    supplier: key.clone(),
                    status,
                    field: reader.at(&entry),
                    identifier_field: reader.at(&identifier_path),
                });
            }
        }
    }
    // One failure per party is enough.
    let mut seen = HashSet::new();
    reader
        .errors
        .retain(|e| seen.insert((e.field.clone(), e.message.clone())));
    refs
}

/// The party's Companies House number, else our supplier id, with where it is in the release.
fn supplier_key(party: &InParty, k: usize) -> Option<(SupplierKey, String)> {
    let identifiers = party
        .identifier
        .iter()
        .map(|i| (i, format!("parties[{k}].identifier.id")))
        .chain(
            party
                .additional_identifiers
                .iter()
                .flatten()
                .enumerate()
                .map(|(n, i)| (i, format!("parties[{k}].additionalIdentifiers[{n}].id"))),
        )
        .filter_map(|(i, path)| Some((i.scheme.as_deref()?, i.id.as_ref()?.0.as_str(), path)))
        .collect::<Vec<_>>();
    let by_scheme = |scheme: &str| {
        identifiers
            .iter()
            .find(|(s, id, _)| s.eq_ignore_ascii_case(scheme) && !id.trim().is_empty())
    };
    if let Some((_, id, path)) = by_scheme(COMPANIES_HOUSE_SCHEME) {
        return Some((SupplierKey::CompaniesHouse(companies_house_number(id)), path.clone()));
    }
    by_scheme(SUPPLIER_SCHEME).map(|(_, id, path)| (SupplierKey::Id(id.trim().to_owned()), path.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn release() -> Value {
        json!({
            "ocid": "ocds-test-1",
            "id": "ocds-test-1-01",
            "parties": [
                {"id": "blc", "name": "BlueLight Commercial", "roles": ["procuringEntity"]},
                {"id": "s1", "name": "Supplier One", "identifier": {"scheme": "GB-COH", "id": "8123456"}},
                {"id": "s2", "name": "Supplier Two", "identifier": {"scheme": "GB-CHC", "id": "1000001"},
                 "additionalIdentifiers": [{"scheme": "X-BLUELIGHT-SUPPLIER", "id": "abc"}]}
            ],
            "tender": {
                "id": "BLC-TEST-01",
                "title": "Test framework",
                "procuringEntity": {"id": "blc"},
                "value": {"amount": 1000000.5, "currency": "GBP"},
                "contractPeriod": {"startDate": "2026-04-01T00:00:00Z", "endDate": "2030-03-31T23:59:59+01:00"},
                "items": [{"id": "1", "classification": {"scheme": "X-BLUELIGHT-CATEGORY", "id": "body-armour"}}],
                "techniques": {"hasFrameworkAgreement": true, "frameworkAgreement": {"method": "withReopeningCompetition"}},
                "lots": [
                    {"id": "lot-1", "title": "One", "value": {"amount": 500000, "currency": "GBP"}},
                    {"id": 2, "title": "Two", "techniques": {"frameworkAgreement": {"method": "withoutReopeningCompetition"}}}
                ]
            },
            "awards": [
                {"id": "a1", "status": "active", "relatedLots": ["lot-1"], "suppliers": [{"id": "s1"}]},
                {"id": "a2", "status": "cancelled", "relatedLots": ["lot-1", "2"], "suppliers": [{"id": "s2"}]},
                {"id": "a3", "status": "pending", "relatedLots": ["2"], "suppliers": [{"id": "s1"}]}
            ]
        })
    }

    #[test]
    fn a_framework_release_maps_to_a_new_framework() {
        let mapped = map_release(0, &release()).unwrap();
        let f = &mapped.framework;
        assert_eq!(f.reference, "BLC-TEST-01");
        assert_eq!(f.owning_body, "BlueLight Commercial");
        assert_eq!(f.category, "body-armour");
        assert_eq!(f.start_date, Some("2026-04-01".parse().unwrap()));
        assert_eq!(f.end_date, Some("2030-03-31".parse().unwrap()));
        assert_eq!(f.max_value, Some(Money::from_pence(100_000_050)));
        assert_eq!(f.eligibility, Eligibility::Police);
        assert_eq!(f.lots.len(), 2);
        assert_eq!((f.lots[0].number, f.lots[1].number), (1, 2));
        assert_eq!(f.lots[0].routes, vec![RouteToMarket::FurtherCompetition]);
        assert_eq!(f.lots[1].routes, vec![RouteToMarket::DirectAward]);
        assert_eq!(f.lots[0].max_value, Some(Money::from_pence(50_000_000)));
        let awards: Vec<_> = mapped
            .awards
            .iter()
            .map(|a| (a.lot, a.supplier.clone(), a.status))
            .collect();
        assert_eq!(
            awards,
            vec![
                (0, SupplierKey::CompaniesHouse("08123456".into()), AwardStatus::Active),
                (0, SupplierKey::Id("abc".into()), AwardStatus::Excluded),
                (1, SupplierKey::Id("abc".into()), AwardStatus::Excluded),
            ]
        );
        assert_eq!(
            mapped.awards[1].identifier_field,
            "releases[0].parties[2].additionalIdentifiers[0].id"
        );
        assert_eq!(
            mapped.place(FieldError::new("lots[1].max_value", "x")).field,
            "releases[0].tender.lots[1].value.amount"
        );
        assert_eq!(
            mapped.place(FieldError::new("lots[1].routes", "x")).field,
            "releases[0].tender.lots[1].techniques.frameworkAgreement.method"
        );
        assert_eq!(
            mapped.place(FieldError::new("category", "x")).field,
            "releases[0].tender.items[0].classification.id"
        );
    }

    #[test]
    fn problems_are_named_by_their_path_in_the_package() {
        let mut raw = release();
        raw["tender"]["lots"][0]["value"]["amount"] = json!(-5);
        raw["tender"]["lots"][1]["id"] = json!("second");
        raw["tender"]["contractPeriod"]["endDate"] = json!("31/03/2030");
        raw["awards"][0]["suppliers"][0]["id"] = json!("nobody");
        let rejected = map_release(3, &raw).unwrap_err();
        let fields: Vec<&str> = rejected.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(rejected.ocid.as_deref(), Some("ocds-test-1"));
        assert_eq!(rejected.reference.as_deref(), Some("BLC-TEST-01"));
        for field in [
            "releases[3].tender.lots[1].id",
            "releases[3].tender.contractPeriod.endDate",
            "releases[3].awards[0].suppliers[0].id",
            "releases[3].awards[1].relatedLots[1]",
            "releases[3].tender.lots[0].value.amount",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
    }

    #[test]
    fn wrong_types_and_non_frameworks_are_rejected() {
        let mut raw = release();
        raw["tender"]["value"]["amount"] = json!("1000.00");
        let rejected = map_release(1, &raw).unwrap_err();
        assert_eq!(rejected.errors[0].field, "releases[1].tender.value.amount");

        let mut raw = release();
        raw["tender"]["techniques"]["hasFrameworkAgreement"] = json!(false);
        let rejected = map_release(0, &raw).unwrap_err();
        assert_eq!(
            rejected.errors[0].field,
            "releases[0].tender.techniques.hasFrameworkAgreement"
        );

        let mut raw = release();
        raw["tender"]["value"]["currency"] = json!("EUR");
        raw["tender"]["eligibility"] = json!("fire");
        let rejected = map_release(0, &raw).unwrap_err();
        assert_eq!(rejected.errors[0].field, "releases[0].tender.value.currency");

        let rejected = map_release(0, &json!("not a release")).unwrap_err();
        assert_eq!(rejected.errors[0].field, "releases[0]");
    }

    #[test]
    fn packages_need_version_and_releases() {
        assert!(releases(&json!({"version": "1.1", "releases": []})).is_ok());
        let fields = |v: Value| -> Vec<String> { releases(&v).unwrap_err().into_iter().map(|e| e.field).collect() };
        assert_eq!(fields(json!({"releases": []})), vec!["version"]);
        assert_eq!(
            fields(json!({"version": "1.0", "records": []})),
            vec!["version", "releases"]
        );
        assert_eq!(fields(json!([])), vec![""]);
    }

    #[test]
    fn amounts_lot_ids_and_numbers() {
        let n = |v: Value| money(&serde_json::from_value(v).unwrap());
        assert_eq!(n(json!(48500.5)), Ok(Money::from_pence(4_850_050)));
        assert_eq!(n(json!(1e6)), Ok(Money::from_pence(100_000_000)));
        assert_eq!(n(json!(0.01)), Ok(Money::from_pence(1)));
        assert!(n(json!(0.001)).is_err());
        assert!(n(json!(1e30)).is_err());
        assert_eq!(lot_number("1"), Some(1));
        assert_eq!(lot_number("LOT-07"), Some(7));
        assert_eq!(lot_number("lot 12"), Some(12));
        assert_eq!(lot_number("0"), None);
        assert_eq!(lot_number("lot-a"), None);
        assert_eq!(lot_number("12345"), None);
        assert_eq!(companies_house_number(" 8123456 "), "08123456");
        assert_eq!(companies_house_number("sc123456"), "SC123456");
        assert_eq!(
            parse_date("2030-03-31T23:59:59+01:00"),
            Some("2030-03-31".parse().unwrap())
        );
        assert_eq!(parse_date("2030-03-31"), Some("2030-03-31".parse().unwrap()));
    }
}
