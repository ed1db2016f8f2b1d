//! Builders and calls for the tenant-scoped rules endpoints: procurements, rule plugins,
//! decisions.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, json_with_status, send};

pub const HOSTILE_TENANT: &str = "hostile-test-constabulary";

/// A procurement body for the category `uniform-garments` (present in the demo data and made by
/// [`TestApp::tenant_with_category`]).
pub fn procurement_body(reference: &str, value: &str, route: &str) -> Value {
    json!({
        "reference": reference,
        "title": format!("Procurement {reference}"),
        "value": value,
        "contract_type": "goods",
        "category": "uniform-garments",
        "route": route,
        "quotes": [{"supplier_name": "Ouse Valley Outfitters Ltd", "amount": value, "local": true, "sme": true}]
    })
}

impl TestApp {
    /// A tenant and the `uniform-garments` category, for tests without the demo data.
    pub async fn tenant_with_category(&self, slug: &str) {
        self.create_tenant(slug, "police", "eastern").await;
        for (category, parent) in [("uniform-and-ppe", None), ("uniform-garments", Some("uniform-and-ppe"))] {
            let response = self
                .post_json(
                    "/api/v1/categories",
                    &self.national_admin(),
                    &super::catalogue::category_body(category, parent),
                )
                .await;
            assert!(
                response.status() == StatusCode::CREATED || response.status() == StatusCode::CONFLICT,
                "category {category}: {}",
                response.text().await.unwrap_or_default()
            );
        }
    }

    pub async fn upload_plugin(&self, tenant: &str, token: &str, wasm: &[u8]) -> Response {
        send(
            self.request(Method::POST, &format!("/api/v1/tenants/{tenant}/rule-plugins"))
                .bearer_auth(token)
                .header(CONTENT_TYPE, "application/wasm")
                .body(wasm.to_vec()),
        )
        .await
    }

    /// Uploads and activates `wasm` as the tenant's admin; returns the version number.
    pub async fn install_plugin(&self, tenant: &str, wasm: &[u8]) -> i64 {
        let admin = self.tenant_admin_of(tenant);
        let response = self.upload_plugin(tenant, &admin, wasm).await;
        let status = response.status();
        let version = response.json::<Value>().await.expect("a version")["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("upload to {tenant}: status {status}"));
        let activated = self
            .post_json(
                &format!("/api/v1/tenants/{tenant}/rule-plugins/{version}/activate"),
                &admin,
                &json!({}),
            )
            .await;
        json_with_status(activated, StatusCode::OK).await;
        version
    }

    pub async fn create_procurement(&self, tenant: &str, body: &Value) -> Value {
        let response = self
            .post_json(
                &format!("/api/v1/tenants/{tenant}/procurements"),
                &self.buyer_of(tenant),
                body,
            )
            .await;
        json_with_status(response, StatusCode::CREATED).await
    }

    pub async fn evaluate(&self, tenant: &str, procurement_id: &str) -> Response {
        self.post_json(
            &format!("/api/v1/tenants/{tenant}/procurements/{procurement_id}/evaluations"),
            &self.buyer_of(tenant),
            &json!({}),
        )
        .await
    }
}
