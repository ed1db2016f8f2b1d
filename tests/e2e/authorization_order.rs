//! 401, then 403, then 404, then whatever is wrong with the request itself (its body, media
//! type, query or `If-Match`), in that order, on every secured operation of the published
//! document: a token that may not do a thing never learns anything about the body it sent, and a
//! force never learns whether another force's record exists.
//!
//! The operations are read from the committed `openapi/openapi.json`, not from the code, so an
//! operation added later is walked too. Each faulty request is first sent with a token that may
//! make it, on records that exist, to prove it is faulty (it gets the 4xx about the request);
//! then with no token, a foreign force's token, a token of too low a role, and on records that do
//! not exist.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::commercial::Kind;
use crate::support::{Options, TestApp, json_ok, json_with_status, send};

const OWN: &str = "bedfordshire-police";
const OTHER: &str = "cheshire-constabulary";
const NO_SUCH_FORCE: &str = "no-such-force";
const MISSING_ID: &str = "00000000-0000-7000-8000-000000000000";

/// One operation of the published document.
struct Operation {
    method: Method,
    template: String,
    /// The media type of its request body, if it takes one.
    body: Option<String>,
    if_match: bool,
    query: bool,
}

impl Operation {
    /// Under `/api/v1/tenants/{slug}/`: a force's own data.
    fn tenant_scoped(&self) -> bool {
        self.template.starts_with("/api/v1/tenants/{slug}/")
    }

    fn writes(&self) -> bool {
        self.method != Method::GET
    }

    fn has_record_ids(&self) -> bool {
        let ids = self.template.matches('{').count();
        if self.tenant_scoped() { ids > 1 } else { ids > 0 }
    }

    /// What can be wrong with a request to it, beyond who sends it.
    fn faults(&self) -> Vec<Fault> {
        let mut faults = Vec::new();
        match self.body.as_deref() {
            Some("application/json") => faults.extend([Fault::BrokenJson, Fault::WrongShape, Fault::WrongMediaType]),
            Some(_) => faults.push(Fault::WrongMediaType),
            None => {}
        }
        if self.query {
            faults.push(Fault::UnknownQueryParameter);
        }
        if self.if_match {
            faults.push(Fault::NoIfMatch);
        }
        faults
    }
}

/// The document's secured operations.
fn operations() -> Vec<Operation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("the committed document"))
        .expect("the document is JSON");
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if operation["security"].as_array().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let is_in = |place: &str, name: Option<&str>| {
                parameters
                    .iter()
                    .any(|p| p["in"] == place && name.is_none_or(|name| p["name"] == name))
            };
            let body = operation["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.keys().next().cloned());
            operations.push(Operation {
                method,
                template: template.clone(),
                body,
                if_match: is_in("header", Some("If-Match")),
                query: is_in("query", None),
            });
        }
    }
    operations
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Nothing wrong with the request itself: only who sends it is tested.
    None,
    BrokenJson,
    WrongShape,
    WrongMediaType,
    UnknownQueryParameter,
    NoIfMatch,
}

/// Real records of the own force (and the nation's) that each path placeholder can name.
struct Records(BTreeMap<&'static str, String>);

impl Records {
    /// The value for the placeholder after `segment` (`frameworks/{id}` → a framework's id).
    fn for_segment(&self, national: bool, segment: &str) -> &str {
        let key = match segment {
            "webhooks" if national => "national-webhooks",
            other => other,
        };
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("no record for a path under '{segment}'"))
    }
}

/// What a placeholder after `segment` is replaced with when the record must not exist.
fn missing(segment: &str) -> &'static str {
    match segment {
        "lots" | "rule-plugins" => "999",
        "categories" => "no-such-category",
        "tenants" => NO_SUCH_FORCE,
        _ => MISSING_ID,
    }
}

