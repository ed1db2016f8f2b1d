//! Webhooks against a real HTTP receiver on loopback: deliveries signed with the subscription's
//! secret, retried with backoff after failures and given up after the last attempt, recorded with
//! their outcome, never holding up the request that caused them; each tenant hears only its own
//! events and the national ones open to it; the calendar's events sent once.

use std::time::Duration;

use bluelight_rules_bundled::seed_plugins;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::catalogue::{FRAMEWORKS, SUPPLIERS, day, framework_body, location};
use crate::support::commercial::{FORCE, contract_body};
use crate::support::receiver::Receiver;
use crate::support::rules::procurement_body;
use crate::support::{
    Options, TestApp, assert_invalid_field, assert_problem, etag, json_ok, json_with_status, send, test_webhooks,
};

const OTHER_FORCE: &str = "cheshire-constabulary";
const FIRE: &str = "west-yorkshire-fire-and-rescue-service";

fn tenant_hooks(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/webhooks")
}

const NATIONAL_HOOKS: &str = "/api/v1/national/webhooks";

/// A subscription made at `path` with `token`: its location and secret.
async fn subscribe(app: &TestApp, path: &str, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let response = app
        .post_json(
            path,
            token,
            &json!({"url": url, "events": events, "description": "test receiver"}),
        )
        .await;
    let place = location(&response);
    let created = json_with_status(response, StatusCode::CREATED).await;
    let secret = created["secret"].as_str().expect("the secret, shown once").to_owned();
    assert!(secret.len() >= 64, "a long secret: {secret}");
    (place, secret)
}

/// The subscription's deliveries once the first has reached `status` (waits up to 20 s).
async fn deliveries_once(app: &TestApp, subscription: &str, token: &str, status: &str) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page = json_ok(app.get(&format!("{subscription}/deliveries"), token).await).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.first().is_some_and(|d| d["status"] == status) {
            return items;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery reached {status}: {items:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The subscription's deliveries once none is pending (waits up to 20 s). From then on nothing
/// more can reach its receiver: an event's deliveries are queued in the transaction of the change
/// that caused it, and only a pending delivery is ever sent. This is the fence for "nothing else
/// arrived", read from the outbox rather than waited for.
async fn settled(app: &TestApp, subscription: &str, token: &str) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page = json_ok(app.get(&format!("{subscription}/deliveries?limit=200"), token).await).await;
        assert!(page["next_cursor"].is_null(), "one page holds them all");
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.iter().all(|d| d["status"] != "pending") {
            return items;
        }
        assert!(std::time::Instant::now() < deadline, "still pending: {items:?}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The national team rates a strategic supplier's risk.
async fn rate(app: &TestApp, supplier: &str, rating: &str, reason: &str) {
    let response = app
        .post_json(
            &format!("{SUPPLIERS}/{supplier}/risk-ratings"),
            &app.national_admin(),
            &json!({"rating": rating, "reason": reason}),
        )
        .await;
    json_with_status(response, StatusCode::CREATED).await;
}

/// A force with its seed rule plugin active and one procurement; returns the procurement's id.
async fn force_with_procurement(app: &TestApp, tenant: &str) -> String {
    app.tenant_with_category(tenant).await;
    let wasm = seed_plugins().iter().find(|p| p.tenant == FORCE).unwrap().wasm;
    app.install_plugin(tenant, wasm).await;
    let procurement = app
        .create_procurement(tenant, &procurement_body("P-HOOK-1", "500.00", "single_quote"))
        .await;
    procurement["id"].as_str().unwrap().to_owned()
}

/// Bedfordshire with a procurement to evaluate, its admin subscribed to its decisions at
/// `receiver`: the procurement, the admin's token, the subscription's location and secret.
async fn subscribed_to_decisions(app: &TestApp, receiver: &Receiver) -> (String, String, String, String) {
    let procurement = force_with_procurement(app, FORCE).await;
    let admin = app.tenant_admin_of(FORCE);
    let (subscription, secret) =
        subscribe(app, &tenant_hooks(FORCE), &admin, &receiver.url, &["decision.recorded"]).await;
    (procurement, admin, subscription, secret)
}

#[actix_web::test]
async fn a_recorded_decision_is_delivered_signed_and_its_delivery_recorded() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let (procurement, admin, subscription, secret) = subscribed_to_decisions(&app, &receiver).await;

    // The secret is shown once: reading the subscription again does not show it.
    let read = json_ok(app.get(&subscription, &admin).await).await;
    assert!(read.get("secret").is_none(), "{read}");
    assert_eq!(read["events"], json!(["decision.recorded"]));
    assert_eq!(read["tenant"], FORCE);
    assert_eq!(read["active"], true);

    let response = app.evaluate(FORCE, &procurement).await;
    let decision_at = location(&response);
    let decision = json_with_status(response, StatusCode::CREATED).await;

    let got = receiver.wait_for(1).await;
    let delivery = &got[0];
    assert!(delivery.signed_with(&secret), "the signature checks with the secret");
    assert!(!delivery.signed_with("another secret"));
    assert_eq!(delivery.event, "decision.recorded");
    assert_eq!(delivery.content_type, "application/json");
    let sent_at: i64 = delivery.timestamp.parse().expect("a unix timestamp");
    assert!(
        (chrono::Utc::now().timestamp() - sent_at).abs() < 300,
        "a fresh timestamp"
    );
    let event = delivery.json();
    assert_eq!(event["type"], "decision.recorded");
    assert_eq!(event["tenant"], FORCE);
    assert_eq!(event["data"]["procurement_id"], procurement.as_str());
    assert_eq!(event["data"]["decision_id"], decision["id"]);
    assert!(decision_at.ends_with(decision["id"].as_str().unwrap()));
    assert_eq!(event["data"]["outcome"], decision["decision"]["outcome"]);
    assert_eq!(event["data"]["decision"], decision["decision"]);

    let recorded = deliveries_once(&app, &subscription, &admin, "delivered").await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0]["id"],
        delivery.id.as_str(),
        "Webhook-Id is the delivery's id"
    );
    assert_eq!(recorded[0]["event_id"], event["id"]);
    assert_eq!(recorded[0]["attempts"], 1);
    assert_eq!(recorded[0]["last_status"], 200);
    assert!(recorded[0]["delivered_at"].is_string());
    assert!(recorded[0]["next_attempt_at"].is_null());
}

