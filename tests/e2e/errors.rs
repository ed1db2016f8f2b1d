//! The error contract: every error is RFC 9457 `application/problem+json` with `type`, `title`,
//! `status`, `detail` and a stable `code`; validation problems name each field at fault.

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderName};
use serde_json::json;

use crate::support::{TestApp, assert_invalid_field, assert_problem, error_fields, json_ok, send, tenant_body};

const TENANTS: &str = "/api/v1/tenants";

/// A POST to the tenants list with a raw body and Content-Type, as national_admin.
async fn post_raw(app: &TestApp, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let mut request = app
        .request(Method::POST, TENANTS)
        .bearer_auth(app.national_admin())
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    send(request).await
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let complete = tenant_body("kent-police", "police", "south-east").to_string();
    let trailing = format!("{complete} trailing");
    let two_documents = format!("{complete}{complete}");
    for body in [
        r#"{"slug": "kent-police", "#,
        "{slug: 'kent-police'}",
        "not json",
        &trailing,
        &two_documents,
        "",
    ] {
        let response = post_raw(&app, Some("application/json"), body.to_owned()).await;
        let problem = assert_problem(response, 400, "bad_request").await;
        assert!(
            problem.get("errors").is_none(),
            "a 400 is not a field problem: {problem}"
        );
    }
}

#[actix_web::test]
async fn body_that_is_not_json_by_content_type_is_415() {
    let app = TestApp::spawn().await;
    let body = tenant_body("kent-police", "police", "south-east").to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        None,
    ] {
        let response = post_raw(&app, content_type, body.clone()).await;
        assert_problem(response, 415, "unsupported_media_type").await;
    }
    // The same bytes as JSON (with a charset parameter, or a +json type) are fine.
    for content_type in ["application/json; charset=utf-8", "application/merge-patch+json"] {
        let mut body = tenant_body("kent-police", "police", "south-east");
        body["slug"] = json!(format!("kent-{}", content_type.len()));
        let response = post_raw(&app, Some(content_type), body.to_string()).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::CREATED,
            "Content-Type: {content_type}"
        );
    }
}

#[actix_web::test]
async fn wrong_json_type_for_a_field_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    for (field, value) in [
        ("slug", json!(5)),
        ("name", json!(["Kent"])),
        ("name", json!(null)),
        ("kind", json!("ambulance")),
        ("region", json!({"name": "london"})),
    ] {
        let mut body = tenant_body("kent-police", "police", "south-east");
        body[field] = value.clone();
        let problem = assert_invalid_field(app.post_json(TENANTS, &admin, &body).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{field} = {value}: {problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            !message.contains(" at line "),
            "positions are noise next to the field path: {message}"
        );
    }
    // A body that is JSON but not an object.
    let problem = assert_problem(
        app.post_json(TENANTS, &admin, &json!(["kent-police"])).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["body"]);
}

#[actix_web::test]
async fn null_or_number_for_an_enum_field_is_422_naming_it() {
    let app = TestApp::spawn().await;
    for (field, value) in [
        ("kind", json!(null)),
        ("region", json!(null)),
        ("kind", json!(1)),
        ("region", json!(true)),
    ] {
        let mut body = tenant_body("kent-police", "police", "south-east");
        body[field] = value;
        let problem = assert_invalid_field(app.post_json(TENANTS, &app.national_admin(), &body).await, field).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
}

#[actix_web::test]
async fn missing_field_is_422_and_says_which() {
    let app = TestApp::spawn().await;
    let mut body = tenant_body("kent-police", "police", "south-east");
    body.as_object_mut().unwrap().remove("name");
    let problem = assert_problem(
        app.post_json(TENANTS, &app.national_admin(), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("name"), "{problem}");
}

#[actix_web::test]
async fn unknown_query_parameter_on_a_list_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    let problem = assert_invalid_field(app.get("/api/v1/tenants?knd=police", &token).await, "knd").await;
    assert_eq!(error_fields(&problem), ["knd"]);
    // Spelt right, the same filter works.
    json_ok(app.get("/api/v1/tenants?kind=police", &token).await).await;
}

#[actix_web::test]
async fn limit_out_of_range_or_not_a_number_is_422_naming_limit() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    for limit in ["0", "500", "201", "-1", "ten", "1.5", ""] {
        let response = app.get(&format!("/api/v1/tenants?limit={limit}"), &token).await;
        let problem = assert_invalid_field(response, "limit").await;
        assert_eq!(error_fields(&problem), ["limit"], "limit={limit}: {problem}");
    }
    for limit in ["1", "200"] {
        json_ok(app.get(&format!("/api/v1/tenants?limit={limit}"), &token).await).await;
    }
}

