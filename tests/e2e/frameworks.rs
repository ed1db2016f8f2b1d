//! `/api/v1/frameworks`: national framework agreements with their lots and awarded suppliers.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use reqwest::header::IF_MATCH;
use serde_json::{Value, json};

use crate::support::catalogue::{
    FRAMEWORKS, SUPPLIERS, all_at_once, category_body, day, expected_status, framework_body, location, lot_body,
    set_of, strings, supplier_body,
};
use crate::support::{
    Options, TestApp, assert_invalid_field, assert_problem, error_fields, etag, json_ok, json_with_status,
};

const FIRE_SERVICE: &str = "london-fire-brigade";
const POLICE_FORCE: &str = "lancashire-constabulary";
const NATIONAL_BODY: &str = "bluelight-commercial";

/// Categories uniform-and-ppe > body-armour > covert-armour and fleet; a police force, a fire
/// service and a national body. Returns nothing: fixtures are addressed by slug.
async fn seed_categories_and_tenants(app: &TestApp) {
    for (slug, parent) in [
        ("uniform-and-ppe", None),
        ("body-armour", Some("uniform-and-ppe")),
        ("covert-armour", Some("body-armour")),
        ("fleet", None),
    ] {
        app.create_category(&category_body(slug, parent)).await;
    }
    app.create_tenant(POLICE_FORCE, "police", "north-west").await;
    app.create_tenant(FIRE_SERVICE, "fire", "london").await;
    app.create_tenant(NATIONAL_BODY, "national", "national").await;
}

/// Creates a supplier with this name; returns its id.
async fn supplier(app: &TestApp, name: &str) -> String {
    app.create_supplier(&supplier_body(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a framework from `framework_body(reference, category)` changed by `edit`; returns its id.
async fn framework(app: &TestApp, reference: &str, category: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut body = framework_body(reference, category);
    edit(&mut body);
    app.create_framework(&body).await["id"].as_str().unwrap().to_owned()
}

/// The references of the frameworks a query lists (one page of up to 200).
async fn references(app: &TestApp, query: &str) -> BTreeSet<String> {
    set_of(
        &app.items(&format!("{FRAMEWORKS}?limit=200&{query}"), &app.national_viewer())
            .await,
        "reference",
    )
}

fn refs(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Every framework, walked 200 a page.
async fn all_frameworks(app: &TestApp, token: &str) -> Vec<Value> {
    app.list_all(FRAMEWORKS, token, 200).await.0
}

fn ids_of(items: &[Value]) -> BTreeSet<String> {
    set_of(items, "id")
}

// ----- list filters -----

#[actix_web::test]
async fn q_matches_reference_title_and_description_case_insensitively() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    framework(&app, "BLC-ARM-2026-01", "body-armour", |f| {
        f["title"] = json!("Body Armour and Protective Equipment");
        f["description"] = json!("Overt and covert vests");
    })
    .await;
    framework(&app, "BLC-FLT-2026-02", "fleet", |f| {
        f["title"] = json!("Fleet Tyres");
        f["description"] = json!("Run-flat tyres for ARMOURED vehicles");
    })
    .await;
    framework(&app, "NPCC/DIG/7", "fleet", |f| {
        f["title"] = json!("Digital Forensics Tools");
        f["description"] = json!("Write blockers and imaging");
    })
    .await;

    assert_eq!(
        references(&app, "q=armour").await,
        refs(&["BLC-ARM-2026-01", "BLC-FLT-2026-02"])
    );
    assert_eq!(
        references(&app, "q=ARMOUR").await,
        refs(&["BLC-ARM-2026-01", "BLC-FLT-2026-02"])
    );
    assert_eq!(
        references(&app, "q=blc-flt").await,
        refs(&["BLC-FLT-2026-02"]),
        "the reference, in any case"
    );
    assert_eq!(references(&app, "q=npcc/dig").await, refs(&["NPCC/DIG/7"]));
    assert_eq!(
        references(&app, "q=fleet%20TYRES").await,
        refs(&["BLC-FLT-2026-02"]),
        "the title"
    );
    assert_eq!(
        references(&app, "q=IMAGING").await,
        refs(&["NPCC/DIG/7"]),
        "the description"
    );
    assert_eq!(
        references(&app, "q=%20%20covert%20").await,
        refs(&["BLC-ARM-2026-01"]),
        "surrounding blanks trimmed"
    );
    assert!(references(&app, "q=helicopter").await.is_empty());
    assert_eq!(references(&app, "q=").await.len(), 3, "a blank q filters nothing");
}

#[actix_web::test]
async fn a_percent_sign_in_q_matches_only_a_literal_percent() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    framework(&app, "BLC-FUEL-01", "fleet", |f| {
        f["title"] = json!("Fuel cards at 100% of pump price")
    })
    .await;
    framework(&app, "BLC-FUEL-02", "fleet", |f| {
        f["description"] = json!("A discount of 5 percent")
    })
    .await;
    framework(&app, "BLC_ARM_03", "body-armour", |_| {}).await;
    framework(&app, "BLC-ARM-04", "body-armour", |_| {}).await;

    assert_eq!(references(&app, "q=%25").await, refs(&["BLC-FUEL-01"]));
    assert_eq!(references(&app, "q=100%25").await, refs(&["BLC-FUEL-01"]));
    assert!(
        references(&app, "q=5%25").await.is_empty(),
        "as a wildcard `5%` would match `5 percent`"
    );
    assert!(references(&app, "q=%25%25").await.is_empty());
    assert_eq!(
        references(&app, "q=blc_arm").await,
        refs(&["BLC_ARM_03"]),
        "`_` is literal too"
    );
}

#[actix_web::test]
async fn q_ignores_case_for_letters_beyond_ascii_too() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    framework(&app, "NWFRS-2026-01", "fleet", |f| {
        f["title"] = json!("GWASANAETH TÂN AC ACHUB")
    })
    .await;
    framework(&app, "BLC-EQP-2026-02", "fleet", |f| {
        f["description"] = json!("Équipement de protection")
    })
    .await;
    // tân, TÂN, équipement, ÉQUIPEMENT
    for (q, expected) in [
        ("t%C3%A2n", "NWFRS-2026-01"),
        ("T%C3%82N", "NWFRS-2026-01"),
        ("%C3%A9quipement", "BLC-EQP-2026-02"),
        ("%C3%89QUIPEMENT", "BLC-EQP-2026-02"),
    ] {
        assert_eq!(references(&app, &format!("q={q}")).await, refs(&[expected]), "q={q}");
    }
}

#[actix_web::test]
async fn category_filter_includes_frameworks_in_every_subcategory() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    framework(&app, "UNI-1", "uniform-and-ppe", |_| {}).await;
    framework(&app, "ARM-1", "body-armour", |_| {}).await;
    framework(&app, "COV-1", "covert-armour", |_| {}).await;
    framework(&app, "FLT-1", "fleet", |_| {}).await;

    assert_eq!(
        references(&app, "category=uniform-and-ppe").await,
        refs(&["UNI-1", "ARM-1", "COV-1"])
    );
    assert_eq!(
        references(&app, "category=body-armour").await,
        refs(&["ARM-1", "COV-1"])
    );
    assert_eq!(references(&app, "category=covert-armour").await, refs(&["COV-1"]));
    assert_eq!(references(&app, "category=fleet").await, refs(&["FLT-1"]));

    let response = app
        .get("/api/v1/frameworks?category=armour", &app.national_viewer())
        .await;
    let problem = assert_invalid_field(response, "category").await;
    assert_eq!(error_fields(&problem), ["category"]);
}

