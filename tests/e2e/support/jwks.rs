//! A stand-in identity provider: signing keys from the committed PEM fixtures and a JWKS document
//! served over real HTTP, whose keys a test can swap and whose fetches it can count.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::Value;

const RSA_PEM: &[u8] = include_bytes!("../../fixtures/jwks-rsa.pem");
const RSA_NEXT_PEM: &[u8] = include_bytes!("../../fixtures/jwks-rsa-next.pem");
const EC_PEM: &[u8] = include_bytes!("../../fixtures/jwks-ec.pem");

/// A private key the identity provider signs with, and the `kid` it publishes it under.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    key: EncodingKey,
}

impl SigningKey {
    /// The RSA 2048 fixture key, for RS256.
    pub fn rsa(kid: &str) -> SigningKey {
        SigningKey::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(RSA_PEM).expect("the RSA fixture key"),
        )
    }

    /// A second RSA key, the one a rotation brings in.
    pub fn rsa_next(kid: &str) -> SigningKey {
        SigningKey::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(RSA_NEXT_PEM).expect("the second RSA key"),
        )
    }

    /// The P-256 fixture key, for ES256.
    pub fn ec(kid: &str) -> SigningKey {
        SigningKey::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_pem(EC_PEM).expect("the EC fixture key"),
        )
    }

    fn new(kid: &str, alg: Algorithm, key: EncodingKey) -> SigningKey {
        SigningKey {
            kid: kid.to_owned(),
            alg,
            key,
        }
    }

    /// The public half as the provider publishes it, with `kid` and `alg` set.
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).expect("a JWK from the fixture key");
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }

    /// Signs `claims` with this key, naming it by its own `kid`.
    pub fn sign(&self, claims: &impl serde::Serialize) -> String {
        self.sign_as(&self.kid, claims)
    }

    /// Signs `claims` with this key and no `kid` in the header.
    pub fn sign_without_kid(&self, claims: &impl serde::Serialize) -> String {
        encode(&Header::new(self.alg), claims, &self.key).expect("a signed token")
    }

    /// Signs `claims` with this key but puts `kid` in the header (to name a key it is not).
    pub fn sign_as(&self, kid: &str, claims: &impl serde::Serialize) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.to_owned());
        encode(&header, claims, &self.key).expect("a signed token")
    }
}

struct Published {
    keys: Mutex<Vec<Jwk>>,
    fetches: AtomicUsize,
}

/// The JWKS endpoint, on its own loopback port.
pub struct JwksServer {
    pub url: String,
    published: Arc<Published>,
    handle: ServerHandle,
}

impl JwksServer {
    pub async fn start(keys: &[&SigningKey]) -> JwksServer {
        let published = Arc::new(Published {
            keys: Mutex::new(keys.iter().map(|k| k.jwk()).collect()),
            fetches: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().expect("the bound address")
        );
        let data = web::Data::from(published.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/.well-known/jwks.json", web::get().to(serve_jwks))
        })
        .workers(1)
        .listen(listener)
        .expect("the JWKS server listens")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        JwksServer { url, published, handle }
    }

    /// Replaces the published keys (a key rotation at the provider).
    pub fn publish(&self, keys: &[&SigningKey]) {
        *self.published.keys.lock().unwrap() = keys.iter().map(|k| k.jwk()).collect();
    }

    /// How many times the JWKS document has been fetched.
    pub fn fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn serve_jwks(published: web::Data<Published>) -> HttpResponse {
    published.fetches.fetch_add(1, Ordering::SeqCst);
    let set = JwkSet {
        keys: published.keys.lock().unwrap().clone(),
    };
    HttpResponse::Ok().json(set)
}

/// Base64url without padding, as JWTs use.
pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token assembled by hand: any header, any claims, any signature bytes.
pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes()),
        b64url(signature)
    )
}
