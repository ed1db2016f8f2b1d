//! Interface version 2 (`bluelight:rules@2.0.0`): the generated bindings and the conversions
//! between them and the host's serde types. Version 1 stays in `v1.rs`, frozen; the engine picks
//! the module by the version a component imports.

use crate::types::{
    Approval, AuthorityType, CallOff, CategoryRef, ContractType, Decision, DirectAward, DirectAwardGround, Finding,
    Notice, NoticeKind, Outcome, PluginInfo, PluginQuote, Procedure, Procurement, Route, RuleInfo, Severity,
    SingleTenderJustification, VatTreatment,
};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/rules-v2.wit",
        world: "rule-plugin",
    });
}

use bindings::bluelight::rules::types as wit;
pub use bindings::{RulePlugin, RulePluginPre};

/// The name of the interface a v2 component imports its types from.
pub const TYPES_INTERFACE: &str = "bluelight:rules/types@2.0.0";

/// An ISO date, `YYYY-MM-DD`: `NaiveDate`'s `Display`, which writes the fields directly where
/// `format("%Y-%m-%d")` parsed its pattern again for every date (about 2% of a batch's time).
fn date(d: chrono::NaiveDate) -> String {
    d.to_string()
}

pub fn procurement(p: &Procurement) -> wit::Procurement {
    wit::Procurement {
        tenant: p.tenant.clone(),
        reference: p.reference.clone(),
        title: p.title.clone(),
        value: p.value_pence,
        vat: match p.vat {
            VatTreatment::Exclusive => wit::VatTreatment::Exclusive,
            VatTreatment::Inclusive => wit::VatTreatment::Inclusive,
            VatTreatment::Exempt => wit::VatTreatment::Exempt,
        },
        value_including_vat: p.value_including_vat_pence(),
        contract_type: match p.contract_type {
            ContractType::Goods => wit::ContractType::Goods,
            ContractType::Services => wit::ContractType::Services,
            ContractType::Works => wit::ContractType::Works,
        },
        light_touch: p.light_touch,
        authority_type: match p.authority_type {
            AuthorityType::CentralGovernment => wit::AuthorityType::CentralGovernment,
            AuthorityType::SubCentral => wit::AuthorityType::SubCentral,
        },
        category: category(&p.category),
        route: route_to_wit(p.route),
        procedure: p.procedure.map(procedure_to_wit),
        direct_award: p.direct_award.as_ref().map(direct_award),
        notices: p.notices.iter().map(notice).collect(),
        conflicts_assessed: p.conflicts_assessed,
        kpis_set: p.kpis_set,
        approvals: p.approvals.iter().map(approval).collect(),
        single_tender_justification: p.single_tender_justification.as_ref().map(single_tender_justification),
        quotes: p.quotes.iter().map(quote).collect(),
        weightings: p.weightings.map(|w| wit::Weightings {
            price: w.price,
            quality: w.quality,
            social_value: w.social_value,
        }),
        social_value_relevant: p.social_value_relevant,
        call_off: p.call_off.as_ref().map(call_off),
        published: p.published,
        market_engagement_evidence: p.market_engagement_evidence.clone(),
        evaluation_date: date(p.evaluation_date),
    }
}

fn procedure_to_wit(p: Procedure) -> wit::Procedure {
    match p {
        Procedure::Open => wit::Procedure::Open,
        Procedure::CompetitiveFlexible => wit::Procedure::CompetitiveFlexible,
        Procedure::DirectAward => wit::Procedure::DirectAward,
        Procedure::FrameworkCallOff => wit::Procedure::FrameworkCallOff,
        Procedure::BelowThresholdAdvertised => wit::Procedure::BelowThresholdAdvertised,
        Procedure::BelowThresholdInvited => wit::Procedure::BelowThresholdInvited,
        Procedure::BelowThresholdDirect => wit::Procedure::BelowThresholdDirect,
    }
}

fn direct_award(d: &DirectAward) -> wit::DirectAward {
    wit::DirectAward {
        ground: match d.ground {
            DirectAwardGround::PrototypesAndDevelopment => wit::DirectAwardGround::PrototypesAndDevelopment,
            DirectAwardGround::SingleSupplier => wit::DirectAwardGround::SingleSupplier,
            DirectAwardGround::AdditionalOrRepeat => wit::DirectAwardGround::AdditionalOrRepeat,
            DirectAwardGround::Commodities => wit::DirectAwardGround::Commodities,
            DirectAwardGround::AdvantageousTermsOnInsolvency => wit::DirectAwardGround::AdvantageousTermsOnInsolvency,
            DirectAwardGround::Urgency => wit::DirectAwardGround::Urgency,
            DirectAwardGround::ProtectingLife => wit::DirectAwardGround::ProtectingLife,
            DirectAwardGround::UserChoice => wit::DirectAwardGround::UserChoice,
            DirectAwardGround::DefenceAndSecurity => wit::DirectAwardGround::DefenceAndSecurity,
            DirectAwardGround::NoSuitableTenders => wit::DirectAwardGround::NoSuitableTenders,
        },
        evidence: d.evidence.clone(),
    }
}

