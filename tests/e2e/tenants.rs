//! `/api/v1/tenants`: police forces, fire and rescue services and national bodies.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use crate::support::{
    Options, TestApp, assert_invalid_field, assert_problem, etag, json_ok, json_with_status, tenant_body,
};

const TENANTS: &str = "/api/v1/tenants";

fn slugs(items: &[Value]) -> Vec<String> {
    items.iter().map(|t| t["slug"].as_str().unwrap().to_owned()).collect()
}

/// A small national picture: police in two regions, fire in two, one national body.
async fn seed(app: &TestApp) {
    for (slug, kind, region) in [
        ("bedfordshire-police", "police", "eastern"),
        ("essex-police", "police", "eastern"),
        ("kent-police", "police", "south-east"),
        ("metropolitan-police-service", "police", "london"),
        ("london-fire-brigade", "fire", "london"),
        ("essex-county-fire-and-rescue-service", "fire", "eastern"),
        ("bluelight-commercial", "national", "national"),
    ] {
        app.create_tenant(slug, kind, region).await;
    }
}

#[actix_web::test]
async fn list_is_empty_without_demo_data_and_shows_created_tenants_in_slug_order() {
    let app = TestApp::spawn().await;
    let viewer = app.national_viewer();
    let page = json_ok(app.get(TENANTS, &viewer).await).await;
    assert_eq!(page, json!({"items": [], "next_cursor": null}));

    seed(&app).await;
    let page = json_ok(app.get(TENANTS, &viewer).await).await;
    let listed = slugs(page["items"].as_array().unwrap());
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed.len(), 7);
    assert_eq!(listed, sorted, "tenants are ordered by slug");
    assert_eq!(page["next_cursor"], Value::Null);
    let kent = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "kent-police")
        .unwrap();
    assert_eq!(kent["kind"], "police");
    assert_eq!(kent["region"], "south-east");
    assert_eq!(kent["name"], "Tenant kent-police");
}

#[actix_web::test]
async fn pagination_with_limit_2_visits_every_tenant_exactly_once() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let viewer = app.viewer_of("kent-police");

    let (items, pages) = app.list_all(TENANTS, &viewer, 2).await;
    let walked = slugs(&items);
    let everything = slugs(
        json_ok(app.get("/api/v1/tenants?limit=200", &viewer).await).await["items"]
            .as_array()
            .unwrap(),
    );
    assert_eq!(walked.len(), 7, "every tenant once: {walked:?}");
    assert_eq!(pages, 4, "7 tenants at 2 a page");
    assert_eq!(
        walked.iter().collect::<BTreeSet<_>>().len(),
        walked.len(),
        "no tenant twice: {walked:?}"
    );
    assert_eq!(walked, everything, "the walk matches the single-page list, in order");

    // The same holds with a filter, and a page that ends exactly at the last row has no next page.
    let (police, pages) = app.list_all("/api/v1/tenants?kind=police", &viewer, 2).await;
    assert_eq!(
        slugs(&police),
        [
            "bedfordshire-police",
            "essex-police",
            "kent-police",
            "metropolitan-police-service"
        ]
    );
    assert_eq!(pages, 2);
}

#[actix_web::test]
async fn a_tenant_added_mid_walk_neither_repeats_nor_skips_the_others() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let viewer = app.national_viewer();
    let first = json_ok(app.get("/api/v1/tenants?limit=3", &viewer).await).await;
    // Sorts before the cursor: not seen in this walk, and it must not shift the rest.
    app.create_tenant("avon-and-somerset-constabulary", "police", "south-west")
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = json_ok(
        app.get(&format!("/api/v1/tenants?limit=200&cursor={cursor}"), &viewer)
            .await,
    )
    .await;
    let mut walked = slugs(first["items"].as_array().unwrap());
    walked.extend(slugs(rest["items"].as_array().unwrap()));
    assert_eq!(walked.len(), 7, "{walked:?}");
    assert!(!walked.contains(&"avon-and-somerset-constabulary".to_owned()));
}

