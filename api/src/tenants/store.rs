//! Tenant queries.

use diesel::prelude::*;

use super::model::{TenantChangeset, TenantFilter, TenantRow};
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::tenants;
use crate::error::{ApiError, ApiResult};
use crate::http::Page;

pub fn list(conn: &mut DbConnection, filter: &TenantFilter, page: &Page) -> QueryResult<Vec<TenantRow>> {
    let mut query = tenants::table
        .select(TenantRow::as_select())
        .order(tenants::slug.asc())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(tenants::kind.eq(kind.as_str()));
    }
    if let Some(region) = filter.region {
        query = query.filter(tenants::region.eq(region.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(tenants::slug.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

/// Every tenant, by slug (national work across tenants: backtests of the national layer).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<TenantRow>> {
    tenants::table
        .select(TenantRow::as_select())
        .order(tenants::slug.asc())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<TenantRow>> {
    tenants::table
        .find(slug)
        .select(TenantRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, slug: &str) -> ApiResult<TenantRow> {
    find(conn, slug)?.ok_or_else(|| ApiError::not_found(format_args!("tenant '{slug}'")))
}

pub fn insert(conn: &mut DbConnection, row: &TenantRow) -> ApiResult<()> {
    if find(conn, &row.slug)?.is_some() {
        return Err(ApiError::conflict(
            "tenant_exists",
            format!("tenant '{}' already exists", row.slug),
        ));
    }
    diesel::insert_into(tenants::table).values(row).execute(conn)?;
    Ok(())
}

/// Applies `changes` if the tenant is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    slug: &str,
    expected_version: i64,
    changes: TenantChangeset,
) -> ApiResult<TenantRow> {
    let updated = diesel::update(tenants::table.find(slug).filter(tenants::version.eq(expected_version)))
        .set((
            changes,
            tenants::version.eq(tenants::version + 1),
            tenants::updated_at.eq(clock::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        get(conn, slug)?;
        return Err(ApiError::PreconditionFailed);
    }
    get(conn, slug)
}
