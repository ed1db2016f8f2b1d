//! `/api/v1/suppliers`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde_json::json;

use super::model::{
    NewSupplier, Supplier, SupplierChanges, SupplierChangeset, SupplierDetail, SupplierFilter, SupplierProfileChanges,
};
use super::store;
use super::strategic::{
    HistoryFilter, KpiFilter, KpiScore, KpiScoreRow, NewKpiScore, NewRiskRating, RiskChangeRow, RiskRatingChange,
    is_quarter,
};
use super::strategic_profile::StrategicProfileInput;
use crate::audit;
use crate::auth::{Principal, Role};
use crate::clock;
use crate::db::DbConnection;
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;
use crate::webhooks::{self, events::Audience, model::EventType};

/// A supplier as `principal` may see it.
fn view(conn: &mut DbConnection, principal: &Principal, id: &str) -> ApiResult<(i64, Supplier)> {
    let row = store::get(conn, id)?;
    let profile = if principal.may_see_supplier_management(id) {
        store::profile(conn, id)?
    } else {
        None
    };
    Ok((row.version, row.into_api(profile)?))
}

fn require_management_view(principal: &Principal, id: &str) -> ApiResult<()> {
    if principal.may_see_supplier_management(id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "a supplier may see only its own management data".into(),
        ))
    }
}

fn require_strategic(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    if store::get(conn, id)?.strategic {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "supplier_not_strategic",
            "risk ratings and KPI scores are kept for strategic suppliers only; mark it strategic first",
        ))
    }
}