#[actix_web::test]
async fn a_failing_receiver_is_retried_with_backoff_until_it_answers() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500, 503]);
    let (procurement, admin, subscription, secret) = subscribed_to_decisions(&app, &receiver).await;
    json_with_status(app.evaluate(FORCE, &procurement).await, StatusCode::CREATED).await;

    let got = receiver.wait_for(3).await;
    let recorded = deliveries_once(&app, &subscription, &admin, "delivered").await;
    assert_eq!(recorded[0]["attempts"], 3);
    assert_eq!(recorded[0]["last_status"], 200);
    assert!(recorded[0]["last_error"].is_null(), "{}", recorded[0]);
    // The same delivery each time, re-signed with a fresh timestamp.
    assert!(got.iter().all(|r| r.id == got[0].id && r.body == got[0].body));
    assert!(got.iter().all(|r| r.signed_with(&secret)));
    // Backoff: at least the configured 200 ms before the first retry, twice that before the next.
    let backoff = test_webhooks().backoff;
    assert!(got[1].at - got[0].at >= backoff, "{:?}", got[1].at - got[0].at);
    assert!(got[2].at - got[1].at >= backoff * 2, "{:?}", got[2].at - got[1].at);
    assert_eq!(settled(&app, &subscription, &admin).await.len(), 1);
    assert_eq!(receiver.received().len(), 3, "nothing more once delivered");
}

#[actix_web::test]
async fn deliveries_are_given_up_after_the_last_attempt_with_the_reason_recorded() {
    let app = TestApp::spawn().await;
    let failing = Receiver::start().await;
    failing.answer(&[500; 10]);
    // A port nothing listens on: bound, then released.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hooks", listener.local_addr().unwrap())
    };
    let procurement = force_with_procurement(&app, FORCE).await;
    let admin = app.tenant_admin_of(FORCE);
    let (to_failing, _) = subscribe(&app, &tenant_hooks(FORCE), &admin, &failing.url, &["decision.recorded"]).await;
    let (to_closed, _) = subscribe(&app, &tenant_hooks(FORCE), &admin, &closed, &["decision.recorded"]).await;
    json_with_status(app.evaluate(FORCE, &procurement).await, StatusCode::CREATED).await;

    let max_attempts = test_webhooks().max_attempts;
    let answered = deliveries_once(&app, &to_failing, &admin, "failed").await;
    assert_eq!(answered[0]["attempts"], max_attempts);
    assert_eq!(answered[0]["last_status"], 500);
    assert!(
        answered[0]["last_error"].as_str().unwrap().contains("500"),
        "{}",
        answered[0]
    );
    assert_eq!(failing.received().len(), max_attempts as usize);

    let unanswered = deliveries_once(&app, &to_closed, &admin, "failed").await;
    assert_eq!(unanswered[0]["attempts"], max_attempts);
    assert!(unanswered[0]["last_status"].is_null());
    assert!(
        unanswered[0]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("not delivered"),
        "{}",
        unanswered[0]
    );
}

