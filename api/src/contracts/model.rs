//! A tenant's contracts register: what a force records, what the API returns, and the stored row.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock;
use crate::db::schema::contracts;
use crate::error::{ApiError, ApiResult};
use crate::http::patch::{double_option, not_null};
use crate::money::{ContractMoney, Money};
use crate::suppliers::directory::SupplierLocality;
use crate::text_enum::text_enum;
use crate::validate::Checks;

pub const MAX_KPIS: usize = 20;
/// The largest contract value (and savings) accepted, £100bn: beyond it a figure is a typo, and
/// the cap keeps national sums far from overflowing.
pub const MAX_VALUE: Money = Money::from_pence(10_000_000_000_000);
pub const MAX_PARTNERS: usize = 50;

text_enum! {
    /// How the contract was let: a call-off from a national framework, a contract let jointly
    /// with other bodies, or the force's own.
    pub enum Arrangement {
        NationalFramework = "national_framework",
        Collaborative = "collaborative",
        Local = "local",
    }
}

impl Arrangement {
    /// National frameworks and collaborative contracts are the "collaborative arrangements" the
    /// forces' KPI counts.
    pub fn is_collaborative(self) -> bool {
        matches!(self, Arrangement::NationalFramework | Arrangement::Collaborative)
    }
}

text_enum! {
    /// Where a contract is in its life, on a given day: not started, running, past its end date,
    /// or ended early.
    pub enum ContractStatus {
        Pipeline = "pipeline",
        Active = "active",
        Expired = "expired",
        Terminated = "terminated",
    }
}

impl ContractStatus {
    pub fn on(start: NaiveDate, end: NaiveDate, terminated_on: Option<NaiveDate>, today: NaiveDate) -> ContractStatus {
        match terminated_on {
            Some(_) => ContractStatus::Terminated,
            None if end < today => ContractStatus::Expired,
            None if start > today => ContractStatus::Pipeline,
            None => ContractStatus::Active,
        }
    }
}

/// A performance measure agreed for the contract.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractKpi {
    #[schema(
        example = "Orders delivered within 48 hours",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\s\u0085]"
    )]
    pub name: String,
    #[schema(example = "95%", min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub target: String,
}

/// A contract to record.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference": "LAN-C-2026-031",
    "title": "Fleet servicing and accident repair, Lancashire",
    "supplier_name": "Red Rose Fleet Services Ltd",
    "supplier_locality": "area",
    "category": "fleet-maintenance-and-accident-management",
    "value": "1450000.00",
    "start_date": "2026-04-01",
    "end_date": "2029-03-31",
    "extension_options": "1 x 12 months",
    "max_end_date": "2030-03-31",
    "arrangement": "collaborative",
    "collaborative_partners": ["Cumbria Constabulary", "Lancashire Fire and Rescue Service"],
    "contract_manager": "J. Whitworth",
    "kpis": [{"name": "Vehicles returned within 5 working days", "target": "90%"}],
    "savings": "87000.00"
}))]
pub struct NewContract {
    /// The force's own reference, unique within the tenant.
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\u0085]")]
    pub reference: String,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: String,
    /// A national supplier's id. Or give `supplier_name`: a name matching a national supplier
    /// links to it; any other name is recorded as given.
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    /// Defaults to `region` for a national supplier serving the tenant's region, else `outside`.
    pub supplier_locality: Option<SupplierLocality>,
    /// For a supplier the service does not know; a known supplier's own flags are used.
    pub sme: Option<bool>,
    pub vcse: Option<bool>,
    /// The category's slug.
    pub category: String,
    /// The whole-contract value in pounds.
    #[schema(value_type = ContractMoney)]
    pub value: Money,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub start_date: NaiveDate,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub end_date: NaiveDate,
    #[schema(
        example = "2 x 12 months",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\s\u0085]"
    )]
    pub extension_options: Option<String>,
    /// The end date if every extension is taken.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub max_end_date: Option<NaiveDate>,
    pub arrangement: Arrangement,
    /// For a national framework call-off: the framework's id and the lot's number.
    pub framework_id: Option<String>,
    pub lot_number: Option<u32>,
    /// For a collaborative contract: who it is shared with.
    #[serde(default)]
    #[schema(value_type = Vec<PartnerName>, max_items = 50)]
    pub collaborative_partners: Vec<String>,
    /// The procurement this contract came from, if recorded here.
    pub procurement_id: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub contract_manager: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub kpis: Vec<ContractKpi>,
    /// Savings recorded against the contract, in pounds.
    #[serde(default = "zero")]
    #[schema(value_type = ContractMoney)]
    pub savings: Money,
    /// Set when the contract was ended early.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub terminated_on: Option<NaiveDate>,
}

