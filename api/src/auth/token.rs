//! Verifying bearer tokens, and minting development tokens.

use std::collections::HashSet;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};

use super::jwks::JwksCache;
use super::principal::Principal;
use crate::config::AuthSettings;
use crate::error::{ApiError, ApiResult};

/// The claims this service reads. `tenant` is the tenant's slug (tenant roles); `supplier` the
/// supplier's id (supplier role).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
}

/// What the service reads of a verified token. `exp`, `nbf`, `iss` and `aud` are checked by
/// jsonwebtoken itself, so they are not read here: `aud` may then be one audience or a list
/// (RFC 7519 §4.1.3), as identity providers send it.
#[derive(Debug, Deserialize)]
struct VerifiedClaims {
    sub: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    supplier: Option<String>,
}

/// Allowed clock skew between the identity provider and us.
const LEEWAY_SECONDS: u64 = 30;

/// Checks tokens against the configured keys: the HS256 secret and/or the identity provider's
/// JWKS (RS256/ES256). A token signed with any other algorithm, or `none`, is refused.
pub struct Verifier {
    hs256: Option<DecodingKey>,
    jwks: Option<JwksCache>,
    issuer: String,
    audience: String,
}

impl Verifier {
    pub fn new(settings: &AuthSettings) -> Verifier {
        Verifier {
            hs256: settings.hs256_secret.as_deref().map(DecodingKey::from_secret),
            jwks: settings.jwks_url.clone().map(JwksCache::new),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
        }
    }

    pub async fn verify(&self, token: &str) -> ApiResult<Principal> {
        // An unparseable header includes `alg: none`, which jsonwebtoken does not model.
        let header = decode_header(token)
            .map_err(|_| ApiError::Unauthorized("the token is malformed or its algorithm is not accepted".into()))?;
        let key = match header.alg {
            Algorithm::HS256 => self.hs256.clone().ok_or_else(|| algorithm_refused(header.alg))?,
            Algorithm::RS256 | Algorithm::ES256 => {
                let jwks = self.jwks.as_ref().ok_or_else(|| algorithm_refused(header.alg))?;
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| ApiError::Unauthorized("the token has no `kid` to find its key by".into()))?;
                let (key, key_alg) = jwks.key(kid).await?;
                if key_alg != header.alg {
                    return Err(ApiError::Unauthorized(
                        "the token's algorithm does not match its key".into(),
                    ));
                }
                key
            }
            other => return Err(algorithm_refused(other)),
        };
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        // A token not valid yet is refused like an expired one (checked only when it has `nbf`).
        validation.validate_nbf = true;
        validation.required_spec_claims = ["exp", "iss", "aud", "sub"]
            .into_iter()
            .map(String::from)
            .collect::<HashSet<_>>();
        let claims = decode::<VerifiedClaims>(token, &key, &validation)
            .map_err(|e| {
                ApiError::Unauthorized(
                    match e.kind() {
                        ErrorKind::ExpiredSignature => "the token has expired",
                        ErrorKind::InvalidIssuer => "the token's issuer is not accepted",
                        ErrorKind::InvalidAudience => "the token's audience is not this service",
                        ErrorKind::InvalidSignature => "the token's signature is not valid",
                        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim (sub, exp, iss, aud)",
                        ErrorKind::ImmatureSignature => "the token is not valid yet",
                        _ => "the token is not valid",
                    }
                    .into(),
                )
            })?
            .claims;
        Principal::from_claims(claims.sub, &claims.roles, claims.tenant, claims.supplier)
    }
}

fn algorithm_refused(alg: Algorithm) -> ApiError {
    ApiError::Unauthorized(format!("tokens signed with {alg:?} are not accepted here"))
}

/// Signs an HS256 token with `secret`; used by the `token` subcommand and the tests.
pub fn mint_token(secret: &[u8], claims: &Claims) -> anyhow::Result<String> {
    Ok(encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )?)
}
