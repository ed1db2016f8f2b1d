//! `/api/v1/tenants/{slug}/contracts`, and awarding a contract from a procurement.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde_json::json;

use super::model::{Arrangement, AwardContract, Contract, ContractChanges, ContractFilter, ContractRow, NewContract};
use super::store::{self, ContractContext};
use crate::audit;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::categories::store as categories;
use crate::clock;
use crate::db::DbConnection;
use crate::error::responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::error::{ApiError, ApiResult, Problem};
use crate::frameworks::model::FrameworkStatus;
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::procurements::store as procurements;
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
    let filter = filter.0;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let mut checks = Checks::new();
    checks.date("expires_before", filter.expires_before);
    checks.finish()?;
    let slug = slug.into_inner();
    let today = clock::today();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
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
    Ok(ETagged::ok(row.version, row.into_api(clock::today())?))
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
    let input = body.0;
    let slug = slug.into_inner();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let context = ContractContext::for_one(conn, &tenant, &input)?;
            create(conn, &scope, &context, input, &principal, "contract.created")
        })
        .await?;
    created(row)
}

fn create(
    conn: &mut DbConnection,
    scope: &TenantScope,
    context: &ContractContext,
    input: NewContract,
    principal: &Principal,
    action: &str,
) -> ApiResult<ContractRow> {
    let supplier = store::resolve(conn, scope, context, &input, None)?;
    let row = store::to_row(scope, input, supplier, principal, None, None)?;
    store::insert(conn, scope, &row)?;
    audit::record_for_tenant(conn, principal, scope, action, "contract", &row.id, audit_detail(&row))?;
    Ok(row)
}

fn created(row: ContractRow) -> ApiResult<ETagged<Contract>> {
    let location = format!("/api/v1/tenants/{}/contracts/{}", row.tenant_slug, row.id);
    Ok(ETagged::created(row.version, row.into_api(clock::today())?, location))
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
    let expected = required_if_match(&req)?;
    let changes = body.0;
    let (slug, id) = path.into_inner();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let current = store::get(conn, &scope, &id)?;
            if current.version != expected {
                return Err(ApiError::PreconditionFailed);
            }
            let input = changes.apply_to(current.to_input()?);
            let context = ContractContext::for_one(conn, &tenant, &input)?;
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
    Ok(ETagged::ok(row.version, row.into_api(clock::today())?))
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
    let expected = required_if_match(&req)?;
    let (slug, id) = path.into_inner();
    state
        .write(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            let row = store::delete(conn, &scope, &id, expected)?;
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

/// Award a contract from a procurement
///
/// One step from an evaluated procurement to the register: the procurement's latest evaluation
/// must be compliant (409 `procurement_not_compliant` otherwise, or `procurement_not_evaluated`),
/// a call-off's framework must be live today (409 `framework_not_live`), and a procurement has
/// at most one contract (409 `procurement_has_contract`). Title, category, framework and lot come
/// from the procurement; the supplier and value from the winning quote.
#[utoipa::path(
    tag = "Contracts",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The procurement's id"),
        IdempotencyKeyHeader,
    ),
    request_body = AwardContract,
    responses(
        (status = 201, description = "The contract, in the register", body = Contract, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
        (status = 409, description = "`procurement_not_evaluated`, `procurement_not_compliant`, `framework_not_live`, `procurement_has_contract`, `contract_reference_exists`, or `idempotent_request_in_progress`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/procurements/{id}/award")]
pub async fn award_contract(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    body: JsonBody<AwardContract>,
) -> ApiResult<ETagged<Contract>> {
    let award = body.0;
    let (slug, id) = path.into_inner();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            procurements::lock(conn, &scope, &id)?;
            let procurement = procurements::get(conn, &scope, &id)?;
            match procurement.last_outcome.as_deref() {
                Some("compliant") => {}
                Some(_) => {
                    return Err(ApiError::conflict(
                        "procurement_not_compliant",
                        "the procurement's latest evaluation is non-compliant; fix it and evaluate it again before awarding",
                    ));
                }
                None => {
                    return Err(ApiError::conflict(
                        "procurement_not_evaluated",
                        "the procurement has not been evaluated as it stands; evaluate it before awarding",
                    ));
                }
            }
            if let Some(framework_id) = &procurement.framework_id {
                // The decision was made for its day; the framework must still be live on the day
                // of the award (its lot and supplier are checked again below, as for any call-off).
                let framework = crate::frameworks::store::get(conn, framework_id)?;
                let status = FrameworkStatus::on(clock::today(), framework.start_date, framework.end_date);
                if status != FrameworkStatus::Live {
                    return Err(ApiError::conflict(
                        "framework_not_live",
                        format!("the call-off's framework '{}' is {status} today; it cannot be awarded from", framework.reference),
                    ));
                }
            }
            if let Some(existing) = store::find_by_procurement(conn, &scope, &procurement.id)? {
                return Err(ApiError::conflict(
                    "procurement_has_contract",
                    format!("this procurement already has contract '{}' ({})", existing.reference, existing.id),
                ));
            }
            let input = award_to_contract(&procurement, award)?;
            let context = ContractContext::for_one(conn, &tenant, &input)?;
            create(conn, &scope, &context, input, &principal, "contract.awarded")
        })
        .await?;
    created(row)
}

