//! The harness: the real app on a loopback port, a fresh database per test, tokens, and the
//! assertions every area shares.
//!
//! The database is SQLite in a fresh temporary folder, or, when `TEST_DATABASE_URL` is set to a
//! `postgres://` URL, a fresh schema in that database (dropped when the test ends).

pub mod contract;
pub mod database;
pub mod jwks;
pub mod ocds_schema;
pub mod receiver;
pub mod rules;

use std::net::TcpListener;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use bluelight_api::auth::{Claims, mint_token};
use bluelight_api::clock::Clock;
use bluelight_api::config::{AuthSettings, Settings};
use bluelight_api::webhooks::settings::WebhookSettings;
use bluelight_rules::{Limits, RuleEngine};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// The HS256 secret test apps are configured with (at least 32 bytes, as the service requires).
pub const SECRET: &[u8] = b"bluelight-e2e-test-secret-0123456789abcdef";
pub const ISSUER: &str = "bluelight-e2e";
pub const AUDIENCE: &str = "bluelight-api-e2e";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One plugin engine for every test app that keeps the default limits, so each seed plugin is
/// compiled once per test run rather than once per test.
fn shared_engine() -> Arc<RuleEngine> {
    static ENGINE: OnceLock<Arc<RuleEngine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(RuleEngine::new(test_limits()).expect("the plugin engine starts")))
        .clone()
}

/// The default limits, with fewer sandboxes: many test apps run at once.
pub fn test_limits() -> Limits {
    Limits {
        max_concurrent_instances: 32,
        ..Limits::default()
    }
}

/// How to start a [`TestApp`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Load the national demo data at start.
    pub demo_data: bool,
    /// The HS256 secret; `None` leaves only the JWKS (if any).
    pub hs256_secret: Option<Vec<u8>>,
    pub jwks_url: Option<String>,
    pub issuer: String,
    pub audience: String,
    /// Plugin limits other than the defaults; the app then gets an engine of its own.
    pub plugin_limits: Option<Limits>,
    /// Quick deliveries and retries.
    pub webhooks: WebhookSettings,
    /// Webhook receivers and OCDS packages are served on loopback in the tests.
    pub allow_private_urls: bool,
    /// Which day it is for the service: the suite's fixed day unless a test asks for another.
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            demo_data: false,
            hs256_secret: Some(SECRET.to_vec()),
            jwks_url: None,
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            plugin_limits: None,
            webhooks: test_webhooks(),
            allow_private_urls: true,
            clock: Clock::Fixed(catalogue::today()),
        }
    }
}

/// Deliveries every 50 ms, retries after 200 ms then 400 ms; the calendar scanned once at start
/// (tests that need more scans ask for them).
pub fn test_webhooks() -> WebhookSettings {
    WebhookSettings {
        poll: Duration::from_millis(50),
        backoff: Duration::from_millis(200),
        max_attempts: 3,
        timeout: Duration::from_secs(2),
        scan_every: Duration::from_secs(3600),
    }
}

impl Options {
    /// The production set-up: keys only from the identity provider's JWKS, no shared secret.
    pub fn jwks_only(url: &str) -> Options {
        Options {
            hs256_secret: None,
            jwks_url: Some(url.to_owned()),
            ..Options::default()
        }
    }

    pub fn with_plugin_limits(self, limits: Limits) -> Options {
        Options {
            plugin_limits: Some(limits),
            ..self
        }
    }

    pub fn with_demo_data(self) -> Options {
        Options {
            demo_data: true,
            ..self
        }
    }
}

/// Where a test's data lives; cleaned up when the test ends.
enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        schema: String,
    },
    /// Another test app's database (its URL), cleaned up by that app.
    Shared(String),
}

impl TestDatabase {
    /// A fresh database and the URL the app should use for it.
    fn create() -> (TestDatabase, String) {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
        {
            Some(admin_url) => {
                assert!(
                    admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://"),
                    "TEST_DATABASE_URL must be a postgres:// URL, got {admin_url}"
                );
                let admin_url = without_ssl_unless_asked(admin_url);
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let mut conn = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL: cannot connect to {admin_url}: {e}"));
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .unwrap_or_else(|e| panic!("cannot create schema {schema}: {e}"));
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
                (TestDatabase::Postgres { admin_url, schema }, url)
            }
            None => {
                let dir = tempfile::tempdir().expect("a temporary folder for the SQLite database");
                let url = dir.path().join("bluelight.sqlite3").to_string_lossy().into_owned();
                (TestDatabase::Sqlite(dir), url)
            }
        }
    }
}

