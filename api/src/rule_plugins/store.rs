//! Rule-plugin queries, all within one tenant's scope.

use diesel::prelude::*;

use super::model::{NewRulePluginRow, RulePluginRow};
use crate::auth::TenantScope;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{active_rule_plugins, rule_plugins};
use crate::error::{ApiError, ApiResult};
use crate::http::Page;

pub fn list(conn: &mut DbConnection, scope: &TenantScope, page: &Page) -> QueryResult<Vec<RulePluginRow>> {
    let mut query = rule_plugins::table
        .filter(rule_plugins::tenant_slug.eq(scope.slug().to_owned()))
        .select(RulePluginRow::as_select())
        .order(rule_plugins::id.asc())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(rule_plugins::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, scope: &TenantScope, version: i64) -> ApiResult<RulePluginRow> {
    rule_plugins::table
        .filter(rule_plugins::tenant_slug.eq(scope.slug()))
        .filter(rule_plugins::version.eq(version))
        .select(RulePluginRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("rule plugin version {version} of '{}'", scope.slug())))
}

pub fn find_by_hash(conn: &mut DbConnection, scope: &TenantScope, sha256: &str) -> QueryResult<Option<RulePluginRow>> {
    rule_plugins::table
        .filter(rule_plugins::tenant_slug.eq(scope.slug()))
        .filter(rule_plugins::sha256.eq(sha256))
        .select(RulePluginRow::as_select())
        .first(conn)
        .optional()
}

/// The component's bytes, to compile a version that is not in the engine's cache.
pub fn wasm(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> QueryResult<Vec<u8>> {
    rule_plugins::table
        .filter(rule_plugins::tenant_slug.eq(scope.slug()))
        .filter(rule_plugins::id.eq(id))
        .select(rule_plugins::wasm)
        .first(conn)
}

pub fn next_version(conn: &mut DbConnection, scope: &TenantScope) -> QueryResult<i64> {
    let latest: Option<i64> = rule_plugins::table
        .filter(rule_plugins::tenant_slug.eq(scope.slug()))
        .select(diesel::dsl::max(rule_plugins::version))
        .first(conn)?;
    Ok(latest.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, row: &NewRulePluginRow) -> QueryResult<()> {
    diesel::insert_into(rule_plugins::table).values(row).execute(conn)?;
    Ok(())
}

/// The tenant's active version, if it has one.
pub fn active(conn: &mut DbConnection, scope: &TenantScope) -> QueryResult<Option<RulePluginRow>> {
    active_rule_plugins::table
        .inner_join(rule_plugins::table)
        .filter(active_rule_plugins::tenant_slug.eq(scope.slug()))
        .filter(rule_plugins::tenant_slug.eq(scope.slug()))
        .select(RulePluginRow::as_select())
        .first(conn)
        .optional()
}

/// Makes `plugin_id` the tenant's active version (replacing any other).
pub fn activate(conn: &mut DbConnection, scope: &TenantScope, plugin_id: &str, by: &str) -> QueryResult<()> {
    diesel::delete(active_rule_plugins::table.filter(active_rule_plugins::tenant_slug.eq(scope.slug())))
        .execute(conn)?;
    diesel::insert_into(active_rule_plugins::table)
        .values((
            active_rule_plugins::tenant_slug.eq(scope.slug()),
            active_rule_plugins::plugin_id.eq(plugin_id),
            active_rule_plugins::activated_by.eq(by),
            active_rule_plugins::activated_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}
