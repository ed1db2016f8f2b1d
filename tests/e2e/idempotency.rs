//! Retried creates with `Idempotency-Key`: the first response again instead of a second record,
//! and every state a key can be in (running, finished, failed, abandoned, expired) on national
//! and tenant creates.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::support::catalogue::{SUPPLIERS, supplier_body};
use crate::support::commercial::{FORCE, Kind, contract_body, contracts_path};
use crate::support::database::execute;
use crate::support::{TestApp, assert_problem, json_with_status, send, tenant_body};

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    send(
        app.request(Method::POST, "/api/v1/tenants")
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn tenant_count(app: &TestApp) -> usize {
    app.list_all("/api/v1/tenants", &app.national_viewer(), 200)
        .await
        .0
        .len()
}

#[actix_web::test]
async fn a_retried_create_gets_the_first_response_and_creates_one_record() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let body = tenant_body("retry-fire", "fire", "wales");

    let first = post_with_key(&app, &admin, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("Idempotent-Replayed").is_none());
    let first_location = first.headers()["location"].to_str().unwrap().to_owned();
    let first_body = json_with_status(first, StatusCode::CREATED).await;

    let again = post_with_key(&app, &admin, "key-1", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"].to_str().unwrap(), first_location);
    assert_eq!(json_with_status(again, StatusCode::CREATED).await, first_body);
    assert_eq!(tenant_count(&app).await, 1);
}

#[actix_web::test]
async fn the_same_key_for_a_different_request_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let created = post_with_key(&app, &admin, "key-2", &tenant_body("first-fire", "fire", "wales")).await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let other = post_with_key(&app, &admin, "key-2", &tenant_body("second-fire", "fire", "wales")).await;
    assert_problem(other, 422, "idempotency_key_reused").await;
    assert_eq!(tenant_count(&app).await, 1);
}

#[actix_web::test]
async fn keys_belong_to_each_caller() {
    let app = TestApp::spawn().await;
    let alice = app.sign(&app.claims(&["national_admin"], None, None));
    let mut bob_claims = app.claims(&["national_admin"], None, None);
    bob_claims.sub = "bob@bluelight".into();
    let bob = app.sign(&bob_claims);
    assert_ne!(alice, bob);

    let by_alice = post_with_key(&app, &alice, "shared-key", &tenant_body("alice-fire", "fire", "wales")).await;
    assert_eq!(by_alice.status(), StatusCode::CREATED);
    let by_bob = post_with_key(&app, &bob, "shared-key", &tenant_body("bob-fire", "fire", "wales")).await;
    assert_eq!(by_bob.status(), StatusCode::CREATED, "bob's key is not alice's");
    assert_eq!(tenant_count(&app).await, 2);
}

#[actix_web::test]
async fn a_refused_create_is_replayed_rather_than_run_again() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let invalid = json!({"slug": "Not A Slug", "name": "x", "kind": "fire", "region": "wales"});
    assert_problem(
        post_with_key(&app, &admin, "key-3", &invalid).await,
        422,
        "validation_failed",
    )
    .await;
    let again = post_with_key(&app, &admin, "key-3", &invalid).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_problem(again, 422, "validation_failed").await;
}

/// The document promises 1-255 visible ASCII characters (`^[\x21-\x7E]+$`); a key outside that form is refused
/// before anything is created, as a client generated from the document would expect.
#[actix_web::test]
async fn a_key_outside_the_documented_form_is_refused() {
    let app = TestApp::spawn().await;
    let overlong = "k".repeat(256);
    for (index, key) in [overlong.as_str(), "two words", "tab\there"].into_iter().enumerate() {
        let response = post_with_key(
            &app,
            &app.national_admin(),
            key,
            &tenant_body(&format!("bad-key-{index}"), "fire", "wales"),
        )
        .await;
        assert_problem(response, 422, "validation_failed").await;
    }
    assert_eq!(tenant_count(&app).await, 0);
}

/// A creating endpoint, with who posts to it and what.
struct Create {
    name: &'static str,
    path: String,
    token: String,
    body: Value,
    /// The table its records are written to (renamed away to make the request fail).
    table: &'static str,
}

impl Create {
    fn request(&self, app: &TestApp, key: &str) -> reqwest::RequestBuilder {
        app.request(Method::POST, &self.path)
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key)
            .json(&self.body)
    }

    async fn post(&self, app: &TestApp, key: &str) -> Answer {
        Answer::of(send(self.request(app, key)).await).await
    }
}

