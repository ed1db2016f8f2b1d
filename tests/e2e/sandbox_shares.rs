//! One tenant cannot starve the others' rule evaluations: each tenant's work holds at most its
//! share of the sandboxes (a quarter of them), so a tenant flooding evaluations with a plugin
//! that spins until its deadline gets 503 with `Retry-After` beyond its share, while another
//! tenant's evaluations keep succeeding. (Latencies are reported, not asserted.)

use std::time::{Duration, Instant};

use bluelight_rules::Limits;
use bluelight_rules_bundled::{hostile, seed_plugins};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::rules::{HOSTILE_TENANT, procurement_body};
use crate::support::{Options, TestApp, send};

const BEDFORDSHIRE: &str = "bedfordshire-police";

#[actix_web::test]
async fn a_tenant_flooding_its_sandboxes_is_refused_beyond_its_share_and_others_carry_on() {
    // Eight sandboxes, so a share of two; endless loops run to their 200 ms deadline.
    let limits = Limits {
        fuel: u64::MAX / 2,
        max_concurrent_instances: 8,
        ..Limits::default()
    };
    let app = TestApp::spawn_with(Options::default().with_plugin_limits(limits)).await;
    app.tenant_with_category(HOSTILE_TENANT).await;
    app.install_plugin(HOSTILE_TENANT, hostile()).await;
    app.tenant_with_category(BEDFORDSHIRE).await;
    let bedfordshire = seed_plugins().iter().find(|p| p.tenant == BEDFORDSHIRE).unwrap().wasm;
    app.install_plugin(BEDFORDSHIRE, bedfordshire).await;
    let spinning = app
        .create_procurement(
            HOSTILE_TENANT,
            &procurement_body("hostile:loop", "100.00", "single_quote"),
        )
        .await;
    let spinning = spinning["id"].as_str().unwrap().to_owned();
    let benign = app
        .create_procurement(BEDFORDSHIRE, &procurement_body("BED-SHARE", "500.00", "single_quote"))
        .await;
    let benign = benign["id"].as_str().unwrap().to_owned();

    let refusals =
        format!(r#"bluelight_rule_sandboxes_refused_total{{limit="tenant_share",tenant="{HOSTILE_TENANT}"}}"#);
    let refused_before = app.metric(&refusals).await;
    let path = format!("/api/v1/tenants/{HOSTILE_TENANT}/procurements/{spinning}/evaluations");
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let request = app
            .request(Method::POST, &path)
            .bearer_auth(app.buyer_of(HOSTILE_TENANT))
            .json(&json!({}));
        flood.spawn(async move {
            let response = send(request).await;
            let retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            let problem: Value = response.json().await.unwrap();
            (problem, retry_after)
        });
    }
    let flood = async {
        let mut flooded = Vec::new();
        while let Some(done) = flood.join_next().await {
            flooded.push(done.expect("the request task"));
        }
        flooded
    };
    let others = async {
        let mut latencies = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let response = app.evaluate(BEDFORDSHIRE, &benign).await;
            latencies.push(started.elapsed());
            assert_eq!(response.status(), StatusCode::CREATED, "Bedfordshire's evaluation");
        }
        latencies
    };
    let (flooded, mut latencies) = tokio::join!(flood, others);

    let refused: Vec<&(Value, Option<String>)> = flooded.iter().filter(|(p, _)| p["status"] == 503).collect();
    assert!(!refused.is_empty(), "the flood went past its share unrefused");
    for (problem, retry_after) in &refused {
        assert_eq!(problem["code"], "service_unavailable", "{problem}");
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    // Each refusal is counted against the tenant's share, in the operators' metrics.
    assert_eq!(app.metric(&refusals).await - refused_before, refused.len() as f64);
    for (problem, _) in &flooded {
        assert!(
            problem["status"] == 503 || problem["code"] == "plugin_deadline_exceeded",
            "{problem}"
        );
    }
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    eprintln!(
        "flood: {} of 24 refused; Bedfordshire alongside: 20 of 20 decided, median {:?}, p99 {:?}",
        refused.len(),
        latencies[latencies.len() / 2],
        p99.min(Duration::from_secs(3600))
    );
}
