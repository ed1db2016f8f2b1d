//! Faults the service must survive with a clear answer and nothing half-written. Here: a lock
//! held elsewhere (another instance's long transaction, an operator's session) for longer than
//! the service waits. The writer gets 503 with `Retry-After` after a bounded wait on both
//! databases, not a 500 and not a request that hangs; its change is not made; once the lock is
//! gone the same request succeeds.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::database::HeldTransaction;
use crate::support::{TestApp, assert_problem, etag, json_ok, send};

#[actix_web::test]
async fn a_writer_kept_waiting_by_a_lock_gets_503_with_retry_after_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_tenant("lockwait-fire", "fire", "wales").await;
    let path = "/api/v1/tenants/lockwait-fire";
    let admin = app.national_admin();
    let version = etag(&app.get(path, &admin).await);
    let rename = || {
        send(
            app.request(Method::PATCH, path)
                .bearer_auth(&admin)
                .header("if-match", version.as_str())
                .json(&json!({"name": "Renamed while locked"})),
        )
    };

    // Another connection holds the tenant's row (and, on SQLite, the database's write lock).
    let held = HeldTransaction::start(
        &app.database_url(),
        "UPDATE tenants SET version = version WHERE slug = 'lockwait-fire'".to_owned(),
    )
    .await;
    let response = rename().await;
    assert_eq!(response.headers()["retry-after"], "1");
    assert_problem(response, 503, "service_unavailable").await;
    held.commit().await;

    let unchanged = json_ok(app.get(path, &admin).await).await;
    assert_ne!(unchanged["name"], "Renamed while locked", "{unchanged}");
    let renamed = rename().await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(json_ok(renamed).await["name"], "Renamed while locked");
}

/// Writers queued behind a write that is itself waiting (on SQLite, for the service's one
/// writer; on PostgreSQL, for the row) are not queued without end: each gets 503 with
/// `Retry-After` after a bounded wait, and none of them changes anything. On SQLite the one
/// queued behind says it waited for the service's one writer, which is what an import holds.
#[actix_web::test]
async fn writers_queued_behind_a_waiting_writer_get_503_after_a_bounded_wait() {
    let app = TestApp::spawn().await;
    app.create_tenant("queue-fire", "fire", "wales").await;
    let path = "/api/v1/tenants/queue-fire";
    let admin = app.national_admin();
    let version = etag(&app.get(path, &admin).await);
    let rename = |name: &'static str| {
        send(
            app.request(Method::PATCH, path)
                .bearer_auth(&admin)
                .header("if-match", version.as_str())
                .json(&json!({ "name": name })),
        )
    };
    let held = HeldTransaction::start(
        &app.database_url(),
        "UPDATE tenants SET version = version WHERE slug = 'queue-fire'".to_owned(),
    )
    .await;
    let (first, second, third) = tokio::join!(rename("First"), rename("Second"), rename("Third"));
    let mut details = Vec::new();
    for response in [first, second, third] {
        assert_eq!(response.headers()["retry-after"], "1");
        let problem = assert_problem(response, 503, "service_unavailable").await;
        details.push(problem["detail"].as_str().unwrap().to_owned());
    }
    held.commit().await;
    if app.database_url().starts_with("postgres") {
        assert!(details.iter().all(|d| d.contains("database lock")), "{details:?}");
    } else {
        assert!(
            details.iter().any(|d| d.contains("one writer")),
            "the writers behind the first waited for the database itself: {details:?}"
        );
    }
    let unchanged = json_ok(app.get(path, &admin).await).await;
    assert_eq!(unchanged["name"], "Tenant queue-fire");
}
