//! `/api/v1/national/rule-plugins`: the national rules layer's versions. Read by anyone signed
//! in (a force sees which national rules its procurements are held to); changed by a
//! `national_admin` only.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;

use super::{NATIONAL, compiled, store};
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::file_body::FileBody;
use crate::http::{Page, Paged, QueryParams};
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::rule_plugins::lifecycle;
use crate::rule_plugins::model::{
    BacktestParams, NationalBacktest, RulePluginFilter, RulePluginVersion, TenantBacktest,
};
use crate::state::AppState;
use crate::tenants::store as tenants;

/// Upload a national rule plugin version
///
/// The body is the plugin: a WebAssembly component of the `bluelight:rules@2.0.0` world (or
/// `@1.0.0`), packaged with its fixtures, whose `describe` names the tenant `national`. It is
/// validated, described, its fixtures are run, and it is stored as the layer's next version; it
/// is not in force until activated. Uploading bytes already stored returns that version (200).
/// For a `national_admin`.
#[utoipa::path(
    tag = "National rules",
    request_body(content = inline(FileBody), content_type = "application/octet-stream", description = "The packaged component (sent as `application/octet-stream` or `application/wasm`)"),
    responses(
        (status = 201, description = "Stored as a new version", body = RulePluginVersion, headers(("Location" = String))),
        (status = 200, description = "These exact bytes are already stored; that version", body = RulePluginVersion, headers(("Location" = String))),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a national_admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the plugin size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/octet-stream nor application/wasm", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an acceptable plugin: `plugin_not_a_component`, `plugin_wrong_interface`, `plugin_forbidden_import`, `plugin_tenant_mismatch` (it does not describe itself as `national`), `plugin_invalid_fixtures`, `plugin_over_sandbox_limits`, `plugin_compile_deadline_exceeded`, or a failure while describing itself", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every sandbox or compiler slot is busy; retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/national/rule-plugins")]
pub async fn upload_national_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    principal.require_national_admin()?;
    let (plugin, report, wasm) = lifecycle::receive(&state, &req, payload, NATIONAL).await?;
    if plugin.info().tenant != NATIONAL {
        return Err(ApiError::Unprocessable {
            code: "plugin_tenant_mismatch",
            message: format!(
                "the plugin says it encodes the rules of '{}'; a national rule plugin describes its tenant as '{NATIONAL}'",
                plugin.info().tenant
            ),
        });
    }
    let kept = plugin.clone();
    let (row, created, active) = state
        .write(move |conn| {
            if let Some(existing) = store::find_by_hash(conn, plugin.sha256())? {
                let active = store::active(conn)?.is_some_and(|a| a.id == existing.id);
                return Ok((existing, false, active));
            }
            let version = store::next_version(conn)?;
            let row = lifecycle::version_row(&plugin, &report, wasm, NATIONAL, version, &principal.subject)?;
            store::insert(conn, &row)?;
            audit::record(
                conn,
                &principal,
                "national_rule_plugin.uploaded",
                "national_rule_plugin",
                &row.id,
                json!({"version": row.version, "sha256": row.sha256, "name": row.name,
                       "plugin_version": row.plugin_version, "interface_version": row.interface_version,
                       "fixtures_passed": report.all_passed}),
            )?;
            Ok((store::get(conn, row.version)?, true, false))
        })
        .await?;
    state.rules.keep(&kept);
    let location = format!("/api/v1/national/rule-plugins/{}", row.version);
    let body = row.into_api(active)?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.insert_header((header::LOCATION, location)).json(body))
}

