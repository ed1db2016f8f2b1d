//! Reading a spend file (CSV, the shape of the statutory "spend over £500" files) into spend
//! lines: every row checked before anything is written.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::model::{PaymentContent, SpendLineRow};
use super::store;
use crate::auth::TenantScope;
use crate::categories::model::CategoryTree;
use crate::categories::store as categories;
use crate::clock;
use crate::contracts::store as contracts;
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::imports::PreparedImport;
use crate::imports::csv_file::{Column, CsvFile, RowErrors};
use crate::money::Money;
use crate::suppliers::directory::{SupplierDirectory, SupplierLocality, SupplierReference, TenantPlace};
use crate::tenants::model::TenantRow;

pub const COLUMNS: &[Column] = &[
    Column::required("date", &["payment_date", "transaction_date", "paid_on"]),
    Column::required("supplier", &["supplier_name", "payee"]),
    Column::required("amount", &["net_amount", "value", "amount_gbp"]),
    Column::optional("transaction_id", &["transaction_number", "transaction_ref"]),
    Column::optional("contract_reference", &["contract"]),
    Column::optional("category", &[]),
    Column::optional("expense_type", &["expense_description"]),
    Column::optional("supplier_locality", &[]),
    Column::optional("sme", &[]),
    Column::optional("vcse", &[]),
];

/// The largest single payment accepted, in pence (£1bn): beyond it a figure is a typo.
const MAX_AMOUNT_PENCE: i64 = 100_000_000_000;

/// What checking a spend file compares against, loaded with one short use of a connection so
/// that parsing and checking the file (the slow part of a large import) hold none.
pub struct SpendContext {
    directory: SupplierDirectory,
    tree: CategoryTree,
    register: HashMap<String, contracts::RegisterEntry>,
    tenant_place: TenantPlace,
    /// The tenant's recorded payments with the file's transaction ids.
    recorded: HashMap<String, SpendLineRow>,
    /// The tenant's payments recorded without a transaction id on the file's dates, counted by
    /// content (see [`without_recorded_payments`]).
    recorded_without_id: HashMap<PaymentContent, usize>,
}

impl SpendContext {
    pub fn load(
        conn: &mut DbConnection,
        scope: &TenantScope,
        tenant: &TenantRow,
        file: &CsvFile,
    ) -> ApiResult<SpendContext> {
        let transaction_ids: Vec<&str> = file.rows().filter_map(|row| row.text("transaction_id")).collect();
        // Every date the file names (unreadable ones are reported by the check).
        let mut ignored = RowErrors::default();
        let dates: Vec<NaiveDate> = file
            .rows()
            .filter(|row| row.text("transaction_id").is_none())
            .filter_map(|row| row.required_date("date", &mut ignored))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut recorded_without_id: HashMap<PaymentContent, usize> = HashMap::new();
        if !dates.is_empty() {
            for row in store::without_transaction_id_on(conn, scope, &dates)? {
                *recorded_without_id.entry(row.content()).or_default() += 1;
            }
        }
        Ok(SpendContext {
            directory: SupplierDirectory::load_all(conn)?,
            tree: categories::tree(conn)?,
            register: contracts::register_by_reference(conn, scope)?,
            tenant_place: TenantPlace::of(tenant)?,
            recorded: store::by_transaction_ids(conn, scope, &transaction_ids)?,
            recorded_without_id,
        })
    }
}

