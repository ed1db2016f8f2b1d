//! `/api/v1/tenants/{slug}/ocds/releases` and `/api/v1/ocds/framework-imports`

use std::collections::HashMap;

use actix_web::{HttpRequest, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::model::{
    FrameworkImportReport, FrameworkImportRequest, OcdsLinks, OcdsPublisher, RejectedRelease, ReleasePackage,
    ReleaseParams,
};
use super::sync::{self, Outcome};
use super::{export, fetch, import, store};
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::error::responses::ListErrors;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{JsonBody, Page, QueryParams};
use crate::state::AppState;

/// Where a page of releases starts: after a procurement, or (once all procurements are done)
/// after a contract recorded without one.
enum After {
    Start,
    Procurement(String),
    Contract(String),
}

fn after(page: &Page) -> ApiResult<After> {
    match page.after.as_deref() {
        None => Ok(After::Start),
        Some(key) => match key.split_once(':') {
            Some(("p", id)) => Ok(After::Procurement(id.to_owned())),
            Some(("c", id)) => Ok(After::Contract(id.to_owned())),
            _ => Err(ApiError::invalid("cursor", "is not a cursor this API issued")),
        },
    }
}

/// A tenant's OCDS release package
///
/// The tenant's procurements, their compliance decisions, awards and contracts as an Open
/// Contracting Data Standard 1.1 release package: one release per procurement (tender, and award
/// and contract once awarded), then one per contract recorded without a procurement here.
/// Paginated: `links.next` is the next page. Readable by the tenant's users and national roles.
#[utoipa::path(
    tag = "Open data",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police"), ReleaseParams),
    responses(
        (status = 200, description = "An OCDS release package", body = ReleasePackage),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/ocds/releases")]
pub async fn release_package(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    params: QueryParams<ReleaseParams>,
) -> ApiResult<web::Json<ReleasePackage>> {
    let slug = slug.into_inner();
    let today = state.clock.today();
    let (releases, next_key, tenant_slug, limit) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let params = params.parse()?;
            let page = Page::new(params.limit, params.cursor.as_deref())?;
            let start = after(&page)?;
            let fetch = page.fetch_limit();
            let mut keyed = Vec::new();
            if !matches!(start, After::Contract(_)) {
                let after_id = match &start {
                    After::Procurement(id) => Some(id.as_str()),
                    _ => None,
                };
                let rows = store::procurements_after(conn, &scope, after_id, fetch)?;
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let contracts = store::contracts_of(conn, &scope, &ids)?;
                let decisions = store::latest_decisions(conn, &scope, &ids)?;
                let names = store::category_names(conn)?;
                for row in &rows {
                    let release = export::procurement_release(
                        &tenant,
                        row,
                        decisions.get(&row.id),
                        contracts.get(&row.id),
                        names.get(&row.category_slug).map(String::as_str),
                        today,
                    )?;
                    keyed.push((format!("p:{}", row.id), release));
                }
            }
            let remaining = fetch - keyed.len() as i64;
            if remaining > 0 {
                let after_id = match &start {
                    After::Contract(id) => Some(id.as_str()),
                    _ => None,
                };
                for row in store::standalone_contracts_after(conn, &scope, after_id, remaining)? {
                    keyed.push((format!("c:{}", row.id), export::contract_release(&tenant, &row, today)));
                }
            }
            let next_key = if keyed.len() as i64 > page.limit {
                keyed.truncate(page.limit as usize);
                keyed.last().map(|(key, _)| key.clone())
            } else {
                None
            };
            let releases = keyed.into_iter().map(|(_, release)| release).collect();
            Ok((releases, next_key, scope.slug().to_owned(), page.limit))
        })
        .await?;
    let base = format!("/api/v1/tenants/{tenant_slug}/ocds/releases");
    let next = next_key.map(|key| format!("{base}?limit={limit}&cursor={}", URL_SAFE_NO_PAD.encode(key)));
    // OCDS wants the package's URI absolute: where this package was served, as the client asked.
    let info = req.connection_info();
    let uri = format!("{}://{}{base}", info.scheme(), info.host());
    Ok(web::Json(ReleasePackage {
        uri,
        version: "1.1".to_owned(),
        published_date: chrono::Utc::now().to_rfc3339(),
        publisher: OcdsPublisher {
            name: "BlueLight Commercial category-management API".to_owned(),
        },
        releases,
        links: OcdsLinks { next },
    }))
}

/// Names a problem of the package as a whole: by its path under `package` when it came in the
/// body, under `url` (with the path in the message) when it was fetched.
fn package_problem(error: FieldError, fetched: bool) -> FieldError {
    match (fetched, error.field.as_str()) {
        (false, "") => FieldError::new("package", error.message),
        (false, field) => FieldError::new(format!("package.{field}"), error.message),
        (true, "") => FieldError::new(
            "url",
            format!("the document is not an OCDS release package: it {}", error.message),
        ),
        (true, field) => FieldError::new(
            "url",
            format!(
                "the document is not an OCDS release package: `{field}` {}",
                error.message
            ),
        ),
    }
}