/// List the national rule plugin versions
#[utoipa::path(
    tag = "National rules",
    params(RulePluginFilter),
    responses(
        (status = 200, description = "A page of versions, oldest first", body = Paged<RulePluginVersion>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/rule-plugins")]
pub async fn list_national_rule_plugins(
    state: web::Data<AppState>,
    _principal: Principal,
    filter: QueryParams<RulePluginFilter>,
) -> ApiResult<web::Json<Paged<RulePluginVersion>>> {
    let (rows, active, page) = state
        .db(move |conn| {
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            let active = store::active(conn)?.map(|row| row.id);
            Ok((store::list(conn, &page)?, active, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| {
        let is_active = active.as_deref() == Some(row.id.as_str());
        row.into_api(is_active)
    })?))
}

/// Get a national rule plugin version
#[utoipa::path(
    tag = "National rules",
    params(("version" = i64, Path, description = "The version number")),
    responses((status = 200, description = "The version", body = RulePluginVersion), ReadErrors),
    security(("bearer" = []))
)]
#[get("/national/rule-plugins/{version}")]
pub async fn get_national_rule_plugin(
    state: web::Data<AppState>,
    _principal: Principal,
    version: web::Path<i64>,
) -> ApiResult<web::Json<RulePluginVersion>> {
    let version = version.into_inner();
    let (row, active) = state
        .db(move |conn| {
            let row = store::get(conn, version)?;
            let active = store::active(conn)?.is_some_and(|a| a.id == row.id);
            Ok((row, active))
        })
        .await?;
    Ok(web::Json(row.into_api(active)?))
}

/// Activate a national rule plugin version
///
/// Runs the version's fixtures again and, only if every one passes, puts it in force for every
/// tenant's next evaluation. Rolling back is activating an earlier version. For a
/// `national_admin`.
#[utoipa::path(
    tag = "National rules",
    params(("version" = i64, Path, description = "The version to activate")),
    responses(
        (status = 200, description = "Now in force", body = RulePluginVersion),
        (status = 409, description = "`plugin_fixtures_failed`: a fixture fails, or the plugin has none", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[post("/national/rule-plugins/{version}/activate")]
pub async fn activate_national_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    version: web::Path<i64>,
) -> ApiResult<web::Json<RulePluginVersion>> {
    principal.require_national_admin()?;
    let version = version.into_inner();
    let row = state.db(move |conn| store::get(conn, version)).await?;
    let plugin = compiled(&state, &row).await?;
    let report = state.sandboxed(NATIONAL, move |_| Ok(plugin.run_fixtures())).await?;
    lifecycle::require_fixtures_pass(version, &report)?;
    let row = state
        .write(move |conn| {
            let previous = store::active(conn)?.map(|r| r.version);
            store::activate(conn, &row.id, &principal.subject)?;
            audit::record(
                conn,
                &principal,
                "national_rule_plugin.activated",
                "national_rule_plugin",
                &row.id,
                json!({"version": row.version, "sha256": row.sha256, "previous_version": previous}),
            )?;
            Ok(row)
        })
        .await?;
    Ok(web::Json(row.into_api(true)?))
}

/// Backtest a national rule plugin version
///
/// Runs the candidate version and the one in force over every stored procurement of every
/// tenant, for the same day, and reports per tenant the decisions that would change. Nothing is
/// stored or activated. For a `national_admin`.
#[utoipa::path(
    tag = "National rules",
    params(
        ("version" = i64, Path, description = "The candidate version"),
        BacktestParams,
    ),
    responses((status = 200, description = "What would change, tenant by tenant", body = NationalBacktest), ReadErrors),
    security(("bearer" = []))
)]
#[post("/national/rule-plugins/{version}/backtest")]
pub async fn backtest_national_rule_plugin(
    state: web::Data<AppState>,
    principal: Principal,
    version: web::Path<i64>,
    params: QueryParams<BacktestParams>,
) -> ApiResult<web::Json<NationalBacktest>> {
    principal.require_national_admin()?;
    let version = version.into_inner();
    let started = Instant::now();
    let today = state.clock.today();
    let (candidate_row, active_row, by_tenant, date) = state
        .db(move |conn| {
            let candidate = store::get(conn, version)?;
            let date = params.parse()?.evaluation_date.unwrap_or(today);
            let active = store::active(conn)?;
            let categories = categories::tree(conn)?;
            let mut by_tenant = Vec::new();
            for tenant in tenants::all(conn)? {
                let (scope, tenant) = TenantScope::authorize(conn, &principal, &tenant.slug, TenantAccess::Read)?;
                let mut inputs = Vec::new();
                for row in procurements::all(conn, &scope)? {
                    inputs.push((row.id.clone(), plugin_input(conn, &tenant, &categories, &row, date)?));
                }
                if !inputs.is_empty() {
                    by_tenant.push((tenant.slug, inputs));
                }
            }
            Ok((candidate, active, by_tenant, date))
        })
        .await?;
    let candidate = compiled(&state, &candidate_row).await?;
    let active = match &active_row {
        Some(row) => Some(compiled(&state, row).await?),
        None => None,
    };
    let tenants = state
        .sandboxed(NATIONAL, move |_| {
            Ok(by_tenant
                .into_iter()
                .map(|(tenant, inputs)| {
                    let comparison = lifecycle::compare(&candidate, active.as_deref(), &inputs);
                    TenantBacktest {
                        tenant,
                        procurements: comparison.procurements,
                        unchanged: comparison.unchanged,
                        changed: comparison.changed,
                        failures: comparison.failures,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(web::Json(NationalBacktest {
        candidate_version: candidate_row.version,
        active_version: active_row.map(|r| r.version),
        evaluation_date: date,
        procurements: tenants.iter().map(|t| t.procurements).sum(),
        changed: tenants.iter().map(|t| t.changed.len()).sum(),
        tenants,
        duration_micros: started.elapsed().as_micros() as u64,
    }))
}
