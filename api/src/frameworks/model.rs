use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock;
use crate::db::schema::{frameworks, lot_suppliers, lots};
use crate::error::ApiResult;
use crate::http::patch::double_option;
use crate::money::{Money, NonNegativeMoney};
use crate::tenants::model::TenantKind;
use crate::text_enum::text_enum;
use crate::validate::Checks;

text_enum! {
    /// Where a framework is in its life, derived from its dates.
    pub enum FrameworkStatus {
        /// Not started yet (or no start date set).
        Pipeline = "pipeline",
        /// Started and not ended: forces can call off.
        Live = "live",
        /// Ended.
        Expired = "expired",
    }
}

text_enum! {
    /// Which services may use a framework.
    pub enum Eligibility {
        Police = "police",
        Fire = "fire",
        Both = "both",
    }
}

text_enum! {
    /// How a buyer may call off a lot.
    pub enum RouteToMarket {
        DirectAward = "direct_award",
        FurtherCompetition = "further_competition",
    }
}

text_enum! {
    /// A supplier's standing on a lot.
    pub enum AwardStatus {
        Active = "active",
        Suspended = "suspended",
        Excluded = "excluded",
    }
}

impl FrameworkStatus {
    /// The status on `today`: expired once the end date has passed, live from the start date,
    /// pipeline before it (or while no start date is set).
    pub fn on(today: NaiveDate, start: Option<NaiveDate>, end: Option<NaiveDate>) -> FrameworkStatus {
        match (start, end) {
            (_, Some(end)) if end < today => FrameworkStatus::Expired,
            (Some(start), _) if start <= today => FrameworkStatus::Live,
            _ => FrameworkStatus::Pipeline,
        }
    }
}

impl Eligibility {
    pub fn open_to(self, kind: TenantKind) -> bool {
        match kind {
            TenantKind::National => true,
            TenantKind::Police => matches!(self, Eligibility::Police | Eligibility::Both),
            TenantKind::Fire => matches!(self, Eligibility::Fire | Eligibility::Both),
        }
    }

    /// The eligibility values open to a kind of tenant.
    pub fn open_to_kind(kind: TenantKind) -> Vec<&'static str> {
        Eligibility::ALL
            .iter()
            .filter(|e| e.open_to(kind))
            .map(|e| e.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = frameworks)]
pub struct FrameworkRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub owning_body: String,
    pub category_slug: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub max_end_date: Option<NaiveDate>,
    pub extension_options: Option<String>,
    pub max_value_pence: Option<i64>,
    pub eligibility: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lots)]
pub struct LotRow {
    pub id: String,
    pub framework_id: String,
    pub number: i32,
    pub title: String,
    pub description: String,
    pub direct_award: bool,
    pub further_competition: bool,
    pub min_value_pence: Option<i64>,
    pub max_value_pence: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lot_suppliers)]
pub struct LotSupplierRow {
    pub lot_id: String,
    pub supplier_id: String,
    pub status: String,
    pub updated_at: NaiveDateTime,
}

/// A national framework agreement.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Framework {
    #[schema(example = "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    #[schema(example = "BLC-UNI-2024-01")]
    pub reference: String,
    #[schema(example = "Police Uniform and Footwear")]
    pub title: String,
    pub description: String,
    #[schema(example = "BlueLight Commercial")]
    pub owning_body: String,
    /// The category's slug.
    #[schema(example = "uniform-and-ppe")]
    pub category: String,
    pub status: FrameworkStatus,
    pub eligibility: Eligibility,
    pub start_date: Option<NaiveDate>,
    /// The current end date.
    pub end_date: Option<NaiveDate>,
    /// The end date if every extension is taken.
    pub max_end_date: Option<NaiveDate>,
    #[schema(example = "2 x 12 months")]
    pub extension_options: Option<String>,
    pub max_value: Option<Money>,
    pub lot_count: usize,
    /// For a tenant user: whether the framework is open to the tenant's kind of service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_to_you: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A supplier awarded a lot.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LotSupplier {
    pub supplier_id: String,
    #[schema(example = "Pennine Protective Apparel Ltd")]
    pub name: String,
    pub sme: bool,
    pub vcse: bool,
    pub status: AwardStatus,
}

