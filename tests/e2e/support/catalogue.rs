//! Catalogue fixtures (categories, suppliers, frameworks) built through the API, the requests the
//! catalogue needs beyond the core harness (PUT, POST under `If-Match`), and the test database's
//! URL for tests that reach the database directly (the demo-data loader).

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use reqwest::header::IF_MATCH;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, TestDatabase, json_ok, json_with_status, send};

pub const CATEGORIES: &str = "/api/v1/categories";
pub const FRAMEWORKS: &str = "/api/v1/frameworks";
pub const SUPPLIERS: &str = "/api/v1/suppliers";

impl TestApp {
    /// The URL the app's database was opened with, for a second connection to the same data.
    pub fn database_url(&self) -> String {
        match &self._database {
            TestDatabase::Sqlite(dir) => dir.path().join("bluelight.sqlite3").to_string_lossy().into_owned(),
            TestDatabase::Postgres { admin_url, schema } => {
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                format!("{admin_url}{separator}options=-csearch_path%3D{schema}")
            }
            TestDatabase::Shared(url) => url.clone(),
        }
    }

    /// A POST with `If-Match: etag` (no header when `etag` is `None`).
    pub async fn post_json_if_match(&self, path: &str, token: &str, etag: Option<&str>, body: &Value) -> Response {
        let mut request = self.request(Method::POST, path).bearer_auth(token).json(body);
        if let Some(etag) = etag {
            request = request.header(IF_MATCH, etag);
        }
        send(request).await
    }

    /// A PUT with `If-Match: etag` (no header when `etag` is `None`).
    pub async fn put_json(&self, path: &str, token: &str, etag: Option<&str>, body: &Value) -> Response {
        let mut request = self.request(Method::PUT, path).bearer_auth(token).json(body);
        if let Some(etag) = etag {
            request = request.header(IF_MATCH, etag);
        }
        send(request).await
    }

    /// The items of one page (asserting a 200).
    pub async fn items(&self, path: &str, token: &str) -> Vec<Value> {
        let page = json_ok(self.get(path, token).await).await;
        page["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items array in {page}"))
            .clone()
    }

    /// Creates a category as national_admin; returns it.
    pub async fn create_category(&self, body: &Value) -> Value {
        let response = self.post_json(CATEGORIES, &self.national_admin(), body).await;
        json_with_status(response, StatusCode::CREATED).await
    }

    /// Creates a supplier as national_admin; returns it.
    pub async fn create_supplier(&self, body: &Value) -> Value {
        let response = self.post_json(SUPPLIERS, &self.national_admin(), body).await;
        json_with_status(response, StatusCode::CREATED).await
    }

    /// Creates a framework as national_admin; returns its detail.
    pub async fn create_framework(&self, body: &Value) -> Value {
        let response = self.post_json(FRAMEWORKS, &self.national_admin(), body).await;
        json_with_status(response, StatusCode::CREATED).await
    }

    /// The current ETag of the resource at `path` (read as national_viewer).
    pub async fn current_etag(&self, path: &str) -> String {
        let response = self.get(path, &self.national_viewer()).await;
        assert_eq!(response.status(), StatusCode::OK, "reading {path}");
        super::etag(&response)
    }
}

/// The suite's today: every app the tests start runs on this fixed day (unless a test gives it
/// another), so nothing date-dependent changes with the day the suite runs or at midnight. It is
/// months from the day this was written, so a date taken from the system clock anywhere in the
/// service shows up as a wrong status, period or refusal. The demo spend's financial year
/// (2025-26) is the last complete one on this day.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("a valid date")
}

/// `days` days from today (negative: in the past), as an ISO date.
pub fn day(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

/// The status a framework must have today, derived from its dates as the README states:
/// expired after the end date, live from the start date, pipeline before it or with no start.
pub fn expected_status(framework: &Value) -> &'static str {
    expected_status_on(framework, today())
}

/// As [`expected_status`], on `today`.
pub fn expected_status_on(framework: &Value, today: NaiveDate) -> &'static str {
    let date = |field: &str| {
        framework[field]
            .as_str()
            .map(|d| d.parse::<NaiveDate>().expect("an ISO date"))
    };
    match (date("start_date"), date("end_date")) {
        (_, Some(end)) if end < today => "expired",
        (Some(start), _) if start <= today => "live",
        _ => "pipeline",
    }
}

/// A body for `POST /categories`.
pub fn category_body(slug: &str, parent: Option<&str>) -> Value {
    json!({
        "slug": slug,
        "name": format!("Category {slug}"),
        "parent": parent,
        "description": format!("Everything about {slug}"),
        "cpv_codes": ["35811000-1"],
        "joint_with_fire": false,
    })
}

/// A body for `POST /suppliers`: a non-strategic SME delivering nationally.
pub fn supplier_body(name: &str) -> Value {
    json!({"name": name, "sme": true, "regions": ["national"]})
}

/// A body for `POST /frameworks`: live for police, one lot with no suppliers.
pub fn framework_body(reference: &str, category: &str) -> Value {
    json!({
        "reference": reference,
        "title": format!("Framework {reference}"),
        "description": "A national framework agreement.",
        "owning_body": "BlueLight Commercial",
        "category": category,
        "start_date": day(-30),
        "end_date": day(365),
        "max_end_date": day(730),
        "extension_options": "1 x 12 months",
        "max_value": "1000000.00",
        "eligibility": "police",
        "lots": [lot_body(1, &[])],
    })
}

/// A lot awarding each supplier id (active), with both routes and a value band.
pub fn lot_body(number: i64, suppliers: &[&str]) -> Value {
    json!({
        "number": number,
        "title": format!("Lot {number}"),
        "description": format!("The scope of lot {number}"),
        "routes": ["direct_award", "further_competition"],
        "min_value": "0.00",
        "max_value": "250000.00",
        "suppliers": suppliers.iter().map(|id| json!({"supplier_id": id})).collect::<Vec<_>>(),
    })
}

/// `item[field]` of every item, as strings.
pub fn strings(items: &[Value], field: &str) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no string `{field}` in {item}"))
                .to_owned()
        })
        .collect()
}

/// `item[field]` of every item, as a set.
pub fn set_of(items: &[Value], field: &str) -> BTreeSet<String> {
    strings(items, field).into_iter().collect()
}

/// The `Location` header of a response.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location header on a {} response", response.status()))
        .to_str()
        .expect("a text Location")
        .to_owned()
}

/// Sends every request at once; returns each status (and body, for messages) in the order given.
pub async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<(StatusCode, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, request) in requests.into_iter().enumerate() {
        tasks.spawn(async move {
            let response = super::send(request).await;
            let status = response.status();
            (i, status, response.text().await.unwrap_or_default())
        });
    }
    let mut results = vec![(StatusCode::OK, String::new()); tasks.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, status, body) = done.expect("the request task");
        results[i] = (status, body);
    }
    results
}
