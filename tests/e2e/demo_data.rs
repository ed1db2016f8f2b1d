//! The national demo data: loaded once, idempotently, and consistent through the API.

use std::collections::BTreeSet;

use bluelight_api::demo::{LoadReport, load};
use serde_json::{Value, json};

use crate::support::catalogue::{CATEGORIES, FRAMEWORKS, SUPPLIERS, set_of, strings};
use crate::support::{Options, TestApp, json_ok};

/// What the API shows of the national data, in a form two readings can be compared in.
async fn snapshot(app: &TestApp) -> Value {
    let token = app.national_viewer();
    let all = |path: &'static str| {
        let token = token.clone();
        async move { app.list_all(path, &token, 200).await.0 }
    };
    let suppliers = all(SUPPLIERS).await;
    let mut strategic = Vec::new();
    for supplier in suppliers.iter().filter(|s| s["strategic"] == true) {
        let id = supplier["id"].as_str().unwrap();
        let history = app
            .list_all(&format!("{SUPPLIERS}/{id}/risk-ratings"), &token, 200)
            .await
            .0;
        let kpis = app
            .list_all(&format!("{SUPPLIERS}/{id}/kpi-scores"), &token, 200)
            .await
            .0;
        strategic.push(json!({"id": id, "history": history, "kpis": kpis}));
    }
    json!({
        "tenants": all("/api/v1/tenants").await,
        "categories": all(CATEGORIES).await,
        "frameworks": all(FRAMEWORKS).await,
        "suppliers": suppliers,
        "strategic": strategic,
    })
}

fn count_where(items: &Value, field: &str, value: &str) -> usize {
    items
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item[field] == value)
        .count()
}

#[actix_web::test]
async fn loading_the_demo_data_again_creates_nothing_and_changes_nothing() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let before = snapshot(&app).await;

    assert_eq!(
        count_where(&before["tenants"], "kind", "police"),
        43,
        "every territorial force of England and Wales"
    );
    assert!(count_where(&before["tenants"], "kind", "fire") >= 6);
    assert!(before["categories"].as_array().unwrap().len() >= 25);
    assert!(before["frameworks"].as_array().unwrap().len() >= 40);
    assert!(before["suppliers"].as_array().unwrap().len() >= 60);
    let strategic = before["strategic"].as_array().unwrap();
    assert!(!strategic.is_empty(), "some strategic suppliers");
    for supplier in strategic {
        assert!(
            !supplier["history"].as_array().unwrap().is_empty(),
            "risk history for {}",
            supplier["id"]
        );
        assert!(
            !supplier["kpis"].as_array().unwrap().is_empty(),
            "KPI scores for {}",
            supplier["id"]
        );
    }

    // The loader again, on the same database, as a restart would run it.
    let url = app.database_url();
    let report = tokio::task::spawn_blocking(move || {
        let pool = bluelight_api::db::connect(&url, 1).expect("a pool on the test database");
        let mut conn = pool.get().expect("a connection to the test database");
        load(&mut conn).expect("the demo data loads again")
    })
    .await
    .expect("the loading task");
    assert_eq!(report, LoadReport::default(), "a second load creates nothing");

    let after = snapshot(&app).await;
    for part in ["tenants", "categories", "frameworks", "suppliers", "strategic"] {
        assert_eq!(after[part], before[part], "{part} are exactly as they were");
    }
}

