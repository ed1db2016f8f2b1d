//! A tenant's contracts register: local, collaborative and national framework call-off contracts,
//! validation naming every field at fault, reads with ETags, updates and deletes under If-Match,
//! filters and pagination, the status derived from the dates, and awarding a contract from an
//! evaluated procurement.

use std::collections::BTreeSet;

use bluelight_rules_bundled::seed_plugins;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::catalogue::{day, location, set_of};
use crate::support::commercial::{AWARDED, CHARITY, Catalogue, FORCE, NATIONAL, contract_body, contracts_path};
use crate::support::rules::procurement_body;
use crate::support::{
    TestApp, assert_invalid_field, assert_problem, error_fields, etag, json_ok, json_with_status, send,
};

const FIRE: &str = "bedfordshire-fire-and-rescue-service";

async fn set_up() -> (TestApp, Catalogue) {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    let catalogue = app.commercial_catalogue().await;
    (app, catalogue)
}

fn call_off(catalogue: &Catalogue, reference: &str) -> Value {
    let mut body = contract_body(reference, AWARDED);
    body["supplier_name"] = Value::Null;
    body["supplier_id"] = json!(catalogue.awarded);
    body["arrangement"] = json!("national_framework");
    body["framework_id"] = json!(catalogue.framework);
    body["lot_number"] = json!(1);
    body
}

