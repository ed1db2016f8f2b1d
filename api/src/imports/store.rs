//! Import records. Every function takes the caller's `TenantScope` and filters by it.

use diesel::prelude::*;

use super::model::{ImportFilter, ImportKind, ImportRow, ImportStatus};
use crate::auth::TenantScope;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::imports;
use crate::error::{ApiError, ApiResult};
use crate::http::Page;

pub fn list(
    conn: &mut DbConnection,
    scope: &TenantScope,
    filter: &ImportFilter,
    page: &Page,
) -> QueryResult<Vec<ImportRow>> {
    let mut query = imports::table
        .filter(imports::tenant_slug.eq(scope.slug().to_owned()))
        .select(ImportRow::as_select())
        .order(imports::id.asc())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(imports::kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(imports::status.eq(status.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(imports::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> ApiResult<ImportRow> {
    imports::table
        .filter(imports::tenant_slug.eq(scope.slug()))
        .filter(imports::id.eq(id))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("import '{id}'")))
}

/// The completed import of this exact file, if the tenant has sent it before.
pub fn completed_with_hash(
    conn: &mut DbConnection,
    scope: &TenantScope,
    kind: ImportKind,
    sha256: &str,
) -> QueryResult<Option<ImportRow>> {
    imports::table
        .filter(imports::tenant_slug.eq(scope.slug()))
        .filter(imports::kind.eq(kind.as_str()))
        .filter(imports::sha256.eq(sha256))
        .filter(imports::status.eq(ImportStatus::Completed.as_str()))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &ImportRow) -> QueryResult<()> {
    diesel::insert_into(imports::table).values(row).execute(conn)?;
    Ok(())
}

/// Marks a running import completed; one already marked failed (by a restart) stays failed, and
/// the caller's transaction, which wrote its rows, is rolled back by the error. Addressed by its
/// tenant and id, as every tenant row is (one shard when distributed by tenant).
pub fn complete(conn: &mut DbConnection, scope: &TenantScope, id: &str, rows_written: i64) -> ApiResult<()> {
    let updated = diesel::update(
        imports::table
            .filter(imports::tenant_slug.eq(scope.slug()))
            .filter(imports::id.eq(id))
            .filter(imports::status.eq(ImportStatus::Running.as_str())),
    )
    .set((
        imports::status.eq(ImportStatus::Completed.as_str()),
        imports::rows_written.eq(rows_written),
        imports::finished_at.eq(Some(clock::now())),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::conflict(
            "import_not_running",
            "the import was marked failed while it ran (a restart of the service)",
        ));
    }
    Ok(())
}

pub fn fail(conn: &mut DbConnection, scope: &TenantScope, id: &str, failure: &str) -> QueryResult<()> {
    diesel::update(
        imports::table
            .filter(imports::tenant_slug.eq(scope.slug()))
            .filter(imports::id.eq(id)),
    )
    .set((
        imports::status.eq(ImportStatus::Failed.as_str()),
        imports::rows_written.eq(0),
        imports::failure.eq(Some(failure)),
        imports::finished_at.eq(Some(clock::now())),
    ))
    .execute(conn)?;
    Ok(())
}

/// Imports left `running` by a previous run of the service were rolled back when it stopped;
/// they are marked failed so that nobody waits for them. Returns how many.
pub fn fail_interrupted(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::update(imports::table.filter(imports::status.eq(ImportStatus::Running.as_str())))
        .set((
            imports::status.eq(ImportStatus::Failed.as_str()),
            imports::rows_written.eq(0),
            imports::failure.eq(Some(
                "interrupted by a restart of the service; nothing from it was written; send the file again",
            )),
            imports::finished_at.eq(Some(clock::now())),
        ))
        .execute(conn)
}
