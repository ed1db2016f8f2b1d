//! Lancashire Constabulary and OPCC (seed document 001: Procurement Strategy, Social Value Policy
//! updated 3 September 2020) as rules.
//!
//! Where the documents leave a gap, the decision taken is written in README.md, marked
//! `Decision:` below, and covered by a fixture in `fixtures/`. The documents set no value bands
//! (social value is considered "as wide as practicable", below thresholds too), so this plugin
//! never decides a required route and does not depend on the value or its VAT treatment.

use bluelight_rules_sdk::{
    Approval, BasisPoints, Decision, Finding, PluginInfo, Procurement, RouteToMarket, RuleDef, RulePlugin, Weightings,
    decide, format_basis_points, framework_call_off_finding, input_finding, is_quotation, is_tender, join_and,
    on_or_before, plugin_info,
};

pub const TENANT: &str = "lancashire-constabulary";

pub const LAN_INPUT_1: RuleDef = RuleDef {
    id: "LAN-INPUT-1",
    title: "Value, quotes and weightings are well formed",
    clause: "Lancashire Social Value Policy, Aims and Objectives: the price/quality ratio of the evaluation",
};
pub const LAN_SV_1: RuleDef = RuleDef {
    id: "LAN-SV-1",
    title: "Where social value is relevant, at least 2.5% of the quality element",
    clause: "Lancashire Social Value Policy, Aims and Objectives: a minimum of 2.5% of the quality element of the price/quality ratio allocated to social value when additional social value outcomes are relevant and appropriate; 6.2 weighted criteria within the quality aspect",
};
pub const LAN_SV_2: RuleDef = RuleDef {
    id: "LAN-SV-2",
    title: "Social value requirements included in the contract",
    clause: "Lancashire Social Value Policy, Principles: proportionate and relevant social value requirements will always be included in contracts",
};
pub const LAN_PUBLISH_1: RuleDef = RuleDef {
    id: "LAN-PUBLISH-1",
    title: "Tenders published through the national e-tendering portal",
    clause: "Lancashire Constabulary Procurement Strategy, Supplier Engagement: publication and submission of tenders through the national Bluelight e-tendering system",
};
pub const LAN_BLPD_1: RuleDef = RuleDef {
    id: "LAN-BLPD-1",
    title: "Contract recorded on the Bluelight Procurement Database",
    clause: "Lancashire Constabulary Procurement Strategy, How will we achieve our objectives: record all contracts in the national Bluelight Procurement Database (BLPD) contracts register",
};
pub const LAN_LOCAL_1: RuleDef = RuleDef {
    id: "LAN-LOCAL-1",
    title: "Local, small and voluntary-sector suppliers invited where practicable",
    clause: "Lancashire Constabulary Procurement Strategy, Objectives: where practicable and permissible, increase goods and services procured from local enterprises including small, medium and voluntary sector; Social Value Policy 6.3",
};
pub const LAN_FRAMEWORK_1: RuleDef = RuleDef {
    id: "LAN-FRAMEWORK-1",
    title: "Framework call-off from a live framework open to the force",
    clause: "Lancashire Constabulary Procurement Strategy, How will we achieve our objectives: increase the use of collaborative arrangements (Bluelight Commercial, Crown Commercial Service)",
};

pub const LAN_APPROVAL_1: RuleDef = RuleDef {
    id: "LAN-APPROVAL-1",
    title: "Every procurement approved by the Strategic Procurement team",
    clause: "Lancashire Constabulary Procurement Strategy, How will we achieve our objectives: a Strategic Procurement team to manage, control, monitor and approve all procurement activity",
};

pub const RULES: &[RuleDef] = &[
    LAN_INPUT_1,
    LAN_APPROVAL_1,
    LAN_SV_1,
    LAN_SV_2,
    LAN_PUBLISH_1,
    LAN_BLPD_1,
    LAN_LOCAL_1,
    LAN_FRAMEWORK_1,
];

/// 2.5% of the quality element, in basis points of that element.
pub const MIN_SHARE_OF_QUALITY_BP: u64 = 250;

pub struct Lancashire;

impl RulePlugin for Lancashire {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, RULES)
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin_v2!(Lancashire);

