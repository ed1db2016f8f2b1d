//! CSV imports of a contracts register and of spend files: accepted whole and written in the
//! background with progress, idempotent by file and by transaction id / reference, rejected whole
//! with each bad row's line and column, tolerant of the way spreadsheets write headers, money,
//! dates and byte-order marks, and atomic under concurrent files.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::catalogue::location;
use crate::support::commercial::{
    AWARDED, CHARITY, Catalogue, FORCE, Kind, NATIONAL, contract_body, contracts_path, expected, imports_path,
    lines_and_fields,
};
use crate::support::{TestApp, assert_problem, json_ok, json_with_status, send};

const REGISTER: &str = "\
reference,title,supplier,category,value,start_date,end_date,extension_options,max_end_date,arrangement,framework,lot,collaborative_partners,contract_manager,savings,supplier_locality,sme,vcse,kpis,terminated_on
BED-R-1,Uniform supply,Anglia Uniforms Ltd,uniform-garments,120000.00,2025-05-01,2099-04-30,1 x 12 months,2100-04-30,,BLC-UNI-2026-01,1,,J. Smith,1000.00,,,,Delivery in 48h: 95%; Complaints: 0,
BED-R-2,\"Workshop services, Bedford\",Fenland Community Workshop,fleet,\"£45,000.00\",01/06/2025,31/05/2099,,,collaborative,,,Hertfordshire Constabulary; Cambridgeshire Constabulary,,2500.50,area,,,,
BED-R-3,Tyres,Leighton Tyres,fleet,30000,2024-01-01,2027-12-31,,,local,,,,,,area,yes,no,,2025-03-01
";

const SPEND: &str = "\
transaction_id,date,supplier,amount,category,contract_reference,expense_type
BED-T-1,2025-06-01,Anglia Uniforms Ltd,1000.00,,BED-R-1,Uniforms
BED-T-2,2025-07-01,Fenland Community Workshop,2000.00,,BED-R-2,Servicing
BED-T-3,2025-08-01,Northern Kit plc,300.00,uniform-garments,,Boots
";

async fn set_up() -> (TestApp, Catalogue) {
    let app = TestApp::spawn().await;
    app.tenant_with_category(FORCE).await;
    let catalogue = app.commercial_catalogue().await;
    (app, catalogue)
}

fn by_reference<'a>(items: &'a [Value], reference: &str) -> &'a Value {
    items
        .iter()
        .find(|c| c["reference"] == reference)
        .unwrap_or_else(|| panic!("no contract {reference} in {items:?}"))
}

fn by_transaction<'a>(items: &'a [Value], transaction: &str) -> &'a Value {
    items
        .iter()
        .find(|c| c["transaction_id"] == transaction)
        .unwrap_or_else(|| panic!("no spend line {transaction} in {items:?}"))
}

