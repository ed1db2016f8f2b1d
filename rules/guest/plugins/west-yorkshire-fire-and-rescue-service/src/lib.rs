//! West Yorkshire Fire and Rescue Service contract standing orders as rules.
//!
//! ILLUSTRATIVE: these standing orders are not taken from a West Yorkshire Fire and Rescue
//! Service document. They are plausible fire-service thresholds, written so that a fire and
//! rescue service tenant has a plugin of its own (a new tenant uploads it in a test); every clause
//! cited says so. Each decision taken at a boundary is written in README.md, marked `Decision:`
//! below, and covered by a fixture in `fixtures/` or, where README.md says so, a unit test.

use bluelight_rules_sdk::{
    Decision, Finding, Pence, PluginInfo, Procurement, RouteToMarket, RuleDef, RulePlugin, VatTreatment, Weightings,
    call_off_gaps, decide, distinct_suppliers, format_basis_points, format_pence, has_evidence, input_problems,
    is_quotation, is_tender, join_and, plugin_info, route_name, vat_exclusive_value, weightings_total,
};

pub const TENANT: &str = "west-yorkshire-fire-and-rescue-service";

macro_rules! clause {
    ($s:literal) => {
        concat!(
            "West Yorkshire Fire and Rescue Service Contract Standing Orders (illustrative, not from a source document), ",
            $s
        )
    };
}

pub const WYF_INPUT_1: RuleDef = RuleDef {
    id: "WYF-INPUT-1",
    title: "Value, quotes and weightings are well formed",
    clause: clause!("CSO 2: values, written quotations and evaluation weightings"),
};
pub const WYF_VAT_1: RuleDef = RuleDef {
    id: "WYF-VAT-1",
    title: "Thresholds are compared on the VAT-exclusive value",
    clause: clause!("CSO 3: every threshold is a value excluding VAT"),
};
pub const WYF_QUOTE_1: RuleDef = RuleDef {
    id: "WYF-QUOTE-1",
    title: "Under £10,000.00: one written quote",
    clause: clause!("CSO 4.1: below £10,000, one written quotation"),
};
pub const WYF_QUOTE_2: RuleDef = RuleDef {
    id: "WYF-QUOTE-2",
    title: "£10,000.00 to £99,999.99: three written quotes or a national framework call-off",
    clause: clause!("CSO 4.2: £10,000 to £99,999.99, three written quotations or a call-off from a national framework"),
};
pub const WYF_TENDER_1: RuleDef = RuleDef {
    id: "WYF-TENDER-1",
    title: "£100,000.00 and above: competitive tender or a national framework call-off",
    clause: clause!(
        "CSO 4.3: £100,000 and above, a published competitive tender or a call-off from a national framework"
    ),
};
pub const WYF_PUBLISH_1: RuleDef = RuleDef {
    id: "WYF-PUBLISH-1",
    title: "£100,000.00 and above: the tender is published",
    clause: clause!("CSO 4.3: £100,000 and above, the opportunity is published on the e-tendering portal"),
};
pub const WYF_SV_1: RuleDef = RuleDef {
    id: "WYF-SV-1",
    title: "Tenders of £100,000.00 and above where social value is relevant: at least 10% of the evaluation weighting",
    clause: clause!(
        "CSO 7: social value at least 10% of the evaluation weighting of tenders of £100,000 and above where social value is relevant (Public Services (Social Value) Act 2012)"
    ),
};
pub const WYF_STA_1: RuleDef = RuleDef {
    id: "WYF-STA-1",
    title: "Single tender action only with market engagement evidence",
    clause: clause!(
        "CSO 6: a single tender action only where market engagement shows that competition is not possible, with the evidence recorded"
    ),
};
pub const WYF_FRAMEWORK_1: RuleDef = RuleDef {
    id: "WYF-FRAMEWORK-1",
    title: "Framework call-off from a live national framework open to the Service",
    clause: clause!(
        "CSO 5: call-offs from national frameworks (e.g. Crown Commercial Service, Bluelight Commercial, NFCC) that are live and open to fire and rescue services"
    ),
};

