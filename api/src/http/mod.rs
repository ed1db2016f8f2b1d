//! HTTP building blocks shared by every resource: strict body and query extractors that name
//! the field at fault, cursor pagination, ETag preconditions, and PATCH helpers.

pub mod allowed_methods;
pub mod etag;
pub mod file_body;
pub mod json;
pub mod page;
pub mod patch;
pub mod query;
pub mod request_log;

pub use etag::{ETagged, etag_of, required_if_match};
pub use json::JsonBody;
pub use page::{Page, Paged};
pub use query::QueryParams;

/// A request's media type: its `Content-Type` without parameters (`; charset=utf-8`), lower-cased.
pub fn media_type(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}
