//! The audit trail: every change to national or tenant data is recorded, in the same transaction
//! as the change, with who made it; national roles read it through `/api/v1/audit-events`.

pub mod handlers;
pub mod model;

use diesel::prelude::*;

use crate::auth::{Principal, TenantScope};
use crate::clock;
use crate::db::schema::audit_events;
use crate::db::{self, DbConnection};

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditEvent<'a> {
    id: String,
    occurred_at: chrono::NaiveDateTime,
    actor: &'a str,
    tenant_slug: &'a str,
    action: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
    detail: String,
}

/// Records `action` (e.g. `framework.created`) on a resource, with a JSON detail of what changed.
pub fn record(
    conn: &mut DbConnection,
    actor: &Principal,
    action: &str,
    resource_type: &str,
    resource_id: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    insert(
        conn,
        actor,
        actor.acting_tenant(),
        action,
        resource_type,
        resource_id,
        detail,
    )
}

/// Records a change to a tenant's own data, under that tenant whoever made it (a national admin
/// acting for a force included), so the tenant's admins see it in their trail.
pub fn record_for_tenant(
    conn: &mut DbConnection,
    actor: &Principal,
    scope: &TenantScope,
    action: &str,
    resource_type: &str,
    resource_id: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    insert(
        conn,
        actor,
        Some(scope.slug()),
        action,
        resource_type,
        resource_id,
        detail,
    )
}

fn insert(
    conn: &mut DbConnection,
    actor: &Principal,
    tenant_slug: Option<&str>,
    action: &str,
    resource_type: &str,
    resource_id: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewAuditEvent {
            id: clock::new_id(),
            occurred_at: clock::now(),
            actor: &actor.subject,
            tenant_slug: db::scope_of(tenant_slug),
            action,
            resource_type,
            resource_id,
            detail: detail.to_string(),
        })
        .execute(conn)?;
    Ok(())
}
