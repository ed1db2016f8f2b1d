//! The national rules layer: rule plugins a `national_admin` uploads, tests, backtests over
//! every tenant's procurements and activates, run beside each tenant's own plugin in every
//! evaluation (see `decisions::layers`). Stored apart from tenants' plugins: national data, with
//! its own version sequence.

pub mod handlers;
pub mod store;

use std::sync::Arc;

use bluelight_rules::Plugin;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiResult;
use crate::rule_plugins::model::RulePluginRow;
use crate::state::AppState;

/// What a national plugin says its tenant is, and the name of the layer in findings: the same
/// word as the national scope of stored rows, so the one reserved name keeps tenants from both.
pub const NATIONAL: &str = crate::db::NATIONAL_SCOPE;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::upload_national_rule_plugin)
        .service(handlers::list_national_rule_plugins)
        .service(handlers::get_national_rule_plugin)
        .service(handlers::activate_national_rule_plugin)
        .service(handlers::backtest_national_rule_plugin);
}

/// The compiled national plugin for a stored version: from the engine's cache, or read and
/// compiled once. Compiling counts against the national layer's sandbox share.
pub async fn compiled(state: &AppState, row: &RulePluginRow) -> ApiResult<Arc<Plugin>> {
    if let Some(plugin) = state.rules.cached(&row.sha256) {
        return Ok(plugin);
    }
    let id = row.id.clone();
    let wasm = state.db(move |conn| Ok(store::wasm(conn, &id)?)).await?;
    state
        .sandboxed(NATIONAL, move |engine| {
            let plugin = engine.load(&wasm)?;
            engine.keep(&plugin);
            Ok(plugin)
        })
        .await
}