#[actix_web::test]
async fn a_receiver_that_does_not_answer_holds_up_neither_the_request_nor_other_deliveries() {
    // Receivers get a minute to answer: a delivery loop that waited for the stuck one would
    // hold the prompt receiver's second event past the receiver's 20 s wait.
    let app = TestApp::spawn_with(Options {
        webhooks: bluelight_api::webhooks::settings::WebhookSettings {
            timeout: Duration::from_secs(60),
            ..test_webhooks()
        },
        ..Options::default()
    })
    .await;
    let stuck = Receiver::start().await;
    let prompt = Receiver::start().await;
    stuck.hold();
    app.create_tenant(FORCE, "police", "eastern").await;
    let supplier = app
        .create_supplier(
            &json!({"name": "Albion Fleet Solutions Ltd", "sme": false, "regions": ["national"], "strategic": true}),
        )
        .await;
    let supplier = supplier["id"].as_str().unwrap().to_owned();
    let events = ["supplier.risk_rating_changed"];
    let (stuck_subscription, _) = subscribe(&app, NATIONAL_HOOKS, &app.national_admin(), &stuck.url, &events).await;
    let (prompt_subscription, _) = subscribe(
        &app,
        &tenant_hooks(FORCE),
        &app.tenant_admin_of(FORCE),
        &prompt.url,
        &events,
    )
    .await;

    // The rating is answered while the stuck receiver has the event and has not answered.
    rate(&app, &supplier, "amber", "Late deliveries in Q3").await;
    let to_stuck = stuck.wait_for(1).await;
    let to_prompt = prompt.wait_for(1).await;
    assert_eq!(to_stuck.len(), 1);
    let event = to_prompt[0].json();
    assert_eq!(event["type"], "supplier.risk_rating_changed");
    assert_eq!(event["data"]["supplier_id"], supplier.as_str());
    assert_eq!(event["data"]["rating"], "amber");
    assert!(event["data"]["previous_rating"].is_null());
    assert!(event["tenant"].is_null(), "national data");
    // The API still answers other requests meanwhile.
    json_ok(
        app.get(&format!("{SUPPLIERS}/{supplier}"), &app.national_viewer())
            .await,
    )
    .await;
    rate(&app, &supplier, "red", "Missed a contingency test").await;
    let to_prompt = prompt.wait_for(2).await;
    assert_eq!(to_prompt[1].json()["data"]["previous_rating"], "amber");
    // (The stuck receiver has been sent the later event too, and holds both.)
    stuck.wait_for(2).await;
    stuck.open();

    // The same rating again is recorded but is no change: no event.
    rate(&app, &supplier, "red", "Reviewed, unchanged").await;
    let prompt_deliveries = settled(&app, &prompt_subscription, &app.tenant_admin_of(FORCE)).await;
    assert_eq!(prompt_deliveries.len(), 2, "{prompt_deliveries:?}");
    assert_eq!(prompt.received().len(), 2);
    assert_eq!(settled(&app, &stuck_subscription, &app.national_admin()).await.len(), 2);
    assert_eq!(stuck.received().len(), 2);
}

