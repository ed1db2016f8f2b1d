//! `POST /api/v1/tenants/{slug}/procurements/{id}/award`: from a compliant decision to the register.

use actix_web::{post, web};
use serde_json::json;

use super::handlers::{create, created};
use super::model::{Arrangement, AwardContract, Contract, NewContract};
use super::store::{self, ContractContext};
use crate::auth::{Principal, TenantAccess, TenantScope};
use crate::db::DbConnection;
use crate::decisions::model::DecisionRow;
use crate::decisions::store as decisions;
use crate::error::responses::CreateErrors;
use crate::error::{ApiError, ApiResult, Problem};
use crate::frameworks::model::FrameworkStatus;
use crate::http::{ETagged, JsonBody};
use crate::idempotency::IdempotencyKeyHeader;
use crate::procurements::model::ProcurementRow;
use crate::procurements::store as procurements;
use crate::state::AppState;
use crate::validate::Checks;

/// Award a contract from a procurement
///
/// One step from an evaluated procurement to the register: the latest recorded decision about the
/// procurement as it now stands (its current version) must be compliant (409
/// `procurement_not_compliant` otherwise, or `procurement_not_evaluated` when no decision judged
/// this version),
/// a call-off's framework must be live today (409 `framework_not_live`), and a procurement has
/// at most one contract (409 `procurement_has_contract`). Title, category, framework and lot come
/// from the procurement; the supplier and value from the winning quote.
#[utoipa::path(
    tag = "Contracts",
    params(
        ("slug" = String, Path, description = "The tenant's slug"),
        ("id" = String, Path, description = "The procurement's id"),
        IdempotencyKeyHeader,
    ),
    request_body = AwardContract,
    responses(
        (status = 201, description = "The contract, in the register", body = Contract, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
        (status = 409, description = "`procurement_not_evaluated`, `procurement_not_compliant`, `framework_not_live`, `procurement_has_contract`, `contract_reference_exists`, or `idempotent_request_in_progress`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/procurements/{id}/award")]
pub async fn award_contract(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    body: JsonBody<AwardContract>,
) -> ApiResult<ETagged<Contract>> {
    let (slug, id) = path.into_inner();
    let today = state.clock.today();
    let row = state
        .write(move |conn| {
            let (scope, tenant) = TenantScope::authorize(conn, &principal, &slug, TenantAccess::Buy)?;
            procurements::lock(conn, &scope, &id)?;
            let procurement = procurements::get(conn, &scope, &id)?;
            let award = body.parse()?;
            let decision = compliant_decision_on(conn, &scope, &procurement)?;
            if let Some(framework_id) = &procurement.framework_id {
                // The decision was made for its day; the framework must still be live on the day
                // of the award (its lot and supplier are checked again below, as for any call-off).
                let framework = crate::frameworks::store::get(conn, framework_id)?;
                let status = FrameworkStatus::on(today, framework.start_date, framework.end_date);
                if status != FrameworkStatus::Live {
                    return Err(ApiError::conflict(
                        "framework_not_live",
                        format!(
                            "the call-off's framework '{}' is {status} today; it cannot be awarded from",
                            framework.reference
                        ),
                    ));
                }
            }
            if let Some(existing) = store::find_by_procurement(conn, &scope, &procurement.id)? {
                return Err(ApiError::conflict(
                    "procurement_has_contract",
                    format!(
                        "this procurement already has contract '{}' ({})",
                        existing.reference, existing.id
                    ),
                ));
            }
            let input = award_to_contract(&procurement, award)?;
            let context = ContractContext::for_one(conn, &tenant, &input, today)?;
            let about = json!({
                "procurement_id": procurement.id,
                "procurement_version": procurement.version,
                "decision_id": decision.id,
            });
            create(conn, &scope, &context, input, &principal, "contract.awarded", about)
        })
        .await?;
    created(row, today)
}

/// The decision an award relies on: the latest recorded one, which must have judged the
/// procurement's current version and found it compliant. (A change to the procurement makes a
/// new version, so an older verdict never carries over; `last_outcome` shows the same fact, but
/// the decision log is the record an auditor reads.)
fn compliant_decision_on(
    conn: &mut DbConnection,
    scope: &TenantScope,
    procurement: &ProcurementRow,
) -> ApiResult<DecisionRow> {
    // A decision about an earlier version says nothing about this one.
    let judged = decisions::latest_recorded(conn, scope, &procurement.id)?
        .filter(|decision| decision.procurement_version == Some(procurement.version));
    match judged {
        Some(decision) if decision.outcome == "compliant" => Ok(decision),
        Some(_) => Err(ApiError::conflict(
            "procurement_not_compliant",
            "the procurement's latest evaluation is non-compliant; fix it and evaluate it again before awarding",
        )),
        None => Err(ApiError::conflict(
            "procurement_not_evaluated",
            format!(
                "no decision has judged the procurement as it stands (version {}); evaluate it before awarding",
                procurement.version
            ),
        )),
    }
}

/// The contract an award makes: the procurement's facts, the winning quote, the award's terms.
fn award_to_contract(procurement: &ProcurementRow, award: AwardContract) -> ApiResult<NewContract> {
    let quotes = procurement.quotes()?;
    let mut checks = Checks::new();
    let winner = match award.quote {
        Some(index) => {
            checks.check(
                index < quotes.len(),
                "quote",
                format!("the procurement has {} quotes (indexes from 0)", quotes.len()),
            );
            quotes.get(index)
        }
        None => quotes.iter().min_by_key(|q| q.amount),
    };
    if winner.is_none() && award.quote.is_none() {
        checks.check(
            award.supplier_id.is_some() || award.supplier_name.is_some(),
            "supplier_name",
            "the procurement has no quotes: name the supplier (supplier_id or supplier_name)",
        );
    }
    checks.finish()?;
    let call_off = procurement.framework_id.is_some();
    let (supplier_id, supplier_name, sme, vcse, locality) = match winner {
        Some(quote) => (
            quote.supplier_id.clone(),
            Some(quote.supplier_name.clone()),
            Some(quote.sme),
            Some(quote.vcse),
            // A quote's "local" is the rule plugin's notion (in the force's area).
            quote
                .local
                .then_some(crate::suppliers::directory::SupplierLocality::Area),
        ),
        None => (award.supplier_id, award.supplier_name, None, None, None),
    };
    Ok(NewContract {
        reference: award.reference.unwrap_or_else(|| procurement.reference.clone()),
        title: procurement.title.clone(),
        supplier_id,
        supplier_name,
        supplier_locality: locality,
        sme,
        vcse,
        category: procurement.category_slug.clone(),
        value: award
            .value
            .or(winner.map(|q| q.amount))
            .unwrap_or(crate::money::Money::from_pence(procurement.value_pence)),
        start_date: award.start_date,
        end_date: award.end_date,
        extension_options: award.extension_options,
        max_end_date: award.max_end_date,
        arrangement: award.arrangement.unwrap_or(if call_off {
            Arrangement::NationalFramework
        } else {
            Arrangement::Local
        }),
        framework_id: procurement.framework_id.clone(),
        lot_number: procurement.lot_number.map(|n| n as u32),
        collaborative_partners: award.collaborative_partners,
        procurement_id: Some(procurement.id.clone()),
        contract_manager: award.contract_manager,
        kpis: award.kpis,
        savings: award.savings,
        terminated_on: None,
    })
}
