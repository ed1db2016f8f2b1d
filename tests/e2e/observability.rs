//! What operators see: a request id on every response, and `/metrics` for national roles only,
//! moving with the traffic. (The scrape is also read by Prometheus's own parser, and the JSON
//! log lines checked, from outside the process: tests/contract/python/operations.py.)

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::rules::procurement_body;
use crate::support::{Options, TestApp, send};

const REQUEST_ID: &str = "x-request-id";

fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(REQUEST_ID)
        .unwrap_or_else(|| panic!("no {REQUEST_ID} on {} {}", response.status(), response.url()))
        .to_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn every_response_carries_a_request_id_the_callers_when_usable() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    // Answers of every kind: a read, no token, an unknown path, a wrong method, a bad query.
    let responses = [
        app.get("/api/v1/categories", &token).await,
        app.get_anonymous("/api/v1/categories").await,
        app.get_anonymous("/no/such/path").await,
        send(app.request(Method::DELETE, "/health/live")).await,
        app.get("/api/v1/categories?limit=0", &token).await,
    ];
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 401, 404, 405, 422]);
    let mut ids: Vec<String> = responses.iter().map(request_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each request has its own id: {ids:?}");

    // A gateway's id is kept, so the request can be found in our logs by it.
    let traced = send(
        app.request(Method::GET, "/health/live")
            .header(REQUEST_ID, "gateway-7f3a:0001"),
    )
    .await;
    assert_eq!(request_id(&traced), "gateway-7f3a:0001");
    // One that would not fit a log line unescaped is replaced.
    for unusable in ["two words", &"x".repeat(129)] {
        let replaced = send(app.request(Method::GET, "/health/live").header(REQUEST_ID, unusable)).await;
        let id = request_id(&replaced);
        assert!(id != unusable && !id.is_empty(), "{unusable:?} was kept as {id:?}");
    }
}

#[actix_web::test]
async fn metrics_are_for_national_roles() {
    let app = TestApp::spawn().await;
    app.tenant_with_category("metrics-police").await;
    assert_eq!(app.get_anonymous("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    for token in [app.buyer_of("metrics-police"), app.tenant_admin_of("metrics-police")] {
        assert_eq!(app.get("/metrics", &token).await.status(), StatusCode::FORBIDDEN);
    }
    for token in [app.national_viewer(), app.national_admin()] {
        let response = app.get("/metrics", &token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
    }
}

/// A sample's value in a scrape, or 0 when it is not there yet.
fn sample(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

#[actix_web::test]
async fn the_scrape_moves_with_requests_and_evaluations() {
    // The demo data has the national rules layer active; a new fire service has no plugin of
    // its own, so the national layer alone decides its procurements.
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let tenant = "metrics-moves-fire";
    app.create_tenant(tenant, "fire", "yorkshire-and-the-humber").await;
    let scrape = || async { app.get("/metrics", &app.national_viewer()).await.text().await.unwrap() };
    let requests = r#"bluelight_http_requests_total{method="GET",route="/api/v1/categories/{slug}",status="200"}"#;
    let evaluations = |scrape: &str| -> f64 {
        ["compliant", "non_compliant", "failed"]
            .iter()
            .map(|outcome| {
                let series = format!(
                    r#"bluelight_rule_evaluations_total{{layer="national",outcome="{outcome}",tenant="{tenant}"}}"#
                );
                sample(scrape, &series)
            })
            .sum()
    };

    let before = scrape().await;
    for _ in 0..3 {
        let response = app
            .get("/api/v1/categories/uniform-garments", &app.buyer_of(tenant))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let draft = json!({"procurement": procurement_body("MET-1", "5000.00", "single_quote")});
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{tenant}/evaluate"),
            &app.buyer_of(tenant),
            &draft,
        )
        .await;
    let status = response.status();
    assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    let after = scrape().await;

    // Other tests share the process's registry and may read the same route, so at least.
    assert!(sample(&after, requests) >= sample(&before, requests) + 3.0, "{after}");
    // Only this test evaluates for this tenant: exactly one.
    assert_eq!(evaluations(&after) - evaluations(&before), 1.0, "{after}");
    for family in [
        "# TYPE bluelight_http_request_duration_seconds histogram",
        "# TYPE bluelight_rule_evaluation_fuel histogram",
        "# TYPE bluelight_db_pool_wait_seconds histogram",
        "bluelight_db_pool_connections{state=\"in_use\"}",
        "bluelight_webhook_deliveries{status=\"pending\"}",
        "bluelight_imports_running",
    ] {
        assert!(after.contains(family), "{family} missing from:\n{after}");
    }
}