#[actix_web::test]
async fn each_tenant_hears_its_own_events_and_the_national_ones_open_to_it() {
    let app = TestApp::spawn().await;
    let police = Receiver::start().await;
    let other_police = Receiver::start().await;
    let fire = Receiver::start().await;
    let national = Receiver::start().await;
    let procurement = force_with_procurement(&app, FORCE).await;
    app.create_tenant(OTHER_FORCE, "police", "north-west").await;
    app.create_tenant(FIRE, "fire", "yorkshire-and-the-humber").await;
    let events = [
        "decision.recorded",
        "framework.status_changed",
        "supplier.risk_rating_changed",
    ];
    let mut subscriptions = Vec::new();
    for (tenant, receiver) in [(FORCE, &police), (OTHER_FORCE, &other_police), (FIRE, &fire)] {
        let (subscription, _) = subscribe(
            &app,
            &tenant_hooks(tenant),
            &app.tenant_admin_of(tenant),
            &receiver.url,
            &events,
        )
        .await;
        subscriptions.push((tenant, subscription));
    }
    subscribe(&app, NATIONAL_HOOKS, &app.national_admin(), &national.url, &events).await;

    // Bedfordshire's decision: Bedfordshire and the national team only.
    json_with_status(app.evaluate(FORCE, &procurement).await, StatusCode::CREATED).await;
    // A police-only framework going live by an edit of its dates: police forces and the national team.
    let mut body = framework_body("BLC-HOOK-1", "uniform-garments");
    body["start_date"] = json!(day(30));
    let framework = app.create_framework(&body).await;
    let framework_path = format!("{FRAMEWORKS}/{}", framework["id"].as_str().unwrap());
    let tag = etag(&app.get(&framework_path, &app.national_viewer()).await);
    let response = app
        .patch_json(
            &framework_path,
            &app.national_admin(),
            Some(&tag),
            &json!({"start_date": day(0)}),
        )
        .await;
    json_ok(response).await;
    // A strategic supplier's risk: everyone.
    let supplier = app
        .create_supplier(&json!({"name": "Meridian Fuelcard Services plc", "sme": false, "regions": ["national"], "strategic": true}))
        .await;
    rate(
        &app,
        supplier["id"].as_str().unwrap(),
        "red",
        "Going-concern warning in accounts",
    )
    .await;

    let types = |received: Vec<crate::support::receiver::Received>| {
        let mut types: Vec<String> = received
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect();
        types.sort();
        types
    };
    let all = [
        "decision.recorded",
        "framework.status_changed",
        "supplier.risk_rating_changed",
    ];
    assert_eq!(types(national.wait_for(3).await), all);
    assert_eq!(types(police.wait_for(3).await), all);
    assert_eq!(
        types(other_police.wait_for(2).await),
        ["framework.status_changed", "supplier.risk_rating_changed"]
    );
    assert_eq!(types(fire.wait_for(1).await), ["supplier.risk_rating_changed"]);
    // Settled: nothing else is queued for anyone, so nothing arrives late.
    for ((tenant, subscription), expected) in subscriptions.iter().zip([3, 2, 1]) {
        let deliveries = settled(&app, subscription, &app.tenant_admin_of(tenant)).await;
        assert_eq!(deliveries.len(), expected, "{tenant}: {deliveries:?}");
    }
    assert_eq!(police.received().len(), 3);
    assert_eq!(other_police.received().len(), 2);
    assert_eq!(fire.received().len(), 1);
    let status_change = police
        .received()
        .into_iter()
        .map(|r| r.json())
        .find(|e| e["type"] == "framework.status_changed")
        .unwrap();
    assert_eq!(status_change["data"]["from"], "pipeline");
    assert_eq!(status_change["data"]["to"], "live");
    assert_eq!(status_change["data"]["cause"], "dates_changed");
    assert_eq!(status_change["data"]["reference"], "BLC-HOOK-1");
}