/// Schema only: a collaborative partner's name, as `Checks::text` accepts it.
pub struct PartnerName;

impl utoipa::PartialSchema for PartnerName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Who a collaborative contract is shared with, e.g. `Cumbria Constabulary`.",
            ))
            .min_length(Some(1))
            .max_length(Some(200))
            .pattern(Some(r"[^\s\u0085]"))
            .into()
    }
}

impl ToSchema for PartnerName {}

fn zero() -> Money {
    Money::ZERO
}

/// Changes to a contract; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2030-03-31", "max_end_date": null, "savings": "120000.00"}))]
pub struct ContractChanges {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 64, pattern = r"[^\s\u0085]")]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub supplier_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub supplier_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<SupplierLocality>)]
    pub supplier_locality: Option<Option<SupplierLocality>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub sme: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub vcse: Option<Option<bool>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = ContractMoney)]
    pub value: Option<Money>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub end_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub extension_options: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub max_end_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Arrangement)]
    pub arrangement: Option<Arrangement>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub framework_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u32>)]
    pub lot_number: Option<Option<u32>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<PartnerName>, max_items = 50)]
    pub collaborative_partners: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub procurement_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub contract_manager: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<ContractKpi>, max_items = 20)]
    pub kpis: Option<Vec<ContractKpi>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = ContractMoney)]
    pub savings: Option<Money>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub terminated_on: Option<Option<NaiveDate>>,
}

macro_rules! apply {
    ($changes:ident, $target:ident, $($field:ident),+) => {
        $(if let Some(v) = $changes.$field { $target.$field = v; })+
    };
}

impl ContractChanges {
    /// The contract as it will be after these changes; validated as a whole afterwards. Naming
    /// a supplier by id or by name replaces the other way of naming it.
    pub fn apply_to(self, mut c: NewContract) -> NewContract {
        if matches!(self.supplier_id, Some(Some(_))) && self.supplier_name.is_none() {
            c.supplier_name = None;
        }
        if matches!(self.supplier_name, Some(Some(_))) && self.supplier_id.is_none() {
            c.supplier_id = None;
        }
        // Another supplier's locality and flags are its own: derived again unless stated.
        if self.supplier_id.is_some() || self.supplier_name.is_some() {
            c.supplier_locality = None;
            c.sme = None;
            c.vcse = None;
        }
        apply!(
            self,
            c,
            reference,
            title,
            supplier_id,
            supplier_name,
            supplier_locality,
            sme,
            vcse,
            category,
            value,
            start_date,
            end_date,
            extension_options,
            max_end_date,
            arrangement,
            framework_id,
            lot_number,
            collaborative_partners,
            procurement_id,
            contract_manager,
            kpis,
            savings,
            terminated_on
        );
        c
    }
}

