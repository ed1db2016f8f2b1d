//! National rule-plugin queries. Rows come back in the shape of a tenant's plugin version, with
//! `national` as the tenant, so the API answers both with one resource.

use diesel::prelude::*;

use super::NATIONAL;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{active_national_rule_plugin, national_rule_plugins};
use crate::error::{ApiError, ApiResult};
use crate::http::Page;
use crate::rule_plugins::model::{NewRulePluginRow, RulePluginRow};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = national_rule_plugins)]
struct NationalRow {
    id: String,
    version: i64,
    sha256: String,
    size_bytes: i64,
    name: String,
    plugin_version: String,
    interface_version: String,
    rules: String,
    fixtures_total: i32,
    fixtures_passed: i32,
    fixture_report: String,
    uploaded_by: String,
    uploaded_at: chrono::NaiveDateTime,
}

impl From<NationalRow> for RulePluginRow {
    fn from(r: NationalRow) -> RulePluginRow {
        RulePluginRow {
            id: r.id,
            tenant_slug: NATIONAL.to_owned(),
            version: r.version,
            sha256: r.sha256,
            size_bytes: r.size_bytes,
            name: r.name,
            plugin_version: r.plugin_version,
            interface_version: r.interface_version,
            rules: r.rules,
            fixtures_total: r.fixtures_total,
            fixtures_passed: r.fixtures_passed,
            fixture_report: r.fixture_report,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
        }
    }
}

pub fn list(conn: &mut DbConnection, page: &Page) -> QueryResult<Vec<RulePluginRow>> {
    let mut query = national_rule_plugins::table
        .select(NationalRow::as_select())
        .order(national_rule_plugins::id.asc())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(national_rule_plugins::id.gt(after.clone()));
    }
    Ok(query
        .limit(page.fetch_limit())
        .load(conn)?
        .into_iter()
        .map(RulePluginRow::from)
        .collect())
}

pub fn get(conn: &mut DbConnection, version: i64) -> ApiResult<RulePluginRow> {
    national_rule_plugins::table
        .filter(national_rule_plugins::version.eq(version))
        .select(NationalRow::as_select())
        .first(conn)
        .optional()?
        .map(RulePluginRow::from)
        .ok_or_else(|| ApiError::not_found(format_args!("national rule plugin version {version}")))
}

pub fn find_by_hash(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<RulePluginRow>> {
    Ok(national_rule_plugins::table
        .filter(national_rule_plugins::sha256.eq(sha256))
        .select(NationalRow::as_select())
        .first(conn)
        .optional()?
        .map(RulePluginRow::from))
}

/// The component's bytes, to compile a version that is not in the engine's cache.
pub fn wasm(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<u8>> {
    national_rule_plugins::table
        .filter(national_rule_plugins::id.eq(id))
        .select(national_rule_plugins::wasm)
        .first(conn)
}

pub fn next_version(conn: &mut DbConnection) -> QueryResult<i64> {
    let latest: Option<i64> = national_rule_plugins::table
        .select(diesel::dsl::max(national_rule_plugins::version))
        .first(conn)?;
    Ok(latest.unwrap_or(0) + 1)
}

/// Stores a version; the row's `tenant_slug` is not stored (it is `national` by definition).
pub fn insert(conn: &mut DbConnection, row: &NewRulePluginRow) -> QueryResult<()> {
    diesel::insert_into(national_rule_plugins::table)
        .values((
            national_rule_plugins::id.eq(&row.id),
            national_rule_plugins::version.eq(row.version),
            national_rule_plugins::sha256.eq(&row.sha256),
            national_rule_plugins::wasm.eq(&row.wasm),
            national_rule_plugins::size_bytes.eq(row.size_bytes),
            national_rule_plugins::name.eq(&row.name),
            national_rule_plugins::plugin_version.eq(&row.plugin_version),
            national_rule_plugins::interface_version.eq(&row.interface_version),
            national_rule_plugins::rules.eq(&row.rules),
            national_rule_plugins::fixtures_total.eq(row.fixtures_total),
            national_rule_plugins::fixtures_passed.eq(row.fixtures_passed),
            national_rule_plugins::fixture_report.eq(&row.fixture_report),
            national_rule_plugins::uploaded_by.eq(&row.uploaded_by),
            national_rule_plugins::uploaded_at.eq(row.uploaded_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The national version in force, if any.
pub fn active(conn: &mut DbConnection) -> QueryResult<Option<RulePluginRow>> {
    Ok(active_national_rule_plugin::table
        .inner_join(national_rule_plugins::table)
        .select(NationalRow::as_select())
        .first(conn)
        .optional()?
        .map(RulePluginRow::from))
}

/// Makes `plugin_id` the national version in force (replacing any other).
pub fn activate(conn: &mut DbConnection, plugin_id: &str, by: &str) -> QueryResult<()> {
    diesel::delete(active_national_rule_plugin::table).execute(conn)?;
    diesel::insert_into(active_national_rule_plugin::table)
        .values((
            active_national_rule_plugin::layer.eq(NATIONAL),
            active_national_rule_plugin::plugin_id.eq(plugin_id),
            active_national_rule_plugin::activated_by.eq(by),
            active_national_rule_plugin::activated_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}
