//! `Idempotency-Key` on creating POSTs: a client that retries a create (after a timeout, say)
//! with the same key gets the first response again instead of a second record.
//!
//! Keys are scoped to the caller (the token's `sub`) and kept for 24 hours. The same key with a
//! different request is refused (422): another method, path, query or body, or the same caller
//! with other grants (roles, tenant, supplier), so a replay never hands a response to a token
//! that may no longer make the request. A retry while the first request is still running gets
//! 409; a claim left unfinished for a minute (its instance stopped) is taken over. Server errors (5xx) are not kept, so the client can retry them.
//!
//! Claims and responses are written through the single-writer path like every other write, so
//! on SQLite they queue with the rest instead of failing with "database is locked". The
//! request's own write marks its claim `committed` in the same transaction (see
//! [`mark_committed`]): a claim whose response was never kept (its instance stopped between the
//! commit and keeping the response, or keeping it failed) is then known to have done its work,
//! and a retry is told so (409 `idempotent_request_completed`) instead of doing it a second time.

use actix_web::body::{BoxBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::clock;
use crate::db::schema::idempotency_records;
use crate::db::{self, DbConnection};
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
    tenant_slug: String,
    principal: String,
    idem_key: String,
    request_hash: String,
    status: Option<i32>,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    body: Option<String>,
    created_at: NaiveDateTime,
    committed: bool,
}

/// A caller's key: kept under the tenant the caller acts for (the national scope for national
/// roles), so it lives with that tenant's data when tables are distributed by tenant.
#[derive(Clone, Debug)]
pub struct ClaimedKey {
    scope: String,
    principal: String,
    key: String,
}

impl ClaimedKey {
    fn record(&self) -> diesel::dsl::Find<idempotency_records::table, (&String, &String, &String)> {
        idempotency_records::table.find((&self.scope, &self.principal, &self.key))
    }
}

tokio::task_local! {
    /// Set while a request that claimed a key is handled (on the task that handles it).
    static CLAIMED: ClaimedKey;
}

/// The key the request on this task claimed, if any.
pub fn claimed_by_this_request() -> Option<ClaimedKey> {
    CLAIMED.try_with(ClaimedKey::clone).ok()
}

/// Marks the claim as having committed: called inside the request's write transaction, so the
/// mark and the write stand or fall together.
pub fn mark_committed(conn: &mut DbConnection, claimed: &ClaimedKey) -> Result<(), ApiError> {
    diesel::update(claimed.record())
        .set(idempotency_records::committed.eq(true))
        .execute(conn)?;
    Ok(())
}

enum Claim {
    /// This request is the first with the key: run it.
    First,
    /// A finished earlier request with the same key and body: answer with its response.
    Replay(Box<Record>),
}

/// CSV imports and plugin uploads (sent as CSV, wasm or plain octets) are already idempotent by
/// their content's hash, and their bodies are far larger than the JSON this middleware keeps:
/// the key is not needed for them, and the document does not offer it.
fn idempotent_by_content(req: &ServiceRequest) -> bool {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    matches!(
        content_type.as_deref(),
        Some("text/csv" | "application/wasm" | "application/octet-stream")
    )
}

/// The documented form: 1-255 visible ASCII characters, no spaces (the `pattern` in the OpenAPI document).
fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LENGTH).contains(&key.len()) && key.bytes().all(|byte| (0x21..=0x7E).contains(&byte))
}

/// The middleware; wraps `/api/v1`.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(key) if req.method() == Method::POST => key.to_str().map(str::to_owned),
        _ => return next.call(req).await,
    };
    // The form is checked on every POST that carries a key, uploads included, as the document promises.
    let key = match key {
        Ok(key) if is_valid_key(&key) => key,
        _ => {
            let error = ApiError::invalid(HEADER, format!("must be 1-{MAX_KEY_LENGTH} visible ASCII characters"));
            return Ok(req.into_response(error.error_response()));
        }
    };
    if idempotent_by_content(&req) {
        return next.call(req).await;
    }
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
    let caller = match token {
        Some(token) => match state.verifier.verify(&token).await {
            Ok(principal) => principal,
            Err(_) => return next.call(req).await,
        },
        None => return next.call(req).await,
    };

    let (http_req, mut payload) = req.into_parts();
    let body = match read_body(&http_req, &mut payload).await {
        Ok(body) => body,
        Err(error) => return Ok(ServiceResponse::new(http_req, error.error_response())),
    };
    let request_hash = request_hash(&http_req, &caller, &body);
    let claimed = ClaimedKey {
        scope: db::scope_of(caller.acting_tenant()).to_owned(),
        principal: caller.subject,
        key,
    };

    let claim = {
        let (claimed, hash) = (claimed.clone(), request_hash.clone());
        state.write(move |conn| claim(conn, &claimed, &hash)).await
    };
    match claim {
        Err(error) => Ok(ServiceResponse::new(http_req, error.error_response())),
        Ok(Claim::Replay(record)) => Ok(ServiceResponse::new(http_req, replay(*record))),
        Ok(Claim::First) => {
            let req = ServiceRequest::from_parts(http_req, Payload::from(body));
            let response = CLAIMED.scope(claimed.clone(), next.call(req)).await?;
            let (http_req, response) = response.into_parts();
            let status = response.status();
            let location = header_text(&response, header::LOCATION);
            let etag = header_text(&response, header::ETAG);
            let content_type = header_text(&response, header::CONTENT_TYPE);
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body).await.map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("reading the response to keep it for {HEADER}: {e}"))
            })?;
            let kept = Kept {
                status,
                location,
                etag,
                content_type,
                body: bytes.clone(),
            };
            if let Err(error) = keep(&state, claimed, kept).await {
                // The request itself is done (a create has committed): the caller gets its
                // answer, so it has no reason to retry. The key stays claimed until it is taken
                // over as abandoned.
                tracing::error!(error = %error, "the response could not be kept for {HEADER}");
            }
            Ok(ServiceResponse::new(
                http_req,
                head.set_body(bytes).map_into_boxed_body(),
            ))
        }
    }
}

