//! Fixtures and calls for a tenant's commercial data: contracts, CSV imports, spend and KPIs.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::catalogue::{CATEGORIES, category_body, day, framework_body, location};
use super::{TestApp, json_ok, json_with_status, send};

/// A police force in the eastern region (made by [`TestApp::tenant_with_category`]).
pub const FORCE: &str = "bedfordshire-police";

/// The framework [`TestApp::commercial_catalogue`] makes: police only, lot 1 awarding
/// [`AWARDED`].
pub const FRAMEWORK_REF: &str = "BLC-UNI-2026-01";
/// An SME serving the eastern region, awarded on lot 1 of [`FRAMEWORK_REF`].
pub const AWARDED: &str = "Anglia Uniforms Ltd";
/// A VCSE (not an SME) serving the eastern region; on no lot.
pub const CHARITY: &str = "Fenland Community Workshop";
/// A large supplier serving only "national" (so outside any region); on no lot.
pub const NATIONAL: &str = "Northern Kit plc";

/// The national records the commercial tests name.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub framework: String,
    pub awarded: String,
    pub charity: String,
    pub national: String,
}

/// A body for `POST /tenants/{slug}/contracts`: a local contract for `uniform-garments`, active
/// today.
pub fn contract_body(reference: &str, supplier_name: &str) -> Value {
    json!({
        "reference": reference,
        "title": format!("Contract {reference}"),
        "supplier_name": supplier_name,
        "category": "uniform-garments",
        "value": "12000.00",
        "start_date": day(-30),
        "end_date": day(335),
        "arrangement": "local",
    })
}

pub fn contracts_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/contracts")
}

pub fn spend_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/spend")
}

pub fn imports_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/imports")
}

/// What a file holds: `/contract-imports` or `/spend-imports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contracts,
    Spend,
}

impl Kind {
    pub fn path(self, tenant: &str) -> String {
        match self {
            Kind::Contracts => format!("/api/v1/tenants/{tenant}/contract-imports"),
            Kind::Spend => format!("/api/v1/tenants/{tenant}/spend-imports"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Contracts => "contracts",
            Kind::Spend => "spend",
        }
    }
}

/// `(line, field)` of every entry in a problem's `errors`, sorted.
pub fn lines_and_fields(problem: &Value) -> Vec<(u64, String)> {
    let mut found: Vec<(u64, String)> = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a rejection must list `errors`: {problem}"))
        .iter()
        .map(|e| {
            let line = e["line"]
                .as_u64()
                .unwrap_or_else(|| panic!("a CSV error without `line`: {e}"));
            let field = e["field"]
                .as_str()
                .unwrap_or_else(|| panic!("an error without `field`: {e}"))
                .to_owned();
            assert!(
                !e["message"].as_str().unwrap_or_default().trim().is_empty(),
                "an error without a message: {e}"
            );
            (line, field)
        })
        .collect();
    found.sort();
    found
}

/// Owned `(line, field)` pairs, sorted, to compare with [`lines_and_fields`].
pub fn expected(pairs: &[(u64, &str)]) -> Vec<(u64, String)> {
    let mut pairs: Vec<(u64, String)> = pairs.iter().map(|(l, f)| (*l, (*f).to_owned())).collect();
    pairs.sort();
    pairs
}

impl TestApp {
    /// A category as national_admin, unless it is there already.
    pub async fn ensure_category(&self, slug: &str, parent: Option<&str>) {
        let response = self
            .post_json(CATEGORIES, &self.national_admin(), &category_body(slug, parent))
            .await;
        assert!(
            response.status() == StatusCode::CREATED || response.status() == StatusCode::CONFLICT,
            "category {slug}: {}",
            response.text().await.unwrap_or_default()
        );
    }

