//! A tenant's procurements: what its buyers are buying and how, in the shape its rule plugin
//! evaluates.

pub mod act_fields;
pub mod changes;
pub mod handlers;
pub mod model;
pub mod percentage;
pub mod plugin_input;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_procurements)
        .service(handlers::create_procurement)
        .service(handlers::get_procurement)
        .service(handlers::update_procurement);
}
