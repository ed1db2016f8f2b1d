use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock;
use crate::db;
use crate::db::schema::audit_events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub tenant_slug: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub detail: String,
}

/// One recorded change: who did what to which record, and when.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// The token's `sub`.
    #[schema(example = "alice@bluelight")]
    pub actor: String,
    /// The tenant the actor acted for, if a tenant user.
    pub tenant: Option<String>,
    #[schema(example = "framework.updated")]
    pub action: String,
    #[schema(example = "framework")]
    pub resource_type: String,
    pub resource_id: String,
    /// What changed, as recorded with the change.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl AuditEventRow {
    pub fn into_api(self) -> AuditEvent {
        AuditEvent {
            // Written by us as JSON; a row that is not is shown as its text rather than failing the list.
            detail: serde_json::from_str(&self.detail).unwrap_or(serde_json::Value::String(self.detail)),
            id: self.id,
            occurred_at: clock::utc(self.occurred_at),
            actor: self.actor,
            tenant: db::tenant_of(self.tenant_slug),
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
        }
    }
}

/// Filters for the audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// e.g. `framework`, `supplier`, `tenant`, `category`.
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// The actor's `sub`.
    pub actor: Option<String>,
    /// e.g. `supplier.risk_rated`.
    pub action: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
