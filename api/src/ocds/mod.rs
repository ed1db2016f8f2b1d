//! Open Contracting Data Standard interchange: a tenant's procurements, decisions, awards and
//! contracts exported as OCDS release packages.

pub mod export;
pub mod handlers;
pub mod model;
pub mod store;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(handlers::release_package);
}
