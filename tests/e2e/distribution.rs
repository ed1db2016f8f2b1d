//! The schema stays ready to distribute by tenant (Citus; docs/scaling.md), read from the
//! database the migrations built, so a new table or key cannot quietly break it:
//!
//! - every table is either national data, listed in [`REFERENCE_TABLES`] (copied to every node),
//!   or holds tenants' data and carries a NOT NULL `tenant_slug` (Citus routes no NULL);
//! - on PostgreSQL, a tenant table's primary key leads with `tenant_slug`, its every unique key
//!   includes it, and its every foreign key to another tenant table joins on it; a national table
//!   has no foreign key to a tenant table (Citus refuses one from a reference table).
//!
//! The checks are then run on a table made to break each rule, so the test is seen to fail.

use std::collections::BTreeSet;

use bluelight_api::db::{Backend, NATIONAL_SCOPE};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::database::connect;
use crate::support::{TestApp, json_ok, json_with_status, send};

/// National data: the catalogue, strategic suppliers and the national rules layer. Reference
/// tables when distributed.
const REFERENCE_TABLES: [&str; 11] = [
    "tenants",
    "categories",
    "suppliers",
    "strategic_profiles",
    "supplier_risk_changes",
    "supplier_kpi_scores",
    "frameworks",
    "lots",
    "lot_suppliers",
    "national_rule_plugins",
    "active_national_rule_plugin",
];

const TENANT: &str = "tenant_slug";

#[derive(Debug, Deserialize)]
struct Schema {
    tables: Vec<String>,
    /// Tables with a `tenant_slug` column, and whether it may be NULL.
    tenant_columns: Vec<TenantColumn>,
    /// Primary, unique and foreign keys, and unique indexes (PostgreSQL only).
    #[serde(default)]
    keys: Vec<Key>,
}

#[derive(Debug, Deserialize)]
struct TenantColumn {
    table: String,
    nullable: bool,
}

#[derive(Debug, Deserialize)]
struct Key {
    table: String,
    name: String,
    /// `p` primary, `u` unique (constraint or index), `f` foreign.
    kind: String,
    columns: Vec<String>,
    references: Option<String>,
    referenced_columns: Option<Vec<String>>,
}

const POSTGRES_SCHEMA: &str = r#"(SELECT json_build_object(
    'tables', (SELECT coalesce(json_agg(c.relname::text), '[]') FROM pg_class c
               WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
                 AND c.relname <> '__diesel_schema_migrations'),
    'tenant_columns', (SELECT coalesce(json_agg(json_build_object('table', table_name, 'nullable', is_nullable = 'YES')), '[]')
                       FROM information_schema.columns
                       WHERE table_schema = current_schema() AND column_name = 'tenant_slug'),
    'keys', (SELECT coalesce(json_agg(k), '[]') FROM (
        SELECT con.conrelid::regclass::text AS table, con.conname::text AS name, con.contype::text AS kind,
               (SELECT json_agg(a.attname::text ORDER BY k.n) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
               CASE WHEN con.contype = 'f' THEN con.confrelid::regclass::text END AS references,
               (SELECT json_agg(a.attname::text ORDER BY k.n) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS referenced_columns
        FROM pg_constraint con
        WHERE con.connamespace = current_schema()::regnamespace AND con.contype IN ('p', 'u', 'f')
        UNION ALL
        SELECT i.indrelid::regclass::text, ic.relname::text, 'u',
               (SELECT json_agg(a.attname::text ORDER BY k.n) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
               NULL, NULL
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE ic.relnamespace = current_schema()::regnamespace AND i.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
    ) k)
))::text"#;

const SQLITE_SCHEMA: &str = r#"(SELECT json_object(
    'tables', (SELECT json_group_array(name) FROM sqlite_master
               WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'),
    'tenant_columns', (SELECT json_group_array(json_object('table', m.name, 'nullable', json(CASE WHEN c."notnull" = 1 THEN 'false' ELSE 'true' END)))
                       FROM sqlite_master m, pragma_table_info(m.name) c
                       WHERE m.type = 'table' AND c.name = 'tenant_slug')
))"#;

fn read_schema(url: &str) -> Schema {
    let query = match Backend::of_url(url) {
        Backend::Postgres => POSTGRES_SCHEMA,
        Backend::Sqlite => SQLITE_SCHEMA,
    };
    let mut conn = connect(url);
    let text: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(query))
        .get_result(&mut *conn)
        .expect("the schema is read");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the schema as JSON: {e}: {text}"))
}

