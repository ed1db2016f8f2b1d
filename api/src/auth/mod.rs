//! Authentication (bearer JWTs) and the principal every handler receives.

mod jwks;
mod principal;
mod tenant_scope;
mod token;

pub use jwks::JwksCache;
pub use principal::{Principal, Role};
pub use tenant_scope::{TenantAccess, TenantScope};
pub use token::{Claims, Verifier, mint_token};
