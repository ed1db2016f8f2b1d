//! The rows an OCDS page is made of, all filtered by the caller's `TenantScope`.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::auth::TenantScope;
use crate::contracts::model::ContractRow;
use crate::db::DbConnection;
use crate::db::schema::{categories, contracts, procurements, rule_decisions};
use crate::decisions::model::DecisionRow;
use crate::procurements::model::ProcurementRow;

pub fn procurements_after(
    conn: &mut DbConnection,
    scope: &TenantScope,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ProcurementRow>> {
    let mut query = procurements::table
        .filter(procurements::tenant_slug.eq(scope.slug().to_owned()))
        .select(ProcurementRow::as_select())
        .order(procurements::id.asc())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(procurements::id.gt(after.to_owned()));
    }
    query.limit(limit).load(conn)
}

/// Contracts not awarded from a procurement recorded here: they get releases of their own.
pub fn standalone_contracts_after(
    conn: &mut DbConnection,
    scope: &TenantScope,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ContractRow>> {
    let mut query = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug().to_owned()))
        .filter(contracts::procurement_id.is_null())
        .select(ContractRow::as_select())
        .order(contracts::id.asc())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(contracts::id.gt(after.to_owned()));
    }
    query.limit(limit).load(conn)
}

/// The contracts awarded from these procurements, by procurement id.
pub fn contracts_of(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement_ids: &[String],
) -> QueryResult<HashMap<String, ContractRow>> {
    let rows: Vec<ContractRow> = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .filter(contracts::procurement_id.eq_any(procurement_ids))
        .select(ContractRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.procurement_id.clone().map(|id| (id, row)))
        .collect())
}

/// The latest decision on each of these procurements.
pub fn latest_decisions(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement_ids: &[String],
) -> QueryResult<HashMap<String, DecisionRow>> {
    let rows: Vec<DecisionRow> = rule_decisions::table
        .filter(rule_decisions::tenant_slug.eq(scope.slug()))
        .filter(rule_decisions::procurement_id.eq_any(procurement_ids))
        .select(DecisionRow::as_select())
        .order(rule_decisions::id.asc())
        .load(conn)?;
    // Ids sort by creation time, so the last one seen per procurement is its latest.
    Ok(rows.into_iter().map(|row| (row.procurement_id.clone(), row)).collect())
}

pub fn category_names(conn: &mut DbConnection) -> QueryResult<HashMap<String, String>> {
    Ok(categories::table
        .select((categories::slug, categories::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
