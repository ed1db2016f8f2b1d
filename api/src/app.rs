//! Building the application: state, routes, middleware, and the HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, middleware, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Verifier;
use crate::config::Settings;
use crate::error::ApiError;
use crate::http::json::MAX_JSON_BYTES;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{audit, categories, db, demo, frameworks, health, idempotency, suppliers, tenants};

/// Connects to the database, applies migrations and, if asked, loads the demo data.
pub fn prepare_state(settings: &Settings) -> anyhow::Result<web::Data<AppState>> {
    let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot connect to the database: {e}"))?;
    let applied = db::migrate(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    if settings.load_demo_data {
        let report = demo::load(&mut conn)?;
        tracing::info!(?report, "national demo data loaded");
    }
    drop(conn);
    if settings.auth.development_secret {
        tracing::warn!("no JWT_SECRET or JWKS_URL set: accepting tokens signed with the built-in development secret");
    }
    let backend = db::Backend::of_url(&settings.database_url);
    Ok(web::Data::new(AppState::new(
        pool,
        Verifier::new(&settings.auth),
        backend,
    )))
}

/// Every route of the service: the API under `/api/v1`, health probes, the OpenAPI document and
/// the interactive docs page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(
            web::scope("/api/v1")
                .wrap(middleware::from_fn(idempotency::middleware))
                .configure(tenants::routes)
                .configure(categories::routes)
                .configure(frameworks::routes)
                .configure(suppliers::routes)
                .service(audit::handlers::list_audit_events),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()))
        .route("/docs", web::get().to(|| async { redirect("/docs/") }))
        .route("/", web::get().to(|| async { redirect("/docs/") }))
        .default_service(web::to(unknown_route));
}

/// Starts the HTTP server on an already-bound listener.
pub fn server(state: web::Data<AppState>, listener: TcpListener, workers: Option<usize>) -> anyhow::Result<Server> {
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_JSON_BYTES))
            // A path segment of the wrong type (e.g. a lot number that is not a number) names
            // no resource: 404, as problem+json like every other error.
            .app_data(web::PathConfig::default().error_handler(|error, req| {
                ApiError::NotFound(format!("no resource at {} ({error})", req.path())).into()
            }))
            .wrap(middleware::DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
            .wrap(middleware::Logger::new("%a \"%r\" %s %b %Dms"))
            .configure(configure)
    })
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, to))
        .finish()
}

async fn unknown_route(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no route {} {}", req.method(), req.path())))
}