#[actix_web::test]
async fn subscriptions_are_the_tenants_own_whatever_path_or_token_is_tried() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    app.create_tenant(FORCE, "police", "eastern").await;
    app.create_tenant(OTHER_FORCE, "police", "north-west").await;
    let (own, _) = subscribe(
        &app,
        &tenant_hooks(FORCE),
        &app.tenant_admin_of(FORCE),
        &receiver.url,
        &["contract.nearing_expiry"],
    )
    .await;
    let (national, _) = subscribe(
        &app,
        NATIONAL_HOOKS,
        &app.national_admin(),
        &receiver.url,
        &["decision.recorded"],
    )
    .await;
    let id = own.rsplit('/').next().unwrap();
    let national_id = national.rsplit('/').next().unwrap();
    let intruder = app.tenant_admin_of(OTHER_FORCE);

    // Another force's admin: its own path does not find the subscription; Bedfordshire's path is forbidden.
    let under_own_path = format!("{}/{id}", tenant_hooks(OTHER_FORCE));
    assert_problem(app.get(&under_own_path, &intruder).await, 404, "not_found").await;
    assert_problem(
        app.get(&format!("{under_own_path}/deliveries"), &intruder).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        send(app.request(Method::DELETE, &under_own_path).bearer_auth(&intruder)).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get(&own, &intruder).await, 403, "forbidden").await;
    assert_problem(app.get(&tenant_hooks(FORCE), &intruder).await, 403, "forbidden").await;
    assert_problem(
        send(app.request(Method::DELETE, &own).bearer_auth(&intruder)).await,
        403,
        "forbidden",
    )
    .await;
    let listed = json_ok(app.get(&tenant_hooks(OTHER_FORCE), &intruder).await).await;
    assert_eq!(listed["items"], json!([]));
    // A tenant admin cannot reach the national team's subscriptions, by either path.
    assert_problem(app.get(NATIONAL_HOOKS, &intruder).await, 403, "forbidden").await;
    assert_problem(
        app.get(
            &format!("{}/{national_id}", tenant_hooks(FORCE)),
            &app.tenant_admin_of(FORCE),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // Buyers and viewers of the force itself may not manage its webhooks.
    for token in [app.buyer_of(FORCE), app.viewer_of(FORCE)] {
        assert_problem(app.get(&tenant_hooks(FORCE), &token).await, 403, "forbidden").await;
        let body = json!({"url": receiver.url, "events": ["decision.recorded"]});
        assert_problem(
            app.post_json(&tenant_hooks(FORCE), &token, &body).await,
            403,
            "forbidden",
        )
        .await;
    }
    // National viewers read the national team's subscriptions; only national admins change them.
    json_ok(app.get(NATIONAL_HOOKS, &app.national_viewer()).await).await;
    let body = json!({"url": receiver.url, "events": ["decision.recorded"]});
    assert_problem(
        app.post_json(NATIONAL_HOOKS, &app.national_viewer(), &body).await,
        403,
        "forbidden",
    )
    .await;
    // A national admin may manage a tenant's subscriptions.
    json_ok(app.get(&own, &app.national_admin()).await).await;
}

#[actix_web::test]
async fn unsubscribing_stops_deliveries_and_keeps_the_history() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    // The attempt in flight when the subscription is withdrawn fails: it must not be retried.
    receiver.answer(&[500]);
    receiver.hold();
    let (procurement, admin, subscription, _) = subscribed_to_decisions(&app, &receiver).await;
    json_with_status(app.evaluate(FORCE, &procurement).await, StatusCode::CREATED).await;
    receiver.wait_for(1).await;

    let response = send(app.request(Method::DELETE, &subscription).bearer_auth(&admin)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    receiver.open();
    json_with_status(app.evaluate(FORCE, &procurement).await, StatusCode::CREATED).await;
    // The outbox: no new delivery, and the one in flight is failed, so never retried.
    let deliveries = settled(&app, &subscription, &admin).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(
        receiver.received().len(),
        1,
        "no delivery, and no retry, after unsubscribing"
    );
    let read = json_ok(app.get(&subscription, &admin).await).await;
    assert_eq!(read["active"], false);
    let history = json_ok(app.get(&format!("{subscription}/deliveries"), &admin).await).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history["items"][0]["status"], "failed", "{history}");
    assert_eq!(
        history["items"][0]["last_error"],
        "unsubscribed before it was delivered"
    );

    // The unsubscription is in the tenant's audit trail.
    let audit = json_ok(
        app.get(
            "/api/v1/audit-events?resource_type=webhook_subscription&limit=200",
            &app.national_viewer(),
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"webhook_subscription.created"), "{actions:?}");
    assert!(actions.contains(&"webhook_subscription.deactivated"), "{actions:?}");
}

