//! The decision log: every evaluation of a stored procurement, with who asked, when, each layer's
//! plugin version and hash (the tenant's and the national one), the exact input, each layer's
//! decision and what it cost.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bluelight_rules::{Decision, Outcome, Procurement as PluginInput, Route, Severity};

use super::layers::combine;
use crate::clock;
use crate::db::schema::rule_decisions;
use crate::error::{ApiError, ApiResult};
use crate::national_rules::NATIONAL;
use crate::procurements::model::NewProcurement;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rule_decisions)]
pub struct DecisionRow {
    pub id: String,
    pub tenant_slug: String,
    pub procurement_id: String,
    /// The tenant's plugin version that decided (`None` for a tenant with none of its own).
    pub plugin_id: Option<String>,
    pub plugin_version: Option<i64>,
    pub plugin_sha256: Option<String>,
    pub replay_of: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub input: String,
    /// The tenant layer's decision, as its plugin returned it.
    pub decision: Option<String>,
    /// Both layers together.
    pub outcome: String,
    pub fuel_used: i64,
    pub duration_micros: i64,
    /// The procurement's version the decision judged (`None` before versions were kept).
    pub procurement_version: Option<i64>,
    /// The national layer's version that decided (`None` before the layer existed).
    pub national_plugin_id: Option<String>,
    pub national_plugin_version: Option<i64>,
    pub national_plugin_sha256: Option<String>,
    pub national_decision: Option<String>,
}

/// A finding, with the layer that made it: `national`, or the tenant's slug for its own rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SourcedFinding {
    /// `national` for the national rules layer, or the tenant's slug for its own rules.
    #[schema(example = "national")]
    pub source: String,
    /// The version of that layer's plugin, and its content hash.
    pub plugin_version: i64,
    pub plugin_sha256: String,
    #[schema(example = "PA23-PROCEDURE")]
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    /// The clause of the force's policy, or the section of the Act, the rule enforces.
    pub policy_clause: String,
    pub required_action: String,
}

/// Both layers' decisions as one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CombinedDecision {
    /// `non_compliant` when either layer found a violation.
    pub outcome: Outcome,
    /// The route the tenant's rules require, where they decide one.
    pub required_route: Option<Route>,
    /// The tenant's findings, then the national layer's.
    pub findings: Vec<SourcedFinding>,
}

/// One layer's own decision, as its plugin returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LayerDecision {
    /// `national`, or the tenant's slug.
    pub source: String,
    pub plugin_version: i64,
    pub plugin_sha256: String,
    pub decision: Decision,
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
    /// `non_compliant` when either layer found a violation.
    pub outcome: Outcome,
    /// The tenant's plugin version that decided, and its content hash (`null` for a tenant with
    /// no plugin of its own, decided by the national layer alone).
    pub plugin_version: Option<i64>,
    pub plugin_sha256: Option<String>,
    /// The national layer's version that decided, and its hash (`null` for decisions recorded
    /// before the national layer was in force).
    pub national_plugin_version: Option<i64>,
    pub national_plugin_sha256: Option<String>,
    /// The token's `sub` of whoever asked.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// Exactly what the plugins were given (a version 1 plugin sees the fields version 1 has).
    pub input: PluginInput,
    /// Both layers together, each finding marked with its source.
    pub decision: CombinedDecision,
    /// Each layer's own decision: the tenant's, then the national layer's.
    pub layers: Vec<LayerDecision>,
    /// Instructions the plugins used together (wasmtime fuel units).
    pub fuel_used: i64,
    /// Time in the sandboxes, including fresh instances.
    pub duration_micros: i64,
}

