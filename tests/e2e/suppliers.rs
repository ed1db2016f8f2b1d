//! `/api/v1/suppliers`: suppliers, their awards, and the national team's strategic-supplier data
//! (profile, risk ratings with their history, KPI scores).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::{
    SUPPLIERS, all_at_once, category_body, framework_body, location, lot_body, strings, supplier_body,
};
use crate::support::{TestApp, assert_invalid_field, assert_problem, error_fields, etag, json_ok, json_with_status};

const FORCE: &str = "kent-police";

/// Four suppliers, created in this order (which is the list order):
/// - Pennine: SME, north-west, Companies House 08123456;
/// - Albion: strategic, national, SC123456, with a full strategic profile;
/// - Kestrel: SME and VCSE, Wales and the south-west, 12345678;
/// - Meridian: strategic, London and the south-east, no Companies House number.
struct Seeded {
    pennine: String,
    albion: String,
    kestrel: String,
    meridian: String,
}

fn albion_profile() -> Value {
    json!({
        "modern_slavery_statement_url": "https://albion.example/modern-slavery-2025.pdf",
        "modern_slavery_risk_tier": "medium",
        "code_of_ethics_signed_on": "2025-06-01",
        "contingency_plan_summary": "Dual-sourced parts; 12 weeks' stock held regionally",
        "exit_plan_summary": "Six-month handover to a successor",
        "social_value_commitments": [
            {"theme": "Local employment", "commitment": "20 apprenticeships by 2027", "measure": "Apprentices started"}
        ]
    })
}

async fn seed(app: &TestApp) -> Seeded {
    app.create_tenant(FORCE, "police", "south-east").await;
    let id = |supplier: Value| supplier["id"].as_str().unwrap().to_owned();
    Seeded {
        pennine: id(app
            .create_supplier(
                &json!({"name": "Pennine Protective Apparel Ltd", "companies_house_number": "08123456",
                                     "sme": true, "regions": ["north-west"]}),
            )
            .await),
        albion: id(app
            .create_supplier(
                &json!({"name": "Albion Fleet Solutions Ltd", "companies_house_number": "SC123456",
                                     "sme": false, "regions": ["national"], "strategic": true,
                                     "strategic_profile": albion_profile()}),
            )
            .await),
        kestrel: id(app
            .create_supplier(
                &json!({"name": "Kestrel Community Tyres CIC", "companies_house_number": "12345678",
                                     "sme": true, "vcse": true, "regions": ["wales", "south-west"]}),
            )
            .await),
        meridian: id(app
            .create_supplier(&json!({"name": "Meridian Fuelcard Services plc", "sme": false,
                                     "regions": ["london", "south-east"], "strategic": true}))
            .await),
    }
}

/// The ids a supplier query lists, in order.
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    strings(
        &app.items(&format!("{SUPPLIERS}?limit=200&{query}"), &app.national_viewer())
            .await,
        "id",
    )
}

fn path(id: &str) -> String {
    format!("{SUPPLIERS}/{id}")
}

/// A strategic supplier's current risk rating, as national_viewer sees it.
async fn current_rating(app: &TestApp, id: &str) -> Value {
    json_ok(app.get(&path(id), &app.national_viewer()).await).await["strategic_profile"]["risk_rating"].clone()
}

async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    app.list_all(&format!("{SUPPLIERS}/{id}/risk-ratings"), &app.national_viewer(), 200)
        .await
        .0
}

async fn rate(app: &TestApp, id: &str, rating: &str, reason: &str) -> Value {
    let body = json!({"rating": rating, "reason": reason});
    let response = app
        .post_json(&format!("{SUPPLIERS}/{id}/risk-ratings"), &app.national_admin(), &body)
        .await;
    json_with_status(response, StatusCode::CREATED).await
}

// ----- list filters and pagination -----

#[actix_web::test]
async fn q_matches_the_name_and_the_companies_house_number_case_insensitively() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert_eq!(listed(&app, "q=pennine").await, [s.pennine.as_str()]);
    assert_eq!(listed(&app, "q=FUELCARD").await, [s.meridian.as_str()]);
    assert_eq!(listed(&app, "q=ltd").await, [s.pennine.as_str(), s.albion.as_str()]);
    assert_eq!(
        listed(&app, "q=sc1234").await,
        [s.albion.as_str()],
        "the number, in any case"
    );
    assert_eq!(listed(&app, "q=08123456").await, [s.pennine.as_str()]);
    assert_eq!(listed(&app, "q=5678").await, [s.kestrel.as_str()]);
    assert_eq!(
        listed(&app, "q=3456").await,
        [s.pennine.as_str(), s.albion.as_str(), s.kestrel.as_str()],
        "08123456, SC123456 and 12345678; Meridian has no number"
    );
    assert!(listed(&app, "q=%25").await.is_empty(), "`%` is literal");
    assert!(listed(&app, "q=nobody").await.is_empty());
}

#[actix_web::test]
async fn strategic_sme_and_vcse_filters_select_on_each_flag() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert_eq!(
        listed(&app, "strategic=true").await,
        [s.albion.as_str(), s.meridian.as_str()]
    );
    assert_eq!(
        listed(&app, "strategic=false").await,
        [s.pennine.as_str(), s.kestrel.as_str()]
    );
    assert_eq!(listed(&app, "sme=true").await, [s.pennine.as_str(), s.kestrel.as_str()]);
    assert_eq!(
        listed(&app, "sme=false").await,
        [s.albion.as_str(), s.meridian.as_str()]
    );
    assert_eq!(listed(&app, "vcse=true").await, [s.kestrel.as_str()]);
    assert_eq!(listed(&app, "sme=true&vcse=false").await, [s.pennine.as_str()]);
    assert_eq!(listed(&app, "strategic=true&q=ltd").await, [s.albion.as_str()]);
    assert_invalid_field(
        app.get("/api/v1/suppliers?sme=maybe", &app.national_viewer()).await,
        "sme",
    )
    .await;
}

