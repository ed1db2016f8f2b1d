//! The service's metrics, in Prometheus's text format at `GET /metrics` (see [`handler`]).
//!
//! One registry per process: an instance is a process, and the counters are about it (requests
//! it served, evaluations it ran, its pool). What is shared by every instance (the webhook
//! backlog) is read from the database when scraped. Names start `bluelight_`; the list, with
//! what each means, is in `docs/operations.md`.

pub mod handler;

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

/// Request latencies: from 0.5 ms (a cached read) to 10 s (an import upload, a slow plugin).
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A sandboxed evaluation: 5 µs (a small plugin, warm pool) to the default deadline.
const EVALUATION_BUCKETS: &[f64] = &[
    0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25, 1.0,
];

/// Instructions an evaluation used, by powers of ten up to the default fuel budget.
const FUEL_BUCKETS: &[f64] = &[1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// A wait for a pooled database connection: none at all, to the pool's 1 s timeout.
const POOL_WAIT_BUCKETS: &[f64] = &[0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0];

pub struct Metrics {
    registry: Registry,
    /// Requests answered, by method, route template (`/api/v1/frameworks/{id}`) and status.
    pub http_requests: IntCounterVec,
    /// Time from the request's arrival to its response, by method and route template.
    pub http_duration: HistogramVec,
    /// Evaluations of a procurement by one rules layer, by tenant, layer and outcome.
    pub evaluations: IntCounterVec,
    pub evaluation_fuel: HistogramVec,
    pub evaluation_duration: HistogramVec,
    /// Sandboxes held by requests now (tenants' shares together).
    pub sandboxes_in_use: IntGauge,
    /// Requests turned away (503) because the tenant's share, or the engine, had no sandbox free.
    pub sandboxes_refused: IntCounterVec,
    pub db_pool_wait: Histogram,
    pub db_pool_timeouts: IntCounter,
    pub db_pool_connections: IntGaugeVec,
    pub imports_running: IntGauge,
    pub import_rows_written: IntGauge,
    pub imports_finished: IntCounterVec,
    pub webhook_attempts: IntCounterVec,
    pub webhook_deliveries: IntGaugeVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let metrics = Metrics {
            http_requests: counter_vec(
                &registry,
                "bluelight_http_requests_total",
                "HTTP requests answered, by method, route template and status.",
                &["method", "route", "status"],
            ),
            http_duration: histogram_vec(
                &registry,
                "bluelight_http_request_duration_seconds",
                "Time from a request's arrival to its response, by method and route template.",
                &["method", "route"],
                LATENCY_BUCKETS,
            ),
            evaluations: counter_vec(
                &registry,
                "bluelight_rule_evaluations_total",
                "Evaluations of a procurement by one rules layer (recorded, draft or replayed), by tenant, \
                 layer (national or tenant) and outcome (compliant, non_compliant, failed).",
                &["tenant", "layer", "outcome"],
            ),
            evaluation_fuel: histogram_vec(
                &registry,
                "bluelight_rule_evaluation_fuel",
                "WebAssembly instructions (fuel) one layer's evaluation used, by layer.",
                &["layer"],
                FUEL_BUCKETS,
            ),
            evaluation_duration: histogram_vec(
                &registry,
                "bluelight_rule_evaluation_duration_seconds",
                "Time one layer's evaluation took in its fresh sandbox, by layer.",
                &["layer"],
                EVALUATION_BUCKETS,
            ),
            sandboxes_in_use: gauge(
                &registry,
                "bluelight_rule_sandboxes_in_use",
                "Rule sandboxes held by requests now, every tenant's share together.",
            ),
            sandboxes_refused: counter_vec(
                &registry,
                "bluelight_rule_sandboxes_refused_total",
                "Requests refused with 503 because no sandbox was free, by tenant and by whose limit \
                 (tenant_share or engine).",
                &["tenant", "limit"],
            ),
            db_pool_wait: histogram(
                &registry,
                "bluelight_db_pool_wait_seconds",
                "Time a request waited for a pooled database connection.",
                POOL_WAIT_BUCKETS,
            ),
            db_pool_timeouts: counter(
                &registry,
                "bluelight_db_pool_timeouts_total",
                "Waits for a pooled database connection that timed out (each a 503).",
            ),
            db_pool_connections: gauge_vec(
                &registry,
                "bluelight_db_pool_connections",
                "The database pool's connections, by state (in_use, idle), when scraped.",
                &["state"],
            ),
            imports_running: gauge(
                &registry,
                "bluelight_imports_running",
                "CSV imports this instance is writing now.",
            ),
            import_rows_written: gauge(
                &registry,
                "bluelight_import_rows_written",
                "Rows written so far by this instance's running CSV imports, together.",
            ),
            imports_finished: counter_vec(
                &registry,
                "bluelight_imports_finished_total",
                "CSV imports this instance finished, by kind (contracts, spend) and outcome (completed, failed).",
                &["kind", "outcome"],
            ),
            webhook_attempts: counter_vec(
                &registry,
                "bluelight_webhook_attempts_total",
                "Webhook delivery attempts this instance made, by outcome (delivered, retrying, failed: \
                 given up after the last attempt).",
                &["outcome"],
            ),
            webhook_deliveries: gauge_vec(
                &registry,
                "bluelight_webhook_deliveries",
                "Webhook deliveries in the database (every instance's), by status (pending: the backlog; \
                 failed: given up), when scraped.",
                &["status"],
            ),
            registry,
        };
        // Series with a fixed set of labels are there from the first scrape, at zero, so that a
        // rate over them is defined before the first event; those labelled by tenant or route
        // appear with their first event.
        for kind in ["contracts", "spend"] {
            for outcome in ["completed", "failed"] {
                metrics.imports_finished.with_label_values(&[kind, outcome]);
            }
        }
        for outcome in ["delivered", "retrying", "failed"] {
            metrics.webhook_attempts.with_label_values(&[outcome]);
        }
        #[cfg(target_os = "linux")]
        metrics
            .registry
            .register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))
            .expect("the process collector registers once");
        metrics
    }

    /// Records one answered request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .with_label_values(&[method, route, status_label(status)])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// Everything registered, in the text exposition format (version 0.0.4).
    pub fn encode(&self) -> String {
        let families = self.registry.gather();
        prometheus::TextEncoder::new()
            .encode_to_string(&families)
            .unwrap_or_else(|e| format!("# metrics could not be encoded: {e}\n"))
    }
}

