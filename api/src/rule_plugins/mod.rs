//! A tenant's rule plugins: uploaded versions (content-addressed WebAssembly components), the
//! active one, activation gated on the plugin's own fixtures, and backtests of a candidate.

pub mod handlers;
pub mod lifecycle;
pub mod model;
pub mod store;

use std::sync::Arc;

use bluelight_rules::Plugin;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::TenantScope;
use crate::error::ApiResult;
use crate::state::AppState;
use model::RulePluginRow;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::upload_rule_plugin)
        .service(handlers::list_rule_plugins)
        .service(handlers::get_rule_plugin)
        .service(handlers::activate_rule_plugin)
        .service(handlers::backtest_rule_plugin);
}

/// The compiled plugin for a stored version: from the engine's cache by content hash, or read
/// from the database and compiled (once) when the cache does not have it.
pub async fn compiled(state: &AppState, scope: &TenantScope, row: &RulePluginRow) -> ApiResult<Arc<Plugin>> {
    if let Some(plugin) = state.rules.cached(&row.sha256) {
        return Ok(plugin);
    }
    let (owner, id) = (scope.clone(), row.id.clone());
    let wasm = state.db(move |conn| Ok(store::wasm(conn, &owner, &id)?)).await?;
    state
        .sandboxed(scope.slug(), move |engine| {
            let plugin = engine.load(&wasm)?;
            engine.keep(&plugin);
            Ok(plugin)
        })
        .await
}