pub const RULES: &[RuleDef] = &[
    WYF_INPUT_1,
    WYF_VAT_1,
    WYF_QUOTE_1,
    WYF_QUOTE_2,
    WYF_TENDER_1,
    WYF_PUBLISH_1,
    WYF_SV_1,
    WYF_STA_1,
    WYF_FRAMEWORK_1,
];

/// Decision: "under £10,000" excludes £10,000.00 itself, which is the first value of the
/// three-quote band ("£10,000 to £99,999.99"). Values are VAT-exclusive pence.
pub const THREE_QUOTES_FROM: Pence = 1_000_000;
/// Decision: "£100,000 and above" includes £100,000.00; £99,999.99 is the top of the three-quote
/// band. Money is whole pence, so the bands leave no gap between them.
pub const TENDER_FROM: Pence = 10_000_000;
/// Social value's least share of the evaluation weighting: 10%, in basis points.
pub const MIN_SOCIAL_VALUE_BP: u64 = 1_000;

/// The value bands of CSO 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Under £10,000.00: one written quote.
    OneQuote,
    /// £10,000.00 to £99,999.99: three written quotes or a national framework call-off.
    ThreeQuotes,
    /// £100,000.00 and above: a published competitive tender or a national framework call-off.
    Tender,
}

impl Band {
    pub fn of(value_ex_vat: Pence) -> Band {
        if value_ex_vat < THREE_QUOTES_FROM {
            Band::OneQuote
        } else if value_ex_vat < TENDER_FROM {
            Band::ThreeQuotes
        } else {
            Band::Tender
        }
    }

    /// The least the band requires. A valid framework call-off is accepted in any band, and any
    /// band accepts a more competitive route.
    pub fn route(self) -> RouteToMarket {
        match self {
            Band::OneQuote => RouteToMarket::SingleQuote,
            Band::ThreeQuotes => RouteToMarket::MultipleQuotes,
            Band::Tender => RouteToMarket::ETender,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Band::OneQuote => "the band under £10,000.00",
            Band::ThreeQuotes => "the £10,000.00 to £99,999.99 band",
            Band::Tender => "the band of £100,000.00 and above",
        }
    }

    /// What the band asks for other than a framework call-off.
    fn requirement(self) -> &'static str {
        match self {
            Band::OneQuote => "obtain one written quote",
            Band::ThreeQuotes => "obtain three written quotes from different suppliers",
            Band::Tender => "run a competitive tender published on the e-tendering portal",
        }
    }
}

pub struct WestYorkshireFire;

impl RulePlugin for WestYorkshireFire {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, RULES)
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin!(WestYorkshireFire);

/// Decides a West Yorkshire Fire and Rescue Service procurement.
///
/// `required_route` is the route the value band requires (see [`Band::route`]), except that a
/// valid framework call-off or single tender action is itself the required route.
pub fn evaluate(p: &Procurement) -> Decision {
    let mut findings = Vec::new();
    check_input(p, &mut findings);

    // Decision: thresholds are VAT-exclusive (CSO 3), as in the other plugins. An inclusive value
    // loses the 20% standard rate, rounded up to the penny; exempt values are used as they are.
    let value = vat_exclusive_value(p.value, p.vat);
    let value_text = if p.vat == VatTreatment::Inclusive {
        findings.push(WYF_VAT_1.info(
            format!(
                "The value {} includes VAT; the thresholds are compared on its VAT-exclusive equivalent, {}, taking off VAT at the 20% standard rate.",
                format_pence(p.value),
                format_pence(value)
            ),
            "If the purchase is zero-rated or reduced-rate, record its value VAT-exclusive so the right threshold applies.",
        ));
        format!("{} (VAT-exclusive)", format_pence(value))
    } else {
        format_pence(value)
    };

    let band = Band::of(value);
    let required = match p.route {
        RouteToMarket::FrameworkCallOff => framework_call_off(p, band, &value_text, &mut findings),
        RouteToMarket::SingleTenderAction => single_tender_action(p, band, &mut findings),
        route => {
            value_band(p, route, band, &value_text, &mut findings);
            band.route()
        }
    };
    decide(Some(required), findings)
}

