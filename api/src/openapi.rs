//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    audit, categories, contracts, decisions, frameworks, health, imports, kpis, national, ocds, procurements,
    rule_plugins, spend, suppliers, tenants, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BlueLight category-management API",
        description = "National category-management data for UK policing and fire: categories, national \
framework agreements with their lots and awarded suppliers, and strategic-supplier management, \
read by every force and kept by BlueLight Commercial.\n\n\
Every `/api/v1` call needs a bearer JWT. Errors are RFC 9457 `application/problem+json` with a \
stable `code`; validation problems list each field at fault in `errors`. Lists are paginated with \
`limit` and `cursor`; updates need `If-Match` with the ETag from the last read. Money is a \
decimal string of pounds sterling (`\"60000.00\"`).",
        version = "1.0.0",
        license(name = "MIT")
    ),
    paths(health::live, health::ready),
    nest((path = "/api/v1", api = V1Api)),
    modifiers(&BearerAuth),
    tags(
        (name = "Tenants", description = "Police forces, fire and rescue services and national bodies"),
        (name = "Categories", description = "The tree of policing spend areas, with CPV codes"),
        (name = "Frameworks", description = "National framework agreements, their lots and awarded suppliers"),
        (name = "Suppliers", description = "Suppliers, and strategic-supplier management: risk, KPIs, ethics, contingency"),
        (name = "Procurements", description = "A tenant's own procurements: what its buyers buy, and how"),
        (name = "Rule plugins", description = "A tenant's procurement rules as sandboxed WebAssembly plugins: upload, test, activate, roll back, backtest"),
        (name = "Contracts", description = "A tenant's contracts register: what it has let, with whom, under which arrangement, until when"),
        (name = "Spend", description = "A tenant's payments, imported from its published spend files"),
        (name = "Imports", description = "CSV imports of a contracts register or spend files: checked whole, written whole, idempotent"),
        (name = "KPIs", description = "The figures a force reports, each with its definition and the numbers behind it"),
        (name = "National view", description = "Across all tenants, for national roles only: buying power by supplier and category, strategic-supplier dependency, the expiry radar, framework uptake"),
        (name = "Open data", description = "Open Contracting Data Standard (OCDS 1.1) release packages of a tenant's procurements, awards and contracts; national framework agreements imported from one"),
        (name = "Webhooks", description = "Subscriptions to events (framework status and expiry, strategic-supplier risk, contract expiry, decisions), delivered signed and retried; every delivery recorded with its outcome"),
        (name = "Decisions", description = "Evaluating procurements against the tenant's rules, and the decision log"),
        (name = "Audit", description = "Who changed what, and when"),
        (name = "Health", description = "Probes for orchestrators"),
    )
)]
pub struct ApiDoc;

/// Everything under `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    paths(
        tenants::handlers::list_tenants,
        tenants::handlers::create_tenant,
        tenants::handlers::get_tenant,
        tenants::handlers::update_tenant,
        categories::handlers::list_categories,
        categories::handlers::create_category,
        categories::handlers::get_category,
        categories::handlers::update_category,
        frameworks::handlers::list_frameworks,
        frameworks::handlers::create_framework,
        frameworks::handlers::get_framework,
        frameworks::handlers::update_framework,
        frameworks::handlers::create_lot,
        frameworks::handlers::get_lot,
        frameworks::handlers::update_lot,
        frameworks::handlers::set_lot_supplier,
        suppliers::handlers::list_suppliers,
        suppliers::handlers::create_supplier,
        suppliers::handlers::get_supplier,
        suppliers::handlers::update_supplier,
        suppliers::handlers::update_supplier_profile,
        suppliers::handlers::list_risk_ratings,
        suppliers::handlers::create_risk_rating,
        suppliers::handlers::list_kpi_scores,
        suppliers::handlers::create_kpi_score,
        procurements::handlers::list_procurements,
        procurements::handlers::create_procurement,
        procurements::handlers::get_procurement,
        procurements::handlers::update_procurement,
        decisions::handlers::evaluate_procurement,
        decisions::handlers::list_evaluations,
        decisions::handlers::get_decision,
        decisions::handlers::replay_decision,
        decisions::handlers::evaluate_draft,
        contracts::handlers::list_contracts,
        contracts::handlers::create_contract,
        contracts::handlers::get_contract,
        contracts::handlers::update_contract,
        contracts::handlers::delete_contract,
        contracts::handlers::award_contract,
        imports::handlers::import_contracts,
        imports::handlers::import_spend,
        imports::handlers::list_imports,
        imports::handlers::get_import,
        spend::handlers::list_spend,
        kpis::handlers::get_kpis,
        national::handlers::spend_by_supplier,
        national::handlers::spend_by_category,
        national::handlers::strategic_dependency,
        national::handlers::expiry_radar,
        national::handlers::framework_uptake,
        ocds::handlers::release_package,
        ocds::handlers::import_frameworks,
        webhooks::handlers::create_tenant_subscription,
        webhooks::handlers::list_tenant_subscriptions,
        webhooks::handlers::get_tenant_subscription,
        webhooks::handlers::delete_tenant_subscription,
        webhooks::handlers::list_tenant_deliveries,
        webhooks::handlers::create_national_subscription,
        webhooks::handlers::list_national_subscriptions,
        webhooks::handlers::get_national_subscription,
        webhooks::handlers::delete_national_subscription,
        webhooks::handlers::list_national_deliveries,
        rule_plugins::handlers::upload_rule_plugin,
        rule_plugins::handlers::list_rule_plugins,
        rule_plugins::handlers::get_rule_plugin,
        rule_plugins::handlers::activate_rule_plugin,
        rule_plugins::handlers::backtest_rule_plugin,
        audit::handlers::list_audit_events,
    ),
    components(schemas(webhooks::model::EventEnvelope))
)]
struct V1Api;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description = Some(
            "A JWT with `sub`, `exp`, `iss`, `aud`, `roles` and, for tenant users, `tenant`; for \
             suppliers, `supplier`. In development, mint one with `bluelight token`."
                .to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document as committed at `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
