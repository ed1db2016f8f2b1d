//! How webhooks are delivered: timings and retries.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// How often due deliveries are looked for.
    pub poll: Duration,
    /// The wait before the first retry; each later one waits twice as long, up to an hour.
    pub backoff: Duration,
    /// Attempts before a delivery is given up as failed.
    pub max_attempts: i32,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How often contracts and frameworks are checked for events the calendar brings (nearing
    /// expiry, a framework going live or expiring).
    pub scan_every: Duration,
}

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings {
            poll: Duration::from_secs(1),
            backoff: Duration::from_secs(30),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
            scan_every: Duration::from_secs(3600),
        }
    }
}
