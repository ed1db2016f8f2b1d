//! The national rules layer end to end: the Procurement Act 2023 checked beside a force's own
//! rules in one decision, a fire service with no rules of its own still judged by the Act, the
//! national lifecycle kept to national admins, and version 1 and version 2 plugins side by side,
//! with a decision recorded before the national layer replaying exactly as it was.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::today;
use crate::support::database;
use crate::support::rules::procurement_body;
use crate::support::{Options, TestApp, assert_invalid_field, assert_problem, json_ok, json_with_status};

const CHESHIRE: &str = "cheshire-constabulary";
const FIRE: &str = "west-yorkshire-fire-and-rescue-service";

/// £180,000 excluding VAT (£216,000 including, over the £207,720 sub-central threshold) of
/// services bought on three quotes, with no notice: what Cheshire's own documents allow.
fn cheshire_services_on_three_quotes(reference: &str) -> Value {
    json!({
        "reference": reference,
        "title": "Force-wide training needs analysis",
        "value": "180000.00",
        "vat": "exclusive",
        "contract_type": "services",
        "category": "uniform-garments",
        "route": "multiple_quotes",
        "quotes": [
            {"supplier_name": "Dee Valley Consulting Ltd", "amount": "180000.00", "local": true, "sme": true},
            {"supplier_name": "Mersey Learning Ltd", "amount": "186500.00", "local": true, "sme": true},
            {"supplier_name": "Pennine Skills plc", "amount": "192000.00", "local": false}
        ],
        "social_value_relevant": false
    })
}

fn findings_from<'a>(decision: &'a Value, source: &str) -> Vec<&'a Value> {
    decision["decision"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == source)
        .collect()
}