#[actix_web::test]
async fn region_filter_includes_suppliers_that_deliver_nationally() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert_eq!(
        listed(&app, "region=wales").await,
        [s.albion.as_str(), s.kestrel.as_str()]
    );
    assert_eq!(
        listed(&app, "region=south-west").await,
        [s.albion.as_str(), s.kestrel.as_str()]
    );
    assert_eq!(
        listed(&app, "region=london").await,
        [s.albion.as_str(), s.meridian.as_str()]
    );
    assert_eq!(
        listed(&app, "region=north-west").await,
        [s.pennine.as_str(), s.albion.as_str()]
    );
    assert_eq!(
        listed(&app, "region=eastern").await,
        [s.albion.as_str()],
        "only the national supplier"
    );
    assert_eq!(listed(&app, "region=national").await, [s.albion.as_str()]);
    assert_eq!(
        listed(&app, "region=london&strategic=true&sme=false").await,
        [s.albion.as_str(), s.meridian.as_str()]
    );
    assert_invalid_field(
        app.get("/api/v1/suppliers?region=mars", &app.national_viewer()).await,
        "region",
    )
    .await;
}

#[actix_web::test]
async fn framework_filter_lists_the_suppliers_awarded_a_lot_on_it_whatever_their_status() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    app.create_category(&category_body("fleet", None)).await;
    let mut body = framework_body("BLC-FLT-2026-01", "fleet");
    body["lots"] = json!([lot_body(1, &[&s.kestrel]), lot_body(2, &[&s.pennine])]);
    body["lots"][0]["suppliers"] = json!([{"supplier_id": s.kestrel, "status": "suspended"}]);
    let first = app.create_framework(&body).await["id"].as_str().unwrap().to_owned();
    let mut body = framework_body("BLC-FLT-2026-02", "fleet");
    body["lots"] = json!([lot_body(1, &[&s.albion, &s.kestrel])]);
    let second = app.create_framework(&body).await["id"].as_str().unwrap().to_owned();

    assert_eq!(
        listed(&app, &format!("framework={first}")).await,
        [s.pennine.as_str(), s.kestrel.as_str()]
    );
    assert_eq!(
        listed(&app, &format!("framework={second}")).await,
        [s.albion.as_str(), s.kestrel.as_str()]
    );
    assert_eq!(
        listed(&app, &format!("framework={second}&vcse=true")).await,
        [s.kestrel.as_str()]
    );
    assert!(listed(&app, "framework=no-such-framework").await.is_empty());
}

