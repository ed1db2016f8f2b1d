//! Every route of the API, each registered together with its documentation: a handler added
//! here is routed and appears in the OpenAPI document by the same call, so neither can be
//! forgotten (utoipa-actix-web collects each `#[utoipa::path]` as its service is registered).

use actix_web::middleware;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    audit, categories, contracts, decisions, frameworks, health, idempotency, imports, kpis, metrics, national,
    national_rules, ocds, procurements, rule_plugins, spend, suppliers, tenants, webhooks,
};

/// The health probes, and the API under `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::handler::scrape)
        .service(
            scope("/api/v1")
                .wrap(middleware::from_fn(idempotency::middleware))
                .configure(tenants::routes)
                .configure(categories::routes)
                .configure(frameworks::routes)
                .configure(suppliers::routes)
                .configure(procurements::routes)
                .configure(contracts::routes)
                .configure(spend::routes)
                .configure(imports::routes)
                .configure(kpis::routes)
                .configure(national::routes)
                .configure(ocds::routes)
                .configure(rule_plugins::routes)
                .configure(national_rules::routes)
                .configure(decisions::routes)
                .configure(webhooks::routes)
                .service(audit::handlers::list_audit_events),
        );
}
