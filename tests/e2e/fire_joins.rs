//! A fire and rescue service joins through the API alone: created by a national admin, its
//! admin uploads its own rule plugin, it sees the frameworks open to fire and the joint
//! categories, records contracts and spend, gets KPIs, and no police force sees its data.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::commercial::Kind;
use crate::support::rules::procurement_body;
use crate::support::{Options, TestApp, assert_invalid_field, assert_problem, json_ok, json_with_status};

const FIRE: &str = "west-yorkshire-fire-and-rescue-service";

/// A live framework open to fire with a lot and an active supplier on it: (id, lot, supplier name).
async fn a_fire_framework_lot(app: &TestApp, token: &str) -> (String, i64, String) {
    let frameworks = app
        .items(
            &format!("/api/v1/frameworks?eligible_for={FIRE}&status=live&limit=200"),
            token,
        )
        .await;
    for summary in frameworks {
        let framework = json_ok(
            app.get(
                &format!("/api/v1/frameworks/{}", summary["id"].as_str().unwrap()),
                token,
            )
            .await,
        )
        .await;
        for lot in framework["lots"].as_array().unwrap() {
            let active = lot["suppliers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["status"] == "active");
            if let Some(supplier) = active {
                return (
                    framework["id"].as_str().unwrap().to_owned(),
                    lot["number"].as_i64().unwrap(),
                    supplier["name"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    panic!("no live framework open to fire with an awarded supplier");
}

#[actix_web::test]
async fn a_fire_and_rescue_service_joins_through_the_api_alone() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;

    // 1. The national team creates the tenant: no code change, no restart.
    let tenant = app.create_tenant(FIRE, "fire", "yorkshire-and-the-humber").await;
    assert_eq!(tenant["kind"], "fire");

    // 2. Its admin uploads its own standing orders as a rule plugin, and activates them.
    let version = app
        .install_plugin(FIRE, bluelight_rules_bundled::west_yorkshire_fire())
        .await;
    assert_eq!(version, 1);
    let plugin = json_ok(
        app.get(&format!("/api/v1/tenants/{FIRE}/rule-plugins/1"), &app.viewer_of(FIRE))
            .await,
    )
    .await;
    assert_eq!(plugin["fixtures_passed"], plugin["fixtures_total"]);

    // 3. It sees the frameworks open to fire, and the joint categories.
    let viewer = app.viewer_of(FIRE);
    let open = app
        .items(&format!("/api/v1/frameworks?eligible_for={FIRE}&limit=200"), &viewer)
        .await;
    assert!(!open.is_empty());
    for framework in &open {
        assert!(
            framework["eligibility"] == "fire" || framework["eligibility"] == "both",
            "{framework}"
        );
    }
    let joint = app
        .items("/api/v1/categories?joint_with_fire=true&limit=200", &viewer)
        .await;
    assert!(!joint.is_empty());

    // 4. Its buyers record a procurement, have it checked against its own rules, and award it.
    let mut body = procurement_body("WYF-2026-001", "8500.00", "single_quote");
    body["quotes"][0]["supplier_name"] = json!("Calder Valley Workwear Ltd");
    body["quotes"][0]["amount"] = json!("8500.00");
    let procurement = app.create_procurement(FIRE, &body).await;
    let id = procurement["id"].as_str().unwrap();
    let decision = json_with_status(app.evaluate(FIRE, id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");
    let buyer = app.buyer_of(FIRE);
    let awarded = app
        .post_json(
            &format!("/api/v1/tenants/{FIRE}/procurements/{id}/award"),
            &buyer,
            &json!({"start_date": "2025-05-01", "end_date": "2027-04-30", "savings": "400.00"}),
        )
        .await;
    let awarded = json_with_status(awarded, StatusCode::CREATED).await;
    assert_eq!(awarded["supplier_name"], "Calder Valley Workwear Ltd");

    // 5. It calls off a framework open to fire; a police-only framework is refused.
    let (framework_id, lot, supplier) = a_fire_framework_lot(&app, &viewer).await;
    let call_off = json!({
        "reference": "WYF-C-002", "title": "Appliance fleet call-off", "supplier_name": supplier,
        "category": json_ok(app.get(&format!("/api/v1/frameworks/{framework_id}"), &viewer).await).await["category"],
        "value": "250000.00", "start_date": "2025-04-01", "end_date": "2028-03-31",
        "arrangement": "national_framework", "framework_id": framework_id, "lot_number": lot
    });
    let response = app
        .post_json(&format!("/api/v1/tenants/{FIRE}/contracts"), &buyer, &call_off)
        .await;
    json_with_status(response, StatusCode::CREATED).await;
    let police_only = app
        .items("/api/v1/frameworks?limit=200", &viewer)
        .await
        .into_iter()
        .find(|f| f["eligibility"] == "police")
        .expect("a police-only framework in the demo data");
    let mut refused = call_off.clone();
    refused["reference"] = json!("WYF-C-003");
    refused["framework_id"] = police_only["id"].clone();
    refused["lot_number"] = json!(1);
    let response = app
        .post_json(&format!("/api/v1/tenants/{FIRE}/contracts"), &buyer, &refused)
        .await;
    assert_invalid_field(response, "framework_id").await;

    // 6. It imports its spend and gets its KPIs.
    app.import_completed(
        FIRE,
        Kind::Spend,
        &format!(
            "transaction_id,date,supplier,amount,contract_reference,supplier_locality\n\
             WYF-P-1,2025-06-02,Calder Valley Workwear Ltd,8500.00,WYF-2026-001,area\n\
             WYF-P-2,2025-09-15,\"{supplier}\",60000.00,WYF-C-002,\n\
             WYF-P-3,2025-10-01,Pennine Catering Ltd,1500.00,,area\n"
        ),
    )
    .await;
    let kpis = json_ok(
        app.get(
            &format!("/api/v1/tenants/{FIRE}/kpis?from=2025-04-01&to=2026-03-31"),
            &viewer,
        )
        .await,
    )
    .await;
    assert_eq!(kpis["total_spend"], "70000.00");
    let share = |key: &str| -> Value {
        kpis["spend_shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(share("spend_under_contract")["amount"], "68500.00");
    assert_eq!(share("national_framework_spend")["amount"], "60000.00");
    assert_eq!(share("local_spend_area")["amount"], "10000.00");
    // £400.00 over the award's 730 days, of which 335 fall in the year (1 May 2025 to
    // 31 March 2026).
    assert_eq!(kpis["savings"]["amount"], "183.56");

    // 7. No police force sees any of it; the national team does.
    let police = app.tenant_admin_of("west-yorkshire-police");
    for path in [
        format!("/api/v1/tenants/{FIRE}/contracts"),
        format!("/api/v1/tenants/{FIRE}/procurements"),
        format!("/api/v1/tenants/{FIRE}/spend"),
        format!("/api/v1/tenants/{FIRE}/kpis"),
        format!("/api/v1/tenants/{FIRE}/rule-plugins"),
        format!("/api/v1/tenants/{FIRE}/imports"),
        format!("/api/v1/tenants/{FIRE}/ocds/releases"),
    ] {
        assert_problem(app.get(&path, &police).await, 403, "forbidden").await;
        assert_eq!(
            app.get(&path, &app.national_viewer()).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    assert_problem(app.get("/api/v1/national/suppliers", &police).await, 403, "forbidden").await;
    let national = json_ok(
        app.get(
            "/api/v1/national/suppliers?from=2025-04-01&to=2026-03-31&limit=500",
            &app.national_viewer(),
        )
        .await,
    )
    .await;
    let calder = national["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["supplier_name"] == "Calder Valley Workwear Ltd")
        .expect("the fire service's supplier in the national view");
    assert_eq!(calder["tenants"], json!([FIRE]));
}
