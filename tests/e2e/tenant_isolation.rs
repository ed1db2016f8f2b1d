//! Tenant isolation across every tenant-scoped endpoint: a force never reads or changes another
//! force's procurements, plugins, decisions, contracts, imports, spend or KPIs, whatever path, id
//! or token it tries.

use bluelight_rules_bundled::seed_plugins;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::commercial::{Kind, contract_body, expected, lines_and_fields};
use crate::support::rules::procurement_body;
use crate::support::{TestApp, assert_invalid_field, assert_problem, json_ok, json_with_status, send};

const A: &str = "bedfordshire-police";
const B: &str = "cheshire-constabulary";

/// The seed plugin written for `tenant`.
fn plugin_of(tenant: &str) -> &'static [u8] {
    seed_plugins().iter().find(|p| p.tenant == tenant).unwrap().wasm
}

/// The same plugin with a build note added: the same rules, other bytes, another hash.
fn rebuilt(wasm: &[u8]) -> Vec<u8> {
    let mut rebuilt = wasm.to_vec();
    bluelight_rules_package::append_custom_section(&mut rebuilt, "bluelight-build-note", b"version 2");
    rebuilt
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

struct Tenant {
    procurement: String,
    decision: String,
    contract: String,
    import: String,
    webhook: String,
}

/// A spend file naming the tenant's contract `{slug}-C1`.
fn spend_file(slug: &str) -> String {
    format!(
        "transaction_id,date,supplier,amount,contract_reference\n{slug}-T1,2025-06-01,Some Supplier Ltd,100.00,{slug}-C1\n"
    )
}

/// A register of one contract.
fn register_file(reference: &str) -> String {
    format!(
        "reference,title,supplier,category,value,start_date,end_date\n{reference},Taken over,Some Supplier Ltd,uniform-garments,1.00,2025-01-01,2026-01-01\n"
    )
}

async fn set_up(app: &TestApp, slug: &str) -> Tenant {
    app.tenant_with_category(slug).await;
    app.install_plugin(slug, plugin_of(slug)).await;
    let procurement = app
        .create_procurement(slug, &procurement_body(&format!("{slug}-1"), "900.00", "single_quote"))
        .await;
    let procurement = procurement["id"].as_str().unwrap().to_owned();
    let decision = json_with_status(app.evaluate(slug, &procurement).await, StatusCode::CREATED).await;
    let contract = app
        .create_contract(slug, &contract_body(&format!("{slug}-C1"), "Some Supplier Ltd"))
        .await;
    let import = app.import_completed(slug, Kind::Spend, &spend_file(slug)).await;
    let webhook = app
        .post_json(
            &format!("/api/v1/tenants/{slug}/webhooks"),
            &app.tenant_admin_of(slug),
            &webhook_body(),
        )
        .await;
    let webhook = json_with_status(webhook, StatusCode::CREATED).await;
    Tenant {
        webhook: webhook["id"].as_str().unwrap().to_owned(),
        procurement,
        decision: decision["id"].as_str().unwrap().to_owned(),
        contract: contract["id"].as_str().unwrap().to_owned(),
        import: import["id"].as_str().unwrap().to_owned(),
    }
}

/// A subscription to a port nothing listens on: its deliveries would fail, which is no matter here.
fn webhook_body() -> Value {
    json!({"url": "http://127.0.0.1:9/hooks", "events": ["contract.nearing_expiry", "decision.recorded"]})
}

/// What a call sends.
#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    Csv(String),
}

