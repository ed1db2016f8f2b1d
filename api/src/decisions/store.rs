//! Decision-log queries, within one tenant's scope.

use diesel::prelude::*;

use super::model::DecisionRow;
use crate::auth::TenantScope;
use crate::db::DbConnection;
use crate::db::schema::rule_decisions;
use crate::error::{ApiError, ApiResult};
use crate::http::Page;

pub fn insert(conn: &mut DbConnection, row: &DecisionRow) -> QueryResult<()> {
    diesel::insert_into(rule_decisions::table).values(row).execute(conn)?;
    Ok(())
}

pub fn of_procurement(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement_id: &str,
    page: &Page,
) -> QueryResult<Vec<DecisionRow>> {
    let mut query = rule_decisions::table
        .filter(rule_decisions::tenant_slug.eq(scope.slug().to_owned()))
        .filter(rule_decisions::procurement_id.eq(procurement_id.to_owned()))
        .select(DecisionRow::as_select())
        .order(rule_decisions::id.asc())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(rule_decisions::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> ApiResult<DecisionRow> {
    rule_decisions::table
        .filter(rule_decisions::tenant_slug.eq(scope.slug()))
        .filter(rule_decisions::id.eq(id))
        .select(DecisionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("decision '{id}'")))
}

/// The procurement's latest recorded decision (ids sort by creation time).
pub fn latest_recorded(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement_id: &str,
) -> QueryResult<Option<DecisionRow>> {
    rule_decisions::table
        .filter(rule_decisions::tenant_slug.eq(scope.slug()))
        .filter(rule_decisions::procurement_id.eq(procurement_id))
        .filter(rule_decisions::replay_of.is_null())
        .select(DecisionRow::as_select())
        .order(rule_decisions::id.desc())
        .first(conn)
        .optional()
}