/// Every way `schema` could not be distributed by tenant, one line each.
fn violations(schema: &Schema) -> Vec<String> {
    let reference: BTreeSet<&str> = REFERENCE_TABLES.into_iter().collect();
    let tables: BTreeSet<&str> = schema.tables.iter().map(String::as_str).collect();
    let mut found = Vec::new();
    for listed in &reference {
        if !tables.contains(listed) {
            found.push(format!("{listed}: listed as a reference table but not in the schema"));
        }
    }
    let is_tenant_table = |table: &str| tables.contains(table) && !reference.contains(table);
    for table in tables.iter().copied().filter(|t| is_tenant_table(t)) {
        match schema.tenant_columns.iter().find(|c| c.table == table) {
            None => found.push(format!("{table}: holds tenants' data but has no {TENANT}")),
            Some(column) if column.nullable => found.push(format!("{table}: {TENANT} may be NULL")),
            Some(_) => {}
        }
    }
    for key in &schema.keys {
        let tenant_table = is_tenant_table(&key.table);
        let (table, name) = (&key.table, &key.name);
        match key.kind.as_str() {
            "p" if tenant_table && key.columns.first().map(String::as_str) != Some(TENANT) => found.push(format!(
                "{table}: primary key {name} {:?} does not lead with {TENANT}",
                key.columns
            )),
            "u" if tenant_table && !key.columns.iter().any(|c| c == TENANT) => found.push(format!(
                "{table}: unique key {name} {:?} leaves out {TENANT}",
                key.columns
            )),
            "f" => {
                let target = key.references.as_deref().unwrap_or_default();
                if !is_tenant_table(target) {
                    continue;
                }
                if !tenant_table {
                    found.push(format!(
                        "{table}: national table with a foreign key {name} to tenant table {target}"
                    ));
                    continue;
                }
                let joins_on_tenant = key
                    .columns
                    .iter()
                    .zip(key.referenced_columns.iter().flatten())
                    .any(|(from, to)| from == TENANT && to == TENANT);
                if !joins_on_tenant {
                    found.push(format!(
                        "{table}: foreign key {name} to {target} does not join on {TENANT}"
                    ));
                }
            }
            _ => {}
        }
    }
    found
}

#[actix_web::test]
async fn every_table_is_national_or_carries_its_tenant_in_its_keys() {
    let app = TestApp::spawn().await;
    let url = app.database_url();
    let postgres = matches!(Backend::of_url(&url), Backend::Postgres);

    let schema = read_schema(&url);
    let tenant_tables: Vec<&String> = schema
        .tables
        .iter()
        .filter(|t| !REFERENCE_TABLES.contains(&t.as_str()))
        .collect();
    for expected in [
        "procurements",
        "rule_decisions",
        "contracts",
        "spend_lines",
        "audit_events",
        "webhook_subscriptions",
    ] {
        assert!(
            tenant_tables.iter().any(|t| *t == expected),
            "{expected} is read as a tenant table: {tenant_tables:?}"
        );
    }
    if postgres {
        assert!(
            schema.keys.iter().filter(|k| k.kind == "f").count() > 10,
            "the foreign keys are read: {:?}",
            schema.keys
        );
    }
    assert_eq!(violations(&schema), Vec::<String>::new());

    // The same checks on tables made to break each rule.
    let mut breaking = String::from(
        "CREATE TABLE things_without_tenant (id TEXT PRIMARY KEY NOT NULL);
         CREATE TABLE things_maybe_tenant (id TEXT PRIMARY KEY NOT NULL, tenant_slug TEXT);",
    );
    if postgres {
        breaking.push_str(
            "CREATE TABLE things_keyed_by_id (id TEXT PRIMARY KEY NOT NULL, tenant_slug TEXT NOT NULL,
                 reference TEXT NOT NULL UNIQUE, procurement_id TEXT,
                 CONSTRAINT things_keyed_by_id_procurement_fkey FOREIGN KEY (procurement_id, tenant_slug)
                     REFERENCES procurements (tenant_slug, id));
             ALTER TABLE categories ADD COLUMN thing_id TEXT;
             ALTER TABLE categories ADD CONSTRAINT categories_thing_fkey
                 FOREIGN KEY (thing_id) REFERENCES things_keyed_by_id (id);",
        );
    }
    connect(&url)
        .batch_execute(&breaking)
        .expect("the breaking tables are made");
    let broken = violations(&read_schema(&url));
    let mut expected = vec![
        "things_maybe_tenant: tenant_slug may be NULL".to_owned(),
        "things_without_tenant: holds tenants' data but has no tenant_slug".to_owned(),
    ];
    if postgres {
        expected.extend([
            "categories: national table with a foreign key categories_thing_fkey to tenant table things_keyed_by_id".to_owned(),
            "things_keyed_by_id: foreign key things_keyed_by_id_procurement_fkey to procurements does not join on tenant_slug".to_owned(),
            "things_keyed_by_id: primary key things_keyed_by_id_pkey [\"id\"] does not lead with tenant_slug".to_owned(),
            "things_keyed_by_id: unique key things_keyed_by_id_reference_key [\"reference\"] leaves out tenant_slug".to_owned(),
            "things_maybe_tenant: primary key things_maybe_tenant_pkey [\"id\"] does not lead with tenant_slug".to_owned(),
            "things_without_tenant: primary key things_without_tenant_pkey [\"id\"] does not lead with tenant_slug".to_owned(),
        ]);
    }
    let (mut broken, mut expected) = (broken, expected);
    broken.sort();
    expected.sort();
    assert_eq!(broken, expected);
}

