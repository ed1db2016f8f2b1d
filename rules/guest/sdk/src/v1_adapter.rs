//! Interface version 1, frozen, served from the SDK's version 2 types: a v1 input is converted
//! into a v2 `Procurement` (the fields v1 lacks take their defaults) and the v2 decision back.
//! So plugin authors write against one set of types whichever version they export.

use crate::v1_bindings::bluelight::rules::types as v1;
use crate::{
    AuthorityType, CallOff, Category, ContractType, Decision, Finding, Outcome, PluginInfo, Procurement, Quote,
    RouteToMarket, Rule, RulePlugin, Severity, VatTreatment, Weightings, vat_inclusive_value,
};

/// `describe` for a plugin exported as version 1 (called from `export_rule_plugin!`).
pub fn describe<T: RulePlugin>() -> v1::PluginInfo {
    plugin_info(T::describe())
}

/// `evaluate` for a plugin exported as version 1 (called from `export_rule_plugin!`).
pub fn evaluate<T: RulePlugin>(input: v1::Procurement) -> v1::Decision {
    decision(T::evaluate(&procurement(input)))
}

fn procurement(p: v1::Procurement) -> Procurement {
    let vat = match p.vat {
        v1::VatTreatment::Exclusive => VatTreatment::Exclusive,
        v1::VatTreatment::Inclusive => VatTreatment::Inclusive,
        v1::VatTreatment::Exempt => VatTreatment::Exempt,
    };
    Procurement {
        tenant: p.tenant,
        reference: p.reference,
        title: p.title,
        value: p.value,
        vat,
        value_including_vat: vat_inclusive_value(p.value, vat),
        contract_type: match p.contract_type {
            v1::ContractType::Goods => ContractType::Goods,
            v1::ContractType::Services => ContractType::Services,
            v1::ContractType::Works => ContractType::Works,
        },
        light_touch: false,
        authority_type: AuthorityType::SubCentral,
        category: Category {
            slug: p.category.slug,
            path: p.category.path,
        },
        route: route_from_v1(p.route),
        procedure: None,
        direct_award: None,
        notices: Vec::new(),
        conflicts_assessed: false,
        kpis_set: 0,
        approvals: Vec::new(),
        single_tender_justification: None,
        quotes: p
            .quotes
            .into_iter()
            .map(|q| Quote {
                supplier_name: q.supplier_name,
                supplier_id: q.supplier_id,
                amount: q.amount,
                local: q.local,
                sme: q.sme,
                vcse: q.vcse,
            })
            .collect(),
        weightings: p.weightings.map(|w| Weightings {
            price: w.price,
            quality: w.quality,
            social_value: w.social_value,
        }),
        social_value_relevant: p.social_value_relevant,
        call_off: p.call_off.map(|c| CallOff {
            framework_reference: c.framework_reference,
            lot_number: c.lot_number,
            framework_live: c.framework_live,
            open_to_tenant: c.open_to_tenant,
        }),
        published: p.published,
        market_engagement_evidence: p.market_engagement_evidence,
        evaluation_date: p.evaluation_date,
    }
}

fn route_from_v1(r: v1::RouteToMarket) -> RouteToMarket {
    match r {
        v1::RouteToMarket::SingleQuote => RouteToMarket::SingleQuote,
        v1::RouteToMarket::MultipleQuotes => RouteToMarket::MultipleQuotes,
        v1::RouteToMarket::ETender => RouteToMarket::ETender,
        v1::RouteToMarket::OpenTender => RouteToMarket::OpenTender,
        v1::RouteToMarket::FrameworkCallOff => RouteToMarket::FrameworkCallOff,
        v1::RouteToMarket::SingleTenderAction => RouteToMarket::SingleTenderAction,
    }
}

fn route_to_v1(r: RouteToMarket) -> v1::RouteToMarket {
    match r {
        RouteToMarket::SingleQuote => v1::RouteToMarket::SingleQuote,
        RouteToMarket::MultipleQuotes => v1::RouteToMarket::MultipleQuotes,
        RouteToMarket::ETender => v1::RouteToMarket::ETender,
        RouteToMarket::OpenTender => v1::RouteToMarket::OpenTender,
        RouteToMarket::FrameworkCallOff => v1::RouteToMarket::FrameworkCallOff,
        RouteToMarket::SingleTenderAction => v1::RouteToMarket::SingleTenderAction,
    }
}

fn finding(f: Finding) -> v1::Finding {
    v1::Finding {
        rule_id: f.rule_id,
        severity: match f.severity {
            Severity::Violation => v1::Severity::Violation,
            Severity::Warning => v1::Severity::Warning,
            Severity::Info => v1::Severity::Info,
        },
        message: f.message,
        policy_clause: f.policy_clause,
        required_action: f.required_action,
    }
}

fn decision(d: Decision) -> v1::Decision {
    v1::Decision {
        outcome: match d.outcome {
            Outcome::Compliant => v1::Outcome::Compliant,
            Outcome::NonCompliant => v1::Outcome::NonCompliant,
        },
        required_route: d.required_route.map(route_to_v1),
        findings: d.findings.into_iter().map(finding).collect(),
    }
}

fn rule(r: Rule) -> v1::Rule {
    v1::Rule {
        id: r.id,
        title: r.title,
        policy_clause: r.policy_clause,
    }
}

fn plugin_info(i: PluginInfo) -> v1::PluginInfo {
    v1::PluginInfo {
        name: i.name,
        version: i.version,
        tenant: i.tenant,
        rules: i.rules.into_iter().map(rule).collect(),
    }
}
