//! Bedfordshire OPCC Commissioning Strategy 2024 (seed document 002) as rules.
//!
//! The strategy's thresholds ("Open and Transparent Processes") leave gaps; each decision taken
//! here is written in README.md, marked `Decision:` below, and covered by a fixture in
//! `fixtures/`.

use bluelight_rules_sdk::{
    Decision, Finding, Pence, PluginInfo, Procurement, RouteToMarket, RuleDef, RulePlugin, decide, distinct_suppliers,
    format_basis_points, framework_call_off_finding, has_evidence, input_finding, is_quotation, is_tender, join_and,
    justification_gaps, plugin_info, route_name, vat_exclusive_for_thresholds,
};

pub const TENANT: &str = "bedfordshire-police";

macro_rules! clause {
    ($s:literal) => {
        concat!("Bedfordshire OPCC Commissioning Strategy 2024, ", $s)
    };
}

pub const BED_INPUT_1: RuleDef = RuleDef {
    id: "BED-INPUT-1",
    title: "Value, quotes and weightings are well formed",
    clause: clause!("Open and Transparent Processes: financial thresholds and evaluation criteria"),
};
pub const BED_VAT_1: RuleDef = RuleDef {
    id: "BED-VAT-1",
    title: "Thresholds are compared on the VAT-exclusive value",
    clause: clause!("Open and Transparent Processes: financial thresholds (VAT treatment decided by this plugin)"),
};
pub const BED_QUOTE_1: RuleDef = RuleDef {
    id: "BED-QUOTE-1",
    title: "Up to £6,000.00: one written quote",
    clause: clause!("Open and Transparent Processes: £0-£6,000 one written quote required"),
};
pub const BED_QUOTE_2: RuleDef = RuleDef {
    id: "BED-QUOTE-2",
    title: "£6,000.01 to £60,000.00: three written quotes or the e-tendering system",
    clause: clause!("Open and Transparent Processes: £6,000-£60,000 three written quotes or use of e-tendering system"),
};
pub const BED_TENDER_1: RuleDef = RuleDef {
    id: "BED-TENDER-1",
    title: "£60,000.01 and above: competitive tender with Procurement involved",
    clause: clause!(
        "Open and Transparent Processes: £60,001 and above, commissioned via competitive tender with involvement from Procurement"
    ),
};
pub const BED_PUBLISH_1: RuleDef = RuleDef {
    id: "BED-PUBLISH-1",
    title: "Over £60,000: opportunity published on the OPCC website and the E-Tendering Portal",
    clause: clause!(
        "Open and Transparent Processes: over £60,000, opportunities communicated via the OPCC website and the E-Tendering Portal"
    ),
};
pub const BED_EVAL_1: RuleDef = RuleDef {
    id: "BED-EVAL-1",
    title: "Over £60,000: evaluation covers quality, value for money and social value",
    clause: clause!(
        "Open and Transparent Processes: comprehensive evaluation, supported by an independent panel member, of quality, value for money and social value"
    ),
};
pub const BED_SV_1: RuleDef = RuleDef {
    id: "BED-SV-1",
    title: "Social value is considered in tender opportunities",
    clause: clause!("Social Value: a requirement for social value consideration in tender opportunities"),
};
pub const BED_STA_1: RuleDef = RuleDef {
    id: "BED-STA-1",
    title: "Single Tender Action only with evidence that one supplier alone can do it, after comprehensive market engagement",
    clause: clause!(
        "Funding Awards: a Single Tender Action only where only one supplier can carry out the services, after comprehensive market engagement and research"
    ),
};
pub const BED_FRAMEWORK_1: RuleDef = RuleDef {
    id: "BED-FRAMEWORK-1",
    title: "Framework call-off from a live framework open to the force; the value bands still apply",
    clause: clause!(
        "Open and Transparent Processes: financial thresholds (framework call-offs decided by this plugin)"
    ),
};

pub const RULES: &[RuleDef] = &[
    BED_INPUT_1,
    BED_VAT_1,
    BED_QUOTE_1,
    BED_QUOTE_2,
    BED_TENDER_1,
    BED_PUBLISH_1,
    BED_EVAL_1,
    BED_SV_1,
    BED_STA_1,
    BED_FRAMEWORK_1,
];

