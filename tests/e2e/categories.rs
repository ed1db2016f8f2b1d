//! `/api/v1/categories`: the tree of policing spend areas.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::{CATEGORIES, category_body, location, strings};
use crate::support::database::HeldTransaction;
use crate::support::{
    Options, TestApp, assert_invalid_field, assert_problem, error_fields, etag, json_ok, json_with_status,
};

/// forensics > forensic-science-services > dna-analysis, forensics > digital-forensics, and
/// fleet > tyres; fleet and tyres are bought jointly with fire.
async fn seed_tree(app: &TestApp) {
    for (slug, parent, name, description, joint) in [
        ("forensics", None, "Forensics", "Forensic services and supplies", false),
        (
            "forensic-science-services",
            Some("forensics"),
            "Forensic science services",
            "Laboratory work",
            false,
        ),
        (
            "dna-analysis",
            Some("forensic-science-services"),
            "DNA analysis",
            "Profiling of DNA samples",
            false,
        ),
        (
            "digital-forensics",
            Some("forensics"),
            "Digital forensics",
            "Phones, computers and CCTV",
            false,
        ),
        (
            "fleet",
            None,
            "Fleet",
            "Vehicles and everything that keeps them on the road",
            true,
        ),
        ("tyres", Some("fleet"), "Tyres", "Supply and fitting of TYRES", true),
    ] {
        let mut body = category_body(slug, parent);
        body["name"] = json!(name);
        body["description"] = json!(description);
        body["joint_with_fire"] = json!(joint);
        app.create_category(&body).await;
    }
}

async fn slugs(app: &TestApp, query: &str) -> Vec<String> {
    strings(
        &app.items(&format!("{CATEGORIES}?{query}"), &app.national_viewer())
            .await,
        "slug",
    )
}

#[actix_web::test]
async fn list_and_get_give_each_category_its_path_from_the_root() {
    let app = TestApp::spawn().await;
    seed_tree(&app).await;
    let buyer = app.buyer_of("kent-police");
    app.create_tenant("kent-police", "police", "south-east").await;

    let response = app.get("/api/v1/categories/dna-analysis", &buyer).await;
    assert_eq!(etag(&response), "\"1\"");
    let dna = json_ok(response).await;
    assert_eq!(dna["slug"], "dna-analysis");
    assert_eq!(dna["name"], "DNA analysis");
    assert_eq!(dna["parent"], "forensic-science-services");
    assert_eq!(
        dna["path"],
        json!(["forensics", "forensic-science-services", "dna-analysis"])
    );
    assert_eq!(dna["cpv_codes"], json!(["35811000-1"]));
    assert_eq!(dna["joint_with_fire"], false);

    let top = json_ok(app.get("/api/v1/categories/forensics", &buyer).await).await;
    assert_eq!(top["parent"], Value::Null);
    assert_eq!(top["path"], json!(["forensics"]));

    // The list is ordered by slug and carries the same paths.
    let items = app.items(CATEGORIES, &buyer).await;
    let listed = strings(&items, "slug");
    assert_eq!(
        listed,
        [
            "digital-forensics",
            "dna-analysis",
            "fleet",
            "forensic-science-services",
            "forensics",
            "tyres"
        ]
    );
    let listed_dna = items.iter().find(|c| c["slug"] == "dna-analysis").unwrap();
    assert_eq!(listed_dna, &dna, "list and detail agree");
    for item in &items {
        let path = item["path"].as_array().unwrap();
        assert_eq!(
            path.last().unwrap(),
            &item["slug"],
            "a path ends at the category: {item}"
        );
        match &item["parent"] {
            Value::Null => assert_eq!(path.len(), 1, "{item}"),
            parent => assert_eq!(&path[path.len() - 2], parent, "{item}"),
        }
    }

    assert_problem(app.get("/api/v1/categories/dna", &buyer).await, 404, "not_found").await;
}

