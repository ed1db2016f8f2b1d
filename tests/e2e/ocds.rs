//! The OCDS export: a tenant's procurements, decisions, awards and contracts as release
//! packages, walked page by page, and only the tenant's own.

use std::collections::BTreeSet;
use std::str::FromStr;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::ocds_schema::assert_valid_ocds_package;
use crate::support::{Options, TestApp, assert_problem, json_ok, json_with_status};

const TENANT: &str = "bedfordshire-police";

/// Walks a tenant's export page by page, checking each page against the OCDS 1.1.5 schema.
async fn walk(app: &TestApp, tenant: &str, token: &str, limit: u32) -> (Vec<Value>, usize) {
    let mut path = format!("/api/v1/tenants/{tenant}/ocds/releases?limit={limit}");
    let mut releases = Vec::new();
    let mut pages = 0;
    loop {
        let package = json_ok(app.get(&path, token).await).await;
        assert_eq!(package["version"], "1.1");
        assert_valid_ocds_package(&package, &format!("page {} of {tenant}'s export", pages + 1));
        pages += 1;
        releases.extend(package["releases"].as_array().unwrap().iter().cloned());
        match package["links"]["next"].as_str() {
            Some(next) => path = next.to_owned(),
            None => return (releases, pages),
        }
        assert!(pages < 100, "the walk ends");
    }
}

#[actix_web::test]
async fn an_awarded_procurement_is_one_release_with_tender_award_and_contract() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let buyer = app.buyer_of(TENANT);
    let procurements = app
        .items(
            &format!("/api/v1/tenants/{TENANT}/procurements?outcome=compliant"),
            &buyer,
        )
        .await;
    let procurement = procurements
        .iter()
        .find(|p| p["quotes"].as_array().is_some_and(|q| q.len() >= 2))
        .expect("a compliant demo procurement with several quotes");
    let id = procurement["id"].as_str().unwrap();
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{TENANT}/procurements/{id}/award"),
            &buyer,
            &json!({"start_date": "2027-01-01", "end_date": "2027-12-31", "max_end_date": "2028-12-31"}),
        )
        .await;
    let contract = json_with_status(response, StatusCode::CREATED).await;

    let (releases, pages) = walk(&app, TENANT, &app.viewer_of(TENANT), 7).await;
    let all_procurements = app
        .items(&format!("/api/v1/tenants/{TENANT}/procurements"), &buyer)
        .await;
    let standalone = app
        .items(&format!("/api/v1/tenants/{TENANT}/contracts"), &buyer)
        .await
        .into_iter()
        .filter(|c| c["procurement_id"].is_null())
        .count();
    assert_eq!(releases.len(), all_procurements.len() + standalone);
    assert!(pages > 1);
    let ocids: BTreeSet<&str> = releases.iter().map(|r| r["ocid"].as_str().unwrap()).collect();
    assert_eq!(ocids.len(), releases.len(), "each release once");

    let ocid = format!("ocds-bluelight-{TENANT}-{id}");
    let release = releases.iter().find(|r| r["ocid"] == ocid.as_str()).unwrap();
    assert_eq!(release["tag"], json!(["tender", "award", "contract"]));
    assert_eq!(release["buyer"]["id"], TENANT);
    assert_eq!(release["tender"]["id"], procurement["reference"]);
    assert_eq!(release["tender"]["status"], "complete");
    assert_eq!(release["tender"]["complianceDecision"]["outcome"], "compliant");
    assert_eq!(
        release["tender"]["numberOfTenderers"],
        procurement["quotes"].as_array().unwrap().len()
    );
    let award = &release["awards"][0];
    assert_eq!(award["suppliers"][0]["name"], contract["supplier_name"]);
    assert_eq!(decimal(&award["value"]["amount"]), decimal(&contract["value"]));
    assert_eq!(award["value"]["currency"], "GBP");
    let ocds_contract = &release["contracts"][0];
    assert_eq!(ocds_contract["id"], contract["id"]);
    assert_eq!(ocds_contract["awardID"], award["id"]);
    assert_eq!(ocds_contract["status"], "pending");
    // Whole UK days as OCDS date-times: from the first second of the first day to the last second
    // of the last, in that day's UK offset (GMT in winter, BST in summer).
    assert_eq!(
        ocds_contract["period"],
        json!({
            "startDate": "2027-01-01T00:00:00+00:00",
            "endDate": "2027-12-31T23:59:59+00:00",
            "maxExtentDate": "2028-12-31T23:59:59+00:00",
        })
    );
    let supplier_party = release["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == contract["supplier_name"])
        .unwrap();
    assert!(supplier_party["roles"].as_array().unwrap().contains(&json!("supplier")));
    assert!(supplier_party["roles"].as_array().unwrap().contains(&json!("tenderer")));

    // A contract from the imported register is a release of its own, award and contract only.
    let imported = releases
        .iter()
        .find(|r| r["tender"].is_null())
        .expect("a standalone contract's release");
    assert_eq!(imported["tag"], json!(["award", "contract"]));
}

