//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{categories, frameworks, health, suppliers, tenants};

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
    paths(
        health::live,
        health::ready,
        tenants::handlers::list_tenants,
        tenants::handlers::create_tenant,
        tenants::handlers::get_tenant,
        tenants::handlers::update_tenant,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "Tenants", description = "Police forces, fire and rescue services and national bodies"),
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

/// The document as committed at `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