#[actix_web::test]
async fn a_cheshire_purchase_over_the_threshold_on_quotes_breaks_the_act_and_a_tendered_one_does_not() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;

    let on_quotes = app
        .create_procurement(CHESHIRE, &cheshire_services_on_three_quotes("CHE-PA23-1"))
        .await;
    let response = app.evaluate(CHESHIRE, on_quotes["id"].as_str().unwrap()).await;
    let decision = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "non_compliant", "{decision}");
    // Cheshire's own rules find nothing wrong: the violation is the Act's, and says so.
    assert!(
        findings_from(&decision, CHESHIRE)
            .iter()
            .all(|f| f["severity"] != "violation"),
        "{decision}"
    );
    let national = findings_from(&decision, "national");
    let violation = national
        .iter()
        .find(|f| f["severity"] == "violation")
        .unwrap_or_else(|| panic!("a national violation: {decision}"));
    assert_eq!(violation["rule_id"], "PA23-PROCEDURE");
    assert!(
        violation["policy_clause"]
            .as_str()
            .unwrap()
            .starts_with("Procurement Act 2023"),
        "{violation}"
    );
    assert!(
        violation["message"].as_str().unwrap().contains("216,000"),
        "{violation}"
    );
    // Both layers are on the record, each with its version and hash.
    assert_eq!(decision["plugin_version"], 1);
    assert_eq!(decision["national_plugin_version"], 1);
    assert_eq!(decision["national_plugin_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(violation["plugin_version"], 1);
    assert_eq!(violation["plugin_sha256"], decision["national_plugin_sha256"]);
    let sources: Vec<&str> = decision["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, [CHESHIRE, "national"]);
    // The procurement carries the combined outcome.
    let stored = json_ok(
        app.get(
            &format!(
                "/api/v1/tenants/{CHESHIRE}/procurements/{}",
                on_quotes["id"].as_str().unwrap()
            ),
            &app.viewer_of(CHESHIRE),
        )
        .await,
    )
    .await;
    assert_eq!(stored["last_outcome"], "non_compliant");

    // The same purchase run as the Act asks: an open procedure with a tender notice and a
    // conflicts assessment.
    let mut tendered = cheshire_services_on_three_quotes("CHE-PA23-2");
    tendered["route"] = json!("open_tender");
    tendered["published"] = json!(true);
    tendered["procedure"] = json!("open");
    tendered["conflicts_assessed"] = json!(true);
    tendered["notices"] = json!([{"kind": "tender_notice", "published_on": today().pred_opt().unwrap().to_string()}]);
    tendered["weightings"] = json!({"price": "60", "quality": "30", "social_value": "10"});
    tendered["social_value_relevant"] = json!(true);
    let tendered = app.create_procurement(CHESHIRE, &tendered).await;
    assert_eq!(tendered["procedure"], "open");
    assert_eq!(tendered["notices"][0]["kind"], "tender_notice");
    let response = app.evaluate(CHESHIRE, tendered["id"].as_str().unwrap()).await;
    let decision = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");
    assert!(!findings_from(&decision, "national").is_empty(), "{decision}");
    assert_eq!(decision["input"]["procedure"], "open");
    assert_eq!(decision["input"]["authority_type"], "sub_central");
}

#[actix_web::test]
async fn the_acts_fields_are_validated_with_the_field_at_fault() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let path = format!("/api/v1/tenants/{CHESHIRE}/procurements");
    let buyer = app.buyer_of(CHESHIRE);
    let cases = [
        (
            json!({"direct_award": {"ground": "urgency", "evidence": "Flooded custody suite"}}),
            "direct_award",
        ),
        (
            json!({"procedure": "direct_award", "direct_award": {"ground": "urgency", "evidence": "  "}}),
            "direct_award.evidence",
        ),
        (json!({"procedure": "framework_call_off"}), "procedure"),
        (
            json!({"single_tender_justification": {"sole_supplier_evidence": "Only maker", "market_engagement": "Notice"}}),
            "single_tender_justification",
        ),
        (
            json!({"approvals": [{"approver": "", "role": "head_of_procurement", "approved_on": "2026-06-01"}]}),
            "approvals[0].approver",
        ),
        (json!({"kpis_set": 1001}), "kpis_set"),
        (
            json!({"notices": [{"kind": "tender_notice", "published_on": "1066-10-14"}]}),
            "notices[0].published_on",
        ),
    ];
    for (i, (change, field)) in cases.into_iter().enumerate() {
        let mut body = cheshire_services_on_three_quotes(&format!("CHE-BAD-{i}"));
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = app.post_json(&path, &buyer, &body).await;
        assert_invalid_field(response, field).await;
    }
    // Nothing was half-written.
    let stored = app.items(&format!("{path}?q=CHE-BAD"), &buyer).await;
    assert!(stored.is_empty(), "{stored:?}");

    // A PATCH sets, replaces and clears them.
    let created = app
        .create_procurement(CHESHIRE, &cheshire_services_on_three_quotes("CHE-PATCH"))
        .await;
    let item = format!("{path}/{}", created["id"].as_str().unwrap());
    let etag = app.current_etag(&item).await;
    let approval = json!({"approver": "A. Buyer", "role": "head_of_procurement", "approved_on": "2026-06-01"});
    let patched = app
        .patch_json(
            &item,
            &buyer,
            Some(&etag),
            &json!({"approvals": [approval], "kpis_set": 3, "light_touch": true}),
        )
        .await;
    let patched = json_ok(patched).await;
    assert_eq!(patched["approvals"], json!([approval]));
    assert_eq!(patched["kpis_set"], 3);
    assert_eq!(patched["light_touch"], true);
    let etag = app.current_etag(&item).await;
    let cleared = json_ok(
        app.patch_json(&item, &buyer, Some(&etag), &json!({"approvals": [], "procedure": null}))
            .await,
    )
    .await;
    assert_eq!(cleared["approvals"], json!([]));
    assert_eq!(cleared["procedure"], Value::Null);
    assert_eq!(cleared["kpis_set"], 3);
}

#[actix_web::test]
async fn a_fire_service_with_no_rules_of_its_own_gets_the_national_decision() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    app.create_tenant(FIRE, "fire", "yorkshire-and-the-humber").await;
    // £250,000 excluding VAT on one quote: over the threshold with no procedure.
    let mut body = procurement_body("WYF-PA23-1", "250000.00", "single_quote");
    body["contract_type"] = json!("services");
    let procurement = app.create_procurement(FIRE, &body).await;
    let id = procurement["id"].as_str().unwrap();

    let decision = json_with_status(app.evaluate(FIRE, id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "non_compliant", "{decision}");
    assert_eq!(decision["plugin_version"], Value::Null);
    assert_eq!(decision["national_plugin_version"], 1);
    let findings = decision["decision"]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["source"] == "national"), "{decision}");
    assert_eq!(decision["layers"].as_array().unwrap().len(), 1);

    // A draft and a replay go through the national layer alone too.
    let draft = app
        .post_json(
            &format!("/api/v1/tenants/{FIRE}/evaluate"),
            &app.buyer_of(FIRE),
            &json!({"procurement": procurement_body("WYF-PA23-D", "5000.00", "single_quote")}),
        )
        .await;
    let draft = json_ok(draft).await;
    assert_eq!(draft["decision"]["outcome"], "compliant", "{draft}");
    let replay = app
        .post_json(
            &format!(
                "/api/v1/tenants/{FIRE}/decisions/{}/replay",
                decision["id"].as_str().unwrap()
            ),
            &app.buyer_of(FIRE),
            &json!({}),
        )
        .await;
    let replay = json_ok(replay).await;
    assert_eq!(replay["same_as_recorded"], true, "{replay}");
}

