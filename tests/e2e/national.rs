//! The national view: buying power by supplier and category, strategic-supplier dependency, the
//! expiry radar and framework uptake, added up across tenants exactly, and closed to forces.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::{category_body, day, framework_body, lot_body, supplier_body};
use crate::support::commercial::Kind;
use bluelight_api::db::Backend;

use crate::support::database::execute;
use crate::support::{TestApp, assert_problem, json_ok};

const A: &str = "north-force";
const B: &str = "east-force";

const ENDPOINTS: [&str; 5] = [
    "/api/v1/national/suppliers",
    "/api/v1/national/categories",
    "/api/v1/national/strategic-suppliers",
    "/api/v1/national/expiry-radar",
    "/api/v1/national/framework-uptake",
];

struct Fixture {
    strategic_id: String,
    framework_id: String,
}

/// Two forces; one strategic supplier on a framework lot both call off; one local contract.
async fn fixture(app: &TestApp) -> Fixture {
    app.create_tenant(A, "police", "north-west").await;
    app.create_tenant(B, "police", "eastern").await;
    app.create_category(&category_body("fleet", None)).await;
    let mut strategic = supplier_body("Strategic Fleet plc");
    strategic["strategic"] = json!(true);
    let strategic_id = app.create_supplier(&strategic).await["id"].as_str().unwrap().to_owned();
    let mut framework = framework_body("NAT-FLEET-1", "fleet");
    framework["lots"] = json!([lot_body(1, &[&strategic_id])]);
    let framework_id = app.create_framework(&framework).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let register = |rows: &[String]| {
        format!(
            "reference,title,supplier,category,value,start_date,end_date,framework,lot\n{}\n",
            rows.join("\n")
        )
    };
    app.import_completed(
        A,
        Kind::Contracts,
        &register(&[format!(
            "A-1,Fleet call-off,Strategic Fleet plc,fleet,100000.00,{},{},NAT-FLEET-1,1",
            day(-60),
            day(100)
        )]),
    )
    .await;
    app.import_completed(
        B,
        Kind::Contracts,
        &register(&[
            format!(
                "B-1,Fleet call-off,Strategic Fleet plc,fleet,50000.00,{},{},NAT-FLEET-1,1",
                day(-60),
                day(200)
            ),
            format!(
                "B-2,Servicing,Local Garage Ltd,fleet,20000.00,{},{},,",
                day(-60),
                day(150)
            ),
        ]),
    )
    .await;
    let paid = day(-10);
    app.import_completed(
        A,
        Kind::Spend,
        &format!(
            "transaction_id,date,supplier,amount,category,contract_reference\n\
             A-P1,{paid},Strategic Fleet plc,1000.00,,A-1\n\
             A-P2,{paid},Strategic Fleet plc,500.00,,A-1\n\
             A-P3,{paid},Strategic Fleet plc,250.00,fleet,\n"
        ),
    )
    .await;
    app.import_completed(
        B,
        Kind::Spend,
        &format!(
            "transaction_id,date,supplier,amount,category,contract_reference\n\
             B-P1,{paid},Local Garage Ltd,300.00,,B-2\n\
             B-P2,{paid},Strategic Fleet plc,700.00,,B-1\n"
        ),
    )
    .await;
    Fixture {
        strategic_id,
        framework_id,
    }
}