/// A lot of a framework.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Lot {
    #[schema(example = 1)]
    pub number: i32,
    #[schema(example = "Body armour")]
    pub title: String,
    pub description: String,
    pub routes: Vec<RouteToMarket>,
    /// The value band: smallest call-off value for this lot.
    pub min_value: Option<Money>,
    /// The value band: largest call-off value for this lot.
    pub max_value: Option<Money>,
    pub suppliers: Vec<LotSupplier>,
}

/// A framework with its lots and awarded suppliers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FrameworkDetail {
    #[serde(flatten)]
    pub framework: Framework,
    pub lots: Vec<Lot>,
}

impl FrameworkRow {
    pub fn into_api(self, today: NaiveDate, lot_count: usize, viewer_kind: Option<TenantKind>) -> ApiResult<Framework> {
        let eligibility = Eligibility::from_db(&self.eligibility)?;
        Ok(Framework {
            status: FrameworkStatus::on(today, self.start_date, self.end_date),
            open_to_you: viewer_kind.map(|kind| eligibility.open_to(kind)),
            eligibility,
            id: self.id,
            reference: self.reference,
            title: self.title,
            description: self.description,
            owning_body: self.owning_body,
            category: self.category_slug,
            start_date: self.start_date,
            end_date: self.end_date,
            max_end_date: self.max_end_date,
            extension_options: self.extension_options,
            max_value: self.max_value_pence.map(Money::from_pence),
            lot_count,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

impl LotRow {
    pub fn routes(&self) -> Vec<RouteToMarket> {
        let mut routes = Vec::new();
        if self.direct_award {
            routes.push(RouteToMarket::DirectAward);
        }
        if self.further_competition {
            routes.push(RouteToMarket::FurtherCompetition);
        }
        routes
    }

    pub fn into_api(self, suppliers: Vec<LotSupplier>) -> Lot {
        Lot {
            routes: self.routes(),
            number: self.number,
            title: self.title,
            description: self.description,
            min_value: self.min_value_pence.map(Money::from_pence),
            max_value: self.max_value_pence.map(Money::from_pence),
            suppliers,
        }
    }
}

/// A supplier to award on a lot.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotAwardInput {
    pub supplier_id: String,
    #[serde(default = "active")]
    pub status: AwardStatus,
}

fn active() -> AwardStatus {
    AwardStatus::Active
}

/// A lot, as created.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": 1, "title": "Body armour", "description": "Overt and covert body armour to the Home Office standard", "routes": ["direct_award", "further_competition"], "min_value": "0.00", "max_value": "5000000.00", "suppliers": [{"supplier_id": "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b", "status": "active"}]}))]
pub struct NewLot {
    #[schema(minimum = 1)]
    pub number: i32,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[schema(value_type = std::collections::BTreeSet<RouteToMarket>, min_items = 1)]
    pub routes: Vec<RouteToMarket>,
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub min_value: Option<Money>,
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub max_value: Option<Money>,
    #[serde(default)]
    pub suppliers: Vec<LotAwardInput>,
}

fn check_routes(checks: &mut Checks, field: &str, routes: &[RouteToMarket]) {
    checks.check(!routes.is_empty(), field, "must name at least one route to market");
    let unique: HashSet<_> = routes.iter().collect();
    checks.check(unique.len() == routes.len(), field, "must not repeat a route");
}

fn check_band(checks: &mut Checks, prefix: &str, min: Option<Money>, max: Option<Money>) {
    checks.non_negative(&format!("{prefix}min_value"), min);
    checks.non_negative(&format!("{prefix}max_value"), max);
    if let (Some(min), Some(max)) = (min, max) {
        checks.check(min <= max, format!("{prefix}max_value"), "must not be below min_value");
    }
}

impl NewLot {
    /// Checks the lot's own fields; `prefix` places them in the body (e.g. `lots[2].`).
    pub fn check(&self, checks: &mut Checks, prefix: &str) {
        checks.check(self.number >= 1, format!("{prefix}number"), "must be 1 or more");
        checks.text(&format!("{prefix}title"), &self.title, 300);
        checks.check(
            self.description.chars().count() <= 4000,
            format!("{prefix}description"),
            "must be at most 4000 characters",
        );
        check_routes(checks, &format!("{prefix}routes"), &self.routes);
        check_band(checks, prefix, self.min_value, self.max_value);
        let mut seen = HashSet::new();
        for (i, award) in self.suppliers.iter().enumerate() {
            checks.check(
                seen.insert(award.supplier_id.as_str()),
                format!("{prefix}suppliers[{i}].supplier_id"),
                "is listed twice on this lot",
            );
        }
    }

    pub fn into_rows(self, framework_id: &str) -> (LotRow, Vec<LotSupplierRow>) {
        let lot = LotRow {
            id: clock::new_id(),
            framework_id: framework_id.to_owned(),
            number: self.number,
            title: self.title.trim().to_owned(),
            description: self.description,
            direct_award: self.routes.contains(&RouteToMarket::DirectAward),
            further_competition: self.routes.contains(&RouteToMarket::FurtherCompetition),
            min_value_pence: self.min_value.map(Money::pence),
            max_value_pence: self.max_value.map(Money::pence),
        };
        let now = clock::now();
        let awards = self
            .suppliers
            .into_iter()
            .map(|award| LotSupplierRow {
                lot_id: lot.id.clone(),
                supplier_id: award.supplier_id,
                status: award.status.as_str().to_owned(),
                updated_at: now,
            })
            .collect();
        (lot, awards)
    }
}

/// A new framework, with its lots and awarded suppliers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference": "BLC-ARM-2026-01", "title": "Body Armour and Protective Equipment",
    "description": "National framework for overt and covert body armour.", "owning_body": "BlueLight Commercial",
    "category": "body-armour", "start_date": "2026-04-01", "end_date": "2030-03-31", "max_end_date": "2032-03-31",
    "extension_options": "2 x 12 months", "max_value": "60000000.00", "eligibility": "police",
    "lots": [{"number": 1, "title": "Overt body armour", "routes": ["direct_award", "further_competition"], "max_value": "5000000.00", "suppliers": []}]
}))]
pub struct NewFramework {
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
    pub reference: String,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub owning_body: String,
    /// The category's slug.
    pub category: String,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub start_date: Option<NaiveDate>,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub end_date: Option<NaiveDate>,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub max_end_date: Option<NaiveDate>,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub extension_options: Option<String>,
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub max_value: Option<Money>,
    pub eligibility: Eligibility,
    #[serde(default)]
    pub lots: Vec<NewLot>,
}

