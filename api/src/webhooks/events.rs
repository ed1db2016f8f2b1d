//! Emitting an event: one pending delivery per matching active subscription, written in the
//! caller's transaction (an outbox), so an event is recorded exactly when its cause is, and no
//! request waits for a receiver.

use diesel::prelude::*;

use super::model::{DeliveryRow, EventEnvelope, EventType, SubscriptionRow};
use crate::clock;
use crate::db::schema::{tenants, webhook_deliveries, webhook_subscriptions};
use crate::db::{self, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::frameworks::model::Eligibility;
use crate::tenants::model::TenantKind;

/// Who may hear an event besides the national team, who hears every event.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// A tenant's own data: that tenant's subscriptions only.
    Tenant(&'a str),
    /// National data every tenant may read (a strategic supplier's risk rating).
    AllTenants,
    /// A framework: the tenants it is open to (a police framework is no news to a fire service).
    TenantsEligibleFor(Eligibility),
}

impl Audience<'_> {
    fn tenant(self) -> Option<String> {
        match self {
            Audience::Tenant(slug) => Some(slug.to_owned()),
            _ => None,
        }
    }

    fn includes(self, subscriber: &str, subscriber_kind: Option<TenantKind>) -> bool {
        match self {
            Audience::Tenant(slug) => slug == subscriber,
            Audience::AllTenants => true,
            Audience::TenantsEligibleFor(eligibility) => subscriber_kind.is_some_and(|kind| eligibility.open_to(kind)),
        }
    }
}

/// Records `event_type` with `data` for every active subscription that asked for it and may see
/// it. Returns the event's id.
pub fn emit(
    conn: &mut DbConnection,
    event_type: EventType,
    audience: Audience<'_>,
    data: serde_json::Value,
) -> ApiResult<String> {
    let mut query = webhook_subscriptions::table
        .left_join(tenants::table.on(tenants::slug.eq(webhook_subscriptions::tenant_slug)))
        .filter(webhook_subscriptions::active.eq(true))
        .select((SubscriptionRow::as_select(), tenants::kind.nullable()))
        .into_boxed();
    if let Audience::Tenant(slug) = audience {
        query = query.filter(
            webhook_subscriptions::tenant_slug
                .eq(db::NATIONAL_SCOPE)
                .or(webhook_subscriptions::tenant_slug.eq(slug.to_owned())),
        );
    }
    let subscriptions: Vec<(SubscriptionRow, Option<String>)> = query.load(conn)?;
    let now = clock::now();
    let envelope = EventEnvelope {
        id: clock::new_id(),
        event_type,
        occurred_at: clock::utc(now),
        tenant: audience.tenant(),
        data,
    };
    let payload = serde_json::to_string(&envelope).map_err(|e| ApiError::Internal(e.into()))?;
    for (subscription, tenant_kind) in subscriptions {
        if !subscription.events()?.contains(&event_type) {
            continue;
        }
        let allowed = match subscription.tenant() {
            None => true,
            Some(subscriber) => {
                let kind = tenant_kind.as_deref().map(TenantKind::from_db).transpose()?;
                audience.includes(subscriber, kind)
            }
        };
        if !allowed {
            continue;
        }
        diesel::insert_into(webhook_deliveries::table)
            .values(&DeliveryRow {
                id: clock::new_id(),
                subscription_id: subscription.id,
                tenant_slug: subscription.tenant_slug,
                event_id: envelope.id.clone(),
                event_type: event_type.as_str().to_owned(),
                payload: payload.clone(),
                status: "pending".to_owned(),
                attempts: 0,
                next_attempt_at: now,
                last_attempt_at: None,
                last_status: None,
                last_error: None,
                created_at: now,
                delivered_at: None,
            })
            .execute(conn)?;
    }
    Ok(envelope.id)
}
