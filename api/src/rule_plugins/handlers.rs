//! `/api/v1/tenants/{slug}/rule-plugins`

use std::collections::BTreeSet;
use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;

use bluelight_rules::{Decision, Plugin, PluginError, RuleEngine};

use super::model::{
    Backtest, BacktestFailure, BacktestParams, ChangedDecision, FindingKey, NewRulePluginRow, RulePluginFilter,
    RulePluginVersion,
};
use super::{compiled, store};
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::clock;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::file_body::{FileBody, OCTET_STREAM, media_type_is};
use crate::http::{Page, Paged, QueryParams};
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::state::AppState;

const WASM: &str = "application/wasm";

/// Upload a rule plugin version
///
/// The body is the plugin: a WebAssembly component of the `bluelight:rules@1.0.0` world, packaged
/// with its fixtures (`bluelight rules package`). It is validated (a component of our world,
/// importing nothing), described, its fixtures are run, and it is stored content-addressed as the
/// tenant's next version. It is not active until activated. Uploading bytes the tenant already
/// has returns that version (200) rather than a new one. For the tenant's `tenant_admin` or a
/// `national_admin`.
#[utoipa::path(
    tag = "Rule plugins",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police")),
    request_body(content = inline(FileBody), content_type = "application/octet-stream", description = "The packaged component (sent as `application/octet-stream` or `application/wasm`)"),
    responses(
        (status = 201, description = "Stored as a new version", body = RulePluginVersion, headers(("Location" = String))),
        (status = 200, description = "The tenant already has these exact bytes; that version", body = RulePluginVersion, headers(("Location" = String))),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not this tenant's admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the plugin size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/octet-stream nor application/wasm", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an acceptable plugin: `plugin_not_a_component`, `plugin_wrong_interface`, `plugin_forbidden_import`, `plugin_tenant_mismatch`, `plugin_invalid_fixtures`, `plugin_over_sandbox_limits`, `plugin_compile_deadline_exceeded` (it did not compile in time), or a failure while describing itself (`plugin_fuel_exhausted`, `plugin_trapped` ...)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/rule-plugins")]
pub async fn upload_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let slug = slug.into_inner();
    let (scope, _) = {
        let (principal, slug) = (principal.clone(), slug.clone());
        state
            .db(move |conn| TenantScope::authorize(conn, &principal, &slug, TenantAccess::Administer))
            .await?
    };
    // After authorising: a caller who may not upload learns nothing about what it sent.
    if !media_type_is(&req, &[WASM, OCTET_STREAM]) {
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

    let (plugin, report, wasm) = state
        .sandboxed(&slug, move |engine| {
            let plugin = engine.load(&wasm)?;
            let report = plugin.run_fixtures();
            Ok((plugin, report, wasm))
        })
        .await?;
    if plugin.info().tenant != slug {
        return Err(ApiError::Unprocessable {
            code: "plugin_tenant_mismatch",
            message: format!(
                "the plugin says it encodes the rules of '{}', not '{slug}'",
                plugin.info().tenant
            ),
        });
    }

    let kept = plugin.clone();
    let (row, created, active) = state
        .write(move |conn| {
            if let Some(existing) = store::find_by_hash(conn, &scope, plugin.sha256())? {
                let active = store::active(conn, &scope)?.is_some_and(|a| a.id == existing.id);
                return Ok((existing, false, active));
            }
            let info = plugin.info();
            let row = NewRulePluginRow {
                id: clock::new_id(),
                tenant_slug: scope.slug().to_owned(),
                version: store::next_version(conn, &scope)?,
                sha256: plugin.sha256().to_owned(),
                size_bytes: wasm.len() as i64,
                wasm,
                name: info.name.clone(),
                plugin_version: info.version.clone(),
                interface_version: plugin.interface_version().to_owned(),
                rules: serde_json::to_string(&info.rules).map_err(|e| ApiError::Internal(e.into()))?,
                fixtures_total: report.total as i32,
                fixtures_passed: report.passed as i32,
                fixture_report: serde_json::to_string(&report).map_err(|e| ApiError::Internal(e.into()))?,
                uploaded_by: principal.subject.clone(),
                uploaded_at: clock::now(),
            };
            store::insert(conn, &row)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "rule_plugin.uploaded",
                "rule_plugin",
                &row.id,
                json!({"version": row.version, "sha256": row.sha256, "name": row.name,
                       "plugin_version": row.plugin_version, "fixtures_passed": report.all_passed}),
            )?;
            let stored = store::get(conn, &scope, row.version)?;
            Ok((stored, true, false))
        })
        .await?;
    // Stored now, so worth keeping compiled; a refused upload never reaches here.
    state.rules.keep(&kept);
    let location = format!("/api/v1/tenants/{}/rule-plugins/{}", row.tenant_slug, row.version);
    let body = row.into_api(active)?;
    Ok(if created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(body)
    } else {
        HttpResponse::Ok()
            .insert_header((header::LOCATION, location))
            .json(body)
    })
}