    /// The categories (`uniform-and-ppe` > `uniform-garments`, `fleet`), three suppliers and a
    /// police-only framework whose lot 1 awards [`AWARDED`]. Tenants are made separately.
    pub async fn commercial_catalogue(&self) -> Catalogue {
        self.ensure_category("uniform-and-ppe", None).await;
        self.ensure_category("uniform-garments", Some("uniform-and-ppe")).await;
        self.ensure_category("fleet", None).await;
        let awarded = self
            .create_supplier(
                &json!({"name": AWARDED, "sme": true, "vcse": false, "regions": ["eastern"], "based_in": "cambridgeshire"}),
            )
            .await;
        let charity = self
            .create_supplier(&json!({
                "name": CHARITY, "sme": false, "vcse": true, "regions": ["eastern", "london"], "based_in": "cambridgeshire"
            }))
            .await;
        let national = self
            .create_supplier(&json!({"name": NATIONAL, "sme": false, "vcse": false, "regions": ["national"]}))
            .await;
        let awarded = awarded["id"].as_str().unwrap().to_owned();
        let mut framework = framework_body(FRAMEWORK_REF, "uniform-garments");
        framework["lots"] = json!([super::catalogue::lot_body(1, &[&awarded])]);
        let framework = self.create_framework(&framework).await;
        assert_eq!(framework["eligibility"], "police");
        Catalogue {
            framework: framework["id"].as_str().unwrap().to_owned(),
            awarded,
            charity: charity["id"].as_str().unwrap().to_owned(),
            national: national["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Records a contract as the tenant's buyer; returns it.
    pub async fn create_contract(&self, tenant: &str, body: &Value) -> Value {
        let response = self
            .post_json(&contracts_path(tenant), &self.buyer_of(tenant), body)
            .await;
        json_with_status(response, StatusCode::CREATED).await
    }

    /// A POST of raw bytes with this Content-Type (none when `None`).
    pub async fn post_bytes(&self, path: &str, token: &str, content_type: Option<&str>, body: &[u8]) -> Response {
        let mut request = self.request(Method::POST, path).bearer_auth(token).body(body.to_vec());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        send(request).await
    }

    /// Sends a CSV file to the tenant's import endpoint of `kind`.
    pub async fn import_csv(&self, tenant: &str, kind: Kind, token: &str, csv: &[u8]) -> Response {
        self.post_bytes(&kind.path(tenant), token, Some("text/csv"), csv).await
    }

    /// Polls the import at `location` until it is no longer `running` (a bounded number of
    /// tries, short sleeps); returns it.
    pub async fn wait_for_import(&self, location: &str, token: &str) -> Value {
        for _ in 0..600 {
            let import = json_ok(self.get(location, token).await).await;
            if import["status"] != "running" {
                return import;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the import at {location} is still running after many polls");
    }

    /// Sends a file as the tenant's buyer, asserts 202 with a `Location`, waits for the import
    /// and asserts it completed; returns it.
    pub async fn import_completed(&self, tenant: &str, kind: Kind, csv: &str) -> Value {
        let buyer = self.buyer_of(tenant);
        let response = self.import_csv(tenant, kind, &buyer, csv.as_bytes()).await;
        let location = location(&response);
        let accepted = json_with_status(response, StatusCode::ACCEPTED).await;
        assert_eq!(
            location,
            format!("{}/{}", imports_path(tenant), accepted["id"].as_str().unwrap())
        );
        assert_eq!(accepted["kind"], kind.name());
        let done = self.wait_for_import(&location, &buyer).await;
        assert_eq!(done["status"], "completed", "{done}");
        assert_eq!(done["id"], accepted["id"]);
        done
    }

    /// Every contract in the tenant's register (as its viewer).
    pub async fn all_contracts(&self, tenant: &str) -> Vec<Value> {
        self.list_all(&contracts_path(tenant), &self.viewer_of(tenant), 200)
            .await
            .0
    }

    /// Every spend line of the tenant matching `query` (e.g. `import=...`, or empty).
    pub async fn all_spend(&self, tenant: &str, query: &str) -> Vec<Value> {
        let path = if query.is_empty() {
            spend_path(tenant)
        } else {
            format!("{}?{query}", spend_path(tenant))
        };
        self.list_all(&path, &self.viewer_of(tenant), 200).await.0
    }

    /// Every import record of the tenant.
    pub async fn all_imports(&self, tenant: &str) -> Vec<Value> {
        self.list_all(&imports_path(tenant), &self.viewer_of(tenant), 200)
            .await
            .0
    }
}
