//! Contract queries. Every function takes the caller's `TenantScope` and filters by it, so a
//! contract of another tenant is never found, read or changed.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{Arrangement, ContractFilter, ContractRow, ContractStatus, NewContract};
use crate::auth::{Principal, TenantScope};
use crate::categories::model::CategoryTree;
use crate::categories::store as categories;
use crate::clock;
use crate::db::schema::{contracts, frameworks, lot_suppliers, lots, procurements, spend_lines};
use crate::db::{self, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::frameworks::model::Eligibility;
use crate::http::Page;
use crate::suppliers::directory::{
    ResolvedSupplier, SupplierDirectory, SupplierLocality, SupplierReference, TenantPlace,
};
use crate::tenants::model::{TenantKind, TenantRow};
use crate::text_search::{contains_pattern, lower};
use crate::validate::Checks;

/// What resolving contracts needs from the national records, loaded once for a request or an
/// import.
pub struct ContractContext {
    pub categories: CategoryTree,
    pub suppliers: SupplierDirectory,
    pub tenant_place: TenantPlace,
    pub tenant_kind: TenantKind,
    /// The service's today: a contract may not be terminated after it.
    pub today: NaiveDate,
}

impl ContractContext {
    /// For one contract: only the suppliers it could name.
    pub fn for_one(
        conn: &mut DbConnection,
        tenant: &TenantRow,
        input: &NewContract,
        today: NaiveDate,
    ) -> ApiResult<ContractContext> {
        let suppliers = SupplierDirectory::load_for(conn, &supplier_reference(input))?;
        ContractContext::with_suppliers(conn, tenant, suppliers, today)
    }

    /// For an import of many: every supplier.
    pub fn for_many(conn: &mut DbConnection, tenant: &TenantRow, today: NaiveDate) -> ApiResult<ContractContext> {
        let suppliers = SupplierDirectory::load_all(conn)?;
        ContractContext::with_suppliers(conn, tenant, suppliers, today)
    }

    fn with_suppliers(
        conn: &mut DbConnection,
        tenant: &TenantRow,
        suppliers: SupplierDirectory,
        today: NaiveDate,
    ) -> ApiResult<ContractContext> {
        Ok(ContractContext {
            categories: categories::tree(conn)?,
            suppliers,
            tenant_place: TenantPlace::of(tenant)?,
            tenant_kind: TenantKind::from_db(&tenant.kind)?,
            today,
        })
    }
}

fn supplier_reference(input: &NewContract) -> SupplierReference<'_> {
    SupplierReference {
        id: input.supplier_id.as_deref(),
        name: input.supplier_name.as_deref(),
        locality: input.supplier_locality,
        sme: input.sme,
        vcse: input.vcse,
    }
}

/// Validates `input` as a whole (its fields, then the national records and the procurement it
/// names) and resolves its supplier. Every field at fault is reported at once.
///
/// On an update, `previous` is the contract as it stands: a call-off is checked against its lot
/// only when the framework, lot or supplier changes (an award that has since lapsed does not stop
/// the contract being terminated), and a procurement link only when it changes.
pub fn resolve(
    conn: &mut DbConnection,
    scope: &TenantScope,
    context: &ContractContext,
    input: &NewContract,
    previous: Option<&ContractRow>,
) -> ApiResult<ResolvedSupplier> {
    let mut checks = Checks::new();
    input.check_fields(&mut checks, context.today);
    checks.check(
        context.categories.contains(&input.category),
        "category",
        "no category has this slug",
    );
    let supplier = match context
        .suppliers
        .resolve(&supplier_reference(input), context.tenant_place)
    {
        Ok(supplier) => Some(supplier),
        Err((field, message)) => {
            checks.fail(field, message);
            None
        }
    };
    let call_off_changed = previous.is_none_or(|p| {
        p.framework_id != input.framework_id
            || p.lot_number != input.lot_number.map(|n| n as i32)
            || supplier
                .as_ref()
                .is_some_and(|s| s.id != p.supplier_id || s.name != p.supplier_name)
    });
    if let (Arrangement::NationalFramework, Some(framework_id), Some(lot_number), true) = (
        input.arrangement,
        &input.framework_id,
        input.lot_number,
        call_off_changed,
    ) {
        check_call_off(conn, context, framework_id, lot_number, supplier.as_ref(), &mut checks)?;
    }
    let link_changed = previous.is_none_or(|p| p.procurement_id != input.procurement_id);
    if let (Some(procurement_id), true) = (&input.procurement_id, link_changed) {
        let outcome = procurements::table
            .filter(procurements::tenant_slug.eq(scope.slug()))
            .filter(procurements::id.eq(procurement_id))
            .select(procurements::last_outcome)
            .first::<Option<String>>(conn)
            .optional()?;
        match outcome {
            None => checks.fail("procurement_id", "this tenant has no procurement with this id"),
            Some(outcome) => checks.check(
                outcome.as_deref() == Some("compliant"),
                "procurement_id",
                "a contract comes from a procurement whose latest evaluation is compliant; award it with POST /procurements/{id}/award",
            ),
        }
    }
    checks.finish()?;
    supplier.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("supplier unresolved without a field error")))
}

