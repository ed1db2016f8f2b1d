//! A tenant's procurements: what a buyer records, what the API returns, and the stored row.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bluelight_rules::{
    Approval, ContractType, DirectAward, Notice, Outcome, Procedure, Route, SingleTenderJustification, VatTreatment,
};

use super::act_fields;
use super::percentage::Percentage;
use crate::clock;
use crate::db::schema::procurements;
use crate::error::{ApiError, ApiResult};
use crate::money::{Money, NonNegativeMoney};
use crate::validate::Checks;

pub const MAX_QUOTES: usize = 50;

/// One quote as a buyer records it. Name a known supplier by `supplier_id` (its name, SME and
/// VCSE flags then come from the national record) or give `supplier_name` for one the service
/// does not know.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    pub supplier_id: Option<String>,
    #[schema(
        example = "Shire Kit Supplies Ltd",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\s\u0085]"
    )]
    pub supplier_name: Option<String>,
    #[schema(value_type = NonNegativeMoney)]
    pub amount: Money,
    /// Whether the supplier is local: based in the force's area. When absent for a known supplier,
    /// it is local when its national record says it is based in the tenant's area (serving the
    /// area, or the region, does not make a supplier local).
    pub local: Option<bool>,
    /// For a supplier the service does not know; a known supplier's own flags are used.
    pub sme: Option<bool>,
    pub vcse: Option<bool>,
}

/// A quote as stored and returned: the supplier resolved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct Quote {
    pub supplier_id: Option<String>,
    pub supplier_name: String,
    pub amount: Money,
    pub local: bool,
    pub sme: bool,
    pub vcse: bool,
}

/// Tender evaluation weightings as percentages; they add up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightingsInput {
    #[schema(value_type = String, example = "60", pattern = r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$")]
    pub price: Percentage,
    #[schema(value_type = String, example = "30", pattern = r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$")]
    pub quality: Percentage,
    #[schema(value_type = String, example = "10", pattern = r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$")]
    pub social_value: Percentage,
}

/// A procurement to record.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference": "BED-2026-0142",
    "title": "Replacement body-worn camera mounts",
    "value": "48500.00",
    "vat": "exclusive",
    "contract_type": "goods",
    "category": "body-worn-video",
    "route": "multiple_quotes",
    "quotes": [
        {"supplier_name": "Ouse Valley Engineering Ltd", "amount": "48500.00", "local": true, "sme": true},
        {"supplier_name": "Chiltern Fabrication Ltd", "amount": "51200.00", "local": true, "sme": true},
        {"supplier_name": "Midland Mounts plc", "amount": "53900.00", "local": false}
    ],
    "social_value_relevant": false,
    "published": false
}))]
pub struct NewProcurement {
    /// The force's own reference, unique within the tenant.
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\u0085]")]
    pub reference: String,
    #[schema(min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: String,
    /// The whole-life value in pounds.
    #[schema(value_type = NonNegativeMoney)]
    pub value: Money,
    /// Whether `value` includes VAT (default `exclusive`).
    #[serde(default = "default_vat")]
    pub vat: VatTreatment,
    pub contract_type: ContractType,
    /// The category's slug.
    pub category: String,
    /// The route to market the buyer is taking (or took).
    pub route: Route,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub quotes: Vec<QuoteInput>,
    pub weightings: Option<WeightingsInput>,
    /// Social value is relevant to this procurement (Public Services (Social Value) Act 2012).
    #[serde(default)]
    pub social_value_relevant: bool,
    /// For a framework call-off: the framework's id and the lot's number.
    pub framework_id: Option<String>,
    pub lot_number: Option<u32>,
    /// The opportunity was published (force website, e-tendering portal).
    #[serde(default)]
    pub published: bool,
    /// What market engagement was done, if any (needed before a single tender action).
    #[schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")]
    pub market_engagement_evidence: Option<String>,
    /// The procedure under the Procurement Act 2023, when the buyer records one. Without it the
    /// national rules have only `route` to go on, which is the force's term, not the Act's.
    pub procedure: Option<Procedure>,
    /// For the `direct_award` procedure: its Schedule 5 ground (or s.43) and the evidence for it.
    pub direct_award: Option<DirectAward>,
    /// The Act's notices published for this procurement, with their dates.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub notices: Vec<Notice>,
    /// A conflicts assessment was prepared (s.83).
    #[serde(default)]
    pub conflicts_assessed: bool,
    /// How many KPIs are set for the contract (s.52 asks for at least three over £5m).
    #[serde(default)]
    #[schema(maximum = 1000)]
    pub kpis_set: u32,
    /// A light-touch contract (Schedule 1's light-touch threshold applies).
    #[serde(default)]
    pub light_touch: bool,
    /// Who approved the procurement, in what role and when.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub approvals: Vec<Approval>,
    /// For a `single_tender_action`: why only one supplier can do it, and the market engagement
    /// that showed it.
    pub single_tender_justification: Option<SingleTenderJustification>,
}

