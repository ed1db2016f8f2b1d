//! Open Contracting Data Standard interchange: a tenant's procurements, decisions, awards and
//! contracts exported as OCDS release packages, and national framework agreements imported from
//! one.

pub mod export;
pub mod fetch;
pub mod handlers;
pub mod import;
pub mod model;
pub mod store;
pub mod sync;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::release_package)
        .service(handlers::import_frameworks);
}