#[actix_web::test]
async fn status_is_derived_from_the_dates_on_todays_utc_date_and_the_filter_agrees() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    for (reference, start, end) in [
        ("EXPIRED-YESTERDAY", Some(day(-400)), Some(day(-1))),
        ("EXPIRED-NO-START", None, Some(day(-1))),
        ("LIVE-TODAY-ONLY", Some(day(0)), Some(day(0))),
        ("LIVE-OPEN-ENDED", Some(day(-10)), None),
        ("PIPELINE-TOMORROW", Some(day(1)), Some(day(100))),
        ("PIPELINE-UNDATED", None, None),
    ] {
        framework(&app, reference, "fleet", |f| {
            f["start_date"] = json!(start);
            f["end_date"] = json!(end);
            f["max_end_date"] = Value::Null;
        })
        .await;
    }
    let items = app.items("/api/v1/frameworks?limit=200", &app.national_viewer()).await;
    assert_eq!(items.len(), 6);
    for item in &items {
        let reference = item["reference"].as_str().unwrap();
        let named = reference.split('-').next().unwrap().to_lowercase();
        assert_eq!(item["status"], named.as_str(), "{item}");
        assert_eq!(item["status"], expected_status(item), "{item}");
    }

    assert_eq!(
        references(&app, "status=expired").await,
        refs(&["EXPIRED-YESTERDAY", "EXPIRED-NO-START"])
    );
    assert_eq!(
        references(&app, "status=live").await,
        refs(&["LIVE-TODAY-ONLY", "LIVE-OPEN-ENDED"])
    );
    assert_eq!(
        references(&app, "status=pipeline").await,
        refs(&["PIPELINE-TOMORROW", "PIPELINE-UNDATED"])
    );
    assert_invalid_field(
        app.get("/api/v1/frameworks?status=closed", &app.national_viewer())
            .await,
        "status",
    )
    .await;

    // expires_before: a current end date strictly before the date; no end date never expires.
    assert_eq!(
        references(&app, &format!("expires_before={}", day(0))).await,
        refs(&["EXPIRED-YESTERDAY", "EXPIRED-NO-START"])
    );
    assert_eq!(
        references(&app, &format!("expires_before={}", day(1))).await,
        refs(&["EXPIRED-YESTERDAY", "EXPIRED-NO-START", "LIVE-TODAY-ONLY"])
    );
    assert_eq!(
        references(&app, &format!("expires_before={}", day(101))).await,
        refs(&[
            "EXPIRED-YESTERDAY",
            "EXPIRED-NO-START",
            "LIVE-TODAY-ONLY",
            "PIPELINE-TOMORROW"
        ])
    );
    assert_invalid_field(
        app.get("/api/v1/frameworks?expires_before=soon", &app.national_viewer())
            .await,
        "expires_before",
    )
    .await;
}

#[actix_web::test]
async fn status_of_every_demo_framework_matches_its_dates_and_the_status_filters_partition_them() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();
    let all = all_frameworks(&app, &viewer).await;
    assert!(all.len() >= 40, "{} frameworks", all.len());
    let mut by_status: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for item in &all {
        assert_eq!(item["status"], expected_status(item), "{item}");
        by_status
            .entry(expected_status(item))
            .or_default()
            .insert(item["id"].as_str().unwrap().to_owned());
    }
    for status in ["pipeline", "live", "expired"] {
        let expected = by_status.get(status).cloned().unwrap_or_default();
        assert!(!expected.is_empty(), "the demo data has {status} frameworks");
        let (listed, _) = app
            .list_all(&format!("{FRAMEWORKS}?status={status}"), &viewer, 200)
            .await;
        assert!(listed.iter().all(|f| f["status"] == status), "{status}");
        assert_eq!(ids_of(&listed), expected, "status={status}");
    }
}

#[actix_web::test]
async fn supplier_filter_returns_exactly_the_frameworks_the_supplier_holds_a_lot_on() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();

    // The lots of every framework, as its detail shows them: supplier id -> framework ids.
    let mut holders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for framework in all_frameworks(&app, &viewer).await {
        let id = framework["id"].as_str().unwrap();
        let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &viewer).await).await;
        for lot in detail["lots"].as_array().unwrap() {
            for award in lot["suppliers"].as_array().unwrap() {
                holders
                    .entry(award["supplier_id"].as_str().unwrap().to_owned())
                    .or_default()
                    .insert(id.to_owned());
            }
        }
    }

    let (suppliers, _) = app.list_all(SUPPLIERS, &viewer, 200).await;
    let mut with_awards = 0;
    for supplier in &suppliers {
        let id = supplier["id"].as_str().unwrap();
        let detail = json_ok(app.get(&format!("{SUPPLIERS}/{id}"), &viewer).await).await;
        let awarded: BTreeSet<String> = set_of(detail["awards"].as_array().unwrap(), "framework_id");
        let (listed, _) = app.list_all(&format!("{FRAMEWORKS}?supplier={id}"), &viewer, 200).await;
        assert_eq!(
            ids_of(&listed),
            awarded,
            "frameworks?supplier= and the awards of {}",
            supplier["name"]
        );
        assert_eq!(
            &awarded,
            holders.get(id).unwrap_or(&BTreeSet::new()),
            "awards of {}",
            supplier["name"]
        );
        if !awarded.is_empty() {
            with_awards += 1;
        }
    }
    assert!(
        with_awards >= 30,
        "only {with_awards} suppliers hold lots: the check would prove little"
    );
    assert!(
        app.items(&format!("{FRAMEWORKS}?supplier=no-such-supplier"), &viewer)
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn eligible_for_a_fire_service_lists_only_fire_and_joint_frameworks() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();
    let all = all_frameworks(&app, &viewer).await;
    let expect = |allowed: &[&str]| -> BTreeSet<String> {
        ids_of(
            &all.iter()
                .filter(|f| allowed.contains(&f["eligibility"].as_str().unwrap()))
                .cloned()
                .collect::<Vec<_>>(),
        )
    };

    let (fire, _) = app
        .list_all(&format!("{FRAMEWORKS}?eligible_for={FIRE_SERVICE}"), &viewer, 200)
        .await;
    assert!(
        fire.iter()
            .all(|f| f["eligibility"] == "fire" || f["eligibility"] == "both")
    );
    assert_eq!(ids_of(&fire), expect(&["fire", "both"]));
    assert!(fire.iter().any(|f| f["eligibility"] == "fire") && fire.iter().any(|f| f["eligibility"] == "both"));

    let (police, _) = app
        .list_all(&format!("{FRAMEWORKS}?eligible_for={POLICE_FORCE}"), &viewer, 200)
        .await;
    assert_eq!(ids_of(&police), expect(&["police", "both"]));
    let (national, _) = app
        .list_all(&format!("{FRAMEWORKS}?eligible_for={NATIONAL_BODY}"), &viewer, 200)
        .await;
    assert_eq!(national.len(), all.len(), "everything is open to a national body");

    let problem = assert_invalid_field(
        app.get("/api/v1/frameworks?eligible_for=narnia-fire-and-rescue", &viewer)
            .await,
        "eligible_for",
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("narnia-fire-and-rescue"),
        "{problem}"
    );
}

