//! Optimistic concurrency: every mutable resource has a `version`; its ETag is that version, and
//! an update must send it back in `If-Match`. The update itself is conditional on the version in
//! the database, so two concurrent writers cannot both win.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder, body::BoxBody};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

pub fn etag_of(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version named by a required `If-Match` header; 428 when it is missing. A value that no
/// version could have is a 412, as a stale one is.
pub fn required_if_match(req: &HttpRequest) -> ApiResult<i64> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::PreconditionFailed)?
        .trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(ApiError::PreconditionFailed)
}

/// A JSON body sent with its ETag, e.g. from a GET or an update.
pub struct ETagged<T> {
    pub version: i64,
    pub body: T,
    pub status: actix_web::http::StatusCode,
    pub location: Option<String>,
}

impl<T> ETagged<T> {
    pub fn ok(version: i64, body: T) -> ETagged<T> {
        ETagged {
            version,
            body,
            status: actix_web::http::StatusCode::OK,
            location: None,
        }
    }

    /// 201 Created with a `Location` header.
    pub fn created(version: i64, body: T, location: String) -> ETagged<T> {
        ETagged {
            version,
            body,
            status: actix_web::http::StatusCode::CREATED,
            location: Some(location),
        }
    }
}

impl<T: Serialize> Responder for ETagged<T> {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponseBuilder::new(self.status);
        response.insert_header((header::ETAG, etag_of(self.version)));
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        response.json(self.body)
    }
}
