//! The national rules layer: the Procurement Act 2023 as in force, checked against every
//! tenant's procurements beside the tenant's own rules. Each finding cites the section of the
//! Act or the regulations it comes from; `README.md` lists every rule, figure and decision.
//!
//! The thresholds are dated data ([`THRESHOLDS`]): a revision of the figures is a new version of
//! this plugin, backtested over every tenant's procurements before it is activated.

mod thresholds;

use bluelight_rules_sdk::{
    AuthorityType, ContractType, Decision, NoticeKind, Pence, PluginInfo, Procedure, Procurement, RouteToMarket,
    RuleDef, RulePlugin, call_off_gaps, decide, format_pence, input_problems, join_and, plugin_info,
};

pub use thresholds::{ACT_IN_FORCE, BELOW_THRESHOLD_CENTRAL, BELOW_THRESHOLD_OTHER, KPI_VALUE, THRESHOLDS, Thresholds};

/// The layer's tenant name: not a tenant's slug, the national layer itself.
pub const TENANT: &str = "national";

pub const INPUT: RuleDef = RuleDef {
    id: "PA23-INPUT",
    title: "The record must be well formed",
    clause: "Procurement Act 2023, Schedule 3 (estimated value)",
};
pub const SCOPE: RuleDef = RuleDef {
    id: "PA23-SCOPE",
    title: "Which regime and threshold apply",
    clause: "Procurement Act 2023, s.3 and Schedule 1 (threshold amounts)",
};
pub const PROCEDURE: RuleDef = RuleDef {
    id: "PA23-PROCEDURE",
    title: "A public contract is awarded by competitive tendering, direct award or a framework call-off",
    clause: "Procurement Act 2023, s.19, s.20, s.41 and s.45",
};
pub const TENDER_NOTICE: RuleDef = RuleDef {
    id: "PA23-TENDER-NOTICE",
    title: "A competitive tendering procedure starts with a tender notice",
    clause: "Procurement Act 2023, s.21(1)",
};
pub const DIRECT_AWARD: RuleDef = RuleDef {
    id: "PA23-DIRECT-AWARD",
    title: "A direct award needs a Schedule 5 justification (or s.43) and its evidence",
    clause: "Procurement Act 2023, s.41 and Schedule 5; s.43",
};
pub const TRANSPARENCY_NOTICE: RuleDef = RuleDef {
    id: "PA23-TRANSPARENCY-NOTICE",
    title: "A direct award is preceded by a transparency notice",
    clause: "Procurement Act 2023, s.44(1)",
};
pub const CALL_OFF: RuleDef = RuleDef {
    id: "PA23-CALL-OFF",
    title: "A call-off is from a framework that is live and open to the buyer",
    clause: "Procurement Act 2023, s.45 and s.46",
};
pub const CONFLICTS: RuleDef = RuleDef {
    id: "PA23-CONFLICTS",
    title: "A conflicts assessment before a tender or transparency notice",
    clause: "Procurement Act 2023, s.83",
};
pub const KPIS: RuleDef = RuleDef {
    id: "PA23-KPIS",
    title: "At least three KPIs for a public contract over £5 million",
    clause: "Procurement Act 2023, s.52(1)",
};
pub const BELOW_THRESHOLD_NOTICE: RuleDef = RuleDef {
    id: "PA23-BT-NOTICE",
    title: "An advertised notifiable below-threshold contract needs a below-threshold tender notice",
    clause: "Procurement Act 2023, s.86",
};
pub const CONTRACT_DETAILS: RuleDef = RuleDef {
    id: "PA23-CONTRACT-DETAILS",
    title: "A contract details notice once the contract is entered into",
    clause: "Procurement Act 2023, s.53 and s.87",
};

pub const RULES: &[RuleDef] = &[
    INPUT,
    SCOPE,
    PROCEDURE,
    TENDER_NOTICE,
    DIRECT_AWARD,
    TRANSPARENCY_NOTICE,
    CALL_OFF,
    CONFLICTS,
    KPIS,
    BELOW_THRESHOLD_NOTICE,
    CONTRACT_DETAILS,
];

pub struct ProcurementAct;

impl RulePlugin for ProcurementAct {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, RULES)
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin_v2!(ProcurementAct);

/// What kind of contract the Act's threshold is chosen by.
fn threshold_for(p: &Procurement, t: &Thresholds) -> (Pence, &'static str) {
    if p.contract_type == ContractType::Works {
        (t.works, "works")
    } else if p.light_touch {
        (t.light_touch, "light-touch")
    } else {
        match p.authority_type {
            AuthorityType::CentralGovernment => (t.central_goods_services, "central government goods and services"),
            AuthorityType::SubCentral => (t.sub_central_goods_services, "sub-central goods and services"),
        }
    }
}

