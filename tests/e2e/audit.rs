//! The audit trail of changes: who made each, and who may read it.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, assert_problem, json_ok, tenant_body};

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
