//! Delivering pending events: a loop on the server's runtime that POSTs each due delivery,
//! signed, and records the outcome; a failure is retried with exponential backoff until it has
//! been tried `max_attempts` times. It never runs inside a request.
//!
//! A delivery is claimed before it is sent (its next attempt pushed past the receiver's timeout,
//! on condition that nobody moved it first), so two instances of the service never send the same
//! attempt twice, and an instance that stops mid-send leaves the delivery to be retried.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use tokio::sync::Semaphore;

use super::model::DeliveryRow;
use super::settings::WebhookSettings;
use super::{scanner, signing};
use crate::clock;
use crate::db::schema::{webhook_deliveries, webhook_subscriptions};
use crate::error::ApiResult;
use crate::outbound;
use crate::state::AppState;

/// Deliveries claimed per round at most.
const BATCH: i64 = 32;
/// Deliveries in flight at once; when all are taken, due ones wait for the next round.
const IN_FLIGHT: usize = 128;

/// The wait after `attempts` failed attempts.
pub fn backoff(settings: &WebhookSettings, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).max(0) as u32);
    settings.backoff.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// Starts the delivery loop and the calendar scanner on the current runtime.
pub fn spawn(state: web::Data<AppState>) {
    let settings = state.webhooks.clone();
    let allow_private = state.allow_private_urls;
    // Redirects are not followed: a receiver answers where it was subscribed.
    let client = match outbound::client_builder(allow_private, 0)
        .timeout(settings.timeout)
        .user_agent("BlueLight-Webhooks/1")
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook deliveries cannot start: no HTTP client");
            return;
        }
    };
    let deliveries = state.clone();
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    actix_web::rt::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&deliveries, &client, &in_flight).await {
                tracing::warn!(error = %e, "webhook delivery round failed; retrying next round");
            }
            actix_web::rt::time::sleep(deliveries.webhooks.poll).await;
        }
    });
    actix_web::rt::spawn(async move {
        loop {
            let today = state.clock.today();
            match state.write(move |conn| scanner::scan(conn, today)).await {
                Ok(emitted) if emitted > 0 => tracing::info!(emitted, "calendar events noticed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook calendar scan failed; retrying next scan"),
            }
            actix_web::rt::time::sleep(state.webhooks.scan_every).await;
        }
    });
}

/// A due delivery with where it goes; once claimed, until when it is ours.
struct Claimed {
    delivery: DeliveryRow,
    url: String,
    secret: String,
    leased_until: NaiveDateTime,
}

/// Claims what is due (as many as there is room in flight for) and sends each in a task of its
/// own, without waiting for them: a receiver that does not answer holds up only its own
/// deliveries, and the next round starts on time.
async fn deliver_due(
    state: &web::Data<AppState>,
    client: &reqwest::Client,
    in_flight: &Arc<Semaphore>,
) -> ApiResult<()> {
    let room = in_flight.available_permits().min(BATCH as usize);
    if room == 0 {
        return Ok(());
    }
    let due = state.db(move |conn| due(conn, room as i64)).await?;
    if due.is_empty() {
        return Ok(());
    }
    // Longer than any attempt can take, so no one else sends it meanwhile.
    let lease = state.webhooks.timeout.saturating_add(Duration::from_secs(30));
    let claimed = state.write(move |conn| claim(conn, due, lease)).await?;
    for claim in claimed {
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            break; // cannot happen: room was counted above; the lease frees the claim anyway
        };
        let state = state.clone();
        let client = client.clone();
        actix_web::rt::spawn(async move {
            let outcome = send(&client, &claim, state.allow_private_urls).await;
            if let Err(e) = record(&state, claim, outcome).await {
                tracing::warn!(error = %e, "a webhook delivery's outcome was not recorded; it will be retried");
            }
            drop(permit);
        });
    }
    Ok(())
}

/// The due deliveries with where they go. A read first: most rounds find nothing, and must not
/// take SQLite's write lock to learn it.
fn due(conn: &mut crate::db::DbConnection, limit: i64) -> ApiResult<Vec<Claimed>> {
    // Joined on the tenant as well as the id: a co-located join when the tables are distributed
    // by tenant (docs/scaling.md).
    let rows: Vec<(DeliveryRow, String, String)> = webhook_deliveries::table
        .inner_join(
            webhook_subscriptions::table.on(webhook_subscriptions::tenant_slug
                .eq(webhook_deliveries::tenant_slug)
                .and(webhook_subscriptions::id.eq(webhook_deliveries::subscription_id))),
        )
        .filter(webhook_subscriptions::active.eq(true))
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(clock::now()))
        // Ties broken by id, so instances claim in the same order and never deadlock.
        .order((webhook_deliveries::next_attempt_at.asc(), webhook_deliveries::id.asc()))
        .limit(limit)
        .select((
            DeliveryRow::as_select(),
            webhook_subscriptions::url,
            webhook_subscriptions::secret,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, url, secret)| Claimed {
            leased_until: delivery.next_attempt_at,
            delivery,
            url,
            secret,
        })
        .collect())
}

