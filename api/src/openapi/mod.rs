//! The OpenAPI 3.1 document, generated from the handlers' annotations.

mod common_responses;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::{routes, webhooks};

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
    components(schemas(webhooks::model::EventEnvelope)),
    modifiers(&BearerAuth),
    tags(
        (name = "Tenants", description = "Police forces, fire and rescue services and national bodies"),
        (name = "Categories", description = "The tree of policing spend areas, with CPV codes"),
        (name = "Frameworks", description = "National framework agreements, their lots and awarded suppliers"),
        (name = "Suppliers", description = "Suppliers, and strategic-supplier management: risk, KPIs, ethics, contingency"),
        (name = "Procurements", description = "A tenant's own procurements: what its buyers buy, and how"),
        (name = "Rule plugins", description = "A tenant's procurement rules as sandboxed WebAssembly plugins: upload, test, activate, roll back, backtest"),
        (name = "National rules", description = "The national rules layer (the Procurement Act 2023), run beside every tenant's own rules in every evaluation: upload, test, backtest over every tenant, activate, roll back"),
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

/// The whole document: the description above, with the paths and schemas of every route that
/// [`routes::api`] registers.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::api)
        .split_for_parts();
    let mut document = document;
    common_responses::complete(&mut document);
    document
}

/// The document as committed at `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::Serialize;
    use serde_json::Value;

    use crate::area::Area;
    use crate::contracts::model::{Arrangement, ContractStatus};
    use crate::frameworks::model::{AwardStatus, Eligibility, FrameworkStatus, RouteToMarket};
    use crate::imports::model::{ImportKind, ImportStatus};
    use crate::region::Region;
    use crate::suppliers::directory::SupplierLocality;
    use crate::suppliers::model::{ModernSlaveryRiskTier, RiskRating};
    use crate::tenants::model::TenantKind;
    use crate::webhooks::model::EventType;
    use bluelight_rules::{
        AuthorityType, ContractType, DirectAwardGround, NoticeKind, Outcome, Procedure, Route, Severity, VatTreatment,
    };

    /// What serde actually writes for each variant: the wire values.
    fn wire_values<T: Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .map(|value| match serde_json::to_value(value).expect("an enum serialises") {
                Value::String(text) => text,
                other => panic!("an enum must serialise as a string, got {other}"),
            })
            .collect()
    }

    fn documented_values(document: &Value, name: &str) -> Vec<String> {
        document["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("the document has no enum schema {name}"))
            .iter()
            .map(|v| v.as_str().expect("string enum values").to_owned())
            .collect()
    }

    /// Every enum in the published document lists exactly the values the API sends and accepts;
    /// generated clients reject any other value. Compared against serde (what goes on the wire),
    /// not against the enum's own text table.
    #[test]
    fn every_documented_enum_lists_its_wire_values() {
        let document = serde_json::to_value(super::document()).expect("the document serialises");
        let mut checked = BTreeSet::new();
        let mut check = |name: &str, wire: Vec<String>| {
            assert_eq!(documented_values(&document, name), wire, "enum {name}");
            for text in &wire {
                assert!(
                    !text.chars().any(char::is_uppercase),
                    "{name}: '{text}' is not a wire value"
                );
            }
            checked.insert(name.to_owned());
        };
        check("Arrangement", wire_values(Arrangement::ALL));
        check("ContractStatus", wire_values(ContractStatus::ALL));
        check("AwardStatus", wire_values(AwardStatus::ALL));
        check("Eligibility", wire_values(Eligibility::ALL));
        check("FrameworkStatus", wire_values(FrameworkStatus::ALL));
        check("RouteToMarket", wire_values(RouteToMarket::ALL));
        check("ImportKind", wire_values(ImportKind::ALL));
        check("ImportStatus", wire_values(ImportStatus::ALL));
        check("Region", wire_values(Region::ALL));
        check("Area", wire_values(Area::ALL));
        check("SupplierLocality", wire_values(SupplierLocality::ALL));
        check("ModernSlaveryRiskTier", wire_values(ModernSlaveryRiskTier::ALL));
        check("RiskRating", wire_values(RiskRating::ALL));
        check("TenantKind", wire_values(TenantKind::ALL));
        check("EventType", wire_values(EventType::ALL));
        check("ContractType", wire_values(ContractType::ALL));
        check("Outcome", wire_values(Outcome::ALL));
        check("Route", wire_values(Route::ALL));
        check("Severity", wire_values(Severity::ALL));
        check("VatTreatment", wire_values(VatTreatment::ALL));
        check("AuthorityType", wire_values(AuthorityType::ALL));
        check("DirectAwardGround", wire_values(DirectAwardGround::ALL));
        check("NoticeKind", wire_values(NoticeKind::ALL));
        check("Procedure", wire_values(Procedure::ALL));

        let documented: BTreeSet<String> = document["components"]["schemas"]
            .as_object()
            .expect("component schemas")
            .iter()
            .filter(|(_, schema)| schema.get("enum").is_some())
            .map(|(name, _)| name.clone())
            .collect();
        let unchecked: Vec<&String> = documented.difference(&checked).collect();
        assert!(
            unchecked.is_empty(),
            "enums in the document with no wire check here: {unchecked:?}"
        );
    }
}
