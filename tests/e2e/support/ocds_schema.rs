//! The Open Contracting Data Standard's own schemas (1.1.5, Draft-04, in
//! `tests/fixtures/ocds-schema/`), as an outside reference for what we export and import.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

const PACKAGE_SCHEMA: &str = "release-package-schema.json";
const RELEASE_SCHEMA: &str = "release-schema.json";
/// Where the package schema's `$ref` points; served from the file beside it, never fetched.
const RELEASE_SCHEMA_URL: &str = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

fn read_schema(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ocds-schema/1.1.5")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn package_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let registry = jsonschema::Registry::new()
            .add(RELEASE_SCHEMA_URL, read_schema(RELEASE_SCHEMA))
            .expect("the release schema is a schema")
            .prepare()
            .expect("the release schema's references resolve");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .offline()
            .with_registry(&registry)
            .build(&read_schema(PACKAGE_SCHEMA))
            .expect("the OCDS release-package schema compiles")
    })
}

/// Every way `package` breaks the OCDS 1.1.5 release-package schema, as "at <path>: <message>".
pub fn ocds_package_errors(package: &Value) -> Vec<String> {
    package_validator()
        .iter_errors(package)
        .map(|error| format!("at {}: {error}", error.instance_path()))
        .collect()
}

/// Fails the test, listing every error, unless `package` is a valid OCDS 1.1.5 release package.
#[track_caller]
pub fn assert_valid_ocds_package(package: &Value, what: &str) {
    let errors = ocds_package_errors(package);
    assert!(
        errors.is_empty(),
        "{what} is not a valid OCDS 1.1.5 release package ({} errors):\n{}",
        errors.len(),
        errors.join("\n")
    );
}
