//! Replaying a recorded decision: its exact input through each layer's plugin again, the
//! versions that made it or others named, compared layer by layer with what was recorded.

use actix_web::{post, web};

use super::layers::{LayerRows, Layers, combine};
use super::model::{Replay, ReplayParams, ReplayedLayer};
use super::store;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::error::responses::ReadErrors;
use crate::error::{ApiResult, Problem};
use crate::http::QueryParams;
use crate::national_rules::store as national;
use crate::rule_plugins::store as plugins;
use crate::state::AppState;

/// Replay a decision
///
/// Runs the exact input of a recorded decision again through each layer that made it (the
/// tenant's plugin and the national layer), at the versions that made it or at versions named,
/// and says layer by layer whether the result is the same. A decision recorded before the
/// national layer existed replays the national layer only when `national_plugin_version` names
/// one. Nothing is stored. For the tenant's buyers and tenant admins.
#[utoipa::path(
    tag = "Decisions",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The decision's id"),
        ReplayParams,
    ),
    responses(
        (status = 200, description = "The replayed decision", body = Replay),
        (status = 422, description = "A plugin failed", body = Problem, content_type = "application/problem+json"),
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
    let (scope, recorded, rows) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let recorded = store::get(conn, &scope, &id)?;
            let params = params.parse()?;
            let tenant = match params.plugin_version.or(recorded.plugin_version) {
                Some(version) => Some(plugins::get(conn, &scope, version)?),
                None => None,
            };
            let national = match params.national_plugin_version.or(recorded.national_plugin_version) {
                Some(version) => Some(national::get(conn, version)?),
                None => None,
            };
            let rows = LayerRows { national, tenant }.require_one(&scope)?;
            Ok((scope, recorded, rows))
        })
        .await?;
    let layers = Layers::compile(&state, &scope, rows).await?;
    let recorded_layers = recorded.layers()?;
    let input = recorded.recorded_input()?;
    let evaluated = state.sandboxed(scope.slug(), move |_| layers.evaluate(&input)).await?;

    let replayed_layers = evaluated.layer_decisions(scope.slug());
    let layers: Vec<ReplayedLayer> = replayed_layers
        .iter()
        .map(|now| {
            let then = recorded_layers.iter().find(|l| l.source == now.source);
            ReplayedLayer {
                source: now.source.clone(),
                recorded_plugin_version: then.map(|l| l.plugin_version),
                plugin_version: now.plugin_version,
                plugin_sha256: now.plugin_sha256.clone(),
                same_as_recorded: then.is_some_and(|l| l.decision == now.decision),
                decision: now.decision.clone(),
            }
        })
        .collect();
    let same_as_recorded = layers.iter().all(|l| l.same_as_recorded) && layers.len() == recorded_layers.len();
    let decision = combine(&replayed_layers);
    Ok(web::Json(Replay {
        decision_id: recorded.id,
        same_as_recorded,
        outcome: decision.outcome,
        decision,
        layers,
        fuel_used: evaluated.fuel_used() as i64,
        duration_micros: evaluated.duration().as_micros() as i64,
    }))
}
