//! Evaluating a tenant's procurements against the two rule layers (the national one and the
//! tenant's own), and the decision log.

pub mod draft;
pub mod handlers;
pub mod layers;
pub mod model;
pub mod replay;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::evaluate_procurement)
        .service(handlers::list_evaluations)
        .service(handlers::get_decision)
        .service(replay::replay_decision)
        .service(draft::evaluate_draft);
}
