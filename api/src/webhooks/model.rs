//! Webhook subscriptions and deliveries: what a subscriber sends, what the API returns, and the
//! stored rows.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::db;
use crate::db::schema::{webhook_deliveries, webhook_subscriptions};
use crate::error::{ApiError, ApiResult};
use crate::text_enum::text_enum;
use crate::validate::Checks;

text_enum! {
    /// What happened.
    pub enum EventType {
        /// A framework became live or expired, or its dates were changed so that it did.
        FrameworkStatusChanged = "framework.status_changed",
        /// A live framework ends within 180 days.
        FrameworkNearingExpiry = "framework.nearing_expiry",
        /// The national team changed a strategic supplier's risk rating.
        SupplierRiskRatingChanged = "supplier.risk_rating_changed",
        /// A tenant's contract ends within 90 days.
        ContractNearingExpiry = "contract.nearing_expiry",
        /// A tenant's procurement was evaluated and the decision recorded.
        DecisionRecorded = "decision.recorded",
    }
}

impl EventType {
    /// Events about national data go to every subscriber of that type; a tenant's own events
    /// only to that tenant's subscriptions and the national team's.
    pub fn is_national(self) -> bool {
        matches!(
            self,
            EventType::FrameworkStatusChanged
                | EventType::FrameworkNearingExpiry
                | EventType::SupplierRiskRatingChanged
        )
    }
}

/// A subscription to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://procurement.example-force.police.uk/hooks/bluelight",
    "events": ["contract.nearing_expiry", "decision.recorded"],
    "description": "Contracts team inbox"
}))]
pub struct NewSubscription {
    /// Where deliveries are POSTed: https to a public address (unless the service runs with
    /// `ALLOW_PRIVATE_URLS`, for development).
    #[schema(
        max_length = 2000,
        pattern = r#"^https://[!"$&'()*+,\-.0-9;=A-Z_`a-z{}~]*[A-Za-z]\.?(:([0-9]{0,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#][\s\S]*)?$"#
    )]
    pub url: String,
    #[schema(value_type = std::collections::BTreeSet<EventType>, min_items = 1)]
    pub events: Vec<EventType>,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub description: Option<String>,
}

/// Active subscriptions one tenant (or the national team) may hold.
pub const MAX_ACTIVE_SUBSCRIPTIONS: i64 = 25;

impl NewSubscription {
    /// `allow_private`: whether http and private-network URLs are allowed (see `outbound`).
    pub fn check(&self, allow_private: bool) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.check(self.url.len() <= 2000, "url", "must be at most 2000 characters");
        if let Some(reason) = crate::outbound::refusal(&self.url, allow_private) {
            checks.fail("url", reason);
        }
        checks.check(!self.events.is_empty(), "events", "name at least one event type");
        let distinct: HashSet<EventType> = self.events.iter().copied().collect();
        checks.check(
            distinct.len() == self.events.len(),
            "events",
            "names an event type twice",
        );
        checks.optional_text("description", self.description.as_deref(), 300);
        checks.finish()
    }
}

/// A subscription as the API returns it; the secret is shown only when it is created.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    pub id: String,
    /// The tenant it belongs to, or null for the national team's.
    pub tenant: Option<String>,
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    pub active: bool,
    /// The signing secret: in the answer to the create only; keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    /// The subscriber: a tenant, or the national scope (`db::NATIONAL_SCOPE`).
    pub tenant_slug: String,
    pub url: String,
    pub secret: String,
    pub events: String,
    pub description: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SubscriptionRow {
    /// The subscribing tenant; `None` for the national team's subscription (every event).
    pub fn tenant(&self) -> Option<&str> {
        db::tenant_of_ref(&self.tenant_slug)
    }

    pub fn events(&self) -> ApiResult<Vec<EventType>> {
        serde_json::from_str(&self.events)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored events of subscription {}: {e}", self.id)))
    }

    pub fn into_api(self, show_secret: bool) -> ApiResult<Subscription> {
        Ok(Subscription {
            events: self.events()?,
            secret: show_secret.then(|| self.secret.clone()),
            id: self.id,
            tenant: db::tenant_of(self.tenant_slug),
            url: self.url,
            description: self.description,
            active: self.active,
            created_by: self.created_by,
            created_at: clock::utc(self.created_at),
        })
    }
}

/// One delivery of one event to one subscription, with its outcome so far.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: EventType,
    /// `pending` (to be tried, or retried), `delivered`, or `failed` (gave up).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status on the last attempt, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub tenant_slug: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl DeliveryRow {
    pub fn into_api(self) -> ApiResult<Delivery> {
        Ok(Delivery {
            event_type: EventType::from_db(&self.event_type)?,
            next_attempt_at: (self.status == "pending").then(|| clock::utc(self.next_attempt_at)),
            id: self.id,
            subscription_id: self.subscription_id,
            event_id: self.event_id,
            status: self.status,
            attempts: self.attempts,
            last_attempt_at: self.last_attempt_at.map(clock::utc),
            last_status: self.last_status,
            last_error: self.last_error,
            created_at: clock::utc(self.created_at),
            delivered_at: self.delivered_at.map(clock::utc),
        })
    }
}

/// The body every delivery POSTs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventEnvelope {
    /// The event's id: the same across its deliveries to several subscriptions and their retries.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    /// The tenant whose data it is about, or null for national data.
    pub tenant: Option<String>,
    pub data: serde_json::Value,
}
