//! Bearer-token authentication and role checks: the HS256 development path and the JWKS
//! (RS256/ES256) production path.
//!
//! Each refusal is paired with a control request that differs only in the thing under test and
//! succeeds, so a refusal for some unrelated reason cannot pass for the one named.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use serde_json::{Value, json};

use crate::support::jwks::{JwksServer, SigningKey, raw_token};
use crate::support::{Options, SECRET, TestApp, assert_problem, json_ok, send, tenant_body};

const TENANTS: &str = "/api/v1/tenants";

/// Valid claims for `app` (a national viewer, for an hour), as JSON to tamper with.
fn valid_claims(app: &TestApp) -> Value {
    serde_json::to_value(app.claims(&["national_viewer"], None, None)).unwrap()
}

fn sign(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

/// Asserts a 401 problem with a `WWW-Authenticate: Bearer` challenge; returns its `detail`.
async fn assert_unauthorized(response: reqwest::Response) -> String {
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let problem = assert_problem(response, 401, "unauthorized").await;
    let challenge = challenge.unwrap_or_else(|| panic!("a 401 needs WWW-Authenticate: {problem}"));
    assert!(challenge.starts_with("Bearer"), "challenge {challenge:?}");
    problem["detail"].as_str().unwrap().to_owned()
}

async fn assert_accepted(app: &TestApp, token: &str) {
    json_ok(app.get(TENANTS, token).await).await;
}

// ----- HS256 -----

#[actix_web::test]
async fn request_without_token_is_401_with_bearer_challenge() {
    let app = TestApp::spawn().await;
    let detail = assert_unauthorized(app.get_anonymous(TENANTS).await).await;
    assert!(detail.contains("bearer token is required"), "{detail}");
    assert_accepted(&app, &app.national_viewer()).await;
}

#[actix_web::test]
async fn malformed_authorization_headers_are_401() {
    let app = TestApp::spawn().await;
    let token = app.national_viewer();
    for value in [
        format!("Basic {token}"),
        "Bearer".to_owned(),
        format!("Bearer{token}"),
        "Bearer not-a-jwt".to_owned(),
        "Bearer a.b.c".to_owned(),
        format!("Bearer {token}x"),
        format!("Bearer {}", &token[..token.len() / 2]),
    ] {
        let response = send(app.request(reqwest::Method::GET, TENANTS).header(AUTHORIZATION, &value)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "Authorization: {value}");
        assert_unauthorized(response).await;
    }
    // Not valid text at all (obs-text bytes).
    let bytes = reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
    let response = send(app.request(reqwest::Method::GET, TENANTS).header(AUTHORIZATION, bytes)).await;
    assert_unauthorized(response).await;
    // The scheme is case-insensitive (RFC 9110), so this is the control.
    let response = send(
        app.request(reqwest::Method::GET, TENANTS)
            .header(AUTHORIZATION, format!("bearer {token}")),
    )
    .await;
    json_ok(response).await;
}

#[actix_web::test]
async fn token_signed_with_another_secret_is_401() {
    let app = TestApp::spawn().await;
    let claims = valid_claims(&app);
    let forged = sign(Algorithm::HS256, b"some-other-secret-that-is-also-32-bytes!", &claims);
    let detail = assert_unauthorized(app.get(TENANTS, &forged).await).await;
    assert!(detail.contains("signature"), "{detail}");
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
}

#[actix_web::test]
async fn unsigned_alg_none_token_is_401() {
    let app = TestApp::spawn().await;
    let claims = valid_claims(&app);
    for alg in ["none", "None", "NONE"] {
        let unsigned = raw_token(&json!({"alg": alg, "typ": "JWT"}), &claims, b"");
        assert_unauthorized(app.get(TENANTS, &unsigned).await).await;
    }
    // The same claims, signed, pass: the refusal is about the algorithm.
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
}

#[actix_web::test]
async fn hs384_and_hs512_tokens_are_401_even_with_the_right_secret() {
    let app = TestApp::spawn().await;
    let claims = valid_claims(&app);
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let detail = assert_unauthorized(app.get(TENANTS, &sign(alg, SECRET, &claims)).await).await;
        assert!(detail.contains("not accepted"), "{alg:?}: {detail}");
    }
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
}

