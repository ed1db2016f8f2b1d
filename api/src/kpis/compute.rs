//! Computing a tenant's KPIs from its spend lines and register. The definitions here are the
//! ones returned with each figure; keep the two in step.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::model::{ContractShare, KpiReport, Savings, SpendShare, percentage};
use crate::auth::TenantScope;
use crate::contracts::model::Arrangement;
use crate::db::DbConnection;
use crate::db::schema::{contracts, spend_lines};
use crate::error::{ApiError, ApiResult};
use crate::money::Money;
use crate::spend::year_totals::{financial_year_bounds, financial_year_of};
use crate::suppliers::directory::SupplierLocality;

/// The last complete financial year (1 April to 31 March) before `today`.
pub fn last_financial_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    financial_year_bounds(financial_year_of(today) - 1).unwrap_or((today, today))
}

/// Spend lines as the KPIs see them: one, or several paid on the same day under the same
/// contract (or none) to suppliers of the same locality and flags, summed.
#[derive(Debug, Clone)]
pub struct SpendFact {
    /// The lines' amounts summed.
    pub amount_pence: i64,
    /// How many lines.
    pub lines: i64,
    pub paid_on: NaiveDate,
    pub locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
    /// The register contract the line names, if any (whether or not it was paid in its term).
    pub contract: Option<ContractFact>,
}

impl SpendFact {
    /// The arrangement the line was paid under: that of the contract it names, only when it was
    /// paid within the contract's term. A payment before the start, after the end or after an
    /// early termination was not made under the contract, whatever the line says.
    pub fn paid_under(&self) -> Option<Arrangement> {
        self.contract.filter(|c| c.in_term(self.paid_on)).map(|c| c.arrangement)
    }
}

/// One contract as the KPIs see it.
#[derive(Debug, Clone, Copy)]
pub struct ContractFact {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub terminated_on: Option<NaiveDate>,
    pub arrangement: Arrangement,
    pub savings_pence: i64,
}

impl ContractFact {
    /// The term's last day: the end date, or the termination date when it ended early (that day
    /// included).
    pub fn last_day(&self) -> NaiveDate {
        self.terminated_on.map_or(self.end_date, |t| t.min(self.end_date))
    }

    pub fn in_term(&self, day: NaiveDate) -> bool {
        self.start_date <= day && day <= self.last_day()
    }