fn default_vat() -> VatTreatment {
    VatTreatment::Exclusive
}

impl NewProcurement {
    /// The checks that need no database; references to categories, frameworks and suppliers are
    /// checked by `store::resolve`.
    pub fn check_fields(&self, checks: &mut Checks) {
        checks.text("reference", &self.reference, 64);
        checks.text("title", &self.title, 300);
        checks.non_negative("value", Some(self.value));
        checks.optional_text(
            "market_engagement_evidence",
            self.market_engagement_evidence.as_deref(),
            4000,
        );
        checks.check(
            self.quotes.len() <= MAX_QUOTES,
            "quotes",
            format!("at most {MAX_QUOTES} quotes"),
        );
        for (i, quote) in self.quotes.iter().enumerate() {
            checks.non_negative(&format!("quotes[{i}].amount"), Some(quote.amount));
            match (&quote.supplier_id, &quote.supplier_name) {
                (None, None) => checks.fail(
                    format!("quotes[{i}].supplier_name"),
                    "name the supplier: give supplier_id or supplier_name",
                ),
                (None, Some(name)) => checks.text(&format!("quotes[{i}].supplier_name"), name, 200),
                (Some(_), _) => {}
            }
        }
        if let Some(w) = self.weightings {
            let total = w.price.basis_points() + w.quality.basis_points() + w.social_value.basis_points();
            checks.check(
                total == 10_000,
                "weightings",
                format!(
                    "price, quality and social_value must add up to 100; they add up to {}",
                    Percentage::from_basis_points(total)
                ),
            );
        }
        let call_off = self.route == Route::FrameworkCallOff;
        match (call_off, &self.framework_id, self.lot_number) {
            (true, None, _) => checks.fail("framework_id", "a framework call-off names its framework"),
            (true, Some(_), None) => checks.fail("lot_number", "a framework call-off names its lot"),
            (false, Some(_), _) => checks.fail("framework_id", "only a framework_call_off names a framework"),
            (false, None, Some(_)) => checks.fail("lot_number", "only a framework_call_off names a lot"),
            _ => {}
        }
        act_fields::check(self, checks);
    }
}

/// A procurement as the API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Procurement {
    pub id: String,
    pub tenant: String,
    pub reference: String,
    pub title: String,
    pub value: Money,
    pub vat: VatTreatment,
    pub contract_type: ContractType,
    pub category: String,
    pub route: Route,
    pub quotes: Vec<Quote>,
    pub weightings: Option<WeightingsInput>,
    pub social_value_relevant: bool,
    pub framework_id: Option<String>,
    pub lot_number: Option<u32>,
    pub published: bool,
    pub market_engagement_evidence: Option<String>,
    pub procedure: Option<Procedure>,
    pub direct_award: Option<DirectAward>,
    /// Oldest first.
    pub notices: Vec<Notice>,
    pub conflicts_assessed: bool,
    pub kpis_set: u32,
    pub light_touch: bool,
    pub approvals: Vec<Approval>,
    pub single_tender_justification: Option<SingleTenderJustification>,
    /// The outcome of the latest evaluation, if it has been evaluated.
    pub last_outcome: Option<Outcome>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procurements, treat_none_as_null = true)]
pub struct ProcurementRow {
    pub id: String,
    pub tenant_slug: String,
    pub reference: String,
    pub title: String,
    pub value_pence: i64,
    pub vat: String,
    pub contract_type: String,
    pub category_slug: String,
    pub route: String,
    pub quotes: String,
    pub weight_price_bp: Option<i32>,
    pub weight_quality_bp: Option<i32>,
    pub weight_social_value_bp: Option<i32>,
    pub social_value_relevant: bool,
    pub framework_id: Option<String>,
    pub lot_number: Option<i32>,
    pub published: bool,
    pub market_engagement_evidence: Option<String>,
    pub last_outcome: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub act_procedure: Option<String>,
    pub direct_award: Option<String>,
    pub notices: String,
    pub conflicts_assessed: bool,
    pub kpis_set: i32,
    pub light_touch: bool,
    pub approvals: String,
    pub single_tender_justification: Option<String>,
}

