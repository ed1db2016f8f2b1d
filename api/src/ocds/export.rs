//! Mapping a tenant's procurements, decisions and contracts to OCDS releases. Pure functions of
//! the stored rows, so the mapping is tested without a database.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;

use super::model::{
    OcdsAward, OcdsClassification, OcdsComplianceDecision, OcdsContract, OcdsFrameworkCallOff,
    OcdsOrganizationReference, OcdsParty, OcdsPartyDetails, OcdsPeriod, OcdsRelease, OcdsTender, OcdsValue,
};
use crate::contracts::model::{ContractRow, ContractStatus};
use crate::decisions::model::DecisionRow;
use crate::error::ApiResult;
use crate::procurements::model::ProcurementRow;
use crate::tenants::model::TenantRow;

/// The prefix of every OCID we publish. A publisher registers its own prefix with the Open
/// Contracting Partnership; this one is ours until BlueLight Commercial registers one.
pub const OCID_PREFIX: &str = "ocds-bluelight";

pub fn value(pence: i64) -> OcdsValue {
    // OCDS amounts are JSON numbers, which serde_json writes from an f64 as the shortest text that
    // reads back as the same f64: the exact pounds and pence for up to 15 significant digits
    // (£9,999,999,999,999.99), past every contract's maximum (£100bn).
    let amount = serde_json::Number::from_f64(pence as f64 / 100.0).unwrap_or_else(|| serde_json::Number::from(0));
    OcdsValue {
        amount,
        currency: "GBP".to_owned(),
    }
}

/// OCDS periods are date-times; ours are whole days in the UK. A period starts at the first
/// second of its first day and ends at the last second of its last day, UK time, written with
/// that day's offset (`+00:00` in winter, `+01:00` in summer), as UK publishers do. The date
/// part is the day as stored, so a consumer reading only the date (as our import does) gets it
/// back unchanged.
fn start_of_day(date: NaiveDate) -> String {
    uk_time(date, NaiveTime::MIN)
}

/// See [`start_of_day`].
fn end_of_day(date: NaiveDate) -> String {
    uk_time(date, NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))
}

fn uk_time(date: NaiveDate, time: NaiveTime) -> String {
    // UK clocks change at 01:00 and 02:00, so midnight and 23:59:59 exist once on every day;
    // `earliest` still answers should that ever change.
    match London.from_local_datetime(&date.and_time(time)).earliest() {
        Some(local) => local.to_rfc3339(),
        None => date.and_time(time).and_utc().to_rfc3339(),
    }
}

fn buyer_party(tenant: &TenantRow) -> OcdsParty {
    OcdsParty {
        id: tenant.slug.clone(),
        name: tenant.name.clone(),
        roles: vec!["buyer".to_owned(), "procuringEntity".to_owned()],
        identifier: None,
        details: None,
    }
}

fn supplier_id(id: Option<&str>, name: &str) -> String {
    match id {
        Some(id) => id.to_owned(),
        None => format!("name:{}", name.trim().to_lowercase()),
    }
}

/// Adds a party, or the roles to a party already listed.
fn add_party(parties: &mut Vec<OcdsParty>, id: String, name: &str, role: &str, sme: Option<bool>) {
    if let Some(existing) = parties.iter_mut().find(|p| p.id == id) {
        if !existing.roles.iter().any(|r| r == role) {
            existing.roles.push(role.to_owned());
        }
        return;
    }
    parties.push(OcdsParty {
        id,
        name: name.to_owned(),
        roles: vec![role.to_owned()],
        identifier: None,
        details: sme.map(|sme| OcdsPartyDetails {
            scale: Some(if sme { "sme" } else { "large" }.to_owned()),
        }),
    });
}

fn procurement_method(route: &str) -> &'static str {
    match route {
        "e_tender" | "open_tender" => "open",
        "framework_call_off" => "selective",
        "multiple_quotes" => "limited",
        _ => "direct",
    }
}

fn contract_status(contract: &ContractRow, today: NaiveDate) -> &'static str {
    match ContractStatus::on(contract.start_date, contract.end_date, contract.terminated_on, today) {
        ContractStatus::Pipeline => "pending",
        ContractStatus::Active => "active",
        ContractStatus::Expired | ContractStatus::Terminated => "terminated",
    }
}

