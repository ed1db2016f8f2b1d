//! Checks more than one force's plugin makes, written once: the VAT-exclusive value a force's
//! thresholds are compared on, the record's own problems, a framework call-off's framework, a
//! single tender action's structured justification, and approvals given by the evaluation date.
//!
//! Each takes the plugin's [`RuleDef`], so the finding cites that force's own clause.

use crate::{
    CallOff, Finding, Pence, Procurement, RuleDef, SingleTenderJustification, VatTreatment, format_pence,
    input_problems, join_and, vat_exclusive_value,
};

/// The VAT-exclusive value a force's thresholds are compared on, and how a message shows it.
///
/// A VAT-inclusive value loses the 20% standard rate, rounded up to the penny (see
/// [`vat_exclusive_value`]); because the input does not say which rate applied, `rule` then adds
/// an info finding showing both figures. `compared` names what is compared, as in "the
/// thresholds are" or "the £50,000 threshold is". The text is the value in pounds, marked
/// "(VAT-exclusive)" when VAT was taken off.
pub fn vat_exclusive_for_thresholds(
    p: &Procurement,
    rule: &RuleDef,
    compared: &str,
    findings: &mut Vec<Finding>,
) -> (Pence, String) {
    let value = vat_exclusive_value(p.value, p.vat);
    if p.vat != VatTreatment::Inclusive {
        return (value, format_pence(value));
    }
    findings.push(rule.info(
        format!(
            "The value {} includes VAT; {compared} compared on its VAT-exclusive equivalent, {}, taking off VAT at the 20% standard rate.",
            format_pence(p.value),
            format_pence(value)
        ),
        "If the purchase is zero-rated or reduced-rate, record its value VAT-exclusive so the right threshold applies.",
    ));
    (value, format!("{} (VAT-exclusive)", format_pence(value)))
}

/// A violation of `rule` when the record itself is malformed (see [`input_problems`]); `None` when
/// it is well formed.
pub fn input_finding(p: &Procurement, rule: &RuleDef) -> Option<Finding> {
    let problems = input_problems(p);
    if problems.is_empty() {
        return None;
    }
    let problems: Vec<&str> = problems.iter().map(String::as_str).collect();
    Some(rule.violation(
        format!("The procurement record is not well formed: {}.", join_and(&problems)),
        "Correct the value, quotes and weightings (price, quality and social value must add up to 100%).",
    ))
}

/// `rule`'s finding on a framework call-off: info when the framework was live on the evaluation
/// date and is open to the force (`force` as a buyer knows it, e.g. "Cheshire Constabulary"), with
/// `action` as what the buyer still does; a violation naming what is missing otherwise.
pub fn framework_call_off_finding(rule: &RuleDef, call_off: Option<&CallOff>, force: &str, action: &str) -> Finding {
    let gaps = crate::call_off_gaps(call_off);
    match call_off {
        Some(c) if gaps.is_empty() => rule.info(
            format!(
                "Call-off from framework {} lot {}, live and open to {force}.",
                c.framework_reference, c.lot_number
            ),
            action,
        ),
        _ => rule.violation(
            format!(
                "A call-off must be from a framework that is live and open to the force, but {}.",
                join_and(&gaps)
            ),
            format!("Call off from a live framework open to {force}, or run a procurement of your own."),
        ),
    }
}

/// What a single tender action's structured justification lacks: empty when both the evidence
/// that only one supplier can do the work and the market engagement that showed it are recorded
/// (not blank).
pub fn justification_gaps(justification: Option<&SingleTenderJustification>) -> Vec<&'static str> {
    const SOLE: &str = "the evidence that only one supplier can do the work";
    const MARKET: &str = "the market engagement that showed it";
    match justification {
        None => vec![SOLE, MARKET],
        Some(j) => {
            let mut gaps = Vec::new();
            if j.sole_supplier_evidence.trim().is_empty() {
                gaps.push(SOLE);
            }
            if j.market_engagement.trim().is_empty() {
                gaps.push(MARKET);
            }
            gaps
        }
    }
}

