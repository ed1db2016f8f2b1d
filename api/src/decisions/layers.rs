//! The two layers that decide a procurement: the national rules in force (the Procurement Act
//! 2023) and the tenant's own active plugin. Each runs in its own fresh sandbox on the same
//! input; the outcome is `non_compliant` when either finds a violation, and every finding keeps
//! the layer, plugin version and hash that made it. A tenant with no plugin of its own (a fire
//! service that has just joined) is decided by the national layer alone.

use std::sync::Arc;
use std::time::Duration;

use bluelight_rules::{Decision, Evaluation, Outcome, Plugin, PluginError, Procurement};

use super::model::{CombinedDecision, LayerDecision, SourcedFinding};
use crate::auth::TenantScope;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::metrics::metrics;
use crate::national_rules::{self, NATIONAL, store as national};
use crate::rule_plugins::model::RulePluginRow;
use crate::rule_plugins::{self, store as tenant_plugins};
use crate::state::AppState;

/// The plugin versions that decide: either may be absent, not both.
#[derive(Debug, Clone)]
pub struct LayerRows {
    pub national: Option<RulePluginRow>,
    pub tenant: Option<RulePluginRow>,
}

impl LayerRows {
    /// The national version in force and the tenant's active one.
    pub fn in_force(conn: &mut DbConnection, scope: &TenantScope) -> ApiResult<LayerRows> {
        LayerRows {
            national: national::active(conn)?,
            tenant: tenant_plugins::active(conn, scope)?,
        }
        .require_one(scope)
    }

    /// 409 when there is nothing to decide with.
    pub fn require_one(self, scope: &TenantScope) -> ApiResult<LayerRows> {
        if self.national.is_none() && self.tenant.is_none() {
            return Err(ApiError::conflict(
                "no_active_rule_plugin",
                format!(
                    "neither the national rules layer nor '{}' has an active rule plugin, so there are no rules \
                     to check this against: a national_admin activates the national layer \
                     (POST /api/v1/national/rule-plugins/{{version}}/activate), or the tenant's tenant_admin \
                     uploads and activates its own (POST /api/v1/tenants/{0}/rule-plugins)",
                    scope.slug()
                ),
            ));
        }
        Ok(self)
    }
}

/// One layer's compiled plugin, with the stored version it is.
#[derive(Clone)]
pub struct Layer {
    pub row: RulePluginRow,
    pub plugin: Arc<Plugin>,
}

#[derive(Clone)]
pub struct Layers {
    pub national: Option<Layer>,
    pub tenant: Option<Layer>,
    /// Whose procurement is decided (the metrics' tenant label).
    pub tenant_slug: String,
}

impl Layers {
    /// Compiles (or takes from the cache) each layer's plugin.
    pub async fn compile(state: &AppState, scope: &TenantScope, rows: LayerRows) -> ApiResult<Layers> {
        let national = match rows.national {
            Some(row) => Some(Layer {
                plugin: national_rules::compiled(state, &row).await?,
                row,
            }),
            None => None,
        };
        let tenant = match rows.tenant {
            Some(row) => Some(Layer {
                plugin: rule_plugins::compiled(state, scope, &row).await?,
                row,
            }),
            None => None,
        };
        Ok(Layers {
            national,
            tenant,
            tenant_slug: scope.slug().to_owned(),
        })
    }

    /// Runs each layer on the input in a fresh sandbox of its own: nothing passes between them.
    /// A failing plugin fails the evaluation, with the layer it was in named.
    pub fn evaluate(&self, input: &Procurement) -> ApiResult<Evaluated> {
        let run = |layer: &Option<Layer>, label: &str, name: &str| -> ApiResult<Option<LayerEvaluation>> {
            let Some(layer) = layer else { return Ok(None) };
            let evaluated = layer.plugin.evaluate(input);
            self.count(label, &evaluated);
            match evaluated {
                Ok(evaluation) => Ok(Some(LayerEvaluation {
                    row: layer.row.clone(),
                    evaluation,
                })),
                Err(error) => Err(layer_failed(name, error)),
            }
        };
        Ok(Evaluated {
            national: run(&self.national, NATIONAL, "the national rules layer's plugin")?,
            tenant: run(&self.tenant, "tenant", "the tenant's rule plugin")?,
        })
    }

