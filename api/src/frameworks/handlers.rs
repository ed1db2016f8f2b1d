//! `/api/v1/frameworks`

use actix_web::{HttpRequest, get, patch, post, put, web};
use chrono::NaiveDate;
use serde_json::json;

use super::model::{
    AwardChange, Eligibility, Framework, FrameworkChanges, FrameworkDetail, FrameworkFilter, Lot, LotChanges,
    NewFramework, NewLot,
};
use super::store::{self, FrameworkQuery};
use crate::audit;
use crate::auth::Principal;
use crate::categories::store as categories;
use crate::db::DbConnection;
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;
use crate::tenants::model::TenantKind;
use crate::tenants::store as tenants;
use crate::validate::Checks;
use crate::webhooks;

/// The kind of service the caller buys for, if it is a tenant user: `stored` is the kind read
/// with the frameworks for the token's tenant (`None` when no such tenant is stored).
fn viewer_kind(principal: &Principal, stored: Option<&str>) -> ApiResult<Option<TenantKind>> {
    match (principal.acting_tenant(), stored) {
        (None, _) => Ok(None),
        (Some(_), Some(kind)) => Ok(Some(TenantKind::from_db(kind)?)),
        (Some(slug), None) => Err(unknown_tenant(slug)),
    }
}

fn unknown_tenant(slug: &str) -> ApiError {
    ApiError::Forbidden(format!("the token's tenant '{slug}' is not known here"))
}

/// For a read that found no framework row to carry the tenant's kind: the token's tenant, if
/// it names one, must be stored here.
fn check_tenant_known(conn: &mut DbConnection, viewer: Option<&str>) -> ApiResult<()> {
    match viewer {
        Some(slug) if tenants::find(conn, slug)?.is_none() => Err(unknown_tenant(slug)),
        _ => Ok(()),
    }
}

fn detail(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &str,
    today: NaiveDate,
) -> ApiResult<(i64, FrameworkDetail)> {
    let viewer = principal.acting_tenant();
    let Some((row, stored_kind)) = store::find_with_viewer_kind(conn, id, viewer)? else {
        // Who may ask comes before whether the framework exists.
        check_tenant_known(conn, viewer)?;
        return Err(ApiError::not_found(format_args!("framework '{id}'")));
    };
    let kind = viewer_kind(principal, stored_kind.as_deref())?;
    let lots = store::lots_of(conn, id)?;
    let version = row.version;
    Ok((
        version,
        FrameworkDetail {
            framework: row.into_api(today, lots.len(), kind)?,
            lots,
        },
    ))
}