/// Decision: the bands include their upper bound. "£0-£6,000" names £6,000 as its top and the next
/// band ("£6,00-£60,000", a typo for £6,000) overlaps it only at that point, so £6,000.00 needs one
/// quote. Values are VAT-exclusive pence.
pub const ONE_QUOTE_MAX: Pence = 600_000;
/// Decision: £60,000.00 is the top of the three-quote band. The strategy's next band starts at
/// "£60,001", leaving £60,000.01-£60,000.99 undefined; its publication clause says "over £60,000",
/// so anything above £60,000.00 is a tender.
pub const THREE_QUOTES_MAX: Pence = 6_000_000;

/// The value bands of "Open and Transparent Processes".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Up to £6,000.00: one written quote.
    OneQuote,
    /// £6,000.01 to £60,000.00: three written quotes or the e-tendering system.
    ThreeQuotes,
    /// £60,000.01 and above: competitive tender.
    Tender,
}

impl Band {
    pub fn of(value_ex_vat: Pence) -> Band {
        if value_ex_vat <= ONE_QUOTE_MAX {
            Band::OneQuote
        } else if value_ex_vat <= THREE_QUOTES_MAX {
            Band::ThreeQuotes
        } else {
            Band::Tender
        }
    }

    /// The least the band requires. Band 2 also accepts the e-tendering system, and any band
    /// accepts a more competitive route.
    pub fn route(self) -> RouteToMarket {
        match self {
            Band::OneQuote => RouteToMarket::SingleQuote,
            Band::ThreeQuotes => RouteToMarket::MultipleQuotes,
            Band::Tender => RouteToMarket::ETender,
        }
    }

    fn requirement(self) -> &'static str {
        match self {
            Band::OneQuote => "obtain one written quote",
            Band::ThreeQuotes => "obtain three written quotes or use the e-tendering system",
            Band::Tender => {
                "run a competitive tender with Procurement involved, published on the OPCC website and the E-Tendering Portal"
            }
        }
    }
}

pub struct Bedfordshire;

impl RulePlugin for Bedfordshire {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, RULES)
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin_v2!(Bedfordshire);

/// Decides a Bedfordshire procurement.
///
/// `required_route` is the route the value band requires (see [`Band::route`]), except that a
/// justified single tender action is itself the required route: the strategy accepts it in place
/// of the band. A framework call-off is held to the band like any purchase.
pub fn evaluate(p: &Procurement) -> Decision {
    let mut findings = Vec::new();
    findings.extend(input_finding(p, &BED_INPUT_1));

    // Decision: thresholds are VAT-exclusive (the usual reading of Financial Regulations; the
    // strategy is silent). An inclusive value loses the 20% standard rate, rounded up to the penny.
    let (value, value_text) = vat_exclusive_for_thresholds(p, &BED_VAT_1, "the thresholds are", &mut findings);

    let band = Band::of(value);
    let required = match p.route {
        RouteToMarket::SingleTenderAction => single_tender_action(p, band, &mut findings),
        route => {
            if route == RouteToMarket::FrameworkCallOff {
                findings.push(framework_call_off(p));
            }
            value_band(p, route, band, &value_text, &mut findings);
            band.route()
        }
    };
    decide(Some(required), findings)
}