#[actix_web::test]
async fn the_national_view_adds_up_every_tenant_exactly() {
    let app = TestApp::spawn().await;
    let fixture = fixture(&app).await;
    let viewer = app.national_viewer();
    let period = format!("from={}&to={}", day(-30), day(0));

    let suppliers = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[0]), &viewer).await).await;
    let items = suppliers["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["supplier_id"], fixture.strategic_id.as_str());
    assert_eq!(items[0]["strategic"], true);
    assert_eq!(items[0]["spend"], "2450.00");
    assert_eq!(items[0]["tenants"], json!([B, A]));
    assert_eq!(items[0]["contracts"], 2);
    assert_eq!(items[0]["contract_value"], "150000.00");
    assert_eq!(items[1]["supplier_id"], Value::Null);
    assert_eq!(items[1]["supplier_name"], "Local Garage Ltd");
    assert_eq!(items[1]["spend"], "300.00");
    assert_eq!(items[1]["tenants"], json!([B]));

    let categories = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[1]), &viewer).await).await;
    assert_eq!(
        categories["items"],
        json!([{
            "category": "fleet", "spend": "2750.00", "spend_through_frameworks": "2200.00",
            "tenants": [B, A], "contracts": 3, "contract_value": "170000.00"
        }])
    );

    let strategic = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[2]), &viewer).await).await;
    let dependency = &strategic["items"][0];
    assert_eq!(dependency["supplier_id"], fixture.strategic_id.as_str());
    assert_eq!(dependency["spend"], "2450.00");
    assert_eq!(dependency["next_contract_end"], day(100));
    let dependants = dependency["dependants"].as_array().unwrap();
    assert_eq!(dependants.len(), 2);
    assert_eq!(dependants[0]["tenant"], B);
    assert_eq!(dependants[0]["spend"], "700.00");
    assert_eq!(dependants[0]["contracts"][0]["reference"], "B-1");
    assert_eq!(dependants[1]["tenant"], A);
    assert_eq!(dependants[1]["spend"], "1750.00");
    assert_eq!(dependants[1]["contracts"][0]["end_date"], day(100));

    let radar_path = |min: u32| format!("{}?from={}&to={}&min_tenants={min}", ENDPOINTS[3], day(0), day(365));
    let radar = json_ok(app.get(&radar_path(2), &viewer).await).await;
    let cluster = &radar["items"][0];
    assert_eq!(radar["items"].as_array().unwrap().len(), 1);
    assert_eq!(cluster["category"], "fleet");
    assert_eq!(cluster["tenants"], json!([B, A]));
    assert_eq!(cluster["earliest_end"], day(100));
    assert_eq!(cluster["latest_end"], day(200));
    let ends: Vec<&str> = cluster["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(ends, ["A-1", "B-2", "B-1"]);
    let radar = json_ok(app.get(&radar_path(3), &viewer).await).await;
    assert_eq!(radar["items"], json!([]));
    // A window that ends before the contracts do finds nothing.
    let early = format!("{}?from={}&to={}", ENDPOINTS[3], day(0), day(50));
    assert_eq!(json_ok(app.get(&early, &viewer).await).await["items"], json!([]));

    let uptake = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[4]), &viewer).await).await;
    let framework = &uptake["items"][0];
    assert_eq!(framework["framework_id"], fixture.framework_id.as_str());
    assert_eq!(framework["tenants"], json!([B, A]));
    assert_eq!(framework["contracts"], 2);
    assert_eq!(framework["spend"], "2200.00");
    assert_eq!(framework["lots"][0]["lot_number"], 1);
    assert_eq!(framework["lots"][0]["spend"], "2200.00");
    assert_eq!(framework["lots"][0]["contract_value"], "150000.00");

    // Outside the period, no spend is counted.
    let before = format!("from={}&to={}", day(-400), day(-300));
    let suppliers = json_ok(app.get(&format!("{}?{before}", ENDPOINTS[0]), &viewer).await).await;
    assert_eq!(suppliers["items"], json!([]));
}

