//! `/api/v1/tenants`

use actix_web::{HttpRequest, get, patch, post, web};
use serde_json::json;

use super::model::{NewTenant, Tenant, TenantChanges, TenantFilter};
use super::store;
use crate::audit;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;

/// List tenants
///
/// Every police force, fire and rescue service and national body, ordered by slug.
#[utoipa::path(
    tag = "Tenants",
    params(TenantFilter),
    responses(
        (status = 200, description = "A page of tenants", body = Paged<Tenant>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    _principal: Principal,
    filter: QueryParams<TenantFilter>,
) -> ApiResult<web::Json<Paged<Tenant>>> {
    let filter = filter.parse()?;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state
        .db(move |conn| Ok(store::list(conn, &filter, &page).map(|rows| (rows, page))?))
        .await?;
    let (rows, page) = rows;
    let paged = Paged::from_rows(rows, &page, |row| &row.slug);
    Ok(web::Json(Paged {
        items: paged
            .items
            .into_iter()
            .map(|row| row.into_api())
            .collect::<ApiResult<_>>()?,
        next_cursor: paged.next_cursor,
    }))
}

/// Get a tenant
#[utoipa::path(
    tag = "Tenants",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police")),
    responses(
        (status = 200, description = "The tenant", body = Tenant, headers(("ETag" = String, description = "Send back in If-Match to update"))),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    _principal: Principal,
    slug: web::Path<String>,
) -> ApiResult<ETagged<Tenant>> {
    let slug = slug.into_inner();
    let row = state.db(move |conn| store::get(conn, &slug)).await?;
    Ok(ETagged::ok(row.version, row.into_api()?))
}

/// Create a tenant
///
/// For `national_admin`. A fire and rescue service (or another force) joins this way, with no
/// code change and no restart.
#[utoipa::path(
    tag = "Tenants",
    params(IdempotencyKeyHeader),
    request_body = NewTenant,
    responses(
        (status = 201, description = "Created", body = Tenant, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants")]
pub async fn create_tenant(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<NewTenant>,
) -> ApiResult<ETagged<Tenant>> {
    principal.require_national_admin()?;
    let new = body.parse()?;
    new.validate()?;
    let row = new.into_row();
    let created = state
        .write(move |conn| {
            store::insert(conn, &row)?;
            audit::record(
                conn,
                &principal,
                "tenant.created",
                "tenant",
                &row.slug,
                json!({"kind": row.kind, "name": row.name}),
            )?;
            Ok(row)
        })
        .await?;
    let location = format!("/api/v1/tenants/{}", created.slug);
    Ok(ETagged::created(created.version, created.into_api()?, location))
}

/// Update a tenant
///
/// For `national_admin`; needs `If-Match` with the tenant's current ETag.
#[utoipa::path(
    tag = "Tenants",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = TenantChanges,
    responses(
        (status = 200, description = "Updated", body = Tenant, headers(("ETag" = String))),
        UpdateErrors,
    ),
    security(("bearer" = []))
)]
#[patch("/tenants/{slug}")]
pub async fn update_tenant(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: web::Path<String>,
    body: JsonBody<TenantChanges>,
) -> ApiResult<ETagged<Tenant>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let slug = slug.into_inner();
    let row = state
        .write(move |conn| {
            let current = store::get(conn, &slug)?;
            let (expected, changes) = (expected?, body.parse()?);
            changes.validate(&current)?;
            let detail =
                json!({"name": changes.name, "kind": changes.kind, "region": changes.region, "area": changes.area});
            let row = store::update(conn, &slug, expected, changes.into())?;
            audit::record(conn, &principal, "tenant.updated", "tenant", &slug, detail)?;
            Ok(row)
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api()?))
}