/// The date fields every framework write must keep in order.
pub struct FrameworkDates {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub max_end: Option<NaiveDate>,
}

impl FrameworkDates {
    pub fn check(&self, checks: &mut Checks) {
        checks.date("start_date", self.start);
        checks.date("end_date", self.end);
        checks.date("max_end_date", self.max_end);
        if let (Some(start), Some(end)) = (self.start, self.end) {
            checks.check(start <= end, "end_date", "must not be before start_date");
        }
        if let (Some(end), Some(max_end)) = (self.end, self.max_end) {
            checks.check(end <= max_end, "max_end_date", "must not be before end_date");
        }
        if let (None, Some(_)) = (self.end, self.max_end) {
            checks.fail("max_end_date", "needs an end_date");
        }
    }
}

fn check_reference(checks: &mut Checks, reference: &str) {
    let ok = !reference.is_empty()
        && reference.len() <= 64
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'));
    checks.check(ok, "reference", "must be 1-64 letters, digits, `-`, `_`, `/` or `.`");
}

impl NewFramework {
    /// Checks every field that needs no database; `category_exists` tells whether the category does.
    pub fn validate(&self, category_exists: bool) -> ApiResult<()> {
        let mut checks = Checks::new();
        check_reference(&mut checks, &self.reference);
        checks.text("title", &self.title, 300);
        checks.check(
            self.description.chars().count() <= 10_000,
            "description",
            "must be at most 10000 characters",
        );
        checks.text("owning_body", &self.owning_body, 200);
        checks.check(category_exists, "category", format!("no category '{}'", self.category));
        checks.optional_text("extension_options", self.extension_options.as_deref(), 200);
        checks.non_negative("max_value", self.max_value);
        FrameworkDates {
            start: self.start_date,
            end: self.end_date,
            max_end: self.max_end_date,
        }
        .check(&mut checks);
        let mut numbers = HashSet::new();
        for (i, lot) in self.lots.iter().enumerate() {
            lot.check(&mut checks, &format!("lots[{i}]."));
            checks.check(
                numbers.insert(lot.number),
                format!("lots[{i}].number"),
                "is used by another lot",
            );
        }
        checks.finish()
    }

