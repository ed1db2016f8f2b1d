//! The national view across tenants, for BlueLight Commercial.

pub mod facts;
pub mod handlers;
pub mod model;
pub mod reports;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::spend_by_supplier)
        .service(handlers::spend_by_category)
        .service(handlers::strategic_dependency)
        .service(handlers::expiry_radar)
        .service(handlers::framework_uptake);
}