/// Checks every row of `file` against `context` and returns the lines to write, or every
/// problem found. No database connection: everything it compares against is in `context`.
pub fn check(
    file: &CsvFile,
    context: &SpendContext,
    scope: &TenantScope,
    import_id: &str,
) -> ApiResult<PreparedImport<Vec<SpendLineRow>>> {
    let SpendContext {
        directory,
        tree,
        register,
        tenant_place,
        recorded,
        recorded_without_id,
    } = context;
    let tenant_place = *tenant_place;
    let mut errors = RowErrors::default();
    let mut first_seen: HashMap<&str, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(file.len());
    let mut skipped = 0;
    for row in file.rows() {
        let line = row.line;
        let before = errors.len();
        let paid_on = row.required_date("date", &mut errors);
        let supplier_name = row.required_text("supplier", &mut errors);
        let amount = row.required_money("amount", &mut errors);
        if let Some(amount) = amount {
            if amount == Money::ZERO {
                errors.add(line, "amount", "must not be zero");
            } else if amount.pence().abs() > MAX_AMOUNT_PENCE {
                errors.add(line, "amount", "is over £1bn for one payment; check the figure");
            }
        }
        let transaction_id = row.text("transaction_id");
        if let Some(id) = transaction_id {
            if id.chars().count() > 100 {
                errors.add(line, "transaction_id", "must be at most 100 characters");
            }
            if let Some(first) = first_seen.insert(id, line) {
                errors.add(
                    line,
                    "transaction_id",
                    format!("'{id}' is also on line {first}; each payment once"),
                );
                first_seen.insert(id, first);
            }
        }
        let contract = match row.text("contract_reference") {
            Some(reference) => {
                let found = register.get(reference);
                if found.is_none() {
                    errors.add(
                        line,
                        "contract_reference",
                        format!("no contract in this tenant's register has reference '{reference}'"),
                    );
                }
                found
            }
            None => None,
        };
        let category = match row.text("category") {
            Some(slug) => {
                if !tree.contains(slug) {
                    errors.add(line, "category", format!("no category has slug '{slug}'"));
                }
                Some(slug.to_owned())
            }
            None => contract.map(|c| c.category_slug.clone()),
        };
        let locality = row
            .choice(
                "supplier_locality",
                SupplierLocality::parse,
                SupplierLocality::ALL,
                &mut errors,
            )
            .or(contract.map(|c| c.locality));
        let sme = row.yes_no("sme", &mut errors);
        let vcse = row.yes_no("vcse", &mut errors);
        let expense_type = row.text("expense_type").map(str::to_owned);
        if expense_type.as_ref().is_some_and(|t| t.chars().count() > 200) {
            errors.add(line, "expense_type", "must be at most 200 characters");
        }
        if errors.len() > before {
            continue;
        }
        let (Some(paid_on), Some(supplier_name), Some(amount)) = (paid_on, supplier_name, amount) else {
            continue;
        };
        let reference = SupplierReference {
            id: None,
            name: Some(&supplier_name),
            locality,
            sme: sme.or(contract.map(|c| c.sme)),
            vcse: vcse.or(contract.map(|c| c.vcse)),
        };
        let supplier = match directory.resolve(&reference, tenant_place) {
            Ok(supplier) => supplier,
            Err((_, message)) => {
                errors.add(line, "supplier", message);
                continue;
            }
        };
        let spend = SpendLineRow {
            id: clock::new_id(),
            tenant_slug: scope.slug().to_owned(),
            import_id: import_id.to_owned(),
            line_number: line as i64,
            transaction_id: transaction_id.map(str::to_owned),
            paid_on,
            supplier_id: supplier.id,
            supplier_name: supplier.name,
            supplier_locality: supplier.locality.as_str().to_owned(),
            supplier_sme: supplier.sme,
            supplier_vcse: supplier.vcse,
            category_slug: category,
            amount_pence: amount.pence(),
            contract_id: contract.map(|c| c.id.clone()),
            expense_type,
        };
        if let Some(earlier) = transaction_id.and_then(|id| recorded.get(id)) {
            if earlier.same_payment(&spend) {
                skipped += 1;
            } else {
                errors.add(
                    line,
                    "transaction_id",
                    format!(
                        "'{}' is already recorded (line {} of import {}) with different details",
                        earlier.transaction_id.as_deref().unwrap_or_default(),
                        earlier.line_number,
                        earlier.import_id
                    ),
                );
            }
            continue;
        }
        rows.push(spend);
    }
    if !errors.is_empty() {
        return Err(errors.into_rejection());
    }
    let (rows, already_recorded) = without_recorded_payments(recorded_without_id, rows);
    Ok(PreparedImport {
        rows_total: file.len(),
        rows_skipped: skipped + already_recorded,
        rows,
    })
}

/// Drops the lines without a transaction id that are already recorded: a payment is known by its
/// content (date, supplier, amount, contract, category, expense type, supplier facts), and
/// identical lines are counted, so the n-th identical line of a file is recorded if fewer than n
/// such lines are. A file saved again (other bytes, the same lines) adds nothing; a file with
/// one more identical payment adds one.
fn without_recorded_payments(
    recorded: &HashMap<PaymentContent, usize>,
    rows: Vec<SpendLineRow>,
) -> (Vec<SpendLineRow>, usize) {
    let mut seen: HashMap<PaymentContent, usize> = HashMap::new();
    let mut kept = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for row in rows {
        if row.transaction_id.is_none() {
            let content = row.content();
            let ordinal = seen.entry(content.clone()).or_default();
            *ordinal += 1;
            if *ordinal <= recorded.get(&content).copied().unwrap_or(0) {
                skipped += 1;
                continue;
            }
        }
        kept.push(row);
    }
    (kept, skipped)
}
