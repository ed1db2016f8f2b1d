//! `/api/v1/national/...`: national buying power, strategic-supplier dependency, the expiry
//! radar and framework uptake. National roles only; a force never sees another force's figures.

use std::collections::{HashMap, HashSet};

use actix_web::{get, web};
use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use super::facts::{self, ContractScope};
use super::model::{
    CategoryExposure, ExpiryCluster, FrameworkUptake, NationalReport, RadarParams, RankedParams, StrategicDependency,
    SupplierExposure,
};
use super::reports::{self, FrameworkLots, StrategicSupplier};
use crate::auth::Principal;
use crate::db::schema::{frameworks, lots, strategic_profiles, suppliers};
use crate::error::responses::ListErrors;
use crate::error::{ApiError, ApiResult};
use crate::http::QueryParams;
use crate::kpis::handlers::period_of;
use crate::kpis::model::PeriodParams;
use crate::state::AppState;

const DEFAULT_TOP: usize = 50;
const MAX_TOP: usize = 500;

fn top(limit: Option<usize>) -> ApiResult<usize> {
    let limit = limit.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_TOP}")));
    }
    Ok(limit)
}

fn period(params: &RankedParams, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    period_of(
        &PeriodParams {
            from: params.from,
            to: params.to,
        },
        today,
    )
}

