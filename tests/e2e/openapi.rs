//! The committed OpenAPI document (`openapi/openapi.json`) must be what the code generates.
//!
//! After changing an endpoint, regenerate it with
//! `UPDATE_OPENAPI=1 cargo test -p bluelight-e2e openapi` and commit the diff.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json")
}

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = bluelight_api::openapi::document_json();
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; generate it with UPDATE_OPENAPI=1 cargo test -p bluelight-e2e openapi",
            path.display()
        )
    });
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        let show = |text: &str| {
            text.lines()
                .skip(first_difference)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "openapi/openapi.json is out of date (first difference at line {}).\n\
             committed:\n{}\n\ngenerated:\n{}\n\n\
             Regenerate it with: UPDATE_OPENAPI=1 cargo test -p bluelight-e2e openapi",
            first_difference + 1,
            show(&committed),
            show(&generated)
        );
    }
}

mod published_contract {
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
    use reqwest::{Method, StatusCode};
    use serde_json::{Value, json};

    use crate::support::contract::contract;
    use crate::support::{TestApp, send};

    fn json_headers(content_type: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    }

    fn a_tenant(kind: &str) -> Value {
        json!({
            "slug": "cheshire-constabulary", "name": "Cheshire Constabulary", "kind": kind,
            "region": "north-west", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        })
    }

    /// The check is not vacuous: a body the API could send but the document forbids is caught,
    /// as is an undocumented status, header or media type.
    #[test]
    fn the_contract_check_refuses_what_the_document_does_not_promise() {
        let contract = contract();
        let tenant = |kind: &str| serde_json::to_vec(&a_tenant(kind)).unwrap();
        let get = Method::GET;
        let path = "/api/v1/tenants/cheshire-constabulary";
        let mut with_etag = json_headers("application/json");
        with_etag.insert("etag", HeaderValue::from_static("\"1\""));

        contract
            .check(&get, path, StatusCode::OK, &with_etag, &tenant("police"))
            .expect("a true tenant passes");
        let wrong_enum = contract.check(&get, path, StatusCode::OK, &with_etag, &tenant("Police"));
        assert!(
            wrong_enum.is_err(),
            "a Rust variant name instead of the wire value must fail"
        );
        let no_etag = contract.check(
            &get,
            path,
            StatusCode::OK,
            &json_headers("application/json"),
            &tenant("police"),
        );
        assert!(no_etag.is_err(), "a documented ETag that is not sent must fail");
        let teapot = contract.check(&get, path, StatusCode::IM_A_TEAPOT, &with_etag, &tenant("police"));
        assert!(teapot.is_err(), "an undocumented status must fail");
        let html = contract.check(&get, path, StatusCode::OK, &json_headers("text/html"), b"<p>hi</p>");
        assert!(html.is_err(), "an undocumented media type must fail");
        let allow_missing = contract.check(
            &Method::PUT,
            path,
            StatusCode::METHOD_NOT_ALLOWED,
            &json_headers("application/problem+json"),
            b"{}",
        );
        assert!(allow_missing.is_err(), "a 405 without Allow must fail");
    }

    /// Every documented path answers the methods it does not document with 405 and an `Allow`
    /// listing exactly the documented ones (checked by the contract check in `send`).
    #[actix_web::test]
    async fn undocumented_methods_on_every_documented_path_are_405_with_allow() {
        let app = TestApp::spawn().await;
        let token = app.national_admin();
        let document: Value =
            serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("the committed document");
        let mut checked = 0;
        for (template, item) in document["paths"].as_object().expect("paths") {
            let path = template
                .split('/')
                .map(|segment| if segment.starts_with('{') { "x" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                if item.get(method.to_ascii_lowercase()).is_some() {
                    continue;
                }
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let response = send(app.request(method.clone(), &path).bearer_auth(&token)).await;
                assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} undocumented methods tried");
    }
}
