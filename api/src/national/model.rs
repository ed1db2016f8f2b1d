//! What the national view returns.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::contracts::model::{Arrangement, ContractStatus};
use crate::money::Money;

/// A period and how many rows of a ranked report to return.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankedParams {
    /// First day (default: 1 April of the last complete financial year).
    #[param(example = "2025-04-01")]
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub from: Option<NaiveDate>,
    /// Last day (default: 31 March ending the last complete financial year).
    #[param(example = "2026-03-31")]
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub to: Option<NaiveDate>,
    /// How many of the top rows, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// National buying power with one supplier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupplierExposure {
    /// The national supplier, or null for a supplier known only by the name tenants gave it.
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub strategic: bool,
    /// Spend with it in the period, all tenants together.
    pub spend: Money,
    /// Tenants that spent with it or hold a contract with it live in the period.
    pub tenants: Vec<String>,
    /// Contracts with it live in the period, and their total value.
    pub contracts: i64,
    pub contract_value: Money,
}

/// National buying power in one category.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CategoryExposure {
    /// The category's slug, or null for spend recorded without a category.
    pub category: Option<String>,
    pub spend: Money,
    /// Of `spend`, what went through national framework call-offs.
    pub spend_through_frameworks: Money,
    pub tenants: Vec<String>,
    pub contracts: i64,
    pub contract_value: Money,
}

/// One tenant's contract, as the national view lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContractSummary {
    pub tenant: String,
    pub contract_id: String,
    pub reference: String,
    pub title: String,
    pub supplier_name: String,
    pub category: String,
    pub value: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
    pub arrangement: Arrangement,
}

/// One tenant's dependence on a strategic supplier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dependant {
    pub tenant: String,
    /// Spend with the supplier in the period.
    pub spend: Money,
    /// Its contracts with the supplier live in the period, soonest ending first.
    pub contracts: Vec<ContractSummary>,
}

/// Which forces depend on a strategic supplier, through which contracts, how much, until when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StrategicDependency {
    pub supplier_id: String,
    pub supplier_name: String,
    /// The national team's current risk rating, if rated.
    pub risk_rating: Option<String>,
    pub spend: Money,
    pub contract_value: Money,
    /// The soonest end date among the live contracts: when dependence must next be re-let.
    pub next_contract_end: Option<NaiveDate>,
    pub dependants: Vec<Dependant>,
}

/// The window of the expiry radar.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RadarParams {
    /// Contracts ending on or after this day (default: today).
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub from: Option<NaiveDate>,
    /// Contracts ending on or before this day (default: 18 months after `from`).
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub to: Option<NaiveDate>,
    /// Only categories where at least this many tenants have a contract ending (default 2).
    #[param(minimum = 1, maximum = 1000)]
    pub min_tenants: Option<usize>,
}

/// Contracts of several tenants in one category ending in the window: the signal for one
/// aggregated national procurement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExpiryCluster {
    pub category: String,
    pub tenants: Vec<String>,
    pub total_value: Money,
    pub earliest_end: NaiveDate,
    pub latest_end: NaiveDate,
    /// Soonest ending first.
    pub contracts: Vec<ContractSummary>,
}

/// Who calls off one lot, and what goes through it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LotUptake {
    pub lot_number: i32,
    pub title: String,
    pub tenants: Vec<String>,
    /// Call-off contracts live in the period.
    pub contracts: i64,
    pub contract_value: Money,
    /// Spend in the period under those call-offs.
    pub spend: Money,
}

/// Uptake of one national framework.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FrameworkUptake {
    pub framework_id: String,
    pub reference: String,
    pub title: String,
    pub tenants: Vec<String>,
    pub contracts: i64,
    pub contract_value: Money,
    pub spend: Money,
    pub lots: Vec<LotUptake>,
}

/// A national report over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NationalReport<T> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<T>,
}
