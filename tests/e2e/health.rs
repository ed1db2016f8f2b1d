//! Probes, the served OpenAPI document, and the interactive docs page.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use crate::support::{TestApp, content_type, json_ok};

#[actix_web::test]
async fn liveness_and_readiness_answer_without_a_token() {
    let app = TestApp::spawn().await;
    assert_eq!(
        json_ok(app.get_anonymous("/health/live").await).await,
        json!({"status": "ok"})
    );
    assert_eq!(
        json_ok(app.get_anonymous("/health/ready").await).await,
        json!({"status": "ready"})
    );
}

#[actix_web::test]
async fn openapi_document_is_3_1_with_a_bearer_scheme() {
    let app = TestApp::spawn().await;
    let doc = json_ok(app.get_anonymous("/openapi.json").await).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "OpenAPI version {version:?}");
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http", "{bearer}");
    assert_eq!(bearer["scheme"], "bearer", "{bearer}");
    assert_eq!(bearer["bearerFormat"], "JWT", "{bearer}");

    // Every /api/v1 operation asks for the bearer token, and so does the metrics scrape (counts
    // by tenant are for national roles); the probes do not.
    let paths = doc["paths"].as_object().expect("paths");
    assert!(
        paths.contains_key("/api/v1/tenants") && paths.contains_key("/api/v1/tenants/{slug}"),
        "{paths:?}"
    );
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let security = &operation["security"];
            if path.starts_with("/api/v1/") || path == "/metrics" {
                assert_eq!(security, &json!([{"bearer": []}]), "{method} {path}");
            } else {
                assert!(security.is_null(), "{method} {path} needs no token");
            }
        }
    }
    // What is served is what the crate generates (and what is committed, see `openapi.rs`).
    let generated: Value = serde_json::from_str(&bluelight_api::openapi::document_json()).unwrap();
    assert_eq!(doc, generated);
}

#[actix_web::test]
async fn docs_redirect_to_the_swagger_page_which_works_offline() {
    let app = TestApp::spawn().await;
    for path in ["/docs", "/"] {
        let response = app.get_anonymous(path).await;
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(response.headers().get(LOCATION).unwrap(), "/docs/", "{path}");
    }

    let page = app.get_anonymous("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(content_type(&page).starts_with("text/html"), "{}", content_type(&page));
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not load from elsewhere: {html}"
    );

    // Every script and stylesheet the page loads is served by the API itself.
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.ends_with(".js") || s.ends_with(".css"))
        .map(|s| s.trim_start_matches("./"))
        .collect();
    assert!(
        assets.contains(&"swagger-ui-bundle.js") && assets.contains(&"swagger-ui.css"),
        "{assets:?}"
    );
    for asset in assets {
        let response = app.get_anonymous(&format!("/docs/{asset}")).await;
        assert_eq!(response.status(), StatusCode::OK, "/docs/{asset}");
        assert!(!response.bytes().await.unwrap().is_empty(), "/docs/{asset} is empty");
    }
    let initializer = app
        .get_anonymous("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("/openapi.json"),
        "the page shows our document: {initializer}"
    );
}