impl TestDatabase {
    /// The app's own pool is on the database this test made: a run asked to be on PostgreSQL
    /// (`TEST_DATABASE_URL`) fails here, loudly, if the app connected to anything else, and a
    /// PostgreSQL test's tables are in its own fresh schema.
    fn assert_is_where_the_app_runs(&self, pool: &bluelight_api::db::DbPool) {
        use bluelight_api::db::Backend;
        let mut conn = pool.get().expect("a connection from the app's pool");
        let backend = Backend::of_connection(&conn);
        let asked_for_postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty());
        let expected = match self {
            TestDatabase::Sqlite(_) => Backend::Sqlite,
            TestDatabase::Postgres { .. } => Backend::Postgres,
            TestDatabase::Shared(url) => Backend::of_url(url),
        };
        assert_eq!(
            backend, expected,
            "the app connected to {backend:?}, not the test's database"
        );
        assert!(
            !asked_for_postgres || backend == Backend::Postgres,
            "TEST_DATABASE_URL is set, but the app runs on {backend:?}"
        );
        if let TestDatabase::Postgres { schema, .. } = self {
            let current: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("current_schema()"))
                .get_result(&mut *conn)
                .expect("current_schema()");
            assert_eq!(&current, schema, "the app's tables are not in the test's own schema");
        }
    }
}

/// The test servers are on loopback, where SSL adds nothing, and libpq's OpenSSL cleanup at
/// process exit races pooled SSL connections still closing on other threads: the test binary
/// crashed in libcrypto after every test had passed. So SSL is off unless the URL asks for it.
fn without_ssl_unless_asked(url: String) -> String {
    if url.contains("sslmode=") {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, schema } = self {
            // Best effort: a failure here must not hide the test's own outcome.
            match PgConnection::establish(admin_url) {
                Ok(mut conn) => {
                    if let Err(e) =
                        diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn)
                    {
                        eprintln!("warning: cannot drop test schema {schema}: {e}");
                    }
                }
                Err(e) => eprintln!("warning: cannot connect to drop test schema {schema}: {e}"),
            }
        }
    }
}