/// National spend by supplier
///
/// What all tenants together spent with each supplier in the period (by default the last
/// complete financial year), which tenants, and the contracts live with it: "one voice to the
/// market". Most spend first. National roles only.
#[utoipa::path(
    tag = "National view",
    params(RankedParams),
    responses(
        (status = 200, description = "Suppliers by national spend", body = NationalReport<SupplierExposure>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/suppliers")]
pub async fn spend_by_supplier(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<RankedParams>,
) -> ApiResult<web::Json<NationalReport<SupplierExposure>>> {
    principal.require_national()?;
    let params = params.parse()?;
    let (from, to) = period(&params, state.clock.today())?;
    let limit = top(params.limit)?;
    let mut items = state
        .db(move |conn| {
            let spend = facts::spend_groups(conn, from, to)?;
            let contracts = facts::contracts_in(conn, ContractScope::LiveIn(from, to))?;
            let strategic: HashSet<String> = suppliers::table
                .filter(suppliers::strategic.eq(true))
                .select(suppliers::id)
                .load::<String>(conn)?
                .into_iter()
                .collect();
            Ok(reports::by_supplier(&spend, &contracts, &strategic, from, to))
        })
        .await?;
    items.truncate(limit);
    Ok(web::Json(NationalReport { from, to, items }))
}

/// National spend by category
///
/// What all tenants together spent in each category in the period, how much of it through
/// national frameworks, and the contracts live in it. Most spend first. National roles only.
#[utoipa::path(
    tag = "National view",
    params(RankedParams),
    responses(
        (status = 200, description = "Categories by national spend", body = NationalReport<CategoryExposure>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/categories")]
pub async fn spend_by_category(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<RankedParams>,
) -> ApiResult<web::Json<NationalReport<CategoryExposure>>> {
    principal.require_national()?;
    let params = params.parse()?;
    let (from, to) = period(&params, state.clock.today())?;
    let limit = top(params.limit)?;
    let mut items = state
        .db(move |conn| {
            let spend = facts::spend_groups(conn, from, to)?;
            let contracts = facts::contracts_in(conn, ContractScope::LiveIn(from, to))?;
            let framework_call_offs = facts::framework_call_off_ids(conn)?;
            Ok(reports::by_category(&spend, &contracts, &framework_call_offs, from, to))
        })
        .await?;
    items.truncate(limit);
    Ok(web::Json(NationalReport { from, to, items }))
}

/// Strategic-supplier dependency
///
/// For each strategic supplier: which tenants depend on it, through which contracts (live in the
/// period), how much they spent with it, and when those contracts end. National roles only.
#[utoipa::path(
    tag = "National view",
    params(PeriodParams),
    responses(
        (status = 200, description = "Strategic suppliers and who depends on them", body = NationalReport<StrategicDependency>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/strategic-suppliers")]
pub async fn strategic_dependency(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<PeriodParams>,
) -> ApiResult<web::Json<NationalReport<StrategicDependency>>> {
    principal.require_national()?;
    let today = state.clock.today();
    let (from, to) = period_of(&params.parse()?, today)?;
    let items = state
        .db(move |conn| {
            let strategic: Vec<(String, String, Option<String>)> = suppliers::table
                .left_join(strategic_profiles::table)
                .filter(suppliers::strategic.eq(true))
                .select((
                    suppliers::id,
                    suppliers::name,
                    strategic_profiles::risk_rating.nullable(),
                ))
                .order(suppliers::name.asc())
                .load(conn)?;
            let strategic: Vec<StrategicSupplier> = strategic
                .into_iter()
                .map(|(id, name, risk_rating)| StrategicSupplier { id, name, risk_rating })
                .collect();
            let spend = facts::spend_groups(conn, from, to)?;
            let contracts = facts::contracts_in(conn, ContractScope::LiveIn(from, to))?;
            Ok(reports::strategic_dependencies(
                &strategic, &spend, &contracts, from, to, today,
            ))
        })
        .await?;
    Ok(web::Json(NationalReport { from, to, items }))
}

/// Expiry radar
///
/// Categories where contracts of several tenants end in the same window (by default from today
/// for 18 months): the signal for one aggregated national procurement. Terminated contracts are
/// left out. Most tenants first. National roles only.
#[utoipa::path(
    tag = "National view",
    params(RadarParams),
    responses(
        (status = 200, description = "Categories with contracts of several tenants ending in the window", body = NationalReport<ExpiryCluster>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/expiry-radar")]
pub async fn expiry_radar(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<RadarParams>,
) -> ApiResult<web::Json<NationalReport<ExpiryCluster>>> {
    principal.require_national()?;
    let params = params.parse()?;
    let today = state.clock.today();
    let from = params.from.unwrap_or(today);
    let to = match params.to {
        Some(to) => to,
        None => from
            .checked_add_months(Months::new(18))
            .ok_or_else(|| ApiError::invalid("from", "is too far in the future"))?,
    };
    let mut checks = crate::validate::Checks::new();
    checks.date("from", Some(from));
    checks.date("to", Some(to));
    checks.check(to >= from, "to", "must not be before from");
    checks.finish()?;
    let min_tenants = params.min_tenants.unwrap_or(2);
    if !(1..=1000).contains(&min_tenants) {
        return Err(ApiError::invalid("min_tenants", "must be between 1 and 1000"));
    }
    let items = state
        .db(move |conn| {
            let contracts = facts::contracts_in(conn, ContractScope::EndingIn(from, to))?;
            Ok(reports::expiry_radar(&contracts, from, to, min_tenants, today))
        })
        .await?;
    Ok(web::Json(NationalReport { from, to, items }))
}

/// Framework uptake
///
/// For every national framework and each of its lots: which tenants call it off (contracts live
/// in the period, or with spend in it), the call-offs' value and the spend through them. Most
/// spend first; frameworks nobody uses last. National roles only.
#[utoipa::path(
    tag = "National view",
    params(PeriodParams),
    responses(
        (status = 200, description = "Frameworks and their uptake", body = NationalReport<FrameworkUptake>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/national/framework-uptake")]
pub async fn framework_uptake(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<PeriodParams>,
) -> ApiResult<web::Json<NationalReport<FrameworkUptake>>> {
    principal.require_national()?;
    let (from, to) = period_of(&params.parse()?, state.clock.today())?;
    let items = state
        .db(move |conn| {
            let framework_rows: Vec<(String, String, String)> = frameworks::table
                .select((frameworks::id, frameworks::reference, frameworks::title))
                .order(frameworks::reference.asc())
                .load(conn)?;
            let lot_rows: Vec<(String, i32, String)> = lots::table
                .select((lots::framework_id, lots::number, lots::title))
                .order((lots::framework_id.asc(), lots::number.asc()))
                .load(conn)?;
            let mut lots_by_framework: HashMap<String, Vec<(i32, String)>> = HashMap::new();
            for (framework_id, number, title) in lot_rows {
                lots_by_framework.entry(framework_id).or_default().push((number, title));
            }
            let catalogue: Vec<FrameworkLots> = framework_rows
                .into_iter()
                .map(|(id, reference, title)| FrameworkLots {
                    lots: lots_by_framework.remove(&id).unwrap_or_default(),
                    id,
                    reference,
                    title,
                })
                .collect();
            let spend = facts::spend_groups(conn, from, to)?;
            let contracts = facts::contracts_in(conn, ContractScope::CallOffs)?;
            Ok(reports::framework_uptake(&catalogue, &spend, &contracts, from, to))
        })
        .await?;
    Ok(web::Json(NationalReport { from, to, items }))
}
