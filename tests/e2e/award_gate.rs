//! The award gate: an award relies on a compliant decision about the procurement as it stands.
//! A change that lands while the plugin runs voids the verdict (forced here with a second
//! database connection holding the change, not left to chance), and the award reads the decision
//! log, not a flag that could be stale.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use bluelight_api::db::{Backend, PooledDb};
use bluelight_rules_bundled::seed_plugins;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::day;
use crate::support::commercial::{Catalogue, FORCE};
use crate::support::rules::procurement_body;
use crate::support::{TestApp, assert_problem, etag, json_ok, json_with_status};

async fn set_up() -> (TestApp, Catalogue) {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    let catalogue = app.commercial_catalogue().await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(FORCE, wasm).await;
    (app, catalogue)
}

/// £5,000 on three quotes: compliant under Bedfordshire's rules.
async fn compliant_procurement(app: &TestApp, catalogue: &Catalogue, reference: &str) -> String {
    let mut body = procurement_body(reference, "5000.00", "multiple_quotes");
    body["quotes"] = json!([
        {"supplier_name": "Ouse Valley Outfitters Ltd", "amount": "5200.00", "local": true, "sme": true},
        {"supplier_id": catalogue.awarded, "amount": "4800.00"},
        {"supplier_name": "Shire Kit Supplies Ltd", "amount": "4950.00", "vcse": true},
    ]);
    app.create_procurement(FORCE, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn award_path(id: &str) -> String {
    format!("/api/v1/tenants/{FORCE}/procurements/{id}/award")
}

fn award_terms() -> Value {
    json!({"start_date": day(1), "end_date": day(366)})
}

/// A connection of the test's own, beside the app's pool (a pooled connection keeps its pool).
fn connect(url: &str) -> PooledDb {
    bluelight_api::db::connect(url, 1)
        .expect("a pool on the test database")
        .get()
        .expect("a connection to the test database")
}

/// What a PATCH to £5m on one quote writes, made behind the API's back in a transaction that
/// stays open (holding the row, and on SQLite the write lock) until `commit` is signalled.
/// Returns the PostgreSQL backend pid of the holder (None on SQLite) once the change is made.
fn hold_a_change(
    url: String,
    id: String,
    made: tokio::sync::oneshot::Sender<Option<i32>>,
    commit: mpsc::Receiver<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let backend = Backend::of_url(&url);
        let mut conn = connect(&url);
        let begin = match backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        conn.batch_execute(&format!(
            "{begin}; UPDATE procurements SET version = version + 1, value_pence = 500000000, \
             last_outcome = NULL WHERE id = '{id}'"
        ))
        .expect("the change is made");
        let pid = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(
                diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
                    .get_result::<i32>(&mut *conn)
                    .expect("the holder's pid"),
            ),
        };
        made.send(pid).expect("the test waits for the change");
        commit.recv().expect("the test says when to commit");
        conn.batch_execute("COMMIT").expect("the change commits");
    })
}

/// Waits until the evaluation is blocked behind the held change. PostgreSQL says so
/// (`pg_blocking_pids`). SQLite cannot: its waiting writer retries in the busy handler,
/// invisibly, so the test gives it a moment after the request is sent; releasing too early would
/// let the evaluation read the new version and answer 201, failing this test, never passing it.
async fn until_blocked_behind(url: &str, holder: Option<i32>) {
    let Some(pid) = holder else {
        tokio::time::sleep(Duration::from_millis(300)).await;
        return;
    };
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = connect(&url);
        let started = Instant::now();
        loop {
            let waiting = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
                "(SELECT count(*) FROM pg_stat_activity WHERE {pid} = ANY(pg_blocking_pids(pid)))"
            )))
            .get_result::<i64>(&mut *conn)
            .expect("pg_stat_activity");
            if waiting > 0 {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the evaluation never waited on the change"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    })
    .await
    .expect("the watcher");
}