#[actix_web::test]
async fn a_buyer_records_local_collaborative_and_framework_call_off_contracts() {
    let (app, catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);

    // Local, with a supplier the service does not know: recorded as given.
    let mut local = contract_body("BED-C-1", "Leighton Buzzard Garage Ltd");
    local["sme"] = json!(true);
    local["supplier_locality"] = json!("area");
    local["extension_options"] = json!("1 x 12 months");
    local["max_end_date"] = json!(day(700));
    local["contract_manager"] = json!("A. Okafor");
    local["kpis"] = json!([{"name": "Vehicles returned within 5 days", "target": "90%"}]);
    let response = app.post_json(&contracts_path(FORCE), &buyer, &local).await;
    let place = location(&response);
    let tag = etag(&response);
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(
        place,
        format!("{}/{}", contracts_path(FORCE), created["id"].as_str().unwrap())
    );
    assert_eq!(created["tenant"], FORCE);
    assert_eq!(created["reference"], "BED-C-1");
    assert_eq!(created["supplier_id"], Value::Null);
    assert_eq!(created["supplier_name"], "Leighton Buzzard Garage Ltd");
    assert_eq!(created["supplier_locality"], "area");
    assert_eq!(
        (created["sme"].clone(), created["vcse"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(created["value"], "12000.00");
    assert_eq!(created["savings"], "0.00");
    assert_eq!(created["status"], "active");
    assert_eq!(created["arrangement"], "local");
    assert_eq!(created["framework_id"], Value::Null);
    assert_eq!(created["lot_number"], Value::Null);
    assert_eq!(created["collaborative_partners"], json!([]));
    assert_eq!(created["kpis"], local["kpis"]);
    assert_eq!(created["max_end_date"], json!(day(700)));
    assert_eq!(created["procurement_id"], Value::Null);
    assert_eq!(created["import_id"], Value::Null);
    assert_eq!(created["created_by"], "e2e-user");
    let response = app.get(&place, &app.viewer_of(FORCE)).await;
    assert_eq!(etag(&response), tag);
    assert_eq!(json_ok(response).await, created);

    // Collaborative, naming a known supplier loosely: the national record's name and flags win,
    // and a supplier serving the tenant's region is regional to it.
    let mut collaborative = contract_body("BED-C-2", "  fenland COMMUNITY workshop ");
    collaborative["arrangement"] = json!("collaborative");
    collaborative["collaborative_partners"] = json!(["Hertfordshire Constabulary", "Cambridgeshire Constabulary"]);
    collaborative["savings"] = json!("2500.50");
    collaborative["sme"] = json!(true); // ignored: the national record says not an SME
    let created = app.create_contract(FORCE, &collaborative).await;
    assert_eq!(created["supplier_id"], json!(catalogue.charity));
    assert_eq!(created["supplier_name"], CHARITY);
    assert_eq!(created["supplier_locality"], "region");
    assert_eq!(
        (created["sme"].clone(), created["vcse"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(
        created["collaborative_partners"],
        collaborative["collaborative_partners"]
    );
    assert_eq!(created["savings"], "2500.50");

    // A call-off from a national framework the force may use, with a supplier awarded on the lot.
    let created = app.create_contract(FORCE, &call_off(&catalogue, "BED-C-3")).await;
    assert_eq!(created["arrangement"], "national_framework");
    assert_eq!(created["framework_id"], json!(catalogue.framework));
    assert_eq!(created["lot_number"], 1);
    assert_eq!(created["supplier_id"], json!(catalogue.awarded));
    assert_eq!(created["supplier_name"], AWARDED);
    assert_eq!(created["sme"], json!(true));
    assert_eq!(created["supplier_locality"], "region");

    // A supplier serving only "national" is outside the force's region.
    let mut national = contract_body("BED-C-4", "ignored");
    national["supplier_name"] = Value::Null;
    national["supplier_id"] = json!(catalogue.national);
    let created = app.create_contract(FORCE, &national).await;
    assert_eq!(created["supplier_name"], NATIONAL);
    assert_eq!(created["supplier_locality"], "outside");

    let listed = app.all_contracts(FORCE).await;
    assert_eq!(
        set_of(&listed, "reference"),
        ["BED-C-1", "BED-C-2", "BED-C-3", "BED-C-4"].map(String::from).into()
    );

    // A national admin may record one too; a viewer, a national viewer and a supplier may not.
    app.post_json(
        &contracts_path(FORCE),
        &app.national_admin(),
        &contract_body("BED-C-5", "X Ltd"),
    )
    .await
    .error_for_status()
    .unwrap();
    for token in [
        app.viewer_of(FORCE),
        app.national_viewer(),
        app.supplier_staff(&catalogue.awarded),
    ] {
        let response = app
            .post_json(&contracts_path(FORCE), &token, &contract_body("BED-C-6", "X Ltd"))
            .await;
        assert_problem(response, 403, "forbidden").await;
    }
    assert_eq!(app.all_contracts(FORCE).await.len(), 5);
}

/// A national supplier's name is matched however it is written, on either database, by the JSON
/// API as by the importer.
#[actix_web::test]
async fn a_supplier_with_non_ascii_capitals_is_matched_by_name() {
    let (app, _) = set_up().await;
    let supplier = app
        .create_supplier(&json!({"name": "Øresund Élan Uniforms Ltd", "sme": true, "regions": ["eastern"]}))
        .await;
    let id = supplier["id"].clone();
    // The importer matches it (its directory folds case in Rust).
    let register = "reference,title,supplier,category,value,start_date,end_date\n\
BED-U-IMP,Uniforms,øresund élan uniforms ltd,uniform-garments,1.00,2025-01-01,2026-01-01\n";
    app.import_completed(FORCE, crate::support::commercial::Kind::Contracts, register)
        .await;
    let imported = app.all_contracts(FORCE).await;
    assert_eq!(imported[0]["supplier_id"], id, "{}", imported[0]);
    // So must POST /contracts, named exactly or in another case.
    for (reference, name) in [
        ("BED-U-1", "Øresund Élan Uniforms Ltd"),
        ("BED-U-2", "ØRESUND ÉLAN UNIFORMS LTD"),
    ] {
        let created = app.create_contract(FORCE, &contract_body(reference, name)).await;
        assert_eq!(created["supplier_id"], id, "{name}: {created}");
        assert_eq!(created["supplier_name"], "Øresund Élan Uniforms Ltd");
    }
}

#[actix_web::test]
async fn invalid_contracts_name_each_field_at_fault_and_store_nothing() {
    let (app, catalogue) = set_up().await;
    app.create_tenant(FIRE, "fire", "eastern").await;
    let buyer = app.buyer_of(FORCE);
    let path = contracts_path(FORCE);

    type Edit = Box<dyn Fn(&mut Value)>;
    let local = |edit: Edit| {
        let mut body = contract_body("BED-BAD-1", "Leighton Buzzard Garage Ltd");
        edit(&mut body);
        body
    };
    let called_off = |edit: Edit| {
        let mut body = call_off(&catalogue, "BED-BAD-2");
        edit(&mut body);
        body
    };
    let national = catalogue.national.clone();
    let cases: Vec<(&str, Value)> = vec![
        (
            "end_date",
            local(Box::new(|b| {
                b["start_date"] = json!(day(10));
                b["end_date"] = json!(day(9));
            })),
        ),
        ("lot_number", called_off(Box::new(|b| b["lot_number"] = Value::Null))),
        (
            "framework_id",
            called_off(Box::new(|b| b["framework_id"] = Value::Null)),
        ),
        (
            "collaborative_partners",
            local(Box::new(|b| {
                b["collaborative_partners"] = json!(["Hertfordshire Constabulary"])
            })),
        ),
        (
            "collaborative_partners",
            local(Box::new(|b| b["arrangement"] = json!("collaborative"))),
        ),
        (
            "category",
            local(Box::new(|b| b["category"] = json!("no-such-category"))),
        ),
        (
            "supplier_id",
            called_off(Box::new(move |b| b["supplier_id"] = json!(national))),
        ),
        ("lot_number", called_off(Box::new(|b| b["lot_number"] = json!(9)))),
        (
            "framework_id",
            called_off(Box::new(|b| b["framework_id"] = json!("no-such-framework"))),
        ),
        (
            "framework_id",
            local(Box::new(|b| b["framework_id"] = json!("no-such-framework"))),
        ),
        ("lot_number", local(Box::new(|b| b["lot_number"] = json!(1)))),
        (
            "supplier_id",
            local(Box::new(|b| b["supplier_id"] = json!("no-such-supplier"))),
        ),
        ("supplier_name", local(Box::new(|b| b["supplier_name"] = Value::Null))),
        ("supplier_name", local(Box::new(|b| b["supplier_name"] = json!("   ")))),
        ("max_end_date", local(Box::new(|b| b["max_end_date"] = json!(day(-60))))),
        (
            "terminated_on",
            local(Box::new(|b| b["terminated_on"] = json!(day(-31)))),
        ),
        ("value", local(Box::new(|b| b["value"] = json!("-1.00")))),
        ("value", local(Box::new(|b| b["value"] = json!(100.5)))),
        ("savings", local(Box::new(|b| b["savings"] = json!("-0.01")))),
        ("reference", local(Box::new(|b| b["reference"] = json!("  ")))),
        ("start_date", local(Box::new(|b| b["start_date"] = json!("31/12/2026")))),
        (
            "arrangement",
            local(Box::new(|b| b["arrangement"] = json!("handshake"))),
        ),
        (
            "kpis[0].target",
            local(Box::new(|b| b["kpis"] = json!([{"name": "Uptime", "target": ""}]))),
        ),
        (
            "procurement_id",
            local(Box::new(|b| b["procurement_id"] = json!("no-such-procurement"))),
        ),
    ];
    for (field, body) in cases {
        let problem = assert_invalid_field(app.post_json(&path, &buyer, &body).await, field).await;
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| !e["message"].as_str().unwrap().is_empty()),
            "{problem}"
        );
    }
    // An unknown field is refused, not ignored.
    let unknown = local(Box::new(|b| b["colour"] = json!("blue")));
    assert_problem(app.post_json(&path, &buyer, &unknown).await, 422, "validation_failed").await;

    // Several faults at once: each is named in one answer.
    let mut many = call_off(&catalogue, "BED-BAD-3");
    many["supplier_id"] = json!(catalogue.national);
    many["category"] = json!("no-such-category");
    many["end_date"] = json!(day(-365));
    many["collaborative_partners"] = json!(["Hertfordshire Constabulary"]);
    let problem = assert_problem(app.post_json(&path, &buyer, &many).await, 422, "validation_failed").await;
    let fields: BTreeSet<String> = error_fields(&problem).into_iter().collect();
    for field in ["supplier_id", "category", "end_date", "collaborative_partners"] {
        assert!(fields.contains(field), "{field} not in {fields:?}");
    }

    // The framework is for police only: a fire and rescue service cannot call off from it, even
    // with the supplier awarded on the lot.
    let response = app
        .post_json(
            &contracts_path(FIRE),
            &app.buyer_of(FIRE),
            &call_off(&catalogue, "BFRS-C-1"),
        )
        .await;
    let problem = assert_invalid_field(response, "framework_id").await;
    assert!(!error_fields(&problem).contains(&"supplier_id".to_owned()), "{problem}");

    assert!(app.all_contracts(FORCE).await.is_empty());
    assert!(app.all_contracts(FIRE).await.is_empty());
}

#[actix_web::test]
async fn a_contract_is_updated_under_if_match_and_deleted() {
    let (app, catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let created = app
        .create_contract(FORCE, &contract_body("BED-U-1", "Leighton Buzzard Garage Ltd"))
        .await;
    let path = format!("{}/{}", contracts_path(FORCE), created["id"].as_str().unwrap());
    let tag = etag(&app.get(&path, &buyer).await);

    let changes = json!({"end_date": day(700), "savings": "900.00", "supplier_id": catalogue.awarded});
    assert_problem(
        app.patch_json(&path, &buyer, None, &changes).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.patch_json(&path, &buyer, Some("\"99\""), &changes).await,
        412,
        "precondition_failed",
    )
    .await;
    let response = app.patch_json(&path, &buyer, Some(&tag), &changes).await;
    let new_tag = etag(&response);
    assert_ne!(new_tag, tag);
    let updated = json_ok(response).await;
    assert_eq!(updated["end_date"], json!(day(700)));
    assert_eq!(updated["savings"], "900.00");
    // Naming the supplier by id replaces the name given before.
    assert_eq!(updated["supplier_id"], json!(catalogue.awarded));
    assert_eq!(updated["supplier_name"], AWARDED);
    assert_eq!(updated["reference"], "BED-U-1");
    assert_eq!(updated["created_at"], created["created_at"]);
    // The old ETag is stale now.
    assert_problem(
        app.patch_json(&path, &buyer, Some(&tag), &json!({"title": "late"}))
            .await,
        412,
        "precondition_failed",
    )
    .await;

    // A change that breaks a rule is refused whole, naming the field; nothing changes.
    let response = app
        .patch_json(
            &path,
            &buyer,
            Some(&new_tag),
            &json!({"end_date": day(-31), "title": "Renamed"}),
        )
        .await;
    assert_invalid_field(response, "end_date").await;
    let response = app
        .patch_json(&path, &buyer, Some(&new_tag), &json!({"arrangement": "collaborative"}))
        .await;
    assert_invalid_field(response, "collaborative_partners").await;
    let response = app.get(&path, &buyer).await;
    assert_eq!(etag(&response), new_tag);
    assert_eq!(json_ok(response).await["title"], created["title"]);

    // Ended early: terminated from then on.
    let response = app
        .patch_json(&path, &buyer, Some(&new_tag), &json!({"terminated_on": day(-1)}))
        .await;
    let tag = etag(&response);
    assert_eq!(json_ok(response).await["status"], "terminated");
    // ... and `null` clears it again.
    let response = app
        .patch_json(&path, &buyer, Some(&tag), &json!({"terminated_on": null}))
        .await;
    let tag = etag(&response);
    let back = json_ok(response).await;
    assert_eq!(back["status"], "active");
    assert_eq!(back["terminated_on"], Value::Null);

    // A viewer may not change or delete it.
    let viewer = app.viewer_of(FORCE);
    assert_problem(
        app.patch_json(&path, &viewer, Some(&tag), &json!({"title": "x"})).await,
        403,
        "forbidden",
    )
    .await;
    let delete = |token: String, if_match: Option<String>| {
        let mut request = app.request(Method::DELETE, &path).bearer_auth(token);
        if let Some(if_match) = if_match {
            request = request.header("if-match", if_match);
        }
        send(request)
    };
    assert_problem(delete(viewer.clone(), Some(tag.clone())).await, 403, "forbidden").await;
    assert_problem(delete(buyer.clone(), None).await, 428, "precondition_required").await;
    assert_problem(
        delete(buyer.clone(), Some("\"1\"".into())).await,
        412,
        "precondition_failed",
    )
    .await;
    let response = delete(buyer.clone(), Some(tag.clone())).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&path, &buyer).await, 404, "not_found").await;
    assert_problem(delete(buyer.clone(), Some(tag.clone())).await, 404, "not_found").await;
    assert_problem(
        app.patch_json(&path, &buyer, Some(&tag), &json!({"title": "x"})).await,
        404,
        "not_found",
    )
    .await;
    assert!(app.all_contracts(FORCE).await.is_empty());
}

#[actix_web::test]
async fn references_are_unique_within_the_tenant() {
    let (app, _) = set_up().await;
    app.tenant_with_category("cheshire-constabulary").await;
    let buyer = app.buyer_of(FORCE);
    let first = app.create_contract(FORCE, &contract_body("BED-R-1", "A Ltd")).await;
    let second = app.create_contract(FORCE, &contract_body("BED-R-2", "B Ltd")).await;

    let response = app
        .post_json(&contracts_path(FORCE), &buyer, &contract_body("BED-R-1", "C Ltd"))
        .await;
    assert_problem(response, 409, "contract_reference_exists").await;
    // Surrounding spaces are not a different reference.
    let response = app
        .post_json(&contracts_path(FORCE), &buyer, &contract_body(" BED-R-1 ", "C Ltd"))
        .await;
    assert_problem(response, 409, "contract_reference_exists").await;
    // Renaming onto another contract's reference is refused too; keeping one's own is fine.
    let path = format!("{}/{}", contracts_path(FORCE), second["id"].as_str().unwrap());
    let tag = etag(&app.get(&path, &buyer).await);
    let response = app
        .patch_json(&path, &buyer, Some(&tag), &json!({"reference": "BED-R-1"}))
        .await;
    assert_problem(response, 409, "contract_reference_exists").await;
    let response = app
        .patch_json(
            &path,
            &buyer,
            Some(&tag),
            &json!({"reference": "BED-R-2", "title": "Same ref"}),
        )
        .await;
    assert_eq!(json_ok(response).await["reference"], "BED-R-2");
    // Another force may use the same reference.
    app.create_contract("cheshire-constabulary", &contract_body("BED-R-1", "A Ltd"))
        .await;
    assert_eq!(app.all_contracts(FORCE).await.len(), 2);
    let _ = first;
}

/// Creates the same contract twice at once, three times over; returns the conflict codes the
/// losers got, after checking that each round recorded one contract and refused the other.
async fn race_for_one_reference(app: &TestApp) -> Vec<String> {
    let buyer = app.buyer_of(FORCE);
    let path = contracts_path(FORCE);
    let mut codes = Vec::new();
    for round in 0..3 {
        let body = contract_body(&format!("BED-RACE-{round}"), "Race Ltd");
        let (a, b) = tokio::join!(app.post_json(&path, &buyer, &body), app.post_json(&path, &buyer, &body));
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if a.status() == StatusCode::CONFLICT { a } else { b };
        let problem: Value = loser.json().await.unwrap();
        codes.push(problem["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(app.all_contracts(FORCE).await.len(), 3);
    codes
}

/// Awards the same compliant procurement twice at once; returns the loser's conflict code after
/// checking that one contract was recorded and the other refused.
async fn race_for_one_award(app: &TestApp) -> String {
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(FORCE, wasm).await;
    let procurement = app
        .create_procurement(FORCE, &procurement_body("BED-P-RACE", "500.00", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let decision = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");
    let buyer = app.buyer_of(FORCE);
    let path = award_path(&id);
    let terms = award_terms();
    let (a, b) = tokio::join!(
        app.post_json(&path, &buyer, &terms),
        app.post_json(&path, &buyer, &terms)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let loser = if a.status() == StatusCode::CONFLICT { a } else { b };
    let problem: Value = loser.json().await.unwrap();
    let contracts = app.all_contracts(FORCE).await;
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0]["procurement_id"], json!(id));
    problem["code"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_same_contract_or_award_twice_at_once_is_recorded_once() {
    let (app, _) = set_up().await;
    race_for_one_reference(&app).await;
    let (app, _) = set_up().await;
    race_for_one_award(&app).await;
}

/// The conflict a client gets must not depend on timing: the loser of a race is told what a
/// later request would be told.
#[actix_web::test]
async fn the_loser_of_a_race_gets_the_same_conflict_code_as_a_later_request() {
    let (app, _) = set_up().await;
    let codes = race_for_one_reference(&app).await;
    let (app, _) = set_up().await;
    let award = race_for_one_award(&app).await;
    assert!(
        codes.iter().all(|c| c == "contract_reference_exists") && award == "procurement_has_contract",
        "create race: {codes:?}; award race: {award}"
    );
}

#[actix_web::test]
async fn the_register_is_filtered_and_paginated_with_the_status_derived_from_the_dates() {
    let (app, catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let with = |reference: &str, edit: &dyn Fn(&mut Value)| {
        let mut body = contract_body(reference, "Leighton Buzzard Garage Ltd");
        edit(&mut body);
        body
    };
    let national = catalogue.national.clone();
    let charity = catalogue.charity.clone();
    let mut bodies = vec![
        with("BED-ACT-1", &|b| {
            b["supplier_name"] = Value::Null;
            b["supplier_id"] = json!(national);
            b["end_date"] = json!(day(100));
        }),
        with("BED-ACT-2", &|b| {
            b["supplier_name"] = Value::Null;
            b["supplier_id"] = json!(charity);
            b["arrangement"] = json!("collaborative");
            b["collaborative_partners"] = json!(["Hertfordshire Constabulary"]);
            b["end_date"] = json!(day(400));
        }),
        call_off(&catalogue, "BED-NF-1"),
        with("BED-PIPE-1", &|b| {
            b["category"] = json!("fleet");
            b["start_date"] = json!(day(10));
            b["end_date"] = json!(day(300));
        }),
        with("BED-EXP-1", &|b| {
            b["category"] = json!("fleet");
            b["start_date"] = json!(day(-400));
            b["end_date"] = json!(day(-1));
        }),
        with("BED-TERM-1", &|b| {
            b["start_date"] = json!(day(-100));
            b["end_date"] = json!(day(50));
            b["terminated_on"] = json!(day(-5));
        }),
        // Today is the first day of one and the last of another: both active.
        with("BED-EDGE-1", &|b| {
            b["category"] = json!("fleet");
            b["start_date"] = json!(day(0));
        }),
        with("BED-EDGE-2", &|b| {
            b["category"] = json!("fleet");
            b["end_date"] = json!(day(0));
        }),
    ];
    for i in 1..=5 {
        bodies.push(with(&format!("BED-X-{i}"), &|b| {
            b["category"] = json!("fleet");
            b["end_date"] = json!(day(500));
        }));
    }
    for body in &bodies {
        app.create_contract(FORCE, body).await;
    }
    let path = contracts_path(FORCE);

    // Every contract once, page by page.
    let (items, pages) = app.list_all(&path, &buyer, 5).await;
    assert_eq!(items.len(), 13);
    assert_eq!(pages, 3);
    assert_eq!(set_of(&items, "id").len(), 13);
    let status_of = |reference: &str| {
        items
            .iter()
            .find(|c| c["reference"] == reference)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status_of("BED-PIPE-1"), "pipeline");
    assert_eq!(status_of("BED-EXP-1"), "expired");
    assert_eq!(status_of("BED-TERM-1"), "terminated");
    assert_eq!(status_of("BED-EDGE-1"), "active");
    assert_eq!(status_of("BED-EDGE-2"), "active");
    assert_eq!(status_of("BED-NF-1"), "active");

    let references = |query: String| {
        let app = &app;
        let buyer = buyer.clone();
        let path = path.clone();
        async move {
            let items = app.list_all(&format!("{path}?{query}"), &buyer, 3).await.0;
            set_of(&items, "reference")
        }
    };
    let set = |refs: &[&str]| refs.iter().map(|r| (*r).to_owned()).collect::<BTreeSet<String>>();
    let xs = ["BED-X-1", "BED-X-2", "BED-X-3", "BED-X-4", "BED-X-5"];
    let mut active = vec!["BED-ACT-1", "BED-ACT-2", "BED-NF-1", "BED-EDGE-1", "BED-EDGE-2"];
    active.extend(xs);
    assert_eq!(references("status=active".into()).await, set(&active));
    assert_eq!(references("status=pipeline".into()).await, set(&["BED-PIPE-1"]));
    assert_eq!(references("status=expired".into()).await, set(&["BED-EXP-1"]));
    assert_eq!(references("status=terminated".into()).await, set(&["BED-TERM-1"]));
    // Ending before the day given (not on it), whatever the status.
    assert_eq!(
        references(format!("expires_before={}", day(100))).await,
        set(&["BED-EXP-1", "BED-TERM-1", "BED-EDGE-2"])
    );
    assert_eq!(
        references(format!("expires_before={}", day(101))).await,
        set(&["BED-ACT-1", "BED-EXP-1", "BED-TERM-1", "BED-EDGE-2"])
    );
    assert_eq!(
        references(format!("supplier={}", catalogue.national)).await,
        set(&["BED-ACT-1"])
    );
    assert_eq!(
        references(format!("supplier={}", catalogue.awarded)).await,
        set(&["BED-NF-1"])
    );
    // A category includes the categories below it.
    assert_eq!(
        references("category=uniform-and-ppe".into()).await,
        set(&["BED-ACT-1", "BED-ACT-2", "BED-NF-1", "BED-TERM-1"])
    );
    assert_eq!(
        references("category=uniform-garments".into()).await,
        set(&["BED-ACT-1", "BED-ACT-2", "BED-NF-1", "BED-TERM-1"])
    );
    let mut fleet = vec!["BED-PIPE-1", "BED-EXP-1", "BED-EDGE-1", "BED-EDGE-2"];
    fleet.extend(xs);
    assert_eq!(references("category=fleet".into()).await, set(&fleet));
    assert_eq!(
        references(format!("framework={}", catalogue.framework)).await,
        set(&["BED-NF-1"])
    );
    assert_eq!(
        references("arrangement=collaborative".into()).await,
        set(&["BED-ACT-2"])
    );
    assert_eq!(
        references("arrangement=national_framework".into()).await,
        set(&["BED-NF-1"])
    );
    assert_eq!(references("arrangement=local".into()).await.len(), 11);
    assert_eq!(references("q=bed-x".into()).await, set(&xs));
    let mut active_fleet = vec!["BED-EDGE-1", "BED-EDGE-2"];
    active_fleet.extend(xs);
    assert_eq!(
        references("status=active&category=fleet".into()).await,
        set(&active_fleet)
    );
    assert!(
        references("status=expired&arrangement=collaborative".into())
            .await
            .is_empty()
    );

    // Filters that cannot be read name the parameter.
    for (query, field) in [
        ("status=maybe", "status"),
        ("arrangement=handshake", "arrangement"),
        ("expires_before=soon", "expires_before"),
        ("category=no-such-category", "category"),
    ] {
        assert_invalid_field(app.get(&format!("{path}?{query}"), &buyer).await, field).await;
    }
}

// ----- awarding from a procurement -----

fn award_terms() -> Value {
    json!({"start_date": day(1), "end_date": day(366), "contract_manager": "A. Okafor"})
}

fn award_path(procurement: &str) -> String {
    format!("/api/v1/tenants/{FORCE}/procurements/{procurement}/award")
}

#[actix_web::test]
async fn a_contract_is_awarded_only_from_a_compliant_evaluated_procurement() {
    let (app, catalogue) = set_up().await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(FORCE, wasm).await;
    let buyer = app.buyer_of(FORCE);

    // £45,000 on one quote: Bedfordshire asks for three quotes from £6,000.
    let procurement = app
        .create_procurement(FORCE, &procurement_body("BED-P-1", "45000.00", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let problem = assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_evaluated",
    )
    .await;
    assert!(!problem["detail"].as_str().unwrap().is_empty());
    let decision = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "non_compliant");
    assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_compliant",
    )
    .await;

    // Fixed: under £6,000 with three quotes. Changed, it is no longer evaluated as it stands.
    let path = format!("/api/v1/tenants/{FORCE}/procurements/{id}");
    let tag = etag(&app.get(&path, &buyer).await);
    let fix = json!({
        "value": "5000.00",
        "route": "multiple_quotes",
        "quotes": [
            {"supplier_name": "Ouse Valley Outfitters Ltd", "amount": "5200.00", "local": true, "sme": true},
            {"supplier_id": catalogue.awarded, "amount": "4800.00"},
            {"supplier_name": "Shire Kit Supplies Ltd", "amount": "4950.00", "vcse": true},
        ],
    });
    json_ok(app.patch_json(&path, &buyer, Some(&tag), &fix).await).await;
    assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_evaluated",
    )
    .await;
    let decision = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");

    // A viewer may not award; a buyer may, and the lowest quote wins.
    assert_problem(
        app.post_json(&award_path(&id), &app.viewer_of(FORCE), &award_terms())
            .await,
        403,
        "forbidden",
    )
    .await;
    let response = app.post_json(&award_path(&id), &buyer, &award_terms()).await;
    let place = location(&response);
    let tag = etag(&response);
    let contract = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(contract["procurement_id"], json!(id));
    assert_eq!(contract["supplier_id"], json!(catalogue.awarded));
    assert_eq!(contract["supplier_name"], AWARDED);
    assert_eq!(contract["value"], "4800.00");
    assert_eq!(contract["reference"], "BED-P-1");
    assert_eq!(contract["title"], "Procurement BED-P-1");
    assert_eq!(contract["category"], "uniform-garments");
    assert_eq!(contract["arrangement"], "local");
    assert_eq!(contract["start_date"], json!(day(1)));
    assert_eq!(contract["status"], "pipeline");
    assert_eq!(contract["contract_manager"], "A. Okafor");
    let response = app.get(&place, &app.viewer_of(FORCE)).await;
    assert_eq!(etag(&response), tag);
    assert_eq!(json_ok(response).await, contract);

    // One contract per procurement, however it is asked for.
    let mut again = award_terms();
    again["reference"] = json!("BED-P-1-AGAIN");
    assert_problem(
        app.post_json(&award_path(&id), &buyer, &again).await,
        409,
        "procurement_has_contract",
    )
    .await;
    let mut direct = contract_body("BED-P-1-DIRECT", "Ouse Valley Outfitters Ltd");
    direct["procurement_id"] = json!(id);
    assert_problem(
        app.post_json(&contracts_path(FORCE), &buyer, &direct).await,
        409,
        "procurement_has_contract",
    )
    .await;
    assert_eq!(app.all_contracts(FORCE).await.len(), 1);

    // No such procurement.
    assert_problem(
        app.post_json(&award_path("no-such-procurement"), &buyer, &award_terms())
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn an_award_may_choose_the_quote_and_the_terms() {
    let (app, _) = set_up().await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(FORCE, wasm).await;
    let buyer = app.buyer_of(FORCE);
    let procurement = app
        .create_procurement(FORCE, &procurement_body("BED-P-2", "5999.99", "single_quote"))
        .await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let decision = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");

    let mut terms = award_terms();
    terms["quote"] = json!(5);
    assert_invalid_field(app.post_json(&award_path(&id), &buyer, &terms).await, "quote").await;
    terms["quote"] = json!(0);
    terms["end_date"] = json!(day(0));
    assert_invalid_field(app.post_json(&award_path(&id), &buyer, &terms).await, "end_date").await;
    terms["end_date"] = json!(day(366));
    terms["arrangement"] = json!("collaborative");
    assert_invalid_field(
        app.post_json(&award_path(&id), &buyer, &terms).await,
        "collaborative_partners",
    )
    .await;
    assert!(app.all_contracts(FORCE).await.is_empty());

    terms["collaborative_partners"] = json!(["Hertfordshire Constabulary"]);
    terms["reference"] = json!("BED-C-P2");
    terms["value"] = json!("5500.00");
    terms["savings"] = json!("499.99");
    let contract = json_with_status(
        app.post_json(&award_path(&id), &buyer, &terms).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(contract["reference"], "BED-C-P2");
    assert_eq!(contract["value"], "5500.00");
    assert_eq!(contract["savings"], "499.99");
    assert_eq!(contract["arrangement"], "collaborative");
    assert_eq!(
        contract["collaborative_partners"],
        json!(["Hertfordshire Constabulary"])
    );
    assert_eq!(contract["supplier_name"], "Ouse Valley Outfitters Ltd");
    assert_eq!(contract["supplier_id"], Value::Null);
    // The quote was local and from an SME.
    assert_eq!(contract["supplier_locality"], "area");
    assert_eq!(contract["sme"], json!(true));
    assert_eq!(contract["procurement_id"], json!(id));
}

#[actix_web::test]
async fn out_of_range_dates_huge_values_future_terminations_and_unawarded_procurements_are_refused() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    for (field, value) in [
        ("start_date", json!("+10000-01-01")),
        ("end_date", json!("-5000-01-01")),
        ("value", json!("100000000000.01")),
        ("savings", json!("100000000000.01")),
        ("terminated_on", json!(day(10))),
    ] {
        let mut body = contract_body(&format!("BED-R-{field}"), "Leighton Buzzard Garage Ltd");
        body[field] = value;
        if field == "end_date" {
            body["start_date"] = json!("-5000-01-01");
        }
        let response = app.post_json(&contracts_path(FORCE), &buyer, &body).await;
        assert_invalid_field(response, field).await;
    }
    // A contract cannot claim to come from a procurement that was never found compliant: that
    // is what the award endpoint is for.
    let procurement = app
        .create_procurement(FORCE, &procurement_body("BED-P-LINK", "900.00", "single_quote"))
        .await;
    let mut linked = contract_body("BED-R-LINK", "Leighton Buzzard Garage Ltd");
    linked["procurement_id"] = procurement["id"].clone();
    let response = app.post_json(&contracts_path(FORCE), &buyer, &linked).await;
    assert_invalid_field(response, "procurement_id").await;
    // Far dates in filters are refused by name too, on both databases.
    let response = app
        .get(
            &format!("{}?expires_before=+10000-01-01", contracts_path(FORCE)),
            &buyer,
        )
        .await;
    assert_invalid_field(response, "expires_before").await;
    let response = app
        .get(&format!("/api/v1/tenants/{FORCE}/kpis?from=-5000-01-01"), &buyer)
        .await;
    assert_invalid_field(response, "from").await;
}

/// The award gate cannot be walked around: a recorded evaluation decides for today (a back-dated
/// one would find an expired framework live), and a call-off's framework must still be live on
/// the day of the award, whatever the decision said.
#[actix_web::test]
async fn a_back_dated_evaluation_is_refused_and_an_award_off_a_framework_expired_since_is_refused() {
    let (app, catalogue) = set_up().await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(FORCE, wasm).await;
    let buyer = app.buyer_of(FORCE);

    // Within Bedfordshire's one-quote band, so its rules find the call-off compliant.
    let mut body = procurement_body("BED-CO-1", "5000.00", "framework_call_off");
    body["framework_id"] = json!(catalogue.framework);
    body["lot_number"] = json!(1);
    body["quotes"] = json!([{"supplier_id": catalogue.awarded, "amount": "5000.00"}]);
    let procurement = app.create_procurement(FORCE, &body).await;
    let id = procurement["id"].as_str().unwrap().to_owned();
    let evaluations = format!("/api/v1/tenants/{FORCE}/procurements/{id}/evaluations");

    // Another day is for drafts and replays: nothing is recorded.
    for date in ["2024-01-10", day(-1).as_str(), day(1).as_str()] {
        let response = app
            .post_json(&format!("{evaluations}?evaluation_date={date}"), &buyer, &json!({}))
            .await;
        assert_invalid_field(response, "evaluation_date").await;
    }
    let (recorded, _) = app.list_all(&evaluations, &buyer, 50).await;
    assert!(recorded.is_empty(), "a refused evaluation recorded {recorded:?}");
    let today = app
        .post_json(&format!("{evaluations}?evaluation_date={}", day(0)), &buyer, &json!({}))
        .await;
    let decision = json_with_status(today, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");

    // The framework ends (yesterday) after the compliant decision: no award off it.
    let admin = app.national_admin();
    let framework_path = format!("/api/v1/frameworks/{}", catalogue.framework);
    let tag = etag(&app.get(&framework_path, &admin).await);
    let ended = json!({"end_date": day(-1), "max_end_date": day(-1)});
    json_ok(app.patch_json(&framework_path, &admin, Some(&tag), &ended).await).await;
    let problem = assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "framework_not_live",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"), "{problem}");
    assert!(app.all_contracts(FORCE).await.is_empty());
}
