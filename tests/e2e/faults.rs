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
