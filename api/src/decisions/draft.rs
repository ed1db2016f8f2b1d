//! Evaluating a draft: a procurement a buyer is planning, checked against both layers (or
//! versions of them not yet in force) without storing anything.

use actix_web::{post, web};

use super::layers::{LayerRows, Layers};
use super::model::{DraftDecision, DraftEvaluation};
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::error::responses::ReadErrors;
use crate::error::{ApiResult, Problem};
use crate::http::JsonBody;
use crate::national_rules::store as national;
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::rule_plugins::store as plugins;
use crate::state::AppState;

/// Evaluate a draft procurement
///
/// For a buyer planning a purchase: validates the procurement as it would be recorded, runs the
/// national rules layer in force and the tenant's active plugin on it (or versions named, e.g.
/// ones not yet activated), and returns the decision without storing anything.
#[utoipa::path(
    tag = "Decisions",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police")),
    request_body = DraftEvaluation,
    responses(
        (status = 200, description = "The decision", body = DraftDecision),
        (status = 409, description = "`no_active_rule_plugin`: neither layer has an active plugin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or a plugin failed", body = Problem, content_type = "application/problem+json"),
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
    let (scope, rows, active_id, input) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let draft = body.parse()?;
            let date = draft.evaluation_date.unwrap_or(today);
            let active = plugins::active(conn, &scope)?;
            let active_id = active.as_ref().map(|row| row.id.clone());
            let tenant_row = match draft.plugin_version {
                Some(version) => Some(plugins::get(conn, &scope, version)?),
                None => active,
            };
            let national_row = match draft.national_plugin_version {
                Some(version) => Some(national::get(conn, version)?),
                None => national::active(conn)?,
            };
            let rows = LayerRows {
                national: national_row,
                tenant: tenant_row,
            }
            .require_one(&scope)?;
            let quotes = procurements::resolve(conn, &tenant, &draft.procurement)?;
            let row = procurements::to_row(&scope, draft.procurement, quotes, &principal, None)?;
            let categories = categories::tree(conn)?;
            let input = plugin_input(conn, &tenant, &categories, &row, date)?;
            Ok((scope, rows, active_id, input))
        })
        .await?;
    let layers = Layers::compile(&state, &scope, rows).await?;
    let (input, evaluated) = state
        .sandboxed(scope.slug(), move |_| {
            let evaluated = layers.evaluate(&input)?;
            Ok((input, evaluated))
        })
        .await?;
    let tenant = evaluated.tenant.as_ref();
    let national = evaluated.national.as_ref();
    Ok(web::Json(DraftDecision {
        plugin_version: tenant.map(|l| l.row.version),
        plugin_sha256: tenant.map(|l| l.row.sha256.clone()),
        active: tenant.is_some_and(|l| active_id.as_deref() == Some(l.row.id.as_str())),
        national_plugin_version: national.map(|l| l.row.version),
        national_plugin_sha256: national.map(|l| l.row.sha256.clone()),
        outcome: evaluated.outcome(),
        decision: evaluated.combined(scope.slug()),
        layers: evaluated.layer_decisions(scope.slug()),
        fuel_used: evaluated.fuel_used() as i64,
        duration_micros: evaluated.duration().as_micros() as i64,
        input,
    }))
}