impl NewContract {
    /// The checks that need no database; the records it names are checked by `store::resolve`.
    pub fn check_fields(&self, checks: &mut Checks, today: NaiveDate) {
        checks.text("reference", &self.reference, 64);
        checks.text("title", &self.title, 300);
        checks.non_negative("value", Some(self.value));
        checks.non_negative("savings", Some(self.savings));
        checks.at_most("value", self.value, MAX_VALUE);
        checks.at_most("savings", self.savings, MAX_VALUE);
        checks.date("start_date", Some(self.start_date));
        checks.date("end_date", Some(self.end_date));
        checks.date("max_end_date", self.max_end_date);
        checks.date("terminated_on", self.terminated_on);
        if let Some(terminated) = self.terminated_on {
            checks.check(
                terminated <= today,
                "terminated_on",
                "must not be in the future: record the termination when it has happened",
            );
        }
        checks.check(
            self.end_date >= self.start_date,
            "end_date",
            "must not be before start_date",
        );
        if let Some(max_end) = self.max_end_date {
            checks.check(max_end >= self.end_date, "max_end_date", "must not be before end_date");
        }
        if let Some(terminated) = self.terminated_on {
            checks.check(
                terminated >= self.start_date,
                "terminated_on",
                "must not be before start_date",
            );
        }
        checks.optional_text("extension_options", self.extension_options.as_deref(), 200);
        checks.optional_text("contract_manager", self.contract_manager.as_deref(), 200);
        checks.check(self.kpis.len() <= MAX_KPIS, "kpis", format!("at most {MAX_KPIS} KPIs"));
        for (i, kpi) in self.kpis.iter().enumerate() {
            checks.text(&format!("kpis[{i}].name"), &kpi.name, 200);
            checks.text(&format!("kpis[{i}].target"), &kpi.target, 200);
        }
        checks.check(
            self.collaborative_partners.len() <= MAX_PARTNERS,
            "collaborative_partners",
            format!("at most {MAX_PARTNERS} partners"),
        );
        for (i, partner) in self.collaborative_partners.iter().enumerate() {
            checks.text(&format!("collaborative_partners[{i}]"), partner, 200);
        }
        match self.arrangement {
            Arrangement::NationalFramework => {
                checks.check(
                    self.framework_id.is_some(),
                    "framework_id",
                    "a national framework call-off names its framework",
                );
                checks.check(
                    self.lot_number.is_some(),
                    "lot_number",
                    "a national framework call-off names its lot",
                );
            }
            other => {
                checks.check(
                    self.framework_id.is_none(),
                    "framework_id",
                    "only a national_framework call-off names a framework",
                );
                checks.check(
                    self.lot_number.is_none(),
                    "lot_number",
                    "only a national_framework call-off names a lot",
                );
                if other == Arrangement::Collaborative {
                    checks.check(
                        !self.collaborative_partners.is_empty(),
                        "collaborative_partners",
                        "a collaborative contract names who it is shared with",
                    );
                }
            }
        }
        if self.arrangement != Arrangement::Collaborative {
            checks.check(
                self.collaborative_partners.is_empty(),
                "collaborative_partners",
                "only a collaborative contract has partners",
            );
        }
    }
}