/// Checks that every awarded supplier exists, naming each missing one by its place in the body.
fn check_suppliers_exist<'a>(
    conn: &mut DbConnection,
    awards: impl Iterator<Item = (String, &'a str)>,
) -> ApiResult<()> {
    let awards: Vec<(String, &str)> = awards.collect();
    let ids: Vec<&str> = awards.iter().map(|(_, id)| *id).collect();
    let unknown = store::unknown_suppliers(conn, &ids)?;
    let errors: Vec<FieldError> = awards
        .into_iter()
        .filter(|(_, id)| unknown.contains(id))
        .map(|(field, id)| FieldError::new(field, format!("no supplier '{id}'")))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// List frameworks
///
/// Ordered by creation. For a tenant user, each framework says whether it is open to the
/// tenant's kind of service (`open_to_you`).
#[utoipa::path(
    tag = "Frameworks",
    params(FrameworkFilter),
    responses((status = 200, description = "A page of frameworks", body = Paged<Framework>), ListErrors),
    security(("bearer" = []))
)]
#[get("/frameworks")]
pub async fn list_frameworks(
    state: web::Data<AppState>,
    principal: Principal,
    filter: QueryParams<FrameworkFilter>,
) -> ApiResult<web::Json<Paged<Framework>>> {
    let filter = filter.parse()?;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let today = state.clock.today();
    let paged = state
        .db(move |conn| {
            let mut checks = Checks::new();
            let categories = match &filter.category {
                None => None,
                Some(slug) => {
                    let tree = categories::tree(conn)?;
                    checks.check(tree.contains(slug), "category", format!("no category '{slug}'"));
                    Some(tree.subtree(slug))
                }
            };
            let eligibilities = match &filter.eligible_for {
                None => None,
                Some(slug) => match tenants::find(conn, slug)? {
                    Some(tenant) => Some(Eligibility::open_to_kind(TenantKind::from_db(&tenant.kind)?)),
                    None => {
                        checks.fail("eligible_for", format!("no tenant '{slug}'"));
                        None
                    }
                },
            };
            checks.finish()?;
            let search = FrameworkQuery {
                q: filter.q,
                categories,
                status: filter.status,
                supplier: filter.supplier,
                eligibilities,
                expires_before: filter.expires_before,
            };
            let viewer = principal.acting_tenant();
            let views = store::list(conn, &search, &page, today, viewer)?;
            if views.is_empty() {
                check_tenant_known(conn, viewer)?;
            }
            let paged = Paged::from_rows(views, &page, |view| &view.row.id);
            let items = paged
                .items
                .into_iter()
                .map(|view| {
                    let kind = viewer_kind(&principal, view.viewer_kind.as_deref())?;
                    let lot_count = usize::try_from(view.lot_count).unwrap_or(0);
                    view.row.into_api(today, lot_count, kind)
                })
                .collect::<ApiResult<_>>()?;
            Ok(Paged {
                items,
                next_cursor: paged.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(paged))
}

/// Get a framework
///
/// With its lots and, per lot, the awarded suppliers and their status.
#[utoipa::path(
    tag = "Frameworks",
    params(("id" = String, Path, description = "The framework's id")),
    responses((status = 200, description = "The framework", body = FrameworkDetail, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/frameworks/{id}")]
pub async fn get_framework(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> ApiResult<ETagged<FrameworkDetail>> {
    let id = id.into_inner();
    let today = state.clock.today();
    let (version, body) = state.db(move |conn| detail(conn, &principal, &id, today)).await?;
    Ok(ETagged::ok(version, body))
}

/// Create a framework
///
/// For `national_admin`, with its lots and awarded suppliers in one request (all or nothing).
#[utoipa::path(
    tag = "Frameworks",
    params(IdempotencyKeyHeader),
    request_body = NewFramework,
    responses((status = 201, description = "Created", body = FrameworkDetail, headers(("Location" = String), ("ETag" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/frameworks")]
pub async fn create_framework(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<NewFramework>,
) -> ApiResult<ETagged<FrameworkDetail>> {
    principal.require_national_admin()?;
    let new = body.parse()?;
    let today = state.clock.today();
    let (version, created) = state
        .write(move |conn| {
            let category_exists = categories::tree(conn)?.contains(&new.category);
            new.validate(category_exists)?;
            check_suppliers_exist(
                conn,
                new.lots.iter().enumerate().flat_map(|(i, lot)| {
                    lot.suppliers.iter().enumerate().map(move |(j, award)| {
                        (
                            format!("lots[{i}].suppliers[{j}].supplier_id"),
                            award.supplier_id.as_str(),
                        )
                    })
                }),
            )?;
            let (framework, lots) = new.into_rows();
            store::insert(conn, &framework, &lots)?;
            webhooks::scanner::framework_created(conn, &framework, today)?;
            audit::record(
                conn,
                &principal,
                "framework.created",
                "framework",
                &framework.id,
                json!({"reference": framework.reference, "lots": lots.len()}),
            )?;
            detail(conn, &principal, &framework.id, today)
        })
        .await?;
    let location = format!("/api/v1/frameworks/{}", created.framework.id);
    Ok(ETagged::created(version, created, location))
}

/// Update a framework
///
/// For `national_admin`; needs `If-Match`. Lots change through their own endpoints.
#[utoipa::path(
    tag = "Frameworks",
    params(
        ("id" = String, Path, description = "The framework's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = FrameworkChanges,
    responses((status = 200, description = "Updated", body = FrameworkDetail, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/frameworks/{id}")]
pub async fn update_framework(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<FrameworkChanges>,
) -> ApiResult<ETagged<FrameworkDetail>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let id = id.into_inner();
    let today = state.clock.today();
    let (version, updated) = state
        .write(move |conn| {
            let current = store::get(conn, &id)?;
            let (expected, changes) = (expected?, body.parse()?);
            let category_exists = match &changes.category {
                Some(category) => categories::tree(conn)?.contains(category),
                None => true,
            };
            changes.validate(&current, category_exists)?;
            let audit_detail = json!({
                "title": changes.title, "category": changes.category, "start_date": changes.start_date,
                "end_date": changes.end_date, "max_end_date": changes.max_end_date, "eligibility": changes.eligibility,
                "max_value": changes.max_value,
            });
            store::update(conn, &id, expected, changes.into_changeset())?;
            audit::record(conn, &principal, "framework.updated", "framework", &id, audit_detail)?;
            let now_stored = store::get(conn, &id)?;
            webhooks::scanner::framework_dates_changed(conn, &current, &now_stored, today)?;
            detail(conn, &principal, &id, today)
        })
        .await?;
    Ok(ETagged::ok(version, updated))
}

/// The lot as now stored, with the framework's new version for the ETag.
fn lot_view(conn: &mut DbConnection, framework_id: &str, number: i32) -> ApiResult<(i64, Lot)> {
    let version = store::get(conn, framework_id)?.version;
    let lot = store::lots_of(conn, framework_id)?
        .into_iter()
        .find(|lot| lot.number == number)
        .ok_or_else(|| ApiError::not_found(format_args!("lot {number} of framework '{framework_id}'")))?;
    Ok((version, lot))
}

/// Get a lot
///
/// The ETag is the framework's: lots change under the framework's version.
#[utoipa::path(
    tag = "Frameworks",
    params(("id" = String, Path, description = "The framework's id"), ("number" = i32, Path, description = "The lot number")),
    responses((status = 200, description = "The lot", body = Lot, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/frameworks/{id}/lots/{number}")]
pub async fn get_lot(
    state: web::Data<AppState>,
    _principal: Principal,
    path: web::Path<(String, i32)>,
) -> ApiResult<ETagged<Lot>> {
    let (id, number) = path.into_inner();
    let (version, lot) = state.db(move |conn| lot_view(conn, &id, number)).await?;
    Ok(ETagged::ok(version, lot))
}

/// Add a lot to a framework
///
/// For `national_admin`; needs `If-Match` with the framework's ETag.
#[utoipa::path(
    tag = "Frameworks",
    params(
        ("id" = String, Path, description = "The framework's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The framework's ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
        IdempotencyKeyHeader,
    ),
    request_body = NewLot,
    responses((status = 201, description = "Created", body = Lot, headers(("Location" = String), ("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[post("/frameworks/{id}/lots")]
pub async fn create_lot(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<NewLot>,
) -> ApiResult<ETagged<Lot>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let id = id.into_inner();
    let (version, lot) = state
        .write(move |conn| {
            store::get(conn, &id)?;
            let (expected, new) = (expected?, body.parse()?);
            store::claim_version(conn, &id, expected)?;
            let mut checks = Checks::new();
            new.check(&mut checks, "");
            checks.finish()?;
            if store::lot(conn, &id, new.number).is_ok() {
                return Err(ApiError::conflict(
                    "lot_exists",
                    format!("lot {} already exists on this framework", new.number),
                ));
            }
            check_suppliers_exist(
                conn,
                new.suppliers
                    .iter()
                    .enumerate()
                    .map(|(j, a)| (format!("suppliers[{j}].supplier_id"), a.supplier_id.as_str())),
            )?;
            let (lot, awards) = new.into_rows(&id);
            store::insert_lot(conn, &lot, &awards)?;
            audit::record(
                conn,
                &principal,
                "lot.created",
                "framework",
                &id,
                json!({"lot": lot.number, "title": lot.title}),
            )?;
            lot_view(conn, &lot.framework_id, lot.number)
        })
        .await?;
    let location = format!(
        "/api/v1/frameworks/{}/lots/{}",
        req.match_info().get("id").unwrap_or_default(),
        lot.number
    );
    Ok(ETagged::created(version, lot, location))
}

/// Update a lot
///
/// For `national_admin`; needs `If-Match` with the framework's ETag.
#[utoipa::path(
    tag = "Frameworks",
    params(
        ("id" = String, Path, description = "The framework's id"),
        ("number" = i32, Path, description = "The lot number"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The framework's ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = LotChanges,
    responses((status = 200, description = "Updated", body = Lot, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/frameworks/{id}/lots/{number}")]
pub async fn update_lot(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: JsonBody<LotChanges>,
) -> ApiResult<ETagged<Lot>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let (id, number) = path.into_inner();
    let (version, lot) = state
        .write(move |conn| {
                store::get(conn, &id)?;
                let current = store::lot(conn, &id, number)?;
                let (expected, changes) = (expected?, body.parse()?);
                store::claim_version(conn, &id, expected)?;
                changes.validate(&current)?;
                let audit_detail = json!({"lot": number, "title": changes.title, "routes": changes.routes, "min_value": changes.min_value, "max_value": changes.max_value});
                store::update_lot(conn, &current.id, changes.into_changeset())?;
                audit::record(conn, &principal, "lot.updated", "framework", &id, audit_detail)?;
                lot_view(conn, &id, number)
        })
        .await?;
    Ok(ETagged::ok(version, lot))
}

/// Award a lot to a supplier, or change its status there
///
/// For `national_admin`; needs `If-Match` with the framework's ETag. Suspending or excluding a
/// supplier keeps the record of its award.
#[utoipa::path(
    tag = "Frameworks",
    params(
        ("id" = String, Path, description = "The framework's id"),
        ("number" = i32, Path, description = "The lot number"),
        ("supplier_id" = String, Path, description = "The supplier's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The framework's ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = AwardChange,
    responses((status = 200, description = "The lot, as now awarded", body = Lot, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/frameworks/{id}/lots/{number}/suppliers/{supplier_id}")]
pub async fn set_lot_supplier(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32, String)>,
    body: JsonBody<AwardChange>,
) -> ApiResult<ETagged<Lot>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let (id, number, supplier_id) = path.into_inner();
    let (version, lot) = state
        .write(move |conn| {
            store::get(conn, &id)?;
            let lot = store::lot(conn, &id, number)?;
            crate::suppliers::store::get(conn, &supplier_id)?;
            let (expected, status) = (expected?, body.parse()?.status);
            store::claim_version(conn, &id, expected)?;
            store::set_award(conn, &lot.id, &supplier_id, status)?;
            audit::record(
                conn,
                &principal,
                "lot.award_changed",
                "framework",
                &id,
                json!({"lot": number, "supplier_id": supplier_id, "status": status}),
            )?;
            lot_view(conn, &id, number)
        })
        .await?;
    Ok(ETagged::ok(version, lot))
}
