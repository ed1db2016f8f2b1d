//! A tenant's KPIs: every figure exactly, from a small register and spend file with known
//! numbers; the default period (the last complete financial year); periods asked for; who may
//! read them; and the demo data's figures.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::support::catalogue::today;
use crate::support::commercial::{FORCE, Kind};
use crate::support::{Options, TestApp, assert_invalid_field, assert_problem, json_ok};

fn kpis_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/kpis")
}

/// The last complete financial year (1 April to 31 March) before `today`, worked out here
/// independently of the service.
fn last_financial_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_year_start = NaiveDate::from_ymd_opt(today.year(), 4, 1).unwrap();
    let current_start = if today >= this_year_start {
        this_year_start
    } else {
        NaiveDate::from_ymd_opt(today.year() - 1, 4, 1).unwrap()
    };
    let last_end = current_start - Duration::days(1);
    let last_start = NaiveDate::from_ymd_opt(current_start.year() - 1, 4, 1).unwrap();
    (last_start, last_end)
}

/// C1 local (starts in FY2025-26, savings £1,000.00), C2 collaborative (starts in it, savings
/// £2,500.50, area), C3 a call-off that started before it (savings not counted), C4 terminated
/// before it, C5 starting after it, C6 ended before it, C7 a call-off starting in it with no
/// savings.
const REGISTER: &str = "\
reference,title,supplier,category,value,start_date,end_date,arrangement,framework,lot,collaborative_partners,savings,supplier_locality,sme,terminated_on
C1,Uniforms,Anglia Uniforms Ltd,uniform-garments,10000.00,2025-05-01,2027-04-30,local,,,,1000.00,,,
C2,Workshop,Fenland Community Workshop,fleet,20000.00,2025-06-01,2026-05-31,collaborative,,,Hertfordshire Constabulary,2500.50,area,,
C3,Call-off,Anglia Uniforms Ltd,uniform-garments,30000.00,2024-04-01,2026-12-31,national_framework,BLC-UNI-2026-01,1,,9999.00,,,
C4,Ended early,Northern Kit plc,fleet,40000.00,2023-01-01,2027-12-31,local,,,,500.00,,,2025-03-01
C5,Not yet,Chiltern Cleaning Co,fleet,50000.00,2026-06-01,2027-05-31,local,,,,700.00,area,yes,
C6,Long gone,Northern Kit plc,fleet,60000.00,2022-01-01,2025-03-31,local,,,,800.00,,,
C7,Second call-off,Anglia Uniforms Ltd,uniform-garments,70000.00,2025-09-01,2026-08-31,,BLC-UNI-2026-01,1,,,,,
";

/// Six lines in FY2025-26 (£8,000.00 net, a credit note included) and one either side of it.
const SPEND: &str = "\
transaction_id,date,supplier,amount,contract_reference,supplier_locality,sme
S1,2025-04-01,Anglia Uniforms Ltd,1000.00,C1,,
S2,2025-06-15,Fenland Community Workshop,2000.00,C2,,
S3,2025-10-01,Anglia Uniforms Ltd,3000.00,C3,,
S4,2026-01-10,Northern Kit plc,1500.00,,,
S5,2026-02-01,Biggleswade Print Shop,600.00,,area,yes
S6,2026-03-31,Fenland Community Workshop,-100.00,C2,,
S7,2025-03-31,Anglia Uniforms Ltd,5000.00,C1,,
S8,2026-04-01,Northern Kit plc,7000.00,,,
";

async fn set_up() -> TestApp {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.commercial_catalogue().await;
    app.import_completed(FORCE, Kind::Contracts, REGISTER).await;
    app.import_completed(FORCE, Kind::Spend, SPEND).await;
    app
}

fn share<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["spend_shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no spend share {key} in {report}"))
}

/// Asserts one spend share exactly: amount, of_total, percentage, lines; and that it says what
/// it counts.
fn assert_share(report: &Value, key: &str, amount: &str, of_total: &str, percentage: Value, lines: i64) {
    let s = share(report, key);
    assert_eq!(s["amount"], amount, "{key}: {s}");
    assert_eq!(s["of_total"], of_total, "{key}: {s}");
    assert_eq!(s["percentage"], percentage, "{key}: {s}");
    assert_eq!(s["lines"], lines, "{key}: {s}");
    assert!(!s["name"].as_str().unwrap().is_empty(), "{key}: {s}");
    assert!(!s["definition"].as_str().unwrap().is_empty(), "{key}: {s}");
}

