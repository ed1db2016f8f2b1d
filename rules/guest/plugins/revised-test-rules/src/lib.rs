//! A test-only revision of the rules of `hostile-test-constabulary` (whose first version is the
//! `hostile` plugin, compliant for any ordinary reference). It lowers the single-quote limit the
//! way a force revising its thresholds would: one written quote up to £5,000.00 excluding VAT;
//! above that, one quote is a violation (`REVISED-1`) and three are required.
//!
//! It exists so the service's tests can replay a decision recorded under the first version
//! against this one and see the difference a revision makes, on the input that was recorded.

use bluelight_rules_sdk::{
    Decision, Pence, PluginInfo, Procurement, RouteToMarket, RuleDef, RulePlugin, decide, format_pence, plugin_info,
    vat_exclusive_value,
};

pub const TENANT: &str = "hostile-test-constabulary";

pub const SINGLE_QUOTE_MAX: Pence = 500_000;

pub const REVISED_1: RuleDef = RuleDef {
    id: "REVISED-1",
    title: "One written quote only up to £5,000.00 excluding VAT",
    clause: "None: a test plugin revising the test tenant's single-quote limit",
};

pub struct Revised;

impl RulePlugin for Revised {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, &[REVISED_1])
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin!(Revised);

pub fn evaluate(p: &Procurement) -> Decision {
    let value = vat_exclusive_value(p.value, p.vat);
    if value <= SINGLE_QUOTE_MAX {
        return decide(
            Some(RouteToMarket::SingleQuote),
            vec![REVISED_1.info(
                format!("{} is within the single-quote limit.", format_pence(value)),
                "Keep the written quote.",
            )],
        );
    }
    let findings = if p.route == RouteToMarket::SingleQuote {
        vec![REVISED_1.violation(
            format!(
                "{} is over the {} single-quote limit; one quote is recorded.",
                format_pence(value),
                format_pence(SINGLE_QUOTE_MAX)
            ),
            "Obtain three written quotes.",
        )]
    } else {
        vec![REVISED_1.info(
            format!(
                "{} is over the single-quote limit; a more competitive route is recorded.",
                format_pence(value)
            ),
            "None.",
        )]
    };
    decide(Some(RouteToMarket::MultipleQuotes), findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{check_describe, check_fixtures, procurement};
    use bluelight_rules_sdk::{Outcome, Severity};

    #[test]
    fn describe_names_the_test_tenant() {
        check_describe::<Revised>("revised-test-rules", env!("CARGO_PKG_VERSION"), TENANT);
    }

    #[test]
    fn the_fixtures_pass() {
        assert_eq!(
            check_fixtures::<Revised>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
            2
        );
    }

    #[test]
    fn the_limit_includes_its_bound() {
        let at = evaluate(&procurement(TENANT, SINGLE_QUOTE_MAX, RouteToMarket::SingleQuote));
        assert_eq!(at.outcome, Outcome::Compliant);
        let over = evaluate(&procurement(TENANT, SINGLE_QUOTE_MAX + 1, RouteToMarket::SingleQuote));
        assert_eq!(over.outcome, Outcome::NonCompliant);
        assert_eq!(over.findings[0].severity, Severity::Violation);
        let three = evaluate(&procurement(
            TENANT,
            SINGLE_QUOTE_MAX + 1,
            RouteToMarket::MultipleQuotes,
        ));
        assert_eq!(three.outcome, Outcome::Compliant);
    }
}