#[actix_web::test]
async fn with_neither_layer_an_evaluation_is_refused_as_no_active_rule_plugin() {
    let app = TestApp::spawn().await;
    app.tenant_with_category("new-test-constabulary").await;
    let procurement = app
        .create_procurement(
            "new-test-constabulary",
            &procurement_body("NEW-1", "5000.00", "single_quote"),
        )
        .await;
    let response = app
        .evaluate("new-test-constabulary", procurement["id"].as_str().unwrap())
        .await;
    assert_problem(response, 409, "no_active_rule_plugin").await;
}

#[actix_web::test]
async fn only_a_national_admin_uploads_backtests_and_activates_the_national_rules() {
    let app = TestApp::spawn().await;
    app.tenant_with_category("new-test-constabulary").await;
    // No tenant may take the national layer's name.
    let response = app
        .post_json(
            "/api/v1/tenants",
            &app.national_admin(),
            &crate::support::tenant_body("national", "police", "eastern"),
        )
        .await;
    assert_invalid_field(response, "slug").await;
    let wasm = bluelight_rules_bundled::national_plugins()[0].wasm;
    let path = "/api/v1/national/rule-plugins";
    for token in [
        app.tenant_admin_of("new-test-constabulary"),
        app.buyer_of("new-test-constabulary"),
        app.national_viewer(),
    ] {
        let response = app.post_bytes(path, &token, Some("application/wasm"), wasm).await;
        assert_problem(response, 403, "forbidden").await;
    }
    // A force's plugin is not a national one.
    let force = bluelight_rules_bundled::seed_plugins()[0].wasm;
    let response = app
        .post_bytes(path, &app.national_admin(), Some("application/wasm"), force)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let uploaded = app
        .post_bytes(path, &app.national_admin(), Some("application/wasm"), wasm)
        .await;
    let uploaded = json_with_status(uploaded, StatusCode::CREATED).await;
    assert_eq!(uploaded["version"], 1);
    assert_eq!(uploaded["interface_version"], "2.0.0");
    assert_eq!(uploaded["fixtures"]["all_passed"], true, "{uploaded}");
    assert_eq!(uploaded["active"], false);

    // A tenant admin can neither backtest nor activate it.
    for action in ["backtest", "activate"] {
        let response = app
            .post_json(
                &format!("{path}/1/{action}"),
                &app.tenant_admin_of("new-test-constabulary"),
                &json!({}),
            )
            .await;
        assert_problem(response, 403, "forbidden").await;
    }

    // The backtest runs every tenant's stored procurements; nothing is in force yet.
    let procurement = app
        .create_procurement(
            "new-test-constabulary",
            &procurement_body("NEW-2", "300000.00", "single_quote"),
        )
        .await;
    let backtest = json_ok(
        app.post_json(&format!("{path}/1/backtest"), &app.national_admin(), &json!({}))
            .await,
    )
    .await;
    assert_eq!(backtest["active_version"], Value::Null);
    assert_eq!(backtest["procurements"], 1, "{backtest}");
    assert_eq!(backtest["tenants"][0]["tenant"], "new-test-constabulary");
    assert_eq!(
        backtest["tenants"][0]["changed"][0]["procurement_id"],
        procurement["id"]
    );
    assert_eq!(
        backtest["tenants"][0]["changed"][0]["candidate_outcome"],
        "non_compliant"
    );

    let activated = json_ok(
        app.post_json(&format!("{path}/1/activate"), &app.national_admin(), &json!({}))
            .await,
    )
    .await;
    assert_eq!(activated["active"], true);
    // Every tenant is now judged by it, even one with no plugin of its own.
    let decision = json_with_status(
        app.evaluate("new-test-constabulary", procurement["id"].as_str().unwrap())
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(decision["national_plugin_version"], 1);
    assert_eq!(decision["decision"]["outcome"], "non_compliant");
    // Anyone signed in can read which national rules are in force.
    let listed = app.items(path, &app.viewer_of("new-test-constabulary")).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["active"], true);
}

