//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Each variant has its own status and a stable `code` that clients can branch on. Unexpected
//! failures are logged with their context and shown to the client as a bare 500.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field that failed validation: where it is in the body (or query) and what is wrong.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `lots[0].max_value`, or the query parameter name.
    #[schema(example = "lots[0].max_value")]
    pub field: String,
    #[schema(example = "must not be below min_value")]
    pub message: String,
    /// For a CSV import: the line of the file (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }

    /// A problem with one cell (or row) of an uploaded CSV file.
    pub fn at_line(line: u64, field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            line: Some(line),
            ..FieldError::new(field, message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read at all (malformed JSON, bad query string).
    #[error("{0}")]
    BadRequest(String),
    /// The request was read but some fields are wrong.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A CSV import with rows at fault: nothing of it was written.
    #[error("the import was rejected")]
    ImportRejected { total: usize, errors: Vec<FieldError> },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed, but not processable as it stands (e.g. an Idempotency-Key reused for another request).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("the resource has changed since it was read; fetch it again and retry with its ETag")]
    PreconditionFailed,
    #[error("this update needs an If-Match header with the resource's ETag")]
    PreconditionRequired,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// Out of capacity for now (a lock, the one SQLite writer, the rule sandboxes or compiler):
    /// unlike [`ApiError::Unavailable`] the client is told which, since it says nothing internal.
    #[error("{0}")]
    Busy(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// The problem document (RFC 9457) every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; the same for every occurrence of that problem.
    #[schema(example = "urn:bluelight:problem:validation_failed")]
    #[serde(rename = "type")]
    pub problem_type: String,
    #[schema(example = "Validation failed")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "1 field is invalid")]
    pub detail: String,
    /// Stable, machine-readable code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// For validation problems: every field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl ApiError {
    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::NotFound(format!("{what} was not found"))
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::ImportRejected { .. } => "import_rejected",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict { code, .. } | ApiError::Unprocessable { code, .. } => code,
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Unavailable(_) | ApiError::Busy(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "Bad request",
            ApiError::Validation(_) => "Validation failed",
            ApiError::ImportRejected { .. } => "Import rejected",
            ApiError::Unauthorized(_) => "Unauthorized",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::NotFound(_) => "Not found",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::Unprocessable { .. } => "Unprocessable request",
            ApiError::PreconditionFailed => "Precondition failed",
            ApiError::PreconditionRequired => "Precondition required",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::PayloadTooLarge(_) => "Payload too large",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::Unavailable(_) | ApiError::Busy(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (detail, errors) = match self {
            ApiError::Validation(fields) => {
                let detail = match fields.as_slice() {
                    [one] => format!("{}: {}", one.field, one.message),
                    many => format!("{} fields are invalid", many.len()),
                };
                (detail, Some(fields.clone()))
            }
            ApiError::ImportRejected { total, errors } => {
                let listed = if *total > errors.len() {
                    format!(" (the first {} are listed)", errors.len())
                } else {
                    String::new()
                };
                (
                    format!(
                        "{total} problems in the file{listed}; nothing was imported. Fix them and send the file again"
                    ),
                    Some(errors.clone()),
                )
            }
            // Never leak internals: the log has the cause, the client a bare message.
            ApiError::Internal(_) => ("an unexpected error occurred; it has been logged".into(), None),
            ApiError::Unavailable(_) => ("the service is temporarily unavailable; retry shortly".into(), None),
            other => (other.to_string(), None),
        };
        Problem {
            problem_type: format!("urn:bluelight:problem:{}", self.code()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail,
            code: self.code().to_owned(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::ImportRejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) | ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed")
            }
            ApiError::Unavailable(cause) | ApiError::Busy(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"bluelight\""),
                ));
            }
            ApiError::Unavailable(_) | ApiError::Busy(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS)));
            }
            _ => {}
        }
        response.json(self.to_problem())
    }
}

