//! The floor: Bedfordshire's rules (`rules/guest/plugins/bedfordshire-police/src/lib.rs`, with the
//! guest SDK helpers it uses) as plain Rust over the host's types. No sandbox, no conversion: the
//! fastest these rules can be decided, doing the same work as the plugin (messages included).
//!
//! The section between the `BEGIN`/`END` markers is the plugin's own code, copied; when the plugin
//! changes, copy it again (renaming `RouteToMarket` to `Route` and `p.value` to `p.value_pence`).
//! The benchmarks check before timing that it decides the procurement set as the plugin does, and
//! say if its messages differ.

use std::collections::BTreeSet;

use bluelight_rules::{
    CallOff, Decision, Finding, PluginQuote, Procurement, Route, Severity, VatTreatment, Weightings,
};

struct RuleDef {
    id: &'static str,
    clause: &'static str,
}

macro_rules! clause {
    ($s:literal) => {
        concat!("Bedfordshire OPCC Commissioning Strategy 2024, ", $s)
    };
}

const BED_INPUT_1: RuleDef = RuleDef {
    id: "BED-INPUT-1",
    clause: clause!("Open and Transparent Processes: financial thresholds and evaluation criteria"),
};
const BED_VAT_1: RuleDef = RuleDef {
    id: "BED-VAT-1",
    clause: clause!("Open and Transparent Processes: financial thresholds (VAT treatment decided by this plugin)"),
};
const BED_QUOTE_1: RuleDef = RuleDef {
    id: "BED-QUOTE-1",
    clause: clause!("Open and Transparent Processes: £0-£6,000 one written quote required"),
};
const BED_QUOTE_2: RuleDef = RuleDef {
    id: "BED-QUOTE-2",
    clause: clause!("Open and Transparent Processes: £6,000-£60,000 three written quotes or use of e-tendering system"),
};
const BED_TENDER_1: RuleDef = RuleDef {
    id: "BED-TENDER-1",
    clause: clause!(
        "Open and Transparent Processes: £60,001 and above, commissioned via competitive tender with involvement from Procurement"
    ),
};
const BED_PUBLISH_1: RuleDef = RuleDef {
    id: "BED-PUBLISH-1",
    clause: clause!(
        "Open and Transparent Processes: over £60,000, opportunities communicated via the OPCC website and the E-Tendering Portal"
    ),
};
const BED_EVAL_1: RuleDef = RuleDef {
    id: "BED-EVAL-1",
    clause: clause!(
        "Open and Transparent Processes: comprehensive evaluation, supported by an independent panel member, of quality, value for money and social value"
    ),
};
const BED_SV_1: RuleDef = RuleDef {
    id: "BED-SV-1",
    clause: clause!("Social Value: a requirement for social value consideration in tender opportunities"),
};
const BED_STA_1: RuleDef = RuleDef {
    id: "BED-STA-1",
    clause: clause!(
        "Funding Awards: a Single Tender Action only where only one supplier can carry out the services, after comprehensive market engagement and research"
    ),
};
const BED_FRAMEWORK_1: RuleDef = RuleDef {
    id: "BED-FRAMEWORK-1",
    clause: clause!(
        "Open and Transparent Processes: financial thresholds (framework call-offs decided by this plugin)"
    ),
};

impl RuleDef {
    fn finding(&self, severity: Severity, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        Finding {
            rule_id: self.id.to_owned(),
            severity,
            message: message.into(),
            policy_clause: self.clause.to_owned(),
            required_action: required_action.into(),
        }
    }
    fn violation(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Violation, message, required_action)
    }
    fn warning(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Warning, message, required_action)
    }
    fn info(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Info, message, required_action)
    }
}

type Pence = i64;

const ONE_QUOTE_MAX: Pence = 600_000;
const THREE_QUOTES_MAX: Pence = 6_000_000;
const STANDARD_VAT_RATE_BP: i64 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    OneQuote,
    ThreeQuotes,
    Tender,
}

impl Band {
    fn of(value_ex_vat: i64) -> Band {
        if value_ex_vat <= ONE_QUOTE_MAX {
            Band::OneQuote
        } else if value_ex_vat <= THREE_QUOTES_MAX {
            Band::ThreeQuotes
        } else {
            Band::Tender
        }
    }