/// An ISO date, `YYYY-MM-DD` (digits in place; the calendar is not checked).
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `date` is an ISO date on or before `evaluation_date`. ISO dates compare as text; a date that is
/// not one never counts, so a typo cannot pass for an approval given in time.
pub fn on_or_before(date: &str, evaluation_date: &str) -> bool {
    let date = date.trim();
    is_iso_date(date) && is_iso_date(evaluation_date) && date <= evaluation_date
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuthorityType, Category, ContractType, RouteToMarket, Severity, Weightings};

    const R: RuleDef = RuleDef {
        id: "X-1",
        title: "t",
        clause: "c",
    };

    fn p(value: Pence, vat: VatTreatment) -> Procurement {
        Procurement {
            tenant: "t".into(),
            reference: "r".into(),
            title: "t".into(),
            value,
            vat,
            value_including_vat: crate::vat_inclusive_value(value, vat),
            contract_type: ContractType::Goods,
            light_touch: false,
            authority_type: AuthorityType::SubCentral,
            category: Category {
                slug: "s".into(),
                path: vec![],
            },
            route: RouteToMarket::SingleQuote,
            procedure: None,
            direct_award: None,
            notices: vec![],
            conflicts_assessed: false,
            kpis_set: 0,
            approvals: vec![],
            single_tender_justification: None,
            quotes: vec![],
            weightings: None,
            social_value_relevant: false,
            call_off: None,
            published: false,
            market_engagement_evidence: None,
            evaluation_date: "2026-11-23".into(),
        }
    }

    #[test]
    fn an_inclusive_value_is_compared_without_vat_and_a_finding_says_so() {
        let mut findings = Vec::new();
        let (v, text) = vat_exclusive_for_thresholds(
            &p(7_200_001, VatTreatment::Inclusive),
            &R,
            "the thresholds are",
            &mut findings,
        );
        assert_eq!((v, text.as_str()), (6_000_001, "£60,000.01 (VAT-exclusive)"));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (findings[0].severity, findings[0].rule_id.as_str()),
            (Severity::Info, "X-1")
        );
        assert!(
            findings[0].message.contains(
                "£72,000.01 includes VAT; the thresholds are compared on its VAT-exclusive equivalent, £60,000.01"
            ),
            "{}",
            findings[0].message
        );

        for vat in [VatTreatment::Exclusive, VatTreatment::Exempt] {
            let (v, text) = vat_exclusive_for_thresholds(&p(7_200_000, vat), &R, "x is", &mut findings);
            assert_eq!((v, text.as_str()), (7_200_000, "£72,000.00"));
        }
        assert_eq!(findings.len(), 1, "no finding when VAT is not taken off");
    }

    #[test]
    fn a_malformed_record_is_one_violation_naming_every_problem() {
        assert_eq!(input_finding(&p(0, VatTreatment::Exclusive), &R), None);
        let mut x = p(-1, VatTreatment::Exclusive);
        x.weightings = Some(Weightings {
            price: 5000,
            quality: 3000,
            social_value: 1000,
        });
        let f = input_finding(&x, &R).unwrap();
        assert_eq!(f.severity, Severity::Violation);
        assert!(
            f.message.contains("-£0.01") && f.message.contains("90%"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_call_off_is_accepted_only_from_a_live_framework_open_to_the_force() {
        let c = |live, open| CallOff {
            framework_reference: "RM1".into(),
            lot_number: 2,
            framework_live: live,
            open_to_tenant: open,
        };
        let f = framework_call_off_finding(&R, Some(&c(true, true)), "Force X", "Follow it.");
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.message,
            "Call-off from framework RM1 lot 2, live and open to Force X."
        );
        assert_eq!(f.required_action, "Follow it.");
        for call_off in [Some(c(false, true)), Some(c(true, false)), None] {
            let f = framework_call_off_finding(&R, call_off.as_ref(), "Force X", "Follow it.");
            assert_eq!(f.severity, Severity::Violation);
            assert!(f.required_action.contains("open to Force X"));
        }
    }

    #[test]
    fn a_justification_needs_both_parts_not_blank() {
        let j = |sole: &str, market: &str| SingleTenderJustification {
            sole_supplier_evidence: sole.into(),
            market_engagement: market.into(),
        };
        assert!(justification_gaps(Some(&j("only Acme holds the licence", "PIN, no responses"))).is_empty());
        assert_eq!(justification_gaps(None).len(), 2);
        assert_eq!(
            justification_gaps(Some(&j(" ", "PIN"))),
            ["the evidence that only one supplier can do the work"]
        );
        assert_eq!(
            justification_gaps(Some(&j("x", "\t"))),
            ["the market engagement that showed it"]
        );
        assert_eq!(justification_gaps(Some(&j("", ""))).len(), 2);
    }

    #[test]
    fn a_date_counts_on_or_before_the_evaluation_date() {
        assert!(on_or_before("2026-11-22", "2026-11-23"));
        assert!(on_or_before("2026-11-23", "2026-11-23"));
        assert!(on_or_before(" 2026-11-23 ", "2026-11-23"));
        assert!(!on_or_before("2026-11-24", "2026-11-23"));
        assert!(!on_or_before("23/11/2026", "2026-11-23"));
        assert!(!on_or_before("", "2026-11-23"));
        assert!(!on_or_before("2026-11-22", "soon"));
        assert!(is_iso_date("2026-01-01") && !is_iso_date("2026-1-01") && !is_iso_date("2026-01-0x"));
    }
}
