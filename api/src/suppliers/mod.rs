//! Suppliers, and the national team's management of strategic suppliers (risk ratings with
//! their history, KPI scores, ethics and contingency data).

pub mod directory;
pub mod handlers;
pub mod model;
pub mod store;
pub mod strategic;
pub mod strategic_profile;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_suppliers)
        .service(handlers::create_supplier)
        .service(handlers::get_supplier)
        .service(handlers::update_supplier)
        .service(handlers::update_supplier_profile)
        .service(handlers::list_risk_ratings)
        .service(handlers::create_risk_rating)
        .service(handlers::list_kpi_scores)
        .service(handlers::create_kpi_score);
}
