//! Computing a tenant's KPIs from its spend lines and register. The definitions here are the
//! ones returned with each figure; keep the two in step.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::model::{ContractShare, KpiReport, Savings, SpendShare, percentage};
use crate::auth::TenantScope;
use crate::contracts::model::Arrangement;
use crate::db::DbConnection;
use crate::db::schema::{contracts, spend_lines};
use crate::error::{ApiError, ApiResult};
use crate::money::Money;
use crate::suppliers::directory::SupplierLocality;

/// The last complete financial year (1 April to 31 March) before `today`.
pub fn last_financial_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start_year = if today.month() >= 4 {
        today.year() - 1
    } else {
        today.year() - 2
    };
    (
        NaiveDate::from_ymd_opt(start_year, 4, 1).unwrap_or(today),
        NaiveDate::from_ymd_opt(start_year + 1, 3, 31).unwrap_or(today),
    )
}

/// One spend line as the KPIs see it.
#[derive(Debug, Clone)]
pub struct SpendFact {
    pub amount_pence: i64,
    pub locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
    /// The arrangement of the contract it was paid under, if any.
    pub arrangement: Option<Arrangement>,
}

/// One contract as the KPIs see it.
#[derive(Debug, Clone)]
pub struct ContractFact {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub terminated_on: Option<NaiveDate>,
    pub arrangement: Arrangement,
    pub savings_pence: i64,
}

struct ShareRule {
    key: &'static str,
    name: &'static str,
    definition: &'static str,
    counts: fn(&SpendFact) -> bool,
}

const SPEND_SHARES: &[ShareRule] = &[
    ShareRule {
        key: "spend_under_contract",
        name: "Spend under contract",
        definition: "Spend lines paid in the period that name a contract in the tenant's register, as a share of all spend paid in the period. Amounts are net: credit notes count as negative.",
        counts: |f| f.arrangement.is_some(),
    },
    ShareRule {
        key: "local_spend_area",
        name: "Local spend (the tenant's own area)",
        definition: "Spend with suppliers whose locality is `area` (in the tenant's own area, e.g. the county), as a share of all spend in the period.",
        counts: |f| f.locality == SupplierLocality::Area,
    },
    ShareRule {
        key: "local_spend_region",
        name: "Local spend (the tenant's region, its own area included)",
        definition: "Spend with suppliers whose locality is `area` or `region` (serving the tenant's policing region), as a share of all spend in the period.",
        counts: |f| matches!(f.locality, SupplierLocality::Area | SupplierLocality::Region),
    },
    ShareRule {
        key: "collaborative_spend",
        name: "Spend through collaborative arrangements",
        definition: "Spend under contracts whose arrangement is `national_framework` or `collaborative`, as a share of all spend in the period.",
        counts: |f| f.arrangement.is_some_and(Arrangement::is_collaborative),
    },
    ShareRule {
        key: "national_framework_spend",
        name: "Spend through national frameworks",
        definition: "Spend under contracts that are call-offs from national frameworks (`national_framework`), as a share of all spend in the period.",
        counts: |f| f.arrangement == Some(Arrangement::NationalFramework),
    },
    ShareRule {
        key: "sme_spend",
        name: "Spend with SMEs",
        definition: "Spend with suppliers flagged as small or medium enterprises (from the national supplier record, else as imported), as a share of all spend in the period.",
        counts: |f| f.sme,
    },
    ShareRule {
        key: "vcse_spend",
        name: "Spend with VCSEs",
        definition: "Spend with suppliers flagged as voluntary, community or social enterprises (from the national supplier record, else as imported), as a share of all spend in the period.",
        counts: |f| f.vcse,
    },
];