#[actix_web::test]
async fn bad_subscriptions_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    app.create_tenant(FORCE, "police", "eastern").await;
    let admin = app.tenant_admin_of(FORCE);
    let path = tenant_hooks(FORCE);
    for (body, field) in [
        (
            json!({"url": "ftp://example.org/hook", "events": ["decision.recorded"]}),
            "url",
        ),
        (json!({"url": "not a url", "events": ["decision.recorded"]}), "url"),
        (
            json!({"url": "https://user:pw@example.org/hook", "events": ["decision.recorded"]}),
            "url",
        ),
        (json!({"url": "https://example.org/hook", "events": []}), "events"),
        (
            json!({"url": "https://example.org/hook", "events": ["decision.recorded", "decision.recorded"]}),
            "events",
        ),
        (
            json!({"url": "https://example.org/hook", "events": ["decision.made"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://example.org/hook", "events": ["decision.recorded"], "secret": "mine"}),
            "secret",
        ),
    ] {
        assert_invalid_field(app.post_json(&path, &admin, &body).await, field).await;
    }
    let listed = json_ok(app.get(&path, &admin).await).await;
    assert_eq!(listed["items"], json!([]), "nothing half-made");
}

#[actix_web::test]
async fn by_default_only_public_https_receivers_are_accepted() {
    let options = Options {
        allow_private_urls: false,
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    app.create_tenant(FORCE, "police", "eastern").await;
    let admin = app.tenant_admin_of(FORCE);
    for url in [
        "http://hooks.example-force.police.uk/bluelight",
        "https://127.0.0.1:9/hook",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
        "https://[::1]/hook",
    ] {
        let body = json!({"url": url, "events": ["decision.recorded"]});
        assert_invalid_field(app.post_json(&tenant_hooks(FORCE), &admin, &body).await, "url").await;
    }
    let body = json!({"url": "https://hooks.example-force.police.uk/bluelight", "events": ["decision.recorded"]});
    json_with_status(
        app.post_json(&tenant_hooks(FORCE), &admin, &body).await,
        StatusCode::CREATED,
    )
    .await;
}

#[actix_web::test]
async fn the_calendar_announces_contracts_and_frameworks_nearing_their_end_once() {
    let options = Options {
        webhooks: bluelight_api::webhooks::settings::WebhookSettings {
            scan_every: Duration::from_millis(100),
            ..test_webhooks()
        },
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    let receiver = Receiver::start().await;
    let national = Receiver::start().await;
    app.tenant_with_category(FORCE).await;
    app.create_tenant(OTHER_FORCE, "police", "north-west").await;
    let events = [
        "contract.nearing_expiry",
        "framework.nearing_expiry",
        "framework.status_changed",
    ];
    let (subscription, _) = subscribe(
        &app,
        &tenant_hooks(FORCE),
        &app.tenant_admin_of(FORCE),
        &receiver.url,
        &events,
    )
    .await;
    let (national_subscription, _) =
        subscribe(&app, NATIONAL_HOOKS, &app.national_admin(), &national.url, &events).await;

    let mut ending = contract_body("BED-C-END", "Leighton Buzzard Garage Ltd");
    ending["end_date"] = json!(day(45));
    let ending = app.create_contract(FORCE, &ending).await;
    let mut later = contract_body("BED-C-LATER", "Leighton Buzzard Garage Ltd");
    later["end_date"] = json!(day(200));
    app.create_contract(FORCE, &later).await;
    // Another force's ending contract: not Bedfordshire's news.
    let mut theirs = contract_body("CHE-C-END", "Crewe Workwear Ltd");
    theirs["end_date"] = json!(day(20));
    app.create_contract(OTHER_FORCE, &theirs).await;
    let mut framework = framework_body("BLC-HOOK-END", "uniform-garments");
    framework["end_date"] = json!(day(120));
    app.create_framework(&framework).await;

    receiver.wait_for(2).await;
    // A fence: a contract made after those two arrived can only be announced by a later scan,
    // which sees the first two again and must not announce them twice.
    let mut fence = contract_body("BED-C-FENCE", "Leighton Buzzard Garage Ltd");
    fence["end_date"] = json!(day(30));
    let fence = app.create_contract(FORCE, &fence).await;
    receiver.wait_for(3).await;
    let queued = settled(&app, &subscription, &app.tenant_admin_of(FORCE)).await;
    assert_eq!(queued.len(), 3, "{queued:?}");
    let got: Vec<Value> = receiver.received().iter().map(|r| r.json()).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    let fenced = got.iter().filter(|e| e["data"]["contract_id"] == fence["id"]).count();
    assert_eq!(fenced, 1, "{got:?}");
    let got: Vec<Value> = got
        .into_iter()
        .filter(|e| e["data"]["contract_id"] != fence["id"])
        .collect();
    let contract = got.iter().find(|e| e["type"] == "contract.nearing_expiry").unwrap();
    assert_eq!(contract["tenant"], FORCE);
    assert_eq!(contract["data"]["contract_id"], ending["id"]);
    assert_eq!(contract["data"]["days_left"], 45);
    assert_eq!(contract["data"]["value"], "12000.00");
    let framework = got.iter().find(|e| e["type"] == "framework.nearing_expiry").unwrap();
    assert_eq!(framework["data"]["reference"], "BLC-HOOK-END");
    assert_eq!(framework["data"]["days_left"], 120);
    // The national team hears both forces' ending contracts, the framework and the fence.
    national.wait_for(4).await;
    let queued = settled(&app, &national_subscription, &app.national_admin()).await;
    assert_eq!(queued.len(), 4, "{queued:?}");
    assert_eq!(national.received().len(), 4);
}
