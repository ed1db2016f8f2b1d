//! `Idempotency-Key` on creating POSTs: a client that retries a create (after a timeout, say)
//! with the same key gets the first response again instead of a second record.
//!
//! Keys are scoped to the caller (the token's `sub`) and kept for 24 hours. The same key with a
//! different request is refused (422); a retry while the first request is still running gets 409.
//! Server errors (5xx) are not kept, so the client can retry them.

use actix_web::body::{BoxBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::idempotency_records;
use crate::error::ApiError;
use crate::http::json::MAX_JSON_BYTES;
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";
/// Set on a response that replays the stored one.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// The header as an OpenAPI parameter of every creating POST.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// Any unique string (a UUID, say). A retry with the same key and body gets the first
    /// response again (marked `Idempotent-Replayed: true`) instead of creating a second record.
    /// Kept for 24 hours per caller.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7E]+$",
        nullable = false
    )]
    #[allow(dead_code)]
    idempotency_key: Option<String>,
}

const KEEP_FOR_HOURS: i64 = 24;
/// A claim still unfinished after this long was abandoned (the process stopped mid-request).
const ABANDONED_AFTER_SECONDS: i64 = 60;
const MAX_KEY_LENGTH: usize = 255;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_records)]
struct Record {
    principal: String,
    idem_key: String,
    request_hash: String,
    status: Option<i32>,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    body: Option<String>,
    created_at: NaiveDateTime,
}

enum Claim {
    /// This request is the first with the key: run it.
    First,
    /// A finished earlier request with the same key and body: answer with its response.
    Replay(Record),
}

/// CSV imports and plugin uploads are already idempotent by their content's hash, and their
/// bodies are far larger than the JSON this middleware keeps: the key is not needed for them.
fn idempotent_by_content(req: &ServiceRequest) -> bool {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    matches!(content_type.as_deref(), Some("text/csv" | "application/wasm"))
}

/// The middleware; wraps `/api/v1`.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(key) if req.method() == Method::POST && !idempotent_by_content(&req) => key.to_str().map(str::to_owned),
        _ => return next.call(req).await,
    };
    let key = match key {
        Ok(key) if !key.trim().is_empty() && key.len() <= MAX_KEY_LENGTH => key,
        _ => {
            let error = ApiError::invalid(HEADER, format!("must be 1-{MAX_KEY_LENGTH} visible ASCII characters"));
            return Ok(req.into_response(error.error_response()));
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    // Keys belong to the caller; without a valid token the handler answers 401 as usual.
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, token)| token.trim().to_owned());
    let principal = match token {
        Some(token) => match state.verifier.verify(&token).await {
            Ok(principal) => principal.subject,
            Err(_) => return next.call(req).await,
        },
        None => return next.call(req).await,
    };

    let (http_req, mut payload) = req.into_parts();
    let body = match read_body(&http_req, &mut payload).await {
        Ok(body) => body,
        Err(error) => return Ok(ServiceResponse::new(http_req, error.error_response())),
    };
    let mut hasher = Sha256::new();
    hasher.update(http_req.method().as_str());
    hasher.update(b" ");
    hasher.update(http_req.path());
    hasher.update(b"\n");
    hasher.update(&body);
    let request_hash = format!("{:x}", hasher.finalize());

    let claim = {
        let (principal, key, hash) = (principal.clone(), key.clone(), request_hash.clone());
        state.db(move |conn| claim(conn, &principal, &key, &hash)).await
    };
    match claim {
        Err(error) => Ok(ServiceResponse::new(http_req, error.error_response())),
        Ok(Claim::Replay(record)) => Ok(ServiceResponse::new(http_req, replay(record))),
        Ok(Claim::First) => {
            let req = ServiceRequest::from_parts(http_req, Payload::from(body));
            let response = next.call(req).await?;
            let (http_req, response) = response.into_parts();
            let status = response.status();
            let location = header_text(&response, header::LOCATION);
            let etag = header_text(&response, header::ETAG);
            let content_type = header_text(&response, header::CONTENT_TYPE);
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body).await.map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("reading the response to keep it for {HEADER}: {e}"))
            })?;
            let kept = state
                .db(move |conn| {
                    finish(conn, &principal, &key, status, location, etag, content_type, &bytes).map(|()| bytes)
                })
                .await;
            match kept {
                Ok(bytes) => Ok(ServiceResponse::new(
                    http_req,
                    head.set_body(bytes).map_into_boxed_body(),
                )),
                Err(error) => Ok(ServiceResponse::new(http_req, error.error_response())),
            }
        }
    }
}