    pub fn into_rows(self) -> (FrameworkRow, Vec<(LotRow, Vec<LotSupplierRow>)>) {
        let now = clock::now();
        let framework = FrameworkRow {
            id: clock::new_id(),
            reference: self.reference,
            title: self.title.trim().to_owned(),
            description: self.description,
            owning_body: self.owning_body.trim().to_owned(),
            category_slug: self.category,
            start_date: self.start_date,
            end_date: self.end_date,
            max_end_date: self.max_end_date,
            extension_options: self.extension_options,
            max_value_pence: self.max_value.map(Money::pence),
            eligibility: self.eligibility.as_str().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let lots = self.lots.into_iter().map(|lot| lot.into_rows(&framework.id)).collect();
        (framework, lots)
    }
}

/// Changes to a framework; absent fields stay as they are, `null` clears an optional one.
/// Lots change through their own endpoints. The reference never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2031-03-31", "extension_options": "1 x 12 months remaining"}))]
pub struct FrameworkChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, max_length = 10000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub owning_body: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub end_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub max_end_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub extension_options: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub max_value: Option<Option<Money>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Eligibility)]
    pub eligibility: Option<Eligibility>,
}

impl FrameworkChanges {
    /// Checks the changes against the framework as it is (`current`).
    pub fn validate(&self, current: &FrameworkRow, category_exists: bool) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.optional_text("title", self.title.as_deref(), 300);
        if let Some(description) = &self.description {
            checks.check(
                description.chars().count() <= 10_000,
                "description",
                "must be at most 10000 characters",
            );
        }
        checks.optional_text("owning_body", self.owning_body.as_deref(), 200);
        if let Some(category) = &self.category {
            checks.check(category_exists, "category", format!("no category '{category}'"));
        }
        if let Some(Some(options)) = &self.extension_options {
            checks.text("extension_options", options, 200);
        }
        checks.non_negative("max_value", self.max_value.flatten());
        FrameworkDates {
            start: self.start_date.unwrap_or(current.start_date),
            end: self.end_date.unwrap_or(current.end_date),
            max_end: self.max_end_date.unwrap_or(current.max_end_date),
        }
        .check(&mut checks);
        checks.finish()
    }

    pub fn into_changeset(self) -> FrameworkChangeset {
        FrameworkChangeset {
            title: self.title.map(|t| t.trim().to_owned()),
            description: self.description,
            owning_body: self.owning_body.map(|o| o.trim().to_owned()),
            category_slug: self.category,
            start_date: self.start_date,
            end_date: self.end_date,
            max_end_date: self.max_end_date,
            extension_options: self.extension_options,
            max_value_pence: self.max_value.map(|v| v.map(Money::pence)),
            eligibility: self.eligibility.map(|e| e.as_str().to_owned()),
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = frameworks)]
pub struct FrameworkChangeset {
    pub title: Option<String>,
    pub description: Option<String>,
    pub owning_body: Option<String>,
    pub category_slug: Option<String>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    pub max_end_date: Option<Option<NaiveDate>>,
    pub extension_options: Option<Option<String>>,
    pub max_value_pence: Option<Option<i64>>,
    pub eligibility: Option<String>,
}