#[actix_web::test]
async fn every_figure_is_computed_exactly_from_the_register_and_spend() {
    let app = set_up().await;
    let viewer = app.viewer_of(FORCE);
    let report = json_ok(
        app.get(&format!("{}?from=2025-04-01&to=2026-03-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(report["tenant"], FORCE);
    assert_eq!(report["from"], "2025-04-01");
    assert_eq!(report["to"], "2026-03-31");
    assert_eq!(report["total_spend"], "8000.00");
    assert_eq!(report["spend_lines"], 6);
    // C1, C2, C3 and C7 were live at some time in the year; C4 ended early before it, C5 starts
    // after it, C6 ended before it.
    assert_eq!(report["contracts_live"], 4);

    let total = "8000.00";
    // S2, S3, S6: 2000 + 3000 - 100. Not S1: it names C1 but was paid on 1 April 2025, before
    // C1 started on 1 May.
    assert_share(&report, "spend_under_contract", "4900.00", total, json!("61.25"), 3);
    // S2, S6 (C2 is `area`), S5 (stated `area`).
    assert_share(&report, "local_spend_area", "2500.00", total, json!("31.25"), 3);
    // Those and S1, S3 (Anglia is based in Cambridgeshire, in the eastern region); not S4 (Northern
    // Kit: no base recorded, national only).
    assert_share(&report, "local_spend_region", "6500.00", total, json!("81.25"), 5);
    // Under C2 (collaborative) and C3 (national framework): S2, S3, S6.
    assert_share(&report, "collaborative_spend", "4900.00", total, json!("61.25"), 3);
    assert_share(&report, "national_framework_spend", "3000.00", total, json!("37.50"), 1);
    // Anglia (SME on the national record): S1, S3; Biggleswade (stated SME): S5.
    assert_share(&report, "sme_spend", "4600.00", total, json!("57.50"), 3);
    // Fenland (VCSE on the national record): S2, S6.
    assert_share(&report, "vcse_spend", "1900.00", total, json!("23.75"), 2);
    assert_eq!(report["spend_shares"].as_array().unwrap().len(), 7);

    // Contracts starting in the year: C1 (local), C2 (collaborative), C7 (national framework).
    let contract_shares = report["contract_shares"].as_array().unwrap();
    assert_eq!(contract_shares.len(), 1);
    let collaboration = &contract_shares[0];
    assert_eq!(collaboration["key"], "contracts_in_collaboration");
    assert_eq!(collaboration["contracts"], 2);
    assert_eq!(collaboration["of_contracts"], 3);
    assert_eq!(collaboration["percentage"], "66.67");
    assert!(!collaboration["definition"].as_str().unwrap().is_empty());
    // Savings by the days of each term in the year: C1 335 of 730 days of £1,000.00 (£458.90),
    // C2 304 of 365 of £2,500.50 (£2,082.61), C3 365 of 1,005 of £9,999.00 (£3,631.48). C4 was
    // terminated before the year, C5 starts after it, C6 ended before it, C7 recorded none.
    assert_eq!(report["savings"]["amount"], "6172.99");
    assert_eq!(report["savings"]["contracts"], 3);
    assert!(!report["savings"]["definition"].as_str().unwrap().is_empty());
}

/// The database sums lines paid on the same day under the same contract to like suppliers before
/// the report sees them: each line still counts once, and lines that differ in any of those stay
/// apart (the day C1 starts splits the same supplier's payments in and out of its term).
#[actix_web::test]
async fn lines_paid_together_are_each_counted() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.commercial_catalogue().await;
    app.import_completed(FORCE, Kind::Contracts, REGISTER).await;
    let spend = "\
transaction_id,date,supplier,amount,contract_reference,supplier_locality,sme
T1,2025-06-15,Fenland Community Workshop,100.00,C2,,
T2,2025-06-15,Fenland Community Workshop,200.00,C2,,
T3,2025-06-15,Fenland Community Workshop,-50.00,C2,,
T4,2025-06-15,Fenland Community Workshop,400.00,,,
T5,2025-04-30,Anglia Uniforms Ltd,1000.00,C1,,
T6,2025-05-01,Anglia Uniforms Ltd,2000.00,C1,,
T7,2025-05-01,Anglia Uniforms Ltd,3000.00,C1,,
";
    app.import_completed(FORCE, Kind::Spend, spend).await;
    let report = json_ok(
        app.get(
            &format!("{}?from=2025-04-01&to=2026-03-31", kpis_path(FORCE)),
            &app.viewer_of(FORCE),
        )
        .await,
    )
    .await;
    assert_eq!(report["total_spend"], "6650.00");
    assert_eq!(report["spend_lines"], 7);
    let total = "6650.00";
    // T1-T3 under C2, T6 and T7 under C1 from its first day; not T4 (no contract) nor T5 (the
    // day before C1 started).
    assert_share(&report, "spend_under_contract", "5250.00", total, json!("78.95"), 5);
    // Fenland is VCSE on the national record: T1-T4.
    assert_share(&report, "vcse_spend", "650.00", total, json!("9.77"), 4);
    assert_share(&report, "collaborative_spend", "250.00", total, json!("3.76"), 3);
}

#[actix_web::test]
async fn a_period_asked_for_bounds_the_spend_and_the_contracts() {
    let app = set_up().await;
    let viewer = app.viewer_of(FORCE);
    let report = json_ok(
        app.get(&format!("{}?from=2025-06-01&to=2025-12-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(
        (report["from"].clone(), report["to"].clone()),
        (json!("2025-06-01"), json!("2025-12-31"))
    );
    // S2 and S3.
    assert_eq!(report["total_spend"], "5000.00");
    assert_eq!(report["spend_lines"], 2);
    assert_share(
        &report,
        "spend_under_contract",
        "5000.00",
        "5000.00",
        json!("100.00"),
        2,
    );
    assert_share(
        &report,
        "national_framework_spend",
        "3000.00",
        "5000.00",
        json!("60.00"),
        1,
    );
    assert_share(&report, "local_spend_area", "2000.00", "5000.00", json!("40.00"), 1);
    // C2 and C7 start in it, both in collaboration.
    assert_eq!(report["contract_shares"][0]["contracts"], 2);
    assert_eq!(report["contract_shares"][0]["of_contracts"], 2);
    assert_eq!(report["contract_shares"][0]["percentage"], "100.00");
    // 214 days of C1 (£293.15), of C2 (£1,466.05) and of C3 (£2,129.14).
    assert_eq!(report["savings"]["amount"], "3888.34");
    assert_eq!(report["savings"]["contracts"], 3);
    assert_eq!(report["contracts_live"], 4);

    // One day, both ends included.
    let report = json_ok(
        app.get(&format!("{}?from=2026-03-31&to=2026-03-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(report["total_spend"], "-100.00");
    assert_eq!(report["spend_lines"], 1);

    // No spend at all: no percentage rather than a made-up zero.
    let report = json_ok(
        app.get(&format!("{}?from=2020-04-01&to=2021-03-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(report["total_spend"], "0.00");
    assert_eq!(report["spend_lines"], 0);
    let shares = report["spend_shares"].as_array().unwrap();
    assert!(!shares.is_empty(), "{report}");
    for s in shares {
        assert_eq!(s["percentage"], Value::Null, "{s}");
        assert_eq!(s["amount"], "0.00", "{s}");
    }
    assert_eq!(report["contract_shares"][0]["percentage"], Value::Null);
    assert_eq!(report["contracts_live"], 0);

    // `to` before `from` names `to`; unreadable dates and unknown parameters are 422 too.
    assert_invalid_field(
        app.get(&format!("{}?from=2026-01-02&to=2026-01-01", kpis_path(FORCE)), &viewer)
            .await,
        "to",
    )
    .await;
    assert_invalid_field(
        app.get(&format!("{}?from=01-04-2025", kpis_path(FORCE)), &viewer).await,
        "from",
    )
    .await;
    assert_problem(
        app.get(&format!("{}?period=last-year", kpis_path(FORCE)), &viewer)
            .await,
        422,
        "validation_failed",
    )
    .await;
}

/// E1 expires on 30 September 2025; E2, planned to March 2027 with £730.00 of savings, was
/// terminated on 30 September 2025. Each is paid on its last day and on the day after.
const EDGE_REGISTER: &str = "\
reference,title,supplier,category,value,start_date,end_date,arrangement,framework,lot,collaborative_partners,savings,supplier_locality,sme,terminated_on
E1,Expires,Anglia Uniforms Ltd,uniform-garments,10000.00,2025-04-01,2025-09-30,local,,,,,,,
E2,Ended early,Northern Kit plc,fleet,40000.00,2025-04-01,2027-03-31,local,,,,730.00,,,2025-09-30
";

const EDGE_SPEND: &str = "\
transaction_id,date,supplier,amount,contract_reference,supplier_locality,sme
X1,2025-09-30,Anglia Uniforms Ltd,100.00,E1,,
X2,2025-10-01,Anglia Uniforms Ltd,200.00,E1,,
X3,2025-09-30,Northern Kit plc,400.00,E2,,
X4,2025-10-01,Northern Kit plc,800.00,E2,,
";

#[actix_web::test]
async fn spend_after_expiry_or_termination_is_not_under_contract_and_savings_stop_with_the_contract() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.commercial_catalogue().await;
    app.import_completed(FORCE, Kind::Contracts, EDGE_REGISTER).await;
    app.import_completed(FORCE, Kind::Spend, EDGE_SPEND).await;
    let viewer = app.viewer_of(FORCE);

    let year = json_ok(
        app.get(&format!("{}?from=2025-04-01&to=2026-03-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(year["total_spend"], "1500.00");
    // X1 on E1's last day and X3 on the day E2 was terminated; not X2 (the day after E1
    // expired) nor X4 (the day after E2 was terminated), though both name their contract.
    assert_share(&year, "spend_under_contract", "500.00", "1500.00", json!("33.33"), 2);
    // E2's savings accrue over its planned 730 days, and stop when it was terminated: 183 days
    // (1 April to 30 September 2025) of £730.00.
    assert_eq!(year["savings"]["amount"], "183.00");
    assert_eq!(year["savings"]["contracts"], 1);
    let next_year = json_ok(
        app.get(&format!("{}?from=2026-04-01&to=2027-03-31", kpis_path(FORCE)), &viewer)
            .await,
    )
    .await;
    assert_eq!(next_year["savings"]["amount"], "0.00");
    assert_eq!(next_year["savings"]["contracts"], 0);
    let definition = share(&year, "spend_under_contract")["definition"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(definition.contains("within that contract's term"), "{definition}");

    // The spend listing's `under_contract` filter is the same definition, so the KPI reconciles.
    let under: Vec<String> = app
        .all_spend(FORCE, "under_contract=true")
        .await
        .iter()
        .map(|l| l["transaction_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(under, ["X1", "X3"]);
    let not_under: Vec<String> = app
        .all_spend(FORCE, "under_contract=false")
        .await
        .iter()
        .map(|l| l["transaction_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(not_under, ["X2", "X4"]);
}

#[actix_web::test]
async fn the_default_period_is_the_last_complete_financial_year() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.commercial_catalogue().await;
    let (start, end) = last_financial_year(today());
    let line = |id: &str, date: NaiveDate, amount: &str| format!("{id},{date},Northern Kit plc,{amount}\n");
    let mut file = String::from("transaction_id,date,supplier,amount\n");
    file.push_str(&line("D-BEFORE", start - Duration::days(1), "1.00"));
    file.push_str(&line("D-FIRST", start, "10.00"));
    file.push_str(&line("D-LAST", end, "20.00"));
    file.push_str(&line("D-AFTER", end + Duration::days(1), "300.00"));
    app.import_completed(FORCE, Kind::Spend, &file).await;

    let viewer = app.viewer_of(FORCE);
    let report = json_ok(app.get(&kpis_path(FORCE), &viewer).await).await;
    assert_eq!(report["from"], json!(start.to_string()));
    assert_eq!(report["to"], json!(end.to_string()));
    assert_eq!(report["total_spend"], "30.00");
    assert_eq!(report["spend_lines"], 2);
    assert_share(&report, "local_spend_region", "0.00", "30.00", json!("0.00"), 0);

    // Either end alone keeps the other's default.
    let report = json_ok(app.get(&format!("{}?from={}", kpis_path(FORCE), end), &viewer).await).await;
    assert_eq!(
        (report["from"].clone(), report["to"].clone()),
        (json!(end.to_string()), json!(end.to_string()))
    );
    assert_eq!(report["total_spend"], "20.00");
    let report = json_ok(
        app.get(&format!("{}?to={}", kpis_path(FORCE), end + Duration::days(1)), &viewer)
            .await,
    )
    .await;
    assert_eq!(report["from"], json!(start.to_string()));
    assert_eq!(report["total_spend"], "330.00");
    // A `from` after the default end needs a `to`.
    assert_invalid_field(
        app.get(
            &format!("{}?from={}", kpis_path(FORCE), end + Duration::days(1)),
            &viewer,
        )
        .await,
        "to",
    )
    .await;
}

#[actix_web::test]
async fn the_tenants_users_and_national_roles_read_kpis_and_no_one_else() {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    app.tenant_with_category("cheshire-constabulary").await;
    let path = kpis_path(FORCE);
    for token in [
        app.viewer_of(FORCE),
        app.buyer_of(FORCE),
        app.tenant_admin_of(FORCE),
        app.national_viewer(),
        app.national_admin(),
    ] {
        json_ok(app.get(&path, &token).await).await;
    }
    for token in [
        app.viewer_of("cheshire-constabulary"),
        app.buyer_of("cheshire-constabulary"),
        app.tenant_admin_of("cheshire-constabulary"),
        app.supplier_staff("some-supplier"),
    ] {
        assert_problem(app.get(&path, &token).await, 403, "forbidden").await;
    }
    assert_problem(app.get_anonymous(&path).await, 401, "unauthorized").await;
    assert_problem(
        app.get("/api/v1/tenants/no-such-force/kpis", &app.national_viewer())
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn the_demo_data_shows_a_register_and_kpis_for_lancashire() {
    const LANCASHIRE: &str = "lancashire-constabulary";
    let app = TestApp::spawn_with(Options::default().with_demo_data()).await;
    let viewer = app.viewer_of(LANCASHIRE);

    let contracts = app.all_contracts(LANCASHIRE).await;
    assert!(contracts.len() >= 20, "{} contracts", contracts.len());
    assert!(contracts.iter().all(|c| c["tenant"] == LANCASHIRE));
    assert!(
        contracts
            .iter()
            .all(|c| c["reference"].as_str().unwrap().starts_with("LAN-"))
    );
    for arrangement in ["national_framework", "collaborative", "local"] {
        assert!(
            contracts.iter().any(|c| c["arrangement"] == arrangement),
            "no {arrangement} contract in the demo register"
        );
    }
    // The register came in through the importer, recorded as a completed import.
    let imports = app.all_imports(LANCASHIRE).await;
    let register = imports
        .iter()
        .find(|i| i["kind"] == "contracts")
        .expect("the demo register's import");
    assert_eq!(register["status"], "completed");
    assert_eq!(register["rows_written"], json!(contracts.len()));
    // Every spend line on a contract names one of the register's.
    let ids: std::collections::BTreeSet<&str> = contracts.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let spend = app.all_spend(LANCASHIRE, "under_contract=true").await;
    assert!(!spend.is_empty());
    assert!(spend.iter().all(|s| ids.contains(s["contract_id"].as_str().unwrap())));

    // The demo spend is financial year 2025-26.
    let year = json_ok(
        app.get(
            &format!("{}?from=2025-04-01&to=2026-03-31", kpis_path(LANCASHIRE)),
            &viewer,
        )
        .await,
    )
    .await;
    let pounds = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    assert!(pounds(&year["total_spend"]) > 0.0, "{year}");
    let under_contract = share(&year, "spend_under_contract");
    let percentage = pounds(&under_contract["percentage"]);
    assert!((80.0..=100.0).contains(&percentage), "{under_contract}");
    assert!(year["contracts_live"].as_i64().unwrap() > 0);
    // The default period, and a national viewer sees the same.
    let default = json_ok(app.get(&kpis_path(LANCASHIRE), &viewer).await).await;
    // On the suite's fixed day the last complete financial year is the demo's, so the default
    // report is the year asked for by name above.
    let (start, end) = last_financial_year(today());
    assert_eq!(
        (start.to_string(), end.to_string()),
        ("2025-04-01".to_owned(), "2026-03-31".to_owned())
    );
    assert_eq!(default, year);
    let national = json_ok(app.get(&kpis_path(LANCASHIRE), &app.national_viewer()).await).await;
    assert_eq!(national, default);
}
