//! `/api/v1/tenants/{slug}/spend`

use actix_web::{get, web};

use super::model::{SpendFilter, SpendLine};
use super::store;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::error::ApiResult;
use crate::error::responses::ListErrors;
use crate::http::{Page, Paged, QueryParams};
use crate::state::AppState;

/// List a tenant's spend
///
/// Payments in the order they were imported. Readable by the tenant's users and national roles.
/// Spend is added by importing spend files (`POST /tenants/{slug}/spend-imports`).
#[utoipa::path(
    tag = "Spend",
    params(("slug" = String, Path, description = "The tenant's slug", example = "lancashire-constabulary"), SpendFilter),
    responses(
        (status = 200, description = "A page of spend lines", body = Paged<SpendLine>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/spend")]
pub async fn list_spend(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    filter: QueryParams<SpendFilter>,
) -> ApiResult<web::Json<Paged<SpendLine>>> {
    let slug = slug.into_inner();
    let (rows, page) = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let filter = filter.parse()?;
            let page = Page::new(filter.limit, filter.cursor.as_deref())?;
            let mut checks = crate::validate::Checks::new();
            checks.date("from", filter.from);
            checks.date("to", filter.to);
            checks.finish()?;
            Ok((store::list(conn, &scope, &filter, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| row.into_api())?))
}