    fn route(self) -> Route {
        match self {
            Band::OneQuote => Route::SingleQuote,
            Band::ThreeQuotes => Route::MultipleQuotes,
            Band::Tender => Route::ETender,
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

// BEGIN plugin rule logic: the plugin's `evaluate` and what it calls, as written there (with the
// host's names: `Route` for `RouteToMarket`, `value_pence` for `value`).

/// Decides a Bedfordshire procurement.
///
/// `required_route` is the route the value band requires (see [`Band::route`]), except that a
/// valid framework call-off or single tender action is itself the required route: the rules
/// accept it in place of the band.
pub fn evaluate(p: &Procurement) -> Decision {
    let mut findings = Vec::new();
    check_input(p, &mut findings);

    // Decision: thresholds are VAT-exclusive (the usual reading of Financial Regulations; the
    // strategy is silent). An inclusive value loses the 20% standard rate, rounded up to the penny.
    let value = vat_exclusive_value(p.value_pence, p.vat);
    let value_text = if p.vat == VatTreatment::Inclusive {
        findings.push(BED_VAT_1.info(
            format!(
                "The value {} includes VAT; the thresholds are compared on its VAT-exclusive equivalent, {}, taking off VAT at the 20% standard rate.",
                format_pence(p.value_pence),
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
        Route::FrameworkCallOff => framework_call_off(p, band, &mut findings),
        Route::SingleTenderAction => single_tender_action(p, band, &mut findings),
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
        findings.push(BED_INPUT_1.violation(
            format!("The procurement record is not well formed: {}.", join_and(&problems)),
            "Correct the value, quotes and weightings (price, quality and social value must add up to 100%).",
        ));
    }
}

/// Quotes and tenders: the value band decides what is enough.
fn value_band(p: &Procurement, route: Route, band: Band, value: &str, findings: &mut Vec<Finding>) {
    // Decision: "three written quotes" means quotes from three different suppliers; two quotes
    // from one supplier count once (by national supplier id, else by name).
    let suppliers = distinct_suppliers(&p.quotes);
    match band {
        Band::OneQuote if is_quotation(route) => findings.push(if suppliers >= 1 {
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
        Band::ThreeQuotes if is_quotation(route) => findings.push(if suppliers >= 3 {
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
            format!("{value} is over £60,000.00, so it must be commissioned by competitive tender with Procurement involved; the route chosen ({}) is not enough.", route_name(route)),
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

/// Decision: a call-off from a live framework open to the force is accepted at any value in place
/// of the quote and tender thresholds, because the framework was itself competitively tendered.
/// Otherwise the value band applies, and is the required route.
fn framework_call_off(p: &Procurement, band: Band, findings: &mut Vec<Finding>) -> Route {
    let gaps = call_off_gaps(p.call_off.as_ref());
    match (&p.call_off, gaps.is_empty()) {
        (Some(c), true) => {
            findings.push(BED_FRAMEWORK_1.info(
                format!(
                    "Call-off from framework {} lot {}, live and open to Bedfordshire Police: accepted at any value in place of the quote and tender thresholds, as the framework was itself competitively tendered.",
                    c.framework_reference, c.lot_number
                ),
                "Follow the framework's own call-off procedure (direct award or mini-competition) and keep the call-off record.",
            ));
            Route::FrameworkCallOff
        }
        _ => {
            findings.push(BED_FRAMEWORK_1.violation(
                format!(
                    "A call-off must be from a framework that is live and open to the force, but {}.",
                    join_and(&gaps)
                ),
                format!(
                    "Call off from a live framework open to Bedfordshire Police, or {}.",
                    band.requirement()
                ),
            ));
            band.route()
        }
    }
}

/// Decision: evidence is any non-blank text; the plugin cannot judge how comprehensive it is, so a
/// valid single tender action still carries an info finding asking for it to be kept.
fn single_tender_action(p: &Procurement, band: Band, findings: &mut Vec<Finding>) -> Route {
    if has_evidence(p.market_engagement_evidence.as_deref()) {
        findings.push(BED_STA_1.info(
            "Single tender action: market-engagement evidence is recorded.",
            "Keep the evidence that only one supplier can carry out the services, and the comprehensive market engagement and research behind it, with the contract record.",
        ));
        Route::SingleTenderAction
    } else {
        findings.push(BED_STA_1.violation(
            "A single tender action (an award without competition) is only considered after comprehensive market engagement and research showing that only one supplier can do it, and no such evidence is recorded.",
            format!("Record the market engagement and research that shows only one supplier can carry out the services, or {}.", band.requirement()),
        ));
        band.route()
    }
}

// END plugin rule logic

// The guest SDK's helpers (`rules/guest/sdk/src/lib.rs`), over the host's types.

fn decide(required_route: Option<Route>, findings: Vec<Finding>) -> Decision {
    Decision {
        outcome: Decision::outcome_from_findings(&findings),
        required_route,
        findings,
    }
}

fn format_pence(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut pounds = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            pounds.push(',');
        }
        pounds.push(c);
    }
    format!("{sign}£{pounds}.{:02}", abs % 100)
}

fn format_basis_points(bp: impl Into<u64>) -> String {
    let bp: u64 = bp.into();
    let (whole, frac) = (bp / 100, bp % 100);
    if frac == 0 {
        format!("{whole}%")
    } else if frac.is_multiple_of(10) {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

fn vat_exclusive_value(value: i64, vat: VatTreatment) -> i64 {
    match vat {
        VatTreatment::Exclusive | VatTreatment::Exempt => value,
        VatTreatment::Inclusive => {
            let num = i128::from(value) * 10_000;
            let den = 10_000 + i128::from(STANDARD_VAT_RATE_BP);
            let ceil = num.div_euclid(den) + i128::from(num.rem_euclid(den) != 0);
            ceil as i64
        }
    }
}

fn distinct_suppliers(quotes: &[PluginQuote]) -> usize {
    quotes
        .iter()
        .map(|q| match q.supplier_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => format!("id:{id}"),
            _ => format!(
                "name:{}",
                q.supplier_name
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            ),
        })
        .collect::<BTreeSet<_>>()
        .len()
}

fn weightings_total(w: &Weightings) -> u64 {
    u64::from(w.price) + u64::from(w.quality) + u64::from(w.social_value)
}

fn input_problems(p: &Procurement) -> Vec<String> {
    let mut problems = Vec::new();
    if p.value_pence < 0 {
        problems.push(format!("the value {} is negative", format_pence(p.value_pence)));
    }
    if p.quotes.iter().any(|q| q.amount_pence < 0) {
        problems.push("a quote has a negative amount".to_owned());
    }
    if let Some(w) = &p.weightings {
        let total = weightings_total(w);
        if total != 10_000 {
            problems.push(format!(
                "the evaluation weightings add up to {} instead of 100%",
                format_basis_points(total)
            ));
        }
    }
    problems
}

fn is_tender(route: Route) -> bool {
    matches!(route, Route::ETender | Route::OpenTender)
}

fn is_quotation(route: Route) -> bool {
    matches!(route, Route::SingleQuote | Route::MultipleQuotes)
}

fn route_name(route: Route) -> &'static str {
    match route {
        Route::SingleQuote => "a single written quote",
        Route::MultipleQuotes => "multiple written quotes",
        Route::ETender => "a tender through the e-tendering system",
        Route::OpenTender => "an open tender",
        Route::FrameworkCallOff => "a framework call-off",
        Route::SingleTenderAction => "a single tender action",
    }
}

fn call_off_gaps(call_off: Option<&CallOff>) -> Vec<&'static str> {
    match call_off {
        None => vec!["no framework was named (reference, lot, whether it is live and open to the force)"],
        Some(c) => {
            let mut gaps = Vec::new();
            if !c.framework_live {
                gaps.push("the framework was not live on the evaluation date");
            }
            if !c.open_to_tenant {
                gaps.push("the framework is not open to this force");
            }
            gaps
        }
    }
}

fn has_evidence(evidence: Option<&str>) -> bool {
    evidence.is_some_and(|e| !e.trim().is_empty())
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