#[actix_web::test]
async fn version_1_and_version_2_plugins_run_side_by_side_and_a_version_1_decision_replays_unchanged() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.viewer_of(CHESHIRE);
    let force = app
        .items(&format!("/api/v1/tenants/{CHESHIRE}/rule-plugins"), &viewer)
        .await;
    assert_eq!(force[0]["interface_version"], "1.0.0");
    let national = app.items("/api/v1/national/rule-plugins", &viewer).await;
    assert_eq!(national[0]["interface_version"], "2.0.0");
    // Beside it, forces whose rules needed the new input run on version 2 too.
    for v2_force in ["bedfordshire-police", "lancashire-constabulary"] {
        let plugins = app
            .items(
                &format!("/api/v1/tenants/{v2_force}/rule-plugins"),
                &app.viewer_of(v2_force),
            )
            .await;
        assert_eq!(plugins[0]["interface_version"], "2.0.0", "{v2_force}");
    }

    // One evaluation runs both: the v1 force plugin and the v2 national one.
    let procurement = app
        .create_procurement(CHESHIRE, &procurement_body("CHE-V1V2", "45000.00", "single_quote"))
        .await;
    let decision = json_with_status(
        app.evaluate(CHESHIRE, procurement["id"].as_str().unwrap()).await,
        StatusCode::CREATED,
    )
    .await;
    let sources: Vec<&str> = decision["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, [CHESHIRE, "national"]);
    assert!(!findings_from(&decision, CHESHIRE).is_empty());
    assert!(!findings_from(&decision, "national").is_empty());

    // A decision as it was stored before the national layer and interface v2: the tenant's
    // v1 plugin alone, and an input with only the v1 fields.
    let id = decision["id"].as_str().unwrap();
    let mut v1_input = decision["input"].clone();
    for field in [
        "authority_type",
        "light_touch",
        "procedure",
        "direct_award",
        "notices",
        "conflicts_assessed",
        "kpis_set",
        "approvals",
        "single_tender_justification",
    ] {
        v1_input.as_object_mut().unwrap().remove(field);
    }
    let recorded_tenant_layer = decision["layers"][0]["decision"].clone();
    database::execute(
        &app.database_url(),
        format!(
            "UPDATE rule_decisions SET national_plugin_id = NULL, national_plugin_version = NULL, \
             national_plugin_sha256 = NULL, national_decision = NULL, input = '{}' WHERE id = '{id}'",
            v1_input.to_string().replace('\'', "''")
        ),
    )
    .await;
    let stored = json_ok(
        app.get(&format!("/api/v1/tenants/{CHESHIRE}/decisions/{id}"), &viewer)
            .await,
    )
    .await;
    assert_eq!(stored["national_plugin_version"], Value::Null);
    assert_eq!(stored["layers"].as_array().unwrap().len(), 1);

    let replay = json_ok(
        app.post_json(
            &format!("/api/v1/tenants/{CHESHIRE}/decisions/{id}/replay"),
            &app.buyer_of(CHESHIRE),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(replay["same_as_recorded"], true, "{replay}");
    let layers = replay["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "{replay}");
    assert_eq!(layers[0]["source"], CHESHIRE);
    assert_eq!(layers[0]["decision"], recorded_tenant_layer);
}
