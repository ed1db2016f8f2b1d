//! HTTP building blocks shared by every resource: strict body and query extractors that name
//! the field at fault, cursor pagination, ETag preconditions, and PATCH helpers.

pub mod allowed_methods;
pub mod etag;
pub mod file_body;
pub mod json;
pub mod page;
pub mod patch;
pub mod query;

pub use etag::{ETagged, etag_of, required_if_match};
pub use json::JsonBody;
pub use page::{Page, Paged};
pub use query::QueryParams;