#[actix_web::test]
async fn pagination_visits_every_supplier_exactly_once_in_creation_order() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let mut created = vec![s.pennine, s.albion, s.kestrel, s.meridian];
    for name in [
        "Eden Valley Catering Ltd",
        "Foss Print Ltd",
        "Gower Interpreting Ltd",
        "Humber Kennels Ltd",
        "Irwell Fuel Ltd",
    ] {
        created.push(
            app.create_supplier(&supplier_body(name)).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let viewer = app.viewer_of(FORCE);
    let (walked, pages) = app.list_all(SUPPLIERS, &viewer, 2).await;
    assert_eq!(pages, 5, "9 suppliers at 2 a page");
    assert_eq!(strings(&walked, "id"), created, "each once, in creation order");
    let (sme, pages) = app.list_all(&format!("{SUPPLIERS}?sme=true"), &viewer, 1).await;
    assert_eq!(sme.len(), 7);
    assert_eq!(pages, 7);
    assert_eq!(strings(&sme, "id").iter().collect::<BTreeSet<_>>().len(), 7);
}

// ----- detail and visibility -----

#[actix_web::test]
async fn detail_lists_the_lots_the_supplier_is_awarded_with_their_status() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    app.create_category(&category_body("uniform-and-ppe", None)).await;
    let mut uniform = framework_body("BLC-UNI-2024-01", "uniform-and-ppe");
    uniform["title"] = json!("Police Uniform and Footwear");
    uniform["lots"] = json!([lot_body(1, &[&s.pennine]), lot_body(2, &[&s.pennine, &s.kestrel])]);
    uniform["lots"][1]["suppliers"][0]["status"] = json!("suspended");
    let uniform = app.create_framework(&uniform).await["id"].as_str().unwrap().to_owned();
    let mut armour = framework_body("BLC-ARM-2023-01", "uniform-and-ppe");
    armour["lots"] = json!([lot_body(1, &[]), lot_body(3, &[&s.pennine])]);
    armour["lots"][1]["suppliers"][0]["status"] = json!("excluded");
    let armour = app.create_framework(&armour).await["id"].as_str().unwrap().to_owned();

    let response = app.get(&path(&s.pennine), &app.buyer_of(FORCE)).await;
    assert_eq!(etag(&response), "\"1\"");
    let detail = json_ok(response).await;
    assert_eq!(detail["name"], "Pennine Protective Apparel Ltd");
    assert_eq!(detail["companies_house_number"], "08123456");
    assert_eq!(detail["regions"], json!(["north-west"]));
    assert_eq!(
        detail["awards"],
        json!([
            {"framework_id": armour, "framework_reference": "BLC-ARM-2023-01", "framework_title": "Framework BLC-ARM-2023-01",
             "lot_number": 3, "lot_title": "Lot 3", "status": "excluded"},
            {"framework_id": uniform, "framework_reference": "BLC-UNI-2024-01", "framework_title": "Police Uniform and Footwear",
             "lot_number": 1, "lot_title": "Lot 1", "status": "active"},
            {"framework_id": uniform, "framework_reference": "BLC-UNI-2024-01", "framework_title": "Police Uniform and Footwear",
             "lot_number": 2, "lot_title": "Lot 2", "status": "suspended"},
        ]),
        "ordered by framework reference, then lot number"
    );
    let meridian = json_ok(app.get(&path(&s.meridian), &app.buyer_of(FORCE)).await).await;
    assert_eq!(meridian["awards"], json!([]));

    // The list item is the detail without the awards.
    let listed = app.items(&format!("{SUPPLIERS}?q=pennine"), &app.buyer_of(FORCE)).await;
    let mut without_awards = detail.clone();
    without_awards.as_object_mut().unwrap().remove("awards");
    assert_eq!(listed, [without_awards]);
    assert_problem(
        app.get(&path("no-such-supplier"), &app.national_viewer()).await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn strategic_profile_is_shown_to_national_roles_forces_and_the_supplier_itself_but_not_to_other_suppliers() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    rate(&app, &s.albion, "amber", "Two late deliveries").await;

    let sees = |supplier: &Value| supplier.get("strategic_profile").is_some();
    for (who, token) in [
        ("national_admin", app.national_admin()),
        ("national_viewer", app.national_viewer()),
        ("tenant_admin", app.tenant_admin_of(FORCE)),
        ("buyer", app.buyer_of(FORCE)),
        ("viewer", app.viewer_of(FORCE)),
        ("Albion itself", app.supplier_staff(&s.albion)),
    ] {
        let detail = json_ok(app.get(&path(&s.albion), &token).await).await;
        assert!(sees(&detail), "{who} sees Albion's profile: {detail}");
        assert_eq!(detail["strategic_profile"]["risk_rating"], "amber", "{who}");
        assert_eq!(
            detail["strategic_profile"]["modern_slavery_risk_tier"], "medium",
            "{who}"
        );
        let items = app.items(SUPPLIERS, &token).await;
        let listed = items.iter().find(|x| x["id"] == s.albion.as_str()).unwrap();
        assert!(sees(listed), "{who} sees it in the list too");
        let pennine = items.iter().find(|x| x["id"] == s.pennine.as_str()).unwrap();
        assert!(!sees(pennine), "a non-strategic supplier has no profile: {pennine}");
    }

    for (who, token) in [
        ("Pennine", app.supplier_staff(&s.pennine)),
        ("Meridian", app.supplier_staff(&s.meridian)),
    ] {
        let detail = json_ok(app.get(&path(&s.albion), &token).await).await;
        assert!(!sees(&detail), "{who} must not see Albion's profile: {detail}");
        assert_eq!(
            detail["name"], "Albion Fleet Solutions Ltd",
            "the rest of the record is public"
        );
        let items = app.items(SUPPLIERS, &token).await;
        let listed = items.iter().find(|x| x["id"] == s.albion.as_str()).unwrap();
        assert!(!sees(listed), "{who} must not see it in the list either: {listed}");
        let strategic = app.items(&format!("{SUPPLIERS}?strategic=true"), &token).await;
        assert_eq!(strategic.len(), 2, "{who} still sees which suppliers are strategic");
    }
    // Meridian sees its own profile (in the list too), not Albion's.
    let own = json_ok(app.get(&path(&s.meridian), &app.supplier_staff(&s.meridian)).await).await;
    assert!(sees(&own), "{own}");
    let items = app
        .items(&format!("{SUPPLIERS}?strategic=true"), &app.supplier_staff(&s.meridian))
        .await;
    let seen: Vec<bool> = items.iter().map(sees).collect();
    assert_eq!(seen, [false, true], "Albion hidden, Meridian shown");
}

#[actix_web::test]
async fn a_supplier_may_read_its_own_risk_and_kpi_history_but_not_another_suppliers() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    rate(&app, &s.albion, "green", "Onboarded").await;
    let score = json!({"period": "2026-Q3", "name": "On-time delivery", "score": 94, "target": 95});
    let response = app
        .post_json(
            &format!("{SUPPLIERS}/{}/kpi-scores", s.albion),
            &app.national_admin(),
            &score,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    for kind in ["risk-ratings", "kpi-scores"] {
        let url = format!("{SUPPLIERS}/{}/{kind}", s.albion);
        for other in [&s.pennine, &s.meridian] {
            assert_problem(app.get(&url, &app.supplier_staff(other)).await, 403, "forbidden").await;
        }
        for token in [
            app.supplier_staff(&s.albion),
            app.national_viewer(),
            app.buyer_of(FORCE),
            app.viewer_of(FORCE),
        ] {
            let page = json_ok(app.get(&url, &token).await).await;
            assert_eq!(page["items"].as_array().unwrap().len(), 1, "{kind}: {page}");
        }
        assert_problem(
            app.get(&format!("{SUPPLIERS}/no-such/{kind}"), &app.national_viewer())
                .await,
            404,
            "not_found",
        )
        .await;
    }
}

// ----- create -----

#[actix_web::test]
async fn create_returns_201_with_location_and_etag_and_a_profile_for_a_strategic_supplier() {
    let app = TestApp::spawn().await;
    let body = json!({
        "name": "  Albion Fleet Solutions Ltd ", "companies_house_number": "SC123456", "sme": false,
        "regions": ["wales", "london", "wales"], "strategic": true, "strategic_profile": albion_profile(),
        "contacts": [{"name": "Priya Shah", "role": "Account manager", "email": "priya.shah@albion.example"}],
        "evidence": [{"title": "ISO 27001 certificate", "url": "https://albion.example/iso.pdf", "valid_until": "2027-03-31"}]
    });
    let response = app.post_json(SUPPLIERS, &app.national_admin(), &body).await;
    let location = location(&response);
    assert_eq!(etag(&response), "\"1\"");
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(location, format!("{SUPPLIERS}/{}", created["id"].as_str().unwrap()));
    assert_eq!(created["name"], "Albion Fleet Solutions Ltd", "trimmed");
    assert_eq!(
        created["regions"],
        json!(["london", "wales"]),
        "sorted, without repeats"
    );
    assert_eq!(created["vcse"], false, "defaults to false");
    assert_eq!(
        created["contacts"],
        json!([{"name": "Priya Shah", "role": "Account manager", "email": "priya.shah@albion.example", "phone": null}]),
        "an absent optional field comes back as null"
    );
    assert_eq!(created["evidence"], body["evidence"]);
    let mut profile = albion_profile();
    profile["risk_rating"] = Value::Null;
    assert_eq!(created["strategic_profile"], profile);

    let mut fetched = json_ok(app.get(&location, &app.national_viewer()).await).await;
    assert_eq!(fetched.as_object_mut().unwrap().remove("awards"), Some(json!([])));
    assert_eq!(fetched, created);

    // A strategic supplier created without a profile gets an empty one.
    let bare = app
        .create_supplier(&json!({"name": "Bare Strategic Ltd", "sme": false, "strategic": true}))
        .await;
    assert_eq!(
        bare["strategic_profile"],
        json!({"risk_rating": null, "modern_slavery_statement_url": null, "modern_slavery_risk_tier": null,
               "code_of_ethics_signed_on": null, "contingency_plan_summary": null, "exit_plan_summary": null,
               "social_value_commitments": []})
    );
}

#[actix_web::test]
async fn create_refuses_a_bad_companies_house_number_a_profile_without_strategic_and_a_bad_email() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    for number in [
        "1234567",
        "123456789",
        "sc123456",
        "S1234567",
        "SC12345X",
        "12 34567",
        "",
    ] {
        let mut body = supplier_body("Pennine Protective Apparel Ltd");
        body["companies_house_number"] = json!(number);
        let problem =
            assert_invalid_field(app.post_json(SUPPLIERS, &admin, &body).await, "companies_house_number").await;
        assert_eq!(error_fields(&problem), ["companies_house_number"], "{number:?}");
    }

    let mut body = supplier_body("Pennine Protective Apparel Ltd");
    body["strategic_profile"] = json!({"modern_slavery_risk_tier": "low"});
    let problem = assert_invalid_field(app.post_json(SUPPLIERS, &admin, &body).await, "strategic_profile").await;
    assert_eq!(error_fields(&problem), ["strategic_profile"]);

    for email in ["not-an-email", "@pennine.example", "priya@localhost"] {
        let mut body = supplier_body("Pennine Protective Apparel Ltd");
        body["contacts"] =
            json!([{"name": "Priya Shah", "email": email}, {"name": "Sam Okoro", "email": "sam@pennine.example"}]);
        let problem = assert_invalid_field(app.post_json(SUPPLIERS, &admin, &body).await, "contacts[0].email").await;
        assert_eq!(error_fields(&problem), ["contacts[0].email"], "{email:?}");
    }

    for (field, edit) in [
        ("name", json!({"name": "  "})),
        ("regions[1]", json!({"regions": ["wales", "mars"]})),
        ("contacts[0].name", json!({"contacts": [{"name": ""}]})),
        (
            "evidence[0].url",
            json!({"evidence": [{"title": "Insurance", "url": "ftp://pennine.example/insurance.pdf"}]}),
        ),
        (
            "strategic_profile.modern_slavery_statement_url",
            json!({"strategic": true, "strategic_profile": {"modern_slavery_statement_url": "statement.pdf"}}),
        ),
        (
            "strategic_profile.modern_slavery_risk_tier",
            json!({"strategic": true, "strategic_profile": {"modern_slavery_risk_tier": "extreme"}}),
        ),
        (
            "strategic_profile.risk_rating",
            json!({"strategic": true, "strategic_profile": {"risk_rating": "green"}}),
        ),
        ("colour", json!({"colour": "blue"})),
    ] {
        let mut body = supplier_body("Pennine Protective Apparel Ltd");
        for (key, value) in edit.as_object().unwrap() {
            body[key] = value.clone();
        }
        let problem = assert_invalid_field(app.post_json(SUPPLIERS, &admin, &body).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{body}: {problem}");
    }
    assert!(
        app.items(SUPPLIERS, &admin).await.is_empty(),
        "nothing invalid was stored"
    );
}

#[actix_web::test]
async fn a_duplicate_name_or_companies_house_number_is_409() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let same_name =
        json!({"name": "Pennine Protective Apparel Ltd", "companies_house_number": "09999999", "sme": true});
    let problem = assert_problem(
        app.post_json(SUPPLIERS, &admin, &same_name).await,
        409,
        "supplier_exists",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("Pennine"), "{problem}");
    let same_number = json!({"name": "Pennine Two Ltd", "companies_house_number": "08123456", "sme": true});
    let problem = assert_problem(
        app.post_json(SUPPLIERS, &admin, &same_number).await,
        409,
        "supplier_exists",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("08123456"), "{problem}");
    assert_eq!(app.items(SUPPLIERS, &admin).await.len(), 4, "nothing was added");

    // An update may not take another supplier's name or number either.
    let tag = etag(&app.get(&path(&s.kestrel), &admin).await);
    let rename = json!({"name": "Albion Fleet Solutions Ltd"});
    assert_problem(
        app.patch_json(&path(&s.kestrel), &admin, Some(&tag), &rename).await,
        409,
        "supplier_exists",
    )
    .await;
    let renumber = json!({"companies_house_number": "SC123456"});
    assert_problem(
        app.patch_json(&path(&s.kestrel), &admin, Some(&tag), &renumber).await,
        409,
        "supplier_exists",
    )
    .await;
    // Keeping its own name and number is no conflict.
    let same = json!({"name": "Kestrel Community Tyres CIC", "companies_house_number": "12345678"});
    json_ok(app.patch_json(&path(&s.kestrel), &admin, Some(&tag), &same).await).await;
}

