//! `/api/v1/tenants/{slug}/kpis`

use actix_web::{get, web};

use super::compute;
use super::model::{KpiReport, PeriodParams};
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::error::responses::ReadErrors;
use crate::error::{ApiResult, Problem};
use crate::http::QueryParams;
use crate::state::AppState;

/// A tenant's KPIs
///
/// The figures forces report, over a period (by default the last complete financial year): total
/// spend; the shares of it under contract, with local suppliers (the tenant's area, and its
/// region), through collaborative arrangements and national frameworks, with SMEs and VCSEs; the
/// share of contracts let in collaboration; savings recorded against contracts. Each figure
/// comes with its definition and the numbers it was computed from. Readable by the tenant's
/// users and national roles; never another tenant's.
#[utoipa::path(
    tag = "KPIs",
    params(("slug" = String, Path, description = "The tenant's slug", example = "lancashire-constabulary"), PeriodParams),
    responses(
        (status = 200, description = "The KPIs", body = KpiReport),
        (status = 422, description = "A bad period: `from` or `to` out of range, or `to` before `from`", body = Problem, content_type = "application/problem+json"),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/kpis")]
pub async fn get_kpis(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    period: QueryParams<PeriodParams>,
) -> ApiResult<web::Json<KpiReport>> {
    let slug = slug.into_inner();
    let today = state.clock.today();
    let report = state
        .db(move |conn| {
            let (scope, _) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Read)?;
            let (from, to) = period_of(&period.parse()?, today)?;
            let (spend, contracts) = compute::load_facts(conn, &scope, from, to)?;
            Ok(compute::report(scope.slug(), from, to, &spend, &contracts))
        })
        .await?;
    Ok(web::Json(report))
}

/// The period asked for, defaulting each end to the last complete financial year's.
/// `today` is the service's (see [`crate::clock::Clock`]).
pub fn period_of(params: &PeriodParams, today: chrono::NaiveDate) -> ApiResult<(chrono::NaiveDate, chrono::NaiveDate)> {
    let (default_from, default_to) = compute::last_financial_year(today);
    let from = params.from.unwrap_or(default_from);
    let to = params.to.unwrap_or(default_to);
    let mut checks = crate::validate::Checks::new();
    checks.date("from", Some(from));
    checks.date("to", Some(to));
    checks.check(to >= from, "to", "must not be before from");
    checks.finish()?;
    Ok((from, to))
}
