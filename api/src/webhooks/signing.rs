//! Signing a delivery so the receiver can check it came from us and is fresh: HMAC-SHA256 with
//! the subscription's secret over `{delivery id}.{unix timestamp}.{body}`, sent as
//! `Webhook-Signature: v1=<hex>` beside `Webhook-Id` and `Webhook-Timestamp`. A receiver
//! recomputes it, compares in constant time, and refuses timestamps older than a few minutes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The MAC of one delivery attempt, before it is finalised.
fn mac(secret: &str, delivery_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts a key of any length; new_from_slice cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(delivery_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header's value for one delivery attempt.
pub fn signature(secret: &str, delivery_id: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, delivery_id, timestamp, body).finalize().into_bytes();
    format!("v1={}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// What a receiver does: recompute and compare in constant time.
pub fn verify(secret: &str, delivery_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(expected) = header.strip_prefix("v1=").and_then(decode_hex) else {
        return false;
    };
    mac(secret, delivery_id, timestamp, body)
        .verify_slice(&expected)
        .is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A new secret for a subscription: two random (v4) UUIDs, 244 random bits, as hex; shown to
/// the subscriber once.
pub fn new_secret() -> String {
    let bytes: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes())
        .copied()
        .collect();
    format!("whsec_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let header = signature("s3cret", "d-1", 1_790_000_000, b"{\"a\":1}");
        assert!(header.starts_with("v1=") && header.len() == 3 + 64);
        assert!(verify("s3cret", "d-1", 1_790_000_000, b"{\"a\":1}", &header));
        assert!(!verify("other", "d-1", 1_790_000_000, b"{\"a\":1}", &header));
        assert!(!verify("s3cret", "d-2", 1_790_000_000, b"{\"a\":1}", &header));
        assert!(!verify("s3cret", "d-1", 1_790_000_001, b"{\"a\":1}", &header));
        assert!(!verify("s3cret", "d-1", 1_790_000_000, b"{\"a\":2}", &header));
        assert!(!verify("s3cret", "d-1", 1_790_000_000, b"{\"a\":1}", "v1=zz"));
    }

    #[test]
    fn secrets_differ() {
        assert_ne!(new_secret(), new_secret());
        assert_eq!(new_secret().len(), "whsec_".len() + 64);
    }
}