#[actix_web::test]
async fn list_filters_by_kind_and_region() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let token = app.national_viewer();
    let list = |query: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            slugs(
                json_ok(app.get(&format!("{TENANTS}?{query}"), &token).await).await["items"]
                    .as_array()
                    .unwrap(),
            )
        }
    };
    assert_eq!(
        list("kind=fire").await,
        ["essex-county-fire-and-rescue-service", "london-fire-brigade"]
    );
    assert_eq!(list("kind=national").await, ["bluelight-commercial"]);
    assert_eq!(
        list("region=london").await,
        ["london-fire-brigade", "metropolitan-police-service"]
    );
    assert_eq!(
        list("region=eastern").await,
        [
            "bedfordshire-police",
            "essex-county-fire-and-rescue-service",
            "essex-police"
        ]
    );
    assert_eq!(
        list("kind=police&region=eastern").await,
        ["bedfordshire-police", "essex-police"]
    );
    assert!(list("kind=fire&region=wales").await.is_empty());
    // A filter value that is not one of the kinds or regions is refused, not ignored.
    assert_invalid_field(app.get("/api/v1/tenants?kind=ambulance", &token).await, "kind").await;
    assert_invalid_field(app.get("/api/v1/tenants?region=narnia", &token).await, "region").await;
}

#[actix_web::test]
async fn get_returns_the_tenant_with_its_etag() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            TENANTS,
            &app.national_admin(),
            &tenant_body("kent-police", "police", "south-east"),
        )
        .await;
    let created_etag = etag(&created);
    let created = json_with_status(created, StatusCode::CREATED).await;

    let response = app
        .get("/api/v1/tenants/kent-police", &app.buyer_of("kent-police"))
        .await;
    let tag = etag(&response);
    assert!(
        tag.starts_with('"') && tag.ends_with('"') && tag.len() > 2,
        "a strong ETag: {tag}"
    );
    assert_eq!(tag, created_etag, "unchanged tenant, unchanged ETag");
    let tenant = json_ok(response).await;
    assert_eq!(tenant, created);
    for field in ["slug", "name", "kind", "region", "created_at", "updated_at"] {
        assert!(tenant.get(field).is_some(), "tenant lacks `{field}`: {tenant}");
    }
    let created_at = chrono::DateTime::parse_from_rfc3339(tenant["created_at"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - created_at.to_utc()).num_seconds().abs() < 60,
        "created_at is now, in UTC"
    );
}

#[actix_web::test]
async fn get_unknown_tenant_is_404() {
    let app = TestApp::spawn().await;
    app.create_tenant("kent-police", "police", "south-east").await;
    let problem = assert_problem(
        app.get("/api/v1/tenants/kent-polic", &app.national_viewer()).await,
        404,
        "not_found",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("kent-polic"), "{problem}");
}

#[actix_web::test]
async fn create_returns_201_with_location_and_etag() {
    let app = TestApp::spawn().await;
    let body = json!({
        "slug": "west-yorkshire-police",
        "name": "  West Yorkshire Police ",
        "kind": "police",
        "region": "yorkshire-and-the-humber"
    });
    let response = app.post_json(TENANTS, &app.national_admin(), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(location, "/api/v1/tenants/west-yorkshire-police");
    let tag = etag(&response);
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(created["slug"], "west-yorkshire-police");
    assert_eq!(created["name"], "West Yorkshire Police", "the name is trimmed");
    assert_eq!(created["kind"], "police");
    assert_eq!(created["region"], "yorkshire-and-the-humber");
    assert_eq!(created["created_at"], created["updated_at"]);

    // The Location leads to the same tenant and ETag.
    let fetched = app.get(&location, &app.national_viewer()).await;
    assert_eq!(etag(&fetched), tag);
    assert_eq!(json_ok(fetched).await, created);
}

#[actix_web::test]
async fn duplicate_slug_is_409() {
    let app = TestApp::spawn().await;
    app.create_tenant("kent-police", "police", "south-east").await;
    let again = tenant_body("kent-police", "fire", "london");
    let problem = assert_problem(
        app.post_json(TENANTS, &app.national_admin(), &again).await,
        409,
        "tenant_exists",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("kent-police"), "{problem}");
    // The first one is untouched.
    let kent = json_ok(app.get("/api/v1/tenants/kent-police", &app.national_viewer()).await).await;
    assert_eq!(kent["kind"], "police");
}

#[actix_web::test]
async fn invalid_slug_is_422_naming_slug() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let too_long = "a".repeat(65);
    for slug in [
        "",
        "k",
        "Kent-Police",
        "kent police",
        "kent_police",
        "-kent",
        "kent-",
        "kent--police",
        "kënt",
        &too_long,
    ] {
        let response = app
            .post_json(TENANTS, &admin, &tenant_body(slug, "police", "south-east"))
            .await;
        let problem = assert_invalid_field(response, "slug").await;
        assert_eq!(
            problem["errors"].as_array().unwrap().len(),
            1,
            "only the slug is wrong: {problem}"
        );
    }
    // Every field at fault is named at once.
    let body = json!({"slug": "Kent", "name": "   ", "kind": "police", "region": "south-east"});
    let problem = assert_invalid_field(app.post_json(TENANTS, &admin, &body).await, "slug").await;
    assert!(
        crate::support::error_fields(&problem).contains(&"name".to_owned()),
        "{problem}"
    );
    // The edges that are allowed.
    app.create_tenant("k9", "police", "south-east").await;
    app.create_tenant(&"a".repeat(64), "police", "south-east").await;
    let listed = json_ok(app.get(TENANTS, &admin).await).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        2,
        "no invalid tenant was stored"
    );
}

