//! A strategic supplier's management data over time: its risk rating history and its KPI
//! scores, each recorded by the national team.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::RiskRating;
use crate::clock;
use crate::db::schema::{supplier_kpi_scores, supplier_risk_changes};
use crate::error::ApiResult;
use crate::validate::Checks;

// ----- risk ratings -----

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = supplier_risk_changes)]
pub struct RiskChangeRow {
    pub id: String,
    pub supplier_id: String,
    pub rating: String,
    pub previous_rating: Option<String>,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

/// One change of a strategic supplier's risk rating, with its reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RiskRatingChange {
    pub id: String,
    pub rating: RiskRating,
    pub previous_rating: Option<RiskRating>,
    #[schema(example = "Profit warning; late payment of its supply chain reported by two forces")]
    pub reason: String,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

impl RiskChangeRow {
    pub fn into_api(self) -> ApiResult<RiskRatingChange> {
        Ok(RiskRatingChange {
            rating: RiskRating::from_db(&self.rating)?,
            previous_rating: self.previous_rating.as_deref().map(RiskRating::from_db).transpose()?,
            id: self.id,
            reason: self.reason,
            changed_by: self.changed_by,
            changed_at: clock::utc(self.changed_at),
        })
    }
}

/// A new risk rating for a strategic supplier.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": "amber", "reason": "Two late deliveries of body armour in Q3; recovery plan agreed"}))]
pub struct NewRiskRating {
    pub rating: RiskRating,
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]")]
    pub reason: String,
}

impl NewRiskRating {
    pub fn validate(&self) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.text("reason", &self.reason, 2000);
        checks.finish()
    }
}

// ----- KPI scores -----

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = supplier_kpi_scores)]
pub struct KpiScoreRow {
    pub id: String,
    pub supplier_id: String,
    pub period: String,
    pub name: String,
    pub score: i32,
    pub target: Option<i32>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// A KPI score for a period, 0 to 100.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KpiScore {
    pub id: String,
    #[schema(example = "2026-Q3")]
    pub period: String,
    #[schema(example = "On-time delivery")]
    pub name: String,
    #[schema(example = 94)]
    pub score: i32,
    #[schema(example = 95)]
    pub target: Option<i32>,
    /// Whether the score reached its target (null without a target).
    pub met_target: Option<bool>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl KpiScoreRow {
    pub fn into_api(self) -> KpiScore {
        KpiScore {
            met_target: self.target.map(|target| self.score >= target),
            id: self.id,
            period: self.period,
            name: self.name,
            score: self.score,
            target: self.target,
            recorded_by: self.recorded_by,
            recorded_at: clock::utc(self.recorded_at),
        }
    }
}

/// A KPI score to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-Q3", "name": "On-time delivery", "score": 94, "target": 95}))]
pub struct NewKpiScore {
    /// A quarter, `YYYY-Qn`.
    #[schema(pattern = r"^[0-9]{4}-Q[1-4]$")]
    pub period: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: String,
    #[schema(minimum = 0, maximum = 100)]
    pub score: i32,
    #[schema(minimum = 0, maximum = 100)]
    pub target: Option<i32>,
}

/// Whether `period` is a quarter such as `2026-Q3`.
pub fn is_quarter(period: &str) -> bool {
    let b = period.as_bytes();
    b.len() == 7 && b[..4].iter().all(u8::is_ascii_digit) && &b[4..6] == b"-Q" && (b'1'..=b'4').contains(&b[6])
}

impl NewKpiScore {
    pub fn validate(&self) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.check(
            is_quarter(&self.period),
            "period",
            "must be a quarter such as `2026-Q3`",
        );
        checks.text("name", &self.name, 200);
        checks.check((0..=100).contains(&self.score), "score", "must be between 0 and 100");
        if let Some(target) = self.target {
            checks.check((0..=100).contains(&target), "target", "must be between 0 and 100");
        }
        checks.finish()
    }
}

/// Filters for KPI scores.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KpiFilter {
    /// Only this quarter, e.g. `2026-Q3`.
    #[param(pattern = r"^[0-9]{4}-Q[1-4]$")]
    pub period: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Pagination for a supplier's risk history.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryFilter {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
