//! `/api/v1/tenants/{slug}/contract-imports`, `/spend-imports` and `/imports`.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;

use super::model::{Import, ImportFilter, ImportKind, ImportParams, ImportRow, ImportStatus};
use super::store;
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::clock;
use crate::error::responses::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::file_body::{FileBody, OCTET_STREAM, media_type_is};
use crate::http::{Page, Paged, QueryParams};
use crate::metrics::metrics;
use crate::state::AppState;

const CSV: &str = "text/csv";
/// The largest file accepted: 100,000 spend lines are about 10 MB.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Import a contracts register (CSV)
///
/// The body is the register as CSV (see the README's import formats: a Bluelight Procurement
/// Database export or a force's spreadsheet). Every row is checked as `POST /contracts` checks a
/// contract; any problem rejects the whole file (422 `import_rejected`, each row's line and
/// column in `errors`) and nothing is written. An accepted file answers 202 and is written in
/// one transaction in the background: poll the `Location` for progress. The same file sent again
/// answers 200 with the import that applied it; rows identical to contracts already in the
/// register are skipped. For the tenant's buyers and tenant admins (and national admins).
#[utoipa::path(
    tag = "Imports",
    params(("slug" = String, Path, description = "The tenant's slug", example = "lancashire-constabulary"), ImportParams),
    request_body(content = inline(FileBody), content_type = "application/octet-stream", description = "The register as a CSV file, header first (sent as `application/octet-stream` or `text/csv`)",
        example = "reference,title,supplier,category,value,start_date,end_date,framework,lot\nLAN-C-2026-040,Response vehicles,Coldharbour Motor Group,vehicles,2400000.00,2026-04-01,2027-03-31,BLC-FLT-2023-01,1\n"),
    responses(
        (status = 202, description = "Accepted: being written", body = Import, headers(("Location" = String))),
        (status = 200, description = "This exact file was imported before; that import", body = Import),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not this tenant's buyer or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 64 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/octet-stream nor text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows at fault (`import_rejected`) or a missing column (`validation_failed`); `errors` gives each line and column; nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/contract-imports")]
pub async fn import_contracts(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: web::Path<String>,
    params: QueryParams<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    run_import(
        state,
        principal,
        req,
        slug.into_inner(),
        params,
        payload,
        ImportKind::Contracts,
    )
    .await
}

/// Import spend (CSV)
///
/// The body is a spend file as CSV, the shape of the statutory "spend over £500" files (see the
/// README's import formats). Lines naming a contract reference count as spend under that
/// contract. Checked whole, written in one transaction in the background, idempotent, as for
/// contract imports; a line whose `transaction_id` is already recorded with the same details is
/// skipped, with different details it is refused. A line without one is skipped when a payment
/// with the same content is recorded (identical lines counted: the n-th is written only if fewer
/// than n are recorded), so a re-saved file adds nothing.
#[utoipa::path(
    tag = "Imports",
    params(("slug" = String, Path, description = "The tenant's slug", example = "lancashire-constabulary"), ImportParams),
    request_body(content = inline(FileBody), content_type = "application/octet-stream", description = "The spend file as CSV, header first (sent as `application/octet-stream` or `text/csv`)",
        example = "transaction_id,date,supplier,amount,category,contract_reference,expense_type\nLAN-P-000123,2026-01-14,Coldharbour Motor Group,48250.00,vehicles,LAN-C-2026-040,Vehicle purchase\n"),
    responses(
        (status = 202, description = "Accepted: being written", body = Import, headers(("Location" = String))),
        (status = 200, description = "This exact file was imported before; that import", body = Import),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not this tenant's buyer or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 64 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/octet-stream nor text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows at fault (`import_rejected`) or a missing column (`validation_failed`); `errors` gives each line and column; nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/spend-imports")]
pub async fn import_spend(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: web::Path<String>,
    params: QueryParams<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    run_import(
        state,
        principal,
        req,
        slug.into_inner(),
        params,
        payload,
        ImportKind::Spend,
    )
    .await
}

async fn run_import(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: String,
    params: QueryParams<ImportParams>,
    payload: web::Payload,
    kind: ImportKind,
) -> ApiResult<HttpResponse> {
    let (scope, tenant) = {
        let (principal, slug) = (principal.clone(), slug.clone());
        state
            .db(move |conn| TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy))
            .await?
    };
    // After authorising: a caller who may not import learns nothing about what it sent.
    let params = params.parse()?;
    if let Some(name) = &params.filename
        && name.chars().count() > 200
    {
        return Err(ApiError::invalid("filename", "must be at most 200 characters"));
    }
    if !media_type_is(&req, &[CSV, OCTET_STREAM]) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "an import is sent as {OCTET_STREAM} or {CSV}"
        )));
    }
    let bytes = match payload.to_bytes_limited(MAX_IMPORT_BYTES).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(ApiError::BadRequest(format!("the body could not be read: {e}"))),
        Err(_) => {
            return Err(ApiError::PayloadTooLarge(format!(
                "an import may be at most {MAX_IMPORT_BYTES} bytes; split the file"
            )));
        }
    };
    let sha256 = super::file_hash(&bytes);

    let import_id = clock::new_id();
    // The same file imported before: that import, without reading the file.
    {
        let (scope, sha256) = (scope.clone(), sha256.clone());
        let done = state
            .db(move |conn| Ok(store::completed_with_hash(conn, &scope, kind, &sha256)?))
            .await?;
        if let Some(done) = done {
            return Ok(HttpResponse::Ok().json(done.into_api()?));
        }
    }
    // Parsed and checked off the HTTP workers and, for spend, without a pooled connection: a
    // connection is held only while what the file is checked against is loaded, so large imports
    // do not starve other requests (and the readiness probe) of connections.
    let target = super::ImportTarget {
        kind,
        scope: scope.clone(),
        tenant,
        principal: principal.clone(),
        import_id: import_id.clone(),
        today: state.clock.today(),
    };
    let file = Arc::new(off_thread(move || super::parse(kind, &bytes)).await?);
    let context = {
        let (target, file) = (target.clone(), file.clone());
        state.db(move |conn| super::load(conn, &target, &file)).await?
    };
    let (rows_total, rows_skipped, rows) = off_thread(move || {
        let p = super::check(&target, &file, context)?;
        Ok((p.rows_total, p.rows_skipped, p.rows))
    })
    .await?;

    let record = ImportRow {
        id: import_id.clone(),
        tenant_slug: scope.slug().to_owned(),
        kind: kind.as_str().to_owned(),
        sha256,
        filename: params.filename,
        status: ImportStatus::Running.as_str().to_owned(),
        rows_total: rows_total as i64,
        rows_written: 0,
        rows_skipped: rows_skipped as i64,
        failure: None,
        started_by: principal.subject.clone(),
        started_at: clock::now(),
        finished_at: None,
        owner: Some(state.instance_id.clone()),
        lease_expires_at: Some(super::leases::expires_from(clock::now())),
    };
    {
        let (record, scope, principal) = (record.clone(), scope.clone(), principal.clone());
        state
            .write(move |conn| {
                store::insert(conn, &record)?;
                audit::record_for_tenant(
                    conn,
                    &principal,
                    &scope,
                    &format!("{}_import.started", record.kind),
                    "import",
                    &record.id,
                    json!({"sha256": record.sha256, "filename": record.filename, "rows_total": record.rows_total}),
                )?;
                Ok(())
            })
            .await?;
    }
    let progress = state.import_progress.start(&import_id);
    let job_state = state.clone();
    actix_web::rt::spawn(async move {
        let id = import_id.clone();
        let (scope_for_failure, principal_for_failure) = (scope.clone(), principal.clone());
        let written = job_state
            .write(move |conn| {
                let written = rows.write(conn, &progress)?;
                store::complete(conn, &scope, &id, written)?;
                audit::record_for_tenant(
                    conn,
                    &principal,
                    &scope,
                    &format!("{}_import.completed", kind.as_str()),
                    "import",
                    &id,
                    json!({"rows_written": written, "rows_skipped": rows_skipped}),
                )?;
                Ok(written)
            })
            .await;
        let outcome = if written.is_ok() { "completed" } else { "failed" };
        metrics()
            .imports_finished
            .with_label_values(&[kind.as_str(), outcome])
            .inc();
        if let Err(error) = written {
            let failure = failure_message(&error);
            let id = import_id.clone();
            let recorded = job_state
                .write(move |conn| {
                    store::fail(conn, &scope_for_failure, &id, &failure)?;
                    audit::record_for_tenant(
                        conn,
                        &principal_for_failure,
                        &scope_for_failure,
                        &format!("{}_import.failed", kind.as_str()),
                        "import",
                        &id,
                        json!({"failure": failure}),
                    )?;
                    Ok(())
                })
                .await;
            if let Err(e) = recorded {
                tracing::error!(import = %import_id, error = %e, "could not record an import's failure");
            }
        }
        job_state.import_progress.finish(&import_id);
    });

    let location = format!("/api/v1/tenants/{}/imports/{}", record.tenant_slug, record.id);
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location))
        .json(record.into_api()?))
}