/// Quotes and tenders: the value band decides what is enough.
fn value_band(p: &Procurement, route: RouteToMarket, band: Band, value: &str, findings: &mut Vec<Finding>) {
    // Decision: "three written quotes" means quotes from three different suppliers; two quotes
    // from one supplier count once (by national supplier id, else by name).
    let suppliers = distinct_suppliers(&p.quotes);
    // Decision: the strategy makes no exception for framework call-offs, so a call-off is held to
    // the band like any purchase; its written quotes (a direct award's one, a mini-competition's
    // several) count as quotes, and over £60,000 it is not a competitive tender.
    let by_quotes = is_quotation(route) || route == RouteToMarket::FrameworkCallOff;
    match band {
        Band::OneQuote if by_quotes => findings.push(if suppliers >= 1 {
            BED_QUOTE_1.info(
                format!("{value} is in the band up to £6,000.00, which needs one written quote; {}.", quotes_text(p, suppliers)),
                "Keep the written quote with the order.",
            )
        } else {
            BED_QUOTE_1.violation(
                format!("{value} is in the band up to £6,000.00, which needs one written quote, and none is recorded."),
                "Obtain a written quote and record it before committing the spend.",
            )
        }),
        Band::OneQuote => findings.push(BED_QUOTE_1.info(
            format!("{value} is in the band up to £6,000.00, which needs only one written quote; the route chosen ({}) goes beyond that and is acceptable.", route_name(route)),
            "None: the route goes beyond the threshold's requirement.",
        )),
        Band::ThreeQuotes if by_quotes => findings.push(if suppliers >= 3 {
            BED_QUOTE_2.info(
                format!(
                    "{value} is in the £6,000.01 to £60,000.00 band, which needs three written quotes or the e-tendering system; {}.",
                    quotes_text(p, suppliers)
                ),
                "Keep the written quotes with the contract record.",
            )
        } else {
            BED_QUOTE_2.violation(
                format!(
                    "{value} is in the £6,000.01 to £60,000.00 band, which needs three written quotes or the e-tendering system, but {}.",
                    quotes_text(p, suppliers)
                ),
                "Obtain written quotes from at least three different suppliers, or run the procurement through the e-tendering system.",
            )
        }),
        Band::ThreeQuotes => findings.push(BED_QUOTE_2.info(
            format!("{value} is in the £6,000.01 to £60,000.00 band; the route chosen ({}) meets its requirement of three written quotes or the e-tendering system.", route_name(route)),
            "None: the route meets the threshold.",
        )),
        Band::Tender if is_tender(route) => {
            findings.push(BED_TENDER_1.info(
                format!("{value} is over £60,000.00 and is commissioned by competitive tender, as required."),
                "Involve Procurement (Force Commercial Services) and an independent panel member in the evaluation; the service cannot check either.",
            ));
            findings.push(if p.published {
                BED_PUBLISH_1.info(
                    "The opportunity is recorded as published.",
                    "Make sure it is on both the OPCC website and the E-Tendering Portal, with the specification, funding envelope and evaluation criteria.",
                )
            } else {
                BED_PUBLISH_1.violation(
                    format!("{value} is over £60,000.00, so the opportunity must be published on the OPCC website and the E-Tendering Portal, and it is not recorded as published."),
                    "Publish the opportunity, with its specification, funding envelope and evaluation criteria, on the OPCC website and the E-Tendering Portal.",
                )
            });
            findings.push(evaluation_criteria(p));
        }
        Band::Tender => findings.push(BED_TENDER_1.violation(
            format!(
                "{value} is over £60,000.00, so it must be commissioned by competitive tender with Procurement involved; the route chosen ({}) is not enough{}.",
                route_name(route),
                if route == RouteToMarket::FrameworkCallOff { ", as the strategy makes no exception for framework call-offs" } else { "" }
            ),
            "Run a competitive tender through the E-Tendering Portal with Procurement (Force Commercial Services) involved.",
        )),
    }
    // Decision: below the tender threshold, a tender through the e-tendering system is still a
    // "tender opportunity" and should consider social value; as the strategy sets no weighting
    // there, a missing social value criterion is a warning, not a violation.
    if band != Band::Tender && is_tender(route) {
        findings.push(match &p.weightings {
            Some(w) if w.social_value > 0 => BED_SV_1.info(
                format!("The tender gives social value {} of the evaluation.", format_basis_points(w.social_value)),
                "None: social value is part of the evaluation.",
            ),
            _ => BED_SV_1.warning(
                "This tender opportunity has no social value criterion in its evaluation.",
                "Include a social value requirement in the tender (for example employment of local people or support for local charities) and weight it in the evaluation.",
            ),
        });
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

/// Decision: "value for money" is the price weighting; quality and social value their own.
fn evaluation_criteria(p: &Procurement) -> Finding {
    let Some(w) = &p.weightings else {
        return BED_EVAL_1.violation(
            "No evaluation weightings are recorded, so the evaluation cannot be shown to cover quality, value for money and social value.",
            "Record the evaluation weightings, with quality, price (value for money) and social value each given a share.",
        );
    };
    let mut missing = Vec::new();
    if w.quality == 0 {
        missing.push("quality");
    }
    if w.price == 0 {
        missing.push("value for money (price)");
    }
    if w.social_value == 0 {
        missing.push("social value");
    }
    if missing.is_empty() {
        BED_EVAL_1.info(
            format!(
                "The evaluation weights quality {}, value for money (price) {} and social value {}.",
                format_basis_points(w.quality),
                format_basis_points(w.price),
                format_basis_points(w.social_value)
            ),
            "Have an independent panel member support the evaluation.",
        )
    } else {
        BED_EVAL_1.violation(
            format!(
                "The evaluation gives no weight to {}; it must cover quality, value for money and social value.",
                join_and(&missing)
            ),
            format!("Give {} a weighting in the evaluation criteria.", join_and(&missing)),
        )
    }
}

/// Decision: the strategy names no framework route, so a call-off gets no exemption from the
/// value bands (see `value_band`); the framework must still be live on the evaluation date and
/// open to the force, or it is no call-off at all. The national layer (PA23-CALL-OFF) checks the
/// same only above the Act's threshold, so the force's check stays.
fn framework_call_off(p: &Procurement) -> Finding {
    framework_call_off_finding(
        &BED_FRAMEWORK_1,
        p.call_off.as_ref(),
        "Bedfordshire Police",
        "Follow the framework's call-off procedure; the strategy makes no exception for framework call-offs, so the value band's quotes or tender are still required.",
    )
}

/// Decision: a single tender action needs the structured justification the strategy describes,
/// "evidence that only one supplier is able to carry out the services required" and the
/// "comprehensive market engagement and research" behind it, both recorded (not blank). The old
/// free-text market-engagement evidence alone is not enough: it does not say why only one supplier
/// can do the work. How comprehensive the engagement was cannot be judged here, so an accepted
/// single tender action still carries an info finding asking for the evidence to be kept.
fn single_tender_action(p: &Procurement, band: Band, findings: &mut Vec<Finding>) -> RouteToMarket {
    let gaps = justification_gaps(p.single_tender_justification.as_ref());
    if gaps.is_empty() {
        findings.push(BED_STA_1.info(
            "Single tender action: the justification records the evidence that only one supplier can carry out the services, and the market engagement that showed it.",
            "Keep that evidence, and the comprehensive market engagement and research behind it, with the contract record.",
        ));
        return RouteToMarket::SingleTenderAction;
    }
    let message = if p.single_tender_justification.is_none() && has_evidence(p.market_engagement_evidence.as_deref()) {
        "A single tender action (an award without competition) needs a single tender justification: the evidence that only one supplier can carry out the services, and the comprehensive market engagement and research that showed it. Only free-text market-engagement evidence is recorded, which is not enough.".to_owned()
    } else {
        format!(
            "A single tender action (an award without competition) is only considered where there is evidence that only one supplier can carry out the services, after comprehensive market engagement and research; the single tender justification does not record {}.",
            join_and(&gaps)
        )
    };
    findings.push(BED_STA_1.violation(
        message,
        format!(
            "Record the single tender justification (the evidence that only one supplier can carry out the services, and the market engagement and research that showed it), or {}.",
            band.requirement()
        ),
    ));
    band.route()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{
        call_off, check_describe, check_fixtures, findings_of, procurement, quote, weightings,
    };
    use bluelight_rules_sdk::{Outcome, Severity, SingleTenderJustification, VatTreatment};

    fn p(value: Pence, route: RouteToMarket) -> Procurement {
        procurement(TENANT, value, route)
    }

    fn ids(d: &Decision) -> Vec<(String, Severity)> {
        findings_of(d)
    }

    fn f(id: &str, s: Severity) -> (String, Severity) {
        (id.to_owned(), s)
    }

    #[test]
    fn describe_names_the_crate_tenant_and_rules() {
        check_describe::<Bedfordshire>("bedfordshire-police", env!("CARGO_PKG_VERSION"), TENANT);
        assert_eq!(Bedfordshire::describe().rules.len(), RULES.len());
    }

    #[test]
    fn every_fixture_passes() {
        let n = check_fixtures::<Bedfordshire>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
        assert!(n >= 6);
    }

    #[test]
    fn bands_include_their_upper_bound() {
        assert_eq!(Band::of(0), Band::OneQuote);
        assert_eq!(Band::of(600_000), Band::OneQuote);
        assert_eq!(Band::of(600_001), Band::ThreeQuotes);
        assert_eq!(Band::of(6_000_000), Band::ThreeQuotes);
        assert_eq!(Band::of(6_000_001), Band::Tender);
        assert_eq!(Band::of(6_000_099), Band::Tender);
        assert_eq!(Band::of(6_000_100), Band::Tender);
    }

    #[test]
    fn one_quote_up_to_six_thousand_pounds() {
        let mut x = p(600_000, RouteToMarket::SingleQuote);
        x.quotes.push(quote("Acme Ltd", 600_000, true));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(d.required_route, Some(RouteToMarket::SingleQuote));
        assert_eq!(ids(&d), [f("BED-QUOTE-1", Severity::Info)]);

        x.quotes.clear();
        let d = evaluate(&x);
        assert_eq!(ids(&d), [f("BED-QUOTE-1", Severity::Violation)]);
        assert_eq!(d.outcome, Outcome::NonCompliant);
    }

    #[test]
    fn a_penny_over_six_thousand_needs_three_quotes_from_different_suppliers() {
        let mut x = p(600_001, RouteToMarket::SingleQuote);
        x.quotes = vec![quote("A", 1, false), quote("a ", 1, false), quote("B", 1, false)];
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::MultipleQuotes));
        assert_eq!(ids(&d), [f("BED-QUOTE-2", Severity::Violation)]);
        assert!(
            d.findings[0]
                .message
                .contains("3 written quotes are recorded, from 2 different suppliers"),
            "{}",
            d.findings[0].message
        );

        x.quotes.push(quote("C", 1, false));
        assert_eq!(ids(&evaluate(&x)), [f("BED-QUOTE-2", Severity::Info)]);
    }

    #[test]
    fn e_tendering_meets_the_three_quote_band_and_should_weigh_social_value() {
        let mut x = p(3_000_000, RouteToMarket::ETender);
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            ids(&d),
            [f("BED-QUOTE-2", Severity::Info), f("BED-SV-1", Severity::Warning)]
        );
        x.weightings = Some(weightings(6000, 3000, 1000));
        assert_eq!(
            ids(&evaluate(&x)),
            [f("BED-QUOTE-2", Severity::Info), f("BED-SV-1", Severity::Info)]
        );
    }

    #[test]
    fn between_sixty_thousand_pounds_and_sixty_thousand_and_one_is_a_tender() {
        let mut x = p(6_000_050, RouteToMarket::MultipleQuotes);
        x.quotes = vec![quote("A", 1, false), quote("B", 1, false), quote("C", 1, false)];
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::ETender));
        assert_eq!(ids(&d), [f("BED-TENDER-1", Severity::Violation)]);
    }

    #[test]
    fn a_tender_is_published_and_weighs_quality_price_and_social_value() {
        let mut x = p(10_000_000, RouteToMarket::OpenTender);
        x.weightings = Some(weightings(7000, 3000, 0));
        let d = evaluate(&x);
        assert_eq!(
            ids(&d),
            [
                f("BED-EVAL-1", Severity::Violation),
                f("BED-PUBLISH-1", Severity::Violation),
                f("BED-TENDER-1", Severity::Info)
            ]
        );
        assert!(
            d.findings
                .iter()
                .any(|f| f.message.contains("no weight to social value"))
        );
        x.published = true;
        x.weightings = Some(weightings(6000, 3000, 1000));
        let d = evaluate(&x);
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(
            ids(&d),
            [
                f("BED-EVAL-1", Severity::Info),
                f("BED-PUBLISH-1", Severity::Info),
                f("BED-TENDER-1", Severity::Info)
            ]
        );
    }

    #[test]
    fn vat_inclusive_values_are_compared_without_vat() {
        let mut x = p(7_200_000, RouteToMarket::MultipleQuotes);
        x.vat = VatTreatment::Inclusive;
        x.quotes = vec![quote("A", 1, false), quote("B", 1, false), quote("C", 1, false)];
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::MultipleQuotes));
        assert_eq!(
            ids(&d),
            [f("BED-QUOTE-2", Severity::Info), f("BED-VAT-1", Severity::Info)]
        );
        assert!(d.findings[0].message.contains("£72,000.00") && d.findings[0].message.contains("£60,000.00"));
        x.value = 7_200_001;
        assert_eq!(evaluate(&x).required_route, Some(RouteToMarket::ETender));
    }

    #[test]
    fn a_call_off_is_held_to_the_value_bands_and_needs_a_live_framework_open_to_the_force() {
        let mut x = p(25_000_000, RouteToMarket::FrameworkCallOff);
        x.call_off = Some(call_off(true, true));
        let d = evaluate(&x);
        assert_eq!(d.required_route, Some(RouteToMarket::ETender));
        assert_eq!(
            ids(&d),
            [
                f("BED-FRAMEWORK-1", Severity::Info),
                f("BED-TENDER-1", Severity::Violation)
            ]
        );
        assert!(d.findings[1].message.contains("no exception for framework call-offs"));

        x.value = 6_000_000;
        x.quotes = vec![quote("A", 1, false), quote("B", 1, false), quote("C", 1, false)];
        let d = evaluate(&x);
        assert_eq!(
            (d.outcome, d.required_route),
            (Outcome::Compliant, Some(RouteToMarket::MultipleQuotes))
        );
        assert_eq!(
            ids(&d),
            [f("BED-FRAMEWORK-1", Severity::Info), f("BED-QUOTE-2", Severity::Info)]
        );

        x.value = 600_000;
        x.quotes.clear();
        assert_eq!(
            ids(&evaluate(&x)),
            [
                f("BED-FRAMEWORK-1", Severity::Info),
                f("BED-QUOTE-1", Severity::Violation)
            ]
        );

        x.quotes.push(quote("A", 1, false));
        x.call_off = Some(call_off(false, false));
        let d = evaluate(&x);
        assert_eq!(
            ids(&d),
            [
                f("BED-FRAMEWORK-1", Severity::Violation),
                f("BED-QUOTE-1", Severity::Info)
            ]
        );
        assert!(d.findings[0].message.contains("not live") && d.findings[0].message.contains("not open"));
        x.call_off = None;
        assert_eq!(evaluate(&x).outcome, Outcome::NonCompliant);
    }

    #[test]
    fn a_single_tender_action_needs_both_parts_of_its_justification() {
        let mut x = p(8_000_000, RouteToMarket::SingleTenderAction);
        let d = evaluate(&x);
        assert_eq!(
            (d.outcome, d.required_route),
            (Outcome::NonCompliant, Some(RouteToMarket::ETender))
        );

        // The old free text alone is not a justification; the message says what to record.
        x.market_engagement_evidence = Some("Market engagement event 2026-09-01; one provider responded".into());
        let d = evaluate(&x);
        assert_eq!(ids(&d), [f("BED-STA-1", Severity::Violation)]);
        assert!(
            d.findings[0]
                .message
                .contains("Only free-text market-engagement evidence is recorded")
        );

        x.single_tender_justification = Some(SingleTenderJustification {
            sole_supplier_evidence: "Only provider accredited for the service in the county".into(),
            market_engagement: " ".into(),
        });
        let d = evaluate(&x);
        assert_eq!(ids(&d), [f("BED-STA-1", Severity::Violation)]);
        assert!(
            d.findings[0]
                .message
                .contains("does not record the market engagement that showed it")
        );

        x.single_tender_justification = Some(SingleTenderJustification {
            sole_supplier_evidence: "Only provider accredited for the service in the county".into(),
            market_engagement: "Market engagement event 2026-09-01 and a four-week notice".into(),
        });
        let d = evaluate(&x);
        assert_eq!(
            (d.outcome, d.required_route),
            (Outcome::Compliant, Some(RouteToMarket::SingleTenderAction))
        );
        assert_eq!(ids(&d), [f("BED-STA-1", Severity::Info)]);
    }

    #[test]
    fn malformed_input_is_a_violation() {
        let mut x = p(-1, RouteToMarket::SingleQuote);
        x.quotes.push(quote("A", -5, false));
        x.weightings = Some(weightings(5000, 3000, 1000));
        let d = evaluate(&x);
        assert_eq!(
            ids(&d),
            [f("BED-INPUT-1", Severity::Violation), f("BED-QUOTE-1", Severity::Info)]
        );
        let m = &d.findings[0].message;
        assert!(
            m.contains("-£0.01") && m.contains("negative amount") && m.contains("90%"),
            "{m}"
        );
    }
}
