//! A tenant's spend: payments as forces publish them (the "spend over £500" files), each linked
//! to the contract it was under, if any.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::spend_lines;
use crate::error::ApiResult;
use crate::money::Money;
use crate::suppliers::directory::SupplierLocality;

/// One payment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SpendLine {
    pub id: String,
    pub tenant: String,
    /// The import it came from, and its line in that file.
    pub import_id: String,
    pub line_number: i64,
    /// The tenant's own id for the payment.
    pub transaction_id: Option<String>,
    pub paid_on: NaiveDate,
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub supplier_locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
    pub category: Option<String>,
    /// Negative for a credit note.
    pub amount: Money,
    /// The contract it was paid under, if any.
    pub contract_id: Option<String>,
    pub expense_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = spend_lines, treat_none_as_default_value = false)]
pub struct SpendLineRow {
    pub id: String,
    pub tenant_slug: String,
    pub import_id: String,
    pub line_number: i64,
    pub transaction_id: Option<String>,
    pub paid_on: NaiveDate,
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub supplier_locality: String,
    pub supplier_sme: bool,
    pub supplier_vcse: bool,
    pub category_slug: Option<String>,
    pub amount_pence: i64,
    pub contract_id: Option<String>,
    pub expense_type: Option<String>,
}

/// What a payment without a transaction id is known by: everything it says, but not where it
/// was read from.
pub type PaymentContent = (
    NaiveDate,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    bool,
    bool,
);

impl SpendLineRow {
    pub fn content(&self) -> PaymentContent {
        (
            self.paid_on,
            self.supplier_name.clone(),
            self.amount_pence,
            self.contract_id.clone(),
            self.category_slug.clone(),
            self.expense_type.clone(),
            self.supplier_locality.clone(),
            self.supplier_sme,
            self.supplier_vcse,
        )
    }

    /// The same payment as `other`, whichever import and line recorded it.
    pub fn same_payment(&self, other: &SpendLineRow) -> bool {
        self.transaction_id == other.transaction_id
            && self.paid_on == other.paid_on
            && self.amount_pence == other.amount_pence
            && self.supplier_name == other.supplier_name
            && self.contract_id == other.contract_id
            && self.category_slug == other.category_slug
            && self.expense_type == other.expense_type
            && self.supplier_locality == other.supplier_locality
            && self.supplier_sme == other.supplier_sme
            && self.supplier_vcse == other.supplier_vcse
    }

    pub fn into_api(self) -> ApiResult<SpendLine> {
        Ok(SpendLine {
            supplier_locality: SupplierLocality::from_db(&self.supplier_locality)?,
            id: self.id,
            tenant: self.tenant_slug,
            import_id: self.import_id,
            line_number: self.line_number,
            transaction_id: self.transaction_id,
            paid_on: self.paid_on,
            supplier_id: self.supplier_id,
            supplier_name: self.supplier_name,
            sme: self.supplier_sme,
            vcse: self.supplier_vcse,
            category: self.category_slug,
            amount: Money::from_pence(self.amount_pence),
            contract_id: self.contract_id,
            expense_type: self.expense_type,
        })
    }
}

/// Filters for a tenant's spend.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpendFilter {
    /// Paid on or after this day.
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub from: Option<NaiveDate>,
    /// Paid on or before this day.
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-")]
    pub to: Option<NaiveDate>,
    /// A national supplier's id.
    pub supplier: Option<String>,
    /// A category's slug (exactly that category).
    pub category: Option<String>,
    /// A contract's id: the spend under it.
    pub contract: Option<String>,
    /// `true`: only spend under a contract, as the `spend_under_contract` KPI counts it (naming a
    /// register contract and paid within its term: start to end, or to its termination);
    /// `false`: all other spend.
    pub under_contract: Option<bool>,
    /// An import's id: the lines it wrote.
    pub import: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
