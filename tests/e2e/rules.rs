//! Force rules end to end: the seed plugins active in the demo data, a buyer's evaluation with
//! findings that cite the force's policy, the decision log and replays, drafts, a tenant admin's
//! upload / test / activate / roll back / backtest, and hostile plugins contained over HTTP.

use bluelight_rules_bundled::{core_module, hostile, revised_test_rules, seed_plugins, wrong_world};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::rules::{HOSTILE_TENANT, procurement_body};
use crate::support::{Options, TestApp, assert_invalid_field, assert_problem, json_ok, json_with_status};

const BEDFORDSHIRE: &str = "bedfordshire-police";

fn bedfordshire_wasm() -> &'static [u8] {
    seed_plugins().iter().find(|p| p.tenant == BEDFORDSHIRE).unwrap().wasm
}

#[actix_web::test]
async fn the_seed_forces_have_their_plugins_active_with_decisions_on_record() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    for seed in seed_plugins() {
        let token = app.viewer_of(seed.tenant);
        let versions = app
            .items(&format!("/api/v1/tenants/{}/rule-plugins", seed.tenant), &token)
            .await;
        assert_eq!(versions.len(), 1, "{}", seed.tenant);
        assert_eq!(versions[0]["active"], json!(true));
        assert_eq!(versions[0]["fixtures"]["all_passed"], json!(true));
        let rules = versions[0]["rules"].as_array().unwrap();
        assert!(!rules.is_empty(), "{}", seed.tenant);
        assert!(rules.iter().all(|r| !r["policy_clause"].as_str().unwrap().is_empty()));

        let procurements = app
            .items(&format!("/api/v1/tenants/{}/procurements", seed.tenant), &token)
            .await;
        assert!(procurements.len() >= 4, "{}", seed.tenant);
        for procurement in &procurements {
            assert!(procurement["last_outcome"].is_string(), "{procurement}");
            let id = procurement["id"].as_str().unwrap();
            let decisions = app
                .items(
                    &format!("/api/v1/tenants/{}/procurements/{id}/evaluations", seed.tenant),
                    &token,
                )
                .await;
            assert_eq!(decisions.len(), 1);
            assert_eq!(decisions[0]["decision"]["outcome"], procurement["last_outcome"]);
        }
    }
}

#[actix_web::test]
async fn a_buyer_evaluates_a_procurement_and_sees_findings_that_cite_the_policy() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    // £45,000 on one quote: Bedfordshire asks for three written quotes from £6,000.
    let procurement = app
        .create_procurement(BEDFORDSHIRE, &procurement_body("BED-E2E-1", "45000.00", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap();
    assert_eq!(procurement["last_outcome"], Value::Null);

    let response = app.evaluate(BEDFORDSHIRE, id).await;
    let location = crate::support::catalogue::location(&response);
    let decision = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "non_compliant");
    assert_eq!(decision["decision"]["required_route"], "multiple_quotes");
    let violation = decision["decision"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "violation")
        .expect("a violation");
    assert!(!violation["policy_clause"].as_str().unwrap().is_empty());
    assert!(!violation["message"].as_str().unwrap().is_empty());
    assert!(!violation["required_action"].as_str().unwrap().is_empty());
    // The log keeps who asked, the plugin version and hash, the exact input and the cost.
    assert_eq!(decision["requested_by"], "e2e-user");
    assert_eq!(decision["plugin_version"], 1);
    assert_eq!(decision["plugin_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(decision["input"]["value_pence"], 4_500_000);
    assert_eq!(
        decision["input"]["category"]["path"],
        json!(["uniform-and-ppe", "uniform-garments"])
    );
    assert!(decision["fuel_used"].as_i64().unwrap() > 0);

    let viewer = app.viewer_of(BEDFORDSHIRE);
    assert_eq!(json_ok(app.get(&location, &viewer).await).await["id"], decision["id"]);
    let procurement = json_ok(
        app.get(&format!("/api/v1/tenants/{BEDFORDSHIRE}/procurements/{id}"), &viewer)
            .await,
    )
    .await;
    assert_eq!(procurement["last_outcome"], "non_compliant");

    // Replaying against the same version gives the same decision.
    let replay = json_ok(
        app.post_json(&format!("{location}/replay"), &app.buyer_of(BEDFORDSHIRE), &json!({}))
            .await,
    )
    .await;
    assert_eq!(replay["same_as_recorded"], json!(true));
    assert_eq!(replay["decision"], decision["decision"]);

    // A viewer may read but not ask for evaluations.
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{BEDFORDSHIRE}/procurements/{id}/evaluations"),
            &viewer,
            &json!({}),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;
}

#[actix_web::test]
async fn a_draft_is_evaluated_without_being_stored() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let buyer = app.buyer_of(BEDFORDSHIRE);
    let before = app
        .items(&format!("/api/v1/tenants/{BEDFORDSHIRE}/procurements"), &buyer)
        .await
        .len();
    let draft = json!({"procurement": procurement_body("BED-DRAFT-1", "5999.99", "single_quote"), "evaluation_date": "2026-11-23"});
    let decision = json_ok(
        app.post_json(&format!("/api/v1/tenants/{BEDFORDSHIRE}/evaluate"), &buyer, &draft)
            .await,
    )
    .await;
    assert_eq!(decision["outcome"], "compliant");
    assert_eq!(decision["active"], json!(true));
    assert_eq!(decision["input"]["evaluation_date"], "2026-11-23");
    let after = app
        .items(&format!("/api/v1/tenants/{BEDFORDSHIRE}/procurements"), &buyer)
        .await
        .len();
    assert_eq!(before, after);

    // The draft is validated as a recorded procurement would be.
    let mut bad = procurement_body("BED-DRAFT-2", "100.00", "single_quote");
    bad["weightings"] = json!({"price": "60", "quality": "30", "social_value": "5"});
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{BEDFORDSHIRE}/evaluate"),
            &buyer,
            &json!({"procurement": bad}),
        )
        .await;
    assert_invalid_field(response, "weightings").await;
}

