//! Guest SDK for BlueLight rule plugins: a force's local rules, or the national layer.
//!
//! A plugin is a `cdylib` crate built for `wasm32-unknown-unknown` and turned into a component of
//! the `rule-plugin` world of interface version 1 (`rules/wit/rules-v1.wit`, frozen) or version 2
//! (`rules/wit/rules-v2.wit`). Its author writes plain Rust over the version 2 types re-exported
//! here, implements [`RulePlugin`], and exports it for one interface version:
//!
//! ```ignore
//! use bluelight_rules_sdk::{Decision, PluginInfo, Procurement, RulePlugin};
//!
//! struct Rules;
//!
//! impl RulePlugin for Rules {
//!     fn describe() -> PluginInfo { /* name, version, tenant, rules */ }
//!     fn evaluate(input: &Procurement) -> Decision { /* findings */ }
//! }
//!
//! bluelight_rules_sdk::export_rule_plugin_v2!(Rules);   // or export_rule_plugin!(Rules) for v1
//! ```
//!
//! A plugin exported for version 1 is given version 2's types with version 1's input converted
//! into them: the fields version 1 lacks take their defaults (no procedure, notices, approvals or
//! justification; sub-central; not light-touch; no KPIs), and the value including VAT is computed
//! as the host computes it. Export for version 2 to read those fields.
//!
//! The rule logic stays ordinary Rust: `cargo test` on the host target calls it directly, and the
//! `testing` feature runs a plugin's fixture files against it (see [`testing`]).
//!
//! In WebAssembly the SDK sets the plugin's global allocator (talc over an arena in the module's
//! zeroed data, `src/allocator.rs`), so a plugin must not declare one of its own.

use std::collections::BTreeSet;

/// The bindings for interface version 1, frozen (a crate of their own). Plugins use
/// [`export_rule_plugin!`].
pub use bluelight_rules_wit_v1 as v1_bindings;

/// The bindings for interface version 2, whose types the SDK re-exports at its root. Plugins use
/// [`export_rule_plugin_v2!`].
pub mod v2_bindings {
    wit_bindgen::generate!({
        path: "../../wit/rules-v2.wit",
        world: "bluelight:rules/rule-plugin@2.0.0",
        pub_export_macro: true,
        export_macro_name: "export_v2",
        default_bindings_module: "bluelight_rules_sdk::v2_bindings",
        additional_derives: [PartialEq, Eq],
    });
}

#[doc(hidden)]
pub mod v1_adapter;

#[cfg(target_arch = "wasm32")]
mod allocator;

pub mod checks;
pub use checks::{
    framework_call_off_finding, input_finding, is_iso_date, justification_gaps, on_or_before,
    vat_exclusive_for_thresholds,
};

pub use v2_bindings::bluelight::rules::types::{
    Approval, AuthorityType, BasisPoints, CallOff, Category, ContractType, Decision, DirectAward, DirectAwardGround,
    Finding, Notice, NoticeKind, Outcome, Pence, PluginInfo, Procedure, Procurement, Quote, RouteToMarket, Rule,
    Severity, SingleTenderJustification, VatTreatment, Weightings,
};

#[cfg(feature = "testing")]
pub mod testing;

/// What a force's plugin implements.
pub trait RulePlugin {
    /// The plugin's name (its crate name), version, tenant slug and the rules it enforces.
    fn describe() -> PluginInfo;

    /// Decides one procurement. The decision's outcome must be `non-compliant` exactly when a
    /// finding is a violation: build it with [`decide`] to get that right.
    fn evaluate(input: &Procurement) -> Decision;
}

impl<T: RulePlugin> v2_bindings::Guest for T {
    fn describe() -> PluginInfo {
        <T as RulePlugin>::describe()
    }

    fn evaluate(input: Procurement) -> Decision {
        <T as RulePlugin>::evaluate(&input)
    }
}