/// What a response said, as far as a retry is concerned.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    location: Option<String>,
    replayed: bool,
    body: Value,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Answer {
        let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        let (location, replayed) = (header("location"), header("idempotent-replayed").is_some());
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            location,
            replayed,
            body,
        }
    }

    /// Whether this answer came from running the request (not from the key's record), with a
    /// different outcome from `earlier`: a second record, or a conflict with the first.
    fn ran_again_after(&self, earlier: &Answer) -> bool {
        let about_the_key = self.body["code"]
            .as_str()
            .is_some_and(|code| code.starts_with("idempotent"));
        !self.replayed && !about_the_key && (self.status != earlier.status || self.location != earlier.location)
    }
}

/// Moves the key's record back or forward in time, or back to "still running", as a stopped
/// instance or the passing of a day would leave it.
async fn set_key(app: &TestApp, key: &str, changes: &str) {
    execute(
        &app.database_url(),
        format!("UPDATE idempotency_records SET {changes} WHERE idem_key = '{key}'"),
    )
    .await;
}

fn stamp(ago: chrono::Duration) -> String {
    (chrono::Utc::now().naive_utc() - ago)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

#[actix_web::test]
async fn a_key_running_finished_abandoned_expired_or_failed_is_handled_on_national_and_tenant_creates() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.commercial_catalogue().await;
    let creates = [
        Create {
            name: "a supplier (national)",
            path: SUPPLIERS.to_owned(),
            token: app.national_admin(),
            body: supplier_body("Kestrel Idempotent Supplies Ltd"),
            table: "suppliers",
        },
        Create {
            name: "a contract (tenant)",
            path: contracts_path(FORCE),
            token: app.buyer_of(FORCE),
            body: contract_body("BED-C-IDEM", "Leighton Buzzard Garage Ltd"),
            table: "contracts",
        },
        Create {
            name: "a webhook subscription (tenant)",
            path: format!("/api/v1/tenants/{FORCE}/webhooks"),
            token: app.tenant_admin_of(FORCE),
            body: json!({"url": "http://127.0.0.1:9/hooks", "events": ["decision.recorded"]}),
            table: "webhook_subscriptions",
        },
    ];
    for create in &creates {
        let name = create.name;
        let key = format!("key-for-{}", create.table);
        let first = create.post(&app, &key).await;
        assert_eq!(first.status, 201, "{name}: {first:?}");
        assert!(!first.replayed);
        let replay = create.post(&app, &key).await;
        assert!(replay.replayed, "{name}");
        assert_eq!(
            (&replay.location, &replay.body),
            (&first.location, &first.body),
            "{name}"
        );

        // Still running (claimed a moment ago, no response yet): the retry must wait.
        set_key(
            &app,
            &key,
            &format!(
                "status = NULL, body = NULL, created_at = '{}'",
                stamp(chrono::Duration::zero())
            ),
        )
        .await;
        assert_problem(
            send(create.request(&app, &key)).await,
            409,
            "idempotent_request_in_progress",
        )
        .await;

        // Abandoned after its write committed (its response never kept): done, not done again.
        set_key(
            &app,
            &key,
            &format!("created_at = '{}'", stamp(chrono::Duration::minutes(2))),
        )
        .await;
        assert_problem(
            send(create.request(&app, &key)).await,
            409,
            "idempotent_request_completed",
        )
        .await;

        // Abandoned before its write committed: the retry runs, and is kept.
        set_key(&app, &key, "committed = FALSE").await;
        let taken_over = create.post(&app, &key).await;
        assert!(taken_over.ran_again_after(&first), "{name}: {taken_over:?}");
        let replay = create.post(&app, &key).await;
        assert!(replay.replayed, "{name}");
        assert_eq!(
            (replay.status, &replay.body),
            (taken_over.status, &taken_over.body),
            "{name}"
        );

        // Expired (kept 24 hours): the retry runs.
        set_key(
            &app,
            &key,
            &format!("created_at = '{}'", stamp(chrono::Duration::hours(25))),
        )
        .await;
        let after_a_day = create.post(&app, &key).await;
        assert!(after_a_day.ran_again_after(&first), "{name}: {after_a_day:?}");

        // A server error is not kept: the retry runs. (The fault: the table is renamed away.)
        let failing_key = format!("failing-key-for-{}", create.table);
        let url = app.database_url();
        let away = format!("{}_away", create.table);
        execute(&url, format!("ALTER TABLE {} RENAME TO {away}", create.table)).await;
        // Sent without the contract check: a 500 is not in the published contract, as it
        // should not be.
        let failed = create.request(&app, &failing_key).send().await.unwrap();
        let failed_status = failed.status();
        execute(&url, format!("ALTER TABLE {away} RENAME TO {}", create.table)).await;
        assert_eq!(failed_status, StatusCode::INTERNAL_SERVER_ERROR, "{name}");
        let retried = create.post(&app, &failing_key).await;
        assert!(!retried.replayed, "{name}: {retried:?}");
        assert!(retried.status < 500, "{name}: {retried:?}");
    }
}

