//! Category queries.

use diesel::prelude::*;

use super::model::{CategoryChangeset, CategoryFilter, CategoryRow, CategoryTree};
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::categories;
use crate::error::{ApiError, ApiResult};
use crate::http::Page;
use crate::text_search::contains_pattern;

pub fn tree(conn: &mut DbConnection) -> QueryResult<CategoryTree> {
    let pairs = categories::table
        .select((categories::slug, categories::parent_slug))
        .load(conn)?;
    Ok(CategoryTree::new(pairs))
}

pub fn list(conn: &mut DbConnection, filter: &CategoryFilter, page: &Page) -> QueryResult<Vec<CategoryRow>> {
    let mut query = categories::table
        .select(CategoryRow::as_select())
        .order(categories::slug.asc())
        .into_boxed();
    if let Some(parent) = &filter.parent {
        query = query.filter(categories::parent_slug.eq(parent.clone()));
    }
    match filter.top_level {
        Some(true) => query = query.filter(categories::parent_slug.is_null()),
        Some(false) => query = query.filter(categories::parent_slug.is_not_null()),
        None => {}
    }
    if let Some(joint) = filter.joint_with_fire {
        query = query.filter(categories::joint_with_fire.eq(joint));
    }
    if let Some(pattern) = contains_pattern(filter.q.as_deref()) {
        query = query.filter(
            crate::text_search::lower(categories::name)
                .like(pattern.clone())
                .escape('\\')
                .or(crate::text_search::lower(categories::description)
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(after) = &page.after {
        query = query.filter(categories::slug.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, slug: &str) -> ApiResult<CategoryRow> {
    categories::table
        .find(slug)
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("category '{slug}'")))
}

pub fn insert(conn: &mut DbConnection, row: &CategoryRow) -> ApiResult<()> {
    let exists = categories::table.find(&row.slug).count().get_result::<i64>(conn)? > 0;
    if exists {
        return Err(ApiError::conflict(
            "category_exists",
            format!("category '{}' already exists", row.slug),
        ));
    }
    diesel::insert_into(categories::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(
    conn: &mut DbConnection,
    slug: &str,
    expected_version: i64,
    changes: CategoryChangeset,
) -> ApiResult<CategoryRow> {
    let updated = diesel::update(
        categories::table
            .find(slug)
            .filter(categories::version.eq(expected_version)),
    )
    .set((
        changes,
        categories::version.eq(categories::version + 1),
        categories::updated_at.eq(clock::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        get(conn, slug)?;
        return Err(ApiError::PreconditionFailed);
    }
    get(conn, slug)
}