#[actix_web::test]
async fn a_tenant_admin_uploads_tests_activates_and_rolls_back_a_plugin() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    let admin = app.tenant_admin_of(BEDFORDSHIRE);
    let base = format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins");

    // No plugin yet: a clear answer, not an error page.
    let procurement = app
        .create_procurement(BEDFORDSHIRE, &procurement_body("BED-1", "700.00", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let problem = assert_problem(app.evaluate(BEDFORDSHIRE, &id).await, 409, "no_active_rule_plugin").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("has an active rule plugin")
    );

    let response = app.upload_plugin(BEDFORDSHIRE, &admin, bedfordshire_wasm()).await;
    assert_eq!(response.headers()["location"], format!("{base}/1").as_str());
    let v1 = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["active"], json!(false));
    assert_eq!(v1["interface_version"], "2.0.0");
    assert_eq!(v1["fixtures"]["all_passed"], json!(true));
    assert!(v1["fixtures"]["total"].as_i64().unwrap() >= 6);

    // The same bytes again are the same version, not a new one.
    let again = json_ok(app.upload_plugin(BEDFORDSHIRE, &admin, bedfordshire_wasm()).await).await;
    assert_eq!(again["version"], 1);

    // Version 2: the same rules re-packaged with an extra custom section (different bytes).
    let mut repackaged = bedfordshire_wasm().to_vec();
    bluelight_rules_package::append_custom_section(&mut repackaged, "bluelight-build-note", b"rebuilt");
    let v2 = json_with_status(
        app.upload_plugin(BEDFORDSHIRE, &admin, &repackaged).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_ne!(v2["sha256"], v1["sha256"]);

    json_ok(app.post_json(&format!("{base}/2/activate"), &admin, &json!({})).await).await;
    let decision = json_with_status(app.evaluate(BEDFORDSHIRE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["plugin_version"], 2);

    // Roll back: activate version 1 again.
    json_ok(app.post_json(&format!("{base}/1/activate"), &admin, &json!({})).await).await;
    let versions = app.items(&base, &admin).await;
    let active: Vec<i64> = versions
        .iter()
        .filter(|v| v["active"] == json!(true))
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(active, vec![1]);
    let decision = json_with_status(app.evaluate(BEDFORDSHIRE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["plugin_version"], 1);

    // Replaying the version-1 decision against version 2 gives the same rules' answer.
    let replay = json_ok(
        app.post_json(
            &format!(
                "/api/v1/tenants/{BEDFORDSHIRE}/decisions/{}/replay?plugin_version=2",
                decision["id"].as_str().unwrap()
            ),
            &admin,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(replay["layers"][0]["plugin_version"], 2);
    assert_eq!(replay["same_as_recorded"], json!(true));

    // Every step is in the tenant's audit trail.
    let events = app
        .items("/api/v1/audit-events?resource_type=rule_plugin", &admin)
        .await;
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "rule_plugin.uploaded").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "rule_plugin.activated").count(), 2);

    // A buyer may not upload or activate.
    let buyer = app.buyer_of(BEDFORDSHIRE);
    assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &buyer, bedfordshire_wasm()).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json(&format!("{base}/2/activate"), &buyer, &json!({})).await,
        403,
        "forbidden",
    )
    .await;
}