#[actix_web::test]
async fn a_change_landing_while_the_plugin_runs_voids_the_verdict_and_the_award() {
    let (app, catalogue) = set_up().await;
    let id = compliant_procurement(&app, &catalogue, "BED-RACE-1").await;
    let url = app.database_url();

    let (made_tx, made_rx) = tokio::sync::oneshot::channel();
    let (commit_tx, commit_rx) = mpsc::channel();
    let holder = hold_a_change(url.clone(), id.clone(), made_tx, commit_rx);
    let holder_pid = made_rx.await.expect("the change is held");

    // The evaluation reads the procurement as committed (£5,000, three quotes: compliant) while
    // the change is held; it then waits for the row, and the change commits first.
    let (evaluation, ()) = tokio::join!(app.evaluate(FORCE, &id), async {
        until_blocked_behind(&url, holder_pid).await;
        commit_tx.send(()).expect("the holder is waiting");
    });
    holder.join().expect("the holder");
    let problem = assert_problem(evaluation, 409, "procurement_changed").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("evaluate it again"),
        "{problem}"
    );

    // Nothing was recorded about the version no one judged, and no award follows from it.
    let buyer = app.buyer_of(FORCE);
    let evaluations = format!("/api/v1/tenants/{FORCE}/procurements/{id}/evaluations");
    let (recorded, _) = app.list_all(&evaluations, &buyer, 50).await;
    assert!(
        recorded.is_empty(),
        "a verdict about the old version was recorded: {recorded:?}"
    );
    let procurement = json_ok(
        app.get(&format!("/api/v1/tenants/{FORCE}/procurements/{id}"), &buyer)
            .await,
    )
    .await;
    assert_eq!(procurement["value"], "5000000.00");
    assert!(procurement["last_outcome"].is_null(), "{procurement}");
    assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_evaluated",
    )
    .await;
    assert!(app.all_contracts(FORCE).await.is_empty());
}

#[actix_web::test]
async fn an_award_relies_on_the_decision_about_the_version_that_stands_not_a_stale_flag() {
    let (app, catalogue) = set_up().await;
    let id = compliant_procurement(&app, &catalogue, "BED-GATE-1").await;
    let buyer = app.buyer_of(FORCE);
    let path = format!("/api/v1/tenants/{FORCE}/procurements/{id}");

    let first = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(first["decision"]["outcome"], "compliant", "{first}");
    assert_eq!(
        first["procurement_version"], 1,
        "the decision names the version it judged"
    );

    // The procurement changes behind the API's back, leaving its compliant flag as it was (a
    // stale copy, as a bug or a hand-made fix would leave it): the decision judged version 1.
    let url = app.database_url();
    let changed = id.clone();
    tokio::task::spawn_blocking(move || {
        connect(&url)
            .batch_execute(&format!(
                "UPDATE procurements SET version = 2, value_pence = 500000000 WHERE id = '{changed}'"
            ))
            .expect("the change");
    })
    .await
    .unwrap();
    let procurement = app.get(&path, &buyer).await;
    assert_eq!(etag(&procurement), "\"2\"");
    assert_eq!(json_ok(procurement).await["last_outcome"], "compliant");
    let problem = assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_evaluated",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("version 2"), "{problem}");

    // Judged again as it stands (£5m on three quotes is over Bedfordshire's tender threshold).
    let second = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(second["procurement_version"], 2);
    assert_eq!(second["decision"]["outcome"], "non_compliant", "{second}");
    assert_problem(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        409,
        "procurement_not_compliant",
    )
    .await;

    // Put back to £5,000 through the API (version 3), judged compliant, awarded: the audit entry
    // names the decision the award relied on.
    let tag = etag(&app.get(&path, &buyer).await);
    json_ok(
        app.patch_json(&path, &buyer, Some(&tag), &json!({"value": "5000.00"}))
            .await,
    )
    .await;
    let third = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(third["procurement_version"], 3);
    assert_eq!(third["decision"]["outcome"], "compliant", "{third}");
    let contract = json_with_status(
        app.post_json(&award_path(&id), &buyer, &award_terms()).await,
        StatusCode::CREATED,
    )
    .await;
    let audit = json_ok(
        app.get(
            &format!(
                "/api/v1/audit-events?action=contract.awarded&resource_id={}",
                contract["id"].as_str().unwrap()
            ),
            &app.tenant_admin_of(FORCE),
        )
        .await,
    )
    .await;
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["detail"]["decision_id"], third["id"]);
    assert_eq!(entries[0]["detail"]["procurement_version"], 3);
}