fn award_and_contract(
    contract: &ContractRow,
    parties: &mut Vec<OcdsParty>,
    today: NaiveDate,
) -> (OcdsAward, OcdsContract) {
    let supplier = supplier_id(contract.supplier_id.as_deref(), &contract.supplier_name);
    add_party(
        parties,
        supplier.clone(),
        &contract.supplier_name,
        "supplier",
        Some(contract.supplier_sme),
    );
    let award_id = format!("award-{}", contract.id);
    let award = OcdsAward {
        id: award_id.clone(),
        title: contract.title.clone(),
        status: "active".to_owned(),
        date: contract.created_at.and_utc().to_rfc3339(),
        value: value(contract.value_pence),
        suppliers: vec![OcdsOrganizationReference {
            id: supplier,
            name: contract.supplier_name.clone(),
        }],
    };
    let ocds_contract = OcdsContract {
        id: contract.id.clone(),
        award_id,
        title: contract.title.clone(),
        status: contract_status(contract, today).to_owned(),
        period: OcdsPeriod {
            start_date: Some(start_of_day(contract.start_date)),
            end_date: Some(end_of_day(contract.terminated_on.unwrap_or(contract.end_date))),
            max_extent_date: contract.max_end_date.map(end_of_day),
        },
        value: value(contract.value_pence),
    };
    (award, ocds_contract)
}

fn release_identity(ocid: &str, dates: &[chrono::NaiveDateTime]) -> (String, String) {
    let latest = dates.iter().max().copied().unwrap_or_default().and_utc();
    (
        format!("{ocid}-{}", latest.format("%Y%m%dT%H%M%S%6fZ")),
        latest.to_rfc3339(),
    )
}