#[actix_web::test]
async fn a_version_whose_fixtures_fail_is_not_activated() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    let admin = app.tenant_admin_of(BEDFORDSHIRE);
    // Bedfordshire's rules, packaged with a fixture that expects the wrong outcome.
    let fixture: bluelight_rules_package::fixture::Fixture = serde_json::from_value(json!({
        "name": "wrong-expectation",
        "description": "£45,000 on one quote is not compliant; this fixture says it is",
        "input": {
            "tenant": BEDFORDSHIRE, "reference": "X", "title": "X", "value_pence": 4_500_000, "vat": "exclusive",
            "contract_type": "goods", "category": {"slug": "uniform-garments", "path": ["uniform-and-ppe", "uniform-garments"]},
            "route": "single_quote", "quotes": [], "weightings": null, "social_value_relevant": false, "call_off": null,
            "published": false, "market_engagement_evidence": null, "evaluation_date": "2026-11-23"
        },
        "expect": {"outcome": "compliant", "required_route": "single_quote", "findings": []}
    }))
    .unwrap();
    let wasm = bluelight_rules_package::package(core_module(), &[fixture]).unwrap();
    let version = json_with_status(
        app.upload_plugin(BEDFORDSHIRE, &admin, &wasm).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(version["fixtures"]["all_passed"], json!(false));
    assert_eq!(version["fixtures"]["results"][0]["passed"], json!(false));
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins/1/activate"),
            &admin,
            &json!({}),
        )
        .await;
    let problem = assert_problem(response, 409, "plugin_fixtures_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("wrong-expectation"));
}

#[actix_web::test]
async fn uploads_that_are_not_plugins_of_our_world_are_refused_with_the_cause() {
    let app = TestApp::spawn_with(Options::default().with_plugin_limits(bluelight_rules::Limits {
        max_plugin_bytes: 512 << 10,
        ..crate::support::test_limits()
    }))
    .await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    let admin = app.tenant_admin_of(BEDFORDSHIRE);
    assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &admin, b"random bytes, not wasm").await,
        422,
        "plugin_not_a_component",
    )
    .await;
    assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &admin, core_module()).await,
        422,
        "plugin_not_a_component",
    )
    .await;
    let problem = app.upload_plugin(BEDFORDSHIRE, &admin, wrong_world()).await;
    let status = problem.status().as_u16();
    let body: Value = problem.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(
        ["plugin_wrong_interface", "plugin_forbidden_import"].contains(&body["code"].as_str().unwrap()),
        "{body}"
    );
    // Another force's rules cannot be installed as this force's.
    let cheshire = seed_plugins()
        .iter()
        .find(|p| p.tenant == "cheshire-constabulary")
        .unwrap()
        .wasm;
    assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &admin, cheshire).await,
        422,
        "plugin_tenant_mismatch",
    )
    .await;
    assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &admin, &vec![0u8; 600 << 10]).await,
        413,
        "payload_too_large",
    )
    .await;
    let response = crate::support::send(
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins"),
        )
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body(bedfordshire_wasm().to_vec()),
    )
    .await;
    assert_problem(response, 415, "unsupported_media_type").await;
    // Nothing was stored.
    assert!(
        app.items(&format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins"), &admin)
            .await
            .is_empty()
    );
}

