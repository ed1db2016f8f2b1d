//! Evaluations of a tenant's procurements against its rule plugin, and the decision log.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use super::model::{
    DecisionFilter, DecisionRecord, DecisionRow, DraftDecision, DraftEvaluation, EvaluateParams, Replay, ReplayParams,
};
use super::store;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::clock;
use crate::db::DbConnection;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{JsonBody, Page, Paged, QueryParams};
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::rule_plugins::model::RulePluginRow;
use crate::rule_plugins::{compiled, store as plugins};
use crate::state::AppState;
use crate::webhooks::{self, events::Audience, model::EventType};

/// The tenant's active plugin version, or a clear answer that it has none.
fn active_plugin(conn: &mut DbConnection, scope: &TenantScope) -> ApiResult<RulePluginRow> {
    plugins::active(conn, scope)?.ok_or_else(|| {
        ApiError::conflict(
            "no_active_rule_plugin",
            format!(
                "'{}' has no active rule plugin, so there are no local rules to check this against: its \
                 tenant_admin uploads one (POST /api/v1/tenants/{0}/rule-plugins) and activates it",
                scope.slug()
            ),
        )
    })
}

/// Evaluate a procurement
///
/// Runs the tenant's active rule plugin on the procurement, in a fresh sandbox, and records the
/// decision in the decision log (who asked, when, the plugin version and hash, the exact input,
/// the decision, fuel used and duration). It decides for today, since an award relies on it
/// (`evaluation_date`, if sent, must be today; other days are for drafts and replays). A change
/// to the procurement while the plugin runs answers 409 `procurement_changed` and records
/// nothing. For the tenant's buyers and tenant admins.
#[utoipa::path(
    tag = "Decisions",
    params(
        ("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police"),
        ("id" = String, Path, description = "The procurement's id"),
        EvaluateParams,
    ),
    responses(
        (status = 201, description = "The recorded decision", body = DecisionRecord, headers(("Location" = String))),
        (status = 409, description = "`no_active_rule_plugin`: the tenant has no active plugin; `procurement_changed`: it changed while being evaluated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The plugin failed: `plugin_fuel_exhausted`, `plugin_deadline_exceeded`, `plugin_memory_exhausted`, `plugin_stack_overflow`, `plugin_trapped`, `plugin_output_too_large`, `plugin_too_many_findings`, `plugin_inconsistent_decision`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every sandbox is busy; retry", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/procurements/{id}/evaluations")]
pub async fn evaluate_procurement(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: QueryParams<EvaluateParams>,
) -> ApiResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let today = state.clock.today();
    let asker = principal.clone();
    let (scope, plugin_row, input) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &asker, &slug, TenantAccess::Buy)?;
            let procurement = procurements::get(conn, &scope, &id)?;
            // A recorded decision is what an award relies on, so it decides for today: a
            // back-dated one could find an expired framework live. Other days are for drafts
            // and replays, which record nothing on the procurement.
            if params.parse()?.evaluation_date.is_some_and(|date| date != today) {
                return Err(ApiError::invalid(
                    "evaluation_date",
                    "a recorded evaluation decides for today; for another day evaluate a draft \
                     (POST /evaluate) or replay a decision",
                ));
            }
            let plugin_row = active_plugin(conn, &scope)?;
            let categories = categories::tree(conn)?;
            let input = plugin_input(conn, &tenant, &categories, &procurement, today)?;
            Ok((scope, plugin_row, (procurement.id, procurement.version, input)))
        })
        .await?;
    let plugin = compiled(&state, &scope, &plugin_row).await?;
    let (procurement_id, judged_version, input) = input;
    let (input, evaluation) = state
        .sandboxed(scope.slug(), move |_| {
            let evaluation = plugin.evaluate(&input)?;
            Ok((input, evaluation))
        })
        .await?;
    let row = DecisionRow {
        id: clock::new_id(),
        tenant_slug: scope.slug().to_owned(),
        procurement_id,
        plugin_id: plugin_row.id,
        plugin_version: plugin_row.version,
        plugin_sha256: plugin_row.sha256,
        replay_of: None,
        requested_by: principal.subject.clone(),
        requested_at: clock::now(),
        input: serde_json::to_string(&input).map_err(|e| ApiError::Internal(e.into()))?,
        decision: serde_json::to_string(&evaluation.decision).map_err(|e| ApiError::Internal(e.into()))?,
        outcome: evaluation.decision.outcome.as_str().to_owned(),
        fuel_used: evaluation.fuel_used as i64,
        duration_micros: evaluation.duration.as_micros() as i64,
        procurement_version: Some(judged_version),
    };
    let row = state
        .write(move |conn| {
            // The verdict is about the procurement as it was read; if a change landed while the
            // plugin ran, the verdict is not about what is there now.
            procurements::lock(conn, &scope, &row.procurement_id)?;
            if procurements::get(conn, &scope, &row.procurement_id)?.version != judged_version {
                return Err(ApiError::conflict(
                    "procurement_changed",
                    "the procurement changed while it was being evaluated; evaluate it again",
                ));
            }
            store::insert(conn, &row)?;
            procurements::set_last_outcome(conn, &scope, &row.procurement_id, &row.outcome)?;
            let decision: serde_json::Value =
                serde_json::from_str(&row.decision).map_err(|e| ApiError::Internal(e.into()))?;
            webhooks::events::emit(
                conn,
                EventType::DecisionRecorded,
                Audience::Tenant(scope.slug()),
                serde_json::json!({
                    "decision_id": row.id,
                    "procurement_id": row.procurement_id,
                    "outcome": row.outcome,
                    "plugin": {"id": row.plugin_id, "version": row.plugin_version, "sha256": row.plugin_sha256},
                    "requested_by": row.requested_by,
                    "decision": decision,
                }),
            )?;
            Ok(row)
        })
        .await?;
    let location = format!("/api/v1/tenants/{}/decisions/{}", row.tenant_slug, row.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(row.into_api()?))
}