/// A money figure as an exact decimal: the API's decimal text, or an OCDS JSON number as written.
fn decimal(value: &Value) -> Decimal {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        other => panic!("not an amount: {other}"),
    };
    Decimal::from_str(&text).unwrap_or_else(|e| panic!("{text} is not a decimal: {e}"))
}

#[actix_web::test]
async fn every_page_of_every_demo_tenants_export_is_valid_ocds() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    for tenant in [
        "bedfordshire-police",
        "cheshire-constabulary",
        "lancashire-constabulary",
    ] {
        let (releases, pages) = walk(&app, tenant, &app.viewer_of(tenant), 5).await;
        assert!(pages > 1, "{tenant}'s export spans several pages");
        // The schema's date-time format is only exercised where periods are written.
        let periods = releases
            .iter()
            .flat_map(|r| r["contracts"].as_array().cloned().unwrap_or_default())
            .filter(|c| c["period"]["startDate"].is_string() && c["period"]["endDate"].is_string())
            .count();
        assert!(periods > 0, "{tenant}'s export has contracts with periods");
    }
}

#[actix_web::test]
async fn an_invalid_release_is_caught_by_the_schema_check() {
    // The check itself can fail: a date where OCDS wants a date-time, as the export once wrote.
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let mut package = json_ok(
        app.get(
            &format!("/api/v1/tenants/{TENANT}/ocds/releases?limit=200"),
            &app.viewer_of(TENANT),
        )
        .await,
    )
    .await;
    let release = package["releases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["contracts"].as_array().is_some_and(|c| !c.is_empty()))
        .expect("a release with a contract");
    release["contracts"][0]["period"]["endDate"] = json!("2027-03-31");
    let errors = crate::support::ocds_schema::ocds_package_errors(&package);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("/contracts/0/period/endDate"), "{errors:?}");
}

#[actix_web::test]
async fn only_the_tenant_and_national_roles_read_its_releases() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let path = format!("/api/v1/tenants/{TENANT}/ocds/releases");
    assert_problem(
        app.get(&path, &app.viewer_of("cheshire-constabulary")).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.get(&path, &app.supplier_staff("any")).await, 403, "forbidden").await;
    assert_eq!(app.get(&path, &app.national_viewer()).await.status(), StatusCode::OK);
    // Cheshire's own package holds none of Bedfordshire's releases.
    let cheshire = json_ok(
        app.get(
            "/api/v1/tenants/cheshire-constabulary/ocds/releases?limit=200",
            &app.viewer_of("cheshire-constabulary"),
        )
        .await,
    )
    .await;
    let releases = cheshire["releases"].as_array().unwrap();
    assert!(!releases.is_empty(), "Cheshire's demo data has releases");
    for release in releases {
        assert_eq!(release["buyer"]["id"], "cheshire-constabulary");
        assert!(!release["ocid"].as_str().unwrap().contains(TENANT));
    }
    crate::support::assert_invalid_field(
        app.get(&format!("{path}?cursor=bm9wZQ"), &app.viewer_of(TENANT)).await,
        "cursor",
    )
    .await;
}
