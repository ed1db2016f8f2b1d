//! National framework agreements, their lots, and the suppliers awarded each lot.

pub mod handlers;
pub mod model;
pub mod store;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_frameworks)
        .service(handlers::create_framework)
        .service(handlers::get_framework)
        .service(handlers::update_framework)
        .service(handlers::create_lot)
        .service(handlers::get_lot)
        .service(handlers::update_lot)
        .service(handlers::set_lot_supplier);
}
