//! Tenants: police forces, fire and rescue services and national bodies.

pub mod handlers;
pub mod model;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_tenants)
        .service(handlers::create_tenant)
        .service(handlers::get_tenant)
        .service(handlers::update_tenant);
}
