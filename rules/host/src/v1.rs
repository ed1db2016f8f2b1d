//! Interface version 1 (`bluelight:rules@1.0.0`): the generated bindings and the conversions
//! between them and the host's serde types. A later interface version gets a module of its own
//! beside this one; the engine picks the module from the version the component declares.

use crate::types::{
    CallOff, CategoryRef, ContractType, Decision, Finding, Outcome, PluginInfo, PluginQuote, Procurement, Route,
    RuleInfo, Severity, VatTreatment,
};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/rules-v1.wit",
        world: "rule-plugin",
    });
}

use bindings::bluelight::rules::types as wit;
pub use bindings::{RulePlugin, RulePluginPre};

/// The name of the interface a v1 component imports its types from.
pub const TYPES_INTERFACE: &str = "bluelight:rules/types@1.0.0";

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
        contract_type: match p.contract_type {
            ContractType::Goods => wit::ContractType::Goods,
            ContractType::Services => wit::ContractType::Services,
            ContractType::Works => wit::ContractType::Works,
        },
        category: category(&p.category),
        route: route_to_wit(p.route),
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
        // ISO `YYYY-MM-DD`, as `NaiveDate` displays itself.
        evaluation_date: p.evaluation_date.to_string(),
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
