//! Categories: the tree of policing spend areas, with CPV codes.

pub mod handlers;
pub mod model;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_categories)
        .service(handlers::create_category)
        .service(handlers::get_category)
        .service(handlers::update_category);
}
