//! Files sent as the raw request body (CSV imports, rule plugins).
//!
//! Documented as `application/octet-stream` with a binary string, the one shape every client
//! generator turns into a file upload (openapi-python-client skips `text/csv` and
//! `application/wasm` bodies as unsupported). The handlers also take the file's own media type,
//! which is what `curl --data-binary` users send.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, schema::Schema};

pub const OCTET_STREAM: &str = "application/octet-stream";

/// The raw bytes of a file.
pub struct FileBody;

impl utoipa::PartialSchema for FileBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for FileBody {}

/// Whether a request's `Content-Type` (parameters aside) is one of `accepted`.
pub fn media_type_is(req: &actix_web::HttpRequest, accepted: &[&str]) -> bool {
    super::media_type(req).is_some_and(|media_type| accepted.contains(&media_type.as_str()))
}
