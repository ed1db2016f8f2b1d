//! Supplier queries.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{SupplierAward, SupplierChangeset, SupplierFilter, SupplierRow};
use super::strategic::{KpiFilter, KpiScoreRow, RiskChangeRow};
use super::strategic_profile::StrategicProfileRow;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{
    frameworks, lot_suppliers, lots, strategic_profiles, supplier_kpi_scores, supplier_risk_changes, suppliers,
};
use crate::error::{ApiError, ApiResult};
use crate::frameworks::model::AwardStatus;
use crate::http::Page;
use crate::region::Region;
use crate::text_search::{contains_pattern, lower};

pub fn list(conn: &mut DbConnection, filter: &SupplierFilter, page: &Page) -> QueryResult<Vec<SupplierRow>> {
    let mut query = suppliers::table
        .select(SupplierRow::as_select())
        .order(suppliers::id.asc())
        .into_boxed();
    if let Some(pattern) = contains_pattern(filter.q.as_deref()) {
        // Companies House numbers are upper case and may be NULL, so they are matched as
        // they are stored rather than through lower().
        let number_pattern = pattern.to_uppercase();
        query = query.filter(
            lower(suppliers::name)
                .like(pattern)
                .escape('\\')
                .or(suppliers::companies_house_number.like(number_pattern).escape('\\')),
        );
    }
    if let Some(strategic) = filter.strategic {
        query = query.filter(suppliers::strategic.eq(strategic));
    }
    if let Some(sme) = filter.sme {
        query = query.filter(suppliers::sme.eq(sme));
    }
    if let Some(vcse) = filter.vcse {
        query = query.filter(suppliers::vcse.eq(vcse));
    }
    if let Some(region) = filter.region {
        // Regions are stored as a JSON array of known codes, so the quoted code matches exactly.
        query = query.filter(
            suppliers::regions
                .like(format!("%\"{}\"%", region.as_str()))
                .or(suppliers::regions.like(format!("%\"{}\"%", Region::National.as_str()))),
        );
    }
    if let Some(framework) = &filter.framework {
        query = query.filter(
            suppliers::id.eq_any(
                lot_suppliers::table
                    .inner_join(lots::table)
                    .filter(lots::framework_id.eq(framework.clone()))
                    .select(lot_suppliers::supplier_id),
            ),
        );
    }
    if let Some(after) = &page.after {
        query = query.filter(suppliers::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SupplierRow>> {
    suppliers::table
        .find(id)
        .select(SupplierRow::as_select())
        .first(conn)
        .optional()
}

/// The supplier with this Companies House number (as stored: upper case, 8 characters), if any.
pub fn find_by_companies_house_number(conn: &mut DbConnection, number: &str) -> QueryResult<Option<SupplierRow>> {
    suppliers::table
        .filter(suppliers::companies_house_number.eq(number))
        .select(SupplierRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, id: &str) -> ApiResult<SupplierRow> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found(format_args!("supplier '{id}'")))
}

pub fn profile(conn: &mut DbConnection, id: &str) -> QueryResult<Option<StrategicProfileRow>> {
    strategic_profiles::table
        .find(id)
        .select(StrategicProfileRow::as_select())
        .first(conn)
        .optional()
}

pub fn profiles(conn: &mut DbConnection, ids: &[String]) -> QueryResult<HashMap<String, StrategicProfileRow>> {
    let rows = strategic_profiles::table
        .filter(strategic_profiles::supplier_id.eq_any(ids))
        .select(StrategicProfileRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.supplier_id.clone(), row)).collect())
}