fn transactions(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["transaction_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

#[actix_web::test]
async fn a_register_is_accepted_written_in_the_background_and_applied_once() {
    let (app, catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);

    let response = app
        .post_bytes(
            &format!("{}?filename=register-2025.csv", Kind::Contracts.path(FORCE)),
            &buyer,
            Some("text/csv; charset=utf-8"),
            REGISTER.as_bytes(),
        )
        .await;
    let place = location(&response);
    let accepted = json_with_status(response, StatusCode::ACCEPTED).await;
    let id = accepted["id"].as_str().unwrap().to_owned();
    assert_eq!(place, format!("{}/{id}", imports_path(FORCE)));
    assert_eq!(accepted["tenant"], FORCE);
    assert_eq!(accepted["kind"], "contracts");
    assert_eq!(accepted["filename"], "register-2025.csv");
    assert_eq!(accepted["rows_total"], 3);
    assert_eq!(accepted["rows_skipped"], 0);
    assert_eq!(accepted["started_by"], "e2e-user");
    assert_eq!(accepted["sha256"].as_str().unwrap().len(), 64);
    assert!(
        ["running", "completed"].contains(&accepted["status"].as_str().unwrap()),
        "{accepted}"
    );

    let done = app.wait_for_import(&place, &app.viewer_of(FORCE)).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_written"], 3);
    assert_eq!(done["rows_skipped"], 0);
    assert_eq!(done["failure"], Value::Null);
    assert!(done["finished_at"].is_string());

    let contracts = app.all_contracts(FORCE).await;
    assert_eq!(contracts.len(), 3);
    assert!(contracts.iter().all(|c| c["import_id"] == json!(id)), "{contracts:?}");
    let r1 = by_reference(&contracts, "BED-R-1");
    assert_eq!(r1["arrangement"], "national_framework");
    assert_eq!(r1["framework_id"], json!(catalogue.framework));
    assert_eq!(r1["lot_number"], 1);
    assert_eq!(r1["supplier_id"], json!(catalogue.awarded));
    assert_eq!(r1["supplier_name"], AWARDED);
    assert_eq!(r1["supplier_locality"], "region");
    assert_eq!(r1["value"], "120000.00");
    assert_eq!(r1["savings"], "1000.00");
    assert_eq!(r1["max_end_date"], "2100-04-30");
    assert_eq!(r1["extension_options"], "1 x 12 months");
    assert_eq!(r1["contract_manager"], "J. Smith");
    assert_eq!(
        r1["kpis"],
        json!([{"name": "Delivery in 48h", "target": "95%"}, {"name": "Complaints", "target": "0"}])
    );
    assert_eq!(r1["status"], "active");
    let r2 = by_reference(&contracts, "BED-R-2");
    assert_eq!(r2["title"], "Workshop services, Bedford");
    assert_eq!(r2["value"], "45000.00");
    assert_eq!(r2["start_date"], "2025-06-01");
    assert_eq!(r2["end_date"], "2099-05-31");
    assert_eq!(r2["arrangement"], "collaborative");
    assert_eq!(
        r2["collaborative_partners"],
        json!(["Hertfordshire Constabulary", "Cambridgeshire Constabulary"])
    );
    assert_eq!(r2["supplier_name"], CHARITY);
    assert_eq!(r2["supplier_locality"], "area");
    assert_eq!((r2["sme"].clone(), r2["vcse"].clone()), (json!(false), json!(true)));
    let r3 = by_reference(&contracts, "BED-R-3");
    assert_eq!(r3["supplier_id"], Value::Null);
    assert_eq!(r3["arrangement"], "local");
    assert_eq!((r3["sme"].clone(), r3["vcse"].clone()), (json!(true), json!(false)));
    assert_eq!(r3["status"], "terminated");
    assert_eq!(r3["terminated_on"], "2025-03-01");

    // The same bytes again: the import that applied them, nothing new.
    let again = app
        .import_csv(FORCE, Kind::Contracts, &buyer, REGISTER.as_bytes())
        .await;
    let again = json_ok(again).await;
    assert_eq!(again["id"], json!(id));
    assert_eq!(again["status"], "completed");
    assert_eq!(app.all_contracts(FORCE).await.len(), 3);
    assert_eq!(app.all_imports(FORCE).await.len(), 1);

    // A new file repeating a contract exactly skips it and adds the rest.
    let next = format!(
        "{}BED-R-4,Boots,Northern Kit plc,uniform-garments,5000.00,2026-01-01,2026-12-31,,,,,,,,,,,,,\n",
        REGISTER.lines().take(2).map(|l| format!("{l}\n")).collect::<String>()
    );
    let done = app.import_completed(FORCE, Kind::Contracts, &next).await;
    assert_eq!(
        (
            done["rows_total"].clone(),
            done["rows_written"].clone(),
            done["rows_skipped"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    let contracts = app.all_contracts(FORCE).await;
    assert_eq!(contracts.len(), 4);
    assert_eq!(by_reference(&contracts, "BED-R-1")["import_id"], json!(id));
    assert_eq!(by_reference(&contracts, "BED-R-4")["import_id"], done["id"]);
    assert_eq!(by_reference(&contracts, "BED-R-4")["supplier_locality"], "outside");

    // A file that reuses a reference with different details is refused, naming the line.
    let changed = REGISTER.replace("120000.00", "120000.01");
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Contracts, &buyer, changed.as_bytes()).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(lines_and_fields(&problem), expected(&[(2, "reference")]));
    assert_eq!(
        by_reference(&app.all_contracts(FORCE).await, "BED-R-1")["value"],
        "120000.00"
    );

    // The import records, filtered.
    let imports = app.all_imports(FORCE).await;
    assert_eq!(imports.len(), 2);
    let viewer = app.viewer_of(FORCE);
    let listed = app
        .items(
            &format!("{}?kind=contracts&status=completed", imports_path(FORCE)),
            &viewer,
        )
        .await;
    assert_eq!(listed.len(), 2);
    assert!(
        app.items(&format!("{}?kind=spend", imports_path(FORCE)), &viewer)
            .await
            .is_empty()
    );
    assert!(
        app.items(&format!("{}?status=failed", imports_path(FORCE)), &viewer)
            .await
            .is_empty()
    );
    assert_problem(
        app.get(&format!("{}?kind=invoices", imports_path(FORCE)), &viewer)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get(&format!("{}/no-such-import", imports_path(FORCE)), &viewer)
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn spend_lines_name_their_contracts_and_recorded_payments_are_skipped_not_doubled() {
    let (app, catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    app.import_completed(FORCE, Kind::Contracts, REGISTER).await;
    let contracts = app.all_contracts(FORCE).await;
    let r1 = by_reference(&contracts, "BED-R-1")["id"].clone();
    let r2 = by_reference(&contracts, "BED-R-2")["id"].clone();

    let first = app.import_completed(FORCE, Kind::Spend, SPEND).await;
    assert_eq!(
        (
            first["rows_total"].clone(),
            first["rows_written"].clone(),
            first["rows_skipped"].clone()
        ),
        (json!(3), json!(3), json!(0))
    );
    let lines = app.all_spend(FORCE, "").await;
    assert_eq!(lines.len(), 3);
    let t1 = by_transaction(&lines, "BED-T-1");
    assert_eq!(t1["contract_id"], r1);
    assert_eq!(t1["category"], "uniform-garments"); // the contract's
    assert_eq!(t1["supplier_id"], json!(catalogue.awarded));
    assert_eq!(t1["supplier_locality"], "region");
    assert_eq!(t1["amount"], "1000.00");
    assert_eq!(t1["paid_on"], "2025-06-01");
    assert_eq!(t1["import_id"], first["id"]);
    assert_eq!(t1["line_number"], 2);
    assert_eq!(t1["expense_type"], "Uniforms");
    let t2 = by_transaction(&lines, "BED-T-2");
    assert_eq!(t2["contract_id"], r2);
    assert_eq!(t2["category"], "fleet");
    assert_eq!(t2["supplier_locality"], "area"); // the contract's
    assert_eq!((t2["sme"].clone(), t2["vcse"].clone()), (json!(false), json!(true)));
    let t3 = by_transaction(&lines, "BED-T-3");
    assert_eq!(t3["contract_id"], Value::Null);
    assert_eq!(t3["supplier_name"], NATIONAL);
    assert_eq!(t3["supplier_locality"], "outside");
    assert_eq!(t3["line_number"], 4);

    // The same bytes again: that import, nothing doubled.
    let again = json_ok(app.import_csv(FORCE, Kind::Spend, &buyer, SPEND.as_bytes()).await).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["rows_written"], 3);
    assert_eq!(app.all_spend(FORCE, "").await.len(), 3);

    // Filters.
    assert_eq!(app.all_spend(FORCE, "under_contract=true").await.len(), 2);
    assert_eq!(
        transactions(&app.all_spend(FORCE, "under_contract=false").await),
        ["BED-T-3"]
    );
    assert_eq!(
        transactions(
            &app.all_spend(FORCE, &format!("contract={}", r1.as_str().unwrap()))
                .await
        ),
        ["BED-T-1"]
    );
    assert_eq!(
        transactions(&app.all_spend(FORCE, "from=2025-06-02&to=2025-07-01").await),
        ["BED-T-2"]
    );
    assert_eq!(
        transactions(&app.all_spend(FORCE, &format!("supplier={}", catalogue.national)).await),
        ["BED-T-3"]
    );
    assert_eq!(transactions(&app.all_spend(FORCE, "category=fleet").await), ["BED-T-2"]);
    assert_eq!(
        app.all_spend(FORCE, &format!("import={}", first["id"].as_str().unwrap()))
            .await
            .len(),
        3
    );
    assert_problem(
        app.get(&format!("/api/v1/tenants/{FORCE}/spend?to=yesterday"), &buyer)
            .await,
        422,
        "validation_failed",
    )
    .await;

    // An overlapping file: the payments already recorded, identical, are skipped and counted.
    let overlap = "\
transaction_id,date,supplier,amount,category,contract_reference,expense_type
BED-T-2,2025-07-01,Fenland Community Workshop,2000.00,,BED-R-2,Servicing
BED-T-3,2025-08-01,Northern Kit plc,300.00,uniform-garments,,Boots
BED-T-4,2025-09-01,Northern Kit plc,450.00,uniform-garments,,Boots
";
    let second = app.import_completed(FORCE, Kind::Spend, overlap).await;
    assert_eq!(
        (
            second["rows_total"].clone(),
            second["rows_written"].clone(),
            second["rows_skipped"].clone()
        ),
        (json!(3), json!(1), json!(2))
    );
    let lines = app.all_spend(FORCE, "").await;
    assert_eq!(transactions(&lines), ["BED-T-1", "BED-T-2", "BED-T-3", "BED-T-4"]);
    assert_eq!(by_transaction(&lines, "BED-T-2")["import_id"], first["id"]);
    assert_eq!(by_transaction(&lines, "BED-T-4")["import_id"], second["id"]);

    // The same transaction id with a different amount is refused, naming the line; the file's
    // other lines are not written either.
    let conflicting = "\
transaction_id,date,supplier,amount,category,contract_reference,expense_type
BED-T-5,2025-10-01,Northern Kit plc,10.00,uniform-garments,,Boots
BED-T-3,2025-08-01,Northern Kit plc,301.00,uniform-garments,,Boots
";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Spend, &buyer, conflicting.as_bytes()).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(lines_and_fields(&problem), expected(&[(3, "transaction_id")]));
    assert_eq!(app.all_spend(FORCE, "").await.len(), 4);

    // A contract with spend against it cannot be deleted.
    let path = format!("{}/{}", contracts_path(FORCE), r1.as_str().unwrap());
    let tag = crate::support::etag(&app.get(&path, &buyer).await);
    let response = send(
        app.request(reqwest::Method::DELETE, &path)
            .bearer_auth(&buyer)
            .header("if-match", tag),
    )
    .await;
    assert_problem(response, 409, "contract_has_spend").await;
    assert_eq!(app.all_contracts(FORCE).await.len(), 3);
}

#[actix_web::test]
async fn a_spend_file_with_bad_rows_is_rejected_whole_naming_each_line_and_column() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    app.import_completed(FORCE, Kind::Contracts, REGISTER).await;
    let file = "\
transaction_id,date,supplier,amount,category,contract_reference,sme
BAD-1,2025-06-01,Anglia Uniforms Ltd,100.00,uniform-garments,,
BAD-2,2025-02-30,Anglia Uniforms Ltd,100.00,uniform-garments,,
BAD-3,2025-06-01,Anglia Uniforms Ltd,100.00,no-such-category,,
BAD-4,2025-06-01,Anglia Uniforms Ltd,100.00,,NO-SUCH-CONTRACT,
BAD-1,2025-06-02,Anglia Uniforms Ltd,200.00,uniform-garments,,
BAD-6,2025-06-01,,100.00,uniform-garments,,
BAD-7,2025-06-01,Anglia Uniforms Ltd,1.2.3,,,
BAD-8,2025-06-01,Anglia Uniforms Ltd,0.00,,,
BAD-9,2025-06-01,Little Shop,10.00,,,perhaps
BAD-10,2025-06-03,Northern Kit plc,55.00,,BED-R-1,
";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Spend, &buyer, file.as_bytes()).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(
        lines_and_fields(&problem),
        expected(&[
            (3, "date"),
            (4, "category"),
            (5, "contract_reference"),
            (6, "transaction_id"),
            (7, "supplier"),
            (8, "amount"),
            (9, "amount"),
            (10, "sme"),
        ])
    );
    assert!(problem["detail"].as_str().unwrap().contains('8'), "{problem}");
    // Nothing of it was written, and no import was recorded for it.
    assert!(app.all_spend(FORCE, "").await.is_empty());
    assert_eq!(app.all_imports(FORCE).await.len(), 1);
    assert_eq!(app.all_contracts(FORCE).await.len(), 3);
}

#[actix_web::test]
async fn a_register_with_bad_rows_is_rejected_whole_naming_each_line_and_column() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let file = "\
reference,title,supplier,category,value,start_date,end_date,arrangement,framework,lot,collaborative_partners,kpis
OK-1,Fine,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,,,,,
BAD-2,Ends first,Some Supplier,fleet,100.00,2025-01-01,2024-01-01,,,,,
BAD-3,No category,Some Supplier,no-such-category,100.00,2025-01-01,2026-01-01,,,,,
BAD-4,No framework,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,,NO-SUCH-FRAMEWORK,1,,
BAD-5,,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,,,,,
BAD-6,Partners on local,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,local,,,Cumbria Constabulary,
BAD-7,Bad money,Some Supplier,fleet,lots,2025-01-01,2026-01-01,,,,,
OK-1,Twice,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,,,,,
BAD-9,Bad arrangement,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,handshake,,,,
BAD-10,Bad KPI,Some Supplier,fleet,100.00,2025-01-01,2026-01-01,,,,,no target here
";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Contracts, &buyer, file.as_bytes()).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(
        lines_and_fields(&problem),
        expected(&[
            (3, "end_date"),
            (4, "category"),
            (5, "framework"),
            (6, "title"),
            (7, "collaborative_partners"),
            (8, "value"),
            (9, "reference"),
            (10, "arrangement"),
            (11, "kpis"),
        ])
    );
    assert!(app.all_contracts(FORCE).await.is_empty());
    assert!(app.all_imports(FORCE).await.is_empty());
}

/// The errors of a rejected file name the file's own columns (as docs/imports.md says: "each
/// bad row by its line number, column and reason"), not the JSON API's field names.
#[actix_web::test]
async fn call_off_rows_at_fault_name_the_files_columns() {
    let (app, _) = set_up().await;
    app.create_tenant("bedfordshire-fire-and-rescue-service", "fire", "eastern")
        .await;
    let file = "\
reference,title,supplier,category,value,start_date,end_date,arrangement,framework,lot
CO-1,Not on the lot,Northern Kit plc,uniform-garments,100.00,2025-01-01,2026-01-01,,BLC-UNI-2026-01,1
CO-2,No such lot,Anglia Uniforms Ltd,uniform-garments,100.00,2025-01-01,2026-01-01,,BLC-UNI-2026-01,9
CO-3,No lot,Anglia Uniforms Ltd,uniform-garments,100.00,2025-01-01,2026-01-01,,BLC-UNI-2026-01,
CO-4,Local with a framework,Anglia Uniforms Ltd,uniform-garments,100.00,2025-01-01,2026-01-01,local,BLC-UNI-2026-01,1
";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Contracts, &app.buyer_of(FORCE), file.as_bytes())
            .await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(
        lines_and_fields(&problem),
        expected(&[(2, "supplier"), (3, "lot"), (4, "lot"), (5, "framework"), (5, "lot")])
    );
    // A police-only framework, for a fire and rescue service.
    let fire = "bedfordshire-fire-and-rescue-service";
    let file = "\
reference,title,supplier,category,value,start_date,end_date,framework,lot
CO-5,Police only,Anglia Uniforms Ltd,uniform-garments,100.00,2025-01-01,2026-01-01,BLC-UNI-2026-01,1
";
    let problem = assert_problem(
        app.import_csv(fire, Kind::Contracts, &app.buyer_of(fire), file.as_bytes())
            .await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(lines_and_fields(&problem), expected(&[(2, "framework")]));
    assert!(app.all_contracts(FORCE).await.is_empty());
}

#[actix_web::test]
async fn a_missing_column_the_wrong_content_type_or_a_non_utf8_file_is_refused() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);

    // A required column missing: named, on line 1 (the header).
    let problem = assert_problem(
        app.import_csv(
            FORCE,
            Kind::Spend,
            &buyer,
            b"transaction_id,date,supplier\nT-1,2025-06-01,X Ltd\n",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(lines_and_fields(&problem), expected(&[(1, "amount")]));
    let problem = assert_problem(
        app.import_csv(
            FORCE,
            Kind::Contracts,
            &buyer,
            b"reference,title,supplier,value,end_date\nC-1,T,S,1,2026-01-01\n",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        lines_and_fields(&problem),
        expected(&[(1, "category"), (1, "start_date")])
    );

    // Not text/csv: 415, whatever the body.
    for content_type in [
        Some("application/json"),
        Some("text/plain"),
        Some("application/vnd.ms-excel"),
        None,
    ] {
        let response = app
            .post_bytes(&Kind::Spend.path(FORCE), &buyer, content_type, SPEND.as_bytes())
            .await;
        assert_problem(response, 415, "unsupported_media_type").await;
    }
    let response = app
        .post_json(&Kind::Contracts.path(FORCE), &buyer, &json!({"reference": "C-1"}))
        .await;
    assert_problem(response, 415, "unsupported_media_type").await;

    // Not UTF-8 (a Latin-1 pound sign and e-acute): 422, never a 500.
    let latin1: &[u8] = b"transaction_id,date,supplier,amount\nNU-1,2025-06-01,Caf\xe9 Supplies,\xa310.00\n";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Spend, &buyer, latin1).await,
        422,
        "validation_failed",
    )
    .await;
    let found = lines_and_fields(&problem);
    assert_eq!(found.len(), 1, "{problem}");
    assert_eq!(found[0].1, "file");
    let latin1_header: &[u8] =
        b"reference,title,supplier,category,value,start_date,end_date,\xa3\nC-1,T,S,fleet,1,2025-01-01,2026-01-01,x\n";
    let problem = assert_problem(
        app.import_csv(FORCE, Kind::Contracts, &buyer, latin1_header).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(lines_and_fields(&problem)[0].1, "file");

    // A header and no rows, or nothing at all.
    for empty in [&b"transaction_id,date,supplier,amount\n"[..], b"", b"\n\n"] {
        let response = app.import_csv(FORCE, Kind::Spend, &buyer, empty).await;
        assert_problem(response, 422, "validation_failed").await;
    }
    // An unknown query parameter, or an overlong file name.
    let response = app
        .post_bytes(
            &format!("{}?colour=blue", Kind::Spend.path(FORCE)),
            &buyer,
            Some("text/csv"),
            SPEND.as_bytes(),
        )
        .await;
    assert_problem(response, 422, "validation_failed").await;
    let response = app
        .post_bytes(
            &format!("{}?filename={}", Kind::Spend.path(FORCE), "a".repeat(201)),
            &buyer,
            Some("text/csv"),
            SPEND.as_bytes(),
        )
        .await;
    assert_problem(response, 422, "validation_failed").await;

    // Viewers may not import; a national admin may.
    for token in [app.viewer_of(FORCE), app.national_viewer()] {
        let response = app.import_csv(FORCE, Kind::Spend, &token, SPEND.as_bytes()).await;
        assert_problem(response, 403, "forbidden").await;
    }
    assert!(app.all_spend(FORCE, "").await.is_empty());
    assert!(app.all_imports(FORCE).await.is_empty());
    let no_contracts = SPEND.replace(",BED-R-1,", ",,").replace(",BED-R-2,", ",,");
    let response = app
        .import_csv(FORCE, Kind::Spend, &app.national_admin(), no_contracts.as_bytes())
        .await;
    let place = location(&response);
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(app.wait_for_import(&place, &buyer).await["status"], "completed");
}

#[actix_web::test]
async fn headers_aliases_money_dates_and_byte_order_marks_as_spreadsheets_write_them() {
    let (app, catalogue) = set_up().await;
    let contract = app.create_contract(FORCE, &contract_body("BED-R-1", AWARDED)).await;

    // A byte-order mark before the first header, different case and spacing, aliases, CRLF
    // line ends, quoted cells with commas, pound signs and thousands separators, UK dates.
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(
        "Transaction Number, Payment Date ,SUPPLIER NAME,Net-Amount,Contract,Expense Description,Category,Cost Centre\r\n\
ALIAS-1,01/04/2026,  anglia uniforms ltd ,\"£1,234.56\",BED-R-1,\"Boots, black\",,CC-01\r\n\
ALIAS-2,15/04/2026,Biggleswade Print Shop,-250.00,,Credit note,uniform-garments,CC-02\r\n\
ALIAS-3,2026-04-30,Northern Kit plc,\"£12,000\",,,uniform-garments,\r\n\
,,,,,,,\r\n"
            .as_bytes(),
    );
    let done = app
        .import_completed(FORCE, Kind::Spend, std::str::from_utf8(&file).unwrap())
        .await;
    assert_eq!(done["rows_total"], 3);
    assert_eq!(done["rows_written"], 3);
    let lines = app.all_spend(FORCE, "").await;
    let one = by_transaction(&lines, "ALIAS-1");
    assert_eq!(one["paid_on"], "2026-04-01");
    assert_eq!(one["amount"], "1234.56");
    assert_eq!(one["supplier_id"], json!(catalogue.awarded));
    assert_eq!(one["supplier_name"], AWARDED);
    assert_eq!(one["contract_id"], contract["id"]);
    assert_eq!(one["expense_type"], "Boots, black");
    let two = by_transaction(&lines, "ALIAS-2");
    assert_eq!(two["paid_on"], "2026-04-15");
    assert_eq!(two["amount"], "-250.00");
    assert_eq!(two["supplier_id"], Value::Null);
    assert_eq!(two["supplier_name"], "Biggleswade Print Shop");
    let three = by_transaction(&lines, "ALIAS-3");
    assert_eq!(three["amount"], "12000.00");
    assert_eq!(three["paid_on"], "2026-04-30");

    // The other aliases of the spend format.
    let file =
        "payee,transaction_date,value,transaction_ref,expense_type\nNorthern Kit plc,2026-05-01,75.25,ALIAS-4,Socks\n";
    app.import_completed(FORCE, Kind::Spend, file).await;
    let file = "Paid On,Payee,Amount GBP,Transaction Ref\n02/05/2026,Northern Kit plc,£1.00,ALIAS-5\n";
    app.import_completed(FORCE, Kind::Spend, file).await;
    let lines = app.all_spend(FORCE, "").await;
    assert_eq!(by_transaction(&lines, "ALIAS-4")["amount"], "75.25");
    assert_eq!(by_transaction(&lines, "ALIAS-5")["paid_on"], "2026-05-02");

    // A register saved by a spreadsheet: BOM, "Contract Reference" and friends.
    let mut register = b"\xEF\xBB\xBF".to_vec();
    register.extend_from_slice(
        "Contract Reference,Contract Title,Supplier Name,CATEGORY,Contract Value,Start Date,END-DATE,Partners,Arrangement\n\
BED-BOM-1,Printing,Biggleswade Print Shop,uniform-garments,\"£2,500.00\",01/01/2026,31/12/2026,North Police; South Police,Collaborative\n"
            .as_bytes(),
    );
    app.import_completed(FORCE, Kind::Contracts, std::str::from_utf8(&register).unwrap())
        .await;
    let contracts = app.all_contracts(FORCE).await;
    let bom = by_reference(&contracts, "BED-BOM-1");
    assert_eq!(bom["value"], "2500.00");
    assert_eq!(bom["arrangement"], "collaborative");
    assert_eq!(bom["collaborative_partners"], json!(["North Police", "South Police"]));
    assert_eq!(bom["end_date"], "2026-12-31");
}

/// Spreadsheets on Windows save CSV with CRLF line ends; the lines a rejection names and the
/// lines spend is recorded from must be the file's real lines, as for LF files.
#[actix_web::test]
async fn crlf_files_are_numbered_by_their_real_lines() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let rows = [
        "transaction_id,date,supplier,amount",
        "CR-1,2025-06-01,Northern Kit plc,1.00",
        "CR-2,2025-02-30,Northern Kit plc,2.00",
        "CR-3,2025-06-03,Northern Kit plc,3.00",
    ];
    for ending in ["\n", "\r\n"] {
        let file = rows.iter().map(|r| format!("{r}{ending}")).collect::<String>();
        let problem = assert_problem(
            app.import_csv(FORCE, Kind::Spend, &buyer, file.as_bytes()).await,
            422,
            "import_rejected",
        )
        .await;
        assert_eq!(
            lines_and_fields(&problem),
            expected(&[(3, "date")]),
            "line ends {ending:?}"
        );
    }
    let file = rows
        .iter()
        .filter(|r| !r.starts_with("CR-2"))
        .map(|r| format!("{r}\r\n"))
        .collect::<String>();
    app.import_completed(FORCE, Kind::Spend, &file).await;
    let lines = app.all_spend(FORCE, "").await;
    assert_eq!(by_transaction(&lines, "CR-1")["line_number"], 2);
    assert_eq!(by_transaction(&lines, "CR-3")["line_number"], 3);
}

/// Two files racing: each is checked before either writes, so both may be accepted; the
/// database then lets one win and the other roll back whole.
#[actix_web::test]
async fn concurrent_files_sharing_a_new_transaction_id_write_exactly_one_of_them() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    for round in 0..3 {
        let file = |amount: &str, own: &str| {
            format!(
                "transaction_id,date,supplier,amount\n\
RACE-{round},2025-06-01,Northern Kit plc,{amount}\n\
RACE-{round}-{own}-1,2025-06-02,Northern Kit plc,1.00\n\
RACE-{round}-{own}-2,2025-06-03,Northern Kit plc,2.00\n"
            )
        };
        let (a, b) = (file("100.00", "A"), file("200.00", "B"));
        let (ra, rb) = tokio::join!(
            app.import_csv(FORCE, Kind::Spend, &buyer, a.as_bytes()),
            app.import_csv(FORCE, Kind::Spend, &buyer, b.as_bytes())
        );
        let mut completed = Vec::new();
        let mut lost = 0;
        for (response, own) in [(ra, "A"), (rb, "B")] {
            match response.status() {
                StatusCode::ACCEPTED => {
                    let place = location(&response);
                    let import = app.wait_for_import(&place, &buyer).await;
                    let id = import["id"].as_str().unwrap().to_owned();
                    match import["status"].as_str().unwrap() {
                        "completed" => {
                            assert_eq!(import["rows_written"], 3);
                            completed.push((own, id));
                        }
                        "failed" => {
                            lost += 1;
                            assert_eq!(import["rows_written"], 0, "{import}");
                            assert!(!import["failure"].as_str().unwrap().is_empty(), "{import}");
                            assert!(
                                app.all_spend(FORCE, &format!("import={id}")).await.is_empty(),
                                "a failed import left lines behind"
                            );
                        }
                        other => panic!("round {round}: import ended {other}: {import}"),
                    }
                }
                StatusCode::UNPROCESSABLE_ENTITY => {
                    lost += 1;
                    let problem = assert_problem(response, 422, "import_rejected").await;
                    assert_eq!(lines_and_fields(&problem), expected(&[(2, "transaction_id")]));
                }
                other => panic!("round {round}: unexpected {other}: {}", response.text().await.unwrap()),
            }
        }
        assert_eq!(completed.len(), 1, "round {round}: exactly one file is written");
        assert_eq!(lost, 1, "round {round}");
        let (winner, winner_id) = &completed[0];
        let lines = app.all_spend(FORCE, &format!("import={winner_id}")).await;
        assert_eq!(
            transactions(&lines),
            [
                format!("RACE-{round}"),
                format!("RACE-{round}-{winner}-1"),
                format!("RACE-{round}-{winner}-2")
            ]
        );
        let amount = if *winner == "A" { "100.00" } else { "200.00" };
        assert_eq!(by_transaction(&lines, &format!("RACE-{round}"))["amount"], amount);
    }
    // Nothing half-written: three lines per round, each transaction once.
    let all = app.all_spend(FORCE, "").await;
    assert_eq!(all.len(), 9);
    let unique: BTreeSet<String> = transactions(&all).into_iter().collect();
    assert_eq!(unique.len(), 9);
}

/// The same file sent twice at once, before either is written: applied once.
#[actix_web::test]
async fn the_same_file_sent_twice_at_once_is_applied_once() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    // No transaction ids: only the file's hash can tell the two apart.
    let file = "date,supplier,amount\n2025-06-01,Northern Kit plc,10.00\n2025-06-02,Northern Kit plc,20.00\n";
    let (ra, rb) = tokio::join!(
        app.import_csv(FORCE, Kind::Spend, &buyer, file.as_bytes()),
        app.import_csv(FORCE, Kind::Spend, &buyer, file.as_bytes())
    );
    let mut completed = BTreeSet::new();
    for response in [ra, rb] {
        let status = response.status();
        match status {
            StatusCode::ACCEPTED => {
                let import = app.wait_for_import(&location(&response), &buyer).await;
                match import["status"].as_str().unwrap() {
                    "completed" => {
                        completed.insert(import["id"].as_str().unwrap().to_owned());
                    }
                    "failed" => {
                        let id = import["id"].as_str().unwrap();
                        assert!(app.all_spend(FORCE, &format!("import={id}")).await.is_empty());
                    }
                    other => panic!("import ended {other}: {import}"),
                }
            }
            StatusCode::OK => {
                let import = json_ok(response).await;
                assert_eq!(import["status"], "completed");
                completed.insert(import["id"].as_str().unwrap().to_owned());
            }
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(completed.len(), 1, "one completed import of the file: {completed:?}");
    assert_eq!(app.all_spend(FORCE, "").await.len(), 2);
}

/// A file larger than any JSON body, sent with an `Idempotency-Key` as a client library might:
/// the key is not needed (the file's hash makes a resend safe) and must not make it a 413.
#[actix_web::test]
async fn a_large_file_with_an_idempotency_key_is_imported_once() {
    let (app, _) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let mut csv = String::from("transaction_id,date,supplier,amount,category\n");
    for i in 0..25_000 {
        csv.push_str(&format!(
            "BIG-{i:06},2025-06-01,Leighton Buzzard Garage Ltd,{}.{:02},uniform-garments\n",
            500 + i % 900,
            i % 100
        ));
    }
    assert!(csv.len() > 1024 * 1024, "{} bytes", csv.len());
    let send_with_key = || {
        app.request(reqwest::Method::POST, &Kind::Spend.path(FORCE))
            .bearer_auth(&buyer)
            .header("Content-Type", "text/csv")
            .header("Idempotency-Key", "big-file-1")
            .body(csv.clone())
    };
    let response = send(send_with_key()).await;
    let location = location(&response);
    let accepted = json_with_status(response, StatusCode::ACCEPTED).await;
    let done = app.wait_for_import(&location, &buyer).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_written"], 25_000);
    let again = json_with_status(send(send_with_key()).await, StatusCode::OK).await;
    assert_eq!(again["id"], accepted["id"]);
}

/// Generated clients send files as `application/octet-stream` (the documented media type);
/// `text/csv` is taken too. A caller who may not import is refused before its body is looked at.
#[actix_web::test]
async fn a_file_sent_as_octet_stream_is_imported_and_a_foreign_caller_is_refused_before_its_media_type() {
    let (app, _catalogue) = set_up().await;
    let buyer = app.buyer_of(FORCE);
    let response = app
        .post_bytes(
            &Kind::Contracts.path(FORCE),
            &buyer,
            Some("application/octet-stream"),
            REGISTER.as_bytes(),
        )
        .await;
    json_with_status(response, StatusCode::ACCEPTED).await;

    app.create_tenant("cheshire-constabulary", "police", "north-west").await;
    let foreign = app.buyer_of("cheshire-constabulary");
    for content_type in [Some("text/plain"), None] {
        let response = app
            .post_bytes(&Kind::Contracts.path(FORCE), &foreign, content_type, b"not a register")
            .await;
        assert_problem(response, 403, "forbidden").await;
    }
}

#[actix_web::test]
async fn a_spend_file_without_transaction_ids_saved_again_adds_nothing_and_an_extra_identical_payment_adds_one() {
    let (app, _) = set_up().await;
    let counts = |import: &Value| {
        (
            import["rows_total"].clone(),
            import["rows_written"].clone(),
            import["rows_skipped"].clone(),
        )
    };
    // Two identical payments (the same day, supplier and amount) and another.
    let first = app
        .import_completed(
            FORCE,
            Kind::Spend,
            "date,supplier,amount,category\n\
             2025-06-03,Northern Kit plc,250.00,uniform-garments\n\
             2025-06-03,Northern Kit plc,250.00,uniform-garments\n\
             2025-06-04,Northern Kit plc,99.99,uniform-garments\n",
        )
        .await;
    assert_eq!(counts(&first), (json!(3), json!(3), json!(0)));
    let kpis = format!("/api/v1/tenants/{FORCE}/kpis?from=2025-04-01&to=2026-03-31");
    let before = json_ok(app.get(&kpis, &app.viewer_of(FORCE)).await).await;
    assert_eq!(before["total_spend"], "599.99", "{before}");

    // The same lines saved again by another program: other bytes (column order, line endings,
    // number and date formats), so not recognised as the same file, but the same payments.
    let resaved = app
        .import_completed(
            FORCE,
            Kind::Spend,
            "supplier,date,category,amount\r\n\
             Northern Kit plc,03/06/2025,uniform-garments,250\r\n\
             Northern Kit plc,04/06/2025,uniform-garments,£99.99\r\n\
             Northern Kit plc,03/06/2025,uniform-garments,250.0\r\n",
        )
        .await;
    assert_ne!(resaved["sha256"], first["sha256"]);
    assert_eq!(counts(&resaved), (json!(3), json!(0), json!(3)));
    let after = json_ok(app.get(&kpis, &app.viewer_of(FORCE)).await).await;
    assert_eq!(after, before, "the KPIs are not doubled");

    // A third identical payment on that day is a new one.
    let third = app
        .import_completed(
            FORCE,
            Kind::Spend,
            "date,supplier,amount,category\n\
             2025-06-03,Northern Kit plc,250.00,uniform-garments\n\
             2025-06-03,Northern Kit plc,250.00,uniform-garments\n\
             2025-06-03,Northern Kit plc,250.00,uniform-garments\n",
        )
        .await;
    assert_eq!(counts(&third), (json!(3), json!(1), json!(2)));
    assert_eq!(app.all_spend(FORCE, "").await.len(), 4);
}

/// Many instances on one database: a running import is failed only when the lease of the
/// instance writing it has run out, never while that instance renews it. On SQLite the file has
/// one process, so at start every running import was the last run's and is failed.
#[actix_web::test]
async fn a_running_import_is_failed_only_when_its_owners_lease_has_run_out() {
    let app = TestApp::spawn().await;
    app.create_tenant("lease-fire", "fire", "wales").await;
    let future = (chrono::Utc::now() + chrono::Duration::minutes(10)).naive_utc();
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).naive_utc();
    let row = |id: &str, lease: chrono::NaiveDateTime| {
        format!(
            "INSERT INTO imports (id, tenant_slug, kind, sha256, filename, status, rows_total, rows_written, \
             rows_skipped, failure, started_by, started_at, finished_at, owner, lease_expires_at) VALUES \
             ('{id}', 'lease-fire', 'spend', '{id}', NULL, 'running', 10, 0, 0, NULL, 'e2e', '{now}', NULL, \
             'another-instance', '{lease}');",
            now = chrono::Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S"),
            lease = lease.format("%Y-%m-%d %H:%M:%S"),
        )
    };
    crate::support::database::execute(
        &app.database_url(),
        row("01a00000-0000-7000-8000-00000000live", future) + &row("01a00000-0000-7000-8000-0000000dead", past),
    )
    .await;

    // Another instance starts on the same database.
    let other = app.second_instance().await;
    let viewer = other.viewer_of("lease-fire");
    let status = |id: &'static str| {
        let (other, viewer) = (&other, viewer.clone());
        async move {
            json_ok(
                other
                    .get(&format!("/api/v1/tenants/lease-fire/imports/{id}"), &viewer)
                    .await,
            )
            .await
        }
    };
    let dead = status("01a00000-0000-7000-8000-0000000dead").await;
    assert_eq!(dead["status"], "failed", "{dead}");
    assert!(dead["failure"].as_str().unwrap().contains("interrupted"), "{dead}");
    let live = status("01a00000-0000-7000-8000-00000000live").await;
    if app.database_url().starts_with("postgres") {
        assert_eq!(
            live["status"], "running",
            "another instance's import is left to it: {live}"
        );
    } else {
        assert_eq!(live["status"], "failed", "{live}");
    }
}