/// A call-off names a lot that exists, of a framework open to the tenant's kind of service, with
/// the supplier awarded on it.
fn check_call_off(
    conn: &mut DbConnection,
    context: &ContractContext,
    framework_id: &str,
    lot_number: u32,
    supplier: Option<&ResolvedSupplier>,
    checks: &mut Checks,
) -> ApiResult<()> {
    let framework = frameworks::table
        .find(framework_id)
        .select(frameworks::eligibility)
        .first::<String>(conn)
        .optional()?;
    let Some(eligibility) = framework else {
        checks.fail("framework_id", "no framework has this id");
        return Ok(());
    };
    if !Eligibility::from_db(&eligibility)?.open_to(context.tenant_kind) {
        checks.fail(
            "framework_id",
            format!(
                "this framework is open to {eligibility} only, not to a {} tenant",
                context.tenant_kind
            ),
        );
    }
    let lot_id = lots::table
        .filter(lots::framework_id.eq(framework_id))
        .filter(lots::number.eq(lot_number as i32))
        .select(lots::id)
        .first::<String>(conn)
        .optional()?;
    let Some(lot_id) = lot_id else {
        checks.fail("lot_number", "the framework has no lot with this number");
        return Ok(());
    };
    if let Some(supplier) = supplier {
        let awarded = match &supplier.id {
            Some(supplier_id) => lot_suppliers::table
                .filter(lot_suppliers::lot_id.eq(&lot_id))
                .filter(lot_suppliers::supplier_id.eq(supplier_id))
                .select(lot_suppliers::status)
                .first::<String>(conn)
                .optional()?,
            None => None,
        };
        match awarded.as_deref() {
            Some("active") => {}
            Some(status) => checks.fail(
                "supplier_id",
                format!("the supplier's award on this lot is {status}; it cannot be called off"),
            ),
            None => checks.fail(
                "supplier_id",
                "the supplier is not awarded on this lot; a call-off is with one of the lot's suppliers",
            ),
        }
    }
    Ok(())
}