/// Decides a Lancashire procurement. `required_route` is always `None`.
pub fn evaluate(p: &Procurement) -> Decision {
    let mut findings = Vec::new();

    findings.extend(input_finding(p, &LAN_INPUT_1));
    findings.push(approval(p));

    if p.social_value_relevant {
        // Decision: the 2.5% minimum applies to evaluations that have a price/quality ratio, i.e.
        // tenders (which must record their weightings) and any other route that records
        // weightings (e.g. a mini-competition under a framework). Elsewhere the policy still asks
        // for social value in the contract, which the service cannot check: an info finding.
        if is_tender(p.route) || p.weightings.is_some() {
            findings.push(quality_element_share(p.weightings.as_ref()));
        } else {
            findings.push(LAN_SV_2.info(
                "Social value is relevant, and this route has no weighted evaluation to allocate it in.",
                "Include proportionate and relevant social value requirements in the contract, agreed with the supplier.",
            ));
        }
    }

    if is_tender(p.route) {
        findings.push(if p.published {
            LAN_PUBLISH_1.info(
                "The tender is recorded as published.",
                "Make sure it is published and submitted through the national Bluelight e-tendering portal.",
            )
        } else {
            LAN_PUBLISH_1.violation(
                "Tenders are published through the national Bluelight e-tendering portal, and this one is not recorded as published.",
                "Publish the tender on the national Bluelight e-tendering portal and take submissions through it.",
            )
        });
    }

    // Decision: an objective ("where practicable and permissible"), not a mandate: info either way.
    if is_quotation(p.route) && !p.quotes.is_empty() {
        let local = p.quotes.iter().filter(|q| q.local || q.sme || q.vcse).count();
        findings.push(if local > 0 {
            LAN_LOCAL_1.info(
                format!(
                    "{local} of the {} quotes {}.",
                    p.quotes.len(),
                    if local == 1 { "is from a local, small or voluntary-sector supplier" } else { "are from local, small or voluntary-sector suppliers" }
                ),
                "None: local, small or voluntary-sector suppliers were invited.",
            )
        } else {
            LAN_LOCAL_1.info(
                "None of the quotes is from a local, small or voluntary-sector supplier.",
                "Where practicable, invite a Lancashire or North West small business or voluntary-sector supplier to quote.",
            )
        });
    }

    if p.route == RouteToMarket::FrameworkCallOff {
        findings.push(framework_call_off_finding(
            &LAN_FRAMEWORK_1,
            p.call_off.as_ref(),
            "Lancashire Constabulary",
            "Follow the framework's call-off procedure.",
        ));
    }

    // Not checkable from the input, so always an info finding.
    findings.push(LAN_BLPD_1.info(
        "All contracts are recorded in the national Bluelight Procurement Database contracts register.",
        "Record the contract on the Bluelight Procurement Database (BLPD) when it is awarded.",
    ));

    decide(None, findings)
}

/// Decision: the strategy gives the Strategic Procurement team the approval of "all procurement
/// activity", so every procurement, at any value and on any route, needs an approval that counts:
/// an approver named, a role naming procurement (the tenant records roles as free text, e.g.
/// `head-of-procurement`, `strategic-procurement-manager`; a finance or operational role alone is
/// not the Strategic Procurement team), and a date on or before the evaluation date (an approval
/// not yet given does not count; an unreadable date never does).
fn approval(p: &Procurement) -> Finding {
    let counts = |a: &Approval| {
        !a.approver.trim().is_empty()
            && a.role.to_ascii_lowercase().contains("procurement")
            && on_or_before(&a.approved_on, &p.evaluation_date)
    };
    if let Some(a) = p.approvals.iter().find(|a| counts(a)) {
        return LAN_APPROVAL_1.info(
            format!(
                "Approved by {} ({}) on {}.",
                a.approver.trim(),
                a.role.trim(),
                a.approved_on.trim()
            ),
            "None: the Strategic Procurement team approved the procurement.",
        );
    }
    let why = if p.approvals.is_empty() {
        "no approval is recorded".to_owned()
    } else {
        let reasons: Vec<String> = p
            .approvals
            .iter()
            .map(|a| {
                let who = if a.approver.trim().is_empty() {
                    "an unnamed approver".to_owned()
                } else {
                    a.approver.trim().to_owned()
                };
                if a.approver.trim().is_empty() {
                    format!("{who} cannot count")
                } else if !a.role.to_ascii_lowercase().contains("procurement") {
                    format!("{who} ({}) is not in the Strategic Procurement team", a.role.trim())
                } else {
                    format!(
                        "{who}'s approval dated {:?} is not on or before {}",
                        a.approved_on, p.evaluation_date
                    )
                }
            })
            .collect();
        let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
        join_and(&reasons)
    };
    LAN_APPROVAL_1.violation(
        format!("All procurement activity is approved by the Strategic Procurement team, but {why}."),
        "Obtain the Strategic Procurement team's approval and record it (approver, a procurement role, and the date).",
    )
}