/// Exports a [`RulePlugin`] implementation as a component of interface version 1
/// (`bluelight:rules@1.0.0`, frozen). Use it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_rule_plugin {
    ($ty:ident) => {
        // Implemented here, in the plugin's crate, because the v1 bindings live in a crate of
        // their own and a blanket implementation of their trait would be an orphan.
        impl $crate::v1_bindings::Guest for $ty {
            fn describe() -> $crate::v1_bindings::bluelight::rules::types::PluginInfo {
                $crate::v1_adapter::describe::<$ty>()
            }

            fn evaluate(
                input: $crate::v1_bindings::bluelight::rules::types::Procurement,
            ) -> $crate::v1_bindings::bluelight::rules::types::Decision {
                $crate::v1_adapter::evaluate::<$ty>(input)
            }
        }
        $crate::v1_bindings::export_v1!($ty with_types_in $crate::v1_bindings);
    };
}

/// Exports a [`RulePlugin`] implementation as a component of interface version 2
/// (`bluelight:rules@2.0.0`). Use it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_rule_plugin_v2 {
    ($ty:ident) => {
        $crate::v2_bindings::export_v2!($ty with_types_in $crate::v2_bindings);
    };
}

/// The value including VAT, as the host computes it for version 2's `value-including-vat`: a
/// VAT-exclusive value plus the standard rate (20%), rounded half up to the penny; an inclusive
/// or exempt value as it is.
pub fn vat_inclusive_value(value: Pence, vat: VatTreatment) -> Pence {
    match vat {
        VatTreatment::Inclusive | VatTreatment::Exempt => value,
        VatTreatment::Exclusive => {
            let scaled = i128::from(value) * i128::from(10_000 + STANDARD_VAT_RATE_BP);
            let rounded = (2 * scaled + 10_000).div_euclid(20_000);
            rounded.clamp(i128::from(Pence::MIN), i128::from(Pence::MAX)) as Pence
        }
    }
}

/// A rule a plugin enforces: its stable id, a short title and the policy clause it comes from.
///
/// Declare one `const` per rule, list them in `describe`, and build findings from them so that
/// every finding cites its clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleDef {
    pub id: &'static str,
    pub title: &'static str,
    pub clause: &'static str,
}

impl RuleDef {
    /// The rule as `describe` lists it.
    pub fn rule(&self) -> Rule {
        Rule {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            policy_clause: self.clause.to_owned(),
        }
    }

    /// A finding of this rule, citing its clause.
    pub fn finding(
        &self,
        severity: Severity,
        message: impl Into<String>,
        required_action: impl Into<String>,
    ) -> Finding {
        Finding {
            rule_id: self.id.to_owned(),
            severity,
            message: message.into(),
            policy_clause: self.clause.to_owned(),
            required_action: required_action.into(),
        }
    }

    /// The procurement breaks this rule: the decision becomes non-compliant.
    pub fn violation(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Violation, message, required_action)
    }

    /// Something the buyer should act on that does not by itself make the procurement non-compliant.
    pub fn warning(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Warning, message, required_action)
    }

    /// A record of what the rule decided, or a requirement the service cannot check.
    pub fn info(&self, message: impl Into<String>, required_action: impl Into<String>) -> Finding {
        self.finding(Severity::Info, message, required_action)
    }
}

/// The `describe` answer for a plugin. Pass `env!("CARGO_PKG_NAME")` and `env!("CARGO_PKG_VERSION")`.
pub fn plugin_info(name: &str, version: &str, tenant: &str, rules: &[RuleDef]) -> PluginInfo {
    PluginInfo {
        name: name.to_owned(),
        version: version.to_owned(),
        tenant: tenant.to_owned(),
        rules: rules.iter().map(RuleDef::rule).collect(),
    }
}

/// A decision from its findings: `non-compliant` exactly when any finding is a violation.
pub fn decide(required_route: Option<RouteToMarket>, findings: Vec<Finding>) -> Decision {
    let outcome = if findings.iter().any(|f| f.severity == Severity::Violation) {
        Outcome::NonCompliant
    } else {
        Outcome::Compliant
    };
    Decision {
        outcome,
        required_route,
        findings,
    }
}