/// The day the procurement commenced, for choosing the thresholds in force: the first tender,
/// below-threshold tender or transparency notice, or, with none published yet, the evaluation
/// date (the procurement is starting now).
fn commenced_on(p: &Procurement) -> &str {
    published_notices(p)
        .filter(|n| {
            matches!(
                n.kind,
                NoticeKind::TenderNotice | NoticeKind::BelowThresholdTenderNotice | NoticeKind::TransparencyNotice
            )
        })
        .map(|n| n.published_on.as_str())
        .min()
        .unwrap_or(p.evaluation_date.as_str())
}

/// The notices published by the evaluation date. One dated later has not been published on the
/// day the decision is made for, so it neither satisfies a rule nor dates the procurement's start
/// (a buyer cannot make a past decision compliant with a notice published afterwards).
fn published_notices(p: &Procurement) -> impl Iterator<Item = &bluelight_rules_sdk::Notice> {
    // ISO dates compare correctly as text.
    p.notices
        .iter()
        .filter(|n| n.published_on.as_str() <= p.evaluation_date.as_str())
}

fn has_notice(p: &Procurement, kind: NoticeKind) -> bool {
    published_notices(p).any(|n| n.kind == kind)
}

/// The procedure, in the Act's terms. A procurement recorded before procedures were kept names
/// none; a call-off still says so by its route and framework.
fn procedure(p: &Procurement) -> Option<Procedure> {
    p.procedure.or(match p.route {
        RouteToMarket::FrameworkCallOff if p.call_off.is_some() => Some(Procedure::FrameworkCallOff),
        _ => None,
    })
}

pub fn evaluate(p: &Procurement) -> Decision {
    let problems = input_problems(p);
    if !problems.is_empty() {
        let list: Vec<&str> = problems.iter().map(String::as_str).collect();
        return decide(
            None,
            vec![INPUT.violation(
                format!("The record cannot be checked against the Act: {}.", join_and(&list)),
                "Correct the procurement record and evaluate it again.",
            )],
        );
    }
    let commenced = commenced_on(p);
    let Some(thresholds) = THRESHOLDS.iter().rev().find(|t| t.from <= commenced) else {
        return decide(
            None,
            vec![SCOPE.info(
                format!(
                    "The procurement commenced on {commenced}, before the Act came into force on {ACT_IN_FORCE}; \
                     the Public Contracts Regulations 2015 apply, which this layer does not check."
                ),
                "Check it against the Public Contracts Regulations 2015.",
            )],
        );
    };
    let value = p.value_including_vat;
    let (threshold, kind) = threshold_for(p, thresholds);
    let mut findings = Vec::new();
    if value >= threshold {
        findings.push(SCOPE.info(
            format!(
                "{} including VAT is at or above the {} threshold of {} in force from {} ({}): a public \
                 contract under the Act.",
                format_pence(value),
                kind,
                format_pence(threshold),
                thresholds.from,
                thresholds.source
            ),
            "Follow the Act's procedures and publish its notices.",
        ));
        above_threshold(p, value, &mut findings);
    } else {
        findings.push(SCOPE.info(
            format!(
                "{} including VAT is below the {} threshold of {} in force from {} ({}): a below-threshold \
                 contract (Part 6 of the Act).",
                format_pence(value),
                kind,
                format_pence(threshold),
                thresholds.from,
                thresholds.source
            ),
            "Follow the force's standing orders; Part 6 of the Act applies.",
        ));
        below_threshold(p, value, &mut findings);
    }
    decide(None, findings)
}

