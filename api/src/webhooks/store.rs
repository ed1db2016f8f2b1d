//! Subscription and delivery queries. A tenant's subscriptions are found only under its scope;
//! the national team's (no tenant) only by national roles.

use diesel::prelude::*;

use super::model::{DeliveryRow, SubscriptionRow};
use crate::db::schema::{webhook_deliveries, webhook_subscriptions};
use crate::db::{self, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::http::Page;

/// Whose subscriptions: a tenant's (by slug, from a `TenantScope`) or the national team's.
#[derive(Debug, Clone)]
pub enum Owner {
    Tenant(String),
    National,
}

impl Owner {
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Owner::Tenant(slug) => Some(slug),
            Owner::National => None,
        }
    }

    /// The tenant column's value on the owner's subscriptions.
    pub fn scope(&self) -> &str {
        db::scope_of(self.tenant())
    }
}

pub fn list(conn: &mut DbConnection, owner: &Owner, page: &Page) -> QueryResult<Vec<SubscriptionRow>> {
    let mut query = webhook_subscriptions::table
        .select(SubscriptionRow::as_select())
        .order(webhook_subscriptions::id.asc())
        .into_boxed();
    query = query.filter(webhook_subscriptions::tenant_slug.eq(owner.scope().to_owned()));
    if let Some(after) = &page.after {
        query = query.filter(webhook_subscriptions::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn active_count(conn: &mut DbConnection, owner: &Owner) -> QueryResult<i64> {
    let mut query = webhook_subscriptions::table
        .filter(webhook_subscriptions::active.eq(true))
        .into_boxed();
    query = query.filter(webhook_subscriptions::tenant_slug.eq(owner.scope().to_owned()));
    query.count().get_result(conn)
}

pub fn get(conn: &mut DbConnection, owner: &Owner, id: &str) -> ApiResult<SubscriptionRow> {
    let mut query = webhook_subscriptions::table
        .filter(webhook_subscriptions::id.eq(id.to_owned()))
        .select(SubscriptionRow::as_select())
        .into_boxed();
    query = query.filter(webhook_subscriptions::tenant_slug.eq(owner.scope().to_owned()));
    query
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("webhook subscription '{id}'")))
}

pub fn insert(conn: &mut DbConnection, row: &SubscriptionRow) -> QueryResult<()> {
    diesel::insert_into(webhook_subscriptions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Stops deliveries to it: those still pending are given up; its delivery history is kept.
pub fn deactivate(conn: &mut DbConnection, owner: &Owner, id: &str) -> ApiResult<SubscriptionRow> {
    let row = get(conn, owner, id)?;
    let now = crate::clock::now();
    diesel::update(webhook_subscriptions::table.find(id))
        .set((
            webhook_subscriptions::active.eq(false),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(id.to_owned()))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq("failed"),
        webhook_deliveries::last_error.eq("unsubscribed before it was delivered"),
        webhook_deliveries::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(row)
}

pub fn deliveries(
    conn: &mut DbConnection,
    owner: &Owner,
    subscription_id: &str,
    page: &Page,
) -> ApiResult<Vec<DeliveryRow>> {
    get(conn, owner, subscription_id)?;
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id.to_owned()))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.asc())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(webhook_deliveries::id.gt(after.clone()));
    }
    Ok(query.limit(page.fetch_limit()).load(conn)?)
}

/// Deliveries waiting to be sent (`pending`: the backlog) and given up (`failed`), every
/// instance's, for the metrics.
pub fn count_backlog_and_failed(conn: &mut DbConnection) -> QueryResult<(i64, i64)> {
    let pending = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .count()
        .get_result(conn)?;
    let failed = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("failed"))
        .count()
        .get_result(conn)?;
    Ok((pending, failed))
}