impl DecisionRow {
    /// The layers as recorded: the tenant's, then the national one.
    pub fn layers(&self) -> ApiResult<Vec<LayerDecision>> {
        let corrupt = |what: &str, e: serde_json::Error| {
            ApiError::Internal(anyhow::anyhow!("stored {what} of decision {}: {e}", self.id))
        };
        let mut layers = Vec::new();
        if let (Some(version), Some(sha256), Some(decision)) =
            (self.plugin_version, &self.plugin_sha256, &self.decision)
        {
            layers.push(LayerDecision {
                source: self.tenant_slug.clone(),
                plugin_version: version,
                plugin_sha256: sha256.clone(),
                decision: serde_json::from_str(decision).map_err(|e| corrupt("decision", e))?,
            });
        }
        if let (Some(version), Some(sha256), Some(decision)) = (
            self.national_plugin_version,
            &self.national_plugin_sha256,
            &self.national_decision,
        ) {
            layers.push(LayerDecision {
                source: NATIONAL.to_owned(),
                plugin_version: version,
                plugin_sha256: sha256.clone(),
                decision: serde_json::from_str(decision).map_err(|e| corrupt("national decision", e))?,
            });
        }
        Ok(layers)
    }

    pub fn recorded_input(&self) -> ApiResult<PluginInput> {
        serde_json::from_str(&self.input)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored input of decision {}: {e}", self.id)))
    }

    pub fn into_api(self) -> ApiResult<DecisionRecord> {
        let layers = self.layers()?;
        Ok(DecisionRecord {
            input: self.recorded_input()?,
            outcome: Outcome::parse(&self.outcome).ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "stored outcome of decision {}: {}",
                    self.id,
                    self.outcome
                ))
            })?,
            decision: combine(&layers),
            layers,
            id: self.id,
            tenant: self.tenant_slug,
            procurement_id: self.procurement_id,
            procurement_version: self.procurement_version,
            plugin_version: self.plugin_version,
            plugin_sha256: self.plugin_sha256,
            national_plugin_version: self.national_plugin_version,
            national_plugin_sha256: self.national_plugin_sha256,
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
    /// The tenant's plugin version to replay against (default: the version that made the
    /// decision).
    pub plugin_version: Option<i64>,
    /// The national layer's version to replay against (default: the version that made the
    /// decision; a decision recorded before the layer existed replays it only when named).
    pub national_plugin_version: Option<i64>,
}

/// One layer of a replay.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayedLayer {
    /// `national`, or the tenant's slug.
    pub source: String,
    /// The version that made the recorded decision (`null` when this layer did not decide then).
    pub recorded_plugin_version: Option<i64>,
    pub plugin_version: i64,
    pub plugin_sha256: String,
    pub decision: Decision,
    /// Whether this layer's decision is identical to the one it recorded.
    pub same_as_recorded: bool,
}

/// A recorded decision's exact input run again through each layer's plugin.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Replay {
    pub decision_id: String,
    /// Whether every layer's decision is identical to the recorded one, and no layer was added
    /// or left out (always true for the same versions: plugins have no clock, randomness or
    /// other input).
    pub same_as_recorded: bool,
    pub outcome: Outcome,
    /// The layers together, each finding marked with its source.
    pub decision: CombinedDecision,
    /// The tenant's layer, then the national one.
    pub layers: Vec<ReplayedLayer>,
    pub fuel_used: i64,
    pub duration_micros: i64,
}

/// A procurement a buyer is planning, to check before recording it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEvaluation {
    pub procurement: NewProcurement,
    /// A version of the tenant's plugin to try instead of the active one (e.g. one not yet
    /// activated).
    pub plugin_version: Option<i64>,
    /// A version of the national layer to try instead of the one in force.
    pub national_plugin_version: Option<i64>,
    /// The day to decide for (default today).
    pub evaluation_date: Option<NaiveDate>,
}

/// The decision on a draft; nothing is stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DraftDecision {
    /// The tenant's plugin version that decided (`null` when it has none).
    pub plugin_version: Option<i64>,
    pub plugin_sha256: Option<String>,
    /// Whether the tenant's version used is its active one (`false` when it has none).
    pub active: bool,
    /// The national layer's version that decided (`null` when none is in force).
    pub national_plugin_version: Option<i64>,
    pub national_plugin_sha256: Option<String>,
    pub input: PluginInput,
    pub outcome: Outcome,
    /// The layers together, each finding marked with its source.
    pub decision: CombinedDecision,
    pub layers: Vec<LayerDecision>,
    pub fuel_used: i64,
    pub duration_micros: i64,
}
