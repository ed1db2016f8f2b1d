//! Cheshire Constabulary and PCC (seed document 004: Procurement Strategy 2022-25, Ethical
//! Procurement Policy, Social Value Policy) as rules.
//!
//! Where the documents leave a gap, the decision taken is written in README.md, marked
//! `Decision:` below, and covered by a fixture in `fixtures/`. Cheshire's documents set no value
//! bands for quotes or tenders, so this plugin never decides a required route.

use bluelight_rules_sdk::{
    Decision, Finding, Pence, PluginInfo, Procurement, RouteToMarket, RuleDef, RulePlugin, Weightings, decide,
    format_basis_points, framework_call_off_finding, input_finding, is_tender, plugin_info,
    vat_exclusive_for_thresholds, weightings_total,
};

pub const TENANT: &str = "cheshire-constabulary";

pub const CHE_INPUT_1: RuleDef = RuleDef {
    id: "CHE-INPUT-1",
    title: "Value, quotes and weightings are well formed",
    clause: "Cheshire Social Value Policy, Social Value and Spend Thresholds: social value as a share of the tender award criteria",
};
pub const CHE_VAT_1: RuleDef = RuleDef {
    id: "CHE-VAT-1",
    title: "The £50,000 threshold is compared on the VAT-exclusive value",
    clause: "Cheshire Procurement Strategy 2022-25, (3) Flexible approach: advertised tenders in excess of £50,000 (VAT treatment decided by this plugin)",
};
pub const CHE_SV_1: RuleDef = RuleDef {
    id: "CHE-SV-1",
    title: "Advertised tenders over £50,000: social value at least 10% of the total score, applied in a relevant and proportionate manner",
    clause: "Cheshire Procurement Strategy 2022-25, (3) Flexible approach: social value applies to advertised tenders in excess of £50,000 with a minimum weighting of 10% of the total score, the Procurement team having discretion to apply this in a relevant and proportionate manner; Social Value Policy, Social Value and Spend Thresholds; Ethical Procurement Policy, 3a Social Value",
};
pub const CHE_SV_2: RuleDef = RuleDef {
    id: "CHE-SV-2",
    title: "Other procurement exercises: 10% social value by default, adjustable",
    clause: "Cheshire Ethical Procurement Policy, 3a Social Value: by default a weighting of 10% in every procurement exercise, adjustable to the opportunity",
};
pub const CHE_LOCAL_1: RuleDef = RuleDef {
    id: "CHE-LOCAL-1",
    title: "At least one of the three quotes from a Cheshire supplier, where feasible",
    clause: "Cheshire Ethical Procurement Policy, 3d Local Suppliers: at least one of the three quotes requested from a Cheshire supplier where feasible",
};
pub const CHE_ETHICS_1: RuleDef = RuleDef {
    id: "CHE-ETHICS-1",
    title: "Suppliers sign the Supplier Code of Ethics",
    clause: "Cheshire Ethical Procurement Policy, 2a Code of Ethics: the Supplier Code of Ethics is a tender and contractual requirement for all suppliers",
};
pub const CHE_MS_1: RuleDef = RuleDef {
    id: "CHE-MS-1",
    title: "Over £50,000: modern slavery due diligence and supply chain risk assessment",
    clause: "Cheshire Procurement Strategy 2022-25, (3) Flexible approach: supply chain due diligence and risk assessments in relation to modern slavery; Ethical Procurement Policy, 2b-2c",
};
pub const CHE_FRAMEWORK_1: RuleDef = RuleDef {
    id: "CHE-FRAMEWORK-1",
    title: "Framework call-off from a live framework open to the force",
    clause: "Cheshire Procurement Strategy 2022-25, (3) National v Local Procurement: use of Bluelight Commercial and other framework agreements",
};

pub const RULES: &[RuleDef] = &[
    CHE_INPUT_1,
    CHE_VAT_1,
    CHE_SV_1,
    CHE_SV_2,
    CHE_LOCAL_1,
    CHE_ETHICS_1,
    CHE_MS_1,
    CHE_FRAMEWORK_1,
];

/// Decision: "in excess of £50,000" is strictly more than £50,000.00, VAT-exclusive.
pub const SOCIAL_VALUE_THRESHOLD: Pence = 5_000_000;

/// 10% of the total score, in basis points.
pub const MIN_SOCIAL_VALUE_BP: u32 = 1_000;