/// Import national framework agreements from an OCDS release package
///
/// For `national_admin`. The package comes in the body (`package`, up to 1 MiB) or from an
/// https URL on a public address (`url`, up to 16 MiB, fetched within 20 seconds). Each release that describes a
/// framework agreement (`tender.techniques.hasFrameworkAgreement`) creates the framework, with
/// its lots and awarded suppliers, or updates the one with the same reference (`tender.id`),
/// bumping its version; a release the framework already matches is `unchanged`, so importing
/// the same package twice changes nothing. Each release is written in a transaction of its own:
/// a release with any problem is `rejected` with every problem named by its path in the package,
/// and the others are still imported. Suppliers must already be national supplier records,
/// found by Companies House number (`GB-COH`) or id (`X-BLUELIGHT-SUPPLIER`). With `dry_run`
/// the report says what would happen and nothing is written. A body or document that is not an
/// OCDS 1.1 release package at all is a 422. The mapping is in `docs/ocds.md`.
#[utoipa::path(
    tag = "Open data",
    request_body = FrameworkImportRequest,
    responses(
        (status = 200, description = "What was created, updated, left unchanged and rejected, release by release", body = FrameworkImportReport),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a national_admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MiB (send a `url` instead)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an import request, or not an OCDS 1.1 release package; or the URL could not be fetched, answered other than 2xx, or served more than 16 MiB or something other than JSON. `errors` names `package...` or `url`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/ocds/framework-imports")]
pub async fn import_frameworks(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<FrameworkImportRequest>,
) -> ApiResult<web::Json<FrameworkImportReport>> {
    principal.require_national_admin()?;
    let FrameworkImportRequest { package, url, dry_run } = body.parse()?;
    let package = match (package, &url) {
        (Some(_), Some(_)) => return Err(ApiError::invalid("url", "send either `package` or `url`, not both")),
        (None, None) => {
            return Err(ApiError::invalid(
                "package",
                "send the release package in `package`, or its address in `url`",
            ));
        }
        (Some(package), None) => package,
        (None, Some(url)) => {
            let bytes = fetch::fetch(url, state.allow_private_urls).await?;
            serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::invalid(
                    "url",
                    format!("the document is not JSON (line {}, column {})", e.line(), e.column()),
                )
            })?
        }
    };
    let fetched = url.is_some();
    let releases = import::releases(&package)
        .map_err(|errors| ApiError::Validation(errors.into_iter().map(|e| package_problem(e, fetched)).collect()))?;

    let mut report = FrameworkImportReport {
        dry_run,
        url,
        releases: releases.len(),
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: Vec::new(),
        rejected: Vec::new(),
    };
    // Each framework once per package: a later release of the same one is refused, not merged.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, raw) in releases.iter().enumerate() {
        let mapped = match import::map_release(index, raw) {
            Ok(mapped) => mapped,
            Err(rejected) => {
                report.rejected.push(rejected);
                continue;
            }
        };
        let reference = mapped.framework.reference.clone();
        let ocid = mapped.ocid.clone();
        let refused = |message: String| RejectedRelease {
            release: index,
            ocid: ocid.clone(),
            reference: Some(reference.clone()),
            errors: vec![FieldError::new(format!("releases[{index}].tender.id"), message)],
        };
        if let Some(first) = seen.get(&reference) {
            report.rejected.push(refused(format!(
                "framework {reference} is already described by releases[{first}]: send one (compiled) release per framework"
            )));
            continue;
        }
        seen.insert(reference.clone(), index);
        let principal = principal.clone();
        let today = state.clock.today();
        let outcome = if dry_run {
            state
                .db(move |conn| sync::import_release(conn, &principal, mapped, false, today))
                .await
        } else {
            state
                .write(move |conn| sync::import_release(conn, &principal, mapped, true, today))
                .await
        };
        match outcome {
            Ok(Outcome::Created(framework)) => report.created.push(framework),
            Ok(Outcome::Updated(framework)) => report.updated.push(framework),
            Ok(Outcome::Unchanged(framework)) => report.unchanged.push(framework),
            Ok(Outcome::Rejected(rejected)) => report.rejected.push(rejected),
            // Another change to the same framework won the race; this release was not written.
            Err(ApiError::Conflict { message, .. }) => report.rejected.push(refused(message)),
            Err(ApiError::PreconditionFailed) => report.rejected.push(refused(format!(
                "framework {reference} changed while it was being imported; import the package again"
            ))),
            Err(other) => return Err(other),
        }
    }
    tracing::info!(
        dry_run,
        releases = report.releases,
        created = report.created.len(),
        updated = report.updated.len(),
        unchanged = report.unchanged.len(),
        rejected = report.rejected.len(),
        "OCDS framework import"
    );
    Ok(web::Json(report))
}