#[actix_web::test]
async fn expired_token_is_401_beyond_the_30_second_leeway() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let mut claims = valid_claims(&app);
    claims["exp"] = json!(now - 120);
    let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    assert!(detail.contains("expired"), "{detail}");
    // Ten seconds past expiry is within the allowed clock skew.
    claims["exp"] = json!(now - 10);
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
}

#[actix_web::test]
async fn token_from_another_issuer_is_401() {
    let app = TestApp::spawn().await;
    let mut claims = valid_claims(&app);
    claims["iss"] = json!("https://login.example.com");
    let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    assert!(detail.contains("issuer"), "{detail}");
}

#[actix_web::test]
async fn token_for_another_audience_is_401() {
    let app = TestApp::spawn().await;
    let mut claims = valid_claims(&app);
    claims["aud"] = json!("some-other-api");
    let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    assert!(detail.contains("audience"), "{detail}");
}

#[actix_web::test]
async fn custom_issuer_and_audience_are_enforced() {
    let options = Options {
        issuer: "https://idp.police.example".into(),
        audience: "catalogue".into(),
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    // The harness mints for the configured issuer and audience ...
    assert_accepted(&app, &app.national_viewer()).await;
    // ... and the defaults are now someone else's.
    let mut claims = valid_claims(&app);
    claims["iss"] = json!(crate::support::ISSUER);
    assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    let mut claims = valid_claims(&app);
    claims["aud"] = json!(crate::support::AUDIENCE);
    assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
}

#[actix_web::test]
async fn token_missing_a_required_claim_is_401() {
    let app = TestApp::spawn().await;
    for claim in ["sub", "exp", "iss", "aud"] {
        let mut claims = valid_claims(&app);
        claims.as_object_mut().unwrap().remove(claim);
        let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
        assert!(
            detail.contains("claim") || detail.contains("not valid"),
            "without {claim}: {detail}"
        );
    }
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &valid_claims(&app))).await;
}

#[actix_web::test]
async fn authenticated_caller_without_a_known_role_is_403() {
    let app = TestApp::spawn().await;
    for roles in [vec![], vec!["janitor"], vec!["NATIONAL_ADMIN", "admin"]] {
        let response = app.get(TENANTS, &app.token(&roles, None, None)).await;
        assert_problem(response, 403, "forbidden").await;
    }
    // An unknown role beside a known one is ignored, not fatal.
    assert_accepted(&app, &app.token(&["janitor", "national_viewer"], None, None)).await;
}

#[actix_web::test]
async fn tenant_role_without_tenant_claim_is_403() {
    let app = TestApp::spawn().await;
    for role in ["tenant_admin", "buyer", "viewer"] {
        assert_problem(
            app.get(TENANTS, &app.token(&[role], None, None)).await,
            403,
            "forbidden",
        )
        .await;
        assert_problem(
            app.get(TENANTS, &app.token(&[role], Some(""), None)).await,
            403,
            "forbidden",
        )
        .await;
        // A supplier claim does not stand in for a tenant.
        assert_problem(
            app.get(TENANTS, &app.token(&[role], None, Some("acme"))).await,
            403,
            "forbidden",
        )
        .await;
        assert_accepted(&app, &app.token(&[role], Some("bedfordshire-police"), None)).await;
    }
}