/// List a tenant's rule plugin versions
#[utoipa::path(
    tag = "Rule plugins",
    params(("slug" = String, Path, description = "The tenant's slug"), RulePluginFilter),
    responses(
        (status = 200, description = "A page of versions, oldest first", body = Paged<RulePluginVersion>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/rule-plugins")]
pub async fn list_rule_plugins(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    filter: QueryParams<RulePluginFilter>,
) -> ApiResult<web::Json<Paged<RulePluginVersion>>> {
    let slug = slug.into_inner();
    let (rows, active, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            let active = store::active(conn, &scope)?.map(|row| row.id);
            Ok((store::list(conn, &scope, &page)?, active, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| {
        let is_active = active.as_deref() == Some(row.id.as_str());
        row.into_api(is_active)
    })?))
}

/// Get a rule plugin version
#[utoipa::path(
    tag = "Rule plugins",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("version" = i64, Path, description = "The version number"),
    ),
    responses((status = 200, description = "The version", body = RulePluginVersion), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/rule-plugins/{version}")]
pub async fn get_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<RulePluginVersion>> {
    let (slug, version) = path.into_inner();
    let (row, active) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let row = store::get(conn, &scope, version)?;
            let active = store::active(conn, &scope)?.is_some_and(|a| a.id == row.id);
            Ok((row, active))
        })
        .await?;
    Ok(web::Json(row.into_api(active)?))
}

/// Activate a rule plugin version
///
/// Runs the version's fixtures again and, only if every one passes, makes it the version
/// evaluations use. Rolling back is activating an earlier version. For the tenant's
/// `tenant_admin` or a `national_admin`.
#[utoipa::path(
    tag = "Rule plugins",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("version" = i64, Path, description = "The version to activate"),
    ),
    responses(
        (status = 200, description = "Now active", body = RulePluginVersion),
        (status = 409, description = "`plugin_fixtures_failed`: a fixture fails, or the plugin has none", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/rule-plugins/{version}/activate")]
pub async fn activate_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<RulePluginVersion>> {
    let (slug, version) = path.into_inner();
    let (scope, row) = {
        let principal = principal.clone();
        state
            .db(move |conn| {
                let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Administer)?;
                let row = store::get(conn, &scope, version)?;
                Ok((scope, row))
            })
            .await?
    };
    let plugin = compiled(&state, &scope, &row).await?;
    let report = state
        .sandboxed(scope.slug(), move |_| Ok(plugin.run_fixtures()))
        .await?;
    if !report.all_passed {
        let first = report.results.iter().find(|r| !r.passed);
        return Err(ApiError::conflict(
            "plugin_fixtures_failed",
            match first {
                None => format!(
                    "version {version} carries no fixtures; a version is activated only when its own fixtures pass"
                ),
                Some(failed) => format!(
                    "{} of {} fixtures fail, e.g. '{}': {}",
                    report.total - report.passed,
                    report.total,
                    failed.name,
                    failed.failure.as_deref().unwrap_or("failed")
                ),
            },
        ));
    }
    let row = state
        .write(move |conn| {
            let previous = store::active(conn, &scope)?.map(|r| r.version);
            store::activate(conn, &scope, &row.id, &principal.subject)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "rule_plugin.activated",
                "rule_plugin",
                &row.id,
                json!({"version": row.version, "sha256": row.sha256, "previous_version": previous}),
            )?;
            Ok(row)
        })
        .await?;
    Ok(web::Json(row.into_api(true)?))
}

/// Backtest a rule plugin version
///
/// Runs the candidate version and the active one over every stored procurement of the tenant,
/// for the same day, and reports the decisions that would change: which procurement, the old
/// and new outcome, and which findings differ. Nothing is stored or activated. For the tenant's
/// `tenant_admin` or a `national_admin`.
#[utoipa::path(
    tag = "Rule plugins",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("version" = i64, Path, description = "The candidate version"),
        BacktestParams,
    ),
    responses((status = 200, description = "What would change", body = Backtest), ReadErrors),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/rule-plugins/{version}/backtest")]
pub async fn backtest_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, i64)>,
    params: QueryParams<BacktestParams>,
) -> ApiResult<web::Json<Backtest>> {
    let (slug, version) = path.into_inner();
    let started = Instant::now();
    let today = state.clock.today();
    let (scope, candidate_row, active_row, inputs, date) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Administer)?;
            let candidate = store::get(conn, &scope, version)?;
            let date = params.parse()?.evaluation_date.unwrap_or(today);
            let active = store::active(conn, &scope)?;
            let categories = categories::tree(conn)?;
            let mut inputs = Vec::new();
            for row in procurements::all(conn, &scope)? {
                let input = plugin_input(conn, &tenant, &categories, &row, date)?;
                inputs.push((row.id, input));
            }
            Ok((scope, candidate, active, inputs, date))
        })
        .await?;
    let candidate = compiled(&state, &scope, &candidate_row).await?;
    let active = match &active_row {
        Some(row) => Some(compiled(&state, &scope, row).await?),
        None => None,
    };
    let outcome = state
        .sandboxed(scope.slug(), move |_: &RuleEngine| {
            Ok(compare(&candidate, active.as_deref(), &inputs))
        })
        .await?;
    Ok(web::Json(Backtest {
        candidate_version: candidate_row.version,
        active_version: active_row.map(|r| r.version),
        evaluation_date: date,
        procurements: outcome.procurements,
        unchanged: outcome.unchanged,
        changed: outcome.changed,
        failures: outcome.failures,
        duration_micros: started.elapsed().as_micros() as u64,
    }))
}

struct Comparison {
    procurements: usize,
    unchanged: usize,
    changed: Vec<ChangedDecision>,
    failures: Vec<BacktestFailure>,
}

/// Both versions over every input, each in one batch (one sandbox per version).
fn compare(
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