fn check_input(p: &Procurement, findings: &mut Vec<Finding>) {
    let problems = input_problems(p);
    if !problems.is_empty() {
        let problems: Vec<&str> = problems.iter().map(String::as_str).collect();
        findings.push(WYF_INPUT_1.violation(
            format!("The procurement record is not well formed: {}.", join_and(&problems)),
            "Correct the value, quotes and weightings (price, quality and social value must add up to 100%).",
        ));
    }
}

/// Quotes and tenders: the value band decides what is enough.
fn value_band(p: &Procurement, route: RouteToMarket, band: Band, value: &str, findings: &mut Vec<Finding>) {
    // Decision: "three written quotes" means quotes from three different suppliers; two quotes
    // from one supplier count once (by national supplier id, else by name).
    let suppliers = distinct_suppliers(&p.quotes);
    match band {
        Band::OneQuote if is_quotation(route) => findings.push(if suppliers >= 1 {
            WYF_QUOTE_1.info(
                format!("{value} is in {}, which needs one written quote; {}.", band.name(), quotes_text(p, suppliers)),
                "Keep the written quote with the order.",
            )
        } else {
            WYF_QUOTE_1.violation(
                format!("{value} is in {}, which needs one written quote, and none is recorded.", band.name()),
                "Obtain a written quote and record it before committing the spend.",
            )
        }),
        Band::OneQuote => findings.push(WYF_QUOTE_1.info(
            format!(
                "{value} is in {}, which needs only one written quote; the route chosen ({}) goes beyond that and is acceptable.",
                band.name(),
                route_name(route)
            ),
            "None: the route goes beyond the threshold's requirement.",
        )),
        Band::ThreeQuotes if is_quotation(route) => findings.push(if suppliers >= 3 {
            WYF_QUOTE_2.info(
                format!(
                    "{value} is in {}, which needs three written quotes or a national framework call-off; {}.",
                    band.name(),
                    quotes_text(p, suppliers)
                ),
                "Keep the written quotes with the contract record.",
            )
        } else {
            WYF_QUOTE_2.violation(
                format!(
                    "{value} is in {}, which needs three written quotes or a national framework call-off, but {}.",
                    band.name(),
                    quotes_text(p, suppliers)
                ),
                "Obtain written quotes from at least three different suppliers, or call off from a live national framework open to the Service.",
            )
        }),
        // Decision: a competitive tender below £100,000.00 goes beyond the band; neither
        // publication nor the social value minimum is required of it (CSO 4.3 and 7 start at
        // £100,000).
        Band::ThreeQuotes => findings.push(WYF_QUOTE_2.info(
            format!(
                "{value} is in {}; the route chosen ({}) goes beyond its requirement of three written quotes or a national framework call-off.",
                band.name(),
                route_name(route)
            ),
            "None: the route goes beyond the threshold's requirement.",
        )),
        Band::Tender if is_tender(route) => {
            findings.push(WYF_TENDER_1.info(
                format!("{value} is in {} and is procured by competitive tender, as required.", band.name()),
                "Run the tender with the Service's procurement team and keep the evaluation record.",
            ));
            findings.push(if p.published {
                WYF_PUBLISH_1.info(
                    "The opportunity is recorded as published.",
                    "Make sure it is on the e-tendering portal with the specification and the evaluation criteria.",
                )
            } else {
                WYF_PUBLISH_1.violation(
                    format!("{value} is in {}, so the tender must be published on the e-tendering portal, and it is not recorded as published.", band.name()),
                    "Publish the opportunity, with its specification and evaluation criteria, on the e-tendering portal.",
                )
            });
            if p.social_value_relevant {
                findings.push(social_value(p.weightings.as_ref()));
            }
        }
        Band::Tender => findings.push(WYF_TENDER_1.violation(
            format!(
                "{value} is in {}, which needs a published competitive tender or a national framework call-off; the route chosen ({}) is not enough.",
                band.name(),
                route_name(route)
            ),
            "Run a competitive tender published on the e-tendering portal, or call off from a live national framework open to the Service.",
        )),
    }
}