/// The real app, serving real HTTP on a loopback port, with its own fresh database.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub options: Options,
    handle: ServerHandle,
    // Declared last: dropped after the server has been told to stop.
    _database: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        let (database, database_url) = TestDatabase::create();
        let engine = match &options.plugin_limits {
            None => shared_engine(),
            Some(limits) => Arc::new(RuleEngine::new(limits.clone()).expect("the plugin engine starts")),
        };
        TestApp::start(options, database, database_url, engine)
    }

    /// A second instance of the service on this app's database, with a plugin engine of its own
    /// that has compiled nothing: what a restart (or another node) sees.
    pub async fn second_instance(&self) -> TestApp {
        let url = self.database_url();
        let options = Options {
            demo_data: false,
            ..self.options.clone()
        };
        let engine = Arc::new(RuleEngine::new(test_limits()).expect("the plugin engine starts"));
        TestApp::start(options, TestDatabase::Shared(url.clone()), url, engine)
    }

    fn start(options: Options, database: TestDatabase, database_url: String, engine: Arc<RuleEngine>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let listen = listener.local_addr().expect("the bound address");
        let settings = Settings {
            database_url,
            // Small: parallel tests against one PostgreSQL server must stay under its connection limit.
            db_pool_size: 3,
            listen,
            auth: AuthSettings {
                hs256_secret: options.hs256_secret.clone(),
                jwks_url: options
                    .jwks_url
                    .as_deref()
                    .map(|url| url.parse().expect("a valid JWKS URL")),
                issuer: options.issuer.clone(),
                audience: options.audience.clone(),
                development_secret: false,
            },
            load_demo_data: options.demo_data,
            workers: Some(1),
            plugin_limits: options.plugin_limits.clone().unwrap_or_else(test_limits),
            webhooks: options.webhooks.clone(),
            allow_private_urls: options.allow_private_urls,
            clock: options.clock,
        };
        let state = bluelight_api::app::prepare_state_with_engine(&settings, engine)
            .expect("the app's state (database, migrations)");
        database.assert_is_where_the_app_runs(&state.pool);
        let server = bluelight_api::app::server(state, listener, Some(1)).expect("the HTTP server starts");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client");
        TestApp {
            base_url: format!("http://{listen}"),
            client,
            options,
            handle,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    // ----- tokens -----

    /// Claims valid for this app for the next hour.
    pub fn claims(&self, roles: &[&str], tenant: Option<&str>, supplier: Option<&str>) -> Claims {
        Claims {
            sub: "e2e-user".to_owned(),
            exp: chrono::Utc::now().timestamp() + 3600,
            iss: self.options.issuer.clone(),
            aud: self.options.audience.clone(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            tenant: tenant.map(str::to_owned),
            supplier: supplier.map(str::to_owned),
        }
    }

    /// An HS256 token with the app's secret (or the harness secret, for a JWKS-only app).
    pub fn token(&self, roles: &[&str], tenant: Option<&str>, supplier: Option<&str>) -> String {
        self.sign(&self.claims(roles, tenant, supplier))
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let secret = self.options.hs256_secret.as_deref().unwrap_or(SECRET);
        mint_token(secret, claims).expect("an HS256 token")
    }

    pub fn national_admin(&self) -> String {
        self.token(&["national_admin"], None, None)
    }

    pub fn national_viewer(&self) -> String {
        self.token(&["national_viewer"], None, None)
    }

    pub fn tenant_admin_of(&self, tenant: &str) -> String {
        self.token(&["tenant_admin"], Some(tenant), None)
    }

    pub fn buyer_of(&self, tenant: &str) -> String {
        self.token(&["buyer"], Some(tenant), None)
    }

    pub fn viewer_of(&self, tenant: &str) -> String {
        self.token(&["viewer"], Some(tenant), None)
    }

    pub fn supplier_staff(&self, supplier: &str) -> String {
        self.token(&["supplier"], None, Some(supplier))
    }

    // ----- requests -----

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        send(self.request(Method::GET, path).bearer_auth(token)).await
    }

    /// A GET with no Authorization header.
    pub async fn get_anonymous(&self, path: &str) -> Response {
        send(self.request(Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Response {
        send(self.request(Method::POST, path).bearer_auth(token).json(body)).await
    }

    /// A PATCH with `If-Match: etag` (no header when `etag` is `None`).
    pub async fn patch_json(&self, path: &str, token: &str, etag: Option<&str>, body: &Value) -> Response {
        let mut request = self.request(Method::PATCH, path).bearer_auth(token).json(body);
        if let Some(etag) = etag {
            request = request.header(IF_MATCH, etag);
        }
        send(request).await
    }

    /// Every item of a paginated list, following `next_cursor` page by page. `path` may carry
    /// filters already.
    /// One series' value in a `/metrics` scrape (0 when absent), e.g.
    /// `bluelight_imports_running` or `name{label="value"}` with labels in sorted order.
    pub async fn metric(&self, series: &str) -> f64 {
        let scrape = self
            .get("/metrics", &self.national_viewer())
            .await
            .text()
            .await
            .unwrap();
        scrape
            .lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |value| value.trim().parse().unwrap())
    }

    pub async fn list_all(&self, path: &str, token: &str, limit: u32) -> (Vec<Value>, usize) {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut url = format!("{path}{separator}limit={limit}");
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let page = json_ok(self.get(&url, token).await).await;
            pages += 1;
            let batch = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("no items array in {page}"));
            assert!(
                batch.len() <= limit as usize,
                "page of {} items exceeds limit {limit}",
                batch.len()
            );
            items.extend(batch.iter().cloned());
            match &page["next_cursor"] {
                Value::Null => break,
                Value::String(next) => cursor = Some(next.clone()),
                other => panic!("next_cursor must be a string or null, got {other}"),
            }
            assert!(pages < 1000, "pagination does not end");
        }
        (items, pages)
    }

    // ----- fixtures -----

    /// Creates a tenant as national_admin; returns the created tenant.
    pub async fn create_tenant(&self, slug: &str, kind: &str, region: &str) -> Value {
        let response = self
            .post_json(
                "/api/v1/tenants",
                &self.national_admin(),
                &tenant_body(slug, kind, region),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating tenant {slug}");
        response.json().await.expect("the created tenant as JSON")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the future only reports completion.
        drop(self.handle.stop(false));
    }
}

/// A body for `POST /api/v1/tenants`.
pub fn tenant_body(slug: &str, kind: &str, region: &str) -> Value {
    json!({"slug": slug, "name": format!("Tenant {slug}"), "kind": kind, "region": region})
}

/// Sends a request to the test server and checks the response against the published document
/// (see [`contract`]); panics, naming what is undocumented, when it does not match.
pub async fn send(request: RequestBuilder) -> Response {
    let (client, request) = request.build_split();
    let request = request.expect("a well-formed request");
    let method = request.method().clone();
    let path = request.url().path().to_owned();
    let response = client
        .execute(request)
        .await
        .expect("the request reaches the test server");
    checked_against_contract(&method, &path, response).await
}

/// Reads the whole response, checks it against the document, and hands back an equal response.
pub async fn checked_against_contract(method: &Method, path: &str, response: Response) -> Response {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("the response body");
    if let Err(problem) = contract::contract().check(method, path, status, &headers, &body) {
        panic!("the response to {method} {path} breaks the published contract: {problem}");
    }
    let mut rebuilt = http::Response::builder().status(status).version(version);
    *rebuilt.headers_mut().expect("a response builder") = headers;
    Response::from(rebuilt.body(body).expect("a rebuilt response"))
}

pub fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().expect("a text Content-Type").to_owned())
        .unwrap_or_default()
}