/// Database errors: constraint violations are the client's conflict; a lost pool is a 503;
/// anything else is ours.
impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::NotFound("the resource was not found".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => unique_violation(info.as_ref()),
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => ApiError::conflict(
                "reference_conflict",
                format!(
                    "the change would break a reference between records ({})",
                    info.message()
                ),
            ),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                ApiError::Unavailable(info.message().to_owned())
            }
            // The database went away under the request (stopped, restarted, failed over): the
            // transaction did not commit, so nothing was written; retry once it is back.
            Error::DatabaseError(_, info) if connection_lost(info.message()) => {
                ApiError::Unavailable(format!("the database connection was lost: {}", info.message().trim()))
            }
            Error::RollbackErrorOnCommit { commit_error, .. } => ApiError::from(*commit_error),
            Error::BrokenTransactionManager => {
                ApiError::Unavailable("the database connection was lost during a transaction".into())
            }
            // A lock held elsewhere for longer than `db::LOCK_WAIT_MILLIS`: SQLite's busy
            // timeout ("database is locked") or PostgreSQL's lock_timeout (SQLSTATE 55P03,
            // which diesel passes on only as its message). Nothing was written; retry shortly.
            Error::DatabaseError(_, info)
                if info.message().starts_with("database is locked")
                    || info.message().starts_with("database table is locked")
                    || info.message().contains("due to lock timeout") =>
            {
                ApiError::Busy("waited too long for a database lock another change holds; retry shortly".into())
            }
            other => ApiError::Internal(anyhow::Error::new(other).context("database query")),
        }
    }
}

/// What libpq and PostgreSQL say when the server is gone or going: a stop or restart
/// (SQLSTATE 57P01-57P03, which diesel passes on only as messages) or a dropped socket.
fn connection_lost(message: &str) -> bool {
    const LOST: [&str; 8] = [
        "server closed the connection unexpectedly",
        "terminating connection due to administrator command",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
    ];
    LOST.iter().any(|lost| message.contains(lost))
}

/// A duplicate that got past a handler's own check (two requests at once) gets the same code as
/// the checked case; constraint names stay in the log.
fn unique_violation(info: &dyn diesel::result::DatabaseErrorInformation) -> ApiError {
    // PostgreSQL names the table; SQLite says "UNIQUE constraint failed: table.column".
    let table = info.table_name().map(str::to_owned).or_else(|| {
        let columns = info.message().strip_prefix("UNIQUE constraint failed: ")?;
        columns.split('.').next().map(str::to_owned)
    });
    tracing::info!(
        message = info.message(),
        constraint = info.constraint_name(),
        "unique violation"
    );
    let (code, what) = match table.as_deref() {
        Some("tenants") => ("tenant_exists", "a tenant with this slug"),
        Some("categories") => ("category_exists", "a category with this slug"),
        Some("suppliers") => ("supplier_exists", "a supplier with this name or Companies House number"),
        Some("frameworks") => ("framework_exists", "a framework with this reference"),
        Some("lots") => ("lot_exists", "a lot with this number on this framework"),
        Some("supplier_kpi_scores") => ("kpi_score_exists", "a score for this KPI and period"),
        Some("procurements") => ("procurement_reference_exists", "a procurement with this reference"),
        Some("rule_plugins") => ("rule_plugin_version_exists", "this plugin version"),
        // Two unique keys: the reference within the tenant, and one contract per procurement.
        Some("contracts") if mentions(info, "procurement_id") => {
            ("procurement_has_contract", "a contract awarded from this procurement")
        }
        Some("contracts") => ("contract_reference_exists", "a contract with this reference"),
        Some("spend_lines") => ("spend_transaction_exists", "a spend line with this transaction_id"),
        Some("imports") => ("import_exists", "a completed import of this file"),
        _ => ("already_exists", "a record with the same unique value"),
    };
    ApiError::conflict(code, format!("{what} already exists"))
}

/// Whether the violated constraint involves `column` (PostgreSQL names the constraint, SQLite
/// the columns in its message).
fn mentions(info: &dyn diesel::result::DatabaseErrorInformation, column: &str) -> bool {
    info.constraint_name().is_some_and(|name| name.contains(column)) || info.message().contains(column)
}

