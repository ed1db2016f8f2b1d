//! Categories: the tree of policing spend areas, with CPV codes.

pub mod handlers;
pub mod model;
pub mod store;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(handlers::list_categories)
        .service(handlers::create_category)
        .service(handlers::get_category)
        .service(handlers::update_category);
}