#[actix_web::test]
async fn a_key_is_for_one_query_and_one_set_of_grants() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();
    let body = tenant_body("query-fire", "fire", "wales");
    let first = post_with_key(&app, &admin, "key-q", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    // The same body to the same path with a query string is another request.
    let with_query = send(
        app.request(Method::POST, "/api/v1/tenants?dry_run=true")
            .bearer_auth(&admin)
            .header("Idempotency-Key", "key-q")
            .json(&body),
    )
    .await;
    assert_problem(with_query, 422, "idempotency_key_reused").await;
    // The same caller (same `sub`) whose token no longer grants national_admin gets no replay
    // of what it created when it did.
    let demoted = app.sign(&app.claims(&["national_viewer"], None, None));
    assert_problem(
        post_with_key(&app, &demoted, "key-q", &body).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(tenant_count(&app).await, 1);
}

/// Serves a release package only when let go: a request that fetches it stays running until then.
struct HeldPackage {
    url: String,
    fetches: Arc<AtomicUsize>,
    go: watch::Sender<bool>,
}

impl HeldPackage {
    async fn start() -> HeldPackage {
        let (go, _) = watch::channel(false);
        let fetches = Arc::new(AtomicUsize::new(0));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let url = format!("http://{}/package.json", listener.local_addr().unwrap());
        let (counted, gate) = (fetches.clone(), go.clone());
        let server = HttpServer::new(move || {
            let (counted, gate) = (counted.clone(), gate.clone());
            App::new().route(
                "/package.json",
                web::get().to(move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let mut open = gate.subscribe();
                    async move {
                        open.wait_for(|go| *go).await.expect("the test holds the gate");
                        HttpResponse::Ok().content_type("application/json").body(PACKAGE)
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("the publisher listens")
        .run();
        actix_web::rt::spawn(server);
        HeldPackage { url, fetches, go }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

const PACKAGE: &str = include_str!("../fixtures/ocds/national-frameworks.json");

#[actix_web::test]
async fn a_retry_while_the_first_request_runs_is_told_to_wait_and_later_gets_its_answer() {
    let app = TestApp::spawn().await;
    let publisher = HeldPackage::start().await;
    let body = json!({"url": publisher.url, "dry_run": true});
    let import = || {
        send(
            app.request(Method::POST, "/api/v1/ocds/framework-imports")
                .bearer_auth(app.national_admin())
                .header("Idempotency-Key", "import-once")
                .json(&body),
        )
    };

    let (first, ()) = tokio::join!(import(), async {
        // The first request is running once the publisher has been asked for the package.
        let deadline = Instant::now() + Duration::from_secs(20);
        while publisher.fetches() == 0 {
            assert!(Instant::now() < deadline, "the import never fetched the package");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        assert_problem(import().await, 409, "idempotent_request_in_progress").await;
        publisher.go.send_replace(true);
    });
    let first = Answer::of(first).await;
    assert!(!first.replayed);
    assert_eq!(first.status, 200, "{first:?}");
    let again = Answer::of(import().await).await;
    assert!(again.replayed);
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    assert_eq!(publisher.fetches(), 1, "the package was fetched once");
}

#[actix_web::test]
async fn a_file_import_sent_with_a_key_is_not_held_to_the_json_size_limit() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    let mut csv = String::from("transaction_id,date,supplier,amount\n");
    let mut line = 0;
    while csv.len() <= bluelight_api::http::json::MAX_JSON_BYTES {
        csv.push_str(&format!("BIG-{line:06},2025-06-01,Order Supplies Ltd,10.00\n"));
        line += 1;
    }
    // Imports are idempotent by the file's hash; a key sent with one is not the middleware's,
    // though it must still have the documented form.
    let upload = |key: &str| {
        app.request(Method::POST, &Kind::Spend.path(FORCE))
            .bearer_auth(app.buyer_of(FORCE))
            .header("Idempotency-Key", key)
            .header("content-type", "application/octet-stream")
            .body(csv.clone())
    };
    assert_problem(send(upload("big file")).await, 422, "validation_failed").await;
    let response = send(upload("big-file")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}