#[actix_web::test]
async fn demo_strategic_suppliers_have_a_consistent_risk_history_and_kpi_scores() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let token = app.national_viewer();
    let (strategic, _) = app.list_all(&format!("{SUPPLIERS}?strategic=true"), &token, 200).await;
    assert!(strategic.len() >= 5, "{} strategic suppliers", strategic.len());
    for supplier in &strategic {
        let id = supplier["id"].as_str().unwrap();
        let name = &supplier["name"];
        let history = app
            .list_all(&format!("{SUPPLIERS}/{id}/risk-ratings"), &token, 200)
            .await
            .0;
        assert!(!history.is_empty(), "{name}");
        assert_eq!(
            history[0]["previous_rating"],
            Value::Null,
            "the first rating replaced none: {name}"
        );
        for pair in history.windows(2) {
            assert_eq!(
                pair[1]["previous_rating"], pair[0]["rating"],
                "{name}: each change records the one before"
            );
            assert!(
                pair[0]["changed_at"].as_str() < pair[1]["changed_at"].as_str(),
                "{name}: oldest first"
            );
        }
        assert!(
            history
                .iter()
                .all(|change| !change["reason"].as_str().unwrap().trim().is_empty()),
            "{name}"
        );
        assert_eq!(
            supplier["strategic_profile"]["risk_rating"],
            history.last().unwrap()["rating"],
            "{name}: the current rating is the latest"
        );

        let kpis = app
            .list_all(&format!("{SUPPLIERS}/{id}/kpi-scores"), &token, 200)
            .await
            .0;
        assert!(!kpis.is_empty(), "{name}");
        let mut seen = BTreeSet::new();
        for kpi in &kpis {
            let score = kpi["score"].as_i64().unwrap();
            assert!((0..=100).contains(&score), "{kpi}");
            let expected = kpi["target"].as_i64().map(|target| score >= target);
            assert_eq!(kpi["met_target"], json!(expected), "{name}: {kpi}");
            assert!(
                seen.insert((kpi["period"].to_string(), kpi["name"].to_string())),
                "one score per KPI per quarter"
            );
        }
    }
    // Non-strategic suppliers have no management data.
    let (others, _) = app.list_all(&format!("{SUPPLIERS}?strategic=false"), &token, 200).await;
    assert!(!others.is_empty(), "the demo data has non-strategic suppliers");
    assert!(others.iter().all(|s| s.get("strategic_profile").is_none()));
}

#[actix_web::test]
async fn demo_frameworks_reference_known_categories_and_suppliers_and_read_back_whole() {
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let token = app.buyer_of("lancashire-fire-and-rescue-service");
    let categories = set_of(&app.list_all(CATEGORIES, &token, 200).await.0, "slug");
    let suppliers = set_of(&app.list_all(SUPPLIERS, &token, 200).await.0, "id");
    let (frameworks, _) = app.list_all(FRAMEWORKS, &token, 200).await;
    let references = strings(&frameworks, "reference");
    assert_eq!(
        references.iter().collect::<BTreeSet<_>>().len(),
        references.len(),
        "references are unique"
    );

    for framework in &frameworks {
        let id = framework["id"].as_str().unwrap();
        let detail = json_ok(app.get(&format!("{FRAMEWORKS}/{id}"), &token).await).await;
        let reference = &detail["reference"];
        assert!(
            categories.contains(detail["category"].as_str().unwrap()),
            "{reference}: category"
        );
        let open = detail["eligibility"] != "police";
        assert_eq!(
            detail["open_to_you"], open,
            "{reference}: a fire service sees fire and joint frameworks as open"
        );
        let numbers: Vec<i64> = detail["lots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["number"].as_i64().unwrap())
            .collect();
        assert!(!numbers.is_empty(), "{reference} has lots");
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "{reference}: lots in number order: {numbers:?}"
        );
        assert_eq!(detail["lot_count"], numbers.len(), "{reference}");
        for lot in detail["lots"].as_array().unwrap() {
            assert!(
                !lot["routes"].as_array().unwrap().is_empty(),
                "{reference}: every lot has a route"
            );
            let pence = |field: &str| {
                lot[field].as_str().map(|money| {
                    let (pounds, pennies) = money.split_once('.').expect("a decimal string");
                    assert_eq!(pennies.len(), 2, "{reference}: {money} has pence");
                    pounds.parse::<i64>().unwrap() * 100 + pennies.parse::<i64>().unwrap()
                })
            };
            if let (Some(min), Some(max)) = (pence("min_value"), pence("max_value")) {
                assert!(min <= max, "{reference}: a value band {lot}");
            }
            for award in lot["suppliers"].as_array().unwrap() {
                assert!(
                    suppliers.contains(award["supplier_id"].as_str().unwrap()),
                    "{reference}: {award}"
                );
            }
        }
        let mut listed = detail.clone();
        listed.as_object_mut().unwrap().remove("lots");
        assert_eq!(&listed, framework, "{reference}: list and detail agree");
    }
}
