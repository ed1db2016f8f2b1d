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
