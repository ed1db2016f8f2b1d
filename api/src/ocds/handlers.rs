//! `/api/v1/tenants/{slug}/ocds/releases`

use actix_web::{get, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::export;
use super::model::{OcdsLinks, OcdsPublisher, ReleasePackage, ReleaseParams};
use super::store;
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::clock;
use crate::error::responses::ListErrors;
use crate::error::{ApiError, ApiResult};
use crate::http::{Page, QueryParams};
use crate::state::AppState;

/// Where a page of releases starts: after a procurement, or (once all procurements are done)
/// after a contract recorded without one.
enum After {
    Start,
    Procurement(String),
    Contract(String),
}

fn after(page: &Page) -> ApiResult<After> {
    match page.after.as_deref() {
        None => Ok(After::Start),
        Some(key) => match key.split_once(':') {
            Some(("p", id)) => Ok(After::Procurement(id.to_owned())),
            Some(("c", id)) => Ok(After::Contract(id.to_owned())),
            _ => Err(ApiError::invalid("cursor", "is not a cursor this API issued")),
        },
    }
}

/// A tenant's OCDS release package
///
/// The tenant's procurements, their compliance decisions, awards and contracts as an Open
/// Contracting Data Standard 1.1 release package: one release per procurement (tender, and award
/// and contract once awarded), then one per contract recorded without a procurement here.
/// Paginated: `links.next` is the next page. Readable by the tenant's users and national roles.
#[utoipa::path(
    tag = "Open data",
    params(("slug" = String, Path, description = "The tenant's slug", example = "bedfordshire-police"), ReleaseParams),
    responses(
        (status = 200, description = "An OCDS release package", body = ReleasePackage),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/ocds/releases")]
pub async fn release_package(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    params: QueryParams<ReleaseParams>,
) -> ApiResult<web::Json<ReleasePackage>> {
    let params = params.0;
    let page = Page::new(params.limit, params.cursor.as_deref())?;
    let start = after(&page)?;
    let slug = slug.into_inner();
    let today = clock::today();
    let limit = page.limit;
    let (releases, next_key, tenant_slug) = state
        .db(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let fetch = page.fetch_limit();
            let mut keyed = Vec::new();
            if !matches!(start, After::Contract(_)) {
                let after_id = match &start {
                    After::Procurement(id) => Some(id.as_str()),
                    _ => None,
                };
                let rows = store::procurements_after(conn, &scope, after_id, fetch)?;
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let contracts = store::contracts_of(conn, &scope, &ids)?;
                let decisions = store::latest_decisions(conn, &scope, &ids)?;
                let names = store::category_names(conn)?;
                for row in &rows {
                    let release = export::procurement_release(
                        &tenant,
                        row,
                        decisions.get(&row.id),
                        contracts.get(&row.id),
                        names.get(&row.category_slug).map(String::as_str),
                        today,
                    )?;
                    keyed.push((format!("p:{}", row.id), release));
                }
            }
            let remaining = fetch - keyed.len() as i64;
            if remaining > 0 {
                let after_id = match &start {
                    After::Contract(id) => Some(id.as_str()),
                    _ => None,
                };
                for row in store::standalone_contracts_after(conn, &scope, after_id, remaining)? {
                    keyed.push((format!("c:{}", row.id), export::contract_release(&tenant, &row, today)));
                }
            }
            let next_key = if keyed.len() as i64 > page.limit {
                keyed.truncate(page.limit as usize);
                keyed.last().map(|(key, _)| key.clone())
            } else {
                None
            };
            let releases = keyed.into_iter().map(|(_, release)| release).collect();
            Ok((releases, next_key, scope.slug().to_owned()))
        })
        .await?;
    let base = format!("/api/v1/tenants/{tenant_slug}/ocds/releases");
    let next = next_key.map(|key| format!("{base}?limit={limit}&cursor={}", URL_SAFE_NO_PAD.encode(key)));
    Ok(web::Json(ReleasePackage {
        uri: base,
        version: "1.1".to_owned(),
        published_date: chrono::Utc::now().to_rfc3339(),
        publisher: OcdsPublisher {
            name: "BlueLight Commercial category-management API".to_owned(),
        },
        releases,
        links: OcdsLinks { next },
    }))
}
