//! Who is calling and what they may do.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The roles this service knows. Any other role in a token is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// BlueLight Commercial: writes national data.
    NationalAdmin,
    /// Reads everything national, across tenants.
    NationalViewer,
    /// Administers one tenant (its rules, its users' data).
    TenantAdmin,
    /// Buys for one tenant.
    Buyer,
    /// Reads one tenant's data.
    Viewer,
    /// A supplier's own staff (needs the `supplier` claim).
    Supplier,
}

impl Role {
    pub fn parse(name: &str) -> Option<Role> {
        Some(match name {
            "national_admin" => Role::NationalAdmin,
            "national_viewer" => Role::NationalViewer,
            "tenant_admin" => Role::TenantAdmin,
            "buyer" => Role::Buyer,
            "viewer" => Role::Viewer,
            "supplier" => Role::Supplier,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::NationalAdmin => "national_admin",
            Role::NationalViewer => "national_viewer",
            Role::TenantAdmin => "tenant_admin",
            Role::Buyer => "buyer",
            Role::Viewer => "viewer",
            Role::Supplier => "supplier",
        }
    }

    fn is_tenant_role(self) -> bool {
        matches!(self, Role::TenantAdmin | Role::Buyer | Role::Viewer)
    }
}

/// An authenticated caller with at least one role this service recognises.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    pub roles: Vec<Role>,
    /// The tenant's slug, for tenant roles.
    pub tenant: Option<String>,
    /// The supplier's id, for the supplier role.
    pub supplier: Option<String>,
}

impl Principal {
    /// Keeps only the roles that make sense with the claims present: a tenant role needs a
    /// `tenant` claim and the supplier role a `supplier` claim.
    pub fn from_claims(
        subject: String,
        role_names: &[String],
        tenant: Option<String>,
        supplier: Option<String>,
    ) -> ApiResult<Principal> {
        let tenant = tenant.filter(|t| !t.is_empty());
        let supplier = supplier.filter(|s| !s.is_empty());
        let mut roles: Vec<Role> = role_names
            .iter()
            .filter_map(|name| Role::parse(name))
            .filter(|role| !role.is_tenant_role() || tenant.is_some())
            .filter(|role| *role != Role::Supplier || supplier.is_some())
            .collect();
        roles.sort_by_key(|r| r.as_str());
        roles.dedup();
        if roles.is_empty() {
            return Err(ApiError::Forbidden(
                "the token carries no role this service recognises (tenant roles need a `tenant` \
                 claim, the supplier role a `supplier` claim)"
                    .into(),
            ));
        }
        Ok(Principal {
            subject,
            roles,
            tenant,
            supplier,
        })
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_national(&self) -> bool {
        self.has(Role::NationalAdmin) || self.has(Role::NationalViewer)
    }

    /// The national view across tenants is for the national team only: a force never sees
    /// another force's figures through it.
    pub fn require_national(&self) -> ApiResult<()> {
        if self.is_national() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "the national view across tenants is for national roles (national_admin, national_viewer) only".into(),
            ))
        }
    }

    pub fn require_national_admin(&self) -> ApiResult<()> {
        if self.has(Role::NationalAdmin) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only the national_admin role may change national data".into(),
            ))
        }
    }

    /// The tenant a tenant-role caller acts for, if any.
    pub fn acting_tenant(&self) -> Option<&str> {
        if self.roles.iter().any(|r| r.is_tenant_role()) {
            self.tenant.as_deref()
        } else {
            None
        }
    }

    /// The supplier whose staff are calling, if any.
    pub fn acting_supplier(&self) -> Option<&str> {
        if self.has(Role::Supplier) {
            self.supplier.as_deref()
        } else {
            None
        }
    }

    /// Whether the caller may see the national team's management data about suppliers (risk,
    /// KPIs, contingency plans): national roles and forces may; a supplier sees only its own.
    pub fn may_see_supplier_management(&self, supplier_id: &str) -> bool {
        self.is_national() || self.acting_tenant().is_some() || self.acting_supplier() == Some(supplier_id)
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("app state missing")))?;
            let token = match header {
                None => return Err(ApiError::Unauthorized("a bearer token is required".into())),
                Some(Err(_)) => {
                    return Err(ApiError::Unauthorized(
                        "the Authorization header is not valid text".into(),
                    ));
                }
                Some(Ok(value)) => bearer_token(&value)?.to_owned(),
            };
            state.verifier.verify(&token).await
        })
    }
}

fn bearer_token(header_value: &str) -> ApiResult<&str> {
    let (scheme, token) = header_value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".into(),
        ));
    }
    Ok(token.trim())
}
