//! Access to one tenant's own data (procurements, rule plugins, decisions).
//!
//! Every query on tenant data takes a `TenantScope`, and the only way to get one is `authorize`,
//! which checks the caller's roles against the tenant in the path and that the tenant exists.
//! Store functions filter by the scope's slug, so a record of another tenant is simply not found,
//! whatever id or path a caller tries.

use crate::auth::{Principal, Role};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::tenants::{model::TenantRow, store as tenants};

/// What the caller wants to do with the tenant's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantAccess {
    /// Read procurements, decisions and plugin versions: any user of the tenant, national roles.
    Read,
    /// Create and change procurements and ask for evaluations: buyers and tenant admins.
    Buy,
    /// Upload, activate and backtest rule plugins: tenant admins.
    Administer,
}

/// Proof that the caller may act on this tenant's data in the way it asked. Not constructible
/// outside this module except through `authorize`.
#[derive(Debug, Clone)]
pub struct TenantScope {
    slug: String,
}

impl TenantScope {
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// Checks the caller's roles, then that the tenant exists; returns the scope and the tenant.
    /// National admins may do anything for any tenant, national viewers read any tenant; a tenant
    /// user acts only for the tenant in its token.
    pub fn authorize(
        conn: &mut DbConnection,
        principal: &Principal,
        slug: &str,
        access: TenantAccess,
    ) -> ApiResult<(TenantScope, TenantRow)> {
        check_roles(principal, slug, access)?;
        let tenant = tenants::get(conn, slug)?;
        Ok((
            TenantScope {
                slug: tenant.slug.clone(),
            },
            tenant,
        ))
    }

    /// A scope for work the service does for a tenant itself (loading demo data), not for a caller.
    pub(crate) fn for_system(slug: &str) -> TenantScope {
        TenantScope { slug: slug.to_owned() }
    }
}

fn check_roles(principal: &Principal, slug: &str, access: TenantAccess) -> ApiResult<()> {
    if principal.has(Role::NationalAdmin) {
        return Ok(());
    }
    if access == TenantAccess::Read && principal.has(Role::NationalViewer) {
        return Ok(());
    }
    match principal.acting_tenant() {
        Some(own) if own == slug => {}
        Some(_) => {
            return Err(ApiError::Forbidden(format!(
                "your token is for another tenant; you may not act on '{slug}'"
            )));
        }
        None => {
            return Err(ApiError::Forbidden(
                "this is a tenant's own data: it needs a tenant role for that tenant, or a national role".into(),
            ));
        }
    }
    let allowed = match access {
        TenantAccess::Read => true,
        TenantAccess::Buy => principal.has(Role::Buyer) || principal.has(Role::TenantAdmin),
        TenantAccess::Administer => principal.has(Role::TenantAdmin),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(match access {
            TenantAccess::Administer => "only the tenant's tenant_admin (or a national_admin) may do this".into(),
            _ => "only the tenant's buyers and tenant admins (or a national_admin) may do this".into(),
        }))
    }
}