#[actix_web::test]
async fn only_national_admin_may_create_or_update_suppliers_or_record_risk_and_kpis() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    for token in [
        app.national_viewer(),
        app.tenant_admin_of(FORCE),
        app.buyer_of(FORCE),
        app.viewer_of(FORCE),
        app.supplier_staff(&s.albion),
    ] {
        assert_problem(
            app.post_json(SUPPLIERS, &token, &supplier_body("New Ltd")).await,
            403,
            "forbidden",
        )
        .await;
        let patch = app
            .patch_json(&path(&s.albion), &token, Some("\"1\""), &json!({"sme": true}))
            .await;
        assert_problem(patch, 403, "forbidden").await;
        let rating = json!({"rating": "green", "reason": "All good"});
        let response = app
            .post_json(&format!("{SUPPLIERS}/{}/risk-ratings", s.albion), &token, &rating)
            .await;
        assert_problem(response, 403, "forbidden").await;
        let score = json!({"period": "2026-Q3", "name": "On-time delivery", "score": 94});
        let response = app
            .post_json(&format!("{SUPPLIERS}/{}/kpi-scores", s.albion), &token, &score)
            .await;
        assert_problem(response, 403, "forbidden").await;
    }
    assert_eq!(app.items(SUPPLIERS, &app.national_viewer()).await.len(), 4);
    assert!(history(&app, &s.albion).await.is_empty());
    assert_eq!(current_rating(&app, &s.albion).await, Value::Null);
    assert_eq!(app.current_etag(&path(&s.albion)).await, "\"1\"");
}