#[actix_web::test]
async fn expires_before_lists_exactly_the_demo_frameworks_ending_before_the_date() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();
    let all = all_frameworks(&app, &viewer).await;
    for date in ["2025-01-01", "2027-06-01", "2030-01-01"] {
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|f| f["end_date"].as_str().is_some_and(|end| end < date))
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        let (listed, _) = app
            .list_all(&format!("{FRAMEWORKS}?expires_before={date}"), &viewer, 200)
            .await;
        assert_eq!(ids_of(&listed), expected, "expires_before={date}");
    }
    let some = app
        .list_all(&format!("{FRAMEWORKS}?expires_before=2030-01-01"), &viewer, 200)
        .await
        .0
        .len();
    assert!(
        some > 0 && some < all.len(),
        "a date that splits the demo frameworks: {some} of {}",
        all.len()
    );
}

#[actix_web::test]
async fn combined_filters_return_the_intersection_of_each_filter_alone() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.buyer_of(POLICE_FORCE);
    let all = all_frameworks(&app, &viewer).await;
    let categories = app.list_all("/api/v1/categories", &viewer, 200).await.0;
    let subtree = |root: &str| -> BTreeSet<String> {
        categories
            .iter()
            .filter(|c| c["path"].as_array().unwrap().iter().any(|s| s == root))
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let a_supplier = {
        let strategic = app.items("/api/v1/suppliers?strategic=true&limit=1", &viewer).await;
        strategic[0]["id"].as_str().unwrap().to_owned()
    };
    let supplier_frameworks = ids_of(
        &app.list_all(&format!("{FRAMEWORKS}?supplier={a_supplier}"), &viewer, 200)
            .await
            .0,
    );

    let mut non_empty = 0;
    for (query, category, status, eligibilities, before, q, supplier) in [
        (
            "status=live&eligible_for=london-fire-brigade&category=fleet",
            Some("fleet"),
            Some("live"),
            Some(&["fire", "both"][..]),
            None,
            None,
            false,
        ),
        (
            "status=live&category=ict&eligible_for=lancashire-constabulary",
            Some("ict"),
            Some("live"),
            Some(&["police", "both"][..]),
            None,
            None,
            false,
        ),
        (
            "category=uniform-and-ppe&expires_before=2029-01-01",
            Some("uniform-and-ppe"),
            None,
            None,
            Some("2029-01-01"),
            None,
            false,
        ),
        (
            "q=framework&status=expired",
            None,
            Some("expired"),
            None,
            None,
            Some("framework"),
            false,
        ),
        ("status=live", None, Some("live"), None, None, None, true),
    ] {
        let query = if supplier {
            format!("{query}&supplier={a_supplier}")
        } else {
            query.to_owned()
        };
        let in_category = category.map(&subtree);
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|f| {
                in_category
                    .as_ref()
                    .is_none_or(|set| set.contains(f["category"].as_str().unwrap()))
            })
            .filter(|f| status.is_none_or(|s| expected_status(f) == s))
            .filter(|f| eligibilities.is_none_or(|e| e.contains(&f["eligibility"].as_str().unwrap())))
            .filter(|f| before.is_none_or(|b| f["end_date"].as_str().is_some_and(|end| end < b)))
            .filter(|f| {
                q.is_none_or(|q| {
                    ["reference", "title", "description"]
                        .iter()
                        .any(|field| f[*field].as_str().unwrap().to_lowercase().contains(q))
                })
            })
            .filter(|f| !supplier || supplier_frameworks.contains(f["id"].as_str().unwrap()))
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        let (listed, _) = app.list_all(&format!("{FRAMEWORKS}?{query}"), &viewer, 200).await;
        assert_eq!(ids_of(&listed), expected, "{query}");
        if !expected.is_empty() {
            non_empty += 1;
        }
    }
    assert!(
        non_empty >= 3,
        "most combinations match something, so the check proves something"
    );
}

#[actix_web::test]
async fn pagination_with_limit_5_visits_every_framework_exactly_once() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.viewer_of(FIRE_SERVICE);
    let (walked, pages) = app.list_all(FRAMEWORKS, &viewer, 5).await;
    let ids = strings(&walked, "id");
    assert!(ids.len() >= 40, "{} frameworks", ids.len());
    assert_eq!(pages, ids.len().div_ceil(5), "full pages of 5, then the rest");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "no framework twice"
    );
    let (everything, one_page) = app.list_all(FRAMEWORKS, &viewer, 200).await;
    assert_eq!(one_page, 1);
    assert_eq!(
        strings(&everything, "id"),
        ids,
        "the walk equals the one-page list, in the same order"
    );

    // Filtered walks paginate the same way.
    let (live, _) = app.list_all(&format!("{FRAMEWORKS}?status=live"), &viewer, 5).await;
    let (live_at_once, _) = app.list_all(&format!("{FRAMEWORKS}?status=live"), &viewer, 200).await;
    assert_eq!(strings(&live, "id"), strings(&live_at_once, "id"));
    assert!(live.len() > 5, "more than one page of live frameworks");

    assert_invalid_field(app.get("/api/v1/frameworks?limit=0", &viewer).await, "limit").await;
    assert_invalid_field(app.get("/api/v1/frameworks?limit=201", &viewer).await, "limit").await;
    assert_invalid_field(app.get("/api/v1/frameworks?cursor=%21%21", &viewer).await, "cursor").await;
}

// ----- open_to_you -----

