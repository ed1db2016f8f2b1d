//! Spend queries. Every function takes the caller's `TenantScope` and filters by it.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{SpendFilter, SpendLineRow};
use crate::auth::TenantScope;
use crate::db::schema::{contracts, spend_lines};
use crate::db::{self, DbConnection};
use crate::http::Page;

pub fn list(
    conn: &mut DbConnection,
    scope: &TenantScope,
    filter: &SpendFilter,
    page: &Page,
) -> QueryResult<Vec<SpendLineRow>> {
    // Joined on the tenant as well as the id, so the join stays on one shard when the tables are
    // distributed by tenant (docs/scaling.md).
    let mut query = spend_lines::table
        .left_join(
            contracts::table.on(contracts::tenant_slug
                .eq(spend_lines::tenant_slug)
                .and(spend_lines::contract_id.eq(contracts::id.nullable()))),
        )
        .filter(spend_lines::tenant_slug.eq(scope.slug().to_owned()))
        .select(SpendLineRow::as_select())
        .order(spend_lines::id.asc())
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(spend_lines::paid_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(spend_lines::paid_on.le(to));
    }
    if let Some(supplier) = &filter.supplier {
        query = query.filter(spend_lines::supplier_id.eq(supplier.clone()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(spend_lines::category_slug.eq(category.clone()));
    }
    if let Some(contract) = &filter.contract {
        query = query.filter(spend_lines::contract_id.eq(contract.clone()));
    }
    // Under contract as the `spend_under_contract` KPI counts it: naming a register contract and
    // paid within its term (start to end, or to its termination if earlier).
    let paid_in_term = contracts::start_date
        .nullable()
        .le(spend_lines::paid_on.nullable())
        .and(contracts::end_date.nullable().ge(spend_lines::paid_on.nullable()))
        .and(
            contracts::terminated_on
                .is_null()
                .or(contracts::terminated_on.ge(spend_lines::paid_on.nullable())),
        );
    match filter.under_contract {
        Some(true) => query = query.filter(paid_in_term),
        // A line naming a contract always finds it (a foreign key), so the test is never unknown.
        Some(false) => query = query.filter(spend_lines::contract_id.is_null().or(diesel::dsl::not(paid_in_term))),
        None => {}
    }
    if let Some(import) = &filter.import {
        query = query.filter(spend_lines::import_id.eq(import.clone()));
    }
    if let Some(after) = &page.after {
        query = query.filter(spend_lines::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

/// The tenant's recorded payments with these transaction ids.
pub fn by_transaction_ids(
    conn: &mut DbConnection,
    scope: &TenantScope,
    ids: &[&str],
) -> QueryResult<HashMap<String, SpendLineRow>> {
    let mut found = HashMap::new();
    // Kept well under both databases' limits on bound values.
    for chunk in ids.chunks(5_000) {
        let rows: Vec<SpendLineRow> = spend_lines::table
            .filter(spend_lines::tenant_slug.eq(scope.slug()))
            .filter(spend_lines::transaction_id.eq_any(chunk))
            .select(SpendLineRow::as_select())
            .load(conn)?;
        for row in rows {
            if let Some(id) = row.transaction_id.clone() {
                found.insert(id, row);
            }
        }
    }
    Ok(found)
}

/// The tenant's recorded payments without a transaction id, paid on any of `dates`.
pub fn without_transaction_id_on(
    conn: &mut DbConnection,
    scope: &TenantScope,
    dates: &[NaiveDate],
) -> QueryResult<Vec<SpendLineRow>> {
    let mut found = Vec::new();
    for chunk in dates.chunks(5_000) {
        found.extend(
            spend_lines::table
                .filter(spend_lines::tenant_slug.eq(scope.slug()))
                .filter(spend_lines::paid_on.eq_any(chunk))
                .filter(spend_lines::transaction_id.is_null())
                .select(SpendLineRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Rows written at once: 15 columns each, within SQLite's limit on bound values for one
/// multi-row insert; between batches an import's progress moves.
pub const INSERT_BATCH: usize = 1_000;

/// Writes up to [`INSERT_BATCH`] validated rows (`COPY` on PostgreSQL; see [`db::bulk_insert`]).
pub fn insert_batch(conn: &mut DbConnection, rows: &[SpendLineRow]) -> QueryResult<()> {
    db::bulk_insert!(conn, spend_lines::table, rows)?;
    Ok(())
}