/// Which records a path names.
#[derive(Clone, Copy)]
enum Naming<'a> {
    /// The own force's (or the nation's) real records.
    Real,
    /// Real force, records that do not exist.
    MissingRecords,
    /// A force given by slug; the own force's records.
    Force(&'a str),
}

fn concrete(template: &str, records: &Records, naming: Naming) -> String {
    let national = template.starts_with("/api/v1/national/");
    let mut path = String::new();
    let mut previous = "";
    for segment in template.split('/').skip(1) {
        path.push('/');
        if segment.starts_with('{') {
            let value = match (naming, previous) {
                (Naming::Force(force), "tenants") => force.to_owned(),
                (Naming::MissingRecords, "tenants") if template.starts_with("/api/v1/tenants/{slug}/") => {
                    OWN.to_owned()
                }
                (Naming::MissingRecords, segment) => missing(segment).to_owned(),
                (_, "tenants") => OWN.to_owned(),
                (_, segment) => records.for_segment(national, segment).to_owned(),
            };
            path.push_str(&value);
        } else {
            path.push_str(segment);
        }
        previous = segment;
    }
    path
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    operation: &Operation,
    path: &str,
    fault: Fault,
) -> reqwest::Response {
    let query = matches!(fault, Fault::UnknownQueryParameter).then_some("?no_such_parameter=1");
    let mut request = app.request(operation.method.clone(), &format!("{path}{}", query.unwrap_or("")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if operation.if_match && !matches!(fault, Fault::NoIfMatch) {
        request = request.header("if-match", "\"1\"");
    }
    if let Some(media_type) = &operation.body {
        let json = media_type == "application/json";
        let (content_type, body): (&str, Vec<u8>) = match fault {
            Fault::BrokenJson => ("application/json", b"{\"title\": ".to_vec()),
            Fault::WrongMediaType if json => ("text/plain", b"title=x".to_vec()),
            Fault::WrongMediaType => ("application/json", b"{}".to_vec()),
            // The other faults are sent with a body that is wrong too: a JSON array where an
            // object is due, or an empty file.
            _ if json => ("application/json", b"[1]".to_vec()),
            _ => (media_type.as_str(), Vec::new()),
        };
        request = request.header("content-type", content_type).body(body);
    }
    send(request).await
}

/// The 4xx statuses about the request itself.
const ABOUT_THE_REQUEST: [u16; 7] = [400, 411, 412, 413, 415, 422, 428];

async fn records(app: &TestApp) -> Records {
    let admin = app.tenant_admin_of(OWN);
    let national = app.national_admin();
    let first = |items: Vec<Value>, field: &str| -> String {
        let item = items.first().expect("the demo data has one");
        match &item[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    };
    let base = format!("/api/v1/tenants/{OWN}");
    let procurement = first(app.items(&format!("{base}/procurements"), &admin).await, "id");
    let decision = json_with_status(app.evaluate(OWN, &procurement).await, StatusCode::CREATED).await;
    let framework = first(app.items("/api/v1/frameworks", &national).await, "id");
    let detail = json_ok(app.get(&format!("/api/v1/frameworks/{framework}"), &national).await).await;
    let lot = &detail["lots"][0];
    let import = app
        .import_completed(
            OWN,
            Kind::Spend,
            "transaction_id,date,supplier,amount\nORDER-T1,2025-06-01,Order Supplies Ltd,10.00\n",
        )
        .await;
    let hook = json!({"url": "http://127.0.0.1:9/hooks", "events": ["decision.recorded"]});
    let tenant_hook = json_with_status(
        app.post_json(&format!("{base}/webhooks"), &admin, &hook).await,
        StatusCode::CREATED,
    )
    .await;
    let national_hook = json!({"url": "http://127.0.0.1:9/hooks", "events": ["framework.status_changed"]});
    let national_hook = json_with_status(
        app.post_json("/api/v1/national/webhooks", &national, &national_hook)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let mut records = BTreeMap::new();
    records.insert("procurements", procurement);
    records.insert("decisions", decision["id"].as_str().unwrap().to_owned());
    records.insert(
        "contracts",
        first(app.items(&format!("{base}/contracts"), &admin).await, "id"),
    );
    records.insert("imports", import["id"].as_str().unwrap().to_owned());
    records.insert("webhooks", tenant_hook["id"].as_str().unwrap().to_owned());
    records.insert("national-webhooks", national_hook["id"].as_str().unwrap().to_owned());
    records.insert(
        "rule-plugins",
        first(app.items(&format!("{base}/rule-plugins"), &admin).await, "version"),
    );
    records.insert("frameworks", framework);
    records.insert("lots", lot["number"].to_string());
    records.insert(
        "suppliers",
        first(app.items("/api/v1/suppliers", &national).await, "id"),
    );
    records.insert(
        "categories",
        first(app.items("/api/v1/categories", &national).await, "slug"),
    );
    Records(records)
}

async fn assert_status(response: reqwest::Response, expected: u16, what: &str) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{what}: {body}");
}

#[actix_web::test]
async fn who_may_ask_is_answered_before_what_was_asked_on_every_operation() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let records = records(&app).await;
    let operations = operations();
    assert!(operations.len() > 60, "the document's operations: {}", operations.len());
    let (own_admin, own_viewer) = (app.tenant_admin_of(OWN), app.viewer_of(OWN));
    let (other_admin, supplier) = (app.tenant_admin_of(OTHER), app.supplier_staff("some-supplier"));
    let (national_admin, national_viewer) = (app.national_admin(), app.national_viewer());
    let mut requests = 0;
    let mut proven_faulty = 0;

    for operation in &operations {
        let name = format!("{} {}", operation.method, operation.template);
        let real = concrete(&operation.template, &records, Naming::Real);
        let privileged = if operation.tenant_scoped() {
            &own_admin
        } else {
            &national_admin
        };
        let mut faults = operation.faults();
        // Each fault is proven to be one: the token that may make the request, on real records,
        // gets the 4xx about the request.
        for fault in &faults {
            let response = call(&app, Some(privileged), operation, &real, *fault).await;
            let status = response.status().as_u16();
            assert!(
                ABOUT_THE_REQUEST.contains(&status),
                "{name} with {fault:?} as a permitted caller: {status}"
            );
            proven_faulty += 1;
        }
        faults.push(Fault::None);

        for fault in faults {
            let what = |who: &str| format!("{name} with {fault:?}, {who}");
            requests += 1;
            assert_status(call(&app, None, operation, &real, fault).await, 401, &what("no token")).await;

            // Tokens that may not make the request.
            let mut refused: Vec<(&str, String)> = Vec::new();
            if operation.tenant_scoped() {
                refused.push((&other_admin, real.clone()));
                let elsewhere = concrete(&operation.template, &records, Naming::Force(NO_SUCH_FORCE));
                refused.push((&other_admin, elsewhere));
                refused.push((&supplier, real.clone()));
                if operation.writes() {
                    refused.push((&own_viewer, real.clone()));
                    refused.push((&national_viewer, real.clone()));
                }
            } else if operation.writes() {
                refused.push((&national_viewer, real.clone()));
                refused.push((&own_admin, real.clone()));
                refused.push((&supplier, real.clone()));
            }
            for (token, path) in refused {
                requests += 1;
                let response = call(&app, Some(token), operation, &path, fault).await;
                assert_status(response, 403, &what(&format!("refused token on {path}"))).await;
            }

            // A permitted token, records that do not exist.
            if operation.has_record_ids() {
                requests += 1;
                let path = concrete(&operation.template, &records, Naming::MissingRecords);
                let response = call(&app, Some(privileged), operation, &path, fault).await;
                assert_status(response, 404, &what(&format!("missing records on {path}"))).await;
            }
        }
    }
    assert!(proven_faulty > 50, "faults proven: {proven_faulty}");
    eprintln!("{requests} requests in order; {proven_faulty} faults proven");
}
