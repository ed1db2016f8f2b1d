//! What BlueLight Commercial manages about a strategic supplier (its risk rating, modern-slavery
//! statement and tier, code of ethics, contingency and exit plans, social-value commitments):
//! the stored row, what the API shows and what the national team sets.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{ModernSlaveryRiskTier, RiskRating, SocialValueCommitment, from_json, to_json};
use crate::db::schema::strategic_profiles;
use crate::error::ApiResult;
use crate::validate::Checks;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = strategic_profiles, treat_none_as_null = true)]
pub struct StrategicProfileRow {
    pub supplier_id: String,
    pub risk_rating: Option<String>,
    pub modern_slavery_statement_url: Option<String>,
    pub modern_slavery_risk_tier: Option<String>,
    pub code_of_ethics_signed_on: Option<NaiveDate>,
    pub contingency_plan_summary: Option<String>,
    pub exit_plan_summary: Option<String>,
    pub social_value_commitments: String,
}

/// What BlueLight Commercial manages about a strategic supplier. Seen by national roles, by
/// forces, and by the supplier itself; not by other suppliers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StrategicProfile {
    /// The current rating; changed only through `POST /suppliers/{id}/risk-ratings`, with a reason.
    pub risk_rating: Option<RiskRating>,
    pub modern_slavery_statement_url: Option<String>,
    pub modern_slavery_risk_tier: Option<ModernSlaveryRiskTier>,
    /// When the supplier signed the Supplier Code of Ethics.
    pub code_of_ethics_signed_on: Option<NaiveDate>,
    pub contingency_plan_summary: Option<String>,
    pub exit_plan_summary: Option<String>,
    pub social_value_commitments: Vec<SocialValueCommitment>,
}

impl StrategicProfileRow {
    pub fn into_api(self) -> ApiResult<StrategicProfile> {
        Ok(StrategicProfile {
            risk_rating: self.risk_rating.as_deref().map(RiskRating::from_db).transpose()?,
            modern_slavery_statement_url: self.modern_slavery_statement_url,
            modern_slavery_risk_tier: self
                .modern_slavery_risk_tier
                .as_deref()
                .map(ModernSlaveryRiskTier::from_db)
                .transpose()?,
            code_of_ethics_signed_on: self.code_of_ethics_signed_on,
            contingency_plan_summary: self.contingency_plan_summary,
            exit_plan_summary: self.exit_plan_summary,
            social_value_commitments: from_json("social_value_commitments", &self.social_value_commitments)?,
        })
    }
}

/// The profile fields the national team sets directly (the risk rating has its own endpoint,
/// so every change to it carries a reason).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategicProfileInput {
    /// An http(s) URL.
    #[schema(
        pattern = r#"^https?://[!"$&'()*+,\-.0-9;=A-Z_`a-z{}~]*[A-Za-z]\.?(:([0-9]{0,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#][\s\S]*)?$"#
    )]
    pub modern_slavery_statement_url: Option<String>,
    pub modern_slavery_risk_tier: Option<ModernSlaveryRiskTier>,
    pub code_of_ethics_signed_on: Option<NaiveDate>,
    #[schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")]
    pub contingency_plan_summary: Option<String>,
    #[schema(min_length = 1, max_length = 4000, pattern = r"[^\s\u0085]")]
    pub exit_plan_summary: Option<String>,
    #[serde(default)]
    pub social_value_commitments: Vec<SocialValueCommitment>,
}

impl StrategicProfileInput {
    pub(super) fn check(&self, checks: &mut Checks) {
        if let Some(url) = &self.modern_slavery_statement_url {
            checks.url("strategic_profile.modern_slavery_statement_url", url);
        }
        checks.optional_text(
            "strategic_profile.contingency_plan_summary",
            self.contingency_plan_summary.as_deref(),
            4000,
        );
        checks.optional_text(
            "strategic_profile.exit_plan_summary",
            self.exit_plan_summary.as_deref(),
            4000,
        );
        for (i, c) in self.social_value_commitments.iter().enumerate() {
            checks.text(
                &format!("strategic_profile.social_value_commitments[{i}].theme"),
                &c.theme,
                200,
            );
            checks.text(
                &format!("strategic_profile.social_value_commitments[{i}].commitment"),
                &c.commitment,
                2000,
            );
        }
    }

    /// The row for `supplier_id`, keeping `risk_rating` as it was.
    pub fn into_row(self, supplier_id: String, risk_rating: Option<String>) -> StrategicProfileRow {
        StrategicProfileRow {
            supplier_id,
            risk_rating,
            modern_slavery_statement_url: self.modern_slavery_statement_url,
            modern_slavery_risk_tier: self.modern_slavery_risk_tier.map(|t| t.as_str().to_owned()),
            code_of_ethics_signed_on: self.code_of_ethics_signed_on,
            contingency_plan_summary: self.contingency_plan_summary,
            exit_plan_summary: self.exit_plan_summary,
            social_value_commitments: to_json(&self.social_value_commitments),
        }
    }
}