fn above_threshold(p: &Procurement, value: Pence, findings: &mut Vec<bluelight_rules_sdk::Finding>) {
    match procedure(p) {
        Some(Procedure::Open | Procedure::CompetitiveFlexible) => {
            if !has_notice(p, NoticeKind::TenderNotice) {
                findings.push(TENDER_NOTICE.violation(
                    "A competitive tendering procedure is recorded but no tender notice was published.",
                    "Publish a tender notice on the central digital platform before inviting tenders.",
                ));
            }
            if !p.conflicts_assessed {
                findings.push(CONFLICTS.violation(
                    "No conflicts assessment is recorded for this competitive procedure.",
                    "Prepare a conflicts assessment before publishing the tender notice, and keep it under review.",
                ));
            }
        }
        Some(Procedure::DirectAward) => {
            match &p.direct_award {
                Some(d) if !d.evidence.trim().is_empty() => {}
                Some(_) => findings.push(DIRECT_AWARD.violation(
                    "A direct award names its ground but records no evidence that the ground applies.",
                    "Record why the Schedule 5 justification (or s.43) applies to this contract.",
                )),
                None => findings.push(DIRECT_AWARD.violation(
                    "A direct award is recorded without a justification.",
                    "Name the Schedule 5 justification (or s.43) and record the evidence, or run a competitive \
                     procedure.",
                )),
            }
            if !has_notice(p, NoticeKind::TransparencyNotice) {
                findings.push(TRANSPARENCY_NOTICE.violation(
                    "A direct award is recorded but no transparency notice was published.",
                    "Publish a transparency notice before entering into the contract.",
                ));
            }
            if !p.conflicts_assessed {
                findings.push(CONFLICTS.violation(
                    "No conflicts assessment is recorded for this direct award.",
                    "Prepare a conflicts assessment before publishing the transparency notice.",
                ));
            }
        }
        Some(Procedure::FrameworkCallOff) => {
            let gaps = call_off_gaps(p.call_off.as_ref());
            if !gaps.is_empty() {
                findings.push(CALL_OFF.violation(
                    format!("The call-off cannot rely on its framework: {}.", join_and(&gaps)),
                    "Call off from a framework that is live and open to the force, or run a competitive procedure.",
                ));
            }
        }
        Some(
            below @ (Procedure::BelowThresholdAdvertised
            | Procedure::BelowThresholdInvited
            | Procedure::BelowThresholdDirect),
        ) => findings.push(PROCEDURE.violation(
            format!(
                "{} including VAT is a public contract, but a below-threshold procedure ({}) is recorded.",
                format_pence(value),
                procedure_name(below)
            ),
            "Run a competitive tendering procedure with a tender notice, make a justified direct award with a \
             transparency notice, or call off from a framework.",
        )),
        None => findings.push(PROCEDURE.violation(
            format!(
                "{} including VAT is a public contract, but no procedure under the Act is recorded (the force's \
                 route is {}).",
                format_pence(value),
                route_name(p.route)
            ),
            "Run a competitive tendering procedure with a tender notice, make a justified direct award with a \
             transparency notice, or call off from a framework.",
        )),
    }
    if value > KPI_VALUE && p.kpis_set < 3 {
        findings.push(KPIS.violation(
            format!(
                "{} including VAT is over {}, and {} KPIs are set; the Act requires at least three.",
                format_pence(value),
                format_pence(KPI_VALUE),
                p.kpis_set
            ),
            "Set at least three key performance indicators before entering into the contract, and publish them \
             in the contract details notice.",
        ));
    }
    findings.push(CONTRACT_DETAILS.info(
        "Once the contract is entered into, a contract details notice is due within 30 days.",
        "Publish the contract details notice.",
    ));
}

fn below_threshold(p: &Procurement, value: Pence, findings: &mut Vec<bluelight_rules_sdk::Finding>) {
    let notifiable_from = match p.authority_type {
        AuthorityType::CentralGovernment => BELOW_THRESHOLD_CENTRAL,
        AuthorityType::SubCentral => BELOW_THRESHOLD_OTHER,
    };
    if value < notifiable_from {
        return;
    }
    // Advertised: the Act's procedure says so; a record without one counts as advertised when it
    // was published.
    let advertised = match p.procedure {
        Some(procedure) => procedure == Procedure::BelowThresholdAdvertised,
        None => p.published,
    };
    if advertised && !has_notice(p, NoticeKind::BelowThresholdTenderNotice) {
        findings.push(BELOW_THRESHOLD_NOTICE.violation(
            format!(
                "{} including VAT is a notifiable below-threshold contract (from {}), advertised without a \
                 below-threshold tender notice.",
                format_pence(value),
                format_pence(notifiable_from)
            ),
            "Publish a below-threshold tender notice on the central digital platform before (or when) advertising \
             anywhere else.",
        ));
    }
    findings.push(CONTRACT_DETAILS.info(
        format!(
            "{} including VAT is a notifiable below-threshold contract (from {}): a contract details notice is \
             due once it is entered into.",
            format_pence(value),
            format_pence(notifiable_from)
        ),
        "Publish the contract details notice as soon as reasonably practicable after entering into the contract.",
    ));
}

fn procedure_name(p: Procedure) -> &'static str {
    match p {
        Procedure::Open => "the open procedure",
        Procedure::CompetitiveFlexible => "a competitive flexible procedure",
        Procedure::DirectAward => "a direct award",
        Procedure::FrameworkCallOff => "a framework call-off",
        Procedure::BelowThresholdAdvertised => "advertised below threshold",
        Procedure::BelowThresholdInvited => "quotes invited below threshold",
        Procedure::BelowThresholdDirect => "a direct award below threshold",
    }
}

fn route_name(r: RouteToMarket) -> &'static str {
    bluelight_rules_sdk::route_name(r)
}

#[cfg(test)]
mod tests;
