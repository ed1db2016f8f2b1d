//! What the national view is computed from: every tenant's contracts, and its spend in a period
//! summed per tenant, contract, supplier and category by the database.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::contracts::model::{Arrangement, ContractStatus};
use crate::db::DbConnection;
use crate::db::schema::{contracts, spend_lines, spend_year_totals};
use crate::error::ApiResult;
use crate::spend::year_totals;

/// A tenant's spend in the period with one supplier, in one category, under one contract (or none).
#[derive(Debug, Clone)]
pub struct SpendGroup {
    pub tenant: String,
    pub contract_id: Option<String>,
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub category: Option<String>,
    pub amount_pence: i64,
}

type SpendGroupTuple = (String, Option<String>, Option<String>, String, Option<String>, i64);

/// The period's spend, summed by tenant, contract, supplier and category: whole financial years
/// from their kept totals, the days around them from the lines. A group may appear once per
/// part; the reports add them up.
pub fn spend_groups(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<SpendGroup>> {
    let parts = year_totals::split_period(from, to);
    let mut groups = match parts.whole_years {
        Some((first, last)) => year_total_groups(conn, first, last)?,
        None => Vec::new(),
    };
    for (from, to) in parts.remnants {
        groups.extend(line_groups(conn, from, to)?);
    }
    Ok(groups)
}

fn year_total_groups(conn: &mut DbConnection, first: i32, last: i32) -> QueryResult<Vec<SpendGroup>> {
    let rows: Vec<(String, String, String, String, String, i64)> = spend_year_totals::table
        .filter(spend_year_totals::financial_year.between(first, last))
        .select((
            spend_year_totals::tenant_slug,
            spend_year_totals::contract_id,
            spend_year_totals::supplier_id,
            spend_year_totals::supplier_name,
            spend_year_totals::category_slug,
            spend_year_totals::amount_pence,
        ))
        .load(conn)?;
    // '' is how the totals' keys say "none".
    let none_if_empty = |value: String| (!value.is_empty()).then_some(value);
    Ok(rows
        .into_iter()
        .map(
            |(tenant, contract_id, supplier_id, supplier_name, category, amount_pence)| SpendGroup {
                tenant,
                contract_id: none_if_empty(contract_id),
                supplier_id: none_if_empty(supplier_id),
                supplier_name,
                category: none_if_empty(category),
                amount_pence,
            },
        )
        .collect())
}

fn line_groups(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<SpendGroup>> {
    let rows: Vec<SpendGroupTuple> = spend_lines::table
        .filter(spend_lines::paid_on.ge(from))
        .filter(spend_lines::paid_on.le(to))
        .group_by((
            spend_lines::tenant_slug,
            spend_lines::contract_id,
            spend_lines::supplier_id,
            spend_lines::supplier_name,
            spend_lines::category_slug,
        ))
        .select((
            spend_lines::tenant_slug,
            spend_lines::contract_id,
            spend_lines::supplier_id,
            spend_lines::supplier_name,
            spend_lines::category_slug,
            // Summed by the database; the cast keeps the type BIGINT on both backends.
            sql::<BigInt>("CAST(SUM(amount_pence) AS BIGINT)"),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(tenant, contract_id, supplier_id, supplier_name, category, amount_pence)| SpendGroup {
                tenant,
                contract_id,
                supplier_id,
                supplier_name,
                category,
                amount_pence,
            },
        )
        .collect())
}

/// A contract of any tenant, as the national view needs it.
#[derive(Debug, Clone)]
pub struct NationalContract {
    pub id: String,
    pub tenant: String,
    pub reference: String,
    pub title: String,
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub category: String,
    pub value_pence: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub terminated_on: Option<NaiveDate>,
    pub arrangement: Arrangement,
    pub framework_id: Option<String>,
    pub lot_number: Option<i32>,
}

impl NationalContract {
    /// Running at some time in the period (and not ended early before it).
    pub fn live_in(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start_date <= to && self.end_date >= from && self.terminated_on.is_none_or(|t| t >= from)
    }

    pub fn status(&self, today: NaiveDate) -> ContractStatus {
        ContractStatus::on(self.start_date, self.end_date, self.terminated_on, today)
    }
}

type ContractTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    NaiveDate,
    NaiveDate,
    Option<NaiveDate>,
    String,
    Option<String>,
    Option<i32>,
);

/// Which contracts a report reads. Each is a filter the database applies, so a report over a
/// year does not load and parse every contract of every tenant (100,000 at national scale).
#[derive(Debug, Clone, Copy)]
pub enum ContractScope {
    /// Running at some time in the period (and not ended early before it).
    LiveIn(NaiveDate, NaiveDate),
    /// Not terminated and ending in the window.
    EndingIn(NaiveDate, NaiveDate),
    /// Every call-off from a national framework, whenever it ran.
    CallOffs,
}

pub fn contracts_in(conn: &mut DbConnection, scope: ContractScope) -> ApiResult<Vec<NationalContract>> {
    let mut query = contracts::table
        .select((
            contracts::id,
            contracts::tenant_slug,
            contracts::reference,
            contracts::title,
            contracts::supplier_id,
            contracts::supplier_name,
            contracts::category_slug,
            contracts::value_pence,
            contracts::start_date,
            contracts::end_date,
            contracts::terminated_on,
            contracts::arrangement,
            contracts::framework_id,
            contracts::lot_number,
        ))
        .order(contracts::id.asc())
        .into_boxed();
    query = match scope {
        ContractScope::LiveIn(from, to) => query
            .filter(contracts::start_date.le(to))
            .filter(contracts::end_date.ge(from))
            .filter(contracts::terminated_on.is_null().or(contracts::terminated_on.ge(from))),
        ContractScope::EndingIn(from, to) => query
            .filter(contracts::terminated_on.is_null())
            .filter(contracts::end_date.ge(from))
            .filter(contracts::end_date.le(to)),
        ContractScope::CallOffs => query.filter(contracts::framework_id.is_not_null()),
    };
    let rows: Vec<ContractTuple> = query.load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                tenant,
                reference,
                title,
                supplier_id,
                supplier_name,
                category,
                value_pence,
                start_date,
                end_date,
                terminated_on,
                arrangement,
                framework_id,
                lot_number,
            )| {
                Ok(NationalContract {
                    arrangement: Arrangement::from_db(&arrangement)?,
                    id,
                    tenant,
                    reference,
                    title,
                    supplier_id,
                    supplier_name,
                    category,
                    value_pence,
                    start_date,
                    end_date,
                    terminated_on,
                    framework_id,
                    lot_number,
                })
            },
        )
        .collect()
}

/// The ids of every tenant's call-offs from national frameworks: how spend under a contract is
/// known to have gone through a framework, whenever the contract ran.
pub fn framework_call_off_ids(conn: &mut DbConnection) -> QueryResult<HashSet<String>> {
    Ok(contracts::table
        .filter(contracts::arrangement.eq(Arrangement::NationalFramework.as_str()))
        .select(contracts::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}
