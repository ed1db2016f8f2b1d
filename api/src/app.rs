//! Building the application: state, routes, middleware, and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, middleware, web};
use bluelight_rules::RuleEngine;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Verifier;
use crate::config::Settings;
use crate::error::ApiError;
use crate::http::allowed_methods::AllowedMethods;
use crate::http::json::MAX_JSON_BYTES;
use crate::http::request_log;
use crate::state::AppState;
use crate::{db, demo, imports, openapi, routes, webhooks};

/// Connects to the database, applies migrations, starts the plugin engine and, if asked, loads
/// the demo data.
pub fn prepare_state(settings: &Settings) -> anyhow::Result<web::Data<AppState>> {
    let rules = Arc::new(RuleEngine::new(settings.plugin_limits.clone())?);
    prepare_state_with_engine(settings, rules)
}

/// As [`prepare_state`], with a plugin engine made elsewhere (tests share one, and its cache of
/// compiled plugins, across many app instances).
pub fn prepare_state_with_engine(settings: &Settings, rules: Arc<RuleEngine>) -> anyhow::Result<web::Data<AppState>> {
    let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot connect to the database: {e}"))?;
    let backend = db::Backend::of_url(&settings.database_url);
    if db::Backend::of_connection(&conn) != backend {
        // Settings (the development secret, demo data) were chosen for the backend the URL
        // names; a connection of the other kind must not run with them.
        anyhow::bail!(
            "DATABASE_URL: taken for {backend:?}, but the connection made is to {:?}; write a \
             postgres:// URL for PostgreSQL or a file path for SQLite",
            db::Backend::of_connection(&conn)
        );
    }
    let applied = db::migrate(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    // SQLite's file has one process, so a running import there is the last run's; on
    // PostgreSQL only those whose owner's lease ran out (another instance may be writing one).
    let interrupted = match backend {
        db::Backend::Sqlite => imports::store::fail_interrupted(&mut conn)?,
        db::Backend::Postgres => imports::leases::fail_lapsed(&mut conn)?,
    };
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "CSV imports interrupted by the last stop marked failed (nothing of them was written)"
        );
    }
    if settings.load_demo_data {
        let report = demo::load(&mut conn)?;
        tracing::info!(?report, "national demo data loaded");
        let report = demo::rules::load(&mut conn, &rules, settings.clock.today())?;
        tracing::info!(?report, "seed forces' rule plugins and demo procurements loaded");
        let report = demo::registers::load(&mut conn, settings.clock.today())?;
        tracing::info!(?report, "demo contracts registers and spend loaded");
    }
    drop(conn);
    if settings.auth.development_secret {
        tracing::warn!("no JWT_SECRET or JWKS_URL set: accepting tokens signed with the built-in development secret");
    }
    Ok(web::Data::new(AppState::new(
        pool,
        Verifier::new(&settings.auth),
        backend,
        rules,
        settings.webhooks.clone(),
        settings.allow_private_urls,
        settings.clock,
    )))
}

/// Every route of the service: the API and its health probes (see [`routes::api`]), the OpenAPI
/// document and the interactive docs page; a known path asked with a method it does not answer
/// gets 405 with `Allow`.
pub fn configure(
    cfg: &mut web::ServiceConfig,
    document: &utoipa::openapi::OpenApi,
    allowed_methods: web::Data<AllowedMethods>,
) {
    // The paths collected here are the document's own; it was built from the same call.
    routes::api(&mut utoipa_actix_web::service_config::ServiceConfig::new(cfg));
    cfg.app_data(allowed_methods)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document.clone()))
        .route("/docs", web::get().to(|| async { redirect("/docs/") }))
        .route("/", web::get().to(|| async { redirect("/docs/") }))
        .default_service(web::to(unknown_route));
}

/// Starts the HTTP server on an already-bound listener, and the webhook deliveries beside it.
pub fn server(state: web::Data<AppState>, listener: TcpListener, workers: Option<usize>) -> anyhow::Result<Server> {
    webhooks::worker::spawn(state.clone());
    imports::leases::spawn(state.clone());
    // Built once, shared by every worker.
    let document = openapi::document();
    let allowed_methods = web::Data::new(AllowedMethods::of(&document));
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
            // Outermost: the request id, access log and request metrics cover everything inside.
            .wrap(middleware::from_fn(request_log::middleware))
            .configure(|cfg| configure(cfg, &document, allowed_methods.clone()))
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

async fn unknown_route(req: HttpRequest, allowed: web::Data<AllowedMethods>) -> HttpResponse {
    match allowed.for_path(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            let mut response = ApiError::MethodNotAllowed(format!(
                "{} {} is not supported; this path answers {allow}",
                req.method(),
                req.path()
            ))
            .error_response();
            let value = header::HeaderValue::from_str(&allow).expect("method names are valid header text");
            response.headers_mut().insert(header::ALLOW, value);
            response
        }
        None => ApiError::NotFound(format!("no route {} {}", req.method(), req.path())).error_response(),
    }
}
