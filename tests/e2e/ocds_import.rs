//! Importing national framework agreements from OCDS release packages: in the body or fetched
//! from a URL (a publisher on loopback serving the packages in `tests/fixtures/ocds/`), with a
//! report of what was created, updated, left unchanged or rejected, and idempotent.

use std::net::TcpListener;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::ServerHandle;
use actix_web::web::Bytes;
use actix_web::{App, HttpResponse, HttpServer, web};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::{FRAMEWORKS, category_body, supplier_body};
use crate::support::{Options, TestApp, assert_invalid_field, assert_problem, etag, json_ok};

const IMPORTS: &str = "/api/v1/ocds/framework-imports";

const NATIONAL: &str = include_str!("../fixtures/ocds/national-frameworks.json");
const CHANGED: &str = include_str!("../fixtures/ocds/national-frameworks-changed.json");
const WITH_BAD_RELEASES: &str = include_str!("../fixtures/ocds/with-bad-releases.json");

/// Larger than the service reads from a URL (16 MiB).
const OVERSIZED: usize = 17 * 1024 * 1024;

fn package(text: &str) -> Value {
    serde_json::from_str(text).expect("a fixture package is JSON")
}

/// The categories and national supplier records the fixture packages name.
async fn catalogue(app: &TestApp) {
    for slug in ["body-armour", "fleet", "ict"] {
        app.create_category(&category_body(slug, None)).await;
    }
    for (name, number) in [
        ("Ironbridge Protective Systems Ltd", "07418263"),
        ("Halberd Ballistic Textiles Ltd", "09862015"),
        ("Carrick Emergency Vehicles Ltd", "03915526"),
    ] {
        let mut body = supplier_body(name);
        body["companies_house_number"] = json!(number);
        app.create_supplier(&body).await;
    }
}

async fn import(app: &TestApp, body: &Value) -> Value {
    json_ok(app.post_json(IMPORTS, &app.national_admin(), body).await).await
}

fn references(entries: &Value) -> Vec<&str> {
    entries
        .as_array()
        .unwrap_or_else(|| panic!("a list in the report: {entries}"))
        .iter()
        .map(|e| e["reference"].as_str().unwrap())
        .collect()
}

