//! Framework, lot and award queries.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{
    AwardStatus, FrameworkChangeset, FrameworkRow, FrameworkStatus, Lot, LotChangeset, LotRow, LotSupplier,
    LotSupplierRow,
};
use super::view::{FrameworkView, LotCount, ViewerKind};
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{frameworks, lot_suppliers, lots, suppliers};
use crate::error::{ApiError, ApiResult};
use crate::http::Page;
use crate::text_search::{contains_pattern, lower};

/// A framework search with its filters resolved (category subtree, eligibility values).
#[derive(Debug, Default)]
pub struct FrameworkQuery {
    pub q: Option<String>,
    pub categories: Option<Vec<String>>,
    pub status: Option<FrameworkStatus>,
    pub supplier: Option<String>,
    pub eligibilities: Option<Vec<&'static str>>,
    pub expires_before: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    search: &FrameworkQuery,
    page: &Page,
    today: NaiveDate,
    viewer: Option<&str>,
) -> QueryResult<Vec<FrameworkView>> {
    let mut query = frameworks::table
        .select((
            FrameworkRow::as_select(),
            LotCount,
            ViewerKind(viewer.map(str::to_owned)),
        ))
        .order(frameworks::id.asc())
        .into_boxed();
    if let Some(pattern) = contains_pattern(search.q.as_deref()) {
        query = query.filter(
            lower(frameworks::reference)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(frameworks::title).like(pattern.clone()).escape('\\'))
                .or(lower(frameworks::description).like(pattern).escape('\\')),
        );
    }
    if let Some(categories) = &search.categories {
        query = query.filter(frameworks::category_slug.eq_any(categories.clone()));
    }
    // The same rule as FrameworkStatus::on, in SQL.
    match search.status {
        Some(FrameworkStatus::Expired) => query = query.filter(frameworks::end_date.lt(today)),
        Some(FrameworkStatus::Live) => {
            query = query
                .filter(frameworks::start_date.le(today))
                .filter(frameworks::end_date.is_null().or(frameworks::end_date.ge(today)))
        }
        Some(FrameworkStatus::Pipeline) => {
            query = query
                .filter(frameworks::start_date.is_null().or(frameworks::start_date.gt(today)))
                .filter(frameworks::end_date.is_null().or(frameworks::end_date.ge(today)))
        }
        None => {}
    }
    if let Some(supplier) = &search.supplier {
        query = query.filter(
            frameworks::id.eq_any(
                lots::table
                    .inner_join(lot_suppliers::table)
                    .filter(lot_suppliers::supplier_id.eq(supplier.clone()))
                    .select(lots::framework_id),
            ),
        );
    }
    if let Some(eligibilities) = &search.eligibilities {
        query = query.filter(frameworks::eligibility.eq_any(eligibilities.clone()));
    }
    if let Some(before) = search.expires_before {
        query = query.filter(frameworks::end_date.lt(before));
    }
    if let Some(after) = &page.after {
        query = query.filter(frameworks::id.gt(after.clone()));
    }
    let rows: Vec<(FrameworkRow, i64, Option<String>)> = query.limit(page.fetch_limit()).load(conn)?;
    Ok(rows.into_iter().map(FrameworkView::from).collect())
}

pub fn get(conn: &mut DbConnection, id: &str) -> ApiResult<FrameworkRow> {
    frameworks::table
        .find(id)
        .select(FrameworkRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("framework '{id}'")))
}

/// The framework with the kind of `viewer`'s tenant (see [`ViewerKind`]), in one statement; its
/// lots, and so their number, come from [`lots_of`].
pub fn find_with_viewer_kind(
    conn: &mut DbConnection,
    id: &str,
    viewer: Option<&str>,
) -> QueryResult<Option<(FrameworkRow, Option<String>)>> {
    frameworks::table
        .find(id)
        .select((FrameworkRow::as_select(), ViewerKind(viewer.map(str::to_owned))))
        .first(conn)
        .optional()
}

/// The framework's lots in number order, each with its awarded suppliers by name: one statement,
/// a row per award (or per lot with none).
pub fn lots_of(conn: &mut DbConnection, framework_id: &str) -> ApiResult<Vec<Lot>> {
    type AwardColumns = (String, String, bool, bool, String);
    // Two flat left joins rather than lots LEFT JOIN (awards JOIN suppliers): SQLite evaluates a
    // parenthesised join on its own first, every award in the country, for each read.
    let rows: Vec<(LotRow, Option<AwardColumns>)> = lots::table
        .left_join(lot_suppliers::table)
        .left_join(suppliers::table.on(suppliers::id.eq(lot_suppliers::supplier_id)))
        .filter(lots::framework_id.eq(framework_id))
        .order((lots::number.asc(), suppliers::name.asc(), suppliers::id.asc()))
        .select((
            LotRow::as_select(),
            (
                suppliers::id,
                suppliers::name,
                suppliers::sme,
                suppliers::vcse,
                lot_suppliers::status,
            )
                .nullable(),
        ))
        .load(conn)?;
    let mut lots: Vec<Lot> = Vec::new();
    let mut current: Option<LotRow> = None;
    let mut awarded: Vec<LotSupplier> = Vec::new();
    for (lot, award) in rows {
        // Rows come lot by lot: a new lot's first row closes the one before.
        if current.as_ref().is_none_or(|open| open.id != lot.id)
            && let Some(done) = current.replace(lot)
        {
            lots.push(done.into_api(std::mem::take(&mut awarded)));
        }
        if let Some((supplier_id, name, sme, vcse, status)) = award {
            awarded.push(LotSupplier {
                supplier_id,
                name,
                sme,
                vcse,
                status: AwardStatus::from_db(&status)?,
            });
        }
    }
    if let Some(done) = current {
        lots.push(done.into_api(awarded));
    }
    Ok(lots)
}