#[actix_web::test]
async fn supplier_role_without_supplier_claim_is_403() {
    let app = TestApp::spawn().await;
    assert_problem(
        app.get(TENANTS, &app.token(&["supplier"], None, None)).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get(TENANTS, &app.token(&["supplier"], None, Some(""))).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get(TENANTS, &app.token(&["supplier"], Some("kent-police"), None))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_accepted(&app, &app.supplier_staff("0190a000-0000-7000-8000-000000000001")).await;
}

#[actix_web::test]
async fn national_viewer_reads_tenants_but_may_not_create_them() {
    let app = TestApp::spawn().await;
    let viewer = app.national_viewer();
    assert_accepted(&app, &viewer).await;
    let body = tenant_body("kent-police", "police", "south-east");
    let problem = assert_problem(app.post_json(TENANTS, &viewer, &body).await, 403, "forbidden").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("national_admin"),
        "{problem}"
    );
    // Nothing was created; the admin can create the very same tenant.
    assert_problem(app.get("/api/v1/tenants/kent-police", &viewer).await, 404, "not_found").await;
    let response = app.post_json(TENANTS, &app.national_admin(), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

// ----- JWKS (RS256 / ES256 from the identity provider) -----

#[actix_web::test]
async fn jwks_rs256_and_es256_tokens_with_a_published_kid_are_accepted() {
    let (rsa, ec) = (SigningKey::rsa("rsa-2026"), SigningKey::ec("ec-2026"));
    let provider = JwksServer::start(&[&rsa, &ec]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_viewer"], None, None);
    assert_accepted(&app, &rsa.sign(&claims)).await;
    assert_accepted(&app, &ec.sign(&claims)).await;
    assert_accepted(&app, &rsa.sign(&claims)).await;
    assert_eq!(provider.fetches(), 1, "keys are cached after the first fetch");
}

#[actix_web::test]
async fn jwks_token_with_an_unknown_or_missing_kid_is_401() {
    let rsa = SigningKey::rsa("rsa-2026");
    let provider = JwksServer::start(&[&rsa]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_viewer"], None, None);
    let detail = assert_unauthorized(app.get(TENANTS, &rsa.sign_as("rsa-1999", &claims)).await).await;
    assert!(detail.contains("kid"), "{detail}");
    // No kid at all.
    let detail = assert_unauthorized(app.get(TENANTS, &rsa.sign_without_kid(&claims)).await).await;
    assert!(detail.contains("kid"), "{detail}");
    assert_accepted(&app, &rsa.sign(&claims)).await;
}

#[actix_web::test]
async fn jwks_token_signed_by_an_unpublished_key_under_a_published_kid_is_401() {
    let (published, impostor) = (SigningKey::rsa("rsa-2026"), SigningKey::rsa_next("rsa-2026"));
    let provider = JwksServer::start(&[&published]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_admin"], None, None);
    let detail = assert_unauthorized(app.get(TENANTS, &impostor.sign(&claims)).await).await;
    assert!(detail.contains("signature"), "{detail}");
    assert_accepted(&app, &published.sign(&claims)).await;
}

#[actix_web::test]
async fn jwks_token_whose_algorithm_does_not_match_its_key_is_401() {
    let (rsa, ec) = (SigningKey::rsa("rsa-2026"), SigningKey::ec("ec-2026"));
    let provider = JwksServer::start(&[&rsa, &ec]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_viewer"], None, None);
    // RS256-signed, but naming the EC key.
    let detail = assert_unauthorized(app.get(TENANTS, &rsa.sign_as("ec-2026", &claims)).await).await;
    assert!(detail.contains("does not match"), "{detail}");
    assert_accepted(&app, &ec.sign(&claims)).await;
}

#[actix_web::test]
async fn jwks_only_service_refuses_hs256_tokens_without_fetching() {
    let rsa = SigningKey::rsa("rsa-2026");
    let provider = JwksServer::start(&[&rsa]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_admin"], None, None);
    for secret in [SECRET, bluelight_api::config::DEVELOPMENT_JWT_SECRET.as_bytes()] {
        let token = bluelight_api::auth::mint_token(secret, &claims).unwrap();
        let detail = assert_unauthorized(app.get(TENANTS, &token).await).await;
        assert!(detail.contains("HS256"), "{detail}");
    }
    assert_eq!(provider.fetches(), 0, "an HS256 token must not reach the key set");
    assert_accepted(&app, &rsa.sign(&claims)).await;
}

#[actix_web::test]
async fn jwks_key_rotation_is_picked_up_without_a_restart() {
    let (old, new) = (SigningKey::rsa("key-a"), SigningKey::rsa_next("key-b"));
    let provider = JwksServer::start(&[&old]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_viewer"], None, None);
    assert_accepted(&app, &old.sign(&claims)).await;
    assert_eq!(provider.fetches(), 1);

    // The provider rotates: key B is published beside A.
    provider.publish(&[&old, &new]);
    // The service refreshes its keys at most once per 30 s, and it fetched just now: B is not
    // known yet and the provider is not asked again.
    assert_unauthorized(app.get(TENANTS, &new.sign(&claims)).await).await;
    assert_eq!(provider.fetches(), 1, "a miss within 30 s of a fetch must not refetch");

    // Once the interval has passed, the first token signed with B makes the service refetch.
    actix_web::rt::time::sleep(Duration::from_secs(31)).await;
    assert_accepted(&app, &new.sign(&claims)).await;
    assert_eq!(provider.fetches(), 2, "the unknown kid caused exactly one refetch");
    // A is still published and still accepted, from the cache.
    assert_accepted(&app, &old.sign(&claims)).await;
    assert_accepted(&app, &new.sign(&claims)).await;
    assert_eq!(provider.fetches(), 2);
}

#[actix_web::test]
async fn jwks_burst_of_made_up_kids_fetches_the_key_set_at_most_once() {
    let rsa = SigningKey::rsa("rsa-2026");
    let provider = JwksServer::start(&[&rsa]).await;
    let app = TestApp::spawn_with(Options::jwks_only(&provider.url)).await;
    let claims = app.claims(&["national_viewer"], None, None);
    for round in 0..2 {
        let mut burst = tokio::task::JoinSet::new();
        for i in 0..20 {
            let request = app
                .client
                .get(app.url(TENANTS))
                .bearer_auth(rsa.sign_as(&format!("made-up-{round}-{i}"), &claims));
            burst.spawn(async move { send(request).await.status() });
        }
        while let Some(status) = burst.join_next().await {
            assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
        }
        assert_eq!(
            provider.fetches(),
            1,
            "round {round}: 20 unknown kids, one fetch at most"
        );
    }
    // The real key was loaded by that one fetch.
    assert_accepted(&app, &rsa.sign(&claims)).await;
    assert_eq!(provider.fetches(), 1);
}

#[actix_web::test]
async fn jwks_provider_unreachable_is_503_not_401() {
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::spawn_with(Options::jwks_only(&format!("http://{closed}/jwks.json"))).await;
    let token = SigningKey::rsa("rsa-2026").sign(&app.claims(&["national_viewer"], None, None));
    let problem = assert_problem(app.get(TENANTS, &token).await, 503, "service_unavailable").await;
    // The cause is logged, not shown.
    assert!(
        !problem["detail"].as_str().unwrap().contains(&closed.to_string()),
        "{problem}"
    );
}

#[actix_web::test]
async fn jwks_provider_outage_stays_503_while_the_keys_cannot_be_fetched() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::spawn_with(Options::jwks_only(&format!("http://{closed}/jwks.json"))).await;
    let token = SigningKey::rsa("rsa-2026").sign(&app.claims(&["national_viewer"], None, None));
    assert_problem(app.get(TENANTS, &token).await, 503, "service_unavailable").await;
    // Retrying at once must not tell the caller its (valid) token is bad: the provider is still down.
    assert_problem(app.get(TENANTS, &token).await, 503, "service_unavailable").await;
}

#[actix_web::test]
async fn an_audience_list_naming_this_service_is_accepted_and_one_without_it_is_401() {
    let app = TestApp::spawn().await;
    let mut claims = valid_claims(&app);
    claims["aud"] = json!(["another-api", crate::support::AUDIENCE]);
    assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
    claims["aud"] = json!(["another-api", "yet-another-api"]);
    let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    assert!(detail.contains("audience"), "{detail}");
}

#[actix_web::test]
async fn a_token_not_valid_yet_is_401_beyond_the_leeway() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let mut claims = valid_claims(&app);
    claims["nbf"] = json!(now + 600);
    let detail = assert_unauthorized(app.get(TENANTS, &sign(Algorithm::HS256, SECRET, &claims)).await).await;
    assert!(detail.contains("not valid yet"), "{detail}");
    // Within the 30-second leeway, and in the past, it is valid.
    for nbf in [now + 10, now - 60] {
        claims["nbf"] = json!(nbf);
        assert_accepted(&app, &sign(Algorithm::HS256, SECRET, &claims)).await;
    }
}
