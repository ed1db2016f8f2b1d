//! `/api/v1/tenants/{slug}/rule-plugins`

use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;

use bluelight_rules::RuleEngine;

use super::model::{Backtest, BacktestParams, RulePluginFilter, RulePluginVersion};
use super::{compiled, lifecycle, store};
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::file_body::FileBody;
use crate::http::{Page, Paged, QueryParams};
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::state::AppState;

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
    let (plugin, report, wasm) = lifecycle::receive(&state, &req, payload, &slug).await?;
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
            let version = store::next_version(conn, &scope)?;
            let row = lifecycle::version_row(&plugin, &report, wasm, scope.slug(), version, &principal.subject)?;
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
    lifecycle::require_fixtures_pass(version, &report)?;
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
            Ok(lifecycle::compare(&candidate, active.as_deref(), &inputs))
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