pub fn lot(conn: &mut DbConnection, framework_id: &str, number: i32) -> ApiResult<LotRow> {
    lots::table
        .filter(lots::framework_id.eq(framework_id))
        .filter(lots::number.eq(number))
        .select(LotRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("lot {number} of framework '{framework_id}'")))
}

/// Which of `ids` name no supplier.
pub fn unknown_suppliers<'a>(conn: &mut DbConnection, ids: &[&'a str]) -> QueryResult<HashSet<&'a str>> {
    let known: HashSet<String> = suppliers::table
        .filter(suppliers::id.eq_any(ids))
        .select(suppliers::id)
        .load(conn)?
        .into_iter()
        .collect();
    Ok(ids.iter().copied().filter(|id| !known.contains(*id)).collect())
}

/// The framework with this reference, if there is one.
pub fn find_by_reference(conn: &mut DbConnection, reference: &str) -> QueryResult<Option<FrameworkRow>> {
    frameworks::table
        .filter(frameworks::reference.eq(reference))
        .select(FrameworkRow::as_select())
        .first(conn)
        .optional()
}

/// The framework's lots as stored, in number order.
pub fn lot_rows(conn: &mut DbConnection, framework_id: &str) -> QueryResult<Vec<LotRow>> {
    lots::table
        .filter(lots::framework_id.eq(framework_id))
        .order(lots::number.asc())
        .select(LotRow::as_select())
        .load(conn)
}

/// The awards on these lots, whatever their status.
pub fn awards_on(conn: &mut DbConnection, lot_ids: &[String]) -> QueryResult<Vec<LotSupplierRow>> {
    lot_suppliers::table
        .filter(lot_suppliers::lot_id.eq_any(lot_ids))
        .select(LotSupplierRow::as_select())
        .load(conn)
}

pub fn reference_taken(conn: &mut DbConnection, reference: &str) -> QueryResult<bool> {
    Ok(frameworks::table
        .filter(frameworks::reference.eq(reference))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn insert(
    conn: &mut DbConnection,
    framework: &FrameworkRow,
    lots: &[(LotRow, Vec<LotSupplierRow>)],
) -> ApiResult<()> {
    if reference_taken(conn, &framework.reference)? {
        return Err(ApiError::conflict(
            "framework_exists",
            format!("a framework with reference '{}' already exists", framework.reference),
        ));
    }
    diesel::insert_into(frameworks::table).values(framework).execute(conn)?;
    for (lot, awards) in lots {
        insert_lot(conn, lot, awards)?;
    }
    Ok(())
}

pub fn insert_lot(conn: &mut DbConnection, lot: &LotRow, awards: &[LotSupplierRow]) -> QueryResult<()> {
    diesel::insert_into(lots::table).values(lot).execute(conn)?;
    for award in awards {
        diesel::insert_into(lot_suppliers::table).values(award).execute(conn)?;
    }
    Ok(())
}

/// Claims the framework at `expected_version` for a change to it or its lots: bumps its version,
/// or fails with 404 / 412. Call first inside the change's transaction.
pub fn claim_version(conn: &mut DbConnection, id: &str, expected_version: i64) -> ApiResult<()> {
    let updated = diesel::update(
        frameworks::table
            .find(id)
            .filter(frameworks::version.eq(expected_version)),
    )
    .set((
        frameworks::version.eq(frameworks::version + 1),
        frameworks::updated_at.eq(clock::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        get(conn, id)?;
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    changes: FrameworkChangeset,
) -> ApiResult<FrameworkRow> {
    claim_version(conn, id, expected_version)?;
    diesel::update(frameworks::table.find(id))
        .set((changes, frameworks::updated_at.eq(clock::now())))
        .execute(conn)?;
    get(conn, id)
}

pub fn update_lot(conn: &mut DbConnection, lot_id: &str, changes: LotChangeset) -> QueryResult<()> {
    if !changes.is_empty() {
        diesel::update(lots::table.find(lot_id)).set(changes).execute(conn)?;
    }
    Ok(())
}

/// Awards `supplier_id` the lot, or changes its status there.
pub fn set_award(conn: &mut DbConnection, lot_id: &str, supplier_id: &str, status: AwardStatus) -> QueryResult<()> {
    let now = clock::now();
    let updated = diesel::update(lot_suppliers::table.find((lot_id, supplier_id)))
        .set((
            lot_suppliers::status.eq(status.as_str()),
            lot_suppliers::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(lot_suppliers::table)
            .values(LotSupplierRow {
                lot_id: lot_id.to_owned(),
                supplier_id: supplier_id.to_owned(),
                status: status.as_str().to_owned(),
                updated_at: now,
            })
            .execute(conn)?;
    }
    Ok(())
}