/// What the import's record says when writing failed: the client's conflict in its own words,
/// anything unexpected only as "logged".
fn failure_message(error: &ApiError) -> String {
    match error {
        ApiError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "import failed");
            "an unexpected error occurred while writing; it has been logged; nothing was written".to_owned()
        }
        other => format!("{other}; nothing was written"),
    }
}

/// List a tenant's imports
///
/// Oldest first, with their status and counts.
#[utoipa::path(
    tag = "Imports",
    params(("slug" = String, Path, description = "The tenant's slug"), ImportFilter),
    responses(
        (status = 200, description = "A page of imports", body = Paged<Import>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    filter: QueryParams<ImportFilter>,
) -> ApiResult<web::Json<Paged<Import>>> {
    let slug = slug.into_inner();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            Ok((store::list(conn, &scope, &filter, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    let progress = &state.import_progress;
    Ok(web::Json(paged.try_map(|row| with_progress(row, progress))?))
}

/// Get an import
///
/// Poll this while `status` is `running`: `rows_written` grows as batches are written.
#[utoipa::path(
    tag = "Imports",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The import's id"),
    ),
    responses(
        (status = 200, description = "The import", body = Import),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Import>> {
    let (slug, id) = path.into_inner();
    let row = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            store::get(conn, &scope, &id)
        })
        .await?;
    Ok(web::Json(with_progress(row, &state.import_progress)?))
}

fn with_progress(row: ImportRow, progress: &super::progress::ImportProgress) -> ApiResult<Import> {
    let mut import = row.into_api()?;
    if import.status == ImportStatus::Running
        && let Some(written) = progress.rows_written(&import.id)
    {
        import.rows_written = written;
    }
    Ok(import)
}

/// CPU-bound work (parsing, checking) on the blocking pool, holding no database connection.
async fn off_thread<T, F>(work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    web::block(work)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking import task failed: {e}")))?
}