/// Decision: social value is weighted *within* the quality aspect (policy 6.2), so the quality
/// element of the price/quality ratio is `quality + social_value`, and social value must be at
/// least 2.5% of it: `social_value * 10000 >= 250 * (quality + social_value)`, in exact integers.
/// A relevant social value with no weight at all, or an evaluation with no quality element, fails.
pub fn meets_quality_share(w: &Weightings) -> bool {
    let element = quality_element(w);
    w.social_value > 0 && u64::from(w.social_value) * 10_000 >= MIN_SHARE_OF_QUALITY_BP * element
}

fn quality_element(w: &Weightings) -> u64 {
    u64::from(w.quality) + u64::from(w.social_value)
}

/// The least social value weighting (basis points of the total score) that is 2.5% of a quality
/// element of this size.
fn minimum_for(element: u64) -> u64 {
    (MIN_SHARE_OF_QUALITY_BP * element).div_ceil(10_000)
}

fn quality_element_share(weightings: Option<&Weightings>) -> Finding {
    let Some(w) = weightings else {
        return LAN_SV_1.violation(
            "Social value is relevant, but no evaluation weightings are recorded, so it cannot be shown that at least 2.5% of the quality element goes to social value.",
            "Record the evaluation weightings, allocating at least 2.5% of the quality element to social value.",
        );
    };
    let element = quality_element(w);
    if element == 0 {
        return LAN_SV_1.violation(
            "Social value is relevant, but the evaluation is on price alone: there is no quality element to allocate it in.",
            "Add a quality element to the evaluation and allocate at least 2.5% of it to social value.",
        );
    }
    let share = u64::from(w.social_value) * 10_000 / element;
    let detail = format!(
        "Social value has {} of the total score, which is {} of the quality element ({} quality + {} social value = {})",
        pct(w.social_value),
        format_basis_points(share),
        pct(w.quality),
        pct(w.social_value),
        format_basis_points(element)
    );
    if meets_quality_share(w) {
        LAN_SV_1.info(
            format!("{detail}; at least 2.5% of the quality element is required."),
            "Agree proportionate social value outcomes linked to the Police and Crime Plan with the market.",
        )
    } else {
        LAN_SV_1.violation(
            format!(
                "{detail}; social value is relevant, so at least 2.5% of the quality element ({} of the total score) is required.",
                format_basis_points(minimum_for(element))
            ),
            "Allocate at least 2.5% of the quality element of the price/quality ratio to social value.",
        )
    }
}

