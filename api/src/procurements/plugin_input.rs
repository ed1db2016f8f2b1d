//! What a rule plugin sees: a procurement with everything resolved by the host (category path,
//! whether the framework is live on the day and open to this kind of tenant), because plugins
//! have no database, clock or network of their own.

use chrono::NaiveDate;

use bluelight_rules as rules;

use super::model::ProcurementRow;
use crate::categories::model::CategoryTree;
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::frameworks::model::{Eligibility, FrameworkStatus};
use crate::frameworks::store as frameworks;
use crate::tenants::model::{TenantKind, TenantRow};

/// `categories` is the category tree, loaded once by the caller (a backtest resolves every
/// procurement of a tenant against the same tree).
pub fn plugin_input(
    conn: &mut DbConnection,
    tenant: &TenantRow,
    categories: &CategoryTree,
    row: &ProcurementRow,
    evaluation_date: NaiveDate,
) -> ApiResult<rules::Procurement> {
    let call_off = match (&row.framework_id, row.lot_number) {
        (Some(framework_id), Some(lot_number)) => {
            let framework = frameworks::get(conn, framework_id)?;
            let live =
                FrameworkStatus::on(evaluation_date, framework.start_date, framework.end_date) == FrameworkStatus::Live;
            let open = Eligibility::from_db(&framework.eligibility)?.open_to(TenantKind::from_db(&tenant.kind)?);
            Some(rules::CallOff {
                framework_reference: framework.reference,
                lot_number: lot_number as u32,
                framework_live: live,
                open_to_tenant: open,
            })
        }
        _ => None,
    };
    Ok(rules::Procurement {
        tenant: tenant.slug.clone(),
        reference: row.reference.clone(),
        title: row.title.clone(),
        value_pence: row.value_pence,
        vat: row.vat()?,
        contract_type: row.contract_type()?,
        category: rules::CategoryRef {
            slug: row.category_slug.clone(),
            path: categories.path(&row.category_slug),
        },
        route: row.route()?,
        quotes: row
            .quotes()?
            .into_iter()
            .map(|q| rules::PluginQuote {
                supplier_name: q.supplier_name,
                supplier_id: q.supplier_id,
                amount_pence: q.amount.pence(),
                local: q.local,
                sme: q.sme,
                vcse: q.vcse,
            })
            .collect(),
        weightings: row.weightings().map(|w| rules::Weightings {
            price: w.price.basis_points(),
            quality: w.quality.basis_points(),
            social_value: w.social_value.basis_points(),
        }),
        social_value_relevant: row.social_value_relevant,
        call_off,
        published: row.published,
        market_engagement_evidence: row.market_engagement_evidence.clone(),
        evaluation_date,
        authority_type: authority_type(TenantKind::from_db(&tenant.kind)?),
        light_touch: row.light_touch,
        procedure: row.procedure()?,
        direct_award: row.direct_award()?,
        notices: row.notices()?,
        conflicts_assessed: row.conflicts_assessed,
        kpis_set: row.kpis_set as u32,
        approvals: row.approvals()?,
        single_tender_justification: row.single_tender_justification()?,
    })
}

/// The contracting authority's kind under the Act's Schedule 1. Police and fire bodies are
/// sub-central authorities; a national tenant stands for a central government body (the Home
/// Office's own buying), whose goods and services threshold is lower.
fn authority_type(kind: TenantKind) -> rules::AuthorityType {
    match kind {
        TenantKind::Police | TenantKind::Fire => rules::AuthorityType::SubCentral,
        TenantKind::National => rules::AuthorityType::CentralGovernment,
    }
}