/// A procurement's release: its tender, its latest compliance decision, and its award and
/// contract once awarded.
pub fn procurement_release(
    tenant: &TenantRow,
    procurement: &ProcurementRow,
    decision: Option<&DecisionRow>,
    contract: Option<&ContractRow>,
    category_name: Option<&str>,
    today: NaiveDate,
) -> ApiResult<OcdsRelease> {
    let ocid = format!("{OCID_PREFIX}-{}-{}", tenant.slug, procurement.id);
    let mut parties = vec![buyer_party(tenant)];
    let quotes = procurement.quotes()?;
    let tenderers: Vec<OcdsOrganizationReference> = quotes
        .iter()
        .map(|q| {
            let id = supplier_id(q.supplier_id.as_deref(), &q.supplier_name);
            add_party(&mut parties, id.clone(), &q.supplier_name, "tenderer", Some(q.sme));
            OcdsOrganizationReference {
                id,
                name: q.supplier_name.clone(),
            }
        })
        .collect();
    let (awards, contracts) = match contract {
        Some(contract) => {
            let (award, contract) = award_and_contract(contract, &mut parties, today);
            (vec![award], vec![contract])
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut tag = vec!["tender".to_owned()];
    if contract.is_some() {
        tag.extend(["award".to_owned(), "contract".to_owned()]);
    }
    let mut dates = vec![procurement.updated_at];
    dates.extend(contract.map(|c| c.updated_at));
    dates.extend(decision.map(|d| d.requested_at));
    let (id, date) = release_identity(&ocid, &dates);
    Ok(OcdsRelease {
        ocid,
        id,
        date,
        tag,
        initiation_type: "tender".to_owned(),
        language: "en".to_owned(),
        buyer: OcdsOrganizationReference {
            id: tenant.slug.clone(),
            name: tenant.name.clone(),
        },
        tender: Some(OcdsTender {
            id: procurement.reference.clone(),
            title: procurement.title.clone(),
            status: if contract.is_some() { "complete" } else { "active" }.to_owned(),
            value: value(procurement.value_pence),
            procurement_method: procurement_method(&procurement.route).to_owned(),
            procurement_method_details: procurement.route.replace('_', " "),
            main_procurement_category: procurement.contract_type.clone(),
            classification: OcdsClassification {
                scheme: "X-BLUELIGHT-CATEGORY".to_owned(),
                id: procurement.category_slug.clone(),
                description: category_name.map(str::to_owned),
            },
            number_of_tenderers: tenderers.len() as i64,
            tenderers,
            compliance_decision: decision.map(|d| OcdsComplianceDecision {
                decision_id: d.id.clone(),
                outcome: d.outcome.clone(),
                rule_plugin_version: d.plugin_version,
                rule_plugin_sha256: d.plugin_sha256.clone(),
                national_rule_plugin_version: d.national_plugin_version,
                national_rule_plugin_sha256: d.national_plugin_sha256.clone(),
                decided_at: d.requested_at.and_utc().to_rfc3339(),
            }),
        }),
        awards,
        contracts,
        framework_call_off: procurement
            .framework_id
            .clone()
            .map(|framework_id| OcdsFrameworkCallOff {
                framework_id,
                lot_number: procurement.lot_number.map(i64::from),
            }),
        parties,
    })
}

/// A release for a contract recorded without a procurement here (imported, or let before the
/// service): its award and contract.
pub fn contract_release(tenant: &TenantRow, contract: &ContractRow, today: NaiveDate) -> OcdsRelease {
    let ocid = format!("{OCID_PREFIX}-{}-{}", tenant.slug, contract.id);
    let mut parties = vec![buyer_party(tenant)];
    let (award, ocds_contract) = award_and_contract(contract, &mut parties, today);
    let (id, date) = release_identity(&ocid, &[contract.updated_at]);
    OcdsRelease {
        ocid,
        id,
        date,
        tag: vec!["award".to_owned(), "contract".to_owned()],
        initiation_type: "tender".to_owned(),
        language: "en".to_owned(),
        buyer: OcdsOrganizationReference {
            id: tenant.slug.clone(),
            name: tenant.name.clone(),
        },
        tender: None,
        awards: vec![award],
        contracts: vec![ocds_contract],
        framework_call_off: contract.framework_id.clone().map(|framework_id| OcdsFrameworkCallOff {
            framework_id,
            lot_number: contract.lot_number.map(i64::from),
        }),
        parties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_pounds_with_pence() {
        assert_eq!(value(4_850_050).amount.to_string(), "48500.5");
        assert_eq!(value(1).amount.to_string(), "0.01");
        assert_eq!(value(0).amount.to_string(), "0.0");
    }

    #[test]
    fn amounts_are_exact_up_to_fifteen_significant_digits() {
        use std::str::FromStr;
        for pence in [
            1,
            99,
            4_850_050,
            123_456_789_012_345,
            999_999_999_999_999,
            crate::contracts::model::MAX_VALUE.pence(),
        ] {
            let written = rust_decimal::Decimal::from_str(&value(pence).amount.to_string()).unwrap();
            assert_eq!(written, rust_decimal::Decimal::new(pence, 2), "{pence} pence");
        }
    }

    #[test]
    fn days_are_written_as_uk_date_times_that_keep_their_date() {
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert_eq!(start_of_day(day("2027-01-01")), "2027-01-01T00:00:00+00:00");
        assert_eq!(end_of_day(day("2027-03-31")), "2027-03-31T23:59:59+01:00");
        // The days the clocks change: spring forward at 01:00 on 28 March 2027, back on 31 October.
        assert_eq!(start_of_day(day("2027-03-28")), "2027-03-28T00:00:00+00:00");
        assert_eq!(end_of_day(day("2027-03-28")), "2027-03-28T23:59:59+01:00");
        assert_eq!(start_of_day(day("2027-10-31")), "2027-10-31T00:00:00+01:00");
        assert_eq!(end_of_day(day("2027-10-31")), "2027-10-31T23:59:59+00:00");
    }

    #[test]
    fn routes_map_to_ocds_methods() {
        assert_eq!(procurement_method("open_tender"), "open");
        assert_eq!(procurement_method("e_tender"), "open");
        assert_eq!(procurement_method("framework_call_off"), "selective");
        assert_eq!(procurement_method("multiple_quotes"), "limited");
        assert_eq!(procurement_method("single_quote"), "direct");
        assert_eq!(procurement_method("single_tender_action"), "direct");
    }
}