/// The report from the facts; pure, so that the definitions can be tested exactly.
pub fn report(
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
    spend: &[SpendFact],
    contracts: &[ContractFact],
) -> KpiReport {
    let total: i64 = spend.iter().map(|f| f.amount_pence).sum();
    let spend_shares = SPEND_SHARES
        .iter()
        .map(|rule| {
            let counted: Vec<&SpendFact> = spend.iter().filter(|f| (rule.counts)(f)).collect();
            let amount: i64 = counted.iter().map(|f| f.amount_pence).sum();
            SpendShare {
                key: rule.key.to_owned(),
                name: rule.name.to_owned(),
                definition: rule.definition.to_owned(),
                percentage: percentage(amount, total),
                amount: Money::from_pence(amount),
                of_total: Money::from_pence(total),
                lines: counted.len() as i64,
            }
        })
        .collect();

    let live =
        |c: &&ContractFact| c.start_date <= to && c.end_date >= from && c.terminated_on.is_none_or(|t| t >= from);
    let starting: Vec<&ContractFact> = contracts
        .iter()
        .filter(|c| c.start_date >= from && c.start_date <= to)
        .collect();
    let collaborative = starting.iter().filter(|c| c.arrangement.is_collaborative()).count() as i64;
    let contract_shares = vec![ContractShare {
        key: "contracts_in_collaboration".to_owned(),
        name: "Contracts let in collaboration".to_owned(),
        definition: "Contracts starting in the period whose arrangement is `national_framework` or `collaborative`, as a share of all contracts starting in the period.".to_owned(),
        percentage: percentage(collaborative, starting.len() as i64),
        contracts: collaborative,
        of_contracts: starting.len() as i64,
    }];
    let savings = Savings {
        definition:
            "The savings recorded against contracts starting in the period (the `savings` of each contract), summed."
                .to_owned(),
        amount: Money::from_pence(starting.iter().map(|c| c.savings_pence).sum()),
        contracts: starting.iter().filter(|c| c.savings_pence > 0).count() as i64,
    };
    KpiReport {
        tenant: tenant.to_owned(),
        from,
        to,
        total_spend: Money::from_pence(total),
        spend_lines: spend.len() as i64,
        contracts_live: contracts.iter().filter(live).count() as i64,
        spend_shares,
        contract_shares,
        savings,
    }
}

