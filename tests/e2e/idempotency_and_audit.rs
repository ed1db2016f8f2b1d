//! Retried creates with `Idempotency-Key`, and the audit trail of changes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_problem, json_ok, json_with_status, send, tenant_body};

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    send(
        app.request(Method::POST, "/api/v1/tenants")
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn tenant_count(app: &TestApp) -> usize {
    app.list_all("/api/v1/tenants", &app.national_viewer(), 200)
        .await
        .0
        .len()
}

#[actix_web::test]
async fn a_retried_create_gets_the_first_response_and_creates_one_record() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let body = tenant_body("retry-fire", "fire", "wales");

    let first = post_with_key(&app, &admin, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("Idempotent-Replayed").is_none());
    let first_location = first.headers()["location"].to_str().unwrap().to_owned();
    let first_body = json_with_status(first, StatusCode::CREATED).await;

    let again = post_with_key(&app, &admin, "key-1", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"].to_str().unwrap(), first_location);
    assert_eq!(json_with_status(again, StatusCode::CREATED).await, first_body);
    assert_eq!(tenant_count(&app).await, 1);
}

#[actix_web::test]
async fn the_same_key_for_a_different_request_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let created = post_with_key(&app, &admin, "key-2", &tenant_body("first-fire", "fire", "wales")).await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let other = post_with_key(&app, &admin, "key-2", &tenant_body("second-fire", "fire", "wales")).await;
    assert_problem(other, 422, "idempotency_key_reused").await;
    assert_eq!(tenant_count(&app).await, 1);
}

#[actix_web::test]
async fn keys_belong_to_each_caller() {
    let app = TestApp::spawn().await;
    let alice = app.sign(&app.claims(&["national_admin"], None, None));
    let mut bob_claims = app.claims(&["national_admin"], None, None);
    bob_claims.sub = "bob@bluelight".into();
    let bob = app.sign(&bob_claims);
    assert_ne!(alice, bob);

    let by_alice = post_with_key(&app, &alice, "shared-key", &tenant_body("alice-fire", "fire", "wales")).await;
    assert_eq!(by_alice.status(), StatusCode::CREATED);
    let by_bob = post_with_key(&app, &bob, "shared-key", &tenant_body("bob-fire", "fire", "wales")).await;
    assert_eq!(by_bob.status(), StatusCode::CREATED, "bob's key is not alice's");
    assert_eq!(tenant_count(&app).await, 2);
}

#[actix_web::test]
async fn a_refused_create_is_replayed_rather_than_run_again() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let invalid = json!({"slug": "Not A Slug", "name": "x", "kind": "fire", "region": "wales"});
    assert_problem(
        post_with_key(&app, &admin, "key-3", &invalid).await,
        422,
        "validation_failed",
    )
    .await;
    let again = post_with_key(&app, &admin, "key-3", &invalid).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_problem(again, 422, "validation_failed").await;
}

#[actix_web::test]
async fn an_overlong_key_is_refused() {
    let app = TestApp::spawn().await;
    let key = "k".repeat(256);
    let response = post_with_key(
        &app,
        &app.national_admin(),
        &key,
        &tenant_body("long-key", "fire", "wales"),
    )
    .await;
    assert_problem(response, 422, "validation_failed").await;
    assert_eq!(tenant_count(&app).await, 0);
}

#[actix_web::test]
async fn changes_are_in_the_audit_trail_with_who_made_them() {
    let app = TestApp::spawn().await;
    let mut claims = app.claims(&["national_admin"], None, None);
    claims.sub = "carol@bluelight".into();
    let carol = app.sign(&claims);
    let created = app
        .post_json("/api/v1/tenants", &carol, &tenant_body("audited-fire", "fire", "wales"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let updated = app
        .patch_json(
            "/api/v1/tenants/audited-fire",
            &carol,
            Some(&etag),
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);

    let events = json_ok(
        app.get(
            "/api/v1/audit-events?resource_type=tenant&resource_id=audited-fire",
            &app.national_viewer(),
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tenant.created", "tenant.updated"]);
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "carol@bluelight")
    );
    assert_eq!(events["items"][1]["detail"]["name"], "Renamed");

    let by_someone_else = json_ok(app.get("/api/v1/audit-events?actor=dave", &app.national_viewer()).await).await;
    assert_eq!(by_someone_else["items"], json!([]));
}

#[actix_web::test]
async fn a_tenant_admin_sees_only_its_own_tenants_audit_events_and_others_none() {
    let app = TestApp::spawn().await;
    app.create_tenant("bedfordshire-police", "police", "eastern").await;
    let national = json_ok(app.get("/api/v1/audit-events", &app.national_viewer()).await).await;
    assert_eq!(
        national["items"].as_array().unwrap().len(),
        1,
        "the national team sees the tenant's creation"
    );

    let tenant_view = json_ok(
        app.get("/api/v1/audit-events", &app.tenant_admin_of("bedfordshire-police"))
            .await,
    )
    .await;
    assert_eq!(
        tenant_view["items"],
        json!([]),
        "national changes are not a tenant's events"
    );

    assert_problem(
        app.get("/api/v1/audit-events", &app.buyer_of("bedfordshire-police"))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get("/api/v1/audit-events", &app.supplier_staff("some-supplier"))
            .await,
        403,
        "forbidden",
    )
    .await;
}
