use super::*;
use bluelight_rules_sdk::testing::{check_describe, check_fixtures, procurement};
use bluelight_rules_sdk::{Outcome, Severity, VatTreatment, vat_inclusive_value};

fn rule_ids(d: &Decision) -> Vec<(&str, Severity)> {
    d.findings.iter().map(|f| (f.rule_id.as_str(), f.severity)).collect()
}

#[test]
fn describe_names_the_national_layer() {
    check_describe::<ProcurementAct>("procurement-act-2023", env!("CARGO_PKG_VERSION"), TENANT);
}

#[test]
fn the_fixtures_pass() {
    assert_eq!(
        check_fixtures::<ProcurementAct>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
        39
    );
}

#[test]
fn the_2026_figures_are_the_regulations() {
    let now = THRESHOLDS.last().unwrap();
    assert_eq!(now.from, "2026-01-01");
    assert_eq!(now.sub_central_goods_services, 207_720 * 100);
    assert_eq!(now.central_goods_services, 135_018 * 100);
    assert_eq!(now.works, 5_193_000 * 100);
    assert_eq!(now.light_touch, 663_540 * 100);
    let before = THRESHOLDS[0];
    assert_eq!(before.from, ACT_IN_FORCE);
    assert_eq!(before.sub_central_goods_services, 214_904 * 100);
    assert_eq!(before.central_goods_services, 139_688 * 100);
    assert_eq!(before.works, 5_372_609 * 100);
}

#[test]
fn every_finding_cites_the_act() {
    for rule in RULES {
        assert!(rule.clause.starts_with("Procurement Act 2023"), "{}", rule.id);
    }
}

#[test]
fn a_cheshire_services_purchase_of_180000_on_quotes_is_a_public_contract_without_a_procedure() {
    let mut p = procurement("national", 180_000 * 100, RouteToMarket::MultipleQuotes);
    p.contract_type = ContractType::Services;
    p.value_including_vat = vat_inclusive_value(p.value, VatTreatment::Exclusive);
    assert_eq!(p.value_including_vat, 216_000 * 100);
    let d = evaluate(&p);
    assert_eq!(d.outcome, Outcome::NonCompliant);
    assert!(rule_ids(&d).contains(&("PA23-PROCEDURE", Severity::Violation)));

    p.procedure = Some(Procedure::Open);
    p.notices = vec![bluelight_rules_sdk::Notice {
        kind: NoticeKind::TenderNotice,
        published_on: "2026-06-01".into(),
    }];
    p.conflicts_assessed = true;
    assert_eq!(evaluate(&p).outcome, Outcome::Compliant);
}