/// A contract as the API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub tenant: String,
    pub reference: String,
    pub title: String,
    /// The national supplier, when the supplier is one.
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub supplier_locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
    pub category: String,
    pub value: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub extension_options: Option<String>,
    pub max_end_date: Option<NaiveDate>,
    /// Today's status, from the dates and `terminated_on`.
    pub status: ContractStatus,
    pub arrangement: Arrangement,
    pub framework_id: Option<String>,
    pub lot_number: Option<u32>,
    pub collaborative_partners: Vec<String>,
    pub procurement_id: Option<String>,
    pub contract_manager: Option<String>,
    pub kpis: Vec<ContractKpi>,
    pub savings: Money,
    pub terminated_on: Option<NaiveDate>,
    /// The CSV import that recorded it, if it came from one.
    pub import_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contracts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ContractRow {
    pub id: String,
    pub tenant_slug: String,
    pub reference: String,
    pub title: String,
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub supplier_locality: String,
    pub supplier_sme: bool,
    pub supplier_vcse: bool,
    pub category_slug: String,
    pub value_pence: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub extension_options: Option<String>,
    pub max_end_date: Option<NaiveDate>,
    pub arrangement: String,
    pub framework_id: Option<String>,
    pub lot_number: Option<i32>,
    pub collaborative_partners: String,
    pub procurement_id: Option<String>,
    pub contract_manager: Option<String>,
    pub kpis: String,
    pub savings_pence: i64,
    pub terminated_on: Option<NaiveDate>,
    pub import_id: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContractRow {
    /// The same contract terms as `other`, whoever recorded either and whenever.
    pub fn same_terms(&self, other: &ContractRow) -> bool {
        let identity = |row: &ContractRow| ContractRow {
            id: String::new(),
            import_id: None,
            version: 0,
            created_by: String::new(),
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
            ..row.clone()
        };
        identity(self) == identity(other)
    }

    pub fn arrangement(&self) -> ApiResult<Arrangement> {
        Arrangement::from_db(&self.arrangement)
    }

    pub fn partners(&self) -> ApiResult<Vec<String>> {
        serde_json::from_str(&self.collaborative_partners)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored partners of contract {}: {e}", self.id)))
    }

    pub fn kpis(&self) -> ApiResult<Vec<ContractKpi>> {
        serde_json::from_str(&self.kpis)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored KPIs of contract {}: {e}", self.id)))
    }

    /// The row in the shape a client sends, so that a PATCH is applied and validated exactly as
    /// a new contract would be.
    pub fn to_input(&self) -> ApiResult<NewContract> {
        Ok(NewContract {
            reference: self.reference.clone(),
            title: self.title.clone(),
            supplier_id: self.supplier_id.clone(),
            supplier_name: Some(self.supplier_name.clone()),
            supplier_locality: Some(SupplierLocality::from_db(&self.supplier_locality)?),
            sme: Some(self.supplier_sme),
            vcse: Some(self.supplier_vcse),
            category: self.category_slug.clone(),
            value: Money::from_pence(self.value_pence),
            start_date: self.start_date,
            end_date: self.end_date,
            extension_options: self.extension_options.clone(),
            max_end_date: self.max_end_date,
            arrangement: self.arrangement()?,
            framework_id: self.framework_id.clone(),
            lot_number: self.lot_number.map(|n| n as u32),
            collaborative_partners: self.partners()?,
            procurement_id: self.procurement_id.clone(),
            contract_manager: self.contract_manager.clone(),
            kpis: self.kpis()?,
            savings: Money::from_pence(self.savings_pence),
            terminated_on: self.terminated_on,
        })
    }

    pub fn into_api(self, today: NaiveDate) -> ApiResult<Contract> {
        Ok(Contract {
            status: ContractStatus::on(self.start_date, self.end_date, self.terminated_on, today),
            arrangement: self.arrangement()?,
            collaborative_partners: self.partners()?,
            kpis: self.kpis()?,
            supplier_locality: SupplierLocality::from_db(&self.supplier_locality)?,
            id: self.id,
            tenant: self.tenant_slug,
            reference: self.reference,
            title: self.title,
            supplier_id: self.supplier_id,
            supplier_name: self.supplier_name,
            sme: self.supplier_sme,
            vcse: self.supplier_vcse,
            category: self.category_slug,
            value: Money::from_pence(self.value_pence),
            start_date: self.start_date,
            end_date: self.end_date,
            extension_options: self.extension_options,
            max_end_date: self.max_end_date,
            framework_id: self.framework_id,
            lot_number: self.lot_number.map(|n| n as u32),
            procurement_id: self.procurement_id,
            contract_manager: self.contract_manager,
            savings: Money::from_pence(self.savings_pence),
            terminated_on: self.terminated_on,
            import_id: self.import_id,
            created_by: self.created_by,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

/// Filters for a tenant's contracts register.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    /// Words in the reference, title or supplier name (case-insensitive).
    pub q: Option<String>,
    /// Contracts whose end date is before this day.
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub expires_before: Option<NaiveDate>,
    /// A national supplier's id.
    pub supplier: Option<String>,
    /// A category's slug; contracts in it or any category below it.
    pub category: Option<String>,
    /// A framework's id: its call-offs.
    pub framework: Option<String>,
    pub arrangement: Option<Arrangement>,
    /// Status today.
    pub status: Option<ContractStatus>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Awarding a contract from an evaluated, compliant procurement: what the procurement does not
/// already say.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "quote": 0,
    "start_date": "2026-12-01",
    "end_date": "2027-11-30",
    "contract_manager": "A. Okafor"
}))]
pub struct AwardContract {
    /// Which of the procurement's quotes wins (its index, from 0). Defaults to the lowest quote.
    pub quote: Option<usize>,
    /// The supplier, for a procurement recorded without quotes (e.g. a direct award from a
    /// framework lot); as on a new contract.
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    /// The contract's reference; defaults to the procurement's.
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\u0085]")]
    pub reference: Option<String>,
    /// The contract's value; defaults to the winning quote's amount, or the procurement's value
    /// when it has no quotes.
    #[schema(value_type = Option<ContractMoney>)]
    pub value: Option<Money>,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub start_date: NaiveDate,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub end_date: NaiveDate,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub extension_options: Option<String>,
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub max_end_date: Option<NaiveDate>,
    /// Defaults to `national_framework` for a framework call-off, else `local`.
    pub arrangement: Option<Arrangement>,
    #[serde(default)]
    #[schema(value_type = Vec<PartnerName>, max_items = 50)]
    pub collaborative_partners: Vec<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub contract_manager: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub kpis: Vec<ContractKpi>,
    #[serde(default = "zero")]
    #[schema(value_type = ContractMoney)]
    pub savings: Money,
}