pub fn etag(response: &Response) -> String {
    response
        .headers()
        .get(ETAG)
        .unwrap_or_else(|| panic!("no ETag header on a {} response", response.status()))
        .to_str()
        .expect("a text ETag")
        .to_owned()
}

/// Asserts a 200 with a JSON body and returns the body.
pub async fn json_ok(response: Response) -> Value {
    json_with_status(response, StatusCode::OK).await
}

/// Asserts the status and a JSON body, and returns the body.
pub async fn json_with_status(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let content_type = content_type(&response);
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    assert!(
        content_type.starts_with("application/json"),
        "Content-Type {content_type:?}; body: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// Asserts an RFC 9457 problem response with this status and code, and returns the document.
/// Every error the API sends must pass this.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    let actual = response.status().as_u16();
    let content_type = content_type(&response);
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    assert_eq!(
        content_type, PROBLEM_JSON,
        "an error must be application/problem+json; body: {text}"
    );
    let problem: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("problem is not JSON ({e}): {text}"));
    for field in ["type", "title", "detail", "code"] {
        let value = problem[field]
            .as_str()
            .unwrap_or_else(|| panic!("problem lacks a string `{field}`: {text}"));
        assert!(!value.trim().is_empty(), "problem has an empty `{field}`: {text}");
    }
    assert_eq!(
        problem["status"],
        json!(status),
        "problem `status` must equal the HTTP status: {text}"
    );
    assert_eq!(problem["code"], json!(code), "problem code: {text}");
    assert_eq!(
        problem["type"],
        json!(format!("urn:bluelight:problem:{code}")),
        "problem type: {text}"
    );
    problem
}

/// The `field` of every entry in a validation problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a validation problem must list `errors`: {problem}"))
        .iter()
        .map(|e| {
            e["field"]
                .as_str()
                .unwrap_or_else(|| panic!("an error without `field`: {e}"))
                .to_owned()
        })
        .collect()
}

/// Asserts a 422 validation problem naming exactly `field` among its errors; returns the problem.
pub async fn assert_invalid_field(response: Response, field: &str) -> Value {
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields = error_fields(&problem);
    assert!(
        fields.iter().any(|f| f == field),
        "expected `{field}` among the fields at fault {fields:?}: {problem}"
    );
    problem
}
pub mod catalogue;
pub mod commercial;
