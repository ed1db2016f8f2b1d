//! "Local" means where a supplier is based, not where it delivers: a supplier records the police
//! force area it is based in, a tenant the area it serves, and quotes, contracts, spend lines and
//! the local-spend KPIs all follow from those two.

use serde_json::{Value, json};

use crate::support::commercial::{Kind, contract_body};
use crate::support::{TestApp, assert_invalid_field, json_ok, json_with_status, tenant_body};

const FORCE: &str = "bedfordshire-police";
/// Based in Bedfordshire, though it delivers only in London.
const BASED_HERE: &str = "Ouse Valley Workshops Ltd";
/// Based in Cambridgeshire: elsewhere in the eastern region.
const BASED_IN_REGION: &str = "Fen Edge Supplies Ltd";
/// Delivers across the eastern region, but is based in London.
const SERVES_HERE: &str = "Capital Kit Ltd";
/// Records no base at all.
const NO_BASE: &str = "Nowhere In Particular Ltd";

async fn supplier(app: &TestApp, name: &str, regions: Value, based_in: Value) -> Value {
    let body = json!({"name": name, "sme": true, "regions": regions, "based_in": based_in});
    json_with_status(
        app.post_json("/api/v1/suppliers", &app.national_admin(), &body).await,
        reqwest::StatusCode::CREATED,
    )
    .await
}

#[actix_web::test]
async fn a_supplier_is_local_where_it_is_based_not_where_it_delivers() {
    let app = TestApp::spawn().await;
    let admin = app.national_admin();

    // A tenant's area must lie in its region; the field at fault is named.
    let mut wrong = tenant_body(FORCE, "police", "eastern");
    wrong["area"] = json!("lancashire");
    let problem = assert_invalid_field(app.post_json("/api/v1/tenants", &admin, &wrong).await, "area").await;
    assert!(problem.to_string().contains("north-west"), "{problem}");
    let mut body = tenant_body(FORCE, "police", "eastern");
    body["area"] = json!("bedfordshire");
    let tenant = json_with_status(
        app.post_json("/api/v1/tenants", &admin, &body).await,
        reqwest::StatusCode::CREATED,
    )
    .await;
    assert_eq!(tenant["area"], "bedfordshire");
    // Moving the tenant to another region without its area is refused too.
    let path = format!("/api/v1/tenants/{FORCE}");
    let etag = app.current_etag(&path).await;
    let moved = app
        .patch_json(&path, &admin, Some(&etag), &json!({"region": "london"}))
        .await;
    assert_invalid_field(moved, "area").await;

    app.ensure_category("uniform-and-ppe", None).await;
    app.ensure_category("uniform-garments", Some("uniform-and-ppe")).await;
    let here = supplier(&app, BASED_HERE, json!(["london"]), json!("bedfordshire")).await;
    assert_eq!(here["based_in_region"], "eastern");
    let in_region = supplier(&app, BASED_IN_REGION, json!([]), json!("cambridgeshire")).await;
    let serves = supplier(&app, SERVES_HERE, json!(["eastern"]), json!("greater-london")).await;
    let nowhere = supplier(&app, NO_BASE, json!(["eastern", "national"]), Value::Null).await;
    assert_eq!(nowhere["based_in"], Value::Null);
    assert_invalid_field(
        app.post_json(
            "/api/v1/suppliers",
            &admin,
            &json!({"name": "Atlantis Ltd", "sme": true, "based_in": "atlantis"}),
        )
        .await,
        "based_in",
    )
    .await;

    // Quotes from known suppliers: local only when based in the force's area.
    let quotes: Vec<Value> = [&here, &in_region, &serves, &nowhere]
        .iter()
        .map(|s| json!({"supplier_id": s["id"], "amount": "5000.00"}))
        .collect();
    let procurement = app
        .create_procurement(
            FORCE,
            &json!({
                "reference": "BED-LOCAL-1", "title": "Kit bags", "value": "5000.00",
                "contract_type": "goods", "category": "uniform-garments", "route": "multiple_quotes",
                "quotes": quotes
            }),
        )
        .await;
    let local: Vec<bool> = procurement["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["local"].as_bool().unwrap())
        .collect();
    assert_eq!(local, [true, false, false, false]);

    // Contracts derive the locality the same way.
    let mut localities = Vec::new();
    for (i, name) in [BASED_HERE, BASED_IN_REGION, SERVES_HERE, NO_BASE].iter().enumerate() {
        let contract = app
            .create_contract(FORCE, &contract_body(&format!("BED-LC-{i}"), name))
            .await;
        localities.push(contract["supplier_locality"].as_str().unwrap().to_owned());
    }
    assert_eq!(localities, ["area", "region", "outside", "outside"]);

    // And so do spend lines, and the local-spend KPIs count them.
    app.import_completed(
        FORCE,
        Kind::Spend,
        &format!(
            "transaction_id,date,supplier,amount\n\
             L1,2025-06-02,{BASED_HERE},100.00\n\
             L2,2025-06-02,{BASED_IN_REGION},200.00\n\
             L3,2025-06-02,{SERVES_HERE},400.00\n\
             L4,2025-06-02,{NO_BASE},800.00\n"
        ),
    )
    .await;
    let kpis = json_ok(
        app.get(
            &format!("/api/v1/tenants/{FORCE}/kpis?from=2025-04-01&to=2026-03-31"),
            &app.viewer_of(FORCE),
        )
        .await,
    )
    .await;
    let share = |key: &str| -> Value {
        kpis["spend_shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(share("local_spend_area")["amount"], "100.00");
    assert_eq!(share("local_spend_region")["amount"], "300.00");
    for key in ["local_spend_area", "local_spend_region"] {
        let definition = share(key)["definition"].as_str().unwrap().to_owned();
        assert!(definition.contains("based"), "{key}: {definition}");
    }

    // A supplier that moves its base changes what it is from then on.
    let supplier_path = format!("/api/v1/suppliers/{}", serves["id"].as_str().unwrap());
    let etag = app.current_etag(&supplier_path).await;
    let moved = json_ok(
        app.patch_json(
            &supplier_path,
            &admin,
            Some(&etag),
            &json!({"based_in": "bedfordshire"}),
        )
        .await,
    )
    .await;
    assert_eq!(moved["based_in"], "bedfordshire");
    let contract = app
        .create_contract(FORCE, &contract_body("BED-LC-9", SERVES_HERE))
        .await;
    assert_eq!(contract["supplier_locality"], "area");
}
