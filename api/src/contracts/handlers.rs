//! `/api/v1/tenants/{slug}/contracts`: the register, read and kept by hand (awards are in `award.rs`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde_json::json;

use super::model::{Contract, ContractChanges, ContractFilter, ContractRow, NewContract};
use super::store::{self, ContractContext};
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::db::DbConnection;
use crate::error::responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;
use crate::validate::Checks;

/// List a tenant's contracts register
///
/// Oldest first. Readable by the tenant's users and national roles.
#[utoipa::path(
    tag = "Contracts",
    params(("slug" = String, Path, description = "The tenant's slug", example = "lancashire-constabulary"), ContractFilter),
    responses(
        (status = 200, description = "A page of contracts", body = Paged<Contract>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/contracts")]
pub async fn list_contracts(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    filter: QueryParams<ContractFilter>,
) -> ApiResult<web::Json<Paged<Contract>>> {
    let slug = slug.into_inner();
    let today = state.clock.today();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            let mut checks = Checks::new();
            checks.date("expires_before", filter.expires_before);
            checks.finish()?;
            let categories = match &filter.category {
                None => None,
                Some(slug) => {
                    let tree = categories::tree(conn)?;
                    if !tree.contains(slug) {
                        return Err(ApiError::invalid("category", format!("no category '{slug}'")));
                    }
                    Some(tree.subtree(slug))
                }
            };
            Ok((store::list(conn, &scope, &filter, categories, &page, today)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| row.into_api(today))?))
}

/// Get a contract
#[utoipa::path(
    tag = "Contracts",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The contract's id"),
    ),
    responses(
        (status = 200, description = "The contract", body = Contract, headers(("ETag" = String, description = "Send back in If-Match to update or delete"))),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/contracts/{id}")]
pub async fn get_contract(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<ETagged<Contract>> {
    let (slug, id) = path.into_inner();
    let row = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            store::get(conn, &scope, &id)
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api(state.clock.today())?))
}

/// Record a contract
///
/// For the tenant's buyers and tenant admins (and national admins). A national framework
/// call-off names a framework open to the tenant's kind of service and one of its lots, with a
/// supplier awarded on that lot; a collaborative contract names its partners.
#[utoipa::path(
    tag = "Contracts",
    params(("slug" = String, Path, description = "The tenant's slug"), IdempotencyKeyHeader),
    request_body = NewContract,
    responses(
        (status = 201, description = "Created", body = Contract, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/contracts")]
pub async fn create_contract(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    body: JsonBody<NewContract>,
) -> ApiResult<ETagged<Contract>> {
    let slug = slug.into_inner();
    let today = state.clock.today();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let input = body.parse()?;
            let context = ContractContext::for_one(conn, &tenant, &input, today)?;
            create(conn, &scope, &context, input, &principal, "contract.created", json!({}))
        })
        .await?;
    created(row, today)
}

/// Stores a new contract and audits it as `action`; `about` adds what the action knows (an
/// award names the procurement and the decision it relied on).
pub(super) fn create(
    conn: &mut DbConnection,
    scope: &TenantScope,
    context: &ContractContext,
    input: NewContract,
    principal: &Principal,
    action: &str,
    about: serde_json::Value,
) -> ApiResult<ContractRow> {
    let supplier = store::resolve(conn, scope, context, &input, None)?;
    let row = store::to_row(scope, input, supplier, principal, None, None)?;
    store::insert(conn, scope, &row)?;
    let mut detail = audit_detail(&row);
    if let (Some(detail), serde_json::Value::Object(about)) = (detail.as_object_mut(), about) {
        detail.extend(about);
    }
    audit::record_for_tenant(conn, principal, scope, action, "contract", &row.id, detail)?;
    Ok(row)
}

pub(super) fn created(row: ContractRow, today: NaiveDate) -> ApiResult<ETagged<Contract>> {
    let location = format!("/api/v1/tenants/{}/contracts/{}", row.tenant_slug, row.id);
    Ok(ETagged::created(row.version, row.into_api(today)?, location))
}

fn audit_detail(row: &ContractRow) -> serde_json::Value {
    json!({
        "reference": row.reference,
        "supplier": row.supplier_name,
        "value_pence": row.value_pence,
        "end_date": row.end_date,
        "arrangement": row.arrangement,
    })
}

/// Update a contract
///
/// Needs `If-Match` with the current ETag. The result is validated as a whole, as on create.
#[utoipa::path(
    tag = "Contracts",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The contract's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = ContractChanges,
    responses(
        (status = 200, description = "Updated", body = Contract, headers(("ETag" = String))),
        UpdateErrors,
    ),
    security(("bearer" = []))
)]
#[patch("/tenants/{slug}/contracts/{id}")]
pub async fn update_contract(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<ContractChanges>,
) -> ApiResult<ETagged<Contract>> {
    let expected = required_if_match(&req);
    let (slug, id) = path.into_inner();
    let today = state.clock.today();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let current = store::get(conn, &scope, &id)?;
            let (expected, changes) = (expected?, body.parse()?);
            if current.version != expected {
                return Err(ApiError::PreconditionFailed);
            }
            let input = changes.apply_to(current.to_input()?);
            let context = ContractContext::for_one(conn, &tenant, &input, today)?;
            let supplier = store::resolve(conn, &scope, &context, &input, Some(&current))?;
            let row = store::to_row(&scope, input, supplier, &principal, None, Some(&current))?;
            store::update(conn, &scope, expected, &row)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "contract.updated",
                "contract",
                &row.id,
                audit_detail(&row),
            )?;
            Ok(row)
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api(state.clock.today())?))
}

/// Delete a contract
///
/// Needs `If-Match`. Refused (409 `contract_has_spend`) while spend is recorded against it: a
/// contract that ended early is terminated (`terminated_on`), not deleted.
#[utoipa::path(
    tag = "Contracts",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The contract's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors,
    ),
    security(("bearer" = []))
)]
#[delete("/tenants/{slug}/contracts/{id}")]
pub async fn delete_contract(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let expected = required_if_match(&req);
    let (slug, id) = path.into_inner();
    state
        .write(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            store::get(conn, &scope, &id)?;
            let row = store::delete(conn, &scope, &id, expected?)?;
            audit::record_for_tenant(
                conn,
                &principal,
                &scope,
                "contract.deleted",
                "contract",
                &row.id,
                audit_detail(&row),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