#[actix_web::test]
async fn unknown_field_in_a_new_tenant_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let mut body = tenant_body("kent-police", "police", "south-east");
    body["colour"] = json!("blue");
    let problem = assert_invalid_field(app.post_json(TENANTS, &app.national_admin(), &body).await, "colour").await;
    assert!(problem["detail"].as_str().unwrap().contains("colour"), "{problem}");
    assert_problem(
        app.get("/api/v1/tenants/kent-police", &app.national_viewer()).await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn patch_needs_the_current_etag_in_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let path = "/api/v1/tenants/kent-police";
    let created = app
        .post_json(TENANTS, &admin, &tenant_body("kent-police", "police", "south-east"))
        .await;
    let first_etag = etag(&created);
    let change = json!({"name": "Kent Police"});

    // No If-Match: 428.
    assert_problem(
        app.patch_json(path, &admin, None, &change).await,
        428,
        "precondition_required",
    )
    .await;
    // An ETag the tenant never had, a weak one (If-Match compares strongly), or not an ETag: 412.
    for stale in ["\"999\"", "W/\"1\"", "garbage"] {
        assert_problem(
            app.patch_json(path, &admin, Some(stale), &change).await,
            412,
            "precondition_failed",
        )
        .await;
    }
    let unchanged = app.get(path, &admin).await;
    assert_eq!(etag(&unchanged), first_etag, "refused updates change nothing");
    assert_eq!(json_ok(unchanged).await["name"], "Tenant kent-police");

    // The current one: 200, the change applied, and a new ETag.
    let updated = app.patch_json(path, &admin, Some(&first_etag), &change).await;
    let second_etag = etag(&updated);
    assert_ne!(second_etag, first_etag, "the ETag changes with the tenant");
    let updated = json_ok(updated).await;
    assert_eq!(updated["name"], "Kent Police");
    assert_eq!(updated["kind"], "police", "absent fields stay as they were");
    assert_eq!(updated["region"], "south-east");
    assert!(updated["updated_at"].as_str().unwrap() >= updated["created_at"].as_str().unwrap());

    // A second writer still holding the first ETag loses: no lost update.
    let late = json!({"region": "london"});
    assert_problem(
        app.patch_json(path, &admin, Some(&first_etag), &late).await,
        412,
        "precondition_failed",
    )
    .await;
    let fetched = app.get(path, &admin).await;
    assert_eq!(etag(&fetched), second_etag);
    let fetched = json_ok(fetched).await;
    assert_eq!(fetched["region"], "south-east");
    assert_eq!(fetched["name"], "Kent Police");

    // And with the new ETag the second change goes through.
    let moved = json_ok(
        app.patch_json(
            path,
            &admin,
            Some(&second_etag),
            &json!({"kind": "fire", "region": "london"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (moved["kind"].as_str(), moved["region"].as_str()),
        (Some("fire"), Some("london"))
    );
}

#[actix_web::test]
async fn patch_of_an_unknown_tenant_is_404_and_bad_changes_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    assert_problem(
        app.patch_json("/api/v1/tenants/nobody", &admin, Some("\"1\""), &json!({"name": "X"}))
            .await,
        404,
        "not_found",
    )
    .await;

    let created = app
        .post_json(TENANTS, &admin, &tenant_body("kent-police", "police", "south-east"))
        .await;
    let tag = etag(&created);
    let path = "/api/v1/tenants/kent-police";
    assert_invalid_field(
        app.patch_json(path, &admin, Some(&tag), &json!({"name": "  "})).await,
        "name",
    )
    .await;
    assert_invalid_field(
        app.patch_json(path, &admin, Some(&tag), &json!({"kind": "ambulance"}))
            .await,
        "kind",
    )
    .await;
    // The slug never changes, so it is not a field of a change.
    assert_invalid_field(
        app.patch_json(path, &admin, Some(&tag), &json!({"slug": "kent"})).await,
        "slug",
    )
    .await;
    let after = app.get(path, &admin).await;
    assert_eq!(etag(&after), tag, "refused changes leave the version alone");
}

#[actix_web::test]
async fn roles_other_than_national_admin_may_not_create_or_update_tenants() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let created = app
        .post_json(TENANTS, &admin, &tenant_body("kent-police", "police", "south-east"))
        .await;
    let tag = etag(&created);
    let callers = [
        ("national_viewer", app.national_viewer()),
        ("tenant_admin", app.tenant_admin_of("kent-police")),
        ("buyer", app.buyer_of("kent-police")),
        ("viewer", app.viewer_of("kent-police")),
        ("supplier", app.supplier_staff("0190a000-0000-7000-8000-000000000001")),
    ];
    for (role, token) in &callers {
        let response = app
            .post_json(TENANTS, token, &tenant_body("essex-police", "police", "eastern"))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} POST");
        assert_problem(response, 403, "forbidden").await;
        let response = app
            .patch_json(
                "/api/v1/tenants/kent-police",
                token,
                Some(&tag),
                &json!({"name": "Mine now"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} PATCH");
        assert_problem(response, 403, "forbidden").await;
        // They may read, though.
        json_ok(app.get("/api/v1/tenants/kent-police", token).await).await;
    }
    let kent = app.get("/api/v1/tenants/kent-police", &admin).await;
    assert_eq!(etag(&kent), tag);
    assert_eq!(json_ok(kent).await["name"], "Tenant kent-police");
    assert_problem(app.get("/api/v1/tenants/essex-police", &admin).await, 404, "not_found").await;
}

#[actix_web::test]
async fn a_fire_service_joins_and_is_listed_at_once_without_a_restart() {
    let app = TestApp::spawn().await;
    app.create_tenant("kent-police", "police", "south-east").await;
    let viewer = app.national_viewer();
    let fire_before = json_ok(app.get("/api/v1/tenants?kind=fire", &viewer).await).await;
    assert_eq!(fire_before["items"], json!([]));

    let body = json!({
        "slug": "west-yorkshire-fire-and-rescue-service",
        "name": "West Yorkshire Fire and Rescue Service",
        "kind": "fire",
        "region": "yorkshire-and-the-humber"
    });
    let response = app.post_json(TENANTS, &app.national_admin(), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let fire = json_ok(app.get("/api/v1/tenants?kind=fire", &viewer).await).await;
    assert_eq!(
        slugs(fire["items"].as_array().unwrap()),
        ["west-yorkshire-fire-and-rescue-service"]
    );
    // Its own staff can use the API straight away.
    let own_viewer = app.viewer_of("west-yorkshire-fire-and-rescue-service");
    let own = json_ok(
        app.get("/api/v1/tenants/west-yorkshire-fire-and-rescue-service", &own_viewer)
            .await,
    )
    .await;
    assert_eq!(own["kind"], "fire");
    assert_eq!(own["name"], "West Yorkshire Fire and Rescue Service");
}

#[actix_web::test]
async fn demo_data_lists_the_forces_and_fire_services() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();
    let (all, _) = app.list_all(TENANTS, &viewer, 200).await;
    let police = all.iter().filter(|t| t["kind"] == "police").count();
    assert_eq!(police, 43, "the 43 territorial forces of England and Wales");
    let fire = json_ok(app.get("/api/v1/tenants?kind=fire", &viewer).await).await;
    assert!(
        !fire["items"].as_array().unwrap().is_empty(),
        "some fire and rescue services"
    );
    json_ok(app.get("/api/v1/tenants/bedfordshire-police", &viewer).await).await;
}