fn quotes_text(p: &Procurement, suppliers: usize) -> String {
    let n = p.quotes.len();
    match (n, suppliers) {
        (0, _) => "no written quote is recorded".to_owned(),
        (1, _) => "1 written quote is recorded".to_owned(),
        (n, s) if n == s => format!("{n} written quotes from {s} different suppliers are recorded"),
        (n, 1) => {
            format!("{n} written quotes are recorded, all from the same supplier (quotes from one supplier count once)")
        }
        (n, s) => format!(
            "{n} written quotes are recorded, from {s} different suppliers (quotes from one supplier count once)"
        ),
    }
}

/// Decision: "at least 10% of the evaluation weighting" is social value's share of the whole
/// weighting (price + quality + social value, 10000 when well formed), compared exactly in
/// integers: `social_value × 10000 ≥ 1000 × total`. Exactly 10% meets it; a relevant social
/// value with no weight at all never does.
pub fn meets_social_value_minimum(w: &Weightings) -> bool {
    w.social_value > 0 && u64::from(w.social_value) * 10_000 >= MIN_SOCIAL_VALUE_BP * weightings_total(w)
}

/// Decision: where social value is relevant, a tender of £100,000.00 or more with no weightings
/// recorded cannot show the 10% and is a violation.
fn social_value(weightings: Option<&Weightings>) -> Finding {
    let Some(w) = weightings else {
        return WYF_SV_1.violation(
            "Social value is relevant, but no evaluation weightings are recorded, so it cannot be shown that social value has at least 10% of the evaluation weighting.",
            "Record the evaluation weightings, giving social value at least 10%.",
        );
    };
    let total = weightings_total(w);
    let share = (u64::from(w.social_value) * 10_000).checked_div(total).unwrap_or(0);
    let detail = format!(
        "Social value has {} of the evaluation weighting (price {}, quality {}, social value {})",
        format_basis_points(share),
        format_basis_points(w.price),
        format_basis_points(w.quality),
        format_basis_points(w.social_value)
    );
    if meets_social_value_minimum(w) {
        WYF_SV_1.info(
            format!("{detail}; at least 10% is required."),
            "Set social value outcomes that are proportionate and relevant to the contract, and manage them in the contract.",
        )
    } else {
        WYF_SV_1.violation(
            format!(
                "{detail}; social value is relevant and the tender is £100,000.00 or more, so at least 10% is required."
            ),
            "Give social value at least 10% of the evaluation weighting.",
        )
    }
}

/// Decision: a call-off from a national framework that is live on the evaluation date and open
/// to the Service is accepted at any value: CSO 4.2 and 4.3 name it, and under £10,000.00 it goes
/// beyond one quote. Social value's 10% minimum (CSO 7) is for the Service's own tenders, not for a
/// call-off, which follows the framework's call-off terms. Otherwise the value band applies, and
/// is the required route.
fn framework_call_off(p: &Procurement, band: Band, value: &str, findings: &mut Vec<Finding>) -> RouteToMarket {
    let gaps = call_off_gaps(p.call_off.as_ref());
    match (&p.call_off, gaps.is_empty()) {
        (Some(c), true) => {
            findings.push(WYF_FRAMEWORK_1.info(
                format!(
                    "{value} is in {}; the call-off from framework {} lot {}, live and open to the Service, is accepted in place of quotes or a tender.",
                    band.name(),
                    c.framework_reference,
                    c.lot_number
                ),
                if p.social_value_relevant {
                    "Follow the framework's call-off procedure (direct award or mini-competition), weigh social value in a mini-competition where the framework allows, and keep the call-off record."
                } else {
                    "Follow the framework's call-off procedure (direct award or mini-competition) and keep the call-off record."
                },
            ));
            RouteToMarket::FrameworkCallOff
        }
        _ => {
            findings.push(WYF_FRAMEWORK_1.violation(
                format!(
                    "A call-off must be from a national framework that is live and open to the Service, but {}.",
                    join_and(&gaps)
                ),
                format!(
                    "Call off from a live national framework open to the Service, or {}.",
                    band.requirement()
                ),
            ));
            band.route()
        }
    }
}

