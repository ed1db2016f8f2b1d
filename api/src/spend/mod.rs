//! A tenant's spend: payments imported from its published spend files, linked to its contracts.

pub mod handlers;
pub mod import;
pub mod model;
pub mod store;
pub mod year_totals;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_spend);
}
