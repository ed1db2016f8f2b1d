//! The error responses that follow from an operation's shape rather than from its handler, added
//! to every operation that has that shape, so no handler can forget one:
//!
//! - a bearer token → 401 and 403;
//! - a path parameter → 404 (no such tenant, resource or parent);
//! - query parameters → 422 (a value out of range, or a parameter the endpoint does not know);
//! - a request body → 400 (unreadable), 413 (too large), 415 (wrong media type), 422;
//! - an `Idempotency-Key` → 409 (the same key still in progress) and 422 (reused for another
//!   request);
//! - everything → 503 with `Retry-After` (the database or the rule sandboxes unavailable).
//!
//! A status a handler documents itself keeps the handler's description.
//!
//! Every POST whose body is JSON (or that has none) takes an `Idempotency-Key`, because the
//! middleware honours one on every such POST; the parameter is added where a handler did not
//! declare it, so the document says what the service does.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use utoipa::IntoParams;

use crate::error::PROBLEM_JSON;
use crate::idempotency::IdempotencyKeyHeader;

pub fn complete(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        for (operation, is_post) in [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, false),
            (&mut item.patch, false),
            (&mut item.delete, false),
        ] {
            if let Some(operation) = operation {
                complete_operation(operation, is_post);
            }
        }
    }
}

fn complete_operation(operation: &mut Operation, is_post: bool) {
    let json_or_no_body = operation
        .request_body
        .as_ref()
        .is_none_or(|body| body.content.keys().all(|media_type| media_type == "application/json"));
    if is_post && json_or_no_body {
        let parameters = operation.parameters.get_or_insert_with(Vec::new);
        if !parameters.iter().any(|p| p.name == crate::idempotency::HEADER) {
            parameters.extend(IdempotencyKeyHeader::into_params(|| Some(ParameterIn::Header)));
        }
    }
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path_parameter = parameters.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query_parameter = parameters.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_idempotency_key = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Header) && p.name == "Idempotency-Key");
    let has_body = operation.request_body.is_some();
    let needs_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());

    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if needs_token {
        add("401", "No valid bearer token (`unauthorized`)");
        add("403", "The token's roles or tenant do not allow this (`forbidden`)");
    }
    if has_path_parameter {
        add("404", "No such resource, or no such parent (`not_found`)");
    }
    if has_body {
        add("400", "The body cannot be read (`bad_request`)");
        add("413", "The body is too large (`payload_too_large`)");
        add(
            "415",
            "The body is not of a media type this operation takes (`unsupported_media_type`)",
        );
        add("422", "Fields are invalid; `errors` lists each (`validation_failed`)");
    }
    if has_query_parameter {
        add(
            "422",
            "A query parameter is invalid or unknown; `errors` names it (`validation_failed`)",
        );
    }
    if has_idempotency_key {
        add(
            "409",
            "A request with this Idempotency-Key is still in progress (`idempotent_request_in_progress`), or \
             did its work but its response was lost (`idempotent_request_completed`)",
        );
        add(
            "422",
            "The Idempotency-Key was used for another request (`idempotency_key_reused`)",
        );
    }
    operation.responses.responses.insert("503".to_owned(), unavailable());
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, problem_content())
        .build()
        .into()
}

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build()
}

fn unavailable() -> RefOr<Response> {
    let retry_after = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .description(Some("Seconds to wait before retrying"))
        .build();
    ResponseBuilder::new()
        .description(
            "The database, the rule sandboxes or the plugin compiler are unavailable for now; retry \
             after `Retry-After` seconds (`service_unavailable`)",
        )
        .header("Retry-After", retry_after)
        .content(PROBLEM_JSON, problem_content())
        .build()
        .into()
}
