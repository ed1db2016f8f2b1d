//! A tenant's contracts register (as forces keep it today in the Bluelight Procurement
//! Database): what it has let, with whom, under which arrangement, until when.

pub mod award;
pub mod handlers;
pub mod import;
pub mod model;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_contracts)
        .service(handlers::create_contract)
        .service(handlers::get_contract)
        .service(handlers::update_contract)
        .service(handlers::delete_contract)
        .service(award::award_contract);
}
