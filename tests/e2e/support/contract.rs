//! The published contract, checked on every response the e2e client receives.
//!
//! Each response is matched to its operation in the committed `openapi/openapi.json` (the file
//! vendors generate clients from, not the code's own view of it) and must be documented there:
//! its status, its content type, the headers we promise (`ETag`, `Location`, `Retry-After`,
//! `Allow`) and its body, validated as JSON Schema 2020-12 with formats checked. A method the
//! document does not list on a known path must be answered 405 with an `Allow` header naming
//! exactly the documented methods.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

/// Headers whose presence the document must promise when the API sends them.
const PROMISED_HEADERS: [&str; 4] = ["etag", "location", "retry-after", "allow"];

/// Paths served beside the API that the document does not describe (the document itself and
/// the interactive docs page).
fn is_outside_the_api(path: &str) -> bool {
    path == "/" || path == "/openapi.json" || path == "/docs" || path.starts_with("/docs/")
}

pub struct Contract {
    document: Value,
    /// Each documented path template, split into segments (`None` for a `{parameter}`).
    templates: Vec<(String, Vec<Option<String>>)>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// The committed document, read once per test run.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Contract::new(serde_json::from_str(&text).expect("openapi/openapi.json is JSON"))
    })
}

impl Contract {
    fn new(document: Value) -> Contract {
        let templates = document["paths"]
            .as_object()
            .expect("the document has paths")
            .keys()
            .map(|template| {
                let segments = template
                    .split('/')
                    .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                    .collect();
                (template.clone(), segments)
            })
            .collect();
        Contract {
            document,
            templates,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The documented template a concrete path falls under: of those that match, the one with
    /// the most literal segments (`/frameworks/search` before `/frameworks/{id}`).
    fn template_of(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.templates
            .iter()
            .filter(|(_, template)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(expected, actual)| match expected {
                        Some(literal) => literal == actual,
                        None => !actual.is_empty(),
                    })
            })
            .max_by_key(|(_, template)| template.iter().filter(|s| s.is_some()).count())
            .map(|(name, _)| name.as_str())
    }

    /// Checks one response against the document; the error says what is undocumented.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), String> {
        if is_outside_the_api(path) {
            return Ok(());
        }
        let Some(template) = self.template_of(path) else {
            // Not a documented path: only a problem+json 404 may answer it.
            return match (status, media_type(headers).as_deref()) {
                (StatusCode::NOT_FOUND, Some("application/problem+json")) => Ok(()),
                _ => Err(format!("{status} for a path the document does not have")),
            };
        };
        let path_item = &self.document["paths"][template];
        let operation_name = method.as_str().to_ascii_lowercase();
        let Some(operation) = path_item.get(&operation_name) else {
            return self.check_method_not_allowed(template, path_item, status, headers);
        };
        let responses = &operation["responses"];
        let response = responses
            .get(status.as_str())
            .or_else(|| responses.get("default"))
            .ok_or_else(|| format!("status {status} is not documented for {method} {template}"))?;
        let response = self.resolve(response);

        let documented_headers: BTreeSet<String> = response["headers"]
            .as_object()
            .map(|headers| headers.keys().map(|name| name.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        for name in PROMISED_HEADERS {
            if headers.contains_key(name) && !documented_headers.contains(name) {
                return Err(format!(
                    "header {name} sent with {status} but not documented for {method} {template}"
                ));
            }
        }
        for name in &documented_headers {
            if PROMISED_HEADERS.contains(&name.as_str()) && !headers.contains_key(name.as_str()) {
                return Err(format!(
                    "header {name} documented for {status} of {method} {template} but not sent"
                ));
            }
        }

        let content = response["content"].as_object();
        let sent_type = media_type(headers);
        match (content, sent_type) {
            (None, None) => Ok(()),
            (None, Some(_)) if body.is_empty() => Ok(()),
            (None, Some(sent)) => Err(format!(
                "{status} of {method} {template} documents no body, but {sent} was sent"
            )),
            (Some(_), None) => Err(format!(
                "{status} of {method} {template} documents a body, but none was sent (no Content-Type)"
            )),
            (Some(content), Some(sent)) => {
                let media = content.get(&sent).ok_or_else(|| {
                    format!(
                        "{status} of {method} {template} sent {sent}; the document lists {:?}",
                        content.keys().collect::<Vec<_>>()
                    )
                })?;
                let Some(schema) = media.get("schema") else {
                    return Ok(());
                };
                if !(sent == "application/json" || sent.ends_with("+json")) {
                    return Ok(());
                }
                let instance: Value = serde_json::from_slice(body)
                    .map_err(|e| format!("{status} of {method} {template} is not JSON ({e})"))?;
                let key = format!("{template} {operation_name} {status} {sent}");
                let validator = self.validator(&key, schema);
                let problems: Vec<String> = validator
                    .iter_errors(&instance)
                    .take(5)
                    .map(|error| format!("at {}: {error}", error.instance_path()))
                    .collect();
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{status} of {method} {template} violates its documented schema:\n  {}\nbody: {}",
                        problems.join("\n  "),
                        String::from_utf8_lossy(body)
                    ))
                }
            }
        }
    }

    /// A method the document does not list on a known path: 405 with an exact `Allow`.
    fn check_method_not_allowed(
        &self,
        template: &str,
        path_item: &Value,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<(), String> {
        let documented: BTreeSet<String> = path_item
            .as_object()
            .expect("a path item is an object")
            .keys()
            .filter(|key| ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(&key.as_str()))
            .map(|key| key.to_ascii_uppercase())
            .collect();
        if status != StatusCode::METHOD_NOT_ALLOWED {
            return Err(format!(
                "an undocumented method on {template} got {status}, not 405 (documented: {documented:?})"
            ));
        }
        let allow: BTreeSet<String> = headers
            .get("allow")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .split(',')
            .map(|method| method.trim().to_owned())
            .filter(|method| !method.is_empty())
            .collect();
        if allow != documented {
            return Err(format!(
                "405 on {template} allows {allow:?}; the document has {documented:?}"
            ));
        }
        Ok(())
    }

    /// Follows a `$ref` to a component (responses may be shared components).
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                self.document
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("the document's {reference} does not resolve"))
            }
            None => value,
        }
    }

    /// A validator for one response schema, with the document's components beside it so that
    /// `#/components/...` references resolve as they do for a client generator.
    fn validator(&self, key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
        let mut validators = self.validators.lock().expect("the validator cache");
        if let Some(validator) = validators.get(key) {
            return validator.clone();
        }
        let mut root = Map::new();
        root.insert(
            "$schema".to_owned(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("components".to_owned(), self.document["components"].clone());
        match schema {
            Value::Object(keywords) => root.extend(keywords.clone()),
            other => panic!("a response schema must be an object, got {other}"),
        }
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .unwrap_or_else(|e| panic!("the document's schema for {key} is not valid JSON Schema: {e}"));
        let validator = Arc::new(validator);
        validators.insert(key.to_owned(), validator.clone());
        validator
    }
}

/// The media type of a response, without parameters (`; charset=utf-8`).
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .filter(|value| !value.is_empty())
}
