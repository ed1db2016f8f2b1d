//! The identity provider's signing keys, fetched from its JWKS URL and cached by `kid`.
//!
//! A token with an unknown `kid` triggers a refresh (the provider may have rotated keys), but at
//! most once per [`MIN_REFRESH_INTERVAL`], so a stream of made-up `kid`s cannot make us hammer
//! the provider.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::{Mutex, RwLock};

use crate::error::{ApiError, ApiResult};

const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

struct LastFetch {
    at: Instant,
    failed: bool,
}

pub struct JwksCache {
    url: reqwest::Url,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, (DecodingKey, Algorithm)>>,
    /// Held while fetching, so concurrent misses wait for one fetch rather than start many.
    last_fetch: Mutex<Option<LastFetch>>,
}

impl JwksCache {
    pub fn new(url: reqwest::Url) -> JwksCache {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .expect("a reqwest client with only a timeout set always builds");
        JwksCache {
            url,
            client,
            keys: RwLock::default(),
            last_fetch: Mutex::new(None),
        }
    }

    /// The key and algorithm for `kid`, fetching the key set if `kid` is not cached yet.
    pub async fn key(&self, kid: &str) -> ApiResult<(DecodingKey, Algorithm)> {
        if let Some(found) = self.keys.read().await.get(kid) {
            return Ok(found.clone());
        }
        let mut last_fetch = self.last_fetch.lock().await;
        // Another request may have refreshed while we waited for the lock.
        if let Some(found) = self.keys.read().await.get(kid) {
            return Ok(found.clone());
        }
        match &*last_fetch {
            // While the provider is unreachable, say so rather than calling good tokens unknown.
            Some(last) if last.at.elapsed() < MIN_REFRESH_INTERVAL && last.failed => {
                return Err(ApiError::Unavailable(
                    "the identity provider's signing keys cannot be fetched".into(),
                ));
            }
            Some(last) if last.at.elapsed() < MIN_REFRESH_INTERVAL => {}
            _ => {
                let fetched = self.fetch().await;
                *last_fetch = Some(LastFetch {
                    at: Instant::now(),
                    failed: fetched.is_err(),
                });
                match fetched {
                    Ok(keys) => *self.keys.write().await = keys,
                    Err(e) => {
                        tracing::warn!(url = %self.url, error = format!("{e:#}"), "JWKS fetch failed");
                        return Err(ApiError::Unavailable(format!("cannot fetch the signing keys: {e:#}")));
                    }
                }
            }
        }
        self.keys
            .read()
            .await
            .get(kid)
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("the token's signing key (kid) is not known".into()))
    }

    async fn fetch(&self) -> anyhow::Result<HashMap<String, (DecodingKey, Algorithm)>> {
        let set: JwkSet = self
            .client
            .get(self.url.clone())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let Some(alg) = accepted_algorithm(jwk.common.key_algorithm, &jwk.algorithm) else {
                continue;
            };
            match DecodingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid, (key, alg));
                }
                Err(e) => {
                    tracing::warn!(%kid, error = %e, "skipping a JWKS key that cannot be used")
                }
            }
        }
        tracing::info!(url = %self.url, keys = keys.len(), "JWKS fetched");
        Ok(keys)
    }
}

/// Only RS256 and ES256 keys are used; a key without `alg` is taken by its type.
fn accepted_algorithm(declared: Option<KeyAlgorithm>, params: &AlgorithmParameters) -> Option<Algorithm> {
    match (declared, params) {
        (Some(KeyAlgorithm::RS256), AlgorithmParameters::RSA(_)) | (None, AlgorithmParameters::RSA(_)) => {
            Some(Algorithm::RS256)
        }
        (Some(KeyAlgorithm::ES256), AlgorithmParameters::EllipticCurve(ec))
        | (None, AlgorithmParameters::EllipticCurve(ec))
            if ec.curve == EllipticCurve::P256 =>
        {
            Some(Algorithm::ES256)
        }
        _ => None,
    }
}