/// Whole pence as pounds for a message: `6000000` is `"£60,000.00"`, `-550` is `"-£5.50"`.
pub fn format_pence(pence: Pence) -> String {
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

/// Basis points as a percentage for a message: `1000` is `"10%"`, `250` is `"2.5%"`, `1` is `"0.01%"`.
pub fn format_basis_points(bp: impl Into<u64>) -> String {
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

/// The UK standard rate of VAT, 20%, in basis points.
pub const STANDARD_VAT_RATE_BP: i64 = 2000;

/// The VAT-exclusive equivalent of a value.
///
/// An `inclusive` value has the standard rate (20%) taken off, rounded UP to the whole penny so
/// that rounding never moves a value below a threshold; `exclusive` and `exempt` values are
/// returned as they are. The input does not say which rate applied, so plugins that use this must
/// say in a finding that they did.
pub fn vat_exclusive_value(value: Pence, vat: VatTreatment) -> Pence {
    match vat {
        VatTreatment::Exclusive | VatTreatment::Exempt => value,
        VatTreatment::Inclusive => {
            let num = i128::from(value) * 10_000;
            let den = 10_000 + i128::from(STANDARD_VAT_RATE_BP);
            let ceil = num.div_euclid(den) + i128::from(num.rem_euclid(den) != 0);
            // |ceil| <= |value|, so it fits.
            ceil as Pence
        }
    }
}

/// How many different suppliers the quotes come from: by national supplier id when given, else by
/// name (ASCII case and spacing ignored). Two quotes from one supplier count once.
///
/// Only ASCII letters are case-folded: full Unicode case mapping would add ~20 KB of tables to
/// every plugin (and to each fresh instance's memory), for names that differ only in the case of
/// an accented letter.
pub fn distinct_suppliers(quotes: &[Quote]) -> usize {
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
                    .to_ascii_lowercase()
            ),
        })
        .collect::<BTreeSet<_>>()
        .len()
}

/// The sum of the weightings, in basis points (10000 when they are well formed).
pub fn weightings_total(w: &Weightings) -> u64 {
    u64::from(w.price) + u64::from(w.quality) + u64::from(w.social_value)
}