pub struct Cheshire;

impl RulePlugin for Cheshire {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, RULES)
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin!(Cheshire);

/// Decides a Cheshire procurement. `required_route` is always `None`: the documents set no value
/// bands for routes to market.
pub fn evaluate(p: &Procurement) -> Decision {
    let mut findings = Vec::new();
    findings.extend(input_finding(p, &CHE_INPUT_1));

    // Decision: as in Bedfordshire, the threshold is VAT-exclusive; an inclusive value loses the
    // 20% standard rate, rounded up to the penny, and a finding says so.
    let (value, value_text) = vat_exclusive_for_thresholds(p, &CHE_VAT_1, "the £50,000 threshold is", &mut findings);
    let over_threshold = value > SOCIAL_VALUE_THRESHOLD;

    // Decision: "advertised" means the opportunity is published, or run as an e-tender or open
    // tender (which are advertised by nature), whatever the route is called; a framework call-off
    // that is not published is not an advertised tender.
    let advertised = is_tender(p.route) || p.published;
    if advertised && over_threshold {
        findings.push(social_value_minimum(p, &value_text));
    } else if let Some(w) = &p.weightings
        && !at_least_ten_percent(w)
    {
        // Decision: the strategy ("only apply Social Value to advertised tenders in excess of
        // £50,000") is the later and more specific text, so below it the Ethical Procurement
        // Policy's 10% default is a reminder, not a requirement.
        findings.push(CHE_SV_2.info(
            format!(
                "Social value has {} of the total score. The 10% minimum applies only to advertised tenders over £50,000, and {}; the Ethical Procurement Policy still sets 10% as the default for every procurement exercise.",
                format_basis_points(share_of_total(w)),
                if over_threshold {
                    "this one is not advertised".to_owned()
                } else {
                    format!("{value_text} is not over £50,000")
                }
            ),
            "Consider weighting social value at 10%, or record why a lower weighting is proportionate.",
        ));
    }

    // Decision: the local-quote rule is about exercises that seek several quotes ("one of the
    // three quotes"), so it applies to the multiple-quotes route only; "where feasible" makes a
    // miss a warning, not a violation.
    if p.route == RouteToMarket::MultipleQuotes {
        let local = p.quotes.iter().filter(|q| q.local).count();
        findings.push(if p.quotes.is_empty() {
            CHE_LOCAL_1.warning(
                "No quotes are recorded, so it cannot be shown that a Cheshire supplier was asked to quote.",
                "Record the quotes, including at least one requested from a Cheshire supplier where feasible.",
            )
        } else if local == 0 {
            CHE_LOCAL_1.warning(
                format!("None of the {} quotes is from a Cheshire supplier.", p.quotes.len()),
                "Request at least one of the three quotes from a Cheshire supplier, or record why that was not feasible.",
            )
        } else {
            CHE_LOCAL_1.info(
                format!(
                    "{local} of the {} quotes {}.",
                    p.quotes.len(),
                    if local == 1 { "is from a Cheshire supplier" } else { "are from Cheshire suppliers" }
                ),
                "None: a Cheshire supplier was asked to quote.",
            )
        });
    }

    if p.route == RouteToMarket::FrameworkCallOff {
        findings.push(framework_call_off(p));
    }

    // Decision: due diligence is proportionate; it is asked for on the same £50,000 threshold as
    // social value, whatever the route.
    if over_threshold {
        findings.push(CHE_MS_1.info(
            format!("{value_text} is over £50,000: modern slavery due diligence and a supply chain risk assessment are expected."),
            "Carry out supply chain due diligence and a risk assessment in relation to modern slavery, and keep them with the contract record.",
        ));
    }

    // Not checkable from the input, so always an info finding.
    findings.push(CHE_ETHICS_1.info(
        "Every supplier working with the Force must sign the Supplier Code of Ethics; it is a tender and contract requirement.",
        "Include the Supplier Code of Ethics in the tender or quote request and obtain the supplier's signed copy before award.",
    ));

    decide(None, findings)
}

/// Social value's share of the total score, in basis points (rounded down).
fn share_of_total(w: &Weightings) -> u64 {
    (u64::from(w.social_value) * 10_000)
        .checked_div(weightings_total(w))
        .unwrap_or(0)
}