/// The reports read only the contracts their question needs (live in the period, ending in the
/// window, call-offs): a late invoice under a call-off that ended before the period is still spend
/// through a framework, and a contract ended early or outside the window is left out.
#[actix_web::test]
async fn spend_under_a_call_off_that_has_ended_still_went_through_the_framework() {
    let app = TestApp::spawn().await;
    let fixture = fixture(&app).await;
    let viewer = app.national_viewer();
    app.import_completed(
        A,
        Kind::Contracts,
        &format!(
            "reference,title,supplier,category,value,start_date,end_date,framework,lot\n\
             A-OLD,Old fleet call-off,Strategic Fleet plc,fleet,9000.00,{},{},NAT-FLEET-1,1\n",
            day(-300),
            day(-100)
        ),
    )
    .await;
    app.import_completed(
        A,
        Kind::Spend,
        &format!(
            "transaction_id,date,supplier,amount,category,contract_reference\n\
             A-LATE,{},Strategic Fleet plc,400.00,,A-OLD\n",
            day(-20)
        ),
    )
    .await;
    let period = format!("from={}&to={}", day(-30), day(0));

    let categories = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[1]), &viewer).await).await;
    let fleet = &categories["items"][0];
    assert_eq!(fleet["spend"], "3150.00", "{fleet}");
    assert_eq!(fleet["spend_through_frameworks"], "2600.00", "{fleet}");
    assert_eq!(fleet["contracts"], 3, "the ended call-off is not live: {fleet}");

    let suppliers = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[0]), &viewer).await).await;
    assert_eq!(suppliers["items"][0]["supplier_id"], fixture.strategic_id.as_str());
    assert_eq!(suppliers["items"][0]["spend"], "2850.00");
    assert_eq!(suppliers["items"][0]["contracts"], 2);

    let strategic = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[2]), &viewer).await).await;
    let dependency = &strategic["items"][0];
    assert_eq!(dependency["spend"], "2850.00");
    assert_eq!(dependency["contract_value"], "150000.00", "{dependency}");

    // The call-off that has ended is in the framework's uptake, through its spend in the period.
    let uptake = json_ok(app.get(&format!("{}?{period}", ENDPOINTS[4]), &viewer).await).await;
    let framework = &uptake["items"][0];
    assert_eq!(framework["framework_id"], fixture.framework_id.as_str());
    assert_eq!(framework["contracts"], 3, "{framework}");
    assert_eq!(framework["spend"], "2600.00");
    // In a period with neither spend under it nor its life, it is not.
    let later = format!("from={}&to={}", day(1), day(30));
    let uptake = json_ok(app.get(&format!("{}?{later}", ENDPOINTS[4]), &viewer).await).await;
    assert_eq!(uptake["items"][0]["contracts"], 2);

    // A window around its end finds it; one after finds only the live ones.
    let radar = |from: i64, to: i64| format!("{}?from={}&to={}&min_tenants=1", ENDPOINTS[3], day(from), day(to));
    let around = json_ok(app.get(&radar(-120, -90), &viewer).await).await;
    assert_eq!(around["items"][0]["contracts"][0]["reference"], "A-OLD", "{around}");
    assert_eq!(around["items"][0]["contracts"].as_array().unwrap().len(), 1);
    let after = json_ok(app.get(&radar(0, 365), &viewer).await).await;
    assert_eq!(after["items"][0]["contracts"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn forces_and_suppliers_never_see_the_national_view() {
    let app = TestApp::spawn().await;
    let fixture = fixture(&app).await;
    let outsiders = [
        app.buyer_of(A),
        app.tenant_admin_of(B),
        app.viewer_of(A),
        app.supplier_staff(&fixture.strategic_id),
    ];
    for endpoint in ENDPOINTS {
        for token in &outsiders {
            assert_problem(app.get(endpoint, token).await, 403, "forbidden").await;
        }
        assert_problem(app.get_anonymous(endpoint).await, 401, "unauthorized").await;
        assert_eq!(app.get(endpoint, &app.national_admin()).await.status(), StatusCode::OK);
    }
}

#[actix_web::test]
async fn bad_periods_and_limits_name_the_parameter() {
    let app = TestApp::spawn().await;
    let viewer = app.national_viewer();
    for (query, field) in [
        ("/api/v1/national/suppliers?from=2026-04-01&to=2026-03-31", "to"),
        ("/api/v1/national/suppliers?limit=0", "limit"),
        ("/api/v1/national/categories?limit=501", "limit"),
        ("/api/v1/national/expiry-radar?from=2027-01-01&to=2026-01-01", "to"),
        ("/api/v1/national/expiry-radar?min_tenants=0", "min_tenants"),
    ] {
        crate::support::assert_invalid_field(app.get(query, &viewer).await, field).await;
    }
}

#[actix_web::test]
async fn the_demo_data_gives_the_national_team_a_picture() {
    let app = TestApp::spawn_with(crate::support::Options::default().with_demo_data()).await;
    let viewer = app.national_viewer();
    let suppliers = json_ok(app.get("/api/v1/national/suppliers?limit=5", &viewer).await).await;
    let top = &suppliers["items"][0];
    assert_eq!(top["strategic"], true, "{top}");
    assert!(top["tenants"].as_array().unwrap().len() >= 3, "{top}");
    let radar = json_ok(
        app.get(
            "/api/v1/national/expiry-radar?from=2027-01-01&to=2027-12-31&min_tenants=5",
            &viewer,
        )
        .await,
    )
    .await;
    let categories: Vec<&str> = radar["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    for expected in [
        "cleaning-and-waste",
        "fleet-maintenance-and-accident-management",
        "custody-healthcare",
    ] {
        assert!(categories.contains(&expected), "{expected} in {categories:?}");
    }
    let strategic = json_ok(app.get("/api/v1/national/strategic-suppliers", &viewer).await).await;
    let fuel = strategic["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["supplier_name"] == "Meridian Fuelcard Services Ltd")
        .expect("the fuel-card supplier is strategic in the demo data");
    assert_eq!(fuel["dependants"].as_array().unwrap().len(), 7);
}

/// Sums kept per financial year are what the national reports read for whole years, and the
/// lines for any other days: both must give the same figures. Two spend imports add to one group
/// (the second updates the kept sum); a credit note takes from it; a period of whole years with
/// days either side reads both.
#[actix_web::test]
async fn whole_financial_years_read_from_kept_sums_agree_with_the_lines() {
    let app = TestApp::spawn().await;
    app.create_tenant(A, "police", "north-west").await;
    app.create_tenant(B, "police", "eastern").await;
    app.create_category(&category_body("fleet", None)).await;
    app.create_supplier(&supplier_body("Strategic Fleet plc")).await;
    let header = "transaction_id,date,supplier,amount,category,contract_reference\n";
    app.import_completed(
        A,
        Kind::Spend,
        &format!(
            "{header}\
             A1,2024-03-31,Strategic Fleet plc,100.00,fleet,\n\
             A2,2024-04-01,Strategic Fleet plc,200.00,fleet,\n\
             A3,2024-10-15,Strategic Fleet plc,300.00,fleet,\n\
             A4,2025-03-31,Strategic Fleet plc,-50.00,fleet,\n\
             A5,2025-04-01,Strategic Fleet plc,1000.00,fleet,\n\
             A6,2024-06-01,Corner Shop,40.00,,\n"
        ),
    )
    .await;
    app.import_completed(
        A,
        Kind::Spend,
        &format!("{header}A7,2024-12-01,Strategic Fleet plc,25.00,fleet,\n"),
    )
    .await;
    app.import_completed(
        B,
        Kind::Spend,
        &format!(
            "{header}\
             B1,2024-05-05,Strategic Fleet plc,70.00,fleet,\n\
             B2,2024-05-05,corner shop,5.00,,\n"
        ),
    )
    .await;
    let viewer = app.national_viewer();
    let spend_by_supplier = |from: &'static str, to: &'static str| {
        let app = &app;
        let viewer = viewer.clone();
        async move {
            let report = json_ok(app.get(&format!("{}?from={from}&to={to}", ENDPOINTS[0]), &viewer).await).await;
            report["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    (
                        item["supplier_name"].as_str().unwrap().to_owned(),
                        item["spend"].as_str().unwrap().to_owned(),
                        item["tenants"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let fy_2024 = vec![
        ("Strategic Fleet plc".to_owned(), "545.00".to_owned(), json!([B, A])),
        ("Corner Shop".to_owned(), "45.00".to_owned(), json!([B, A])),
    ];
    assert_eq!(spend_by_supplier("2024-04-01", "2025-03-31").await, fy_2024);
    // The same year in two halves, neither a whole year, so summed from the lines.
    let first_half = spend_by_supplier("2024-04-01", "2024-09-30").await;
    let second_half = spend_by_supplier("2024-10-01", "2025-03-31").await;
    assert_eq!(first_half[0].1, "270.00");
    assert_eq!(
        second_half,
        vec![("Strategic Fleet plc".to_owned(), "275.00".to_owned(), json!([A]))]
    );
    // Two whole years; and a whole year with a month before and a quarter after it.
    assert_eq!(spend_by_supplier("2023-04-01", "2025-03-31").await[0].1, "645.00");
    assert_eq!(spend_by_supplier("2024-03-01", "2025-06-30").await[0].1, "1645.00");

    let categories = json_ok(
        app.get(&format!("{}?from=2024-04-01&to=2025-03-31", ENDPOINTS[1]), &viewer)
            .await,
    )
    .await;
    let spends: Vec<(Value, Value)> = categories["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["category"].clone(), item["spend"].clone()))
        .collect();
    assert_eq!(
        spends,
        [(json!("fleet"), json!("545.00")), (Value::Null, json!("45.00"))]
    );

    // The kept sums themselves: one row per group and year, the second import added to A's.
    let read_kept = |url: String| {
        tokio::task::spawn_blocking(move || {
            use bluelight_api::db::schema::spend_year_totals as t;
            use diesel::prelude::*;
            t::table
                .select((
                    t::tenant_slug,
                    t::financial_year,
                    t::supplier_name,
                    t::category_slug,
                    t::amount_pence,
                    t::lines,
                ))
                .order((t::tenant_slug.desc(), t::financial_year, t::supplier_name))
                .load::<(String, i32, String, String, i64, i64)>(&mut *crate::support::database::connect(&url))
                .expect("the kept sums are read")
        })
    };
    let kept = read_kept(app.database_url()).await.unwrap();
    let row = |tenant: &str, year, supplier: &str, category: &str, pence, lines| {
        (
            tenant.to_owned(),
            year,
            supplier.to_owned(),
            category.to_owned(),
            pence,
            lines,
        )
    };
    assert_eq!(
        kept,
        [
            row(A, 2023, "Strategic Fleet plc", "fleet", 10_000, 1),
            row(A, 2024, "Corner Shop", "", 4_000, 1),
            row(A, 2024, "Strategic Fleet plc", "fleet", 47_500, 4),
            row(A, 2025, "Strategic Fleet plc", "fleet", 100_000, 1),
            row(B, 2024, "Strategic Fleet plc", "fleet", 7_000, 1),
            row(B, 2024, "corner shop", "", 500, 1),
        ]
    );

    // A database upgraded with spend already in it gets the same sums from the migration.
    let backend = match Backend::of_url(&app.database_url()) {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    let migration = std::fs::read_to_string(format!(
        "{}/../migrations/{backend}/2026-12-05-000015_spend_year_totals/up.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the migration is read");
    execute(
        &app.database_url(),
        format!("DROP TABLE spend_year_totals;\n{migration}"),
    )
    .await;
    assert_eq!(read_kept(app.database_url()).await.unwrap(), kept);
}