fn fields(rejected: &Value) -> Vec<&str> {
    rejected["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

/// `{lot number: {supplier name: status}}` of a framework's detail.
fn awards(detail: &Value) -> Vec<(i64, String, String)> {
    let mut awards = Vec::new();
    for lot in detail["lots"].as_array().unwrap() {
        for supplier in lot["suppliers"].as_array().unwrap() {
            awards.push((
                lot["number"].as_i64().unwrap(),
                supplier["name"].as_str().unwrap().to_owned(),
                supplier["status"].as_str().unwrap().to_owned(),
            ));
        }
    }
    awards.sort();
    awards
}

fn award(lot: i64, name: &str, status: &str) -> (i64, String, String) {
    (lot, name.to_owned(), status.to_owned())
}

/// A publisher of release packages on its own loopback port.
struct Publisher {
    base_url: String,
    handle: ServerHandle,
}

/// A body of `remaining` bytes sent in chunks with no Content-Length, as a server streaming an
/// endless document would.
struct Chunked {
    remaining: usize,
}

impl MessageBody for Chunked {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let size = self.remaining.min(1024 * 1024);
        self.remaining -= size;
        Poll::Ready(Some(Ok(Bytes::from(vec![b' '; size]))))
    }
}

impl Publisher {
    async fn start() -> Publisher {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let base_url = format!("http://{}", listener.local_addr().expect("the bound address"));
        let server = HttpServer::new(|| {
            App::new()
                .route(
                    "/national-frameworks.json",
                    web::get().to(|| async { HttpResponse::Ok().content_type("application/json").body(NATIONAL) }),
                )
                .route(
                    "/not-json",
                    web::get().to(|| async { HttpResponse::Ok().content_type("text/html").body("<h1>Hello</h1>") }),
                )
                .route(
                    "/oversized",
                    web::get().to(|| async {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(vec![b' '; OVERSIZED])
                    }),
                )
                .route(
                    "/endless",
                    web::get().to(|| async {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(Chunked { remaining: OVERSIZED })
                    }),
                )
        })
        .workers(1)
        .listen(listener)
        .expect("the publisher listens")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Publisher { base_url, handle }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

#[actix_web::test]
async fn a_package_in_the_body_creates_its_frameworks_with_lots_and_awarded_suppliers() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let report = import(&app, &json!({"package": package(NATIONAL)})).await;
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["releases"], 2);
    assert_eq!(references(&report["created"]), ["BLC-ARM-2026-01", "BLC-FLT-2026-02"]);
    assert_eq!(report["rejected"], json!([]));
    let armour = &report["created"][0];
    assert_eq!(armour["release"], 0);
    assert_eq!(armour["ocid"], "ocds-bluelight-fw-blc-arm-2026-01");
    assert_eq!(armour["lots"], 2);
    assert_eq!(armour["awards"], 3);

    let id = armour["framework_id"].as_str().unwrap();
    let response = app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await;
    assert_eq!(etag(&response), "\"1\"");
    let detail = json_ok(response).await;
    assert_eq!(detail["reference"], "BLC-ARM-2026-01");
    assert_eq!(detail["title"], "Body Armour and Protective Equipment");
    assert_eq!(detail["owning_body"], "BlueLight Commercial");
    assert_eq!(detail["category"], "body-armour");
    assert_eq!(detail["eligibility"], "police");
    assert_eq!(detail["start_date"], "2026-04-01");
    assert_eq!(detail["end_date"], "2030-03-31");
    assert_eq!(detail["max_end_date"], "2032-03-31");
    assert_eq!(detail["extension_options"], "2 x 12 months");
    assert_eq!(detail["max_value"], "60000000.00");
    assert_eq!(detail["lots"][0]["title"], "Overt body armour");
    assert_eq!(
        detail["lots"][0]["routes"],
        json!(["direct_award", "further_competition"])
    );
    assert_eq!(detail["lots"][1]["max_value"], "3000000.50");
    assert_eq!(
        awards(&detail),
        [
            award(1, "Halberd Ballistic Textiles Ltd", "active"),
            award(1, "Ironbridge Protective Systems Ltd", "active"),
            award(2, "Halberd Ballistic Textiles Ltd", "active"),
        ]
    );

    // The second: owning body through the procuring entity's party, category as the export
    // writes it, a lot's own method, an unsuccessful award left out.
    let fleet_id = report["created"][1]["framework_id"].as_str().unwrap();
    let fleet = json_ok(
        app.get(&format!("{FRAMEWORKS}/{fleet_id}"), &app.national_viewer())
            .await,
    )
    .await;
    assert_eq!(fleet["owning_body"], "Police ICT Company");
    assert_eq!(fleet["category"], "fleet");
    assert_eq!(fleet["eligibility"], "both");
    assert_eq!(fleet["max_value"], "12500000.75");
    assert_eq!(fleet["lots"][0]["number"], 1);
    assert_eq!(fleet["lots"][0]["routes"], json!(["further_competition"]));
    assert_eq!(awards(&fleet), [award(1, "Carrick Emergency Vehicles Ltd", "active")]);

    let events = app
        .items(
            &format!("/api/v1/audit-events?resource_type=framework&resource_id={id}"),
            &app.national_viewer(),
        )
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "framework.created");
    assert_eq!(events[0]["detail"]["source"], "ocds");
    assert_eq!(events[0]["detail"]["ocid"], "ocds-bluelight-fw-blc-arm-2026-01");
}

#[actix_web::test]
async fn bad_releases_are_rejected_by_their_fields_and_the_good_ones_still_imported() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let report = import(&app, &json!({"package": package(WITH_BAD_RELEASES)})).await;
    assert_eq!(report["releases"], 4);
    assert_eq!(references(&report["created"]), ["BLC-ICT-2026-03"]);
    let rejected = report["rejected"].as_array().unwrap();
    let by_release: Vec<i64> = rejected.iter().map(|r| r["release"].as_i64().unwrap()).collect();
    assert_eq!(by_release, [1, 2, 3]);

    // A negative lot value (the framework model's own check) and an unknown supplier, together.
    assert_eq!(rejected[0]["ocid"], "ocds-bluelight-fw-blc-arm-2026-09");
    assert_eq!(rejected[0]["reference"], "BLC-ARM-2026-09");
    let mut at_fault = fields(&rejected[0]);
    at_fault.sort();
    assert_eq!(
        at_fault,
        [
            "releases[1].parties[1].identifier.id",
            "releases[1].tender.lots[0].value.amount"
        ]
    );
    let unknown = rejected[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "releases[1].parties[1].identifier.id")
        .unwrap();
    assert!(unknown["message"].as_str().unwrap().contains("09999999"), "{unknown}");
    assert_eq!(
        fields(&rejected[1]),
        ["releases[2].tender.techniques.hasFrameworkAgreement"]
    );
    assert_eq!(fields(&rejected[2]), ["releases[3].tender.items[0].classification.id"]);
    assert!(
        rejected[2]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mounted-units")
    );

    // Only the good release was written: a tender without lots became lot 1.
    let listed = app.items(FRAMEWORKS, &app.national_viewer()).await;
    assert_eq!(listed.len(), 1);
    let id = report["created"][0]["framework_id"].as_str().unwrap();
    let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await).await;
    assert_eq!(detail["lots"][0]["title"], "Mobile Data Terminals");
    assert_eq!(detail["lots"][0]["routes"], json!(["direct_award"]));
    assert_eq!(
        awards(&detail),
        [award(1, "Ironbridge Protective Systems Ltd", "active")]
    );
}