#[actix_web::test]
async fn list_filters_by_parent_top_level_joint_with_fire_and_q() {
    let app = TestApp::spawn().await;
    seed_tree(&app).await;

    // Direct children only, not grandchildren.
    assert_eq!(
        slugs(&app, "parent=forensics").await,
        ["digital-forensics", "forensic-science-services"]
    );
    assert_eq!(slugs(&app, "parent=forensic-science-services").await, ["dna-analysis"]);
    assert!(slugs(&app, "parent=dna-analysis").await.is_empty());
    assert!(slugs(&app, "parent=no-such-category").await.is_empty());

    assert_eq!(slugs(&app, "top_level=true").await, ["fleet", "forensics"]);
    assert_eq!(
        slugs(&app, "top_level=false").await,
        [
            "digital-forensics",
            "dna-analysis",
            "forensic-science-services",
            "tyres"
        ]
    );
    assert_eq!(slugs(&app, "joint_with_fire=true").await, ["fleet", "tyres"]);
    assert_eq!(slugs(&app, "joint_with_fire=false").await.len(), 4);
    assert_eq!(slugs(&app, "joint_with_fire=true&top_level=false").await, ["tyres"]);

    // Free text: case-insensitive, over name and description, not the slug alone.
    assert_eq!(slugs(&app, "q=dna").await, ["dna-analysis"]);
    assert_eq!(
        slugs(&app, "q=FORENSIC").await,
        ["digital-forensics", "forensic-science-services", "forensics"]
    );
    assert_eq!(
        slugs(&app, "q=tyres").await,
        ["tyres"],
        "matches the upper-case description too"
    );
    assert_eq!(
        slugs(&app, "q=cctv").await,
        ["digital-forensics"],
        "matches the description"
    );
    assert_eq!(
        slugs(&app, "q=laboratory&parent=forensics").await,
        ["forensic-science-services"]
    );
    assert!(slugs(&app, "q=helicopter").await.is_empty());
    assert!(
        slugs(&app, "q=%25").await.is_empty(),
        "`%` matches a literal percent only"
    );
    assert!(
        slugs(&app, "q=_").await.is_empty(),
        "`_` matches a literal underscore only"
    );

    // A filter value of the wrong type, or an unknown filter, is refused rather than ignored.
    let viewer = app.national_viewer();
    assert_invalid_field(app.get("/api/v1/categories?top_level=yes", &viewer).await, "top_level").await;
    assert_invalid_field(app.get("/api/v1/categories?kind=fire", &viewer).await, "kind").await;
}

#[actix_web::test]
async fn pagination_with_limit_7_visits_each_of_the_61_demo_categories_exactly_once() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.viewer_of("lancashire-constabulary");

    let (walked, pages) = app.list_all(CATEGORIES, &viewer, 7).await;
    let walked = strings(&walked, "slug");
    assert_eq!(walked.len(), 61, "{walked:?}");
    assert_eq!(pages, 9, "61 categories at 7 a page");
    assert_eq!(walked.iter().collect::<BTreeSet<_>>().len(), 61, "no category twice");
    let mut sorted = walked.clone();
    sorted.sort();
    assert_eq!(walked, sorted, "ordered by slug across pages");

    let everything = app.items("/api/v1/categories?limit=200", &viewer).await;
    assert_eq!(
        strings(&everything, "slug"),
        walked,
        "the walk equals the one-page list"
    );
    let default_page = json_ok(app.get(CATEGORIES, &viewer).await).await;
    assert_eq!(
        default_page["items"].as_array().unwrap().len(),
        50,
        "50 a page by default"
    );
    assert!(default_page["next_cursor"].is_string());

    // The demo tree is consistent: every path starts at a top-level category and follows parents.
    let tops: BTreeSet<String> = strings(
        &app.items("/api/v1/categories?top_level=true&limit=200", &viewer).await,
        "slug",
    )
    .into_iter()
    .collect();
    assert!(tops.len() >= 5, "{tops:?}");
    for category in &everything {
        let path: Vec<&str> = category["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(tops.contains(path[0]), "{category}");
        assert_eq!(*path.last().unwrap(), category["slug"].as_str().unwrap());
    }
    let deep = json_ok(app.get("/api/v1/categories/dna-analysis", &viewer).await).await;
    assert_eq!(
        deep["path"],
        json!(["forensics", "forensic-science-services", "dna-analysis"])
    );
}

#[actix_web::test]
async fn only_national_admin_may_create_or_update_a_category() {
    let app = TestApp::spawn().await;
    app.create_tenant("kent-police", "police", "south-east").await;
    let body = category_body("body-armour", None);
    for token in [
        app.national_viewer(),
        app.tenant_admin_of("kent-police"),
        app.buyer_of("kent-police"),
        app.viewer_of("kent-police"),
        app.supplier_staff("0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b"),
    ] {
        assert_problem(app.post_json(CATEGORIES, &token, &body).await, 403, "forbidden").await;
    }
    assert!(
        app.items(CATEGORIES, &app.national_viewer()).await.is_empty(),
        "nothing was created"
    );

    let response = app.post_json(CATEGORIES, &app.national_admin(), &body).await;
    assert_eq!(location(&response), "/api/v1/categories/body-armour");
    assert_eq!(etag(&response), "\"1\"");
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(created["path"], json!(["body-armour"]));
    let fetched = json_ok(app.get("/api/v1/categories/body-armour", &app.national_viewer()).await).await;
    assert_eq!(fetched, created);

    for token in [
        app.national_viewer(),
        app.buyer_of("kent-police"),
        app.supplier_staff("x"),
    ] {
        let response = app
            .patch_json(
                "/api/v1/categories/body-armour",
                &token,
                Some("\"1\""),
                &json!({"name": "Mine"}),
            )
            .await;
        assert_problem(response, 403, "forbidden").await;
    }
    let unchanged = json_ok(app.get("/api/v1/categories/body-armour", &app.national_viewer()).await).await;
    assert_eq!(unchanged["name"], created["name"]);
}

