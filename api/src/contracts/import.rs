//! Reading a contracts register (CSV, the shape of a Bluelight Procurement Database export or a
//! force's spreadsheet) into contracts: each row checked as the JSON API checks a new contract,
//! all rows before anything is written.

use chrono::NaiveDate;
use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{Arrangement, ContractKpi, ContractRow, NewContract};
use super::store::{self, ContractContext};
use crate::auth::{Principal, TenantScope};
use crate::db::DbConnection;
use crate::db::schema::{contracts, frameworks};
use crate::error::ApiResult;
use crate::imports::PreparedImport;
use crate::imports::csv_file::{Column, CsvFile, CsvRow, RowErrors};
use crate::money::Money;
use crate::suppliers::directory::SupplierLocality;
use crate::tenants::model::TenantRow;

pub const COLUMNS: &[Column] = &[
    Column::required("reference", &["contract_reference", "contract_ref"]),
    Column::required("title", &["contract_title", "description"]),
    Column::required("supplier", &["supplier_name"]),
    Column::required("category", &[]),
    Column::required("value", &["contract_value", "total_value"]),
    Column::required("start_date", &[]),
    Column::required("end_date", &[]),
    Column::optional("extension_options", &["extensions"]),
    Column::optional("max_end_date", &["end_date_with_extensions"]),
    Column::optional("arrangement", &[]),
    Column::optional("framework", &["framework_reference"]),
    Column::optional("lot", &["lot_number"]),
    Column::optional("collaborative_partners", &["partners"]),
    Column::optional("contract_manager", &[]),
    Column::optional("savings", &[]),
    Column::optional("supplier_locality", &[]),
    Column::optional("sme", &[]),
    Column::optional("vcse", &[]),
    Column::optional("kpis", &[]),
    Column::optional("terminated_on", &[]),
];

/// Checks every row of `file` and returns the contracts to write, or every problem found. A
/// contract is checked against the database row by row (its call-off, its procurement), so this
/// holds a connection; registers are hundreds of rows, spend files the large ones.
pub fn prepare(
    conn: &mut DbConnection,
    scope: &TenantScope,
    tenant: &TenantRow,
    principal: &Principal,
    file: &CsvFile,
    import_id: &str,
    today: NaiveDate,
) -> ApiResult<PreparedImport<Vec<ContractRow>>> {
    let context = ContractContext::for_many(conn, tenant, today)?;
    let framework_ids: HashMap<String, String> = frameworks::table
        .select((frameworks::reference, frameworks::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let existing: HashMap<String, ContractRow> = contracts::table
        .filter(contracts::tenant_slug.eq(scope.slug()))
        .select(ContractRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| (row.reference.clone(), row))
        .collect();

    let mut errors = RowErrors::default();
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(file.len());
    let mut skipped = 0;
    for row in file.rows() {
        let line = row.line;
        let before = errors.len();
        let Some(input) = read_contract(&row, &framework_ids, &mut errors) else {
            continue;
        };
        if let Some(first) = first_seen.get(input.reference.trim()) {
            errors.add(
                line,
                "reference",
                format!(
                    "'{}' is also on line {first}; each contract once",
                    input.reference.trim()
                ),
            );
            continue;
        }
        first_seen.insert(input.reference.trim().to_owned(), line);
        if errors.len() > before {
            continue;
        }
        let supplier = match store::resolve(conn, scope, &context, &input, None) {
            Ok(supplier) => supplier,
            Err(error) => {
                errors.add_validation(line, error, column_of)?;
                continue;
            }
        };
        let contract = store::to_row(scope, input, supplier, principal, Some(import_id), None)?;
        if let Some(earlier) = existing.get(&contract.reference) {
            if earlier.same_terms(&contract) {
                skipped += 1;
            } else {
                errors.add(
                    line,
                    "reference",
                    format!(
                        "a contract with reference '{}' is already in the register with different details; change it with PATCH",
                        contract.reference
                    ),
                );
            }
            continue;
        }
        rows.push(contract);
    }
    if !errors.is_empty() {
        return Err(errors.into_rejection());
    }
    Ok(PreparedImport {
        rows_total: file.len(),
        rows_skipped: skipped,
        rows,
    })
}

/// The file's column for a field of `NewContract`, so that a row's problem names what the
/// person sending the file can see.
fn column_of(field: &str) -> &str {
    let field = field.split(['[', '.']).next().unwrap_or(field);
    match field {
        "supplier_id" | "supplier_name" => "supplier",
        "framework_id" => "framework",
        "lot_number" => "lot",
        other => other,
    }
}

/// A row as the contract a client would send; None when a cell cannot be read at all.
fn read_contract(
    row: &CsvRow<'_>,
    framework_ids: &HashMap<String, String>,
    errors: &mut RowErrors,
) -> Option<NewContract> {
    let line = row.line;
    let reference = row.required_text("reference", errors);
    let title = row.required_text("title", errors);
    let supplier = row.required_text("supplier", errors);
    let category = row.required_text("category", errors);
    let value = row.required_money("value", errors);
    let start_date = row.required_date("start_date", errors);
    let end_date = row.required_date("end_date", errors);
    let max_end_date = row.date("max_end_date", errors);
    let terminated_on = row.date("terminated_on", errors);
    let savings = row.money("savings", errors).unwrap_or(Money::ZERO);
    let lot_number = row.whole_number("lot", errors);
    let framework_id = match row.text("framework") {
        Some(reference) => match framework_ids.get(reference) {
            Some(id) => Some(id.clone()),
            None => {
                errors.add(line, "framework", format!("no framework has reference '{reference}'"));
                None
            }
        },
        None => None,
    };
    let arrangement = row
        .choice("arrangement", Arrangement::parse, Arrangement::ALL, errors)
        .unwrap_or(if row.text("framework").is_some() {
            Arrangement::NationalFramework
        } else {
            Arrangement::Local
        });
    let supplier_locality = row.choice(
        "supplier_locality",
        SupplierLocality::parse,
        SupplierLocality::ALL,
        errors,
    );
    let sme = row.yes_no("sme", errors);
    let vcse = row.yes_no("vcse", errors);
    let mut kpis = Vec::new();
    for pair in row.list("kpis") {
        match pair.split_once(':') {
            Some((name, target)) => kpis.push(ContractKpi {
                name: name.trim().to_owned(),
                target: target.trim().to_owned(),
            }),
            None => errors.add(line, "kpis", format!("'{pair}' is not 'name: target'")),
        }
    }
    Some(NewContract {
        reference: reference?,
        title: title?,
        supplier_id: None,
        supplier_name: Some(supplier?),
        supplier_locality,
        sme,
        vcse,
        category: category?,
        value: value?,
        start_date: start_date?,
        end_date: end_date?,
        extension_options: row.text("extension_options").map(str::to_owned),
        max_end_date,
        arrangement,
        framework_id,
        lot_number,
        collaborative_partners: row.list("collaborative_partners"),
        procurement_id: None,
        contract_manager: row.text("contract_manager").map(str::to_owned),
        kpis,
        savings,
        terminated_on,
    })
}