    /// One layer's evaluation in the metrics: its outcome (or `failed`), fuel and duration; a
    /// refusal for want of a sandbox counts as refused, not as an evaluation.
    fn count(&self, layer: &str, evaluated: &Result<Evaluation, PluginError>) {
        let metrics = metrics();
        let outcome = match evaluated {
            Ok(evaluation) => {
                metrics
                    .evaluation_fuel
                    .with_label_values(&[layer])
                    .observe(evaluation.fuel_used as f64);
                metrics
                    .evaluation_duration
                    .with_label_values(&[layer])
                    .observe(evaluation.duration.as_secs_f64());
                evaluation.decision.outcome.as_str()
            }
            Err(PluginError::Busy) => {
                metrics
                    .sandboxes_refused
                    .with_label_values(&[&self.tenant_slug, "engine"])
                    .inc();
                return;
            }
            Err(_) => "failed",
        };
        metrics
            .evaluations
            .with_label_values(&[&self.tenant_slug, layer, outcome])
            .inc();
    }
}

/// A plugin's failure, saying which layer's plugin it was.
fn layer_failed(layer: &str, error: PluginError) -> ApiError {
    match ApiError::from(error) {
        ApiError::Unprocessable { code, message } => ApiError::Unprocessable {
            code,
            message: format!("{layer} failed: {message}"),
        },
        other => other,
    }
}

/// One layer's decision and what it cost.
#[derive(Debug, Clone)]
pub struct LayerEvaluation {
    pub row: RulePluginRow,
    pub evaluation: Evaluation,
}

/// Both layers' evaluations of one input.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub national: Option<LayerEvaluation>,
    pub tenant: Option<LayerEvaluation>,
}

impl Evaluated {
    pub fn outcome(&self) -> Outcome {
        combined_outcome(
            self.national.as_ref().map(|l| &l.evaluation.decision),
            self.tenant.as_ref().map(|l| &l.evaluation.decision),
        )
    }

    pub fn fuel_used(&self) -> u64 {
        self.layers().map(|l| l.evaluation.fuel_used).sum()
    }

    pub fn duration(&self) -> Duration {
        self.layers().map(|l| l.evaluation.duration).sum()
    }

    fn layers(&self) -> impl Iterator<Item = &LayerEvaluation> {
        self.tenant.iter().chain(self.national.iter())
    }

    /// Each layer's own decision, the tenant's first.
    pub fn layer_decisions(&self, tenant: &str) -> Vec<LayerDecision> {
        let mut layers = Vec::new();
        if let Some(l) = &self.tenant {
            layers.push(layer_decision(tenant, &l.row, &l.evaluation.decision));
        }
        if let Some(l) = &self.national {
            layers.push(layer_decision(NATIONAL, &l.row, &l.evaluation.decision));
        }
        layers
    }

    pub fn combined(&self, tenant: &str) -> CombinedDecision {
        combine(&self.layer_decisions(tenant))
    }
}

fn layer_decision(source: &str, row: &RulePluginRow, decision: &Decision) -> LayerDecision {
    LayerDecision {
        source: source.to_owned(),
        plugin_version: row.version,
        plugin_sha256: row.sha256.clone(),
        decision: decision.clone(),
    }
}

/// `non_compliant` when either layer found a violation.
pub fn combined_outcome(national: Option<&Decision>, tenant: Option<&Decision>) -> Outcome {
    if national
        .into_iter()
        .chain(tenant)
        .any(|d| d.outcome == Outcome::NonCompliant)
    {
        Outcome::NonCompliant
    } else {
        Outcome::Compliant
    }
}

/// The layers' decisions as one: the tenant's findings then the national layer's, each marked
/// with its source; the route the tenant's rules require (the Act names no force route).
pub fn combine(layers: &[LayerDecision]) -> CombinedDecision {
    let outcome = if layers.iter().any(|l| l.decision.outcome == Outcome::NonCompliant) {
        Outcome::NonCompliant
    } else {
        Outcome::Compliant
    };
    CombinedDecision {
        outcome,
        required_route: layers
            .iter()
            .find(|l| l.source != NATIONAL)
            .and_then(|l| l.decision.required_route),
        findings: layers
            .iter()
            .flat_map(|l| {
                l.decision.findings.iter().map(|f| SourcedFinding {
                    source: l.source.clone(),
                    plugin_version: l.plugin_version,
                    plugin_sha256: l.plugin_sha256.clone(),
                    rule_id: f.rule_id.clone(),
                    severity: f.severity,
                    message: f.message.clone(),
                    policy_clause: f.policy_clause.clone(),
                    required_action: f.required_action.clone(),
                })
            })
            .collect(),
    }
}