#[actix_web::test]
async fn open_to_you_tells_a_tenant_user_whether_the_framework_is_for_their_service() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let mut ids = BTreeMap::new();
    for eligibility in ["police", "fire", "both"] {
        let id = framework(&app, &format!("ELIG-{eligibility}"), "fleet", |f| {
            f["eligibility"] = json!(eligibility)
        })
        .await;
        ids.insert(eligibility, id);
    }

    for (token, open) in [
        (
            app.buyer_of(FIRE_SERVICE),
            [("police", false), ("fire", true), ("both", true)],
        ),
        (
            app.viewer_of(POLICE_FORCE),
            [("police", true), ("fire", false), ("both", true)],
        ),
        (
            app.tenant_admin_of(POLICE_FORCE),
            [("police", true), ("fire", false), ("both", true)],
        ),
        (
            app.tenant_admin_of(NATIONAL_BODY),
            [("police", true), ("fire", true), ("both", true)],
        ),
    ] {
        let items = app.items(FRAMEWORKS, &token).await;
        for (eligibility, expected) in open {
            let listed = items.iter().find(|f| f["eligibility"] == eligibility).unwrap();
            assert_eq!(listed["open_to_you"], expected, "{eligibility}: {listed}");
            let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{}", ids[eligibility]), &token).await).await;
            assert_eq!(detail["open_to_you"], expected, "{eligibility}: {detail}");
        }
    }

    for token in [
        app.national_admin(),
        app.national_viewer(),
        app.supplier_staff("0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b"),
    ] {
        let items = app.items(FRAMEWORKS, &token).await;
        assert!(!items.is_empty());
        for item in items {
            assert!(
                item.get("open_to_you").is_none(),
                "not for national roles or suppliers: {item}"
            );
        }
        let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{}", ids["fire"]), &token).await).await;
        assert!(detail.get("open_to_you").is_none(), "{detail}");
    }
}

#[actix_web::test]
async fn a_token_for_a_tenant_not_stored_here_is_refused_on_every_framework_read() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let stranger = app.viewer_of("no-such-force");
    // An empty page too: no framework row carries the tenant's kind to check it by.
    assert_problem(app.get(FRAMEWORKS, &stranger).await, 403, "forbidden").await;
    let id = framework(&app, "STRANGER-1", "fleet", |_| {}).await;
    assert_problem(app.get(FRAMEWORKS, &stranger).await, 403, "forbidden").await;
    assert_problem(
        app.get(&format!("{FRAMEWORKS}/{id}"), &stranger).await,
        403,
        "forbidden",
    )
    .await;
    // Who may ask comes before whether the framework exists.
    assert_problem(
        app.get(&format!("{FRAMEWORKS}/no-such-id"), &stranger).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get(&format!("{FRAMEWORKS}?q=no-match-at-all"), &stranger).await,
        403,
        "forbidden",
    )
    .await;
    // The same token's tenant, once it exists, reads them.
    app.create_tenant("no-such-force", "police", "north-west").await;
    assert_eq!(app.items(FRAMEWORKS, &stranger).await.len(), 1);
}

// ----- detail -----