/// A plugin the service refuses, or one that misbehaved while running, is the tenant's to fix:
/// 413 or 422 with the cause's own code. A host out of sandboxes is a 503.
impl From<bluelight_rules::PluginError> for ApiError {
    fn from(error: bluelight_rules::PluginError) -> ApiError {
        use bluelight_rules::{FailureKind, PluginError};
        match (&error, error.kind()) {
            (PluginError::TooLarge { .. }, _) => ApiError::PayloadTooLarge(error.to_string()),
            (_, FailureKind::Busy) => ApiError::Busy(error.to_string()),
            _ => ApiError::Unprocessable {
                code: error.code(),
                message: error.to_string(),
            },
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> ApiError {
        ApiError::Unavailable(format!("database pool: {error}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a 503 asks the client to wait before retrying: the database or a rule sandbox is
/// usually back within a second.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// Response sets for the OpenAPI document, so each endpoint declares its errors in one line.
pub mod responses {
    use super::Problem;
    use utoipa::IntoResponses;

    /// Errors of a list endpoint.
    #[allow(dead_code)]
    #[derive(IntoResponses)]
    pub enum ListErrors {
        #[response(
            status = 401,
            description = "No valid bearer token",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "The token's roles do not allow this",
            content_type = "application/problem+json"
        )]
        Forbidden(Problem),
        #[response(
            status = 422,
            description = "A query parameter is invalid or unknown",
            content_type = "application/problem+json"
        )]
        InvalidQuery(Problem),
    }

    /// Errors of reading one resource.
    #[allow(dead_code)]
    #[derive(IntoResponses)]
    pub enum ReadErrors {
        #[response(
            status = 401,
            description = "No valid bearer token",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "The token's roles do not allow this",
            content_type = "application/problem+json"
        )]
        Forbidden(Problem),
        #[response(
            status = 404,
            description = "No such resource",
            content_type = "application/problem+json"
        )]
        NotFound(Problem),
    }

    /// Errors of creating a resource.
    #[allow(dead_code)]
    #[derive(IntoResponses)]
    pub enum CreateErrors {
        #[response(
            status = 400,
            description = "The body is not valid JSON",
            content_type = "application/problem+json"
        )]
        BadRequest(Problem),
        #[response(
            status = 401,
            description = "No valid bearer token",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "The token's roles do not allow this",
            content_type = "application/problem+json"
        )]
        Forbidden(Problem),
        #[response(
            status = 404,
            description = "The parent resource does not exist",
            content_type = "application/problem+json"
        )]
        NotFound(Problem),
        #[response(
            status = 409,
            description = "It conflicts with an existing record",
            content_type = "application/problem+json"
        )]
        Conflict(Problem),
        #[response(
            status = 415,
            description = "The body is not JSON",
            content_type = "application/problem+json"
        )]
        UnsupportedMediaType(Problem),
        #[response(
            status = 422,
            description = "Fields are invalid; `errors` lists each",
            content_type = "application/problem+json"
        )]
        Invalid(Problem),
    }

    /// Errors of updating a resource under `If-Match`.
    #[allow(dead_code)]
    #[derive(IntoResponses)]
    pub enum UpdateErrors {
        #[response(
            status = 400,
            description = "The body is not valid JSON",
            content_type = "application/problem+json"
        )]
        BadRequest(Problem),
        #[response(
            status = 401,
            description = "No valid bearer token",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "The token's roles do not allow this",
            content_type = "application/problem+json"
        )]
        Forbidden(Problem),
        #[response(
            status = 404,
            description = "No such resource",
            content_type = "application/problem+json"
        )]
        NotFound(Problem),
        #[response(
            status = 409,
            description = "It conflicts with an existing record",
            content_type = "application/problem+json"
        )]
        Conflict(Problem),
        #[response(
            status = 412,
            description = "The resource changed since it was read (stale If-Match)",
            content_type = "application/problem+json"
        )]
        PreconditionFailed(Problem),
        #[response(
            status = 415,
            description = "The body is not JSON",
            content_type = "application/problem+json"
        )]
        UnsupportedMediaType(Problem),
        #[response(
            status = 422,
            description = "Fields are invalid; `errors` lists each",
            content_type = "application/problem+json"
        )]
        Invalid(Problem),
        #[response(
            status = 428,
            description = "If-Match is missing",
            content_type = "application/problem+json"
        )]
        PreconditionRequired(Problem),
    }

    /// Errors of deleting a resource under `If-Match`.
    #[allow(dead_code)]
    #[derive(IntoResponses)]
    pub enum DeleteErrors {
        #[response(
            status = 401,
            description = "No valid bearer token",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "The token's roles do not allow this",
            content_type = "application/problem+json"
        )]
        Forbidden(Problem),
        #[response(
            status = 404,
            description = "No such resource",
            content_type = "application/problem+json"
        )]
        NotFound(Problem),
        #[response(
            status = 409,
            description = "Other records depend on it",
            content_type = "application/problem+json"
        )]
        Conflict(Problem),
        #[response(
            status = 412,
            description = "The resource changed since it was read (stale If-Match)",
            content_type = "application/problem+json"
        )]
        PreconditionFailed(Problem),
        #[response(
            status = 428,
            description = "If-Match is missing",
            content_type = "application/problem+json"
        )]
        PreconditionRequired(Problem),
    }
}