async fn read_body(req: &actix_web::HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    use actix_web::FromRequest;
    web::Bytes::from_request(req, payload)
        .await
        .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
            Some(actix_web::error::PayloadError::Overflow) => {
                ApiError::PayloadTooLarge(format!("the body is larger than {MAX_JSON_BYTES} bytes"))
            }
            _ => ApiError::BadRequest(format!("the body could not be read: {e}")),
        })
}

fn header_text(response: &HttpResponse<BoxBody>, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Records that this request holds the key, or says what to do with an earlier one.
fn claim(conn: &mut DbConnection, principal: &str, key: &str, request_hash: &str) -> Result<Claim, ApiError> {
    let expired_before = clock::now() - Duration::hours(KEEP_FOR_HOURS);
    diesel::delete(idempotency_records::table.filter(idempotency_records::created_at.lt(expired_before)))
        .execute(conn)?;
    let inserted = diesel::insert_into(idempotency_records::table)
        .values(Record {
            principal: principal.to_owned(),
            idem_key: key.to_owned(),
            request_hash: request_hash.to_owned(),
            status: None,
            location: None,
            etag: None,
            content_type: None,
            body: None,
            created_at: clock::now(),
        })
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::First),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            let earlier: Record = idempotency_records::table
                .find((principal, key))
                .select(Record::as_select())
                .first(conn)?;
            if earlier.request_hash != request_hash {
                Err(ApiError::Unprocessable {
                    code: "idempotency_key_reused",
                    message: format!("this {HEADER} was used for a different request; use a new key for a new request"),
                })
            } else if earlier.status.is_none()
                && earlier.created_at < clock::now() - Duration::seconds(ABANDONED_AFTER_SECONDS)
            {
                diesel::update(idempotency_records::table.find((principal, key)))
                    .set(idempotency_records::created_at.eq(clock::now()))
                    .execute(conn)?;
                Ok(Claim::First)
            } else if earlier.status.is_none() {
                Err(ApiError::conflict(
                    "idempotent_request_in_progress",
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                ))
            } else {
                Ok(Claim::Replay(earlier))
            }
        }
        Err(other) => Err(other.into()),
    }
}

/// Keeps the response for replays; a server error releases the key instead, so a retry runs.
#[allow(clippy::too_many_arguments)]
fn finish(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    status: StatusCode,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    body: &[u8],
) -> Result<(), ApiError> {
    let record = idempotency_records::table.find((principal, key));
    if status.is_server_error() {
        diesel::delete(record).execute(conn)?;
    } else {
        diesel::update(record)
            .set((
                idempotency_records::status.eq(Some(i32::from(status.as_u16()))),
                idempotency_records::location.eq(location),
                idempotency_records::etag.eq(etag),
                idempotency_records::content_type.eq(content_type),
                idempotency_records::body.eq(Some(String::from_utf8_lossy(body).into_owned())),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn replay(record: Record) -> HttpResponse {
    let status = record
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok());
    let mut response = HttpResponse::build(status.unwrap_or(StatusCode::OK));
    response.insert_header((REPLAYED_HEADER, "true"));
    if let Some(location) = record.location {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(etag) = record.etag {
        response.insert_header((header::ETAG, etag));
    }
    if let Some(content_type) = record.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type));
    }
    response.body(record.body.unwrap_or_default())
}
