//! Rule-plugin versions: what is stored per upload, and what the API returns.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bluelight_rules::{FixtureReport, RuleInfo};

use crate::clock;
use crate::db::schema::rule_plugins;
use crate::error::{ApiError, ApiResult};

/// A stored version, without its bytes (they are read only to compile it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rule_plugins)]
pub struct RulePluginRow {
    pub id: String,
    pub tenant_slug: String,
    pub version: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub name: String,
    pub plugin_version: String,
    pub interface_version: String,
    pub rules: String,
    pub fixtures_total: i32,
    pub fixtures_passed: i32,
    pub fixture_report: String,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = rule_plugins)]
pub struct NewRulePluginRow {
    pub id: String,
    pub tenant_slug: String,
    pub version: i64,
    pub sha256: String,
    pub wasm: Vec<u8>,
    pub size_bytes: i64,
    pub name: String,
    pub plugin_version: String,
    pub interface_version: String,
    pub rules: String,
    pub fixtures_total: i32,
    pub fixtures_passed: i32,
    pub fixture_report: String,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

/// One uploaded version of a tenant's rule plugin.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulePluginVersion {
    pub tenant: String,
    /// The tenant's own sequence: 1, 2, 3 ...
    #[schema(example = 3)]
    pub version: i64,
    /// SHA-256 of the component's bytes: the version's content address.
    pub sha256: String,
    pub size_bytes: i64,
    /// What the plugin says it is.
    #[schema(example = "bedfordshire-police-rules")]
    pub name: String,
    #[schema(example = "1.0.0")]
    pub plugin_version: String,
    /// The version of the plugin interface it implements: `1.0.0` or `2.0.0` (the `@` version of
    /// the `bluelight:rules` WIT package it imports).
    #[schema(example = "1.0.0")]
    pub interface_version: String,
    /// The rules it checks, each with the policy clause it comes from.
    pub rules: Vec<RuleInfo>,
    /// Its own fixtures, run when it was uploaded; a version activates only when all pass.
    pub fixtures: FixtureReport,
    /// Whether this is the version evaluations use now.
    pub active: bool,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

impl RulePluginRow {
    pub fn into_api(self, active: bool) -> ApiResult<RulePluginVersion> {
        let rules = serde_json::from_str(&self.rules)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored rules of plugin {}: {e}", self.id)))?;
        let fixtures = serde_json::from_str(&self.fixture_report)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored fixture report of plugin {}: {e}", self.id)))?;
        Ok(RulePluginVersion {
            tenant: self.tenant_slug,
            version: self.version,
            sha256: self.sha256,
            size_bytes: self.size_bytes,
            name: self.name,
            plugin_version: self.plugin_version,
            interface_version: self.interface_version,
            rules,
            fixtures,
            active,
            uploaded_by: self.uploaded_by,
            uploaded_at: clock::utc(self.uploaded_at),
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RulePluginFilter {
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Which procurement a backtest's decision would change, and how.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangedDecision {
    pub procurement_id: String,
    pub reference: String,
    /// The active version's outcome (null when the tenant has no active version).
    pub current_outcome: Option<bluelight_rules::Outcome>,
    pub candidate_outcome: bluelight_rules::Outcome,
    /// Findings (rule and severity) the candidate adds.
    pub findings_added: Vec<FindingKey>,
    /// Findings the candidate no longer makes.
    pub findings_removed: Vec<FindingKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct FindingKey {
    pub rule_id: String,
    pub severity: bluelight_rules::Severity,
}

/// A procurement one of the two versions could not decide.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BacktestFailure {
    pub procurement_id: String,
    /// `candidate` or `active`.
    pub version: String,
    pub code: String,
    pub message: String,
}

/// What activating a version would change, over every stored procurement of the tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Backtest {
    pub candidate_version: i64,
    pub active_version: Option<i64>,
    /// The day both versions decided for.
    pub evaluation_date: chrono::NaiveDate,
    pub procurements: usize,
    pub unchanged: usize,
    pub changed: Vec<ChangedDecision>,
    pub failures: Vec<BacktestFailure>,
    /// Wall-clock time of the whole backtest, both versions.
    pub duration_micros: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BacktestParams {
    /// The day to decide for (default today).
    pub evaluation_date: Option<chrono::NaiveDate>,
}

/// One tenant's part of a national backtest.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantBacktest {
    pub tenant: String,
    pub procurements: usize,
    pub unchanged: usize,
    pub changed: Vec<ChangedDecision>,
    pub failures: Vec<BacktestFailure>,
}

/// What putting a national version in force would change, over every tenant's procurements.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NationalBacktest {
    pub candidate_version: i64,
    pub active_version: Option<i64>,
    /// The day both versions decided for.
    pub evaluation_date: chrono::NaiveDate,
    /// Procurements compared, all tenants together.
    pub procurements: usize,
    /// Decisions that would change, all tenants together.
    pub changed: usize,
    /// Every tenant with stored procurements, by slug.
    pub tenants: Vec<TenantBacktest>,
    pub duration_micros: u64,
}
