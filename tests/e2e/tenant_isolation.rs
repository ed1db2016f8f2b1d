//! Tenant isolation across every tenant-scoped endpoint: a force never reads or changes another
//! force's procurements, plugins or decisions, whatever path, id or token it tries.

use bluelight_rules_bundled::seed_plugins;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::rules::procurement_body;
use crate::support::{TestApp, assert_problem, json_ok, json_with_status, send};

const A: &str = "bedfordshire-police";
const B: &str = "cheshire-constabulary";

struct Tenant {
    procurement: String,
    decision: String,
}

async fn set_up(app: &TestApp, slug: &str) -> Tenant {
    app.tenant_with_category(slug).await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == slug).unwrap().wasm;
    app.install_plugin(slug, wasm).await;
    let procurement = app
        .create_procurement(slug, &procurement_body(&format!("{slug}-1"), "900.00", "single_quote"))
        .await;
    let procurement = procurement["id"].as_str().unwrap().to_owned();
    let decision = json_with_status(app.evaluate(slug, &procurement).await, StatusCode::CREATED).await;
    Tenant {
        procurement,
        decision: decision["id"].as_str().unwrap().to_owned(),
    }
}

/// Every tenant-scoped call, for `tenant` in the path and the ids given.
fn calls(tenant: &str, procurement: &str, decision: &str) -> Vec<(Method, String, Option<Value>)> {
    let base = format!("/api/v1/tenants/{tenant}");
    vec![
        (Method::GET, format!("{base}/procurements"), None),
        (
            Method::POST,
            format!("{base}/procurements"),
            Some(procurement_body("X-1", "1.00", "single_quote")),
        ),
        (Method::GET, format!("{base}/procurements/{procurement}"), None),
        (
            Method::PATCH,
            format!("{base}/procurements/{procurement}"),
            Some(json!({"title": "taken over"})),
        ),
        (
            Method::POST,
            format!("{base}/procurements/{procurement}/evaluations"),
            Some(json!({})),
        ),
        (
            Method::GET,
            format!("{base}/procurements/{procurement}/evaluations"),
            None,
        ),
        (Method::GET, format!("{base}/decisions/{decision}"), None),
        (
            Method::POST,
            format!("{base}/decisions/{decision}/replay"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("{base}/evaluate"),
            Some(json!({"procurement": procurement_body("X-2", "1.00", "single_quote")})),
        ),
        (Method::GET, format!("{base}/rule-plugins"), None),
        (Method::GET, format!("{base}/rule-plugins/1"), None),
        (Method::POST, format!("{base}/rule-plugins/1/activate"), Some(json!({}))),
        (Method::POST, format!("{base}/rule-plugins/1/backtest"), Some(json!({}))),
    ]
}

async fn call(app: &TestApp, token: &str, method: &Method, path: &str, body: &Option<Value>) -> reqwest::Response {
    let mut request = app
        .request(method.clone(), path)
        .bearer_auth(token)
        .header("if-match", "\"1\"");
    if let Some(body) = body {
        request = request.json(body);
    }
    send(request).await
}

#[actix_web::test]
async fn a_force_never_reaches_another_forces_data() {
    let app = TestApp::spawn().await;
    let a = set_up(&app, A).await;
    let b = set_up(&app, B).await;
    let a_tokens = [app.viewer_of(A), app.buyer_of(A), app.tenant_admin_of(A)];

    // B's path, B's ids: refused outright for every role of A.
    for token in &a_tokens {
        for (method, path, body) in calls(B, &b.procurement, &b.decision) {
            let response = call(&app, token, &method, &path, &body).await;
            assert_problem(response, 403, "forbidden").await;
        }
        let upload = app.upload_plugin(B, token, seed_plugins()[1].wasm).await;
        assert_problem(upload, 403, "forbidden").await;
    }
    // A's own path with B's ids: B's records are simply not there.
    let admin = app.tenant_admin_of(A);
    for (method, path, body) in calls(A, &b.procurement, &b.decision) {
        if path.ends_with("/procurements") || path.contains("/rule-plugins") || path.ends_with("/evaluate") {
            continue; // these name no id of B's
        }
        let response = call(&app, &admin, &method, &path, &body).await;
        assert_problem(response, 404, "not_found").await;
    }
    // A supplier's staff reach no tenant's own data; a national viewer reads but cannot write.
    let supplier = app.supplier_staff("some-supplier");
    for (method, path, body) in calls(B, &b.procurement, &b.decision) {
        assert_problem(call(&app, &supplier, &method, &path, &body).await, 403, "forbidden").await;
    }
    let viewer = app.national_viewer();
    json_ok(
        app.get(&format!("/api/v1/tenants/{B}/procurements/{}", b.procurement), &viewer)
            .await,
    )
    .await;
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{B}/procurements"),
            &viewer,
            &procurement_body("V-1", "1.00", "single_quote"),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;

    // B's data is exactly as B left it.
    let b_viewer = app.viewer_of(B);
    let procurement = json_ok(
        app.get(
            &format!("/api/v1/tenants/{B}/procurements/{}", b.procurement),
            &b_viewer,
        )
        .await,
    )
    .await;
    assert_eq!(procurement["title"], format!("Procurement {B}-1"));
    assert_eq!(
        app.items(&format!("/api/v1/tenants/{B}/procurements"), &b_viewer)
            .await
            .len(),
        1
    );
    assert_eq!(
        app.items(&format!("/api/v1/tenants/{B}/rule-plugins"), &b_viewer)
            .await
            .len(),
        1
    );
    let log = app
        .items(
            &format!("/api/v1/tenants/{B}/procurements/{}/evaluations", b.procurement),
            &b_viewer,
        )
        .await;
    assert_eq!(log.len(), 1);
    // And each tenant admin's audit trail holds only its own tenant's events.
    for event in app.items("/api/v1/audit-events", &app.tenant_admin_of(B)).await {
        assert_eq!(event["tenant"], B, "{event}");
    }
    let _ = a;
}
