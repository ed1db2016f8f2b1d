//! `/api/v1/audit-events`

use actix_web::{get, web};
use diesel::prelude::*;

use super::model::{AuditEvent, AuditEventRow, AuditFilter};
use crate::auth::{Principal, Role};
use crate::db::schema::audit_events;
use crate::error::responses::ListErrors;
use crate::error::{ApiError, ApiResult};
use crate::http::{Page, Paged, QueryParams};
use crate::state::AppState;

/// List audit events
///
/// Oldest first. National roles see every event; a tenant admin sees only those of its own
/// tenant's users.
#[utoipa::path(
    tag = "Audit",
    params(AuditFilter),
    responses((status = 200, description = "A page of audit events", body = Paged<AuditEvent>), ListErrors),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    principal: Principal,
    filter: QueryParams<AuditFilter>,
) -> ApiResult<web::Json<Paged<AuditEvent>>> {
    let only_tenant = if principal.is_national() {
        None
    } else if principal.has(Role::TenantAdmin) {
        principal.acting_tenant().map(str::to_owned)
    } else {
        return Err(ApiError::Forbidden(
            "the audit trail is for national roles and tenant admins".into(),
        ));
    };
    let filter = filter.parse()?;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let paged = state
        .db(move |conn| {
            let mut query = audit_events::table
                .select(AuditEventRow::as_select())
                .order(audit_events::id.asc())
                .into_boxed();
            if let Some(tenant) = only_tenant {
                query = query.filter(audit_events::tenant_slug.eq(tenant));
            }
            if let Some(resource_type) = filter.resource_type {
                query = query.filter(audit_events::resource_type.eq(resource_type));
            }
            if let Some(resource_id) = filter.resource_id {
                query = query.filter(audit_events::resource_id.eq(resource_id));
            }
            if let Some(actor) = filter.actor {
                query = query.filter(audit_events::actor.eq(actor));
            }
            if let Some(action) = filter.action {
                query = query.filter(audit_events::action.eq(action));
            }
            if let Some(since) = filter.since {
                query = query.filter(audit_events::occurred_at.ge(since.naive_utc()));
            }
            if let Some(after) = &page.after {
                query = query.filter(audit_events::id.gt(after.clone()));
            }
            let rows = query.limit(page.fetch_limit()).load(conn)?;
            Ok(Paged::from_rows(rows, &page, |row| &row.id).map(AuditEventRow::into_api))
        })
        .await?;
    Ok(web::Json(paged))
}
