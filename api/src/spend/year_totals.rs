//! A tenant's spend per financial year by contract, supplier and category
//! (`spend_year_totals`): added to in the import's transaction as its lines are written, so the
//! national reports over whole financial years read these sums instead of every line.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::model::SpendLineRow;
use crate::db::schema::spend_year_totals;
use crate::db::{self, DbConnection};

/// The financial year (1 April to 31 March) a day falls in, named by the year of its April.
pub fn financial_year_of(day: NaiveDate) -> i32 {
    if day.month() >= 4 { day.year() } else { day.year() - 1 }
}

/// 1 April of the financial year, and the 31 March that ends it.
pub fn financial_year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 4, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 3, 31)?,
    ))
}

/// A period as the whole financial years it covers, read from the totals, and the days around
/// them that are not a whole year, read from the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodParts {
    /// First and last financial year wholly inside the period.
    pub whole_years: Option<(i32, i32)>,
    /// The days before the first whole year and after the last (or the whole period, if it holds
    /// no whole year).
    pub remnants: Vec<(NaiveDate, NaiveDate)>,
}

pub fn split_period(from: NaiveDate, to: NaiveDate) -> PeriodParts {
    let first = if (from.month(), from.day()) == (4, 1) {
        from.year()
    } else {
        financial_year_of(from) + 1
    };
    let last = if (to.month(), to.day()) == (3, 31) {
        to.year() - 1
    } else {
        financial_year_of(to) - 1
    };
    let bounds = financial_year_bounds(first).zip(financial_year_bounds(last));
    let Some(((start, _), (_, end))) = bounds.filter(|_| first <= last) else {
        return PeriodParts {
            whole_years: None,
            remnants: vec![(from, to)],
        };
    };
    let mut remnants = Vec::new();
    if let Some(before) = start.pred_opt().filter(|_| from < start) {
        remnants.push((from, before));
    }
    if let Some(after) = end.succ_opt().filter(|_| to > end) {
        remnants.push((after, to));
    }
    PeriodParts {
        whole_years: Some((first, last)),
        remnants,
    }
}

/// Total rows written at once: eight columns each, well within SQLite's limit on bound values.
const UPSERT_BATCH: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = spend_year_totals)]
struct YearTotalRow<'a> {
    tenant_slug: &'a str,
    financial_year: i32,
    contract_id: &'a str,
    supplier_id: &'a str,
    supplier_name: &'a str,
    category_slug: &'a str,
    amount_pence: i64,
    lines: i64,
}

/// Adds the lines being written to their years' totals. Run it in the transaction that writes
/// them, so that the totals never disagree with the lines.
pub fn add_lines(conn: &mut DbConnection, lines: &[SpendLineRow]) -> QueryResult<()> {
    type Key<'a> = (&'a str, i32, &'a str, &'a str, &'a str, &'a str);
    let mut sums: HashMap<Key<'_>, (i64, i64)> = HashMap::new();
    for line in lines {
        let key = (
            line.tenant_slug.as_str(),
            financial_year_of(line.paid_on),
            line.contract_id.as_deref().unwrap_or(""),
            line.supplier_id.as_deref().unwrap_or(""),
            line.supplier_name.as_str(),
            line.category_slug.as_deref().unwrap_or(""),
        );
        let sum = sums.entry(key).or_insert((0, 0));
        sum.0 += line.amount_pence;
        sum.1 += 1;
    }
    let rows: Vec<YearTotalRow<'_>> = sums
        .into_iter()
        .map(
            |(
                (tenant_slug, financial_year, contract_id, supplier_id, supplier_name, category_slug),
                (amount, count),
            )| {
                YearTotalRow {
                    tenant_slug,
                    financial_year,
                    contract_id,
                    supplier_id,
                    supplier_name,
                    category_slug,
                    amount_pence: amount,
                    lines: count,
                }
            },
        )
        .collect();
    for chunk in rows.chunks(UPSERT_BATCH) {
        db::insert_or_update!(
            conn,
            spend_year_totals::table,
            chunk,
            (
                spend_year_totals::tenant_slug,
                spend_year_totals::financial_year,
                spend_year_totals::contract_id,
                spend_year_totals::supplier_id,
                spend_year_totals::supplier_name,
                spend_year_totals::category_slug,
            ),
            (
                spend_year_totals::amount_pence
                    .eq(spend_year_totals::amount_pence + excluded(spend_year_totals::amount_pence)),
                spend_year_totals::lines.eq(spend_year_totals::lines + excluded(spend_year_totals::lines)),
            )
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_day_belongs_to_the_year_of_its_april() {
        assert_eq!(financial_year_of(day(2024, 4, 1)), 2024);
        assert_eq!(financial_year_of(day(2025, 3, 31)), 2024);
        assert_eq!(financial_year_of(day(2025, 1, 15)), 2024);
        assert_eq!(financial_year_of(day(2024, 3, 31)), 2023);
    }

    #[test]
    fn a_whole_year_has_no_remnants() {
        assert_eq!(
            split_period(day(2024, 4, 1), day(2025, 3, 31)),
            PeriodParts {
                whole_years: Some((2024, 2024)),
                remnants: vec![]
            }
        );
        assert_eq!(
            split_period(day(2023, 4, 1), day(2025, 3, 31)).whole_years,
            Some((2023, 2024))
        );
    }

    #[test]
    fn days_around_whole_years_are_read_from_the_lines() {
        assert_eq!(
            split_period(day(2024, 2, 10), day(2025, 6, 30)),
            PeriodParts {
                whole_years: Some((2024, 2024)),
                remnants: vec![
                    (day(2024, 2, 10), day(2024, 3, 31)),
                    (day(2025, 4, 1), day(2025, 6, 30))
                ],
            }
        );
    }

    #[test]
    fn a_period_short_of_a_whole_year_is_all_remnant() {
        for (from, to) in [
            (day(2024, 4, 1), day(2025, 3, 30)),
            (day(2024, 4, 2), day(2025, 3, 31)),
            (day(2024, 6, 1), day(2024, 6, 1)),
            (day(2024, 4, 2), day(2026, 3, 30)),
        ] {
            assert_eq!(
                split_period(from, to),
                PeriodParts {
                    whole_years: None,
                    remnants: vec![(from, to)]
                },
                "{from}..{to}"
            );
        }
    }
}
