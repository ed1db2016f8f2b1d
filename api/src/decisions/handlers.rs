//! Recorded evaluations of a tenant's procurements against both rule layers, and the decision
//! log. Replays are in `replay.rs`, drafts in `draft.rs`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use bluelight_rules::Procurement as PluginInput;

use super::layers::{Evaluated, LayerRows, Layers};
use super::model::{DecisionFilter, DecisionRecord, DecisionRow, EvaluateParams};
use super::store;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::clock;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{Page, Paged, QueryParams};
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::state::AppState;
use crate::webhooks::{self, events::Audience, model::EventType};

/// Evaluate a procurement
///
/// Runs the national rules layer in force (the Procurement Act 2023) and the tenant's active rule
/// plugin on the procurement, each in a fresh sandbox of its own, and records the decision in the
/// decision log (who asked, when, each layer's plugin version and hash, the exact input, each
/// layer's decision, fuel used and duration). The outcome is `non_compliant` when either layer
/// finds a violation; each finding says which layer made it. A tenant with no plugin of its own
/// is decided by the national layer alone. It decides for today, since an award relies on it
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
        (status = 409, description = "`no_active_rule_plugin`: neither the national layer nor the tenant has an active plugin; `procurement_changed`: it changed while being evaluated", body = Problem, content_type = "application/problem+json"),
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
    let (scope, rows, input) = state
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
            let rows = LayerRows::in_force(conn, &scope)?;
            let categories = categories::tree(conn)?;
            let input = plugin_input(conn, &tenant, &categories, &procurement, today)?;
            Ok((scope, rows, (procurement.id, procurement.version, input)))
        })
        .await?;
    let layers = Layers::compile(&state, &scope, rows).await?;
    let (procurement_id, judged_version, input) = input;
    let (input, evaluated) = state
        .sandboxed(scope.slug(), move |_| {
            let evaluated = layers.evaluate(&input)?;
            Ok((input, evaluated))
        })
        .await?;
    let row = decision_row(&scope, procurement_id, judged_version, &principal, &input, &evaluated)?;
    let combined = evaluated.combined(scope.slug());
    let row = state
        .write(move |conn| {
            // The verdict is about the procurement as it was read; if a change landed while the
            // plugins ran, the verdict is not about what is there now.
            procurements::lock(conn, &scope, &row.procurement_id)?;
            if procurements::get(conn, &scope, &row.procurement_id)?.version != judged_version {
                return Err(ApiError::conflict(
                    "procurement_changed",
                    "the procurement changed while it was being evaluated; evaluate it again",
                ));
            }
            store::insert(conn, &row)?;
            procurements::set_last_outcome(conn, &scope, &row.procurement_id, &row.outcome)?;
            webhooks::events::emit(
                conn,
                EventType::DecisionRecorded,
                Audience::Tenant(scope.slug()),
                serde_json::json!({
                    "decision_id": row.id,
                    "procurement_id": row.procurement_id,
                    "outcome": row.outcome,
                    "plugin": row.plugin_id.as_ref().map(|id| serde_json::json!(
                        {"id": id, "version": row.plugin_version, "sha256": row.plugin_sha256})),
                    "national_plugin": row.national_plugin_id.as_ref().map(|id| serde_json::json!(
                        {"id": id, "version": row.national_plugin_version, "sha256": row.national_plugin_sha256})),
                    "requested_by": row.requested_by,
                    "decision": combined,
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

/// The log row of a recorded evaluation.
fn decision_row(
    scope: &TenantScope,
    procurement_id: String,
    judged_version: i64,
    principal: &Principal,
    input: &PluginInput,
    evaluated: &Evaluated,
) -> ApiResult<DecisionRow> {
    let json =
        |value: &bluelight_rules::Decision| serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()));
    let tenant = evaluated.tenant.as_ref();
    let national = evaluated.national.as_ref();
    Ok(DecisionRow {
        id: clock::new_id(),
        tenant_slug: scope.slug().to_owned(),
        procurement_id,
        plugin_id: tenant.map(|l| l.row.id.clone()),
        plugin_version: tenant.map(|l| l.row.version),
        plugin_sha256: tenant.map(|l| l.row.sha256.clone()),
        replay_of: None,
        requested_by: principal.subject.clone(),
        requested_at: clock::now(),
        input: serde_json::to_string(input).map_err(|e| ApiError::Internal(e.into()))?,
        decision: tenant.map(|l| json(&l.evaluation.decision)).transpose()?,
        outcome: evaluated.outcome().as_str().to_owned(),
        fuel_used: evaluated.fuel_used() as i64,
        duration_micros: evaluated.duration().as_micros() as i64,
        procurement_version: Some(judged_version),
        national_plugin_id: national.map(|l| l.row.id.clone()),
        national_plugin_version: national.map(|l| l.row.version),
        national_plugin_sha256: national.map(|l| l.row.sha256.clone()),
        national_decision: national.map(|l| json(&l.evaluation.decision)).transpose()?,
    })
}