/// Every tenant-scoped call, for `tenant` in the path and the ids given.
fn calls(tenant: &str, ids: &Tenant) -> Vec<(Method, String, Body)> {
    let base = format!("/api/v1/tenants/{tenant}");
    let (procurement, decision, contract, import) = (&ids.procurement, &ids.decision, &ids.contract, &ids.import);
    let webhook = &ids.webhook;
    let json = |body: Value| Body::Json(body);
    vec![
        (Method::GET, format!("{base}/procurements"), Body::None),
        (
            Method::POST,
            format!("{base}/procurements"),
            json(procurement_body("X-1", "1.00", "single_quote")),
        ),
        (Method::GET, format!("{base}/procurements/{procurement}"), Body::None),
        (
            Method::PATCH,
            format!("{base}/procurements/{procurement}"),
            json(json!({"title": "taken over"})),
        ),
        (
            Method::POST,
            format!("{base}/procurements/{procurement}/evaluations"),
            json(json!({})),
        ),
        (
            Method::GET,
            format!("{base}/procurements/{procurement}/evaluations"),
            Body::None,
        ),
        (Method::GET, format!("{base}/decisions/{decision}"), Body::None),
        (
            Method::POST,
            format!("{base}/decisions/{decision}/replay"),
            json(json!({})),
        ),
        (
            Method::POST,
            format!("{base}/evaluate"),
            json(json!({"procurement": procurement_body("X-2", "1.00", "single_quote")})),
        ),
        (Method::GET, format!("{base}/rule-plugins"), Body::None),
        (Method::GET, format!("{base}/rule-plugins/1"), Body::None),
        (Method::POST, format!("{base}/rule-plugins/1/activate"), json(json!({}))),
        (Method::POST, format!("{base}/rule-plugins/1/backtest"), json(json!({}))),
        (Method::GET, format!("{base}/rule-plugins/2"), Body::None),
        (Method::POST, format!("{base}/rule-plugins/2/activate"), json(json!({}))),
        (Method::POST, format!("{base}/rule-plugins/2/backtest"), json(json!({}))),
        (
            Method::POST,
            format!("{base}/evaluate"),
            json(json!({"procurement": procurement_body("X-3", "1.00", "single_quote"), "plugin_version": 2})),
        ),
        (
            Method::POST,
            format!("{base}/decisions/{decision}/replay?plugin_version=2"),
            json(json!({})),
        ),
        // The contracts register, awards, imports, spend and KPIs.
        (Method::GET, format!("{base}/contracts"), Body::None),
        (
            Method::POST,
            format!("{base}/contracts"),
            json(contract_body("X-C-1", "Taken Over Ltd")),
        ),
        (Method::GET, format!("{base}/contracts/{contract}"), Body::None),
        (
            Method::PATCH,
            format!("{base}/contracts/{contract}"),
            json(json!({"title": "taken over"})),
        ),
        (Method::DELETE, format!("{base}/contracts/{contract}"), Body::None),
        (
            Method::POST,
            format!("{base}/procurements/{procurement}/award"),
            json(json!({"start_date": "2026-01-01", "end_date": "2027-01-01"})),
        ),
        (
            Method::POST,
            format!("{base}/contract-imports"),
            Body::Csv(register_file("X-C-2")),
        ),
        (
            Method::POST,
            format!("{base}/spend-imports"),
            Body::Csv("transaction_id,date,supplier,amount\nX-T-1,2025-06-01,Taken Over Ltd,1.00\n".into()),
        ),
        (Method::GET, format!("{base}/imports"), Body::None),
        (Method::GET, format!("{base}/imports/{import}"), Body::None),
        (Method::GET, format!("{base}/spend"), Body::None),
        (Method::GET, format!("{base}/spend?import={import}"), Body::None),
        (Method::GET, format!("{base}/spend?contract={contract}"), Body::None),
        (Method::GET, format!("{base}/kpis"), Body::None),
        (Method::GET, format!("{base}/ocds/releases"), Body::None),
        (Method::GET, format!("{base}/webhooks"), Body::None),
        (Method::POST, format!("{base}/webhooks"), json(webhook_body())),
        (Method::GET, format!("{base}/webhooks/{webhook}"), Body::None),
        (Method::GET, format!("{base}/webhooks/{webhook}/deliveries"), Body::None),
        (Method::DELETE, format!("{base}/webhooks/{webhook}"), Body::None),
    ]
}

/// Whether the call changes data (and so is refused to a national viewer).
fn writes(method: &Method) -> bool {
    method != Method::GET
}