/// Social value's share of the total score is at least 10% (the weightings' own total, so a
/// malformed total, reported by CHE-INPUT-1, does not hide a shortfall).
fn at_least_ten_percent(w: &Weightings) -> bool {
    u64::from(w.social_value) * 10_000 >= u64::from(MIN_SOCIAL_VALUE_BP) * weightings_total(w)
}

/// Decision: the 10% minimum comes with "the discretion to apply this in a relevant and
/// proportionate manner", and the Ethical Procurement Policy lets the weighting "be adjusted to
/// reflect the extent to which a particular procurement exercise creates an opportunity for social
/// value". So a weighting below 10% is a warning asking for the justification to be recorded,
/// except where social value is relevant and gets no weight at all (or no weightings are
/// recorded): then social value, which "will apply to advertised tenders in excess of £50,000",
/// is not applied, and that is a violation.
fn social_value_minimum(p: &Procurement, value: &str) -> Finding {
    let relevant = p.social_value_relevant;
    let Some(w) = &p.weightings else {
        return if relevant {
            CHE_SV_1.violation(
                format!("{value} is an advertised tender over £50,000 where social value is relevant, so social value must be part of the evaluation (at least 10% of the total score unless a lower weighting is proportionate), and no evaluation weightings are recorded."),
                "Record the evaluation weightings, with social value at least 10% of the total score.",
            )
        } else {
            CHE_SV_1.warning(
                format!("{value} is an advertised tender over £50,000, where social value normally makes up at least 10% of the total score; no evaluation weightings are recorded, and social value is recorded as not relevant."),
                "Record why social value is not relevant to this procurement (the Procurement team's discretion), or weight it at 10% of the total score.",
            )
        };
    };
    let share = format_basis_points(share_of_total(w));
    if at_least_ten_percent(w) {
        CHE_SV_1.info(
            format!("Social value makes up {share} of the total score (at least 10% is required for advertised tenders over £50,000)."),
            "Use the Social Value Policy's outcomes and include it as an appendix to the tender.",
        )
    } else if relevant && w.social_value == 0 {
        CHE_SV_1.violation(
            format!("{value} is an advertised tender over £50,000 where social value is relevant, and the evaluation gives social value no weight; the minimum is 10% of the total score, adjustable only in proportion to the opportunity for social value."),
            "Weight social value at 10% of the total score, or at a lower proportionate share with the justification recorded.",
        )
    } else if relevant {
        CHE_SV_1.warning(
            format!("{value} is an advertised tender over £50,000; social value has {share} of the total score, below the 10% minimum. The Procurement team may apply the minimum in a relevant and proportionate manner, and that needs a recorded justification."),
            "Record why a social value weighting below 10% is proportionate to this procurement's opportunity for social value, or raise it to 10%.",
        )
    } else {
        CHE_SV_1.warning(
            format!("{value} is an advertised tender over £50,000; social value has {share} of the total score, below the 10% minimum, and is recorded as not relevant to this procurement."),
            "Record why social value is not relevant to this procurement (the Procurement team's discretion), or weight it at 10% of the total score.",
        )
    }
}