/// The statuses the service answers with, as label values (no allocation per request).
const STATUSES: [(u16, &str); 20] = [
    (200, "200"),
    (201, "201"),
    (202, "202"),
    (204, "204"),
    (304, "304"),
    (400, "400"),
    (401, "401"),
    (403, "403"),
    (404, "404"),
    (405, "405"),
    (406, "406"),
    (409, "409"),
    (412, "412"),
    (413, "413"),
    (415, "415"),
    (422, "422"),
    (428, "428"),
    (429, "429"),
    (500, "500"),
    (503, "503"),
];

/// A status as a label: itself when common, else its class (`4xx`), so labels stay few.
fn status_label(status: u16) -> &'static str {
    match STATUSES.iter().find(|(code, _)| *code == status) {
        Some((_, label)) => label,
        None => match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        },
    }
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let metric = IntCounter::new(name, help).expect("a valid metric name");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric name");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let metric = IntGauge::new(name, help).expect("a valid metric name");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

fn gauge_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let metric = IntGaugeVec::new(Opts::new(name, help), labels).expect("a valid metric name");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

fn histogram(registry: &Registry, name: &str, help: &str, buckets: &[f64]) -> Histogram {
    let metric =
        Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec())).expect("a valid metric");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

fn histogram_vec(registry: &Registry, name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    let metric =
        HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels).expect("a valid metric");
    registry.register(Box::new(metric.clone())).expect("registered once");
    metric
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_registered_and_encodes() {
        let metrics = metrics();
        metrics.observe_request("GET", "/health/live", 200, Duration::from_micros(300));
        metrics
            .evaluations
            .with_label_values(&["bedfordshire-police", "tenant", "compliant"])
            .inc();
        let text = metrics.encode();
        assert!(text.contains("bluelight_http_requests_total{method=\"GET\",route=\"/health/live\",status=\"200\"}"));
        assert!(text.contains("# TYPE bluelight_http_request_duration_seconds histogram"));
        assert!(text.contains(
            "bluelight_rule_evaluations_total{layer=\"tenant\",outcome=\"compliant\",tenant=\"bedfordshire-police\"}"
        ));
    }

    #[test]
    fn statuses_outside_the_list_fall_in_their_class() {
        assert_eq!(status_label(418), "4xx");
        assert_eq!(status_label(502), "5xx");
        assert_eq!(status_label(201), "201");
    }
}