fn notice(n: &Notice) -> wit::Notice {
    wit::Notice {
        kind: match n.kind {
            NoticeKind::TenderNotice => wit::NoticeKind::TenderNotice,
            NoticeKind::BelowThresholdTenderNotice => wit::NoticeKind::BelowThresholdTenderNotice,
            NoticeKind::TransparencyNotice => wit::NoticeKind::TransparencyNotice,
            NoticeKind::ContractAwardNotice => wit::NoticeKind::ContractAwardNotice,
            NoticeKind::ContractDetailsNotice => wit::NoticeKind::ContractDetailsNotice,
        },
        published_on: date(n.published_on),
    }
}

fn approval(a: &Approval) -> wit::Approval {
    wit::Approval {
        approver: a.approver.clone(),
        role: a.role.clone(),
        approved_on: date(a.approved_on),
    }
}

fn single_tender_justification(j: &SingleTenderJustification) -> wit::SingleTenderJustification {
    wit::SingleTenderJustification {
        sole_supplier_evidence: j.sole_supplier_evidence.clone(),
        market_engagement: j.market_engagement.clone(),
    }
}

fn category(c: &CategoryRef) -> wit::Category {
    wit::Category {
        slug: c.slug.clone(),
        path: c.path.clone(),
    }
}

fn quote(q: &PluginQuote) -> wit::Quote {
    wit::Quote {
        supplier_name: q.supplier_name.clone(),
        supplier_id: q.supplier_id.clone(),
        amount: q.amount_pence,
        local: q.local,
        sme: q.sme,
        vcse: q.vcse,
    }
}

fn call_off(c: &CallOff) -> wit::CallOff {
    wit::CallOff {
        framework_reference: c.framework_reference.clone(),
        lot_number: c.lot_number,
        framework_live: c.framework_live,
        open_to_tenant: c.open_to_tenant,
    }
}

fn route_to_wit(r: Route) -> wit::RouteToMarket {
    match r {
        Route::SingleQuote => wit::RouteToMarket::SingleQuote,
        Route::MultipleQuotes => wit::RouteToMarket::MultipleQuotes,
        Route::ETender => wit::RouteToMarket::ETender,
        Route::OpenTender => wit::RouteToMarket::OpenTender,
        Route::FrameworkCallOff => wit::RouteToMarket::FrameworkCallOff,
        Route::SingleTenderAction => wit::RouteToMarket::SingleTenderAction,
    }
}

fn route_from_wit(r: wit::RouteToMarket) -> Route {
    match r {
        wit::RouteToMarket::SingleQuote => Route::SingleQuote,
        wit::RouteToMarket::MultipleQuotes => Route::MultipleQuotes,
        wit::RouteToMarket::ETender => Route::ETender,
        wit::RouteToMarket::OpenTender => Route::OpenTender,
        wit::RouteToMarket::FrameworkCallOff => Route::FrameworkCallOff,
        wit::RouteToMarket::SingleTenderAction => Route::SingleTenderAction,
    }
}

pub fn decision(d: wit::Decision) -> Decision {
    Decision {
        outcome: match d.outcome {
            wit::Outcome::Compliant => Outcome::Compliant,
            wit::Outcome::NonCompliant => Outcome::NonCompliant,
        },
        required_route: d.required_route.map(route_from_wit),
        findings: d
            .findings
            .into_iter()
            .map(|f| Finding {
                rule_id: f.rule_id,
                severity: match f.severity {
                    wit::Severity::Violation => Severity::Violation,
                    wit::Severity::Warning => Severity::Warning,
                    wit::Severity::Info => Severity::Info,
                },
                message: f.message,
                policy_clause: f.policy_clause,
                required_action: f.required_action,
            })
            .collect(),
    }
}

pub fn plugin_info(i: wit::PluginInfo) -> PluginInfo {
    PluginInfo {
        name: i.name,
        version: i.version,
        tenant: i.tenant,
        rules: i
            .rules
            .into_iter()
            .map(|r| RuleInfo {
                id: r.id,
                title: r.title,
                policy_clause: r.policy_clause,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn dates_cross_as_iso_8601() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
        assert_eq!(super::date(day(2026, 1, 5)), "2026-01-05");
        assert_eq!(super::date(day(999, 12, 31)), "0999-12-31");
    }
}
