//! A tenant's procurements: create, read, list with filters and pagination, update with
//! If-Match, and validation that names every field at fault.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::rules::procurement_body;
use crate::support::{TestApp, assert_invalid_field, assert_problem, error_fields, etag, json_ok, json_with_status};

const TENANT: &str = "bedfordshire-police";

fn path() -> String {
    format!("/api/v1/tenants/{TENANT}/procurements")
}

#[actix_web::test]
async fn a_buyer_records_reads_and_updates_a_procurement() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(TENANT).await;
    let buyer = app.buyer_of(TENANT);
    let mut body = procurement_body("BED-100", "12500.50", "multiple_quotes");
    body["weightings"] = json!({"price": "60", "quality": "37.5", "social_value": "2.5"});
    let response = app.post_json(&path(), &buyer, &body).await;
    let location = crate::support::catalogue::location(&response);
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(created["value"], "12500.50");
    assert_eq!(created["vat"], "exclusive");
    assert_eq!(created["weightings"]["social_value"], "2.5");
    assert_eq!(created["quotes"][0]["sme"], json!(true));
    assert_eq!(created["tenant"], TENANT);

    let response = app.get(&location, &buyer).await;
    let tag = etag(&response);
    assert_eq!(json_ok(response).await, created);

    let changes = json!({"route": "e_tender", "published": true, "weightings": null});
    assert_problem(
        app.patch_json(&location, &buyer, None, &changes).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.patch_json(&location, &buyer, Some("\"99\""), &changes).await,
        412,
        "precondition_failed",
    )
    .await;
    let response = app.patch_json(&location, &buyer, Some(&tag), &changes).await;
    assert_ne!(etag(&response), tag);
    let updated = json_ok(response).await;
    assert_eq!(updated["route"], "e_tender");
    assert_eq!(updated["weightings"], serde_json::Value::Null);
    assert_eq!(updated["reference"], "BED-100");

    // An update that breaks a rule is refused whole.
    let response = app.get(&location, &buyer).await;
    let tag = etag(&response);
    let response = app
        .patch_json(&location, &buyer, Some(&tag), &json!({"value": "-1.00"}))
        .await;
    assert_invalid_field(response, "value").await;
    assert_eq!(json_ok(app.get(&location, &buyer).await).await["value"], "12500.50");

    // References are unique within the tenant.
    let response = app
        .post_json(&path(), &buyer, &procurement_body("BED-100", "1.00", "single_quote"))
        .await;
    assert_problem(response, 409, "procurement_reference_exists").await;
}

#[actix_web::test]
async fn invalid_procurements_name_every_field_at_fault_and_store_nothing() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(TENANT).await;
    let buyer = app.buyer_of(TENANT);
    let body = json!({
        "reference": " ",
        "title": "Kit",
        "value": "-5.00",
        "contract_type": "goods",
        "category": "no-such-category",
        "route": "framework_call_off",
        "quotes": [{"amount": "1.00"}, {"supplier_id": "no-such-supplier", "amount": "-2.00"}],
        "weightings": {"price": "60", "quality": "30", "social_value": "5"},
    });
    let problem = assert_problem(app.post_json(&path(), &buyer, &body).await, 422, "validation_failed").await;
    let fields = error_fields(&problem);
    for field in [
        "reference",
        "value",
        "category",
        "framework_id",
        "quotes[0].supplier_name",
        "quotes[1].supplier_id",
        "quotes[1].amount",
        "weightings",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} not in {fields:?}");
    }
    // Wrong types and unknown fields are 422 too, never a 500.
    let mut wrong = procurement_body("BED-2", "1.00", "single_quote");
    wrong["value"] = json!(100.5);
    assert_invalid_field(app.post_json(&path(), &buyer, &wrong).await, "value").await;
    let mut unknown = procurement_body("BED-3", "1.00", "single_quote");
    unknown["colour"] = json!("blue");
    assert_problem(app.post_json(&path(), &buyer, &unknown).await, 422, "validation_failed").await;
    let mut bad_weight = procurement_body("BED-4", "1.00", "single_quote");
    bad_weight["weightings"] = json!({"price": "60.001", "quality": "30", "social_value": "10"});
    assert_invalid_field(app.post_json(&path(), &buyer, &bad_weight).await, "weightings.price").await;
    assert!(app.items(&path(), &buyer).await.is_empty());
}

#[actix_web::test]
async fn a_framework_call_off_names_a_real_lot() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(TENANT).await;
    let framework = app
        .create_framework(&crate::support::catalogue::framework_body(
            "RM-E2E-1",
            "uniform-garments",
        ))
        .await;
    let id = framework["id"].as_str().unwrap();
    let mut body = procurement_body("BED-CO-1", "20000.00", "framework_call_off");
    body["framework_id"] = json!(id);
    body["lot_number"] = json!(99);
    assert_invalid_field(app.post_json(&path(), &app.buyer_of(TENANT), &body).await, "lot_number").await;
    body["lot_number"] = json!(framework["lots"][0]["number"]);
    let created = app.create_procurement(TENANT, &body).await;
    assert_eq!(created["framework_id"], id);
}

#[actix_web::test]
async fn listing_visits_every_procurement_once_and_filters() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(TENANT).await;
    let buyer = app.buyer_of(TENANT);
    for i in 0..23 {
        let route = if i % 2 == 0 { "single_quote" } else { "multiple_quotes" };
        app.create_procurement(TENANT, &procurement_body(&format!("BED-{i:03}"), "100.00", route))
            .await;
    }
    let (items, pages) = app.list_all(&path(), &buyer, 5).await;
    assert_eq!(items.len(), 23);
    assert_eq!(pages, 5);
    let mut references: Vec<&str> = items.iter().map(|p| p["reference"].as_str().unwrap()).collect();
    references.dedup();
    assert_eq!(references.len(), 23);
    assert_eq!(
        app.items(&format!("{}?route=single_quote", path()), &buyer).await.len(),
        12
    );
    assert_eq!(app.items(&format!("{}?q=bed-01", path()), &buyer).await.len(), 10);
    assert_eq!(
        app.items(&format!("{}?outcome=unevaluated", path()), &buyer)
            .await
            .len(),
        23
    );
    assert_eq!(
        app.items(&format!("{}?outcome=compliant", path()), &buyer).await.len(),
        0
    );
    assert_invalid_field(app.get(&format!("{}?outcome=maybe", path()), &buyer).await, "outcome").await;
}