#[actix_web::test]
async fn national_rows_are_kept_in_the_national_scope_and_shown_without_a_tenant() {
    let app = TestApp::spawn().await;
    app.create_tenant("scoped-police", "police", "eastern").await;
    let hook = json!({"url": "http://127.0.0.1:9/hook", "events": ["decision.recorded"]});
    let subscribe = |path: &str, token: String, key: &str| {
        app.request(Method::POST, path)
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&hook)
    };
    let national = json_with_status(
        send(subscribe(
            "/api/v1/national/webhooks",
            app.national_admin(),
            "national-key",
        ))
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(national["tenant"], Value::Null);
    let force = json_with_status(
        send(subscribe(
            "/api/v1/tenants/scoped-police/webhooks",
            app.tenant_admin_of("scoped-police"),
            "force-key",
        ))
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(force["tenant"], "scoped-police");

    // Stored under the national scope and the tenant, no NULL: the subscriptions, and the keys
    // their requests were sent with.
    let mut conn = connect(&app.database_url());
    let mut stored = |sql: &str| -> String {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(&format!("({sql})")))
            .get_result(&mut *conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    let national_id = national["id"].as_str().unwrap();
    let force_id = force["id"].as_str().unwrap();
    assert_eq!(
        stored(&format!(
            "SELECT tenant_slug FROM webhook_subscriptions WHERE id = '{national_id}'"
        )),
        NATIONAL_SCOPE
    );
    assert_eq!(
        stored(&format!(
            "SELECT tenant_slug FROM webhook_subscriptions WHERE id = '{force_id}'"
        )),
        "scoped-police"
    );
    assert_eq!(
        stored("SELECT tenant_slug FROM idempotency_records WHERE idem_key = 'national-key'"),
        NATIONAL_SCOPE
    );
    assert_eq!(
        stored("SELECT tenant_slug FROM idempotency_records WHERE idem_key = 'force-key'"),
        "scoped-police"
    );

    // Each owner sees its own subscription only.
    let listed = json_ok(app.get("/api/v1/national/webhooks", &app.national_admin()).await).await;
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|s| &s["id"]).collect();
    assert_eq!(ids, [&national["id"]]);
    let listed = json_ok(
        app.get(
            "/api/v1/tenants/scoped-police/webhooks",
            &app.tenant_admin_of("scoped-police"),
        )
        .await,
    )
    .await;
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|s| &s["id"]).collect();
    assert_eq!(ids, [&force["id"]]);

    // The audit trail shows the national event without a tenant, and the force's admin sees only
    // the force's.
    let audit = json_ok(
        app.get(
            "/api/v1/audit-events?action=webhook_subscription.created",
            &app.national_viewer(),
        )
        .await,
    )
    .await;
    let tenants: BTreeSet<String> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tenant"].as_str().unwrap_or("(none)").to_owned())
        .collect();
    assert_eq!(
        tenants,
        BTreeSet::from(["(none)".to_owned(), "scoped-police".to_owned()])
    );
    let trail = json_ok(
        app.get(
            "/api/v1/audit-events?action=webhook_subscription.created",
            &app.tenant_admin_of("scoped-police"),
        )
        .await,
    )
    .await;
    let items = trail["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{trail}");
    assert_eq!(items[0]["tenant"], "scoped-police");
}

/// The table names in `docs/scaling.md`'s statements `SELECT <function>('<table>'...`.
fn tables_in_scaling_doc(doc: &str, function: &str) -> BTreeSet<String> {
    let opening = format!("SELECT {function}('");
    doc.lines()
        .filter_map(|line| line.trim().strip_prefix(opening.as_str()))
        .filter_map(|rest| rest.split('\'').next())
        .map(str::to_owned)
        .collect()
}

/// The distribution statements an operator runs (docs/scaling.md) name every table the
/// migrations make, each the way the schema checks above treat it: a table added without its
/// statement would stay on the coordinator alone.
#[actix_web::test]
async fn the_scaling_guide_distributes_every_table_the_migrations_make() {
    let app = TestApp::spawn().await;
    let schema = read_schema(&app.database_url());
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/scaling.md");
    let doc = std::fs::read_to_string(doc_path).expect("docs/scaling.md is read");

    let reference: BTreeSet<String> = REFERENCE_TABLES.iter().map(|t| t.to_string()).collect();
    let tenant_tables: BTreeSet<String> = schema
        .tables
        .iter()
        .filter(|t| !reference.contains(*t))
        .cloned()
        .collect();
    assert!(tenant_tables.contains("spend_year_totals"), "{tenant_tables:?}");
    assert_eq!(tables_in_scaling_doc(&doc, "create_reference_table"), reference);
    assert_eq!(tables_in_scaling_doc(&doc, "create_distributed_table"), tenant_tables);

    // The reading is seen to notice a table left out.
    let without_totals = doc.replace("create_distributed_table('spend_year_totals'", "-- left out");
    assert_ne!(
        tables_in_scaling_doc(&without_totals, "create_distributed_table"),
        tenant_tables
    );
}