/// A component far slower to compile than any rule plugin is refused at the compile deadline,
/// nothing is stored, and the service goes on (the host's tests show the compilation keeps its
/// slot until it finishes).
#[actix_web::test]
async fn an_upload_that_does_not_compile_by_the_deadline_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn_with(Options::default().with_plugin_limits(bluelight_rules::Limits {
        max_concurrent_compiles: 1,
        compile_deadline: std::time::Duration::from_millis(1),
        ..crate::support::test_limits()
    }))
    .await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    let admin = app.tenant_admin_of(BEDFORDSHIRE);
    let body = "i32.const 1 i32.add ".repeat(200_000);
    let slow = wat::parse_str(format!(
        "(component (core module (func (export \"f\") (result i32) i32.const 0 {body})))"
    ))
    .expect("valid WAT");
    let problem = assert_problem(
        app.upload_plugin(BEDFORDSHIRE, &admin, &slow).await,
        422,
        "plugin_compile_deadline_exceeded",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("1 ms"), "{problem}");
    let plugins = format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins");
    assert!(app.items(&plugins, &admin).await.is_empty());
    assert_eq!(app.get("/health/ready", &admin).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn hostile_plugins_are_contained_and_the_service_keeps_serving() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(HOSTILE_TENANT).await;
    app.install_plugin(HOSTILE_TENANT, hostile()).await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    app.install_plugin(BEDFORDSHIRE, bedfordshire_wasm()).await;
    let benign = app
        .create_procurement(BEDFORDSHIRE, &procurement_body("BED-OK", "500.00", "single_quote"))
        .await;
    let benign_id = benign["id"].as_str().unwrap().to_owned();

    for (reference, code) in [
        ("hostile:loop", "plugin_fuel_exhausted"),
        ("hostile:memory", "plugin_memory_exhausted"),
        ("hostile:panic", "plugin_trapped"),
        ("hostile:huge-output", "plugin_output_too_large"),
        // 100,000 findings cost more than the default instruction budget; the findings cap
        // itself is shown by the host's own tests, with a bigger budget.
        ("hostile:many-findings", "plugin_fuel_exhausted"),
        ("hostile:inconsistent", "plugin_inconsistent_decision"),
        ("hostile:recursion", "plugin_stack_overflow"),
        ("hostile:wild-read", "plugin_trapped"),
    ] {
        let procurement = app
            .create_procurement(HOSTILE_TENANT, &procurement_body(reference, "100.00", "single_quote"))
            .await;
        let id = procurement["id"].as_str().unwrap();
        // The hostile evaluation and another tenant's run side by side.
        let (hostile_response, other_response) =
            tokio::join!(app.evaluate(HOSTILE_TENANT, id), app.evaluate(BEDFORDSHIRE, &benign_id));
        let problem = hostile_response.json::<Value>().await.unwrap();
        assert_eq!(problem["status"], 422, "{reference}: {problem}");
        assert_eq!(problem["code"], code, "{reference}: {problem}");
        assert_eq!(other_response.status(), StatusCode::CREATED, "{reference}");
        // No decision was recorded for the failed evaluation.
        let log = app
            .items(
                &format!("/api/v1/tenants/{HOSTILE_TENANT}/procurements/{id}/evaluations"),
                &app.viewer_of(HOSTILE_TENANT),
            )
            .await;
        assert!(log.is_empty());
    }
    assert_eq!(app.get_anonymous("/health/live").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_backtest_reports_the_decisions_a_new_version_would_change() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(HOSTILE_TENANT).await;
    let admin = app.tenant_admin_of(HOSTILE_TENANT);
    for reference in ["ordinary-1", "ordinary-2", "hostile:panic"] {
        app.create_procurement(HOSTILE_TENANT, &procurement_body(reference, "100.00", "single_quote"))
            .await;
    }
    let version = json_with_status(
        app.upload_plugin(HOSTILE_TENANT, &admin, hostile()).await,
        StatusCode::CREATED,
    )
    .await["version"]
        .as_i64()
        .unwrap();
    // No active version yet: every decision the candidate can make is new; the one it cannot
    // make is reported, not fatal.
    let backtest = json_ok(
        app.post_json(
            &format!("/api/v1/tenants/{HOSTILE_TENANT}/rule-plugins/{version}/backtest?evaluation_date=2026-11-23"),
            &admin,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(backtest["procurements"], 3);
    assert_eq!(backtest["active_version"], Value::Null);
    assert_eq!(backtest["changed"].as_array().unwrap().len(), 2);
    assert_eq!(backtest["changed"][0]["candidate_outcome"], "compliant");
    assert_eq!(backtest["changed"][0]["current_outcome"], Value::Null);
    assert_eq!(backtest["failures"][0]["code"], "plugin_trapped");
    assert_eq!(backtest["failures"][0]["version"], "candidate");

    // Once active, the same version changes nothing.
    json_ok(
        app.post_json(
            &format!("/api/v1/tenants/{HOSTILE_TENANT}/rule-plugins/{version}/activate"),
            &admin,
            &json!({}),
        )
        .await,
    )
    .await;
    let backtest = json_ok(
        app.post_json(
            &format!("/api/v1/tenants/{HOSTILE_TENANT}/rule-plugins/{version}/backtest"),
            &admin,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(backtest["active_version"], version);
    assert_eq!(backtest["unchanged"], 2);
    assert!(backtest["changed"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn uploaded_versions_survive_a_restart_and_are_compiled_again_from_the_database() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    app.install_plugin(BEDFORDSHIRE, bedfordshire_wasm()).await;
    let procurement = app
        .create_procurement(BEDFORDSHIRE, &procurement_body("BED-R-1", "7000.00", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let before = json_with_status(app.evaluate(BEDFORDSHIRE, &id).await, StatusCode::CREATED).await;

    let restarted = app.second_instance().await;
    let versions = restarted
        .items(
            &format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins"),
            &restarted.viewer_of(BEDFORDSHIRE),
        )
        .await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["active"], json!(true));
    let after = json_with_status(restarted.evaluate(BEDFORDSHIRE, &id).await, StatusCode::CREATED).await;
    assert_eq!(after["plugin_sha256"], before["plugin_sha256"]);
    assert_eq!(after["decision"], before["decision"]);
    // A named, not yet active version is tried on a draft the same way.
    let draft = json!({"procurement": procurement_body("BED-R-2", "7000.00", "single_quote"), "plugin_version": 1});
    let decision = json_ok(
        restarted
            .post_json(
                &format!("/api/v1/tenants/{BEDFORDSHIRE}/evaluate"),
                &restarted.buyer_of(BEDFORDSHIRE),
                &draft,
            )
            .await,
    )
    .await;
    assert_eq!(decision["decision"], before["decision"]);
}

/// Generated clients upload the component as `application/octet-stream`; another tenant's admin
/// is refused before its media type is looked at.
#[actix_web::test]
async fn a_plugin_sent_as_octet_stream_is_stored_and_a_foreign_admin_is_refused_first() {
    let app = TestApp::spawn().await;
    app.create_tenant(BEDFORDSHIRE, "police", "eastern").await;
    app.create_tenant("cheshire-constabulary", "police", "north-west").await;
    let path = format!("/api/v1/tenants/{BEDFORDSHIRE}/rule-plugins");
    let upload = |token: String, content_type: &'static str| {
        crate::support::send(
            app.request(reqwest::Method::POST, &path)
                .bearer_auth(token)
                .header("content-type", content_type)
                .body(bedfordshire_wasm().to_vec()),
        )
    };
    let response = upload(app.tenant_admin_of("cheshire-constabulary"), "text/plain").await;
    assert_problem(response, 403, "forbidden").await;
    let response = upload(app.tenant_admin_of(BEDFORDSHIRE), "application/octet-stream").await;
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
}

/// A replay runs the input the decision recorded, not the procurement as it is now: after the
/// procurement is fixed, its old decision still replays as non-compliant, while a new evaluation
/// of the fixed procurement is compliant.
#[actix_web::test]
async fn a_replay_decides_on_the_recorded_input_after_the_procurement_has_changed() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let buyer = app.buyer_of(BEDFORDSHIRE);
    let procurement = app
        .create_procurement(
            BEDFORDSHIRE,
            &procurement_body("BED-E2E-REPLAY", "45000.00", "single_quote"),
        )
        .await;
    let id = procurement["id"].as_str().unwrap();
    let recorded = json_with_status(app.evaluate(BEDFORDSHIRE, id).await, StatusCode::CREATED).await;
    assert_eq!(recorded["decision"]["outcome"], "non_compliant");

    // Fixed: under £6,000 one written quote is enough.
    let path = format!("/api/v1/tenants/{BEDFORDSHIRE}/procurements/{id}");
    let tag = crate::support::etag(&app.get(&path, &buyer).await);
    let fix = json!({"value": "5000.00", "quotes": [{"supplier_name": "Ouse Valley Outfitters Ltd", "amount": "5000.00", "local": true}]});
    json_ok(app.patch_json(&path, &buyer, Some(&tag), &fix).await).await;

    let replay_path = format!(
        "/api/v1/tenants/{BEDFORDSHIRE}/decisions/{}/replay",
        recorded["id"].as_str().unwrap()
    );
    let replay = json_ok(app.post_json(&replay_path, &buyer, &json!({})).await).await;
    assert_eq!(replay["same_as_recorded"], json!(true));
    assert_eq!(replay["decision"], recorded["decision"]);
    assert_eq!(replay["decision"]["outcome"], "non_compliant");

    let now = json_with_status(app.evaluate(BEDFORDSHIRE, id).await, StatusCode::CREATED).await;
    assert_eq!(now["decision"]["outcome"], "compliant", "{now}");
    assert_eq!(now["input"]["value_pence"], 500_000);
    assert_eq!(recorded["input"]["value_pence"], 4_500_000);
}

/// Replayed against another version, a decision is made again by that version's rules on the
/// input that was recorded: the revision's differences show, and the procurement's later edits
/// do not.
#[actix_web::test]
async fn a_replay_against_a_revised_version_shows_the_revisions_difference_on_the_recorded_input() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(HOSTILE_TENANT).await;
    assert_eq!(app.install_plugin(HOSTILE_TENANT, hostile()).await, 1);
    let buyer = app.buyer_of(HOSTILE_TENANT);
    let admin = app.tenant_admin_of(HOSTILE_TENANT);
    let procurement = app
        .create_procurement(
            HOSTILE_TENANT,
            &procurement_body("REVISION-1", "6000.00", "single_quote"),
        )
        .await;
    let id = procurement["id"].as_str().unwrap();
    let recorded = json_with_status(app.evaluate(HOSTILE_TENANT, id).await, StatusCode::CREATED).await;
    assert_eq!(recorded["decision"]["outcome"], "compliant");
    assert_eq!(recorded["decision"]["findings"][0]["rule_id"], "HOSTILE-1");

    // The revision is uploaded, not activated; then the procurement is cut to £100.
    let v2 = json_with_status(
        app.upload_plugin(HOSTILE_TENANT, &admin, revised_test_rules()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v2["version"], 2);
    let path = format!("/api/v1/tenants/{HOSTILE_TENANT}/procurements/{id}");
    let tag = crate::support::etag(&app.get(&path, &buyer).await);
    let cut = json!({"value": "100.00", "quotes": [{"supplier_name": "Ouse Valley Outfitters Ltd", "amount": "100.00", "local": true}]});
    json_ok(app.patch_json(&path, &buyer, Some(&tag), &cut).await).await;

    let replay_path = format!(
        "/api/v1/tenants/{HOSTILE_TENANT}/decisions/{}/replay",
        recorded["id"].as_str().unwrap()
    );
    // Under the revision the recorded £6,000 on one quote breaks the £5,000 limit (the £100 it
    // is now would not).
    let revised = json_ok(
        app.post_json(&format!("{replay_path}?plugin_version=2"), &buyer, &json!({}))
            .await,
    )
    .await;
    assert_eq!(revised["layers"][0]["recorded_plugin_version"], 1);
    assert_eq!(revised["layers"][0]["plugin_version"], 2);
    assert_eq!(revised["same_as_recorded"], json!(false));
    let decision = &revised["decision"];
    assert_eq!(decision["outcome"], "non_compliant", "{revised}");
    assert_eq!(decision["required_route"], "multiple_quotes");
    let findings = decision["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{revised}");
    assert_eq!(findings[0]["rule_id"], "REVISED-1");
    assert_eq!(findings[0]["severity"], "violation");
    assert!(
        findings[0]["message"].as_str().unwrap().contains("£6,000.00"),
        "{revised}"
    );

    // Against the version that made it, the same decision again.
    let same = json_ok(app.post_json(&replay_path, &buyer, &json!({})).await).await;
    assert_eq!(same["layers"][0]["plugin_version"], 1);
    assert_eq!(same["same_as_recorded"], json!(true));
    assert_eq!(same["decision"], recorded["decision"]);
}
