//! The decision log: every evaluation of a stored procurement, with who asked, when, the plugin
//! version and hash, the exact input the plugin saw, its decision and what it cost.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bluelight_rules::{Decision, Outcome, Procurement as PluginInput};

use crate::clock;
use crate::db::schema::rule_decisions;
use crate::error::{ApiError, ApiResult};
use crate::procurements::model::NewProcurement;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rule_decisions)]
pub struct DecisionRow {
    pub id: String,
    pub tenant_slug: String,
    pub procurement_id: String,
    pub plugin_id: String,
    pub plugin_version: i64,
    pub plugin_sha256: String,
    pub replay_of: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub input: String,
    pub decision: String,
    pub outcome: String,
    pub fuel_used: i64,
    pub duration_micros: i64,
    /// The procurement's version the decision judged (`None` before versions were kept).
    pub procurement_version: Option<i64>,
}

/// One recorded decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionRecord {
    pub id: String,
    pub tenant: String,
    pub procurement_id: String,
    /// The version of the procurement that was judged (its `ETag` then). An award relies only on
    /// a decision about the version that stands; `null` for decisions recorded before this was kept.
    pub procurement_version: Option<i64>,
    /// The tenant's plugin version that decided, and its content hash.
    pub plugin_version: i64,
    pub plugin_sha256: String,
    /// The token's `sub` of whoever asked.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// Exactly what the plugin was given.
    pub input: PluginInput,
    pub decision: Decision,
    /// Instructions the plugin used (wasmtime fuel units).
    pub fuel_used: i64,
    /// Time in the sandbox, including a fresh instance.
    pub duration_micros: i64,
}

impl DecisionRow {
    pub fn into_api(self) -> ApiResult<DecisionRecord> {
        let corrupt = |what: &str, e: serde_json::Error| {
            ApiError::Internal(anyhow::anyhow!("stored {what} of decision {}: {e}", self.id))
        };
        Ok(DecisionRecord {
            input: serde_json::from_str(&self.input).map_err(|e| corrupt("input", e))?,
            decision: serde_json::from_str(&self.decision).map_err(|e| corrupt("decision", e))?,
            id: self.id.clone(),
            tenant: self.tenant_slug,
            procurement_id: self.procurement_id,
            procurement_version: self.procurement_version,
            plugin_version: self.plugin_version,
            plugin_sha256: self.plugin_sha256,
            requested_by: self.requested_by,
            requested_at: clock::utc(self.requested_at),
            fuel_used: self.fuel_used,
            duration_micros: self.duration_micros,
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluateParams {
    /// Not documented: a recorded evaluation decides for today. Read only to refuse another day
    /// by name, for clients written when it could be chosen.
    #[param(ignore)]
    pub evaluation_date: Option<NaiveDate>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionFilter {
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReplayParams {
    /// The plugin version to replay against (default: the version that made the decision).
    pub plugin_version: Option<i64>,
}

/// A recorded decision's exact input run again through a plugin version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Replay {
    pub decision_id: String,
    pub recorded_plugin_version: i64,
    pub plugin_version: i64,
    pub plugin_sha256: String,
    pub decision: Decision,
    /// Whether the replayed decision is identical to the recorded one (it always is for the same
    /// version: plugins have no clock, randomness or other input).
    pub same_as_recorded: bool,
    pub fuel_used: i64,
    pub duration_micros: i64,
}

/// A procurement a buyer is planning, to check before recording it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEvaluation {
    pub procurement: NewProcurement,
    /// A version to try instead of the active one (e.g. one not yet activated).
    pub plugin_version: Option<i64>,
    /// The day to decide for (default today).
    pub evaluation_date: Option<NaiveDate>,
}

/// The decision on a draft; nothing is stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DraftDecision {
    pub plugin_version: i64,
    pub plugin_sha256: String,
    /// Whether that version is the tenant's active one.
    pub active: bool,
    pub input: PluginInput,
    pub decision: Decision,
    pub outcome: Outcome,
    pub fuel_used: i64,
    pub duration_micros: i64,
}
