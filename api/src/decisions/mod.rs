//! Evaluating a tenant's procurements against its rule plugin, and the decision log.

pub mod handlers;
pub mod model;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::evaluate_procurement)
        .service(handlers::list_evaluations)
        .service(handlers::get_decision)
        .service(handlers::replay_decision)
        .service(handlers::evaluate_draft);
}