/// Decision: a single tender action needs market-engagement evidence at any value, under
/// £10,000.00 too; evidence is any non-blank text. The plugin cannot judge the evidence, so an
/// accepted single tender action still carries an info finding asking for it to be kept. Without
/// evidence the value band's route is required.
fn single_tender_action(p: &Procurement, band: Band, findings: &mut Vec<Finding>) -> RouteToMarket {
    if has_evidence(p.market_engagement_evidence.as_deref()) {
        findings.push(WYF_STA_1.info(
            "Single tender action: market-engagement evidence is recorded.",
            "Keep the market-engagement evidence that competition is not possible, and the approval of the single tender action, with the contract record.",
        ));
        RouteToMarket::SingleTenderAction
    } else {
        findings.push(WYF_STA_1.violation(
            "A single tender action (an award without competition) is only allowed where market engagement shows that competition is not possible, and no market-engagement evidence is recorded.",
            match band {
                Band::OneQuote => format!(
                    "Record the market engagement that shows competition is not possible, or {}.",
                    band.requirement()
                ),
                _ => format!(
                    "Record the market engagement that shows competition is not possible, or {}, or call off from a live national framework open to the Service.",
                    band.requirement()
                ),
            },
        ));
        band.route()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{
        call_off, check_describe, check_fixtures, findings_of, procurement, quote, weightings,
    };
    use bluelight_rules_sdk::{Outcome, Severity};

    fn p(value: Pence, route: RouteToMarket) -> Procurement {
        procurement(TENANT, value, route)
    }

    fn f(id: &str, s: Severity) -> (String, Severity) {
        (id.to_owned(), s)
    }

    fn three_quotes() -> Vec<bluelight_rules_sdk::Quote> {
        vec![quote("A", 1, true), quote("B", 1, false), quote("C", 1, false)]
    }

    #[test]
    fn describe_names_the_crate_tenant_and_rules() {
        check_describe::<WestYorkshireFire>(
            "west-yorkshire-fire-and-rescue-service",
            env!("CARGO_PKG_VERSION"),
            TENANT,
        );
        let info = WestYorkshireFire::describe();
        assert_eq!(info.rules.len(), RULES.len());
        assert!(info.rules.iter().all(|r| r.policy_clause.contains("illustrative")));
    }

    #[test]
    fn every_fixture_passes() {
        let n = check_fixtures::<WestYorkshireFire>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
        assert!(n >= 10, "{n} fixtures");
    }

    #[test]
    fn ten_thousand_and_a_hundred_thousand_pounds_start_their_bands() {
        assert_eq!(Band::of(0), Band::OneQuote);
        assert_eq!(Band::of(999_999), Band::OneQuote);
        assert_eq!(Band::of(1_000_000), Band::ThreeQuotes);
        assert_eq!(Band::of(9_999_999), Band::ThreeQuotes);
        assert_eq!(Band::of(10_000_000), Band::Tender);
        assert_eq!(Band::of(i64::MAX), Band::Tender);
    }

    #[test]
    fn vat_inclusive_rounding_up_can_reach_the_tender_threshold() {
        // £119,999.99 including VAT is £99,999.9917 without it, rounded up to £100,000.00.
        let mut x = p(11_999_999, RouteToMarket::MultipleQuotes);
        x.vat = VatTreatment::Inclusive;
        x.quotes = three_quotes();
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::ETender));
        assert_eq!(
            findings_of(&d),
            [f("WYF-TENDER-1", Severity::Violation), f("WYF-VAT-1", Severity::Info)]
        );
        // £119,999.98 including VAT is £99,999.98333, rounded up to £99,999.99.
        x.value = 11_999_998;
        assert_eq!(evaluate(&x).required_route, Some(RouteToMarket::MultipleQuotes));
        // Exempt values are used as they are.
        x.vat = VatTreatment::Exempt;
        x.value = 10_000_000;
        assert_eq!(evaluate(&x).required_route, Some(RouteToMarket::ETender));
    }

    #[test]
    fn a_call_off_is_accepted_in_every_band() {
        for value in [50_000, 6_000_000, 50_000_000] {
            let mut x = p(value, RouteToMarket::FrameworkCallOff);
            x.call_off = Some(call_off(true, true));
            let d = evaluate(&x);
            assert_eq!(d.outcome, Outcome::Compliant, "{value}");
            assert_eq!(d.required_route, Some(RouteToMarket::FrameworkCallOff));
            assert_eq!(findings_of(&d), [f("WYF-FRAMEWORK-1", Severity::Info)]);
        }
        let mut x = p(6_000_000, RouteToMarket::FrameworkCallOff);
        x.call_off = Some(call_off(true, false));
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::MultipleQuotes));
        assert!(d.findings[0].message.contains("not open"), "{}", d.findings[0].message);
        x.call_off = None;
        assert_eq!(findings_of(&evaluate(&x)), [f("WYF-FRAMEWORK-1", Severity::Violation)]);
    }

    #[test]
    fn social_value_is_at_least_ten_percent_of_the_whole_weighting() {
        assert!(meets_social_value_minimum(&weightings(5000, 4000, 1000)));
        assert!(!meets_social_value_minimum(&weightings(5000, 4001, 999)));
        assert!(meets_social_value_minimum(&weightings(0, 0, 10_000)));
        assert!(!meets_social_value_minimum(&weightings(10_000, 0, 0)));
        assert!(!meets_social_value_minimum(&weightings(0, 0, 0)));
        // Malformed weightings are judged against their own total: 950 of 9500 is 10%.
        assert!(meets_social_value_minimum(&weightings(5000, 3550, 950)));
    }

    #[test]
    fn below_a_hundred_thousand_pounds_a_tender_needs_neither_publication_nor_social_value() {
        let mut x = p(9_999_999, RouteToMarket::ETender);
        x.social_value_relevant = true;
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(d.required_route, Some(RouteToMarket::MultipleQuotes));
        assert_eq!(findings_of(&d), [f("WYF-QUOTE-2", Severity::Info)]);
        let d = evaluate(&p(999_999, RouteToMarket::OpenTender));
        assert_eq!(findings_of(&d), [f("WYF-QUOTE-1", Severity::Info)]);
    }

    #[test]
    fn a_single_tender_action_needs_evidence_at_any_value() {
        let mut x = p(10_000_000, RouteToMarket::SingleTenderAction);
        x.market_engagement_evidence = Some("  ".into());
        let d = evaluate(&x);
        assert_eq!(
            (d.outcome, d.required_route),
            (Outcome::NonCompliant, Some(RouteToMarket::ETender))
        );
        x.market_engagement_evidence = Some("Soft market test 2026-10-01: one respondent".into());
        let d = evaluate(&x);
        assert_eq!(
            (d.outcome, d.required_route),
            (Outcome::Compliant, Some(RouteToMarket::SingleTenderAction))
        );
    }

    #[test]
    fn malformed_input_is_a_violation_and_the_other_rules_still_run() {
        let mut x = p(-1, RouteToMarket::SingleQuote);
        x.quotes.push(quote("A", -5, false));
        let d = evaluate(&x);
        assert_eq!(
            findings_of(&d),
            [f("WYF-INPUT-1", Severity::Violation), f("WYF-QUOTE-1", Severity::Info)]
        );
        assert!(d.findings[0].message.contains("-£0.01"), "{}", d.findings[0].message);
    }
}