/// What is wrong with the record itself, for a plugin's input rule: a negative value, a negative
/// quote, weightings that do not add up to 10000. Empty when the record is well formed.
pub fn input_problems(p: &Procurement) -> Vec<String> {
    let mut problems = Vec::new();
    if p.value < 0 {
        problems.push(format!("the value {} is negative", format_pence(p.value)));
    }
    if p.quotes.iter().any(|q| q.amount < 0) {
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

/// A competitive tender: through the e-tendering system or an open tender.
pub fn is_tender(route: RouteToMarket) -> bool {
    matches!(route, RouteToMarket::ETender | RouteToMarket::OpenTender)
}

/// A route that obtains written quotes.
pub fn is_quotation(route: RouteToMarket) -> bool {
    matches!(route, RouteToMarket::SingleQuote | RouteToMarket::MultipleQuotes)
}

/// The route's name for a buyer.
pub fn route_name(route: RouteToMarket) -> &'static str {
    match route {
        RouteToMarket::SingleQuote => "a single written quote",
        RouteToMarket::MultipleQuotes => "multiple written quotes",
        RouteToMarket::ETender => "a tender through the e-tendering system",
        RouteToMarket::OpenTender => "an open tender",
        RouteToMarket::FrameworkCallOff => "a framework call-off",
        RouteToMarket::SingleTenderAction => "a single tender action",
    }
}

/// What a framework call-off lacks: empty when the framework was live on the evaluation date and
/// is open to the tenant.
pub fn call_off_gaps(call_off: Option<&CallOff>) -> Vec<&'static str> {
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

/// Market-engagement evidence that says something (not missing, not blank).
pub fn has_evidence(evidence: Option<&str>) -> bool {
    evidence.is_some_and(|e| !e.trim().is_empty())
}

/// Joins reasons for a message: `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, id: Option<&str>) -> Quote {
        Quote {
            supplier_name: name.into(),
            supplier_id: id.map(Into::into),
            amount: 100,
            local: false,
            sme: false,
            vcse: false,
        }
    }

    #[test]
    fn pence_are_formatted_as_pounds_with_thousands_separators() {
        assert_eq!(format_pence(6_000_000), "£60,000.00");
        assert_eq!(format_pence(6_000_001), "£60,000.01");
        assert_eq!(format_pence(599_999), "£5,999.99");
        assert_eq!(format_pence(0), "£0.00");
        assert_eq!(format_pence(5), "£0.05");
        assert_eq!(format_pence(100_000), "£1,000.00");
        assert_eq!(format_pence(99_999), "£999.99");
        assert_eq!(format_pence(-550), "-£5.50");
        assert_eq!(format_pence(123_456_789_012), "£1,234,567,890.12");
        assert_eq!(format_pence(i64::MIN), "-£92,233,720,368,547,758.08");
    }

    #[test]
    fn basis_points_are_formatted_as_percentages() {
        assert_eq!(format_basis_points(1000u32), "10%");
        assert_eq!(format_basis_points(250u32), "2.5%");
        assert_eq!(format_basis_points(1u32), "0.01%");
        assert_eq!(format_basis_points(3333u32), "33.33%");
        assert_eq!(format_basis_points(0u32), "0%");
        assert_eq!(format_basis_points(3 * u64::from(u32::MAX)), "128849018.85%");
    }

    #[test]
    fn vat_inclusive_values_lose_the_standard_rate_rounded_up() {
        assert_eq!(vat_exclusive_value(7_200_000, VatTreatment::Inclusive), 6_000_000);
        assert_eq!(vat_exclusive_value(7_200_001, VatTreatment::Inclusive), 6_000_001);
        assert_eq!(vat_exclusive_value(7_200_006, VatTreatment::Inclusive), 6_000_005);
        assert_eq!(vat_exclusive_value(1, VatTreatment::Inclusive), 1);
        assert_eq!(vat_exclusive_value(0, VatTreatment::Inclusive), 0);
        assert_eq!(vat_exclusive_value(-120, VatTreatment::Inclusive), -100);
        assert_eq!(
            vat_exclusive_value(i64::MAX, VatTreatment::Inclusive),
            7_686_143_364_045_646_506
        );
        assert_eq!(vat_exclusive_value(7_200_000, VatTreatment::Exclusive), 7_200_000);
        assert_eq!(vat_exclusive_value(7_200_000, VatTreatment::Exempt), 7_200_000);
    }

    #[test]
    fn a_decision_is_non_compliant_exactly_when_a_finding_is_a_violation() {
        const R: RuleDef = RuleDef {
            id: "X-1",
            title: "t",
            clause: "c",
        };
        assert_eq!(decide(None, vec![]).outcome, Outcome::Compliant);
        assert_eq!(
            decide(None, vec![R.info("m", "a"), R.warning("m", "a")]).outcome,
            Outcome::Compliant
        );
        let d = decide(
            Some(RouteToMarket::ETender),
            vec![R.info("m", "a"), R.violation("m", "a")],
        );
        assert_eq!(d.outcome, Outcome::NonCompliant);
        assert_eq!(d.required_route, Some(RouteToMarket::ETender));
        assert_eq!(d.findings[1].policy_clause, "c");
        assert_eq!(d.findings[1].rule_id, "X-1");
    }

    #[test]
    fn suppliers_are_counted_once_by_id_or_by_name() {
        assert_eq!(distinct_suppliers(&[]), 0);
        assert_eq!(
            distinct_suppliers(&[q("Acme Ltd", None), q(" acme   LTD ", None), q("Other", None)]),
            2
        );
        assert_eq!(
            distinct_suppliers(&[q("Acme", Some("s1")), q("Acme Trading", Some("s1"))]),
            1
        );
        assert_eq!(
            distinct_suppliers(&[q("Acme", Some("s1")), q("Acme", Some("s2")), q("Acme", Some(" "))]),
            3
        );
    }

    #[test]
    fn call_off_gaps_name_what_is_missing() {
        let c = |live, open| CallOff {
            framework_reference: "RM1".into(),
            lot_number: 1,
            framework_live: live,
            open_to_tenant: open,
        };
        assert!(call_off_gaps(Some(&c(true, true))).is_empty());
        assert_eq!(call_off_gaps(Some(&c(false, false))).len(), 2);
        assert_eq!(call_off_gaps(None).len(), 1);
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
        assert_eq!(join_and(&["a"]), "a");
    }
}