#[actix_web::test]
async fn importing_the_same_package_again_changes_nothing() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let first = import(&app, &json!({"package": package(NATIONAL)})).await;
    let again = import(&app, &json!({"package": package(NATIONAL)})).await;
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["updated"], json!([]));
    assert_eq!(again["rejected"], json!([]));
    assert_eq!(references(&again["unchanged"]), ["BLC-ARM-2026-01", "BLC-FLT-2026-02"]);
    assert_eq!(
        again["unchanged"][0]["framework_id"],
        first["created"][0]["framework_id"]
    );
    let id = first["created"][0]["framework_id"].as_str().unwrap();
    assert_eq!(app.current_etag(&format!("{FRAMEWORKS}/{id}")).await, "\"1\"");
    assert_eq!(app.items(FRAMEWORKS, &app.national_viewer()).await.len(), 2);
}

#[actix_web::test]
async fn a_changed_release_updates_its_framework_and_bumps_the_version() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let first = import(&app, &json!({"package": package(NATIONAL)})).await;
    let id = first["created"][0]["framework_id"].as_str().unwrap();
    let report = import(&app, &json!({"package": package(CHANGED)})).await;
    assert_eq!(references(&report["updated"]), ["BLC-ARM-2026-01"]);
    assert_eq!(references(&report["unchanged"]), ["BLC-FLT-2026-02"]);
    assert_eq!(report["updated"][0]["framework_id"], id);
    let changes: Vec<&str> = report["updated"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        changes,
        [
            "end_date",
            "lot 1: Halberd Ballistic Textiles Ltd now excluded",
            "lot 3 added",
        ]
    );

    let response = app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await;
    assert_eq!(etag(&response), "\"2\"", "one version for the whole release");
    let detail = json_ok(response).await;
    assert_eq!(detail["end_date"], "2031-03-31");
    assert_eq!(detail["lot_count"], 3);
    assert_eq!(detail["lots"][2]["title"], "Ballistic helmets");
    assert_eq!(
        awards(&detail),
        [
            award(1, "Halberd Ballistic Textiles Ltd", "excluded"),
            award(1, "Ironbridge Protective Systems Ltd", "active"),
            award(2, "Halberd Ballistic Textiles Ltd", "active"),
            award(3, "Carrick Emergency Vehicles Ltd", "active"),
        ]
    );
    let events = app
        .items(
            &format!("/api/v1/audit-events?resource_type=framework&resource_id={id}&action=framework.updated"),
            &app.national_viewer(),
        )
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["detail"]["changes"], json!(changes));

    // The change, imported again, is no change.
    let again = import(&app, &json!({"package": package(CHANGED)})).await;
    assert_eq!(again["unchanged"].as_array().unwrap().len(), 2);

    // A release that drops a lot is refused: an import does not remove lots.
    let report = import(&app, &json!({"package": package(NATIONAL)})).await;
    assert_eq!(fields(&report["rejected"][0]), ["releases[0].tender.lots"]);
    assert_eq!(app.current_etag(&format!("{FRAMEWORKS}/{id}")).await, "\"2\"");
}