#[actix_web::test]
async fn detail_lists_lots_in_number_order_with_routes_value_bands_and_supplier_statuses() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let kestrel = app
        .create_supplier(&json!({"name": "Kestrel Tyres CIC", "sme": true, "vcse": true, "regions": ["wales"]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let albion = app
        .create_supplier(&json!({"name": "Albion Fleet Solutions Ltd", "sme": false, "regions": ["national"]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut body = framework_body("BLC-FLT-2026-09", "fleet");
    body["max_value"] = json!("60000000");
    body["lots"] = json!([
        {"number": 3, "title": "Lot three", "routes": ["further_competition"], "suppliers": []},
        {"number": 1, "title": "Lot one", "routes": ["direct_award"], "min_value": "0", "max_value": "5000000.5",
         "suppliers": [{"supplier_id": albion, "status": "excluded"}]},
        {"number": 2, "title": "Lot two", "routes": ["further_competition", "direct_award"], "min_value": "10000.00",
         "max_value": "250000.01",
         "suppliers": [{"supplier_id": kestrel}, {"supplier_id": albion, "status": "suspended"}]},
    ]);
    let created = app.create_framework(&body).await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .get(&format!("{FRAMEWORKS}/{id}"), &app.viewer_of(POLICE_FORCE))
        .await;
    assert_eq!(etag(&response), "\"1\"");
    let detail = json_ok(response).await;
    assert_eq!(detail["reference"], "BLC-FLT-2026-09");
    assert_eq!(
        detail["max_value"], "60000000.00",
        "money is a decimal string with pence"
    );
    assert_eq!(detail["lot_count"], 3);
    assert_eq!(detail["category"], "fleet");
    let lots = detail["lots"].as_array().unwrap();
    assert_eq!(
        lots.iter().map(|l| l["number"].as_i64().unwrap()).collect::<Vec<_>>(),
        [1, 2, 3]
    );

    assert_eq!(lots[0]["title"], "Lot one");
    assert_eq!(lots[0]["routes"], json!(["direct_award"]));
    assert_eq!(lots[0]["min_value"], "0.00");
    assert_eq!(lots[0]["max_value"], "5000000.50");
    assert_eq!(
        lots[0]["suppliers"],
        json!([{"supplier_id": albion, "name": "Albion Fleet Solutions Ltd", "sme": false, "vcse": false, "status": "excluded"}])
    );

    let routes: BTreeSet<&str> = lots[1]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(routes, BTreeSet::from(["direct_award", "further_competition"]));
    assert_eq!(lots[1]["min_value"], "10000.00");
    assert_eq!(lots[1]["max_value"], "250000.01");
    let statuses: BTreeMap<String, (String, bool, bool)> = lots[1]["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["supplier_id"].as_str().unwrap().to_owned(),
                (
                    s["status"].as_str().unwrap().to_owned(),
                    s["sme"].as_bool().unwrap(),
                    s["vcse"].as_bool().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        statuses[&kestrel],
        ("active".to_owned(), true, true),
        "status defaults to active"
    );
    assert_eq!(statuses[&albion], ("suspended".to_owned(), false, false));
    let names: Vec<&str> = lots[1]["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Albion Fleet Solutions Ltd", "Kestrel Tyres CIC"],
        "suppliers by name"
    );

    assert_eq!(lots[2]["routes"], json!(["further_competition"]));
    assert_eq!(lots[2]["min_value"], Value::Null);
    assert_eq!(lots[2]["max_value"], Value::Null);
    assert_eq!(lots[2]["suppliers"], json!([]));

    // The list item is the detail without the lots.
    let listed = app.items(FRAMEWORKS, &app.viewer_of(POLICE_FORCE)).await;
    let mut without_lots = detail.clone();
    without_lots.as_object_mut().unwrap().remove("lots");
    assert_eq!(listed, [without_lots]);

    assert_problem(
        app.get(&format!("{FRAMEWORKS}/no-such-id"), &app.national_viewer())
            .await,
        404,
        "not_found",
    )
    .await;
}

// ----- create -----

#[actix_web::test]
async fn create_returns_201_with_location_and_etag() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let response = app
        .post_json(
            FRAMEWORKS,
            &app.national_admin(),
            &framework_body("BLC-ARM-2026-01", "body-armour"),
        )
        .await;
    let location = location(&response);
    let tag = etag(&response);
    assert_eq!(tag, "\"1\"");
    let created = json_with_status(response, StatusCode::CREATED).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/frameworks/{id}"));
    assert_eq!(created["status"], "live");
    assert_eq!(created["lot_count"], 1);
    assert_eq!(created["lots"][0]["number"], 1);
    assert_eq!(created["created_at"], created["updated_at"]);

    let fetched = app.get(&location, &app.national_viewer()).await;
    assert_eq!(etag(&fetched), tag);
    assert_eq!(json_ok(fetched).await, created);
}

#[actix_web::test]
async fn create_is_all_or_nothing_when_the_second_lot_names_an_unknown_supplier() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let known = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let mut body = framework_body("BLC-ARM-2026-01", "body-armour");
    body["lots"] = json!([
        lot_body(1, &[&known]),
        lot_body(2, &["0193a1b2-0000-7000-8000-000000000000"]),
    ]);
    let problem = assert_invalid_field(
        app.post_json(FRAMEWORKS, &app.national_admin(), &body).await,
        "lots[1].suppliers[0].supplier_id",
    )
    .await;
    assert_eq!(
        error_fields(&problem),
        ["lots[1].suppliers[0].supplier_id"],
        "{problem}"
    );

    let viewer = app.national_viewer();
    assert!(
        app.items(FRAMEWORKS, &viewer).await.is_empty(),
        "no framework was created"
    );
    let awards = json_ok(app.get(&format!("{SUPPLIERS}/{known}"), &viewer).await).await;
    assert_eq!(awards["awards"], json!([]), "no lot of it was created either");

    // The reference is still free.
    body["lots"][1]["suppliers"] = json!([{"supplier_id": known}]);
    let created = app.create_framework(&body).await;
    assert_eq!(created["lot_count"], 2);
    assert_eq!(app.items(FRAMEWORKS, &viewer).await.len(), 1);
}

#[actix_web::test]
async fn creating_a_framework_whose_reference_exists_is_409() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    app.create_framework(&framework_body("BLC-ARM-2026-01", "body-armour"))
        .await;
    let mut again = framework_body("BLC-ARM-2026-01", "fleet");
    again["title"] = json!("Another");
    let problem = assert_problem(
        app.post_json(FRAMEWORKS, &app.national_admin(), &again).await,
        409,
        "framework_exists",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("BLC-ARM-2026-01"),
        "{problem}"
    );
    let listed = app.items(FRAMEWORKS, &app.national_viewer()).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["category"], "body-armour", "the first one is untouched");
}

#[actix_web::test]
async fn create_refuses_each_invalid_field_naming_it() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let known = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let base = {
        let mut body = framework_body("BLC-ARM-2026-01", "body-armour");
        body["lots"] = json!([lot_body(1, &[&known]), lot_body(2, &[])]);
        body
    };
    let admin = app.national_admin();
    type Edit = Box<dyn Fn(&mut Value)>;
    // (the field at fault, the change that breaks it); no other field is named.
    let cases: Vec<(&str, Edit)> = vec![
        (
            "end_date",
            Box::new(|b| {
                b["start_date"] = json!(day(10));
                b["end_date"] = json!(day(5));
            }),
        ),
        ("max_end_date", Box::new(|b| b["max_end_date"] = json!(day(100)))),
        ("max_end_date", Box::new(|b| b["end_date"] = Value::Null)),
        ("max_value", Box::new(|b| b["max_value"] = json!("-1.00"))),
        ("max_value", Box::new(|b| b["max_value"] = json!("100.001"))),
        ("max_value", Box::new(|b| b["max_value"] = json!(60000.5))),
        ("max_value", Box::new(|b| b["max_value"] = json!(60000))),
        ("max_value", Box::new(|b| b["max_value"] = json!("1e6"))),
        (
            "lots[1].max_value",
            Box::new(|b| b["lots"][1]["max_value"] = json!("-5.00")),
        ),
        (
            "lots[1].min_value",
            Box::new(|b| b["lots"][1]["min_value"] = json!("-0.01")),
        ),
        (
            "lots[0].min_value",
            Box::new(|b| b["lots"][0]["min_value"] = json!("1.999")),
        ),
        (
            "lots[0].max_value",
            Box::new(|b| b["lots"][0]["max_value"] = json!(250000)),
        ),
        (
            "lots[1].max_value",
            Box::new(|b| {
                b["lots"][1]["min_value"] = json!("500.00");
                b["lots"][1]["max_value"] = json!("100.00");
            }),
        ),
        ("lots[1].number", Box::new(|b| b["lots"][1]["number"] = json!(1))),
        ("lots[0].number", Box::new(|b| b["lots"][0]["number"] = json!(0))),
        ("lots[0].routes", Box::new(|b| b["lots"][0]["routes"] = json!([]))),
        (
            "lots[0].routes",
            Box::new(|b| b["lots"][0]["routes"] = json!(["direct_award", "direct_award"])),
        ),
        (
            "lots[0].routes[1]",
            Box::new(|b| b["lots"][0]["routes"] = json!(["direct_award", "telepathy"])),
        ),
        ("lots[1].title", Box::new(|b| b["lots"][1]["title"] = json!(" "))),
        (
            "lots[0].suppliers[1].supplier_id",
            Box::new(move |b| {
                b["lots"][0]["suppliers"] = json!([{"supplier_id": "same"}, {"supplier_id": "same"}]);
            }),
        ),
        (
            "lots[0].suppliers[0].status",
            Box::new(|b| b["lots"][0]["suppliers"][0]["status"] = json!("pending")),
        ),
        ("category", Box::new(|b| b["category"] = json!("no-such-category"))),
        ("reference", Box::new(|b| b["reference"] = json!("BLC ARM 2026"))),
        ("reference", Box::new(|b| b["reference"] = json!(""))),
        ("title", Box::new(|b| b["title"] = json!("   "))),
        ("owning_body", Box::new(|b| b["owning_body"] = json!(""))),
        ("eligibility", Box::new(|b| b["eligibility"] = json!("ambulance"))),
        ("start_date", Box::new(|b| b["start_date"] = json!("2026-02-30"))),
        ("colour", Box::new(|b| b["colour"] = json!("blue"))),
        ("lots[1].colour", Box::new(|b| b["lots"][1]["colour"] = json!("blue"))),
    ];
    for (field, edit) in &cases {
        let mut body = base.clone();
        edit(&mut body);
        let problem = assert_invalid_field(app.post_json(FRAMEWORKS, &admin, &body).await, field).await;
        assert!(
            error_fields(&problem).iter().all(|f| f == field),
            "only `{field}` is at fault in {body}: {problem}"
        );
    }

    // Several faults at once are all named.
    let mut body = base.clone();
    body["end_date"] = json!(day(-100));
    body["max_value"] = json!("-1.00");
    body["lots"][1]["routes"] = json!([]);
    let problem = assert_problem(app.post_json(FRAMEWORKS, &admin, &body).await, 422, "validation_failed").await;
    let fields: BTreeSet<String> = error_fields(&problem).into_iter().collect();
    assert_eq!(
        fields,
        BTreeSet::from(["end_date", "max_value", "lots[1].routes"].map(String::from)),
        "{problem}"
    );

    assert!(
        app.items(FRAMEWORKS, &admin).await.is_empty(),
        "nothing invalid was stored"
    );
    // The base body itself is valid.
    app.create_framework(&base).await;
}

