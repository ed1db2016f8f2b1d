//! Procurement queries. Every function takes the caller's `TenantScope` and filters by it, so a
//! procurement of another tenant is never found, read or changed.

use std::collections::HashMap;

use diesel::prelude::*;

use super::act_fields;
use super::model::{NewProcurement, ProcurementFilter, ProcurementRow, Quote};
use crate::area::Area;
use crate::auth::{Principal, TenantScope};
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{categories, lots, procurements, suppliers};
use crate::error::{ApiError, ApiResult};
use crate::http::Page;
use crate::tenants::model::TenantRow;
use crate::text_search::{contains_pattern, lower};
use crate::validate::Checks;

pub fn list(
    conn: &mut DbConnection,
    scope: &TenantScope,
    filter: &ProcurementFilter,
    page: &Page,
) -> QueryResult<Vec<ProcurementRow>> {
    let mut query = procurements::table
        .filter(procurements::tenant_slug.eq(scope.slug().to_owned()))
        .select(ProcurementRow::as_select())
        .order(procurements::id.asc())
        .into_boxed();
    if let Some(pattern) = contains_pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(procurements::reference)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(procurements::title).like(pattern).escape('\\')),
        );
    }
    if let Some(route) = filter.route {
        query = query.filter(procurements::route.eq(route.as_str()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(procurements::category_slug.eq(category.clone()));
    }
    match filter.outcome.as_deref() {
        None => {}
        Some("unevaluated") => query = query.filter(procurements::last_outcome.is_null()),
        Some(outcome) => query = query.filter(procurements::last_outcome.eq(outcome.to_owned())),
    }
    if let Some(after) = &page.after {
        query = query.filter(procurements::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> ApiResult<ProcurementRow> {
    procurements::table
        .filter(procurements::tenant_slug.eq(scope.slug()))
        .filter(procurements::id.eq(id))
        .select(ProcurementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("procurement '{id}'")))
}

/// Locks the procurement's row until the transaction ends, so that two requests acting on it at
/// once (two awards) run one after the other and the second sees what the first did. SQLite's
/// writes are already one at a time (the app's write lock).
pub fn lock(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> ApiResult<()> {
    if let Some(pg) = conn.postgres() {
        procurements::table
            .filter(procurements::tenant_slug.eq(scope.slug()))
            .filter(procurements::id.eq(id))
            .select(procurements::id)
            .for_update()
            .first::<String>(pg)
            .optional()?;
    }
    Ok(())
}

/// Every procurement of the tenant, oldest first, for backtests.
pub fn all(conn: &mut DbConnection, scope: &TenantScope) -> QueryResult<Vec<ProcurementRow>> {
    procurements::table
        .filter(procurements::tenant_slug.eq(scope.slug()))
        .select(ProcurementRow::as_select())
        .order(procurements::id.asc())
        .load(conn)
}

/// Validates `input` as a whole (fields, then the national records it names) and resolves its
/// quotes' suppliers. Every field at fault is reported at once.
pub fn resolve(conn: &mut DbConnection, tenant: &TenantRow, input: &NewProcurement) -> ApiResult<Vec<Quote>> {
    let mut checks = Checks::new();
    input.check_fields(&mut checks);
    let category_exists = categories::table
        .find(&input.category)
        .select(categories::slug)
        .first::<String>(conn)
        .optional()?
        .is_some();
    checks.check(category_exists, "category", "no category has this slug");
    if let (Some(framework_id), Some(lot_number)) = (&input.framework_id, input.lot_number) {
        let lot_exists = lots::table
            .filter(lots::framework_id.eq(framework_id))
            .filter(lots::number.eq(lot_number as i32))
            .select(lots::id)
            .first::<String>(conn)
            .optional()?
            .is_some();
        checks.check(
            lot_exists,
            "lot_number",
            "the framework has no such lot (or there is no such framework)",
        );
    }
    let known = known_suppliers(conn, input)?;
    let tenant_area = tenant.area().transpose()?;
    let mut quotes = Vec::with_capacity(input.quotes.len());
    for (i, quote) in input.quotes.iter().enumerate() {
        let resolved = match &quote.supplier_id {
            Some(id) => match known.get(id) {
                Some((name, sme, vcse, based_in)) => Quote {
                    supplier_id: Some(id.clone()),
                    supplier_name: name.clone(),
                    amount: quote.amount,
                    // Local is based in the tenant's area, not merely delivering there.
                    local: quote
                        .local
                        .unwrap_or_else(|| based_in.is_some() && *based_in == tenant_area),
                    sme: *sme,
                    vcse: *vcse,
                },
                None => {
                    checks.fail(format!("quotes[{i}].supplier_id"), "no supplier has this id");
                    continue;
                }
            },
            None => Quote {
                supplier_id: None,
                supplier_name: quote.supplier_name.clone().unwrap_or_default().trim().to_owned(),
                amount: quote.amount,
                local: quote.local.unwrap_or(false),
                sme: quote.sme.unwrap_or(false),
                vcse: quote.vcse.unwrap_or(false),
            },
        };
        quotes.push(resolved);
    }
    checks.finish()?;
    Ok(quotes)
}

/// Name, SME, VCSE and the area it is based in.
type KnownSupplier = (String, bool, bool, Option<Area>);

fn known_suppliers(conn: &mut DbConnection, input: &NewProcurement) -> ApiResult<HashMap<String, KnownSupplier>> {
    let ids: Vec<&str> = input.quotes.iter().filter_map(|q| q.supplier_id.as_deref()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, bool, bool, Option<String>)> = suppliers::table
        .filter(suppliers::id.eq_any(&ids))
        .select((
            suppliers::id,
            suppliers::name,
            suppliers::sme,
            suppliers::vcse,
            suppliers::based_in,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, name, sme, vcse, based_in)| {
            let based_in = based_in.as_deref().map(Area::from_db).transpose()?;
            Ok((id, (name, sme, vcse, based_in)))
        })
        .collect()
}

/// The row for a validated procurement; `existing` keeps identity and history on an update.
pub fn to_row(
    scope: &TenantScope,
    input: NewProcurement,
    quotes: Vec<Quote>,
    principal: &Principal,
    existing: Option<&ProcurementRow>,
) -> ApiResult<ProcurementRow> {
    let now = clock::now();
    let act = act_fields::to_stored(&input)?;
    let weight = |pick: fn(&super::model::WeightingsInput) -> u32| input.weightings.as_ref().map(|w| pick(w) as i32);
    Ok(ProcurementRow {
        id: existing.map_or_else(clock::new_id, |e| e.id.clone()),
        tenant_slug: scope.slug().to_owned(),
        weight_price_bp: weight(|w| w.price.basis_points()),
        weight_quality_bp: weight(|w| w.quality.basis_points()),
        weight_social_value_bp: weight(|w| w.social_value.basis_points()),
        reference: input.reference.trim().to_owned(),
        title: input.title.trim().to_owned(),
        value_pence: input.value.pence(),
        vat: input.vat.as_str().to_owned(),
        contract_type: input.contract_type.as_str().to_owned(),
        category_slug: input.category,
        route: input.route.as_str().to_owned(),
        quotes: serde_json::to_string(&quotes).map_err(|e| ApiError::Internal(e.into()))?,
        social_value_relevant: input.social_value_relevant,
        framework_id: input.framework_id,
        lot_number: input.lot_number.map(|n| n as i32),
        published: input.published,
        market_engagement_evidence: input.market_engagement_evidence,
        // A changed procurement has not been evaluated as it now stands.
        last_outcome: None,
        version: existing.map_or(1, |e| e.version + 1),
        created_by: existing.map_or_else(|| principal.subject.clone(), |e| e.created_by.clone()),
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
        act_procedure: act.act_procedure,
        direct_award: act.direct_award,
        notices: act.notices,
        conflicts_assessed: act.conflicts_assessed,
        kpis_set: act.kpis_set,
        light_touch: act.light_touch,
        approvals: act.approvals,
        single_tender_justification: act.single_tender_justification,
    })
}

fn reference_taken(
    conn: &mut DbConnection,
    scope: &TenantScope,
    reference: &str,
    except_id: &str,
) -> QueryResult<bool> {
    Ok(procurements::table
        .filter(procurements::tenant_slug.eq(scope.slug()))
        .filter(procurements::reference.eq(reference))
        .filter(procurements::id.ne(except_id))
        .select(procurements::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

pub fn insert(conn: &mut DbConnection, scope: &TenantScope, row: &ProcurementRow) -> ApiResult<()> {
    if reference_taken(conn, scope, &row.reference, &row.id)? {
        return Err(ApiError::conflict(
            "procurement_reference_exists",
            format!(
                "this tenant already has a procurement with reference '{}'",
                row.reference
            ),
        ));
    }
    diesel::insert_into(procurements::table).values(row).execute(conn)?;
    Ok(())
}

/// Replaces the procurement if it is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    scope: &TenantScope,
    expected_version: i64,
    row: &ProcurementRow,
) -> ApiResult<()> {
    if reference_taken(conn, scope, &row.reference, &row.id)? {
        return Err(ApiError::conflict(
            "procurement_reference_exists",
            format!(
                "this tenant already has a procurement with reference '{}'",
                row.reference
            ),
        ));
    }
    let updated = diesel::update(
        procurements::table
            .filter(procurements::tenant_slug.eq(scope.slug()))
            .filter(procurements::id.eq(&row.id))
            .filter(procurements::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    if updated == 0 {
        get(conn, scope, &row.id)?;
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

/// Records the outcome of the latest evaluation on the procurement (not a change of its content,
/// so its version and ETag stay as they are).
pub fn set_last_outcome(conn: &mut DbConnection, scope: &TenantScope, id: &str, outcome: &str) -> QueryResult<()> {
    diesel::update(
        procurements::table
            .filter(procurements::tenant_slug.eq(scope.slug()))
            .filter(procurements::id.eq(id)),
    )
    .set(procurements::last_outcome.eq(outcome))
    .execute(conn)?;
    Ok(())
}