/// List suppliers
///
/// Ordered by creation. Strategic profiles are included for national roles and forces (and
/// for a supplier's own record).
#[utoipa::path(
    tag = "Suppliers",
    params(SupplierFilter),
    responses((status = 200, description = "A page of suppliers", body = Paged<Supplier>), ListErrors),
    security(("bearer" = []))
)]
#[get("/suppliers")]
pub async fn list_suppliers(
    state: web::Data<AppState>,
    principal: Principal,
    filter: QueryParams<SupplierFilter>,
) -> ApiResult<web::Json<Paged<Supplier>>> {
    let filter = filter.parse()?;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let paged = state
        .db(move |conn| {
            let rows = store::list(conn, &filter, &page)?;
            let visible: Vec<String> = rows
                .iter()
                .filter(|row| row.strategic && principal.may_see_supplier_management(&row.id))
                .map(|row| row.id.clone())
                .collect();
            let mut profiles = store::profiles(conn, &visible)?;
            let paged = Paged::from_rows(rows, &page, |row| &row.id);
            let items = paged
                .items
                .into_iter()
                .map(|row| {
                    let profile = profiles.remove(&row.id);
                    row.into_api(profile)
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

/// Get a supplier
///
/// With the framework lots it is awarded.
#[utoipa::path(
    tag = "Suppliers",
    params(("id" = String, Path, description = "The supplier's id")),
    responses((status = 200, description = "The supplier", body = SupplierDetail, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/suppliers/{id}")]
pub async fn get_supplier(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> ApiResult<ETagged<SupplierDetail>> {
    let id = id.into_inner();
    let (version, detail) = state
        .db(move |conn| {
            let (version, supplier) = view(conn, &principal, &id)?;
            Ok((
                version,
                SupplierDetail {
                    supplier,
                    awards: store::awards(conn, &id)?,
                },
            ))
        })
        .await?;
    Ok(ETagged::ok(version, detail))
}

/// Create a supplier
///
/// For `national_admin`.
#[utoipa::path(
    tag = "Suppliers",
    params(IdempotencyKeyHeader),
    request_body = NewSupplier,
    responses((status = 201, description = "Created", body = Supplier, headers(("Location" = String), ("ETag" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/suppliers")]
pub async fn create_supplier(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<NewSupplier>,
) -> ApiResult<ETagged<Supplier>> {
    principal.require_national_admin()?;
    let new = body.parse()?;
    new.validate()?;
    let (row, profile) = new.into_rows();
    let (version, supplier) = state
        .write(move |conn| {
            store::insert(conn, &row, profile.as_ref())?;
            audit::record(
                conn,
                &principal,
                "supplier.created",
                "supplier",
                &row.id,
                json!({"name": row.name, "strategic": row.strategic}),
            )?;
            Ok((row.version, row.into_api(profile)?))
        })
        .await?;
    let location = format!("/api/v1/suppliers/{}", supplier.id);
    Ok(ETagged::created(version, supplier, location))
}

/// Update a supplier
///
/// For `national_admin`; needs `If-Match`. A given `strategic_profile` replaces the profile's
/// fields; the risk rating changes only through `risk-ratings`.
#[utoipa::path(
    tag = "Suppliers",
    params(
        ("id" = String, Path, description = "The supplier's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = SupplierChanges,
    responses((status = 200, description = "Updated", body = Supplier, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/suppliers/{id}")]
pub async fn update_supplier(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<SupplierChanges>,
) -> ApiResult<ETagged<Supplier>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let id = id.into_inner();
    let (version, supplier) = state
        .write(move |conn| {
                let current = store::get(conn, &id)?;
                let (expected, changes) = (expected?, body.parse()?);
                changes.validate(current.strategic)?;
                let row = store::update(conn, &id, expected, SupplierChangeset::from_changes(&changes))?;
                let existing = store::profile(conn, &id)?;
                let risk_rating = existing.as_ref().and_then(|p| p.risk_rating.clone());
                if let Some(input) = changes.strategic_profile.clone() {
                    store::save_profile(conn, &input.into_row(id.clone(), risk_rating))?;
                } else if row.strategic && existing.is_none() {
                    store::save_profile(conn, &StrategicProfileInput::default().into_row(id.clone(), None))?;
                }
                audit::record(
                    conn,
                    &principal,
                    "supplier.updated",
                    "supplier",
                    &id,
                    json!({"name": changes.name, "strategic": changes.strategic, "regions": changes.regions, "profile_replaced": changes.strategic_profile.is_some()}),
                )?;
                view(conn, &principal, &id)
        })
        .await?;
    Ok(ETagged::ok(version, supplier))
}

/// Update a supplier's own contacts and evidence
///
/// For the supplier's own staff (`supplier` role whose `supplier` claim is this id) or
/// `national_admin`; needs `If-Match`.
#[utoipa::path(
    tag = "Suppliers",
    params(
        ("id" = String, Path, description = "The supplier's id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = SupplierProfileChanges,
    responses((status = 200, description = "Updated", body = Supplier, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/suppliers/{id}/profile")]
pub async fn update_supplier_profile(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<SupplierProfileChanges>,
) -> ApiResult<ETagged<Supplier>> {
    let id = id.into_inner();
    if !(principal.has(Role::NationalAdmin) || principal.acting_supplier() == Some(id.as_str())) {
        return Err(ApiError::Forbidden(
            "only the supplier itself or a national admin may change its profile".into(),
        ));
    }
    let expected = required_if_match(&req);
    let (version, supplier) = state
        .write(move |conn| {
                store::get(conn, &id)?;
                let (expected, changes) = (expected?, body.parse()?);
                changes.validate()?;
                let detail = json!({"contacts_replaced": changes.contacts.is_some(), "evidence_replaced": changes.evidence.is_some()});
                store::update(conn, &id, expected, changes.into_changeset())?;
                audit::record(conn, &principal, "supplier.profile_updated", "supplier", &id, detail)?;
                view(conn, &principal, &id)
        })
        .await?;
    Ok(ETagged::ok(version, supplier))
}

/// List a strategic supplier's risk-rating history
///
/// Oldest first. Not for other suppliers.
#[utoipa::path(
    tag = "Suppliers",
    params(("id" = String, Path, description = "The supplier's id"), HistoryFilter),
    responses((status = 200, description = "A page of rating changes", body = Paged<RiskRatingChange>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/suppliers/{id}/risk-ratings")]
pub async fn list_risk_ratings(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    filter: QueryParams<HistoryFilter>,
) -> ApiResult<web::Json<Paged<RiskRatingChange>>> {
    let id = id.into_inner();
    require_management_view(&principal, &id)?;
    let paged = state
        .db(move |conn| {
            store::get(conn, &id)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            let rows = store::risk_history(conn, &id, &page)?;
            let paged = Paged::from_rows(rows, &page, |row| &row.id);
            let items = paged
                .items
                .into_iter()
                .map(RiskChangeRow::into_api)
                .collect::<ApiResult<_>>()?;
            Ok(Paged {
                items,
                next_cursor: paged.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(paged))
}

/// Change a strategic supplier's risk rating
///
/// For `national_admin`. The reason is kept in the history with who changed it and when.
#[utoipa::path(
    tag = "Suppliers",
    params(("id" = String, Path, description = "The supplier's id"), IdempotencyKeyHeader),
    request_body = NewRiskRating,
    responses((status = 201, description = "Recorded; now the current rating", body = RiskRatingChange), CreateErrors),
    security(("bearer" = []))
)]
#[post("/suppliers/{id}/risk-ratings")]
pub async fn create_risk_rating(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: JsonBody<NewRiskRating>,
) -> ApiResult<HttpResponse> {
    principal.require_national_admin()?;
    let id = id.into_inner();
    let change = state
        .write(move |conn| {
            store::lock_for_change(conn, &id)?;
            let new = body.parse()?;
            new.validate()?;
            require_strategic(conn, &id)?;
            let previous = store::profile(conn, &id)?.and_then(|p| p.risk_rating);
            let row = RiskChangeRow {
                id: clock::new_id(),
                supplier_id: id.clone(),
                rating: new.rating.as_str().to_owned(),
                previous_rating: previous,
                reason: new.reason.trim().to_owned(),
                changed_by: principal.subject.clone(),
                changed_at: clock::now(),
            };
            store::record_risk_change(conn, &row)?;
            audit::record(
                conn,
                &principal,
                "supplier.risk_rated",
                "supplier",
                &id,
                json!({"rating": row.rating, "previous_rating": row.previous_rating, "reason": row.reason}),
            )?;
            // A re-rating at the same level (a fresh reason) is recorded, but is no change.
            if row.previous_rating.as_deref() != Some(row.rating.as_str()) {
                let supplier = store::get(conn, &id)?;
                webhooks::events::emit(
                    conn,
                    EventType::SupplierRiskRatingChanged,
                    Audience::AllTenants,
                    json!({
                        "supplier_id": id,
                        "supplier_name": supplier.name,
                        "rating": row.rating,
                        "previous_rating": row.previous_rating,
                        "reason": row.reason,
                        "changed_at": clock::utc(row.changed_at),
                    }),
                )?;
            }
            row.into_api()
        })
        .await?;
    Ok(HttpResponse::Created().json(change))
}

/// List a strategic supplier's KPI scores
#[utoipa::path(
    tag = "Suppliers",
    params(("id" = String, Path, description = "The supplier's id"), KpiFilter),
    responses((status = 200, description = "A page of KPI scores", body = Paged<KpiScore>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/suppliers/{id}/kpi-scores")]
pub async fn list_kpi_scores(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    filter: QueryParams<KpiFilter>,
) -> ApiResult<web::Json<Paged<KpiScore>>> {
    let id = id.into_inner();
    require_management_view(&principal, &id)?;
    let paged = state
        .db(move |conn| {
            store::get(conn, &id)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            if let Some(period) = &filter.period
                && !is_quarter(period)
            {
                return Err(ApiError::invalid("period", "must be a quarter such as `2026-Q3`"));
            }
            let rows = store::kpi_scores(conn, &id, &filter, &page)?;
            Ok(Paged::from_rows(rows, &page, |row| &row.id).map(KpiScoreRow::into_api))
        })
        .await?;
    Ok(web::Json(paged))
}

/// Record a KPI score for a strategic supplier
///
/// For `national_admin`. One score per KPI per quarter.
#[utoipa::path(
    tag = "Suppliers",
    params(("id" = String, Path, description = "The supplier's id"), IdempotencyKeyHeader),
    request_body = NewKpiScore,
    responses((status = 201, description = "Recorded", body = KpiScore), CreateErrors),
    security(("bearer" = []))
)]
#[post("/suppliers/{id}/kpi-scores")]
pub async fn create_kpi_score(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: JsonBody<NewKpiScore>,
) -> ApiResult<HttpResponse> {
    principal.require_national_admin()?;
    let id = id.into_inner();
    let score = state
        .write(move |conn| {
            store::lock_for_change(conn, &id)?;
            let new = body.parse()?;
            new.validate()?;
            require_strategic(conn, &id)?;
            let row = KpiScoreRow {
                id: clock::new_id(),
                supplier_id: id.clone(),
                period: new.period,
                name: new.name.trim().to_owned(),
                score: new.score,
                target: new.target,
                recorded_by: principal.subject.clone(),
                recorded_at: clock::now(),
            };
            store::insert_kpi_score(conn, &row)?;
            audit::record(
                conn,
                &principal,
                "supplier.kpi_recorded",
                "supplier",
                &id,
                json!({"period": row.period, "name": row.name, "score": row.score}),
            )?;
            Ok(row.into_api())
        })
        .await?;
    Ok(HttpResponse::Created().json(score))
}