fn stored<T>(what: &str, value: Option<T>, text: &str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("stored {what} '{text}' is not known")))
}

impl ProcurementRow {
    pub fn route(&self) -> ApiResult<Route> {
        stored("route", Route::parse(&self.route), &self.route)
    }

    pub fn vat(&self) -> ApiResult<VatTreatment> {
        stored("vat", VatTreatment::parse(&self.vat), &self.vat)
    }

    pub fn contract_type(&self) -> ApiResult<ContractType> {
        stored(
            "contract type",
            ContractType::parse(&self.contract_type),
            &self.contract_type,
        )
    }

    pub fn quotes(&self) -> ApiResult<Vec<Quote>> {
        serde_json::from_str(&self.quotes)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored quotes of procurement {}: {e}", self.id)))
    }

    pub fn weightings(&self) -> Option<WeightingsInput> {
        match (
            self.weight_price_bp,
            self.weight_quality_bp,
            self.weight_social_value_bp,
        ) {
            (Some(price), Some(quality), Some(social_value)) => Some(WeightingsInput {
                price: Percentage::from_basis_points(price as u32),
                quality: Percentage::from_basis_points(quality as u32),
                social_value: Percentage::from_basis_points(social_value as u32),
            }),
            _ => None,
        }
    }

    /// The row in the shape a buyer sends, so that a PATCH is applied and validated exactly as a
    /// new procurement would be.
    pub fn to_input(&self) -> ApiResult<NewProcurement> {
        Ok(NewProcurement {
            reference: self.reference.clone(),
            title: self.title.clone(),
            value: Money::from_pence(self.value_pence),
            vat: self.vat()?,
            contract_type: self.contract_type()?,
            category: self.category_slug.clone(),
            route: self.route()?,
            quotes: self
                .quotes()?
                .into_iter()
                .map(|q| QuoteInput {
                    supplier_id: q.supplier_id,
                    supplier_name: Some(q.supplier_name),
                    amount: q.amount,
                    local: Some(q.local),
                    sme: Some(q.sme),
                    vcse: Some(q.vcse),
                })
                .collect(),
            weightings: self.weightings(),
            social_value_relevant: self.social_value_relevant,
            framework_id: self.framework_id.clone(),
            lot_number: self.lot_number.map(|n| n as u32),
            published: self.published,
            market_engagement_evidence: self.market_engagement_evidence.clone(),
            procedure: self.procedure()?,
            direct_award: self.direct_award()?,
            notices: self.notices()?,
            conflicts_assessed: self.conflicts_assessed,
            kpis_set: self.kpis_set as u32,
            light_touch: self.light_touch,
            approvals: self.approvals()?,
            single_tender_justification: self.single_tender_justification()?,
        })
    }

    pub fn into_api(self) -> ApiResult<Procurement> {
        Ok(Procurement {
            vat: self.vat()?,
            contract_type: self.contract_type()?,
            route: self.route()?,
            quotes: self.quotes()?,
            weightings: self.weightings(),
            procedure: self.procedure()?,
            direct_award: self.direct_award()?,
            notices: self.notices()?,
            approvals: self.approvals()?,
            single_tender_justification: self.single_tender_justification()?,
            last_outcome: match &self.last_outcome {
                Some(text) => Some(stored("outcome", Outcome::parse(text), text)?),
                None => None,
            },
            id: self.id,
            tenant: self.tenant_slug,
            reference: self.reference,
            title: self.title,
            value: Money::from_pence(self.value_pence),
            category: self.category_slug,
            social_value_relevant: self.social_value_relevant,
            framework_id: self.framework_id,
            lot_number: self.lot_number.map(|n| n as u32),
            published: self.published,
            market_engagement_evidence: self.market_engagement_evidence,
            conflicts_assessed: self.conflicts_assessed,
            kpis_set: self.kpis_set as u32,
            light_touch: self.light_touch,
            created_by: self.created_by,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

// Schema only: the values the `outcome` filter takes (checked by the list handler).
/// The latest evaluation's outcome, or `unevaluated`.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum OutcomeFilter {
    Compliant,
    NonCompliant,
    Unevaluated,
}

/// Filters for a tenant's procurements.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProcurementFilter {
    /// Words in the reference or title (case-insensitive).
    pub q: Option<String>,
    pub route: Option<Route>,
    /// A category's slug (exactly that category).
    pub category: Option<String>,
    /// The latest evaluation's outcome, or `unevaluated`.
    #[param(value_type = Option<OutcomeFilter>, inline, example = "non_compliant")]
    pub outcome: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