#[actix_web::test]
async fn a_dry_run_reports_what_it_would_do_and_writes_nothing() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let report = import(&app, &json!({"package": package(NATIONAL), "dry_run": true})).await;
    assert_eq!(report["dry_run"], true);
    assert_eq!(references(&report["created"]), ["BLC-ARM-2026-01", "BLC-FLT-2026-02"]);
    assert_eq!(report["created"][0]["framework_id"], Value::Null);
    assert_eq!(app.items(FRAMEWORKS, &app.national_viewer()).await, Vec::<Value>::new());

    let first = import(&app, &json!({"package": package(NATIONAL)})).await;
    let id = first["created"][0]["framework_id"].as_str().unwrap();
    let report = import(&app, &json!({"package": package(CHANGED), "dry_run": true})).await;
    assert_eq!(references(&report["updated"]), ["BLC-ARM-2026-01"]);
    assert_eq!(report["updated"][0]["changes"].as_array().unwrap().len(), 3);
    let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await).await;
    assert_eq!(detail["end_date"], "2030-03-31");
    assert_eq!(detail["lot_count"], 2);
    assert_eq!(app.current_etag(&format!("{FRAMEWORKS}/{id}")).await, "\"1\"");
}

#[actix_web::test]
async fn a_package_is_fetched_from_a_url() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let publisher = Publisher::start().await;
    let url = publisher.url("/national-frameworks.json");
    let report = import(&app, &json!({"url": url})).await;
    assert_eq!(report["url"], url.as_str());
    assert_eq!(references(&report["created"]), ["BLC-ARM-2026-01", "BLC-FLT-2026-02"]);
    let id = report["created"][1]["framework_id"].as_str().unwrap();
    let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await).await;
    assert_eq!(detail["title"], "Blue-light Fleet Vehicle Conversion");

    // The same package by URL or in the body is the same import.
    let again = import(&app, &json!({"package": package(NATIONAL)})).await;
    assert_eq!(again["unchanged"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_url_that_cannot_give_a_package_is_refused_naming_url() {
    let app = TestApp::spawn().await;
    let publisher = Publisher::start().await;
    let admin = app.national_admin();
    let refused = |problem: Value, needle: &str| {
        let message = problem["errors"][0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "`{needle}` in {message:?}");
    };

    let response = app
        .post_json(IMPORTS, &admin, &json!({"url": publisher.url("/missing.json")}))
        .await;
    refused(assert_invalid_field(response, "url").await, "404");

    let response = app
        .post_json(IMPORTS, &admin, &json!({"url": publisher.url("/not-json")}))
        .await;
    refused(assert_invalid_field(response, "url").await, "not JSON");

    // Too large, whether it says so in Content-Length or only once read.
    for path in ["/oversized", "/endless"] {
        let response = app
            .post_json(IMPORTS, &admin, &json!({"url": publisher.url(path)}))
            .await;
        refused(assert_invalid_field(response, "url").await, "larger than 16 MiB");
    }

    // Nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let response = app
        .post_json(
            IMPORTS,
            &admin,
            &json!({"url": format!("http://{closed}/package.json")}),
        )
        .await;
    refused(assert_invalid_field(response, "url").await, "could not be fetched");

    for url in ["ftp://127.0.0.1/package.json", "file:///etc/passwd", "not a url"] {
        let response = app.post_json(IMPORTS, &admin, &json!({"url": url})).await;
        refused(assert_invalid_field(response, "url").await, "http or https");
    }
}

#[actix_web::test]
async fn what_is_not_a_release_package_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let cases = [
        (json!({"package": "releases"}), "package"),
        (json!({"package": {"version": "1.1"}}), "package.releases"),
        (
            json!({"package": {"version": "1.1", "releases": {}}}),
            "package.releases",
        ),
        (
            json!({"package": {"version": "1.0", "releases": []}}),
            "package.version",
        ),
        (json!({"package": {"releases": []}}), "package.version"),
        (json!({}), "package"),
        (
            json!({"package": {"version": "1.1", "releases": []}, "url": "https://example.org/p.json"}),
            "url",
        ),
        (
            json!({"package": {"version": "1.1", "releases": []}, "dryRun": true}),
            "dryRun",
        ),
    ];
    for (body, field) in cases {
        let response = app.post_json(IMPORTS, &admin, &body).await;
        assert_invalid_field(response, field).await;
    }
    // Not JSON at all.
    let response = crate::support::send(
        app.request(reqwest::Method::POST, IMPORTS)
            .bearer_auth(&admin)
            .header("Content-Type", "application/json")
            .body("{\"package\": "),
    )
    .await;
    assert_problem(response, 400, "bad_request").await;

    // A well-formed empty package is an empty report.
    let report = import(&app, &json!({"package": {"version": "1.1", "releases": []}})).await;
    assert_eq!(report["releases"], 0);
}

#[actix_web::test]
async fn only_a_national_admin_may_import() {
    let app = TestApp::spawn().await;
    app.create_tenant("bedfordshire-police", "police", "eastern").await;
    let body = json!({"package": package(NATIONAL), "dry_run": true});
    for token in [
        app.national_viewer(),
        app.tenant_admin_of("bedfordshire-police"),
        app.buyer_of("bedfordshire-police"),
        app.supplier_staff("any-supplier"),
    ] {
        let response = app.post_json(IMPORTS, &token, &body).await;
        assert_problem(response, 403, "forbidden").await;
    }
    let response = crate::support::send(app.request(reqwest::Method::POST, IMPORTS).json(&body)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_example_package_fits_the_demo_data() {
    // The README's example: the fixture names demo categories and suppliers.
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let report = import(&app, &json!({"package": package(NATIONAL), "dry_run": true})).await;
    assert_eq!(report["rejected"], json!([]));
    assert_eq!(references(&report["created"]), ["BLC-ARM-2026-01", "BLC-FLT-2026-02"]);
}

#[actix_web::test]
async fn a_cancelled_award_beside_its_replacement_leaves_the_supplier_active_once() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    let mut package = package(NATIONAL);
    let release = &mut package["releases"][0];
    // The first award was cancelled and reissued; a third, cancelled, names a supplier never on lot 2.
    let mut cancelled = release["awards"][0].clone();
    cancelled["id"] = json!("BLC-ARM-2026-01-A0");
    cancelled["status"] = json!("cancelled");
    let mut never_on = release["awards"][0].clone();
    never_on["id"] = json!("BLC-ARM-2026-01-A9");
    never_on["status"] = json!("cancelled");
    never_on["relatedLots"] = json!(["2"]);
    release["awards"].as_array_mut().unwrap().extend([cancelled, never_on]);
    let report = import(&app, &json!({"package": package})).await;
    assert_eq!(report["rejected"], json!([]), "{report}");
    let id = report["created"][0]["framework_id"].as_str().unwrap();
    let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &app.national_viewer()).await).await;
    let mut found = awards(&detail);
    found.sort();
    assert_eq!(
        found,
        [
            award(1, "Halberd Ballistic Textiles Ltd", "active"),
            award(1, "Ironbridge Protective Systems Ltd", "active"),
            award(2, "Halberd Ballistic Textiles Ltd", "active"),
        ]
    );
}