#[actix_web::test]
async fn only_national_admin_may_create_or_change_frameworks_lots_and_awards() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let known = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |f| {
        f["lots"] = json!([lot_body(1, &[])])
    })
    .await;
    let path = format!("{FRAMEWORKS}/{id}");
    for token in [
        app.national_viewer(),
        app.tenant_admin_of(POLICE_FORCE),
        app.buyer_of(FIRE_SERVICE),
        app.viewer_of(POLICE_FORCE),
        app.supplier_staff(&known),
    ] {
        let create = app
            .post_json(FRAMEWORKS, &token, &framework_body("BLC-ARM-2026-02", "body-armour"))
            .await;
        assert_problem(create, 403, "forbidden").await;
        let patch = app
            .patch_json(&path, &token, Some("\"1\""), &json!({"title": "Mine"}))
            .await;
        assert_problem(patch, 403, "forbidden").await;
        let add_lot = app
            .post_json_if_match(&format!("{path}/lots"), &token, Some("\"1\""), &lot_body(2, &[]))
            .await;
        assert_problem(add_lot, 403, "forbidden").await;
        let patch_lot = app
            .patch_json(
                &format!("{path}/lots/1"),
                &token,
                Some("\"1\""),
                &json!({"title": "Mine"}),
            )
            .await;
        assert_problem(patch_lot, 403, "forbidden").await;
        let award = app
            .put_json(
                &format!("{path}/lots/1/suppliers/{known}"),
                &token,
                Some("\"1\""),
                &json!({"status": "active"}),
            )
            .await;
        assert_problem(award, 403, "forbidden").await;
    }
    let response = app.get(&path, &app.national_viewer()).await;
    assert_eq!(etag(&response), "\"1\"", "nothing changed");
    let detail = json_ok(response).await;
    assert_eq!(detail["lot_count"], 1);
    assert_eq!(detail["lots"][0]["suppliers"], json!([]));
    assert_eq!(app.items(FRAMEWORKS, &app.national_viewer()).await.len(), 1);
}

// ----- update -----