async fn call(app: &TestApp, token: &str, method: &Method, path: &str, body: &Body) -> reqwest::Response {
    let mut request = app
        .request(method.clone(), path)
        .bearer_auth(token)
        .header("if-match", "\"1\"");
    match body {
        Body::None => {}
        Body::Json(body) => request = request.json(body),
        Body::Csv(csv) => request = request.header("content-type", "text/csv").body(csv.clone()),
    }
    send(request).await
}

#[actix_web::test]
async fn a_force_never_reaches_another_forces_data() {
    let app = TestApp::spawn().await;
    let a = set_up(&app, A).await;
    let b = set_up(&app, B).await;
    // B holds a version 2 that A does not have (B's rules rebuilt, uploaded but not active), and
    // each tenant's version 1 has content of its own: a plugin store that forgot the tenant
    // would hand A B's version 2, or the wrong version 1, and fail below.
    let b_rebuilt = rebuilt(plugin_of(B));
    let b_second = json_with_status(
        app.upload_plugin(B, &app.tenant_admin_of(B), &b_rebuilt).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(b_second["version"], 2, "{b_second}");
    let a_tokens = [app.viewer_of(A), app.buyer_of(A), app.tenant_admin_of(A)];

    // B's path, B's ids: refused outright for every role of A.
    for token in &a_tokens {
        for (method, path, body) in calls(B, &b) {
            let response = call(&app, token, &method, &path, &body).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
            assert_problem(response, 403, "forbidden").await;
        }
        let upload = app.upload_plugin(B, token, seed_plugins()[1].wasm).await;
        assert_problem(upload, 403, "forbidden").await;
    }
    // A's own path with B's ids: B's records are simply not there.
    let admin = app.tenant_admin_of(A);
    let names_b = |path: &str| {
        [&b.procurement, &b.decision, &b.contract, &b.import, &b.webhook]
            .iter()
            .any(|id| path.contains(id.as_str()))
    };
    for (method, path, body) in calls(A, &b) {
        if !names_b(&path) {
            continue; // these name no id of B's
        }
        let response = call(&app, &admin, &method, &path, &body).await;
        if method == Method::GET && path.contains('?') {
            // A filter naming B's import or contract finds none of B's lines.
            assert!(
                json_ok(response).await["items"].as_array().unwrap().is_empty(),
                "{path}"
            );
        } else {
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
            assert_problem(response, 404, "not_found").await;
        }
    }
    // A supplier's staff reach no tenant's own data; a national viewer reads but cannot write.
    let supplier = app.supplier_staff("some-supplier");
    for (method, path, body) in calls(B, &b) {
        let response = call(&app, &supplier, &method, &path, &body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_problem(response, 403, "forbidden").await;
    }
    let viewer = app.national_viewer();
    for (method, path, body) in calls(B, &b) {
        let response = call(&app, &viewer, &method, &path, &body).await;
        if writes(&method) {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
            assert_problem(response, 403, "forbidden").await;
        } else {
            assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
            json_ok(response).await;
        }
    }
    let response = app
        .post_json(
            &format!("/api/v1/tenants/{B}/procurements"),
            &viewer,
            &procurement_body("V-1", "1.00", "single_quote"),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;

    // A's subscriptions are A's own, and B's decision (made after A subscribed) was not sent to A.
    let hooks = app
        .list_all(&format!("/api/v1/tenants/{A}/webhooks"), &admin, 200)
        .await
        .0;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["id"], json!(a.webhook));
    assert_eq!(hooks[0]["tenant"], A);
    let deliveries = app
        .list_all(
            &format!("/api/v1/tenants/{A}/webhooks/{}/deliveries", a.webhook),
            &admin,
            200,
        )
        .await
        .0;
    assert!(deliveries.is_empty(), "{deliveries:?}");

    // A's own lists hold only A's records, and A's KPIs count only A's spend.
    let a_viewer = app.viewer_of(A);
    for (path, id) in [("contracts", &a.contract), ("imports", &a.import)] {
        let items = app
            .list_all(&format!("/api/v1/tenants/{A}/{path}"), &a_viewer, 200)
            .await
            .0;
        assert_eq!(items.len(), 1, "{path}");
        assert_eq!(items[0]["id"], json!(id), "{path}");
        assert_eq!(items[0]["tenant"], A, "{path}");
    }
    let spend = app
        .list_all(&format!("/api/v1/tenants/{A}/spend"), &a_viewer, 200)
        .await
        .0;
    assert_eq!(spend.len(), 1);
    assert_eq!(spend[0]["contract_id"], json!(a.contract));
    let kpis = json_ok(
        app.get(
            &format!("/api/v1/tenants/{A}/kpis?from=2025-04-01&to=2026-03-31"),
            &a_viewer,
        )
        .await,
    )
    .await;
    assert_eq!(kpis["total_spend"], "100.00");
    assert_eq!(kpis["spend_lines"], 1);
    // A's open-data releases are A's procurement and contract only.
    let package = json_ok(
        app.get(&format!("/api/v1/tenants/{A}/ocds/releases?limit=200"), &a_viewer)
            .await,
    )
    .await;
    let ocids: Vec<&str> = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    assert_eq!(
        ocids,
        [
            format!("ocds-bluelight-{A}-{}", a.procurement),
            format!("ocds-bluelight-{A}-{}", a.contract)
        ]
    );

    // Nor can A's records point at B's: a contract naming B's procurement, a spend line naming
    // B's contract reference. B's transaction ids are B's own: A may use the same one.
    let mut naming = contract_body("A-X-1", "Some Supplier Ltd");
    naming["procurement_id"] = json!(b.procurement);
    let response = app
        .post_json(&format!("/api/v1/tenants/{A}/contracts"), &admin, &naming)
        .await;
    assert_invalid_field(response, "procurement_id").await;
    let file = format!(
        "transaction_id,date,supplier,amount,contract_reference\nA-X-T1,2025-06-01,Some Supplier Ltd,1.00,{B}-C1\n"
    );
    let problem = assert_problem(
        app.import_csv(A, Kind::Spend, &admin, file.as_bytes()).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(lines_and_fields(&problem), expected(&[(2, "contract_reference")]));
    let file = format!("transaction_id,date,supplier,amount\n{B}-T1,2025-06-02,Other Supplier Ltd,999.00\n");
    let reused = app.import_completed(A, Kind::Spend, &file).await;
    assert_eq!(reused["rows_written"], 1);

    // A's own path with B's version numbers: version 1 is A's own plugin, and version 2 (B's
    // only) is not there, whichever plugin-version path asks for it.
    let a_plugin = json_ok(app.get(&format!("/api/v1/tenants/{A}/rule-plugins/1"), &admin).await).await;
    assert_eq!(a_plugin["sha256"], sha256_hex(plugin_of(A)), "{a_plugin}");
    assert_eq!(a_plugin["tenant"], A);
    assert_ne!(sha256_hex(plugin_of(A)), sha256_hex(plugin_of(B)));
    let draft = |version: Option<i64>| {
        let mut body = json!({"procurement": procurement_body("A-D-1", "900.00", "single_quote")});
        if let Some(version) = version {
            body["plugin_version"] = json!(version);
        }
        Body::Json(body)
    };
    let a_base = format!("/api/v1/tenants/{A}");
    let versions_of_b = [
        (Method::GET, format!("{a_base}/rule-plugins/2"), Body::None),
        (
            Method::POST,
            format!("{a_base}/rule-plugins/2/activate"),
            Body::Json(json!({})),
        ),
        (
            Method::POST,
            format!("{a_base}/rule-plugins/2/backtest"),
            Body::Json(json!({})),
        ),
        (Method::POST, format!("{a_base}/evaluate"), draft(Some(2))),
        (
            Method::POST,
            format!("{a_base}/decisions/{}/replay?plugin_version=2", a.decision),
            Body::Json(json!({})),
        ),
    ];
    for (method, path, body) in &versions_of_b {
        let response = call(&app, &admin, method, path, body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(response, 404, "not_found").await;
    }
    // Asked for version 1, or for the active plugin, A's paths run A's own plugin.
    let a_sha = json!(sha256_hex(plugin_of(A)));
    for body in [draft(None), draft(Some(1))] {
        let decision = json_ok(call(&app, &admin, &Method::POST, &format!("{a_base}/evaluate"), &body).await).await;
        assert_eq!(decision["plugin_sha256"], a_sha, "{decision}");
    }
    let replay = json_ok(
        call(
            &app,
            &admin,
            &Method::POST,
            &format!("{a_base}/decisions/{}/replay?plugin_version=1", a.decision),
            &Body::Json(json!({})),
        )
        .await,
    )
    .await;
    assert_eq!(replay["layers"][0]["plugin_sha256"], a_sha, "{replay}");
    let backtest = call(
        &app,
        &admin,
        &Method::POST,
        &format!("{a_base}/rule-plugins/1/backtest"),
        &Body::Json(json!({})),
    )
    .await;
    let backtest = json_ok(backtest).await;
    assert_eq!(backtest["candidate_version"], 1, "{backtest}");
    assert_eq!(backtest["procurements"], 1, "A's one procurement, not B's: {backtest}");

    // B's data is exactly as B left it.
    let b_viewer = app.viewer_of(B);
    let procurement = json_ok(
        app.get(
            &format!("/api/v1/tenants/{B}/procurements/{}", b.procurement),
            &b_viewer,
        )
        .await,
    )
    .await;
    assert_eq!(procurement["title"], format!("Procurement {B}-1"));
    assert_eq!(
        app.items(&format!("/api/v1/tenants/{B}/procurements"), &b_viewer)
            .await
            .len(),
        1
    );
    let b_plugins = app.items(&format!("/api/v1/tenants/{B}/rule-plugins"), &b_viewer).await;
    let mut b_versions: Vec<(i64, String, bool)> = b_plugins
        .iter()
        .map(|p| {
            (
                p["version"].as_i64().unwrap(),
                p["sha256"].as_str().unwrap().to_owned(),
                p["active"].as_bool().unwrap(),
            )
        })
        .collect();
    b_versions.sort();
    let expected_versions = vec![(1, sha256_hex(plugin_of(B)), true), (2, sha256_hex(&b_rebuilt), false)];
    assert_eq!(b_versions, expected_versions, "B's versions, as B left them");
    let log = app
        .items(
            &format!("/api/v1/tenants/{B}/procurements/{}/evaluations", b.procurement),
            &b_viewer,
        )
        .await;
    assert_eq!(log.len(), 1);
    let contract = json_ok(
        app.get(&format!("/api/v1/tenants/{B}/contracts/{}", b.contract), &b_viewer)
            .await,
    )
    .await;
    assert_eq!(contract["title"], format!("Contract {B}-C1"));
    let b_spend = app
        .list_all(&format!("/api/v1/tenants/{B}/spend"), &b_viewer, 200)
        .await
        .0;
    assert_eq!(b_spend[0]["amount"], "100.00");
    assert_eq!(b_spend[0]["transaction_id"], format!("{B}-T1"));
    for (path, count) in [("contracts", 1), ("imports", 1), ("spend", 1)] {
        let items = app
            .list_all(&format!("/api/v1/tenants/{B}/{path}"), &b_viewer, 200)
            .await
            .0;
        assert_eq!(items.len(), count, "{path}");
        assert!(items.iter().all(|i| i["tenant"] == B), "{path}");
    }
    // And each tenant admin's audit trail holds only its own tenant's events.
    let events = app.items("/api/v1/audit-events", &app.tenant_admin_of(B)).await;
    assert!(!events.is_empty(), "the tenant's own changes are audited");
    for event in events {
        assert_eq!(event["tenant"], B, "{event}");
    }
}