/// List a procurement's decisions
#[utoipa::path(
    tag = "Decisions",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The procurement's id"),
        DecisionFilter,
    ),
    responses((status = 200, description = "Its decisions, oldest first", body = Paged<DecisionRecord>), ListErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/procurements/{id}/evaluations")]
pub async fn list_evaluations(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    filter: QueryParams<DecisionFilter>,
) -> ApiResult<web::Json<Paged<DecisionRecord>>> {
    let (slug, id) = path.into_inner();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            procurements::get(conn, &scope, &id)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            Ok((store::of_procurement(conn, &scope, &id, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(DecisionRow::into_api)?))
}

/// Get a decision
#[utoipa::path(
    tag = "Decisions",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The decision's id"),
    ),
    responses((status = 200, description = "The decision", body = DecisionRecord), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/decisions/{id}")]
pub async fn get_decision(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DecisionRecord>> {
    let (slug, id) = path.into_inner();
    let row = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            store::get(conn, &scope, &id)
        })
        .await?;
    Ok(web::Json(row.into_api()?))
}

/// Replay a decision
///
/// Runs the exact input of a recorded decision again, through the version that made it or any
/// other version of the tenant's plugin, and says whether the result is the same. Nothing is
/// stored. For the tenant's buyers and tenant admins.
#[utoipa::path(
    tag = "Decisions",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The decision's id"),
        ReplayParams,
    ),
    responses(
        (status = 200, description = "The replayed decision", body = Replay),
        (status = 422, description = "The plugin failed", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/decisions/{id}/replay")]
pub async fn replay_decision(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: QueryParams<ReplayParams>,
) -> ApiResult<web::Json<Replay>> {
    let (slug, id) = path.into_inner();
    let (scope, recorded, plugin_row) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let recorded = store::get(conn, &scope, &id)?;
            let wanted = params.parse()?.plugin_version;
            let plugin_row = plugins::get(conn, &scope, wanted.unwrap_or(recorded.plugin_version))?;
            Ok((scope, recorded, plugin_row))
        })
        .await?;
    let plugin = compiled(&state, &scope, &plugin_row).await?;
    let recorded = recorded.into_api()?;
    let (recorded, evaluation) = state
        .sandboxed(scope.slug(), move |_| {
            let evaluation = plugin.evaluate(&recorded.input)?;
            Ok((recorded, evaluation))
        })
        .await?;
    Ok(web::Json(Replay {
        same_as_recorded: evaluation.decision == recorded.decision,
        decision_id: recorded.id,
        recorded_plugin_version: recorded.plugin_version,
        plugin_version: plugin_row.version,
        plugin_sha256: plugin_row.sha256,
        decision: evaluation.decision,
        fuel_used: evaluation.fuel_used as i64,
        duration_micros: evaluation.duration.as_micros() as i64,
    }))
}

/// Evaluate a draft procurement
///
/// For a buyer planning a purchase: validates the procurement as it would be recorded, runs the
/// active plugin (or a named version, e.g. one not yet activated) on it, and returns the decision
/// without storing anything.
#[utoipa::path(
    tag = "Decisions",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police")),
    request_body = DraftEvaluation,
    responses(
        (status = 200, description = "The decision", body = DraftDecision),
        (status = 409, description = "`no_active_rule_plugin`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the plugin failed", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/evaluate")]
pub async fn evaluate_draft(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    body: JsonBody<DraftEvaluation>,
) -> ApiResult<web::Json<DraftDecision>> {
    let slug = slug.into_inner();
    let today = state.clock.today();
    let (scope, plugin_row, active, input) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let draft = body.parse()?;
            let date = draft.evaluation_date.unwrap_or(today);
            let active = plugins::active(conn, &scope)?;
            let plugin_row = match draft.plugin_version {
                Some(version) => plugins::get(conn, &scope, version)?,
                None => active_plugin(conn, &scope)?,
            };
            let is_active = active.is_some_and(|a| a.id == plugin_row.id);
            let quotes = procurements::resolve(conn, &tenant, &draft.procurement)?;
            let row = procurements::to_row(&scope, draft.procurement, quotes, &principal, None)?;
            let categories = categories::tree(conn)?;
            let input = plugin_input(conn, &tenant, &categories, &row, date)?;
            Ok((scope, plugin_row, is_active, input))
        })
        .await?;
    let plugin = compiled(&state, &scope, &plugin_row).await?;
    let (input, evaluation) = state
        .sandboxed(scope.slug(), move |_| {
            let evaluation = plugin.evaluate(&input)?;
            Ok((input, evaluation))
        })
        .await?;
    Ok(web::Json(DraftDecision {
        plugin_version: plugin_row.version,
        plugin_sha256: plugin_row.sha256,
        active,
        input,
        outcome: evaluation.decision.outcome,
        decision: evaluation.decision,
        fuel_used: evaluation.fuel_used as i64,
        duration_micros: evaluation.duration.as_micros() as i64,
    }))
}