#[actix_web::test]
async fn creating_a_category_whose_slug_exists_is_409() {
    let app = TestApp::spawn().await;
    app.create_category(&category_body("fleet", None)).await;
    let mut again = category_body("fleet", None);
    again["name"] = json!("Another fleet");
    let problem = assert_problem(
        app.post_json(CATEGORIES, &app.national_admin(), &again).await,
        409,
        "category_exists",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("fleet"), "{problem}");
    let fleet = json_ok(app.get("/api/v1/categories/fleet", &app.national_viewer()).await).await;
    assert_eq!(fleet["name"], "Category fleet", "the first one is untouched");
}

#[actix_web::test]
async fn create_refuses_a_bad_slug_an_unknown_parent_and_a_malformed_cpv_code() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    app.create_category(&category_body("fleet", None)).await;

    for slug in ["Fleet-Cars", "fleet cars", "fleet_cars", "-fleet", "x", ""] {
        let problem = assert_invalid_field(
            app.post_json(CATEGORIES, &admin, &category_body(slug, None)).await,
            "slug",
        )
        .await;
        assert_eq!(error_fields(&problem), ["slug"], "{slug:?}: {problem}");
    }

    let problem = assert_invalid_field(
        app.post_json(CATEGORIES, &admin, &category_body("tyres", Some("fleeet")))
            .await,
        "parent",
    )
    .await;
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains("fleeet"),
        "{problem}"
    );

    for bad in [
        "3581100-1",
        "35811000-12",
        "35811000",
        "3581100a-1",
        "35811000_1",
        " 35811000-1",
    ] {
        let mut body = category_body("tyres", Some("fleet"));
        body["cpv_codes"] = json!(["34350000-5", bad]);
        let problem = assert_invalid_field(app.post_json(CATEGORIES, &admin, &body).await, "cpv_codes[1]").await;
        assert_eq!(error_fields(&problem), ["cpv_codes[1]"], "{bad:?}: {problem}");
    }

    // Every field at fault is named at once.
    let mut body = category_body("Tyres", Some("nowhere"));
    body["cpv_codes"] = json!(["x"]);
    body["name"] = json!("  ");
    let problem = assert_problem(app.post_json(CATEGORIES, &admin, &body).await, 422, "validation_failed").await;
    let fields: BTreeSet<String> = error_fields(&problem).into_iter().collect();
    assert_eq!(
        fields,
        BTreeSet::from(["slug", "name", "parent", "cpv_codes[0]"].map(String::from)),
        "{problem}"
    );

    assert_eq!(
        strings(&app.items(CATEGORIES, &admin).await, "slug"),
        ["fleet"],
        "nothing invalid was stored"
    );
}