/// The row for a validated contract; `existing` keeps identity and history on an update.
pub fn to_row(
    scope: &TenantScope,
    input: NewContract,
    supplier: ResolvedSupplier,
    principal: &Principal,
    import_id: Option<&str>,
    existing: Option<&ContractRow>,
) -> ApiResult<ContractRow> {
    let now = clock::now();
    Ok(ContractRow {
        id: existing.map_or_else(clock::new_id, |e| e.id.clone()),
        tenant_slug: scope.slug().to_owned(),
        reference: input.reference.trim().to_owned(),
        title: input.title.trim().to_owned(),
        supplier_id: supplier.id,
        supplier_name: supplier.name,
        supplier_locality: supplier.locality.as_str().to_owned(),
        supplier_sme: supplier.sme,
        supplier_vcse: supplier.vcse,
        category_slug: input.category,
        value_pence: input.value.pence(),
        start_date: input.start_date,
        end_date: input.end_date,
        extension_options: input.extension_options.map(|t| t.trim().to_owned()),
        max_end_date: input.max_end_date,
        arrangement: input.arrangement.as_str().to_owned(),
        framework_id: input.framework_id,
        lot_number: input.lot_number.map(|n| n as i32),
        collaborative_partners: to_json(&input.collaborative_partners)?,
        procurement_id: input.procurement_id,
        contract_manager: input.contract_manager.map(|t| t.trim().to_owned()),
        kpis: to_json(&input.kpis)?,
        savings_pence: input.savings.pence(),
        terminated_on: input.terminated_on,
        import_id: existing.map_or_else(|| import_id.map(str::to_owned), |e| e.import_id.clone()),
        version: existing.map_or(1, |e| e.version + 1),
        created_by: existing.map_or_else(|| principal.subject.clone(), |e| e.created_by.clone()),
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
    })
}

/// Serialising our own plain types cannot fail in practice; if it does, it is our bug.
fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TenantScope,
    filter: &ContractFilter,
    categories: Option<Vec<String>>,
    page: &Page,
    today: NaiveDate,
) -> QueryResult<Vec<ContractRow>> {
    let mut query = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug().to_owned()))
        .select(ContractRow::as_select())
        .order(contracts::id.asc())
        .into_boxed();
    if let Some(pattern) = contains_pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(contracts::reference)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(contracts::title).like(pattern.clone()).escape('\\'))
                .or(lower(contracts::supplier_name).like(pattern).escape('\\')),
        );
    }
    if let Some(before) = filter.expires_before {
        query = query.filter(contracts::end_date.lt(before));
    }
    if let Some(supplier) = &filter.supplier {
        query = query.filter(contracts::supplier_id.eq(supplier.clone()));
    }
    if let Some(categories) = categories {
        query = query.filter(contracts::category_slug.eq_any(categories));
    }
    if let Some(framework) = &filter.framework {
        query = query.filter(contracts::framework_id.eq(framework.clone()));
    }
    if let Some(arrangement) = filter.arrangement {
        query = query.filter(contracts::arrangement.eq(arrangement.as_str()));
    }
    // The same rule as ContractStatus::on, in SQL.
    match filter.status {
        Some(ContractStatus::Terminated) => query = query.filter(contracts::terminated_on.is_not_null()),
        Some(ContractStatus::Expired) => {
            query = query
                .filter(contracts::terminated_on.is_null())
                .filter(contracts::end_date.lt(today))
        }
        Some(ContractStatus::Pipeline) => {
            query = query
                .filter(contracts::terminated_on.is_null())
                .filter(contracts::end_date.ge(today))
                .filter(contracts::start_date.gt(today))
        }
        Some(ContractStatus::Active) => {
            query = query
                .filter(contracts::terminated_on.is_null())
                .filter(contracts::end_date.ge(today))
                .filter(contracts::start_date.le(today))
        }
        None => {}
    }
    if let Some(after) = &page.after {
        query = query.filter(contracts::id.gt(after.clone()));
    }
    query.limit(page.fetch_limit()).load(conn)
}

pub fn get(conn: &mut DbConnection, scope: &TenantScope, id: &str) -> ApiResult<ContractRow> {
    contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .filter(contracts::id.eq(id))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("contract '{id}'")))
}

/// What a spend line takes from the contract it was paid under.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    pub id: String,
    pub category_slug: String,
    pub locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
}

