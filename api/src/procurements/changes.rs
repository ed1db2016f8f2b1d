//! A PATCH to a procurement: which fields change, applied to the current procurement before the
//! whole is validated again.

use bluelight_rules::{
    Approval, ContractType, DirectAward, Notice, Procedure, Route, SingleTenderJustification, VatTreatment,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{NewProcurement, QuoteInput, WeightingsInput};
use crate::http::patch::{double_option, not_null};
use crate::money::{Money, NonNegativeMoney};

/// Changes to a procurement; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"route": "e_tender", "published": true}))]
pub struct ProcurementChanges {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 64, pattern = r"[^\s\u0085]")]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300, pattern = r"[^\s\u0085]")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = NonNegativeMoney)]
    pub value: Option<Money>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = VatTreatment)]
    pub vat: Option<VatTreatment>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = ContractType)]
    pub contract_type: Option<ContractType>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Route)]
    pub route: Option<Route>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<QuoteInput>, max_items = 50)]
    pub quotes: Option<Vec<QuoteInput>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<WeightingsInput>)]
    pub weightings: Option<Option<WeightingsInput>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub social_value_relevant: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub framework_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u32>)]
    pub lot_number: Option<Option<u32>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub published: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")]
    pub market_engagement_evidence: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Procedure>)]
    pub procedure: Option<Option<Procedure>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DirectAward>)]
    pub direct_award: Option<Option<DirectAward>>,
    /// Replaces the list.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<Notice>, max_items = 20)]
    pub notices: Option<Vec<Notice>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub conflicts_assessed: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = u32, maximum = 1000)]
    pub kpis_set: Option<u32>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub light_touch: Option<bool>,
    /// Replaces the list.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<Approval>, max_items = 20)]
    pub approvals: Option<Vec<Approval>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<SingleTenderJustification>)]
    pub single_tender_justification: Option<Option<SingleTenderJustification>>,
}

impl ProcurementChanges {
    /// The procurement as it will be after these changes; validated as a whole afterwards.
    pub fn apply_to(self, mut p: NewProcurement) -> NewProcurement {
        if let Some(v) = self.reference {
            p.reference = v;
        }
        if let Some(v) = self.title {
            p.title = v;
        }
        if let Some(v) = self.value {
            p.value = v;
        }
        if let Some(v) = self.vat {
            p.vat = v;
        }
        if let Some(v) = self.contract_type {
            p.contract_type = v;
        }
        if let Some(v) = self.category {
            p.category = v;
        }
        if let Some(v) = self.route {
            p.route = v;
        }
        if let Some(v) = self.quotes {
            p.quotes = v;
        }
        if let Some(v) = self.weightings {
            p.weightings = v;
        }
        if let Some(v) = self.social_value_relevant {
            p.social_value_relevant = v;
        }
        if let Some(v) = self.framework_id {
            p.framework_id = v;
        }
        if let Some(v) = self.lot_number {
            p.lot_number = v;
        }
        if let Some(v) = self.published {
            p.published = v;
        }
        if let Some(v) = self.market_engagement_evidence {
            p.market_engagement_evidence = v;
        }
        if let Some(v) = self.procedure {
            p.procedure = v;
        }
        if let Some(v) = self.direct_award {
            p.direct_award = v;
        }
        if let Some(v) = self.notices {
            p.notices = v;
        }
        if let Some(v) = self.conflicts_assessed {
            p.conflicts_assessed = v;
        }
        if let Some(v) = self.kpis_set {
            p.kpis_set = v;
        }
        if let Some(v) = self.light_touch {
            p.light_touch = v;
        }
        if let Some(v) = self.approvals {
            p.approvals = v;
        }
        if let Some(v) = self.single_tender_justification {
            p.single_tender_justification = v;
        }
        p
    }
}