    /// The part of the recorded savings that falls in `from..=to`. Savings accrue evenly over
    /// each day of the planned term (start to end date), so a financial year gets the share of
    /// its days; a contract terminated early accrues none after its termination date. Rounded
    /// half up to the penny, per contract and period.
    pub fn savings_in(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let term_days = (self.end_date - self.start_date).num_days() + 1;
        let first = self.start_date.max(from);
        let last = self.last_day().min(to);
        if term_days <= 0 || last < first {
            return 0;
        }
        let days = (last - first).num_days() + 1;
        let scaled = self.savings_pence as i128 * days as i128;
        let term = term_days as i128;
        (2 * scaled + term).div_euclid(2 * term) as i64
    }
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
        definition: "Spend lines paid in the period that name a contract in the tenant's register and were paid within that contract's term (from its start date to its end date, or to its termination date if it ended early, both days included), as a share of all spend paid in the period. A payment before the start or after the end or termination is not under contract. Amounts are net: credit notes count as negative.",
        counts: |f| f.paid_under().is_some(),
    },
    ShareRule {
        key: "local_spend_area",
        name: "Local spend (the tenant's own area)",
        definition: "Spend with suppliers based in the tenant's own area (locality `area`): for a supplier on the national record, its `based_in` police force area is the tenant's `area`; for one the service does not know, the locality stated on the line. Where a supplier delivers (its `regions`) does not count. Lines recorded before suppliers' bases were kept keep the locality worked out then. As a share of all spend in the period.",
        counts: |f| f.locality == SupplierLocality::Area,
    },
    ShareRule {
        key: "local_spend_region",
        name: "Local spend (the tenant's region, its own area included)",
        definition: "Spend with suppliers based in the tenant's policing region, its own area included (locality `area` or `region`): for a supplier on the national record, the region of its `based_in` area is the tenant's `region`; for one the service does not know, the locality stated on the line. Where a supplier delivers (its `regions`) does not count. Lines recorded before suppliers' bases were kept keep the locality worked out then. As a share of all spend in the period.",
        counts: |f| matches!(f.locality, SupplierLocality::Area | SupplierLocality::Region),
    },
    ShareRule {
        key: "collaborative_spend",
        name: "Spend through collaborative arrangements",
        definition: "Spend under contracts whose arrangement is `national_framework` or `collaborative`, paid within the contract's term (as for spend under contract), as a share of all spend in the period.",
        counts: |f| f.paid_under().is_some_and(Arrangement::is_collaborative),
    },
    ShareRule {
        key: "national_framework_spend",
        name: "Spend through national frameworks",
        definition: "Spend under contracts that are call-offs from national frameworks (`national_framework`), paid within the contract's term (as for spend under contract), as a share of all spend in the period.",
        counts: |f| f.paid_under() == Some(Arrangement::NationalFramework),
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

/// How many spend lines the facts stand for.
fn lines<'a>(facts: impl IntoIterator<Item = &'a SpendFact>) -> i64 {
    facts.into_iter().map(|f| f.lines).sum()
}

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
                lines: lines(counted.iter().copied()),
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
    let savings_by_contract: Vec<i64> = contracts.iter().map(|c| c.savings_in(from, to)).collect();
    let savings = Savings {
        definition: "The savings recorded against contracts (the `savings` of each, over its whole term), attributed to the period by day: each contract's savings accrue evenly over every day of its planned term (start date to end date, both included), the period gets the days of the term that fall in it, and a contract terminated early accrues none after its termination date. Rounded half up to the penny per contract, then summed, so the years of a contract add up to its savings within a penny per year.".to_owned(),
        amount: Money::from_pence(savings_by_contract.iter().sum()),
        contracts: savings_by_contract.iter().filter(|s| **s != 0).count() as i64,
    };
    KpiReport {
        tenant: tenant.to_owned(),
        from,
        to,
        total_spend: Money::from_pence(total),
        spend_lines: lines(spend),
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
    let mut by_id = HashMap::with_capacity(contract_rows.len());
    let mut contract_facts = Vec::with_capacity(contract_rows.len());
    for (id, start_date, end_date, terminated_on, arrangement, savings_pence) in contract_rows {
        let fact = ContractFact {
            start_date,
            end_date,
            terminated_on,
            arrangement: Arrangement::from_db(&arrangement)?,
            savings_pence,
        };
        by_id.insert(id, fact);
        contract_facts.push(fact);
    }
    // Summed by the database per day, contract, locality and flags, in the order of the index
    // that holds exactly these columns (`spend_lines_tenant_paid_kpi`), so no line is read from
    // the table and nothing is sorted; whether a day falls in its contract's term is decided here.
    type Group = (NaiveDate, Option<String>, String, bool, bool, i64, i64);
    let spend_rows: Vec<Group> = spend_lines::table
        .filter(spend_lines::tenant_slug.eq(scope.slug()))
        .filter(spend_lines::paid_on.ge(from))
        .filter(spend_lines::paid_on.le(to))
        .group_by((
            spend_lines::paid_on,
            spend_lines::contract_id,
            spend_lines::supplier_locality,
            spend_lines::supplier_sme,
            spend_lines::supplier_vcse,
        ))
        .select((
            spend_lines::paid_on,
            spend_lines::contract_id,
            spend_lines::supplier_locality,
            spend_lines::supplier_sme,
            spend_lines::supplier_vcse,
            // The cast keeps the sum BIGINT on both backends (PostgreSQL sums BIGINT as NUMERIC).
            sql::<BigInt>("CAST(SUM(amount_pence) AS BIGINT)"),
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let spend_facts = spend_rows
        .into_iter()
        .map(|(paid_on, contract_id, locality, sme, vcse, amount_pence, lines)| {
            let contract = match contract_id {
                Some(id) => Some(*by_id.get(&id).ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!(
                        "spend names contract {id}, not in the tenant's register"
                    ))
                })?),
                None => None,
            };
            Ok(SpendFact {
                amount_pence,
                lines,
                paid_on,
                locality: SupplierLocality::from_db(&locality)?,
                sme,
                vcse,
                contract,
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

    /// A contract for the whole of FY2025-26 and beyond.
    fn contract(arrangement: Arrangement) -> ContractFact {
        ContractFact {
            start_date: day(2025, 1, 1),
            end_date: day(2027, 12, 31),
            terminated_on: None,
            arrangement,
            savings_pence: 0,
        }
    }

    fn spend(pounds: i64, locality: SupplierLocality, arrangement: Option<Arrangement>, sme: bool) -> SpendFact {
        SpendFact {
            amount_pence: pounds * 100,
            lines: 1,
            paid_on: day(2025, 10, 1),
            locality,
            sme,
            vcse: false,
            contract: arrangement.map(contract),
        }
    }

    fn paid_on(paid_on: NaiveDate, contract: ContractFact) -> SpendFact {
        SpendFact {
            paid_on,
            contract: Some(contract),
            ..spend(100, SupplierLocality::Outside, None, false)
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
    fn spend_is_under_contract_only_when_paid_within_the_contracts_term() {
        let framework = ContractFact {
            start_date: day(2025, 5, 1),
            end_date: day(2025, 9, 30),
            terminated_on: None,
            arrangement: Arrangement::NationalFramework,
            savings_pence: 0,
        };
        let terminated = ContractFact {
            terminated_on: Some(day(2025, 7, 15)),
            ..framework
        };
        let cases = [
            (paid_on(day(2025, 4, 30), framework), false, "the day before it starts"),
            (paid_on(day(2025, 5, 1), framework), true, "its first day"),
            (paid_on(day(2025, 9, 30), framework), true, "its last day"),
            (paid_on(day(2025, 10, 1), framework), false, "the day after it expired"),
            (paid_on(day(2025, 7, 15), terminated), true, "the day it was terminated"),
            (
                paid_on(day(2025, 7, 16), terminated),
                false,
                "the day after it was terminated",
            ),
        ];
        for (fact, under, when) in cases {
            let report = report("t", day(2025, 4, 1), day(2026, 3, 31), &[fact], &[]);
            let expected = if under { 10_000 } else { 0 };
            for key in [
                "spend_under_contract",
                "collaborative_spend",
                "national_framework_spend",
            ] {
                assert_eq!(
                    share(&report, key).amount,
                    Money::from_pence(expected),
                    "{key}: paid {when}"
                );
            }
        }
    }

    #[test]
    fn savings_fall_in_the_years_of_the_term_by_day() {
        // Two years from 1 October 2025, £730.00 saved: a penny a day... times a hundred.
        let c = ContractFact {
            start_date: day(2025, 10, 1),
            end_date: day(2027, 9, 30),
            terminated_on: None,
            arrangement: Arrangement::Local,
            savings_pence: 73_000,
        };
        // FY2025-26 holds 182 of its 730 days, FY2026-27 365, FY2027-28 183.
        assert_eq!(c.savings_in(day(2025, 4, 1), day(2026, 3, 31)), 18_200);
        assert_eq!(c.savings_in(day(2026, 4, 1), day(2027, 3, 31)), 36_500);
        assert_eq!(c.savings_in(day(2027, 4, 1), day(2028, 3, 31)), 18_300);
        assert_eq!(c.savings_in(day(2024, 4, 1), day(2025, 3, 31)), 0);
        // Terminated on 31 March 2026: nothing accrues after it.
        let ended = ContractFact {
            terminated_on: Some(day(2026, 3, 31)),
            ..c
        };
        assert_eq!(ended.savings_in(day(2025, 4, 1), day(2026, 3, 31)), 18_200);
        assert_eq!(ended.savings_in(day(2026, 4, 1), day(2027, 3, 31)), 0);
        // Rounded half up per contract and period: of £1.00 over three days, one day is 33p, two
        // are 67p, all three £1.00.
        let short = ContractFact {
            start_date: day(2025, 4, 1),
            end_date: day(2025, 4, 3),
            savings_pence: 100,
            ..c
        };
        assert_eq!(short.savings_in(day(2025, 4, 1), day(2025, 4, 1)), 33);
        assert_eq!(short.savings_in(day(2025, 4, 1), day(2025, 4, 2)), 67);
        assert_eq!(short.savings_in(day(2025, 4, 1), day(2025, 4, 3)), 100);
    }

    #[test]
    fn savings_and_collaboration_count_contracts_starting_in_the_period() {
        // Each for one year, so a contract's savings fall in the year it starts in only as far as
        // its days do.
        let contract = |start: NaiveDate, arrangement, savings_pence| ContractFact {
            start_date: start,
            end_date: start + chrono::Duration::days(364),
            terminated_on: None,
            arrangement,
            savings_pence,
        };
        let contracts = [
            contract(day(2025, 4, 1), Arrangement::NationalFramework, 10_000),
            contract(day(2025, 6, 1), Arrangement::Local, 0),
            contract(day(2025, 10, 1), Arrangement::Collaborative, 36_500),
            contract(day(2024, 1, 1), Arrangement::Collaborative, 99_999),
        ];
        let report = report("t", day(2025, 4, 1), day(2026, 3, 31), &[], &contracts);
        // All of the first; 182 of the third's 365 days; none of the fourth (it ended on
        // 30 December 2024).
        assert_eq!(report.savings.amount, Money::from_pence(10_000 + 18_200));
        assert_eq!(report.savings.contracts, 2);
        let collab = &report.contract_shares[0];
        assert_eq!((collab.contracts, collab.of_contracts), (2, 3));
        assert_eq!(collab.percentage.unwrap().to_string(), "66.67");
        assert_eq!(report.contracts_live, 3);
    }
}