/// Takes the deliveries no one else has taken since they were read.
fn claim(conn: &mut crate::db::DbConnection, due: Vec<Claimed>, lease: Duration) -> ApiResult<Vec<Claimed>> {
    let leased_until = clock::now() + TimeDelta::from_std(lease).unwrap_or(TimeDelta::minutes(5));
    let mut claimed = Vec::with_capacity(due.len());
    for mut candidate in due {
        let taken = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::tenant_slug.eq(&candidate.delivery.tenant_slug))
                .filter(webhook_deliveries::id.eq(&candidate.delivery.id))
                .filter(webhook_deliveries::status.eq("pending"))
                .filter(webhook_deliveries::next_attempt_at.eq(candidate.delivery.next_attempt_at)),
        )
        .set(webhook_deliveries::next_attempt_at.eq(leased_until))
        .execute(conn)?;
        if taken == 1 {
            candidate.leased_until = leased_until;
            claimed.push(candidate);
        }
    }
    Ok(claimed)
}

/// What one attempt came to: the receiver's status if it answered, and an error unless it was 2xx.
struct Outcome {
    status: Option<i32>,
    error: Option<String>,
}

async fn send(client: &reqwest::Client, claim: &Claimed, allow_private: bool) -> Outcome {
    // The URL was checked when subscribing; checked again in case the rules have tightened since.
    if let Some(reason) = outbound::refusal(&claim.url, allow_private) {
        return Outcome {
            status: None,
            error: Some(format!("not sent: the URL {reason}")),
        };
    }
    let delivery = &claim.delivery;
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signing::signature(&claim.secret, &delivery.id, timestamp, delivery.payload.as_bytes());
    let outcome = client
        .post(&claim.url)
        .header("Content-Type", "application/json")
        .header("Webhook-Id", &delivery.id)
        .header("Webhook-Timestamp", timestamp.to_string())
        .header("Webhook-Signature", signature)
        .header("Webhook-Event", &delivery.event_type)
        .body(delivery.payload.clone())
        .send()
        .await;
    match outcome {
        Ok(response) => {
            let status = response.status();
            Outcome {
                status: Some(i32::from(status.as_u16())),
                error: (!status.is_success()).then(|| format!("the receiver answered {status}")),
            }
        }
        Err(e) => Outcome {
            status: None,
            error: Some(format!("not delivered: {}", describe(&e))),
        },
    }
}

/// The error with its causes: reqwest's own message ("error sending request") says little alone.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Records the attempt, if the delivery is still ours: not given up meanwhile (unsubscribed)
/// and not taken by another instance after our lease ran out.
async fn record(state: &web::Data<AppState>, claim: Claimed, outcome: Outcome) -> ApiResult<()> {
    let Claimed {
        delivery, leased_until, ..
    } = claim;
    let attempts = delivery.attempts + 1;
    let wait = backoff(&state.webhooks, attempts);
    let max_attempts = state.webhooks.max_attempts;
    let counted = match &outcome.error {
        None => "delivered",
        Some(_) if attempts >= max_attempts => "failed",
        Some(_) => "retrying",
    };
    crate::metrics::metrics()
        .webhook_attempts
        .with_label_values(&[counted])
        .inc();
    state
        .write(move |conn| {
            let now = clock::now();
            let (status, next, delivered_at): (&str, NaiveDateTime, Option<NaiveDateTime>) = match &outcome.error {
                None => ("delivered", now, Some(now)),
                Some(_) if attempts >= max_attempts => ("failed", now, None),
                Some(_) => (
                    "pending",
                    now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1)),
                    None,
                ),
            };
            diesel::update(
                webhook_deliveries::table
                    .filter(webhook_deliveries::tenant_slug.eq(&delivery.tenant_slug))
                    .filter(webhook_deliveries::id.eq(&delivery.id))
                    .filter(webhook_deliveries::status.eq("pending"))
                    .filter(webhook_deliveries::next_attempt_at.eq(leased_until)),
            )
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::attempts.eq(attempts),
                webhook_deliveries::next_attempt_at.eq(next),
                webhook_deliveries::last_attempt_at.eq(Some(now)),
                webhook_deliveries::last_status.eq(outcome.status),
                webhook_deliveries::last_error.eq(outcome.error.as_deref()),
                webhook_deliveries::delivered_at.eq(delivered_at),
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let settings = WebhookSettings {
            backoff: Duration::from_secs(30),
            ..WebhookSettings::default()
        };
        assert_eq!(backoff(&settings, 1), Duration::from_secs(30));
        assert_eq!(backoff(&settings, 2), Duration::from_secs(60));
        assert_eq!(backoff(&settings, 4), Duration::from_secs(240));
        assert_eq!(backoff(&settings, 20), Duration::from_secs(3600));
        assert_eq!(backoff(&settings, 0), Duration::from_secs(30));
    }
}