/// The tenant's whole register by reference, for linking spend to contracts.
pub fn register_by_reference(
    conn: &mut DbConnection,
    scope: &TenantScope,
) -> ApiResult<HashMap<String, RegisterEntry>> {
    let rows: Vec<(String, String, String, String, bool, bool)> = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .select((
            contracts::reference,
            contracts::id,
            contracts::category_slug,
            contracts::supplier_locality,
            contracts::supplier_sme,
            contracts::supplier_vcse,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(reference, id, category_slug, locality, sme, vcse)| {
            Ok((
                reference,
                RegisterEntry {
                    id,
                    category_slug,
                    locality: SupplierLocality::from_db(&locality)?,
                    sme,
                    vcse,
                },
            ))
        })
        .collect()
}

/// The tenant's contract with this reference, if any.
pub fn find_by_reference(
    conn: &mut DbConnection,
    scope: &TenantScope,
    reference: &str,
) -> QueryResult<Option<ContractRow>> {
    contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .filter(contracts::reference.eq(reference))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()
}

/// The contract awarded from a procurement, if there is one.
pub fn find_by_procurement(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement_id: &str,
) -> QueryResult<Option<ContractRow>> {
    contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .filter(contracts::procurement_id.eq(procurement_id))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()
}

fn check_unique(conn: &mut DbConnection, scope: &TenantScope, row: &ContractRow) -> ApiResult<()> {
    if let Some(other) = find_by_reference(conn, scope, &row.reference)?
        && other.id != row.id
    {
        return Err(ApiError::conflict(
            "contract_reference_exists",
            format!("this tenant already has a contract with reference '{}'", row.reference),
        ));
    }
    if let Some(procurement_id) = &row.procurement_id
        && let Some(other) = find_by_procurement(conn, scope, procurement_id)?
        && other.id != row.id
    {
        return Err(ApiError::conflict(
            "procurement_has_contract",
            format!(
                "procurement '{procurement_id}' already has contract '{}' ({})",
                other.reference, other.id
            ),
        ));
    }
    Ok(())
}

pub fn insert(conn: &mut DbConnection, scope: &TenantScope, row: &ContractRow) -> ApiResult<()> {
    check_unique(conn, scope, row)?;
    diesel::insert_into(contracts::table).values(row).execute(conn)?;
    Ok(())
}

/// Rows a multi-row insert writes at once: 29 columns each, within both databases' limits on
/// bound values.
pub const INSERT_BATCH: usize = 500;

/// Writes up to [`INSERT_BATCH`] validated rows (`COPY` on PostgreSQL; see [`db::bulk_insert`]).
pub fn insert_batch(conn: &mut DbConnection, rows: &[ContractRow]) -> QueryResult<()> {
    db::bulk_insert!(conn, contracts::table, rows)?;
    Ok(())
}

/// Replaces the contract if it is still at `expected_version`.
pub fn update(conn: &mut DbConnection, scope: &TenantScope, expected_version: i64, row: &ContractRow) -> ApiResult<()> {
    check_unique(conn, scope, row)?;
    let updated = diesel::update(
        contracts::table
            .filter(contracts::tenant_slug.eq(scope.slug()))
            .filter(contracts::id.eq(&row.id))
            .filter(contracts::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    if updated == 0 {
        get(conn, scope, &row.id)?;
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

/// Deletes the contract if it is still at `expected_version` and no spend is recorded against
/// it (the spend would lose the contract it was under).
pub fn delete(conn: &mut DbConnection, scope: &TenantScope, id: &str, expected_version: i64) -> ApiResult<ContractRow> {
    let current = get(conn, scope, id)?;
    if current.version != expected_version {
        return Err(ApiError::PreconditionFailed);
    }
    let spend: i64 = spend_lines::table
        .filter(spend_lines::tenant_slug.eq(scope.slug()))
        .filter(spend_lines::contract_id.eq(id))
        .count()
        .get_result(conn)?;
    if spend > 0 {
        return Err(ApiError::conflict(
            "contract_has_spend",
            format!(
                "{spend} spend lines are recorded against this contract; it cannot be deleted (terminate it instead)"
            ),
        ));
    }
    diesel::delete(
        contracts::table
            .filter(contracts::tenant_slug.eq(scope.slug()))
            .filter(contracts::id.eq(id))
            .filter(contracts::version.eq(expected_version)),
    )
    .execute(conn)?;
    Ok(current)
}