#[actix_web::test]
async fn patch_needs_if_match_and_null_clears_the_end_date() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let id = framework(&app, "BLC-ARM-2020-01", "body-armour", |f| {
        f["start_date"] = json!(day(-400));
        f["end_date"] = json!(day(-1));
        f["max_end_date"] = Value::Null;
    })
    .await;
    let path = format!("{FRAMEWORKS}/{id}");
    let admin = app.national_admin();
    let clear = json!({"end_date": null});

    assert_problem(
        app.patch_json(&path, &admin, None, &clear).await,
        428,
        "precondition_required",
    )
    .await;
    for stale in ["\"2\"", "\"one\"", "W/\"1\""] {
        assert_problem(
            app.patch_json(&path, &admin, Some(stale), &clear).await,
            412,
            "precondition_failed",
        )
        .await;
    }
    let before = json_ok(app.get(&path, &admin).await).await;
    assert_eq!(before["status"], "expired");
    assert_eq!(before["end_date"], day(-1).as_str(), "refused updates changed nothing");

    let response = app.patch_json(&path, &admin, Some("\"1\""), &clear).await;
    assert_eq!(etag(&response), "\"2\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["end_date"], Value::Null, "null clears the end date");
    assert_eq!(updated["status"], "live", "the status follows the new dates");
    assert_eq!(updated["title"], before["title"], "absent fields stay as they were");
    assert_eq!(updated["start_date"], before["start_date"]);
    assert_eq!(updated["lots"], before["lots"]);
    assert_eq!(json_ok(app.get(&path, &admin).await).await, updated);

    // The ETag it was read with is now stale.
    let late = app
        .patch_json(&path, &admin, Some("\"1\""), &json!({"title": "Late"}))
        .await;
    assert_problem(late, 412, "precondition_failed").await;

    // Several fields at once, including a money value and a null that clears it.
    let change = json!({"title": "Body Armour 2", "eligibility": "both", "end_date": day(30), "max_end_date": day(60),
                        "max_value": "123.45", "extension_options": null});
    let updated = json_ok(app.patch_json(&path, &admin, Some("\"2\""), &change).await).await;
    assert_eq!(updated["title"], "Body Armour 2");
    assert_eq!(updated["eligibility"], "both");
    assert_eq!(updated["max_value"], "123.45");
    assert_eq!(updated["extension_options"], Value::Null);
    assert_eq!(updated["max_end_date"], day(60).as_str());

    // Clearing the end date alone would leave a max_end_date without one.
    let problem = assert_invalid_field(
        app.patch_json(&path, &admin, Some("\"3\""), &clear).await,
        "max_end_date",
    )
    .await;
    assert_eq!(error_fields(&problem), ["max_end_date"]);
    let both = json!({"end_date": null, "max_end_date": null, "max_value": null});
    let updated = json_ok(app.patch_json(&path, &admin, Some("\"3\""), &both).await).await;
    assert_eq!(
        (updated["end_date"].clone(), updated["max_value"].clone()),
        (Value::Null, Value::Null)
    );

    assert_problem(
        app.patch_json(
            &format!("{FRAMEWORKS}/no-such-id"),
            &admin,
            Some("\"1\""),
            &json!({"title": "X"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn patch_refuses_unknown_fields_and_values_that_break_the_rules() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |_| {}).await;
    let path = format!("{FRAMEWORKS}/{id}");
    let admin = app.national_admin();
    for (field, change) in [
        ("reference", json!({"reference": "BLC-NEW"})),
        ("lots", json!({"lots": []})),
        ("colour", json!({"colour": "blue"})),
        ("end_date", json!({"end_date": day(-365)})),
        ("start_date", json!({"start_date": "31/12/2026"})),
        ("max_end_date", json!({"max_end_date": day(0)})),
        ("max_value", json!({"max_value": "-0.01"})),
        ("max_value", json!({"max_value": 100})),
        ("max_value", json!({"max_value": "1.234"})),
        ("category", json!({"category": "no-such-category"})),
        ("title", json!({"title": ""})),
        ("eligibility", json!({"eligibility": "everyone"})),
    ] {
        let problem = assert_invalid_field(app.patch_json(&path, &admin, Some("\"1\""), &change).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{change}: {problem}");
    }
    let response = app.get(&path, &admin).await;
    assert_eq!(etag(&response), "\"1\"", "no refused change took effect");
    assert_eq!(json_ok(response).await["reference"], "BLC-ARM-2026-01");
}

// ----- lots and awards -----

#[actix_web::test]
async fn lots_are_added_read_and_changed_under_the_frameworks_etag() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let known = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |_| {}).await;
    let path = format!("{FRAMEWORKS}/{id}");
    let lots = format!("{path}/lots");
    let admin = app.national_admin();

    let new_lot = lot_body(2, &[&known]);
    assert_problem(
        app.post_json_if_match(&lots, &admin, None, &new_lot).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.post_json_if_match(&lots, &admin, Some("\"7\""), &new_lot).await,
        412,
        "precondition_failed",
    )
    .await;

    let response = app.post_json_if_match(&lots, &admin, Some("\"1\""), &new_lot).await;
    assert_eq!(location(&response), format!("{path}/lots/2"));
    assert_eq!(etag(&response), "\"2\"", "adding a lot advances the framework's ETag");
    let created = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(created["number"], 2);
    assert_eq!(created["max_value"], "250000.00");
    assert_eq!(created["suppliers"][0]["supplier_id"], known.as_str());
    assert_eq!(created["suppliers"][0]["status"], "active");

    let framework = app.get(&path, &admin).await;
    assert_eq!(etag(&framework), "\"2\"");
    assert_eq!(json_ok(framework).await["lot_count"], 2);

    // An existing number is a conflict, and a refused lot leaves the ETag where it was.
    let problem = assert_problem(
        app.post_json_if_match(&lots, &admin, Some("\"2\""), &lot_body(1, &[]))
            .await,
        409,
        "lot_exists",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains('1'), "{problem}");
    let mut bad = lot_body(3, &["0193a1b2-0000-7000-8000-000000000000"]);
    assert_invalid_field(
        app.post_json_if_match(&lots, &admin, Some("\"2\""), &bad).await,
        "suppliers[0].supplier_id",
    )
    .await;
    bad["suppliers"] = json!([]);
    bad["routes"] = json!([]);
    assert_invalid_field(
        app.post_json_if_match(&lots, &admin, Some("\"2\""), &bad).await,
        "routes",
    )
    .await;
    assert_eq!(app.current_etag(&path).await, "\"2\"");
    assert_problem(
        app.post_json_if_match(
            &format!("{FRAMEWORKS}/no-such-id/lots"),
            &admin,
            Some("\"1\""),
            &lot_body(1, &[]),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let response = app.get(&format!("{lots}/2"), &app.buyer_of(POLICE_FORCE)).await;
    assert_eq!(etag(&response), "\"2\"", "a lot's ETag is its framework's");
    assert_eq!(json_ok(response).await, created);
    assert_problem(app.get(&format!("{lots}/9"), &admin).await, 404, "not_found").await;

    let change = json!({"title": "Covert vests", "routes": ["further_competition"], "max_value": "100.00"});
    assert_problem(
        app.patch_json(&format!("{lots}/2"), &admin, None, &change).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.patch_json(&format!("{lots}/2"), &admin, Some("\"1\""), &change)
            .await,
        412,
        "precondition_failed",
    )
    .await;
    let response = app
        .patch_json(&format!("{lots}/2"), &admin, Some("\"2\""), &change)
        .await;
    assert_eq!(etag(&response), "\"3\"");
    let updated = json_ok(response).await;
    assert_eq!(updated["title"], "Covert vests");
    assert_eq!(updated["routes"], json!(["further_competition"]));
    assert_eq!(
        (updated["min_value"].as_str(), updated["max_value"].as_str()),
        (Some("0.00"), Some("100.00"))
    );
    assert_eq!(updated["suppliers"], created["suppliers"], "awards are untouched");
    assert_eq!(json_ok(app.get(&format!("{lots}/2"), &admin).await).await, updated);

    // The band is checked against what is stored: a min above the stored max is refused.
    let problem = assert_invalid_field(
        app.patch_json(
            &format!("{lots}/2"),
            &admin,
            Some("\"3\""),
            &json!({"min_value": "500.00"}),
        )
        .await,
        "max_value",
    )
    .await;
    assert_eq!(error_fields(&problem), ["max_value"]);
    assert_invalid_field(
        app.patch_json(&format!("{lots}/2"), &admin, Some("\"3\""), &json!({"routes": []}))
            .await,
        "routes",
    )
    .await;
    assert_invalid_field(
        app.patch_json(&format!("{lots}/2"), &admin, Some("\"3\""), &json!({"number": 5}))
            .await,
        "number",
    )
    .await;
    assert_problem(
        app.patch_json(&format!("{lots}/9"), &admin, Some("\"3\""), &json!({"title": "X"}))
            .await,
        404,
        "not_found",
    )
    .await;

    // The lot change moved the framework's ETag, so a framework update read before it is stale.
    assert_problem(
        app.patch_json(&path, &admin, Some("\"2\""), &json!({"title": "X"}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(app.current_etag(&path).await, "\"3\"");
}

#[actix_web::test]
async fn put_award_suspends_an_award_awards_a_new_supplier_and_refuses_unknown_or_stale() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let ironbridge = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let pennine = supplier(&app, "Pennine Protective Apparel Ltd").await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |f| {
        f["lots"] = json!([lot_body(1, &[&ironbridge])])
    })
    .await;
    let path = format!("{FRAMEWORKS}/{id}");
    let award = |supplier: &str| format!("{path}/lots/1/suppliers/{supplier}");
    let admin = app.national_admin();
    let suspend = json!({"status": "suspended"});

    assert_problem(
        app.put_json(&award(&ironbridge), &admin, None, &suspend).await,
        428,
        "precondition_required",
    )
    .await;
    let response = app.put_json(&award(&ironbridge), &admin, Some("\"1\""), &suspend).await;
    assert_eq!(etag(&response), "\"2\"");
    let lot = json_ok(response).await;
    assert_eq!(
        lot["suppliers"].as_array().unwrap().len(),
        1,
        "suspending keeps the award"
    );
    assert_eq!(lot["suppliers"][0]["status"], "suspended");

    let response = app
        .put_json(&award(&pennine), &admin, Some("\"2\""), &json!({"status": "active"}))
        .await;
    assert_eq!(etag(&response), "\"3\"");
    let lot = json_ok(response).await;
    let statuses: BTreeMap<String, String> = lot["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["supplier_id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        BTreeMap::from([
            (ironbridge.clone(), "suspended".to_owned()),
            (pennine.clone(), "active".to_owned())
        ])
    );

    // Refused: an unknown supplier (404), a stale ETag (412), an unknown status (422), an unknown lot (404).
    let ghost = "0193a1b2-0000-7000-8000-000000000000";
    assert_problem(
        app.put_json(&award(ghost), &admin, Some("\"3\""), &suspend).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.put_json(&award(&pennine), &admin, Some("\"2\""), &suspend).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_invalid_field(
        app.put_json(&award(&pennine), &admin, Some("\"3\""), &json!({"status": "revoked"}))
            .await,
        "status",
    )
    .await;
    assert_problem(
        app.put_json(
            &format!("{path}/lots/9/suppliers/{pennine}"),
            &admin,
            Some("\"3\""),
            &suspend,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let response = app.get(&path, &admin).await;
    assert_eq!(etag(&response), "\"3\"", "refused changes leave the ETag");
    assert_eq!(json_ok(response).await["lots"][0], lot);

    // The suppliers' side agrees.
    let viewer = app.national_viewer();
    let awards = json_ok(app.get(&format!("{SUPPLIERS}/{pennine}"), &viewer).await).await["awards"].clone();
    assert_eq!(awards.as_array().unwrap().len(), 1);
    assert_eq!(awards[0]["framework_id"], id.as_str());
    assert_eq!(awards[0]["framework_reference"], "BLC-ARM-2026-01");
    assert_eq!(awards[0]["lot_number"], 1);
    assert_eq!(awards[0]["status"], "active");
    let awards = json_ok(app.get(&format!("{SUPPLIERS}/{ironbridge}"), &viewer).await).await["awards"].clone();
    assert_eq!(awards[0]["status"], "suspended");
    assert_eq!(
        set_of(
            &app.items(&format!("{FRAMEWORKS}?supplier={pennine}"), &viewer).await,
            "id"
        ),
        BTreeSet::from([id])
    );
}

#[actix_web::test]
async fn a_lot_number_that_is_not_a_number_is_a_problem_json_404() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let known = supplier(&app, "Ironbridge Protective Systems Ltd").await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |_| {}).await;
    let admin = app.national_admin();
    for number in ["abc", "99999999999", "1.5", "%20"] {
        let lot = format!("{FRAMEWORKS}/{id}/lots/{number}");
        assert_problem(app.get(&lot, &admin).await, 404, "not_found").await;
        assert_problem(
            app.patch_json(&lot, &admin, Some("\"1\""), &json!({"title": "X"}))
                .await,
            404,
            "not_found",
        )
        .await;
        let award = format!("{lot}/suppliers/{known}");
        assert_problem(
            app.put_json(&award, &admin, Some("\"1\""), &json!({"status": "active"}))
                .await,
            404,
            "not_found",
        )
        .await;
    }
}

// ----- concurrency -----

#[actix_web::test]
async fn of_concurrent_patches_with_the_same_etag_exactly_one_succeeds_and_the_other_gets_412() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |_| {}).await;
    let path = format!("{FRAMEWORKS}/{id}");
    let admin = app.national_admin();
    let rounds = 20;
    for round in 0..rounds {
        let tag = app.current_etag(&path).await;
        let requests = (0..2)
            .map(|writer| {
                app.request(reqwest::Method::PATCH, &path)
                    .bearer_auth(&admin)
                    .header(IF_MATCH, &tag)
                    .json(&json!({"title": format!("Round {round} writer {writer}")}))
            })
            .collect();
        let results = all_at_once(requests).await;
        let statuses: Vec<StatusCode> = results.iter().map(|(status, _)| *status).collect();
        let winners: Vec<usize> = (0..statuses.len()).filter(|i| statuses[*i] == StatusCode::OK).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::OK || *s == StatusCode::PRECONDITION_FAILED),
            "round {round}: the loser gets 412, nothing else: {results:?}"
        );
        let now = json_ok(app.get(&path, &admin).await).await;
        assert_eq!(
            now["title"],
            format!("Round {round} writer {}", winners[0]),
            "the winner's change is the one kept"
        );
    }
    assert_eq!(
        app.current_etag(&path).await,
        format!("\"{}\"", rounds + 1),
        "one version per round"
    );
}

#[actix_web::test]
async fn of_concurrent_new_lots_with_the_same_etag_exactly_one_is_added() {
    let app = TestApp::spawn().await;
    seed_categories_and_tenants(&app).await;
    let id = framework(&app, "BLC-ARM-2026-01", "body-armour", |_| {}).await;
    let path = format!("{FRAMEWORKS}/{id}");
    let admin = app.national_admin();
    for round in 0..10_i64 {
        let tag = app.current_etag(&path).await;
        let requests = (0..2)
            .map(|writer| {
                app.request(reqwest::Method::POST, &format!("{path}/lots"))
                    .bearer_auth(&admin)
                    .header(IF_MATCH, &tag)
                    .json(&lot_body(10 + round * 2 + writer, &[]))
            })
            .collect();
        let results = all_at_once(requests).await;
        let mut statuses: Vec<StatusCode> = results.iter().map(|(status, _)| *status).collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::PRECONDITION_FAILED],
            "round {round}: {results:?}"
        );
    }
    let detail = json_ok(app.get(&path, &admin).await).await;
    assert_eq!(detail["lot_count"], 11, "the first lot and one per round");
}

#[actix_web::test]
async fn dates_outside_the_years_both_databases_keep_are_refused() {
    let app = TestApp::spawn().await;
    app.create_category(&category_body("uniform-and-ppe", None)).await;
    let mut body = framework_body("BLC-OLD-1", "uniform-and-ppe");
    body["start_date"] = json!("1850-01-01");
    assert_invalid_field(
        app.post_json(FRAMEWORKS, &app.national_admin(), &body).await,
        "start_date",
    )
    .await;

    let framework = app
        .create_framework(&framework_body("BLC-OLD-2", "uniform-and-ppe"))
        .await;
    let path = format!("{FRAMEWORKS}/{}", framework["id"].as_str().unwrap());
    let tag = app.current_etag(&path).await;
    let response = app
        .patch_json(
            &path,
            &app.national_admin(),
            Some(&tag),
            &json!({"start_date": "1899-12-31"}),
        )
        .await;
    assert_invalid_field(response, "start_date").await;
}