/// The tenant's spend in the period and its whole register, as facts.
pub fn load_facts(
    conn: &mut DbConnection,
    scope: &TenantScope,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<(Vec<SpendFact>, Vec<ContractFact>)> {
    let contract_rows: Vec<(String, NaiveDate, NaiveDate, Option<NaiveDate>, String, i64)> = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .select((
            contracts::id,
            contracts::start_date,
            contracts::end_date,
            contracts::terminated_on,
            contracts::arrangement,
            contracts::savings_pence,
        ))
        .load(conn)?;
    let mut arrangements = HashMap::with_capacity(contract_rows.len());
    let mut contract_facts = Vec::with_capacity(contract_rows.len());
    for (id, start_date, end_date, terminated_on, arrangement, savings_pence) in contract_rows {
        let arrangement = Arrangement::from_db(&arrangement)?;
        arrangements.insert(id, arrangement);
        contract_facts.push(ContractFact {
            start_date,
            end_date,
            terminated_on,
            arrangement,
            savings_pence,
        });
    }
    let spend_rows: Vec<(i64, String, bool, bool, Option<String>)> = spend_lines::table
        .filter(spend_lines::tenant_slug.eq(scope.slug()))
        .filter(spend_lines::paid_on.ge(from))
        .filter(spend_lines::paid_on.le(to))
        .select((
            spend_lines::amount_pence,
            spend_lines::supplier_locality,
            spend_lines::supplier_sme,
            spend_lines::supplier_vcse,
            spend_lines::contract_id,
        ))
        .load(conn)?;
    let spend_facts = spend_rows
        .into_iter()
        .map(|(amount_pence, locality, sme, vcse, contract_id)| {
            let arrangement = match contract_id {
                Some(id) => Some(*arrangements.get(&id).ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!(
                        "spend names contract {id}, not in the tenant's register"
                    ))
                })?),
                None => None,
            };
            Ok(SpendFact {
                amount_pence,
                locality: SupplierLocality::from_db(&locality)?,
                sme,
                vcse,
                arrangement,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((spend_facts, contract_facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn spend(pounds: i64, locality: SupplierLocality, arrangement: Option<Arrangement>, sme: bool) -> SpendFact {
        SpendFact {
            amount_pence: pounds * 100,
            locality,
            sme,
            vcse: false,
            arrangement,
        }
    }

    fn share<'a>(report: &'a KpiReport, key: &str) -> &'a SpendShare {
        report.spend_shares.iter().find(|s| s.key == key).unwrap()
    }

    #[test]
    fn the_financial_year_before_today() {
        assert_eq!(
            last_financial_year(day(2026, 11, 23)),
            (day(2025, 4, 1), day(2026, 3, 31))
        );
        assert_eq!(
            last_financial_year(day(2026, 3, 31)),
            (day(2024, 4, 1), day(2025, 3, 31))
        );
        assert_eq!(
            last_financial_year(day(2026, 4, 1)),
            (day(2025, 4, 1), day(2026, 3, 31))
        );
    }

    #[test]
    fn shares_are_of_net_spend_and_say_what_they_counted() {
        use Arrangement::*;
        use SupplierLocality::*;
        let facts = [
            spend(600, Area, Some(Local), true),
            spend(300, Region, Some(NationalFramework), false),
            spend(200, Outside, Some(Collaborative), false),
            spend(-100, Outside, None, false),
        ];
        let report = report("t", day(2025, 4, 1), day(2026, 3, 31), &facts, &[]);
        assert_eq!(report.total_spend, Money::from_pence(100_000));
        let under = share(&report, "spend_under_contract");
        assert_eq!((under.amount, under.lines), (Money::from_pence(110_000), 3));
        assert_eq!(under.percentage.unwrap().to_string(), "110.00");
        assert_eq!(
            share(&report, "local_spend_area").percentage.unwrap().to_string(),
            "60.00"
        );
        assert_eq!(
            share(&report, "local_spend_region").percentage.unwrap().to_string(),
            "90.00"
        );
        assert_eq!(
            share(&report, "collaborative_spend").percentage.unwrap().to_string(),
            "50.00"
        );
        assert_eq!(
            share(&report, "national_framework_spend")
                .percentage
                .unwrap()
                .to_string(),
            "30.00"
        );
        assert_eq!(share(&report, "sme_spend").amount, Money::from_pence(60_000));
    }

    #[test]
    fn no_spend_gives_no_percentage_rather_than_zero() {
        let report = report("t", day(2025, 4, 1), day(2026, 3, 31), &[], &[]);
        assert!(report.spend_shares.iter().all(|s| s.percentage.is_none()));
    }

    #[test]
    fn savings_and_collaboration_count_contracts_starting_in_the_period() {
        let contract = |start: NaiveDate, arrangement, savings_pence| ContractFact {
            start_date: start,
            end_date: day(2029, 3, 31),
            terminated_on: None,
            arrangement,
            savings_pence,
        };
        let contracts = [
            contract(day(2025, 5, 1), Arrangement::NationalFramework, 10_000),
            contract(day(2025, 6, 1), Arrangement::Local, 0),
            contract(day(2025, 7, 1), Arrangement::Collaborative, 5_000),
            contract(day(2024, 1, 1), Arrangement::Collaborative, 99_999),
        ];
        let report = report("t", day(2025, 4, 1), day(2026, 3, 31), &[], &contracts);
        assert_eq!(report.savings.amount, Money::from_pence(15_000));
        assert_eq!(report.savings.contracts, 2);
        let collab = &report.contract_shares[0];
        assert_eq!((collab.contracts, collab.of_contracts), (2, 3));
        assert_eq!(collab.percentage.unwrap().to_string(), "66.67");
        assert_eq!(report.contracts_live, 4);
    }
}