/// Changes to a lot; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"routes": ["further_competition"], "max_value": "2500000.00"}))]
pub struct LotChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, max_length = 4000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = std::collections::BTreeSet<RouteToMarket>, min_items = 1)]
    pub routes: Option<Vec<RouteToMarket>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub min_value: Option<Option<Money>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NonNegativeMoney>)]
    pub max_value: Option<Option<Money>>,
}

impl LotChanges {
    pub fn validate(&self, current: &LotRow) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.optional_text("title", self.title.as_deref(), 300);
        if let Some(description) = &self.description {
            checks.check(
                description.chars().count() <= 4000,
                "description",
                "must be at most 4000 characters",
            );
        }
        if let Some(routes) = &self.routes {
            check_routes(&mut checks, "routes", routes);
        }
        let min = self.min_value.unwrap_or(current.min_value_pence.map(Money::from_pence));
        let max = self.max_value.unwrap_or(current.max_value_pence.map(Money::from_pence));
        check_band(&mut checks, "", min, max);
        checks.finish()
    }

    pub fn into_changeset(self) -> LotChangeset {
        LotChangeset {
            title: self.title.map(|t| t.trim().to_owned()),
            description: self.description,
            direct_award: self.routes.as_ref().map(|r| r.contains(&RouteToMarket::DirectAward)),
            further_competition: self
                .routes
                .as_ref()
                .map(|r| r.contains(&RouteToMarket::FurtherCompetition)),
            min_value_pence: self.min_value.map(|v| v.map(Money::pence)),
            max_value_pence: self.max_value.map(|v| v.map(Money::pence)),
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = lots)]
pub struct LotChangeset {
    pub title: Option<String>,
    pub description: Option<String>,
    pub direct_award: Option<bool>,
    pub further_competition: Option<bool>,
    pub min_value_pence: Option<Option<i64>>,
    pub max_value_pence: Option<Option<i64>>,
}

impl LotChangeset {
    /// Whether nothing would change (diesel refuses an empty SET).
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.direct_award.is_none()
            && self.further_competition.is_none()
            && self.min_value_pence.is_none()
            && self.max_value_pence.is_none()
    }
}

/// A supplier's status on a lot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "suspended"}))]
pub struct AwardChange {
    pub status: AwardStatus,
}

/// Filters for the framework list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FrameworkFilter {
    /// Free text, matched against reference, title and description.
    pub q: Option<String>,
    /// A category's slug; frameworks in it or any category below it.
    pub category: Option<String>,
    /// Status on today's date.
    pub status: Option<FrameworkStatus>,
    /// A supplier's id; frameworks with a lot awarded to it.
    pub supplier: Option<String>,
    /// A tenant's slug; frameworks open to that tenant's kind of service.
    pub eligible_for: Option<String>,
    /// Frameworks whose current end date is before this date.
    pub expires_before: Option<NaiveDate>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn status_follows_the_dates() {
        let today = date("2026-11-22");
        assert_eq!(FrameworkStatus::on(today, None, None), FrameworkStatus::Pipeline);
        assert_eq!(
            FrameworkStatus::on(today, Some(date("2027-01-01")), None),
            FrameworkStatus::Pipeline
        );
        assert_eq!(
            FrameworkStatus::on(today, Some(today), Some(today)),
            FrameworkStatus::Live
        );
        assert_eq!(
            FrameworkStatus::on(today, Some(date("2020-01-01")), None),
            FrameworkStatus::Live
        );
        assert_eq!(
            FrameworkStatus::on(today, Some(date("2020-01-01")), Some(date("2026-11-21"))),
            FrameworkStatus::Expired
        );
        assert_eq!(
            FrameworkStatus::on(today, None, Some(date("2026-11-21"))),
            FrameworkStatus::Expired
        );
    }

    #[test]
    fn eligibility_by_kind_of_service() {
        assert!(Eligibility::Both.open_to(TenantKind::Fire));
        assert!(!Eligibility::Police.open_to(TenantKind::Fire));
        assert!(!Eligibility::Fire.open_to(TenantKind::Police));
        assert!(Eligibility::Fire.open_to(TenantKind::National));
    }
}
