//! `GET /metrics`: the Prometheus scrape. Counts by tenant are other forces' business, so the
//! scrape needs a national role (a `national_viewer` token for the scraper), like the other
//! cross-tenant views.

use actix_web::{HttpResponse, get, web};

use super::metrics;
use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::webhooks::store as webhooks;

/// The text exposition format's media type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Metrics (Prometheus text format)
///
/// This instance's requests by route and status with latency histograms, rule evaluations by
/// tenant, layer and outcome with fuel and duration, sandboxes in use and refused, the
/// database pool (connections in use, waits, timeouts), CSV import progress, and webhook
/// attempts; the webhook backlog and failed deliveries are every instance's, read from the
/// database. Every family and label is described in `docs/operations.md`. For national roles
/// (scrape with a `national_viewer` token).
#[utoipa::path(
    tag = "Health",
    responses(
        (status = 200, description = "The metrics, in Prometheus's text exposition format 0.0.4", body = String, content_type = "text/plain",
            example = "# HELP bluelight_http_requests_total HTTP requests answered, by method, route template and status.\n# TYPE bluelight_http_requests_total counter\nbluelight_http_requests_total{method=\"GET\",route=\"/api/v1/frameworks\",status=\"200\"} 42\n"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a national role", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/metrics")]
pub async fn scrape(state: web::Data<AppState>, principal: Principal) -> ApiResult<HttpResponse> {
    principal.require_national()?;
    let metrics = metrics();
    let pool = state.pool.state();
    let idle = i64::from(pool.idle_connections);
    metrics.db_pool_connections.with_label_values(&["idle"]).set(idle);
    metrics
        .db_pool_connections
        .with_label_values(&["in_use"])
        .set(i64::from(pool.connections) - idle);
    let (running, rows) = state.import_progress.totals();
    metrics.imports_running.set(running);
    metrics.import_rows_written.set(rows);
    let (pending, failed) = state.db(|conn| Ok(webhooks::count_backlog_and_failed(conn)?)).await?;
    metrics.webhook_deliveries.with_label_values(&["pending"]).set(pending);
    metrics.webhook_deliveries.with_label_values(&["failed"]).set(failed);
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(metrics.encode()))
}
