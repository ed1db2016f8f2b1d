//! The KPIs forces report: % of spend under contract, local, collaborative, with SMEs and VCSEs,
//! and savings, each reproducible from the tenant's own data.

pub mod compute;
pub mod handlers;
pub mod model;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(handlers::get_kpis);
}
