//! A tenant's spend: payments imported from its published spend files, linked to its contracts.

pub mod handlers;
pub mod import;
pub mod model;
pub mod store;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(handlers::list_spend);
}
