//! What the Procurement Act 2023 and the forces' documents ask a procurement to record beyond its
//! route: the procedure in the Act's terms, a direct award's Schedule 5 ground, the notices
//! published, the conflicts assessment, KPIs, light-touch contracts, approvals and a single
//! tender action's justification. Their checks and their stored form live here; whether a
//! procurement complies is for the rule plugins to say, so only records that contradict
//! themselves are refused.

use bluelight_rules::{Approval, DirectAward, Notice, Procedure, Route, SingleTenderJustification};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{NewProcurement, ProcurementRow};
use crate::error::{ApiError, ApiResult};
use crate::validate::Checks;

pub const MAX_NOTICES: usize = 20;
pub const MAX_APPROVALS: usize = 20;
/// Far beyond any contract's KPI schedule; keeps a typing slip from reading as a real figure.
pub const MAX_KPIS: u32 = 1000;

pub fn check(p: &NewProcurement, checks: &mut Checks) {
    match (p.procedure, &p.direct_award) {
        (Some(Procedure::DirectAward), Some(award)) => checks.text("direct_award.evidence", &award.evidence, 4000),
        (_, Some(_)) => checks.fail(
            "direct_award",
            "only a procedure of direct_award records a direct award",
        ),
        _ => {}
    }
    let call_off_route = p.route == Route::FrameworkCallOff;
    match p.procedure {
        Some(Procedure::FrameworkCallOff) if !call_off_route => checks.fail(
            "procedure",
            "a framework_call_off procedure needs the framework_call_off route (with its framework and lot)",
        ),
        Some(other) if call_off_route && other != Procedure::FrameworkCallOff => checks.fail(
            "procedure",
            format!(
                "a framework_call_off route is the framework_call_off procedure, not {}",
                other.as_str()
            ),
        ),
        _ => {}
    }
    checks.check(
        p.notices.len() <= MAX_NOTICES,
        "notices",
        format!("at most {MAX_NOTICES} notices"),
    );
    for (i, notice) in p.notices.iter().enumerate() {
        checks.date(&format!("notices[{i}].published_on"), Some(notice.published_on));
    }
    checks.check(
        p.kpis_set <= MAX_KPIS,
        "kpis_set",
        format!("must be at most {MAX_KPIS}"),
    );
    checks.check(
        p.approvals.len() <= MAX_APPROVALS,
        "approvals",
        format!("at most {MAX_APPROVALS} approvals"),
    );
    for (i, approval) in p.approvals.iter().enumerate() {
        checks.text(&format!("approvals[{i}].approver"), &approval.approver, 200);
        checks.text(&format!("approvals[{i}].role"), &approval.role, 200);
        checks.date(&format!("approvals[{i}].approved_on"), Some(approval.approved_on));
    }
    if let Some(justification) = &p.single_tender_justification {
        if p.route == Route::SingleTenderAction {
            checks.text(
                "single_tender_justification.sole_supplier_evidence",
                &justification.sole_supplier_evidence,
                4000,
            );
            checks.text(
                "single_tender_justification.market_engagement",
                &justification.market_engagement,
                4000,
            );
        } else {
            checks.fail(
                "single_tender_justification",
                "only a single_tender_action records a single tender justification",
            );
        }
    }
}

/// The fields as stored, from a validated procurement (text trimmed as everywhere else).
pub struct StoredActFields {
    pub act_procedure: Option<String>,
    pub direct_award: Option<String>,
    pub notices: String,
    pub conflicts_assessed: bool,
    pub kpis_set: i32,
    pub light_touch: bool,
    pub approvals: String,
    pub single_tender_justification: Option<String>,
}

pub fn to_stored(p: &NewProcurement) -> ApiResult<StoredActFields> {
    let direct_award = p.direct_award.as_ref().map(|d| DirectAward {
        ground: d.ground,
        evidence: d.evidence.trim().to_owned(),
    });
    let mut notices = p.notices.clone();
    notices.sort_by_key(|n| (n.published_on, n.kind));
    let approvals: Vec<Approval> = p
        .approvals
        .iter()
        .map(|a| Approval {
            approver: a.approver.trim().to_owned(),
            role: a.role.trim().to_owned(),
            approved_on: a.approved_on,
        })
        .collect();
    let justification = p
        .single_tender_justification
        .as_ref()
        .map(|j| SingleTenderJustification {
            sole_supplier_evidence: j.sole_supplier_evidence.trim().to_owned(),
            market_engagement: j.market_engagement.trim().to_owned(),
        });
    Ok(StoredActFields {
        act_procedure: p.procedure.map(|v| v.as_str().to_owned()),
        direct_award: direct_award.as_ref().map(to_json).transpose()?,
        notices: to_json(&notices)?,
        conflicts_assessed: p.conflicts_assessed,
        kpis_set: p.kpis_set as i32,
        light_touch: p.light_touch,
        approvals: to_json(&approvals)?,
        single_tender_justification: justification.as_ref().map(to_json).transpose()?,
    })
}

fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))
}

fn from_json<T: DeserializeOwned>(row: &ProcurementRow, what: &str, text: &str) -> ApiResult<T> {
    serde_json::from_str(text)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored {what} of procurement {}: {e}", row.id)))
}

impl ProcurementRow {
    pub fn procedure(&self) -> ApiResult<Option<Procedure>> {
        match &self.act_procedure {
            None => Ok(None),
            Some(text) => Procedure::parse(text)
                .map(Some)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("stored procedure '{text}' is not known"))),
        }
    }

    pub fn direct_award(&self) -> ApiResult<Option<DirectAward>> {
        self.direct_award
            .as_deref()
            .map(|text| from_json(self, "direct award", text))
            .transpose()
    }

    pub fn notices(&self) -> ApiResult<Vec<Notice>> {
        from_json(self, "notices", &self.notices)
    }

    pub fn approvals(&self) -> ApiResult<Vec<Approval>> {
        from_json(self, "approvals", &self.approvals)
    }

    pub fn single_tender_justification(&self) -> ApiResult<Option<SingleTenderJustification>> {
        self.single_tender_justification
            .as_deref()
            .map(|text| from_json(self, "single tender justification", text))
            .transpose()
    }
}