fn framework_call_off(p: &Procurement) -> Finding {
    framework_call_off_finding(
        &CHE_FRAMEWORK_1,
        p.call_off.as_ref(),
        "Cheshire Constabulary",
        "Follow the framework's call-off procedure; where the framework has no local suppliers, note it for the review of framework use.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{
        call_off, check_describe, check_fixtures, findings_of, procurement, quote, weightings,
    };
    use bluelight_rules_sdk::{Outcome, Severity, VatTreatment};

    fn p(value: Pence, route: RouteToMarket) -> Procurement {
        procurement(TENANT, value, route)
    }

    fn f(id: &str, s: Severity) -> (String, Severity) {
        (id.to_owned(), s)
    }

    #[test]
    fn describe_names_the_crate_tenant_and_rules() {
        check_describe::<Cheshire>("cheshire-constabulary", env!("CARGO_PKG_VERSION"), TENANT);
    }

    #[test]
    fn every_fixture_passes() {
        assert!(check_fixtures::<Cheshire>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")) >= 6);
    }

    #[test]
    fn advertised_tenders_over_fifty_thousand_pounds_weigh_social_value_at_least_ten_percent() {
        let mut x = p(5_000_001, RouteToMarket::ETender);
        x.weightings = Some(weightings(6000, 3000, 1000));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(d.required_route, None);
        assert_eq!(
            findings_of(&d),
            [
                f("CHE-ETHICS-1", Severity::Info),
                f("CHE-MS-1", Severity::Info),
                f("CHE-SV-1", Severity::Info)
            ]
        );
        x.social_value_relevant = true;
        x.weightings = Some(weightings(6001, 3000, 999));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert!(
            d.findings
                .iter()
                .any(|f| f.rule_id == "CHE-SV-1" && f.severity == Severity::Warning && f.message.contains("9.99%"))
        );
        x.weightings = Some(weightings(7000, 3000, 0));
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);
        x.weightings = None;
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);

        // Where social value is not relevant, the Procurement team's discretion: a warning.
        x.social_value_relevant = false;
        for w in [None, Some(weightings(7000, 3000, 0)), Some(weightings(6001, 3000, 999))] {
            x.weightings = w;
            let d = evaluate(&x);
            assert_eq!(d.outcome, Outcome::Compliant);
            assert!(findings_of(&d).contains(&f("CHE-SV-1", Severity::Warning)));
        }
    }

    #[test]
    fn fifty_thousand_pounds_exactly_is_not_in_excess() {
        let mut x = p(5_000_000, RouteToMarket::OpenTender);
        x.weightings = Some(weightings(7000, 3000, 0));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            findings_of(&d),
            [f("CHE-ETHICS-1", Severity::Info), f("CHE-SV-2", Severity::Info)]
        );
    }

    #[test]
    fn a_published_quotation_is_an_advertised_tender() {
        let mut x = p(5_500_000, RouteToMarket::MultipleQuotes);
        x.published = true;
        x.quotes = vec![
            quote("Winsford Workwear", 5_500_000, true),
            quote("B", 5_400_000, false),
        ];
        let d = evaluate(&x);
        assert!(findings_of(&d).contains(&f("CHE-SV-1", Severity::Warning)));
        assert!(findings_of(&d).contains(&f("CHE-LOCAL-1", Severity::Info)));
        x.social_value_relevant = true;
        assert!(findings_of(&evaluate(&x)).contains(&f("CHE-SV-1", Severity::Violation)));
    }

    #[test]
    fn a_missing_local_quote_is_a_warning_only() {
        let mut x = p(2_000_000, RouteToMarket::MultipleQuotes);
        x.quotes = vec![quote("A", 1, false), quote("B", 1, false), quote("C", 1, false)];
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            findings_of(&d),
            [f("CHE-ETHICS-1", Severity::Info), f("CHE-LOCAL-1", Severity::Warning)]
        );
        x.quotes.clear();
        assert_eq!(findings_of(&evaluate(&x))[1], f("CHE-LOCAL-1", Severity::Warning));
        x.route = RouteToMarket::SingleQuote;
        assert_eq!(findings_of(&evaluate(&x)), [f("CHE-ETHICS-1", Severity::Info)]);
    }

    #[test]
    fn an_unpublished_call_off_is_not_an_advertised_tender() {
        let mut x = p(30_000_000, RouteToMarket::FrameworkCallOff);
        x.call_off = Some(call_off(true, true));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            findings_of(&d),
            [
                f("CHE-ETHICS-1", Severity::Info),
                f("CHE-FRAMEWORK-1", Severity::Info),
                f("CHE-MS-1", Severity::Info)
            ]
        );
        x.call_off = Some(call_off(true, false));
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);
    }

    #[test]
    fn vat_inclusive_values_are_compared_without_vat() {
        let mut x = p(6_000_000, RouteToMarket::ETender);
        x.vat = VatTreatment::Inclusive;
        x.weightings = Some(weightings(8000, 2000, 0));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert!(findings_of(&d).contains(&f("CHE-VAT-1", Severity::Info)));
        x.value = 6_000_001;
        x.social_value_relevant = true;
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);
    }

    #[test]
    fn weightings_must_add_up_to_one_hundred_percent() {
        let mut x = p(1_000_000, RouteToMarket::SingleQuote);
        x.weightings = Some(weightings(8000, 1000, 2000));
        let d = evaluate(&x);
        assert_eq!(
            findings_of(&d),
            [f("CHE-ETHICS-1", Severity::Info), f("CHE-INPUT-1", Severity::Violation)]
        );
    }
}
