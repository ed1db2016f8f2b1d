//! Webhooks: tenants and the national team subscribe to events; deliveries are signed, retried
//! with backoff, recorded with their outcome, and never block the request that caused them.

pub mod events;
pub mod handlers;
pub mod model;
pub mod scanner;
pub mod settings;
pub mod signing;
pub mod store;
pub mod worker;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_tenant_subscription)
        .service(handlers::list_tenant_subscriptions)
        .service(handlers::get_tenant_subscription)
        .service(handlers::delete_tenant_subscription)
        .service(handlers::list_tenant_deliveries)
        .service(handlers::create_national_subscription)
        .service(handlers::list_national_subscriptions)
        .service(handlers::get_national_subscription)
        .service(handlers::delete_national_subscription)
        .service(handlers::list_national_deliveries);
}