pub fn awards(conn: &mut DbConnection, id: &str) -> ApiResult<Vec<SupplierAward>> {
    let rows: Vec<(String, String, String, i32, String, String)> = lot_suppliers::table
        .inner_join(lots::table.inner_join(frameworks::table))
        .filter(lot_suppliers::supplier_id.eq(id))
        .order((frameworks::reference.asc(), lots::number.asc()))
        .select((
            frameworks::id,
            frameworks::reference,
            frameworks::title,
            lots::number,
            lots::title,
            lot_suppliers::status,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(framework_id, framework_reference, framework_title, lot_number, lot_title, status)| {
                Ok(SupplierAward {
                    framework_id,
                    framework_reference,
                    framework_title,
                    lot_number,
                    lot_title,
                    status: AwardStatus::from_db(&status)?,
                })
            },
        )
        .collect()
}

fn check_unique(
    conn: &mut DbConnection,
    name: Option<&str>,
    number: Option<&str>,
    except: Option<&str>,
) -> ApiResult<()> {
    if let Some(name) = name {
        let mut query = suppliers::table
            .filter(suppliers::name.eq(name))
            .select(suppliers::id)
            .into_boxed();
        if let Some(except) = except {
            query = query.filter(suppliers::id.ne(except));
        }
        if query.first::<String>(conn).optional()?.is_some() {
            return Err(ApiError::conflict(
                "supplier_exists",
                format!("a supplier named '{name}' already exists"),
            ));
        }
    }
    if let Some(number) = number {
        let mut query = suppliers::table
            .filter(suppliers::companies_house_number.eq(number))
            .select(suppliers::id)
            .into_boxed();
        if let Some(except) = except {
            query = query.filter(suppliers::id.ne(except));
        }
        if query.first::<String>(conn).optional()?.is_some() {
            return Err(ApiError::conflict(
                "supplier_exists",
                format!("a supplier with Companies House number {number} already exists"),
            ));
        }
    }
    Ok(())
}

pub fn insert(conn: &mut DbConnection, row: &SupplierRow, profile: Option<&StrategicProfileRow>) -> ApiResult<()> {
    check_unique(conn, Some(&row.name), row.companies_house_number.as_deref(), None)?;
    diesel::insert_into(suppliers::table).values(row).execute(conn)?;
    if let Some(profile) = profile {
        diesel::insert_into(strategic_profiles::table)
            .values(profile)
            .execute(conn)?;
    }
    Ok(())
}

/// Applies `changes` if the supplier is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    changes: SupplierChangeset,
) -> ApiResult<SupplierRow> {
    check_unique(
        conn,
        changes.name.as_deref(),
        changes.companies_house_number.as_ref().and_then(|n| n.as_deref()),
        Some(id),
    )?;
    let updated = diesel::update(
        suppliers::table
            .find(id)
            .filter(suppliers::version.eq(expected_version)),
    )
    .set((
        changes,
        suppliers::version.eq(suppliers::version + 1),
        suppliers::updated_at.eq(clock::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        get(conn, id)?;
        return Err(ApiError::PreconditionFailed);
    }
    get(conn, id)
}

/// Creates or replaces a supplier's strategic profile.
pub fn save_profile(conn: &mut DbConnection, profile: &StrategicProfileRow) -> QueryResult<()> {
    let exists = strategic_profiles::table
        .find(&profile.supplier_id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(strategic_profiles::table.find(&profile.supplier_id))
            .set(profile)
            .execute(conn)?;
    } else {
        diesel::insert_into(strategic_profiles::table)
            .values(profile)
            .execute(conn)?;
    }
    Ok(())
}

/// Bumps the supplier's version. As the transaction's first write it also locks the supplier's
/// row (PostgreSQL), so concurrent changes to its ratings or scores queue rather than each
/// reading the same "current" state.
pub fn lock_for_change(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    let updated = diesel::update(suppliers::table.find(id))
        .set((
            suppliers::version.eq(suppliers::version + 1),
            suppliers::updated_at.eq(clock::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::not_found(format_args!("supplier '{id}'")));
    }
    Ok(())
}

/// Records a new rating in the history and makes it the current one. Call after
/// [`lock_for_change`], in the same transaction.
pub fn record_risk_change(conn: &mut DbConnection, change: &RiskChangeRow) -> QueryResult<()> {
    diesel::insert_into(supplier_risk_changes::table)
        .values(change)
        .execute(conn)?;
    diesel::update(strategic_profiles::table.find(&change.supplier_id))
        .set(strategic_profiles::risk_rating.eq(Some(change.rating.clone())))
        .execute(conn)?;
    Ok(())
}

/// The rating history, oldest first.
pub fn risk_history(conn: &mut DbConnection, id: &str, page: &Page) -> QueryResult<Vec<RiskChangeRow>> {
    let mut query = supplier_risk_changes::table
        .filter(supplier_risk_changes::supplier_id.eq(id))
        .select(RiskChangeRow::as_select())
        .order(supplier_risk_changes::id.asc())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(supplier_risk_changes::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn kpi_scores(conn: &mut DbConnection, id: &str, filter: &KpiFilter, page: &Page) -> QueryResult<Vec<KpiScoreRow>> {
    let mut query = supplier_kpi_scores::table
        .filter(supplier_kpi_scores::supplier_id.eq(id))
        .select(KpiScoreRow::as_select())
        .order(supplier_kpi_scores::id.asc())
        .into_boxed();
    if let Some(period) = &filter.period {
        query = query.filter(supplier_kpi_scores::period.eq(period.clone()));
    }
    if let Some(after) = &page.after {
        query = query.filter(supplier_kpi_scores::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn insert_kpi_score(conn: &mut DbConnection, row: &KpiScoreRow) -> ApiResult<()> {
    let exists = supplier_kpi_scores::table
        .filter(supplier_kpi_scores::supplier_id.eq(&row.supplier_id))
        .filter(supplier_kpi_scores::period.eq(&row.period))
        .filter(supplier_kpi_scores::name.eq(&row.name))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Err(ApiError::conflict(
            "kpi_score_exists",
            format!("a score for '{}' in {} is already recorded", row.name, row.period),
        ));
    }
    diesel::insert_into(supplier_kpi_scores::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
