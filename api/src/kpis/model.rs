//! The figures forces report, each with its definition and the numbers it was computed from, so
//! a force can reproduce it from its own spend lines and register.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::money::Money;

/// The period of a KPI report: both days included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day (default: 1 April of the last complete financial year).
    #[param(example = "2025-04-01")]
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub from: Option<NaiveDate>,
    /// Last day (default: 31 March ending the last complete financial year).
    #[param(example = "2026-03-31")]
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub to: Option<NaiveDate>,
}

/// A share of the period's spend.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SpendShare {
    /// Stable key, e.g. `spend_under_contract`.
    pub key: String,
    pub name: String,
    /// Exactly what is counted, in words.
    pub definition: String,
    /// `amount` as a percentage of `of_total`, to 2 decimal places; null when there is no spend.
    #[schema(value_type = Option<String>, example = "91.72")]
    pub percentage: Option<Decimal>,
    /// The spend counted (net of credit notes).
    pub amount: Money,
    /// The period's total spend (net of credit notes).
    pub of_total: Money,
    /// How many spend lines were counted.
    pub lines: i64,
}

/// Savings recorded against contracts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Savings {
    pub definition: String,
    pub amount: Money,
    /// Contracts whose savings are counted.
    pub contracts: i64,
}

/// A share of the contracts let in the period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContractShare {
    pub key: String,
    pub name: String,
    pub definition: String,
    #[schema(value_type = Option<String>, example = "64.29")]
    pub percentage: Option<Decimal>,
    pub contracts: i64,
    pub of_contracts: i64,
}

/// A tenant's KPIs over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KpiReport {
    pub tenant: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// All spend paid in the period, net of credit notes.
    pub total_spend: Money,
    pub spend_lines: i64,
    /// Contracts in the register live at any time in the period.
    pub contracts_live: i64,
    pub spend_shares: Vec<SpendShare>,
    pub contract_shares: Vec<ContractShare>,
    pub savings: Savings,
}

/// Percent of `part` in `whole`, to 2 places; None when `whole` is zero.
pub fn percentage(part: i64, whole: i64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let mut value = (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole)).round_dp(2);
    value.rescale(2);
    Some(value)
}