/// What identifies a request for its key: method, path, query, the caller's grants and the body.
fn request_hash(req: &actix_web::HttpRequest, caller: &Principal, body: &[u8]) -> String {
    let mut roles: Vec<&str> = caller.roles.iter().map(|role| role.as_str()).collect();
    roles.sort_unstable();
    let mut hasher = Sha256::new();
    for part in [
        req.method().as_str(),
        req.path(),
        req.query_string(),
        &roles.join(","),
        caller.tenant.as_deref().unwrap_or(""),
        caller.supplier.as_deref().unwrap_or(""),
    ] {
        // Length-prefixed, so no two different requests run together into the same text.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.update(body);
    format!("{:x}", hasher.finalize())
}

/// A response as kept for replays.
struct Kept {
    status: StatusCode,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    body: web::Bytes,
}

/// Keeps the response, trying a few times: a failure here leaves a done request looking
/// unfinished.
async fn keep(state: &web::Data<AppState>, claimed: ClaimedKey, kept: Kept) -> Result<(), ApiError> {
    let kept = std::sync::Arc::new(kept);
    let mut attempt = 0;
    loop {
        let (claimed, response) = (claimed.clone(), kept.clone());
        let result = state.write(move |conn| finish(conn, &claimed, &response)).await;
        attempt += 1;
        match result {
            Err(error) if attempt < 3 => {
                tracing::warn!(error = %error, attempt, "keeping the response for {HEADER} failed; trying again");
                actix_web::rt::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
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
fn claim(conn: &mut DbConnection, claimed: &ClaimedKey, request_hash: &str) -> Result<Claim, ApiError> {
    let expired_before = clock::now() - Duration::hours(KEEP_FOR_HOURS);
    diesel::delete(idempotency_records::table.filter(idempotency_records::created_at.lt(expired_before)))
        .execute(conn)?;
    let in_progress = || {
        ApiError::conflict(
            "idempotent_request_in_progress",
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
    };
    let earlier: Option<Record> = claimed.record().select(Record::as_select()).first(conn).optional()?;
    let Some(earlier) = earlier else {
        let inserted = diesel::insert_into(idempotency_records::table)
            .values(Record {
                tenant_slug: claimed.scope.clone(),
                principal: claimed.principal.clone(),
                idem_key: claimed.key.clone(),
                request_hash: request_hash.to_owned(),
                status: None,
                location: None,
                etag: None,
                content_type: None,
                body: None,
                created_at: clock::now(),
                committed: false,
            })
            .execute(conn);
        return match inserted {
            Ok(_) => Ok(Claim::First),
            // Another instance claimed the key since the read above (SQLite's single writer
            // rules this out; PostgreSQL's unique index decides).
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                Err(in_progress())
            }
            Err(other) => Err(other.into()),
        };
    };
    if earlier.request_hash != request_hash {
        return Err(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            message: format!(
                "this {HEADER} was used for a different request (another path, query or body, or other \
                 grants in the token); use a new key for a new request"
            ),
        });
    }
    if earlier.status.is_some() {
        return Ok(Claim::Replay(Box::new(earlier)));
    }
    if earlier.created_at >= clock::now() - Duration::seconds(ABANDONED_AFTER_SECONDS) {
        return Err(in_progress());
    }
    if earlier.committed {
        return Err(ApiError::conflict(
            "idempotent_request_completed",
            "the request with this Idempotency-Key did its work, but its response was not kept; \
             look the result up instead of retrying",
        ));
    }
    // Abandoned (its instance stopped mid-request): taken over, by one retry only.
    let taken = diesel::update(
        claimed
            .record()
            .filter(idempotency_records::status.is_null())
            .filter(idempotency_records::created_at.eq(earlier.created_at)),
    )
    .set(idempotency_records::created_at.eq(clock::now()))
    .execute(conn)?;
    if taken == 1 {
        Ok(Claim::First)
    } else {
        Err(in_progress())
    }
}

/// Keeps the response for replays. A server error releases the key instead, so a retry runs,
/// unless the request's write committed before it failed: then the claim stays, unfinished and
/// committed, so no retry does the work twice.
fn finish(conn: &mut DbConnection, claimed: &ClaimedKey, kept: &Kept) -> Result<(), ApiError> {
    let record = claimed.record();
    if kept.status.is_server_error() {
        diesel::delete(record.filter(idempotency_records::committed.eq(false))).execute(conn)?;
    } else {
        diesel::update(record)
            .set((
                idempotency_records::status.eq(Some(i32::from(kept.status.as_u16()))),
                idempotency_records::location.eq(kept.location.as_deref()),
                idempotency_records::etag.eq(kept.etag.as_deref()),
                idempotency_records::content_type.eq(kept.content_type.as_deref()),
                idempotency_records::body.eq(Some(String::from_utf8_lossy(&kept.body).into_owned())),
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
