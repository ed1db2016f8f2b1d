//! The service's day is its clock's, everywhere it derives something from a date: framework and
//! contract statuses, the day a recorded or draft evaluation is for, the default periods of the
//! KPI and national reports, the radar's start, and the refusal of a termination after today.
//!
//! Two apps run on fixed days five years apart (the first after the demo registers' last
//! termination, so their data loads); each must answer for its own day. The two days differ in
//! every answer checked, so at most one of them can agree with the system's date, and a handler
//! that read the system clock instead of the service's fails here whenever the suite runs.

use bluelight_api::clock::Clock;
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::expected_status_on;
use crate::support::rules::procurement_body;
use crate::support::{Options, TestApp, assert_problem, etag, json_ok, json_with_status};

const FORCE: &str = "bedfordshire-police";

fn last_financial_year(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = if day.month() >= 4 { day.year() } else { day.year() - 1 };
    (
        NaiveDate::from_ymd_opt(year - 1, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(year, 3, 31).unwrap(),
    )
}

fn contract_status_on(contract: &Value, day: NaiveDate) -> &'static str {
    let date = |field: &str| contract[field].as_str().unwrap().parse::<NaiveDate>().unwrap();
    if !contract["terminated_on"].is_null() {
        "terminated"
    } else if date("end_date") < day {
        "expired"
    } else if date("start_date") > day {
        "pipeline"
    } else {
        "active"
    }
}

#[actix_web::test]
async fn every_date_the_service_derives_is_its_clocks() {
    let mut framework_statuses = Vec::new();
    for day in [
        NaiveDate::from_ymd_opt(2026, 2, 15).unwrap(),
        NaiveDate::from_ymd_opt(2031, 7, 1).unwrap(),
    ] {
        let options = Options {
            clock: Clock::Fixed(day),
            ..Options::default().with_demo_data()
        };
        let app = TestApp::spawn_with(options).await;
        let (viewer, buyer, national) = (app.viewer_of(FORCE), app.buyer_of(FORCE), app.national_viewer());

        // Report periods default to the last financial year complete on the service's day.
        let (from, to) = last_financial_year(day);
        let kpis = json_ok(app.get(&format!("/api/v1/tenants/{FORCE}/kpis"), &viewer).await).await;
        assert_eq!(
            (kpis["from"].as_str(), kpis["to"].as_str()),
            (Some(&*from.to_string()), Some(&*to.to_string()))
        );
        let uptake = json_ok(app.get("/api/v1/national/framework-uptake", &national).await).await;
        assert_eq!(
            (uptake["from"].as_str(), uptake["to"].as_str()),
            (Some(&*from.to_string()), Some(&*to.to_string()))
        );
        let radar = json_ok(app.get("/api/v1/national/expiry-radar", &national).await).await;
        assert_eq!(radar["from"], json!(day.to_string()));

        // Statuses are derived on the service's day.
        let (frameworks, _) = app.list_all("/api/v1/frameworks", &national, 200).await;
        assert!(!frameworks.is_empty());
        for framework in &frameworks {
            assert_eq!(framework["status"], expected_status_on(framework, day), "{framework}");
        }
        framework_statuses.push(frameworks.iter().map(|f| f["status"].clone()).collect::<Vec<_>>());
        let (contracts, _) = app
            .list_all(&format!("/api/v1/tenants/{FORCE}/contracts"), &viewer, 200)
            .await;
        assert!(!contracts.is_empty());
        for contract in &contracts {
            assert_eq!(contract["status"], contract_status_on(contract, day), "{contract}");
        }

        // A draft with no date, and a recorded evaluation, are for the service's day.
        let draft = json!({"procurement": procurement_body("CLOCK-DRAFT", "4000.00", "single_quote")});
        let decision = json_ok(
            app.post_json(&format!("/api/v1/tenants/{FORCE}/evaluate"), &buyer, &draft)
                .await,
        )
        .await;
        assert_eq!(decision["input"]["evaluation_date"], json!(day.to_string()));
        let created = app
            .post_json(
                &format!("/api/v1/tenants/{FORCE}/procurements"),
                &buyer,
                &procurement_body("CLOCK-RECORDED", "4000.00", "single_quote"),
            )
            .await;
        let procurement = json_with_status(created, StatusCode::CREATED).await;
        let id = procurement["id"].as_str().unwrap();
        let recorded = app
            .post_json(
                &format!("/api/v1/tenants/{FORCE}/procurements/{id}/evaluations"),
                &buyer,
                &json!({}),
            )
            .await;
        let recorded = json_with_status(recorded, StatusCode::CREATED).await;
        assert_eq!(
            recorded["input"]["evaluation_date"],
            json!(day.to_string()),
            "{recorded}"
        );

        // A termination may be recorded on the service's day, not the day after.
        let contract = &contracts[0];
        let path = format!("/api/v1/tenants/{FORCE}/contracts/{}", contract["id"].as_str().unwrap());
        let tag = etag(&app.get(&path, &viewer).await);
        let tomorrow = (day + Duration::days(1)).to_string();
        let response = app
            .patch_json(&path, &buyer, Some(&tag), &json!({"terminated_on": tomorrow}))
            .await;
        assert_problem(response, 422, "validation_failed").await;
        let response = app
            .patch_json(&path, &buyer, Some(&tag), &json!({"terminated_on": day.to_string()}))
            .await;
        let terminated = json_ok(response).await;
        assert_eq!(terminated["status"], "terminated");
    }
    // The two days are far enough apart that the demo frameworks' statuses differ between them.
    assert_ne!(framework_statuses[0], framework_statuses[1]);
}