/// The contract an award makes: the procurement's facts, the winning quote, the award's terms.
fn award_to_contract(
    procurement: &crate::procurements::model::ProcurementRow,
    award: AwardContract,
) -> ApiResult<NewContract> {
    let quotes = procurement.quotes()?;
    let mut checks = Checks::new();
    let winner = match award.quote {
        Some(index) => {
            checks.check(
                index < quotes.len(),
                "quote",
                format!("the procurement has {} quotes (indexes from 0)", quotes.len()),
            );
            quotes.get(index)
        }
        None => quotes.iter().min_by_key(|q| q.amount),
    };
    if winner.is_none() && award.quote.is_none() {
        checks.check(
            award.supplier_id.is_some() || award.supplier_name.is_some(),
            "supplier_name",
            "the procurement has no quotes: name the supplier (supplier_id or supplier_name)",
        );
    }
    checks.finish()?;
    let call_off = procurement.framework_id.is_some();
    let (supplier_id, supplier_name, sme, vcse, locality) = match winner {
        Some(quote) => (
            quote.supplier_id.clone(),
            Some(quote.supplier_name.clone()),
            Some(quote.sme),
            Some(quote.vcse),
            // A quote's "local" is the rule plugin's notion (in the force's area).
            quote
                .local
                .then_some(crate::suppliers::directory::SupplierLocality::Area),
        ),
        None => (award.supplier_id, award.supplier_name, None, None, None),
    };
    Ok(NewContract {
        reference: award.reference.unwrap_or_else(|| procurement.reference.clone()),
        title: procurement.title.clone(),
        supplier_id,
        supplier_name,
        supplier_locality: locality,
        sme,
        vcse,
        category: procurement.category_slug.clone(),
        value: award
            .value
            .or(winner.map(|q| q.amount))
            .unwrap_or(crate::money::Money::from_pence(procurement.value_pence)),
        start_date: award.start_date,
        end_date: award.end_date,
        extension_options: award.extension_options,
        max_end_date: award.max_end_date,
        arrangement: award.arrangement.unwrap_or(if call_off {
            Arrangement::NationalFramework
        } else {
            Arrangement::Local
        }),
        framework_id: procurement.framework_id.clone(),
        lot_number: procurement.lot_number.map(|n| n as u32),
        collaborative_partners: award.collaborative_partners,
        procurement_id: Some(procurement.id.clone()),
        contract_manager: award.contract_manager,
        kpis: award.kpis,
        savings: award.savings,
        terminated_on: None,
    })
}