#[actix_web::test]
async fn cursor_the_api_did_not_issue_is_422_naming_cursor() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    for cursor in ["not%20a%20cursor", "%25%25%25", "____", "_w"] {
        let response = app.get(&format!("/api/v1/tenants?cursor={cursor}"), &token).await;
        let problem = assert_invalid_field(response, "cursor").await;
        assert_eq!(error_fields(&problem), ["cursor"], "cursor={cursor}: {problem}");
    }
}

#[actix_web::test]
async fn unknown_route_is_404_problem() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    for path in [
        "/nowhere",
        "/api/v1/nowhere",
        "/api/v2/tenants",
        "/api/v1/tenants/kent-police/extra",
    ] {
        let problem = assert_problem(app.get(path, &token).await, 404, "not_found").await;
        assert!(problem["detail"].as_str().unwrap().contains(path), "{problem}");
    }
    // Without a token too: an unknown route is not an authentication matter.
    assert_problem(app.get_anonymous("/api/v1/nowhere").await, 404, "not_found").await;
}

#[actix_web::test]
async fn unsupported_method_on_a_known_path_is_a_problem() {
    let app = TestApp::spawn().await;
    let response = send(app.request(Method::DELETE, TENANTS).bearer_auth(app.national_admin())).await;
    let status = response.status().as_u16();
    let code = if status == 405 {
        "method_not_allowed"
    } else {
        "not_found"
    };
    assert_problem(response, status, code).await;
    assert!(status == 404 || status == 405, "DELETE {TENANTS} gave {status}");
}

#[actix_web::test]
async fn body_over_the_size_limit_is_413() {
    let app = TestApp::spawn().await;
    let mut body = tenant_body("kent-police", "police", "south-east");
    body["name"] = json!("x".repeat(2 * 1024 * 1024));
    let response = app.post_json(TENANTS, &app.national_admin(), &body).await;
    assert_problem(response, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn body_under_the_documented_1_mib_limit_is_read() {
    // `MAX_JSON_BYTES` is 1 MiB: a 300 KiB body must be parsed (and then fail validation on the
    // over-long name), not refused as too large.
    let app = TestApp::spawn().await;
    let mut body = tenant_body("kent-police", "police", "south-east");
    body["name"] = json!("x".repeat(300 * 1024));
    let response = app.post_json(TENANTS, &app.national_admin(), &body).await;
    assert_invalid_field(response, "name").await;
}

#[actix_web::test]
async fn every_error_carries_nosniff_and_problem_fields() {
    let app = TestApp::spawn().await;
    let nosniff = HeaderName::from_static("x-content-type-options");
    let cases: Vec<(reqwest::Response, u16, &str)> = vec![
        (app.get_anonymous(TENANTS).await, 401, "unauthorized"),
        (
            app.get(TENANTS, &app.token(&["janitor"], None, None)).await,
            403,
            "forbidden",
        ),
        (
            app.get("/api/v1/tenants/none", &app.national_viewer()).await,
            404,
            "not_found",
        ),
        (
            app.get("/api/v1/tenants?limit=0", &app.national_viewer()).await,
            422,
            "validation_failed",
        ),
        (post_raw(&app, Some("application/json"), "{").await, 400, "bad_request"),
        (
            post_raw(&app, Some("text/plain"), "{}").await,
            415,
            "unsupported_media_type",
        ),
    ];
    for (response, status, code) in cases {
        let header = response.headers().get(&nosniff).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header.as_deref(), Some("nosniff"), "{status} {code}");
        assert_problem(response, status, code).await;
    }
}