#[actix_web::test]
async fn a_cancelled_or_withdrawn_tender_makes_no_framework() {
    let app = TestApp::spawn().await;
    catalogue(&app).await;
    for status in ["cancelled", "withdrawn", "unsuccessful"] {
        let mut package = package(NATIONAL);
        package["releases"][0]["tender"]["status"] = json!(status);
        let report = import(&app, &json!({"package": package, "dry_run": true})).await;
        assert_eq!(report["rejected"].as_array().unwrap().len(), 1, "{report}");
        assert_eq!(fields(&report["rejected"][0]), ["releases[0].tender.status"]);
    }
}

#[actix_web::test]
async fn by_default_a_package_is_fetched_only_from_a_public_https_url() {
    let app = TestApp::spawn_with(Options {
        allow_private_urls: false,
        ..Options::default()
    })
    .await;
    let publisher = Publisher::start().await;
    for url in [
        publisher.url("/national-frameworks.json"),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://localhost/national-frameworks.json".to_owned(),
    ] {
        let response = app
            .post_json(IMPORTS, &app.national_admin(), &json!({"url": url}))
            .await;
        assert_invalid_field(response, "url").await;
    }
}

#[test]
fn the_fixture_packages_and_the_documented_example_are_valid_ocds() {
    use crate::support::ocds_schema::{assert_valid_ocds_package, ocds_package_errors};
    // What we accept is tested with packages a real publisher could send: each fixture, and the
    // example vendors see in the OpenAPI document.
    assert_valid_ocds_package(&package(NATIONAL), "tests/fixtures/ocds/national-frameworks.json");
    assert_valid_ocds_package(
        &package(CHANGED),
        "tests/fixtures/ocds/national-frameworks-changed.json",
    );
    // `with-bad-releases.json` breaks the standard on purpose (what the import must reject).
    assert!(!ocds_package_errors(&package(WITH_BAD_RELEASES)).is_empty());
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let example = &document["components"]["schemas"]["FrameworkImportRequest"]["example"]["package"];
    assert!(example.is_object(), "the document shows an example package");
    assert_valid_ocds_package(example, "the OpenAPI document's example package");
}