fn pct(bp: BasisPoints) -> String {
    format_basis_points(bp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{
        call_off, check_describe, check_fixtures, findings_of, procurement, quote, weightings,
    };
    use bluelight_rules_sdk::{Outcome, Severity};

    /// A procurement approved by the Strategic Procurement team the day before it is evaluated.
    fn p(route: RouteToMarket) -> Procurement {
        let mut x = procurement(TENANT, 10_000_000, route);
        x.approvals
            .push(approval("A. Buyer", "head-of-procurement", "2026-11-22"));
        x
    }

    fn approval(approver: &str, role: &str, approved_on: &str) -> Approval {
        Approval {
            approver: approver.into(),
            role: role.into(),
            approved_on: approved_on.into(),
        }
    }

    /// The findings other than the approval's info finding, which every test procurement gets.
    fn others(d: &Decision) -> Vec<(String, Severity)> {
        let mut v = findings_of(d);
        v.retain(|x| *x != f("LAN-APPROVAL-1", Severity::Info));
        v
    }

    #[test]
    fn all_procurement_activity_is_approved_by_the_strategic_procurement_team() {
        let mut x = p(RouteToMarket::SingleQuote);
        x.value = 1;
        assert_eq!(
            findings_of(&evaluate(&x)),
            [f("LAN-APPROVAL-1", Severity::Info), f("LAN-BLPD-1", Severity::Info)]
        );

        x.approvals[0].approved_on = "2026-11-23".into();
        assert_eq!(
            evaluate(&x).outcome,
            Outcome::Compliant,
            "approved on the evaluation date"
        );
        x.approvals[0].approved_on = "2026-11-24".into();
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::NonCompliant, "approved after the evaluation date");
        assert!(
            d.findings[0].message.contains("not on or before 2026-11-23"),
            "{}",
            d.findings[0].message
        );

        x.approvals[0].approved_on = "20/11/2026".into();
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant, "an unreadable date");

        x.approvals = vec![approval("C. Finance", "chief-finance-officer", "2026-11-01")];
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::NonCompliant);
        assert!(
            d.findings[0]
                .message
                .contains("is not in the Strategic Procurement team")
        );
        x.approvals.push(approval(" ", "Head of Procurement", "2026-11-01"));
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant, "an unnamed approver");
        x.approvals
            .push(approval("S. Team", "Strategic Procurement Manager", "2026-11-01"));
        assert_eq!(
            evaluate(&x).outcome,
            Outcome::Compliant,
            "one approval that counts is enough"
        );

        x.approvals.clear();
        let d = evaluate(&x);
        assert_eq!(
            findings_of(&d),
            [
                f("LAN-APPROVAL-1", Severity::Violation),
                f("LAN-BLPD-1", Severity::Info)
            ]
        );
        assert!(d.findings[0].message.contains("no approval is recorded"));
    }

    fn f(id: &str, s: Severity) -> (String, Severity) {
        (id.to_owned(), s)
    }

    #[test]
    fn describe_names_the_crate_tenant_and_rules() {
        check_describe::<Lancashire>("lancashire-constabulary", env!("CARGO_PKG_VERSION"), TENANT);
    }

    #[test]
    fn every_fixture_passes() {
        assert!(check_fixtures::<Lancashire>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")) >= 6);
    }

    #[test]
    fn social_value_is_at_least_two_and_a_half_percent_of_quality_plus_social_value() {
        assert!(meets_quality_share(&weightings(6000, 3900, 100)));
        assert!(!meets_quality_share(&weightings(6000, 3901, 99)));
        assert!(meets_quality_share(&weightings(7000, 2925, 75)));
        assert!(!meets_quality_share(&weightings(7000, 2926, 74)));
        assert!(meets_quality_share(&weightings(0, 0, 10_000)));
        assert!(!meets_quality_share(&weightings(10_000, 0, 0)));
        assert!(!meets_quality_share(&weightings(6000, 4000, 0)));
        assert_eq!(minimum_for(4000), 100);
        assert_eq!(minimum_for(3001), 76);
    }

    #[test]
    fn a_relevant_social_value_below_the_minimum_is_a_violation() {
        let mut x = p(RouteToMarket::ETender);
        x.published = true;
        x.social_value_relevant = true;
        x.weightings = Some(weightings(6000, 3901, 99));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::NonCompliant);
        assert_eq!(d.required_route, None);
        assert_eq!(
            others(&d),
            [
                f("LAN-BLPD-1", Severity::Info),
                f("LAN-PUBLISH-1", Severity::Info),
                f("LAN-SV-1", Severity::Violation)
            ]
        );
        let m = &d.findings.iter().find(|f| f.rule_id == "LAN-SV-1").unwrap().message;
        assert!(
            m.contains("0.99% of the total score") && m.contains("2.47% of the quality element"),
            "{m}"
        );
        assert!(m.contains("(1% of the total score)"), "{m}");
    }

    #[test]
    fn social_value_not_relevant_means_no_minimum() {
        let mut x = p(RouteToMarket::OpenTender);
        x.published = true;
        x.weightings = Some(weightings(10_000, 0, 0));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            others(&d),
            [f("LAN-BLPD-1", Severity::Info), f("LAN-PUBLISH-1", Severity::Info)]
        );
    }

    #[test]
    fn quotations_ask_for_social_value_in_the_contract_and_note_local_suppliers() {
        let mut x = p(RouteToMarket::MultipleQuotes);
        x.social_value_relevant = true;
        x.quotes = vec![quote("Preston Print Ltd", 1, true), quote("B", 1, false)];
        let d = evaluate(&x);
        assert_eq!(
            others(&d),
            [
                f("LAN-BLPD-1", Severity::Info),
                f("LAN-LOCAL-1", Severity::Info),
                f("LAN-SV-2", Severity::Info)
            ]
        );
    }

    #[test]
    fn unpublished_tenders_and_dead_frameworks_are_violations() {
        let x = p(RouteToMarket::ETender);
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);
        let mut x = p(RouteToMarket::FrameworkCallOff);
        x.call_off = Some(call_off(false, true));
        let d = evaluate(&x);
        assert_eq!(
            others(&d),
            [
                f("LAN-BLPD-1", Severity::Info),
                f("LAN-FRAMEWORK-1", Severity::Violation)
            ]
        );
    }
}
