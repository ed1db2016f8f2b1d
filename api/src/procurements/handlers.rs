//! `/api/v1/tenants/{slug}/procurements`

use actix_web::{HttpRequest, get, patch, post, web};
use serde_json::json;

use super::changes::ProcurementChanges;
use super::model::{NewProcurement, Procurement, ProcurementFilter, ProcurementRow};
use super::store;
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;

/// List a tenant's procurements
///
/// Oldest first. Readable by the tenant's users and national roles.
#[utoipa::path(
    tag = "Procurements",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police"), ProcurementFilter),
    responses(
        (status = 200, description = "A page of procurements", body = Paged<Procurement>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/procurements")]
pub async fn list_procurements(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    filter: QueryParams<ProcurementFilter>,
) -> ApiResult<web::Json<Paged<Procurement>>> {
    let slug = slug.into_inner();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let filter = filter.parse()?;
            if let Some(outcome) = filter.outcome.as_deref()
                && !matches!(outcome, "compliant" | "non_compliant" | "unevaluated")
            {
                return Err(ApiError::invalid(
                    "outcome",
                    "must be compliant, non_compliant or unevaluated",
                ));
            }
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            Ok((store::list(conn, &scope, &filter, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(ProcurementRow::into_api)?))
}

/// Get a procurement
#[utoipa::path(
    tag = "Procurements",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The procurement's id"),
    ),
    responses(
        (status = 200, description = "The procurement", body = Procurement, headers(("ETag" = String, description = "Send back in If-Match to update"))),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/procurements/{id}")]
pub async fn get_procurement(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<ETagged<Procurement>> {
    let (slug, id) = path.into_inner();
    let row = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            store::get(conn, &scope, &id)
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api()?))
}

/// Record a procurement
///
/// For the tenant's buyers and tenant admins (and national admins). Quotes naming a known
/// supplier take its name, SME and VCSE flags from the national record; weightings must add up
/// to 100; a framework call-off names a framework and one of its lots.
#[utoipa::path(
    tag = "Procurements",
    params(("slug" = String, Path, description = "The tenant's slug"), IdempotencyKeyHeader),
    request_body = NewProcurement,
    responses(
        (status = 201, description = "Created", body = Procurement, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/procurements")]
pub async fn create_procurement(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    body: JsonBody<NewProcurement>,
) -> ApiResult<ETagged<Procurement>> {
    let slug = slug.into_inner();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let input = body.parse()?;
            let quotes = store::resolve(conn, &tenant, &input)?;
            let row = store::to_row(&scope, input, quotes, &principal, None)?;
            store::insert(conn, &scope, &row)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "procurement.created",
                "procurement",
                &row.id,
                json!({"reference": row.reference, "value_pence": row.value_pence, "route": row.route}),
            )?;
            Ok(row)
        })
        .await?;
    let location = format!("/api/v1/tenants/{}/procurements/{}", row.tenant_slug, row.id);
    Ok(ETagged::created(row.version, row.into_api()?, location))
}

/// Update a procurement
///
/// Needs `If-Match` with the current ETag. The result is validated as a whole, as on create; a
/// changed procurement counts as not yet evaluated.
#[utoipa::path(
    tag = "Procurements",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The procurement's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = ProcurementChanges,
    responses(
        (status = 200, description = "Updated", body = Procurement, headers(("ETag" = String))),
        UpdateErrors,
    ),
    security(("bearer" = []))
)]
#[patch("/tenants/{slug}/procurements/{id}")]
pub async fn update_procurement(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<ProcurementChanges>,
) -> ApiResult<ETagged<Procurement>> {
    let expected = required_if_match(&req);
    let (slug, id) = path.into_inner();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let current = store::get(conn, &scope, &id)?;
            let (expected, changes) = (expected?, body.parse()?);
            if current.version != expected {
                return Err(ApiError::PreconditionFailed);
            }
            let input = changes.apply_to(current.to_input()?);
            let quotes = store::resolve(conn, &tenant, &input)?;
            let row = store::to_row(&scope, input, quotes, &principal, Some(&current))?;
            store::update(conn, &scope, expected, &row)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "procurement.updated",
                "procurement",
                &row.id,
                json!({"reference": row.reference, "value_pence": row.value_pence, "route": row.route}),
            )?;
            Ok(row)
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api()?))
}
