//! The award gate: an award relies on a compliant decision about the procurement as it stands.
//! A change that lands while the plugin runs voids the verdict (forced here with a second
//! database connection holding the change, not left to chance), and the award reads the decision
//! log, not a flag that could be stale.

use bluelight_rules_bundled::seed_plugins;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::day;
use crate::support::commercial::{Catalogue, FORCE};
use crate::support::database::{HeldTransaction, execute};
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

#[actix_web::test]
async fn a_change_landing_while_the_plugin_runs_voids_the_verdict_and_the_award() {
    let (app, catalogue) = set_up().await;
    let id = compliant_procurement(&app, &catalogue, "BED-RACE-1").await;
    let url = app.database_url();

    // What a PATCH to £5m on one quote writes, made behind the API's back and held open.
    let held = HeldTransaction::start(
        &url,
        format!(
            "UPDATE procurements SET version = version + 1, value_pence = 500000000, \
             last_outcome = NULL WHERE id = '{id}'"
        ),
    )
    .await;

    // The evaluation reads the procurement as committed (£5,000, three quotes: compliant) while
    // the change is held; it then waits for the row, and the change commits first.
    let (evaluation, ()) = tokio::join!(app.evaluate(FORCE, &id), async {
        held.until_another_waits().await;
        held.commit().await;
    });
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
    execute(
        &app.database_url(),
        format!("UPDATE procurements SET version = 2, value_pence = 500000000 WHERE id = '{id}'"),
    )
    .await;
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

/// An award waits for a change in flight and judges the procurement as it then stands: the
/// award locks the procurement's row before reading it. Forced: a second connection holds a
/// change to the evaluated procurement (£5m on one quote, as a PATCH writes) while the award is
/// asked for. Without the lock, PostgreSQL would let the award read the committed version 1,
/// find its compliant decision and register a contract (and the wait below would never be seen);
/// with it, the award waits and then finds no decision about version 2.
#[actix_web::test]
async fn an_award_waits_for_a_change_in_flight_and_judges_the_version_that_then_stands() {
    let (app, catalogue) = set_up().await;
    let id = compliant_procurement(&app, &catalogue, "BED-LOCK-1").await;
    let decision = json_with_status(app.evaluate(FORCE, &id).await, StatusCode::CREATED).await;
    assert_eq!(decision["decision"]["outcome"], "compliant", "{decision}");

    let held = HeldTransaction::start(
        &app.database_url(),
        format!(
            "UPDATE procurements SET version = version + 1, value_pence = 500000000, \
             last_outcome = NULL WHERE id = '{id}'"
        ),
    )
    .await;
    let (buyer, path, terms) = (app.buyer_of(FORCE), award_path(&id), award_terms());
    let (award, ()) = tokio::join!(app.post_json(&path, &buyer, &terms), async {
        held.until_another_waits().await;
        held.commit().await;
    });
    let problem = assert_problem(award, 409, "procurement_not_evaluated").await;
    assert!(problem["detail"].as_str().unwrap().contains("version 2"), "{problem}");
    assert!(app.all_contracts(FORCE).await.is_empty());
}
