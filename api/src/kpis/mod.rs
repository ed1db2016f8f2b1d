//! The KPIs forces report: % of spend under contract, local, collaborative, with SMEs and VCSEs,
//! and savings, each reproducible from the tenant's own data.

pub mod compute;
pub mod handlers;
pub mod model;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_kpis);
}
