//! What a tenant's plugin versions and the national layer's have in common: receiving an
//! upload, the stored row, the fixtures gate on activation, and comparing two versions over
//! stored procurements (backtests).

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::{HttpRequest, web};

use bluelight_rules::{Decision, FixtureReport, Plugin, PluginError};

use super::model::{BacktestFailure, ChangedDecision, FindingKey, NewRulePluginRow};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::http::file_body::{OCTET_STREAM, media_type_is};
use crate::state::AppState;

const WASM: &str = "application/wasm";

/// Reads an uploaded plugin (size-limited, as `application/wasm` or octet-stream), validates and
/// compiles it, and runs its fixtures, in the sandbox share of `share` (the tenant, or the
/// national layer). Call it only after authorising: a caller who may not upload learns nothing.
pub async fn receive(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    share: &str,
) -> ApiResult<(Arc<Plugin>, FixtureReport, Vec<u8>)> {
    if !media_type_is(req, &[WASM, OCTET_STREAM]) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "a rule plugin is uploaded as {OCTET_STREAM} or {WASM}"
        )));
    }
    let limit = state.rules.limits().max_plugin_bytes;
    let wasm = match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => bytes.to_vec(),
        Ok(Err(e)) => return Err(ApiError::BadRequest(format!("the body could not be read: {e}"))),
        Err(_) => {
            return Err(ApiError::PayloadTooLarge(format!(
                "a plugin may be at most {limit} bytes"
            )));
        }
    };
    state
        .sandboxed(share, move |engine| {
            let plugin = engine.load(&wasm)?;
            let report = plugin.run_fixtures();
            Ok((plugin, report, wasm))
        })
        .await
}

/// The row a received plugin is stored as: version `version` of `owner` (a tenant's slug, or
/// `national`).
pub fn version_row(
    plugin: &Plugin,
    report: &FixtureReport,
    wasm: Vec<u8>,
    owner: &str,
    version: i64,
    by: &str,
) -> ApiResult<NewRulePluginRow> {
    let info = plugin.info();
    Ok(NewRulePluginRow {
        id: clock::new_id(),
        tenant_slug: owner.to_owned(),
        version,
        sha256: plugin.sha256().to_owned(),
        size_bytes: wasm.len() as i64,
        wasm,
        name: info.name.clone(),
        plugin_version: info.version.clone(),
        interface_version: plugin.interface_version().to_owned(),
        rules: serde_json::to_string(&info.rules).map_err(|e| ApiError::Internal(e.into()))?,
        fixtures_total: report.total as i32,
        fixtures_passed: report.passed as i32,
        fixture_report: serde_json::to_string(report).map_err(|e| ApiError::Internal(e.into()))?,
        uploaded_by: by.to_owned(),
        uploaded_at: clock::now(),
    })
}

/// A version is activated only when it carries fixtures and every one passes.
pub fn require_fixtures_pass(version: i64, report: &FixtureReport) -> ApiResult<()> {
    if report.all_passed {
        return Ok(());
    }
    let first = report.results.iter().find(|r| !r.passed);
    Err(ApiError::conflict(
        "plugin_fixtures_failed",
        match first {
            None => {
                format!("version {version} carries no fixtures; a version is activated only when its own fixtures pass")
            }
            Some(failed) => format!(
                "{} of {} fixtures fail, e.g. '{}': {}",
                report.total - report.passed,
                report.total,
                failed.name,
                failed.failure.as_deref().unwrap_or("failed")
            ),
        },
    ))
}

pub struct Comparison {
    pub procurements: usize,
    pub unchanged: usize,
    pub changed: Vec<ChangedDecision>,
    pub failures: Vec<BacktestFailure>,
}

/// Both versions over every input, each in one batch (one sandbox per version).
pub fn compare(
    candidate: &Plugin,
    active: Option<&Plugin>,
    inputs: &[(String, bluelight_rules::Procurement)],
) -> Comparison {
    let mut candidate_batch = candidate.batch();
    let mut active_batch = active.map(Plugin::batch);
    let mut changed = Vec::new();
    let mut failures = Vec::new();
    let mut unchanged = 0;
    for (id, input) in inputs {
        let mut failed = |version: &str, error: PluginError| {
            failures.push(BacktestFailure {
                procurement_id: id.clone(),
                version: version.into(),
                code: error.code().into(),
                message: error.to_string(),
            })
        };
        let new = match candidate_batch.evaluate(input) {
            Ok(evaluation) => evaluation.decision,
            Err(error) => {
                failed("candidate", error);
                continue;
            }
        };
        let old = match active_batch.as_mut().map(|batch| batch.evaluate(input)) {
            None => None,
            Some(Ok(evaluation)) => Some(evaluation.decision),
            Some(Err(error)) => {
                failed("active", error);
                continue;
            }
        };
        match difference(id, &input.reference, old.as_ref(), &new) {
            Some(change) => changed.push(change),
            None => unchanged += 1,
        }
    }
    Comparison {
        procurements: inputs.len(),
        unchanged,
        changed,
        failures,
    }
}

fn keys(decision: &Decision) -> BTreeSet<FindingKey> {
    decision
        .findings
        .iter()
        .map(|f| FindingKey {
            rule_id: f.rule_id.clone(),
            severity: f.severity,
        })
        .collect()
}

fn difference(id: &str, reference: &str, old: Option<&Decision>, new: &Decision) -> Option<ChangedDecision> {
    let new_keys = keys(new);
    let old_keys = old.map(keys).unwrap_or_default();
    let same = old.is_some_and(|old| old.outcome == new.outcome && old.required_route == new.required_route)
        && old_keys == new_keys;
    (!same).then(|| ChangedDecision {
        procurement_id: id.to_owned(),
        reference: reference.to_owned(),
        current_outcome: old.map(|d| d.outcome),
        candidate_outcome: new.outcome,
        findings_added: new_keys.difference(&old_keys).cloned().collect(),
        findings_removed: old_keys.difference(&new_keys).cloned().collect(),
    })
}