#[actix_web::test]
async fn patch_needs_the_current_etag_in_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    app.create_category(&category_body("fleet", None)).await;
    let path = "/api/v1/categories/fleet";
    let change = json!({"name": "Fleet and transport", "joint_with_fire": true, "cpv_codes": ["34100000-8"]});

    assert_problem(
        app.patch_json(path, &admin, None, &change).await,
        428,
        "precondition_required",
    )
    .await;
    for stale in ["\"2\"", "\"0\"", "*", "1"] {
        assert_problem(
            app.patch_json(path, &admin, Some(stale), &change).await,
            412,
            "precondition_failed",
        )
        .await;
    }
    let untouched = json_ok(app.get(path, &admin).await).await;
    assert_eq!(untouched["name"], "Category fleet", "a refused update changes nothing");

    let response = app.patch_json(path, &admin, Some("\"1\""), &change).await;
    assert_eq!(etag(&response), "\"2\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["name"], "Fleet and transport");
    assert_eq!(updated["joint_with_fire"], true);
    assert_eq!(updated["cpv_codes"], json!(["34100000-8"]));
    assert_eq!(
        updated["description"], "Everything about fleet",
        "absent fields stay as they were"
    );
    assert_eq!(json_ok(app.get(path, &admin).await).await, updated);

    // The ETag it was read with is now stale.
    let late = app
        .patch_json(path, &admin, Some("\"1\""), &json!({"name": "Late"}))
        .await;
    assert_problem(late, 412, "precondition_failed").await;
    assert_problem(
        app.patch_json("/api/v1/categories/nothing", &admin, Some("\"1\""), &change)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_invalid_field(
        app.patch_json(path, &admin, Some("\"2\""), &json!({"cpv_codes": ["1"]}))
            .await,
        "cpv_codes[0]",
    )
    .await;
    assert_invalid_field(
        app.patch_json(path, &admin, Some("\"2\""), &json!({"slug": "cars"}))
            .await,
        "slug",
    )
    .await;
}

#[actix_web::test]
async fn moving_a_category_under_its_own_descendant_is_422_naming_parent() {
    let app = TestApp::spawn().await;
    seed_tree(&app).await;
    let admin = app.national_admin();
    let path = "/api/v1/categories/forensics";

    for parent in ["dna-analysis", "forensic-science-services", "forensics"] {
        let response = app
            .patch_json(path, &admin, Some("\"1\""), &json!({"parent": parent}))
            .await;
        let problem = assert_invalid_field(response, "parent").await;
        assert_eq!(error_fields(&problem), ["parent"], "{parent}: {problem}");
    }
    let response = app
        .patch_json(path, &admin, Some("\"1\""), &json!({"parent": "nowhere"}))
        .await;
    assert_invalid_field(response, "parent").await;
    let forensics = json_ok(app.get(path, &admin).await).await;
    assert_eq!(forensics["parent"], Value::Null, "the tree is unchanged");

    // A legal move re-roots the whole subtree: descendants' paths follow.
    let moved = app
        .patch_json(
            "/api/v1/categories/forensic-science-services",
            &admin,
            Some("\"1\""),
            &json!({"parent": "fleet"}),
        )
        .await;
    assert_eq!(
        json_ok(moved).await["path"],
        json!(["fleet", "forensic-science-services"])
    );
    let dna = json_ok(app.get("/api/v1/categories/dna-analysis", &admin).await).await;
    assert_eq!(
        dna["path"],
        json!(["fleet", "forensic-science-services", "dna-analysis"])
    );
    assert_eq!(slugs(&app, "parent=forensics").await, ["digital-forensics"]);

    // `parent: null` moves a category to the top of the tree.
    let response = app
        .patch_json(
            "/api/v1/categories/forensic-science-services",
            &admin,
            Some("\"2\""),
            &json!({"parent": null}),
        )
        .await;
    let top = json_ok(response).await;
    assert_eq!(top["parent"], Value::Null);
    assert_eq!(top["path"], json!(["forensic-science-services"]));
    assert_eq!(
        slugs(&app, "top_level=true").await,
        ["fleet", "forensic-science-services", "forensics"]
    );
}

/// A duplicate that gets past the handler's own check (another writer's row not yet committed
/// when the check ran) is the same 409, not a 500. Forced: a second connection holds an
/// uncommitted `fleet` while the API creates one. On PostgreSQL the API's check misses it and
/// its insert waits on the unique index, then fails with a unique violation when the holder
/// commits, so this is the only test that reaches the violation's mapping; on SQLite the API
/// waits for the write lock and its own check answers.
#[actix_web::test]
async fn a_duplicate_committed_while_the_api_checks_is_409_and_leaves_nothing_half_written() {
    let app = TestApp::spawn().await;
    let held = HeldTransaction::start(
        &app.database_url(),
        "INSERT INTO categories (slug, name, parent_slug, description, cpv_codes, joint_with_fire, \
         version, created_at, updated_at) VALUES ('fleet', 'Fleet held', NULL, 'held', '[]', FALSE, \
         1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            .to_owned(),
    )
    .await;
    let (admin, body) = (app.national_admin(), category_body("fleet", None));
    let (response, ()) = tokio::join!(app.post_json(CATEGORIES, &admin, &body), async {
        held.until_another_waits().await;
        held.commit().await;
    });
    assert_problem(response, 409, "category_exists").await;
    let fleet = json_ok(app.get("/api/v1/categories/fleet", &app.national_viewer()).await).await;
    assert_eq!(fleet["name"], "Fleet held", "the committed one stands");
    let audit = json_ok(
        app.get("/api/v1/audit-events?action=category.created", &app.national_admin())
            .await,
    )
    .await;
    assert_eq!(audit["items"], json!([]), "no audit entry for a category never made");
}