// ----- update -----

#[actix_web::test]
async fn patch_needs_if_match_and_making_a_supplier_strategic_gives_it_a_profile() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let url = path(&s.pennine);
    let change = json!({"strategic": true, "regions": ["north-west", "north-east"], "companies_house_number": null});

    assert_problem(
        app.patch_json(&url, &admin, None, &change).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.patch_json(&url, &admin, Some("\"2\""), &change).await,
        412,
        "precondition_failed",
    )
    .await;
    let unchanged = json_ok(app.get(&url, &admin).await).await;
    assert_eq!(unchanged["strategic"], false);

    let response = app.patch_json(&url, &admin, Some("\"1\""), &change).await;
    assert_eq!(etag(&response), "\"2\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["strategic"], true);
    assert_eq!(updated["regions"], json!(["north-east", "north-west"]));
    assert_eq!(updated["companies_house_number"], Value::Null, "null clears the number");
    assert_eq!(updated["name"], unchanged["name"], "absent fields stay as they were");
    assert_eq!(updated["strategic_profile"]["risk_rating"], Value::Null);
    assert_eq!(updated["strategic_profile"]["social_value_commitments"], json!([]));
    assert_eq!(
        listed(&app, "strategic=true").await,
        [s.pennine.as_str(), s.albion.as_str(), s.meridian.as_str()]
    );

    // Now strategic, it can be rated.
    let change = rate(&app, &s.pennine, "green", "Onboarded as strategic").await;
    assert_eq!(change["previous_rating"], Value::Null);
    assert_eq!(current_rating(&app, &s.pennine).await, "green");

    assert_problem(
        app.patch_json(&url, &admin, Some("\"1\""), &json!({"sme": false}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    // Fields this endpoint does not change are refused, not ignored.
    let tag = app.current_etag(&url).await;
    for (field, change) in [
        ("risk_rating", json!({"risk_rating": "red"})),
        ("contacts", json!({"contacts": []})),
        ("id", json!({"id": "x"})),
        ("companies_house_number", json!({"companies_house_number": "123"})),
        (
            "strategic_profile",
            json!({"strategic": false, "strategic_profile": {}}),
        ),
    ] {
        let problem = assert_invalid_field(app.patch_json(&url, &admin, Some(&tag), &change).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    let kestrel = app
        .patch_json(
            &path(&s.kestrel),
            &admin,
            Some("\"1\""),
            &json!({"strategic_profile": {}}),
        )
        .await;
    assert_invalid_field(kestrel, "strategic_profile").await;
    assert_problem(
        app.patch_json(&path("no-such"), &admin, Some("\"1\""), &json!({"sme": true}))
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn patch_strategic_profile_replaces_its_fields_but_keeps_the_risk_rating() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    rate(&app, &s.albion, "amber", "Profit warning").await;
    let url = path(&s.albion);
    let tag = app.current_etag(&url).await;
    let change =
        json!({"strategic_profile": {"modern_slavery_risk_tier": "low", "contingency_plan_summary": "Triple-sourced"}});
    let updated = json_ok(app.patch_json(&url, &app.national_admin(), Some(&tag), &change).await).await;
    assert_eq!(
        updated["strategic_profile"],
        json!({"risk_rating": "amber", "modern_slavery_statement_url": null, "modern_slavery_risk_tier": "low",
               "code_of_ethics_signed_on": null, "contingency_plan_summary": "Triple-sourced", "exit_plan_summary": null,
               "social_value_commitments": []}),
        "the given fields replace the profile; the rating stays"
    );
    assert_eq!(current_rating(&app, &s.albion).await, "amber");
    assert_eq!(
        history(&app, &s.albion).await.len(),
        1,
        "replacing the profile is not a rating change"
    );

    // Changing other fields leaves the profile alone.
    let tag = app.current_etag(&url).await;
    let renamed = json_ok(
        app.patch_json(
            &url,
            &app.national_admin(),
            Some(&tag),
            &json!({"name": "Albion Fleet Ltd"}),
        )
        .await,
    )
    .await;
    assert_eq!(renamed["strategic_profile"], updated["strategic_profile"]);
}

#[actix_web::test]
async fn self_service_profile_patch_is_for_the_supplier_itself_or_national_admin() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let own = app.supplier_staff(&s.albion);
    let url = format!("{}/profile", path(&s.albion));
    let contacts = json!({"contacts": [{"name": "Priya Shah", "role": "Account manager", "email": "priya@albion.example",
                                        "phone": "01632 960123"}]});

    for token in [
        app.supplier_staff(&s.pennine),
        app.buyer_of(FORCE),
        app.tenant_admin_of(FORCE),
        app.national_viewer(),
    ] {
        assert_problem(
            app.patch_json(&url, &token, Some("\"1\""), &contacts).await,
            403,
            "forbidden",
        )
        .await;
    }
    assert_problem(
        app.patch_json(&url, &own, None, &contacts).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.patch_json(&url, &own, Some("\"5\""), &contacts).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(app.current_etag(&path(&s.albion)).await, "\"1\"", "nothing changed yet");

    let response = app.patch_json(&url, &own, Some("\"1\""), &contacts).await;
    assert_eq!(etag(&response), "\"2\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["contacts"], contacts["contacts"]);
    assert_eq!(updated["evidence"], json!([]), "evidence untouched");
    assert!(
        updated.get("strategic_profile").is_some(),
        "the supplier sees its own profile"
    );

    let evidence = json!({"evidence": [{"title": "Cyber Essentials Plus", "url": "https://albion.example/ce.pdf",
                                        "valid_until": "2027-03-31"}]});
    let response = app
        .patch_json(&url, &app.national_admin(), Some("\"2\""), &evidence)
        .await;
    assert_eq!(etag(&response), "\"3\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["evidence"], evidence["evidence"]);
    assert_eq!(updated["contacts"], contacts["contacts"], "contacts untouched");

    // It cannot reach the national team's data, nor anything but contacts and evidence.
    for (field, change) in [
        ("risk_rating", json!({"risk_rating": "green"})),
        (
            "strategic_profile",
            json!({"strategic_profile": {"exit_plan_summary": "None needed"}}),
        ),
        ("name", json!({"name": "Albion Fleet Ltd"})),
        ("strategic", json!({"strategic": false})),
        (
            "contacts[0].email",
            json!({"contacts": [{"name": "Priya Shah", "email": "priya"}]}),
        ),
    ] {
        let problem = assert_invalid_field(app.patch_json(&url, &own, Some("\"3\""), &change).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    let after = json_ok(app.get(&path(&s.albion), &app.national_viewer()).await).await;
    assert_eq!(
        after["strategic_profile"]["exit_plan_summary"],
        albion_profile()["exit_plan_summary"]
    );
    assert_eq!(after["strategic"], true);
    assert_eq!(app.current_etag(&path(&s.albion)).await, "\"3\"");
    assert_problem(
        app.patch_json(
            &format!("{}/profile", path("no-such")),
            &app.national_admin(),
            Some("\"1\""),
            &contacts,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

// ----- risk ratings -----

#[actix_web::test]
async fn a_new_risk_rating_records_the_previous_one_becomes_current_and_extends_the_history() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert!(history(&app, &s.albion).await.is_empty());
    let before = app.current_etag(&path(&s.albion)).await;

    let mut expected_previous = Value::Null;
    for (n, (rating, reason)) in [
        ("green", "  Onboarded  "),
        ("amber", "Two late deliveries in Q3"),
        ("red", "Profit warning"),
        ("amber", "Recovery plan agreed"),
    ]
    .into_iter()
    .enumerate()
    {
        let change = rate(&app, &s.albion, rating, reason).await;
        assert_eq!(change["rating"], rating);
        assert_eq!(change["previous_rating"], expected_previous, "the rating it replaced");
        assert_eq!(change["reason"], reason.trim());
        assert_eq!(change["changed_by"], "e2e-user");
        let changed_at = chrono::DateTime::parse_from_rfc3339(change["changed_at"].as_str().unwrap()).unwrap();
        assert!((chrono::Utc::now() - changed_at.to_utc()).num_seconds().abs() < 60);
        assert_eq!(
            current_rating(&app, &s.albion).await,
            rating,
            "the new rating is current"
        );

        let history = history(&app, &s.albion).await;
        assert_eq!(history.len(), n + 1, "the history grows by one");
        assert_eq!(history.last().unwrap(), &change, "oldest first: the newest is last");
        expected_previous = json!(rating);
    }
    let history = history(&app, &s.albion).await;
    assert_eq!(strings(&history, "rating"), ["green", "amber", "red", "amber"]);
    for pair in history.windows(2) {
        assert_eq!(pair[1]["previous_rating"], pair[0]["rating"]);
        assert!(pair[0]["changed_at"].as_str() <= pair[1]["changed_at"].as_str());
    }
    // The history pages like every list.
    let (paged, pages) = app
        .list_all(
            &format!("{SUPPLIERS}/{}/risk-ratings", s.albion),
            &app.national_viewer(),
            3,
        )
        .await;
    assert_eq!((paged, pages), (history, 2));
    assert_ne!(
        app.current_etag(&path(&s.albion)).await,
        before,
        "a new rating changes the supplier's ETag"
    );
    assert_eq!(
        current_rating(&app, &s.meridian).await,
        Value::Null,
        "other suppliers are untouched"
    );
}

#[actix_web::test]
async fn a_risk_rating_is_refused_for_a_non_strategic_supplier_a_blank_reason_or_an_unknown_rating() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let ratings = |id: &str| format!("{SUPPLIERS}/{id}/risk-ratings");
    let good = json!({"rating": "amber", "reason": "Late deliveries"});

    let problem = assert_problem(
        app.post_json(&ratings(&s.pennine), &admin, &good).await,
        409,
        "supplier_not_strategic",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("strategic"), "{problem}");
    for (field, body) in [
        ("reason", json!({"rating": "amber", "reason": "   "})),
        ("reason", json!({"rating": "amber", "reason": ""})),
        ("rating", json!({"rating": "purple", "reason": "Late deliveries"})),
        (
            "previous_rating",
            json!({"rating": "amber", "reason": "Late", "previous_rating": "green"}),
        ),
    ] {
        let problem = assert_invalid_field(app.post_json(&ratings(&s.albion), &admin, &body).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    assert_problem(
        app.post_json(&ratings("no-such"), &admin, &good).await,
        404,
        "not_found",
    )
    .await;
    assert!(history(&app, &s.albion).await.is_empty(), "nothing was recorded");
    assert_eq!(current_rating(&app, &s.albion).await, Value::Null);
    let pennine = json_ok(app.get(&path(&s.pennine), &app.national_viewer()).await).await;
    assert!(pennine.get("strategic_profile").is_none());
}

// ----- KPI scores -----

#[actix_web::test]
async fn kpi_scores_compute_met_target_and_refuse_duplicates_bad_periods_and_scores() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let url = format!("{SUPPLIERS}/{}/kpi-scores", s.albion);
    for (period, name, score, target, met) in [
        ("2026-Q3", "On-time delivery", 94, Some(95), json!(false)),
        ("2026-Q3", "Invoice accuracy", 99, Some(98), json!(true)),
        ("2026-Q2", "On-time delivery", 95, Some(95), json!(true)),
        ("2026-Q2", "Complaints resolved", 80, None, Value::Null),
        ("2025-Q4", "On-time delivery", 0, Some(0), json!(true)),
        ("2025-Q1", "Invoice accuracy", 100, Some(100), json!(true)),
    ] {
        let body = json!({"period": period, "name": name, "score": score, "target": target});
        let recorded = json_with_status(app.post_json(&url, &admin, &body).await, StatusCode::CREATED).await;
        assert_eq!(recorded["met_target"], met, "{recorded}");
        assert_eq!(
            (recorded["period"].as_str(), recorded["name"].as_str()),
            (Some(period), Some(name))
        );
        assert_eq!(recorded["score"], score);
        assert_eq!(recorded["target"], json!(target));
        assert_eq!(recorded["recorded_by"], "e2e-user");
    }

    for duplicate in [
        json!({"period": "2026-Q3", "name": "On-time delivery", "score": 50}),
        json!({"period": "2026-Q3", "name": "  On-time delivery ", "score": 50, "target": 10}),
    ] {
        assert_problem(app.post_json(&url, &admin, &duplicate).await, 409, "kpi_score_exists").await;
    }
    for (field, body) in [
        (
            "period",
            json!({"period": "2026-Q5", "name": "On-time delivery", "score": 90}),
        ),
        (
            "period",
            json!({"period": "2026-Q0", "name": "On-time delivery", "score": 90}),
        ),
        (
            "period",
            json!({"period": "2026Q3", "name": "On-time delivery", "score": 90}),
        ),
        (
            "period",
            json!({"period": "26-Q3", "name": "On-time delivery", "score": 90}),
        ),
        (
            "score",
            json!({"period": "2026-Q4", "name": "On-time delivery", "score": 101}),
        ),
        (
            "score",
            json!({"period": "2026-Q4", "name": "On-time delivery", "score": -1}),
        ),
        (
            "score",
            json!({"period": "2026-Q4", "name": "On-time delivery", "score": "90"}),
        ),
        (
            "score",
            json!({"period": "2026-Q4", "name": "On-time delivery", "score": 90.5}),
        ),
        (
            "target",
            json!({"period": "2026-Q4", "name": "On-time delivery", "score": 90, "target": 101}),
        ),
        ("name", json!({"period": "2026-Q4", "name": " ", "score": 90})),
    ] {
        let problem = assert_invalid_field(app.post_json(&url, &admin, &body).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{body}: {problem}");
    }
    let good = json!({"period": "2026-Q4", "name": "On-time delivery", "score": 90});
    let problem = assert_problem(
        app.post_json(&format!("{SUPPLIERS}/{}/kpi-scores", s.pennine), &admin, &good)
            .await,
        409,
        "supplier_not_strategic",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("strategic"));
    assert_eq!(
        app.list_all(&url, &app.national_viewer(), 200).await.0.len(),
        6,
        "only the valid scores were recorded"
    );
}

#[actix_web::test]
async fn kpi_scores_filter_by_period() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let url = format!("{SUPPLIERS}/{}/kpi-scores", s.meridian);
    for (period, name) in [
        ("2026-Q3", "On-time delivery"),
        ("2026-Q3", "Invoice accuracy"),
        ("2026-Q2", "On-time delivery"),
        ("2026-Q1", "On-time delivery"),
        ("2026-Q3", "Complaints resolved"),
    ] {
        let body = json!({"period": period, "name": name, "score": 90, "target": 95});
        json_with_status(app.post_json(&url, &admin, &body).await, StatusCode::CREATED).await;
    }
    // Another supplier's score in the same period is not listed.
    let other = json!({"period": "2026-Q3", "name": "On-time delivery", "score": 70});
    json_with_status(
        app.post_json(&format!("{SUPPLIERS}/{}/kpi-scores", s.albion), &admin, &other)
            .await,
        StatusCode::CREATED,
    )
    .await;

    let viewer = app.viewer_of(FORCE);
    let q3 = app.items(&format!("{url}?period=2026-Q3"), &viewer).await;
    assert_eq!(
        strings(&q3, "name"),
        ["On-time delivery", "Invoice accuracy", "Complaints resolved"]
    );
    assert!(q3.iter().all(|k| k["period"] == "2026-Q3" && k["met_target"] == false));
    assert_eq!(
        strings(&app.items(&format!("{url}?period=2026-Q2"), &viewer).await, "name"),
        ["On-time delivery"]
    );
    assert!(app.items(&format!("{url}?period=2026-Q4"), &viewer).await.is_empty());
    assert_eq!(app.items(&url, &viewer).await.len(), 5, "no filter: every score");
    let (paged, pages) = app.list_all(&format!("{url}?period=2026-Q3"), &viewer, 2).await;
    assert_eq!((paged, pages), (q3, 2));
    assert_invalid_field(app.get(&format!("{url}?quarter=2026-Q3"), &viewer).await, "quarter").await;
}

// ----- concurrency -----

#[actix_web::test]
async fn concurrent_risk_ratings_each_record_the_rating_they_replaced() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    rate(&app, &s.albion, "green", "Onboarded").await;
    let admin = app.national_admin();
    let url = format!("{SUPPLIERS}/{}/risk-ratings", s.albion);
    for round in 0..5 {
        let requests = ["amber", "red", "green", "amber"]
            .iter()
            .enumerate()
            .map(|(i, rating)| {
                let body = json!({"rating": rating, "reason": format!("Round {round}, review {i}")});
                app.request(reqwest::Method::POST, &url).bearer_auth(&admin).json(&body)
            })
            .collect();
        let results = all_at_once(requests).await;
        assert!(
            results.iter().all(|(status, _)| *status == StatusCode::CREATED),
            "round {round}: {results:?}"
        );
    }
    let history = history(&app, &s.albion).await;
    assert_eq!(history.len(), 21);
    for pair in history.windows(2) {
        assert_eq!(
            pair[1]["previous_rating"], pair[0]["rating"],
            "every change records the rating it replaced, however close together: {} after {}",
            pair[1], pair[0]
        );
    }
    assert_eq!(current_rating(&app, &s.albion).await, history.last().unwrap()["rating"]);
}

#[actix_web::test]
async fn concurrent_duplicate_creates_record_one_and_refuse_the_rest_with_their_own_409_code() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let admin = app.national_admin();
    let kpis = format!("{SUPPLIERS}/{}/kpi-scores", s.albion);
    for (round, (url, body, code)) in [
        (
            kpis.clone(),
            json!({"period": "2026-Q3", "name": "On-time delivery", "score": 90}),
            "kpi_score_exists",
        ),
        (
            kpis,
            json!({"period": "2026-Q2", "name": "On-time delivery", "score": 90}),
            "kpi_score_exists",
        ),
        (
            SUPPLIERS.to_owned(),
            supplier_body("Twin Suppliers Ltd"),
            "supplier_exists",
        ),
        (
            SUPPLIERS.to_owned(),
            supplier_body("Triplet Suppliers Ltd"),
            "supplier_exists",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let requests = (0..3)
            .map(|_| app.request(reqwest::Method::POST, &url).bearer_auth(&admin).json(&body))
            .collect();
        let results = all_at_once(requests).await;
        let created = results
            .iter()
            .filter(|(status, _)| *status == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "round {round}: exactly one is created: {results:?}");
        for (status, text) in results.iter().filter(|(status, _)| *status != StatusCode::CREATED) {
            assert_eq!(*status, StatusCode::CONFLICT, "round {round}: {text}");
            let problem: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                problem["code"], code,
                "round {round}: the same code as a sequential duplicate gets: {problem}"
            );
        }
    }
    assert_eq!(app.items(SUPPLIERS, &admin).await.len(), 6);
}
