//! Native test support (feature `testing`): run a plugin's fixture files against its rules, and
//! build procurements for unit tests.
//!
//! A fixture file is `plugins/<name>/fixtures/<fixture-name>.json`:
//! `{"description": ..., "input": {...procurement...}, "expect": {"outcome", "required_route",
//! "findings": [{"rule_id", "severity"}]}}`. The same files are packaged into the component (custom
//! section `bluelight-rules-fixtures`) and run by the host before a plugin version is activated;
//! these types mirror the host's JSON contract field for field and refuse unknown fields.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{
    Approval, AuthorityType, CallOff, Category, ContractType, DirectAward, DirectAwardGround, Notice, NoticeKind,
    Outcome, Pence, Procedure, Procurement, Quote, RouteToMarket, RulePlugin, Severity, SingleTenderJustification,
    VatTreatment, Weightings, is_iso_date, vat_inclusive_value,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub description: String,
    pub input: FixtureInput,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureInput {
    pub tenant: String,
    pub reference: String,
    pub title: String,
    pub value_pence: i64,
    pub vat: Vat,
    pub contract_type: Contract,
    pub category: FixtureCategory,
    pub route: Route,
    pub quotes: Vec<FixtureQuote>,
    pub weightings: Option<FixtureWeightings>,
    pub social_value_relevant: bool,
    pub call_off: Option<FixtureCallOff>,
    pub published: bool,
    pub market_engagement_evidence: Option<String>,
    pub evaluation_date: String,
    // Interface version 2's fields: optional in a fixture, as in the host's JSON.
    #[serde(default)]
    pub authority_type: Option<Authority>,
    #[serde(default)]
    pub light_touch: bool,
    #[serde(default)]
    pub procedure: Option<FixtureProcedure>,
    #[serde(default)]
    pub direct_award: Option<FixtureDirectAward>,
    #[serde(default)]
    pub notices: Vec<FixtureNotice>,
    #[serde(default)]
    pub conflicts_assessed: bool,
    #[serde(default)]
    pub kpis_set: u32,
    #[serde(default)]
    pub approvals: Vec<FixtureApproval>,
    #[serde(default)]
    pub single_tender_justification: Option<FixtureSingleTenderJustification>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    CentralGovernment,
    SubCentral,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureProcedure {
    Open,
    CompetitiveFlexible,
    DirectAward,
    FrameworkCallOff,
    BelowThresholdAdvertised,
    BelowThresholdInvited,
    BelowThresholdDirect,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureGround {
    PrototypesAndDevelopment,
    SingleSupplier,
    AdditionalOrRepeat,
    Commodities,
    AdvantageousTermsOnInsolvency,
    Urgency,
    ProtectingLife,
    UserChoice,
    DefenceAndSecurity,
    NoSuitableTenders,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDirectAward {
    pub ground: FixtureGround,
    pub evidence: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureNoticeKind {
    TenderNotice,
    BelowThresholdTenderNotice,
    TransparencyNotice,
    ContractAwardNotice,
    ContractDetailsNotice,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureNotice {
    pub kind: FixtureNoticeKind,
    pub published_on: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureApproval {
    pub approver: String,
    pub role: String,
    pub approved_on: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSingleTenderJustification {
    pub sole_supplier_evidence: String,
    pub market_engagement: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCategory {
    pub slug: String,
    pub path: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureQuote {
    pub supplier_name: String,
    pub supplier_id: Option<String>,
    pub amount_pence: i64,
    pub local: bool,
    pub sme: bool,
    pub vcse: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureWeightings {
    pub price: u32,
    pub quality: u32,
    pub social_value: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCallOff {
    pub framework_reference: String,
    pub lot_number: u32,
    pub framework_live: bool,
    pub open_to_tenant: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: ExpectedOutcome,
    pub required_route: Option<Route>,
    pub findings: Vec<ExpectedFinding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    pub rule_id: String,
    pub severity: ExpectedSeverity,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vat {
    Exclusive,
    Inclusive,
    Exempt,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contract {
    Goods,
    Services,
    Works,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    SingleQuote,
    MultipleQuotes,
    ETender,
    OpenTender,
    FrameworkCallOff,
    SingleTenderAction,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedOutcome {
    Compliant,
    NonCompliant,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedSeverity {
    Violation,
    Warning,
    Info,
}

impl From<Route> for RouteToMarket {
    fn from(r: Route) -> Self {
        match r {
            Route::SingleQuote => RouteToMarket::SingleQuote,
            Route::MultipleQuotes => RouteToMarket::MultipleQuotes,
            Route::ETender => RouteToMarket::ETender,
            Route::OpenTender => RouteToMarket::OpenTender,
            Route::FrameworkCallOff => RouteToMarket::FrameworkCallOff,
            Route::SingleTenderAction => RouteToMarket::SingleTenderAction,
        }
    }
}

impl From<ExpectedOutcome> for Outcome {
    fn from(o: ExpectedOutcome) -> Self {
        match o {
            ExpectedOutcome::Compliant => Outcome::Compliant,
            ExpectedOutcome::NonCompliant => Outcome::NonCompliant,
        }
    }
}

impl From<ExpectedSeverity> for Severity {
    fn from(s: ExpectedSeverity) -> Self {
        match s {
            ExpectedSeverity::Violation => Severity::Violation,
            ExpectedSeverity::Warning => Severity::Warning,
            ExpectedSeverity::Info => Severity::Info,
        }
    }
}

impl From<FixtureProcedure> for Procedure {
    fn from(p: FixtureProcedure) -> Self {
        match p {
            FixtureProcedure::Open => Procedure::Open,
            FixtureProcedure::CompetitiveFlexible => Procedure::CompetitiveFlexible,
            FixtureProcedure::DirectAward => Procedure::DirectAward,
            FixtureProcedure::FrameworkCallOff => Procedure::FrameworkCallOff,
            FixtureProcedure::BelowThresholdAdvertised => Procedure::BelowThresholdAdvertised,
            FixtureProcedure::BelowThresholdInvited => Procedure::BelowThresholdInvited,
            FixtureProcedure::BelowThresholdDirect => Procedure::BelowThresholdDirect,
        }
    }
}

impl From<FixtureGround> for DirectAwardGround {
    fn from(g: FixtureGround) -> Self {
        match g {
            FixtureGround::PrototypesAndDevelopment => DirectAwardGround::PrototypesAndDevelopment,
            FixtureGround::SingleSupplier => DirectAwardGround::SingleSupplier,
            FixtureGround::AdditionalOrRepeat => DirectAwardGround::AdditionalOrRepeat,
            FixtureGround::Commodities => DirectAwardGround::Commodities,
            FixtureGround::AdvantageousTermsOnInsolvency => DirectAwardGround::AdvantageousTermsOnInsolvency,
            FixtureGround::Urgency => DirectAwardGround::Urgency,
            FixtureGround::ProtectingLife => DirectAwardGround::ProtectingLife,
            FixtureGround::UserChoice => DirectAwardGround::UserChoice,
            FixtureGround::DefenceAndSecurity => DirectAwardGround::DefenceAndSecurity,
            FixtureGround::NoSuitableTenders => DirectAwardGround::NoSuitableTenders,
        }
    }
}

impl From<FixtureNoticeKind> for NoticeKind {
    fn from(k: FixtureNoticeKind) -> Self {
        match k {
            FixtureNoticeKind::TenderNotice => NoticeKind::TenderNotice,
            FixtureNoticeKind::BelowThresholdTenderNotice => NoticeKind::BelowThresholdTenderNotice,
            FixtureNoticeKind::TransparencyNotice => NoticeKind::TransparencyNotice,
            FixtureNoticeKind::ContractAwardNotice => NoticeKind::ContractAwardNotice,
            FixtureNoticeKind::ContractDetailsNotice => NoticeKind::ContractDetailsNotice,
        }
    }
}

/// The input as the host passes it to a version 2 plugin (a version 1 plugin gets the same
/// through the SDK's adapter, with the version 2 fields at their defaults).
impl From<FixtureInput> for Procurement {
    fn from(i: FixtureInput) -> Self {
        let vat = match i.vat {
            Vat::Exclusive => VatTreatment::Exclusive,
            Vat::Inclusive => VatTreatment::Inclusive,
            Vat::Exempt => VatTreatment::Exempt,
        };
        Procurement {
            tenant: i.tenant,
            reference: i.reference,
            title: i.title,
            value: i.value_pence,
            vat,
            value_including_vat: vat_inclusive_value(i.value_pence, vat),
            light_touch: i.light_touch,
            authority_type: match i.authority_type {
                Some(Authority::CentralGovernment) => AuthorityType::CentralGovernment,
                Some(Authority::SubCentral) | None => AuthorityType::SubCentral,
            },
            procedure: i.procedure.map(Procedure::from),
            direct_award: i.direct_award.map(|d| DirectAward {
                ground: d.ground.into(),
                evidence: d.evidence,
            }),
            notices: i
                .notices
                .into_iter()
                .map(|n| Notice {
                    kind: n.kind.into(),
                    published_on: n.published_on,
                })
                .collect(),
            conflicts_assessed: i.conflicts_assessed,
            kpis_set: i.kpis_set,
            approvals: i
                .approvals
                .into_iter()
                .map(|a| Approval {
                    approver: a.approver,
                    role: a.role,
                    approved_on: a.approved_on,
                })
                .collect(),
            single_tender_justification: i.single_tender_justification.map(|j| SingleTenderJustification {
                sole_supplier_evidence: j.sole_supplier_evidence,
                market_engagement: j.market_engagement,
            }),
            contract_type: match i.contract_type {
                Contract::Goods => ContractType::Goods,
                Contract::Services => ContractType::Services,
                Contract::Works => ContractType::Works,
            },
            category: Category {
                slug: i.category.slug,
                path: i.category.path,
            },
            route: i.route.into(),
            quotes: i
                .quotes
                .into_iter()
                .map(|q| Quote {
                    supplier_name: q.supplier_name,
                    supplier_id: q.supplier_id,
                    amount: q.amount_pence,
                    local: q.local,
                    sme: q.sme,
                    vcse: q.vcse,
                })
                .collect(),
            weightings: i.weightings.map(|w| Weightings {
                price: w.price,
                quality: w.quality,
                social_value: w.social_value,
            }),
            social_value_relevant: i.social_value_relevant,
            call_off: i.call_off.map(|c| CallOff {
                framework_reference: c.framework_reference,
                lot_number: c.lot_number,
                framework_live: c.framework_live,
                open_to_tenant: c.open_to_tenant,
            }),
            published: i.published,
            market_engagement_evidence: i.market_engagement_evidence,
            evaluation_date: i.evaluation_date,
        }
    }
}

/// Checks what `describe` says: name and version given, tenant as expected, rule ids unique and
/// every rule titled and citing a clause.
pub fn check_describe<P: RulePlugin>(name: &str, version: &str, tenant: &str) {
    let info = P::describe();
    assert_eq!(info.name, name);
    assert_eq!(info.version, version);
    assert_eq!(info.tenant, tenant);
    assert!(!info.rules.is_empty(), "a plugin lists the rules it enforces");
    let mut ids: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "rule ids are unique");
    for r in &info.rules {
        assert!(
            !r.title.trim().is_empty() && !r.policy_clause.trim().is_empty(),
            "rule {} needs a title and a clause",
            r.id
        );
    }
}

/// Runs every `*.json` fixture in `dir` through `P::evaluate` and panics with every mismatch.
/// With `PRINT_DECISIONS` set in the environment, prints each decision's findings (run the test
/// with `--nocapture` to read the messages a buyer would see).
/// Returns how many fixtures ran. Also checks that each decision is consistent (non-compliant
/// exactly when a finding is a violation) and that each finding names a rule from `describe`,
/// cites that rule's clause, and has a message and a required action.
pub fn check_fixtures<P: RulePlugin>(dir: impl AsRef<Path>) -> usize {
    let dir = dir.as_ref();
    let info = P::describe();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());

    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        let fixture: Fixture = match serde_json::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{name}: not a valid fixture: {e}"));
                continue;
            }
        };
        let mut fail = |what: String| failures.push(format!("{name} ({}): {what}", fixture.description));
        if fixture.input.tenant != info.tenant {
            fail(format!(
                "input.tenant is {:?}, the plugin's tenant is {:?}",
                fixture.input.tenant, info.tenant
            ));
        }
        if !is_iso_date(&fixture.input.evaluation_date) {
            fail(format!(
                "evaluation_date {:?} is not YYYY-MM-DD",
                fixture.input.evaluation_date
            ));
        }
        let input = Procurement::from(fixture.input);
        let decision = P::evaluate(&input);
        if std::env::var_os("PRINT_DECISIONS").is_some() {
            println!(
                "\n{name}: {:?}, required route {:?}",
                decision.outcome, decision.required_route
            );
            for f in &decision.findings {
                println!(
                    "  {} {:?}: {}\n    -> {}",
                    f.rule_id, f.severity, f.message, f.required_action
                );
            }
        }

        let expected_outcome = Outcome::from(fixture.expect.outcome);
        if decision.outcome != expected_outcome {
            fail(format!("outcome {:?}, expected {expected_outcome:?}", decision.outcome));
        }
        let expected_route = fixture.expect.required_route.map(RouteToMarket::from);
        if decision.required_route != expected_route {
            fail(format!(
                "required_route {:?}, expected {expected_route:?}",
                decision.required_route
            ));
        }
        let mut got: Vec<(String, Severity)> = decision
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.severity))
            .collect();
        let mut want: Vec<(String, Severity)> = fixture
            .expect
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.severity.into()))
            .collect();
        got.sort();
        want.sort();
        if got != want {
            fail(format!(
                "findings {got:?}, expected {want:?}; messages: {:#?}",
                decision.findings
            ));
        }
        let violation = decision.findings.iter().any(|f| f.severity == Severity::Violation);
        if violation != (decision.outcome == Outcome::NonCompliant) {
            fail("outcome is inconsistent with the findings' severities".into());
        }
        for f in &decision.findings {
            match info.rules.iter().find(|r| r.id == f.rule_id) {
                None => fail(format!("finding {} names a rule describe() does not list", f.rule_id)),
                Some(r) if r.policy_clause != f.policy_clause => fail(format!(
                    "finding {} cites {:?}, its rule cites {:?}",
                    f.rule_id, f.policy_clause, r.policy_clause
                )),
                Some(_) => {}
            }
            if f.message.trim().is_empty() || f.required_action.trim().is_empty() {
                fail(format!("finding {} needs a message and a required action", f.rule_id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

/// A plain procurement for unit tests: goods, VAT-exclusive, no quotes, weightings, call-off or
/// evidence, not published, evaluated on 2026-11-23. Adjust the fields a test is about.
pub fn procurement(tenant: &str, value: Pence, route: RouteToMarket) -> Procurement {
    Procurement {
        tenant: tenant.to_owned(),
        reference: "TEST-001".to_owned(),
        title: "Test procurement".to_owned(),
        value,
        vat: VatTreatment::Exclusive,
        value_including_vat: vat_inclusive_value(value, VatTreatment::Exclusive),
        light_touch: false,
        authority_type: AuthorityType::SubCentral,
        procedure: None,
        direct_award: None,
        notices: Vec::new(),
        conflicts_assessed: false,
        kpis_set: 0,
        approvals: Vec::new(),
        single_tender_justification: None,
        contract_type: ContractType::Goods,
        category: Category {
            slug: "body-armour".to_owned(),
            path: vec!["uniform-and-ppe".to_owned(), "body-armour".to_owned()],
        },
        route,
        quotes: Vec::new(),
        weightings: None,
        social_value_relevant: false,
        call_off: None,
        published: false,
        market_engagement_evidence: None,
        evaluation_date: "2026-11-23".to_owned(),
    }
}

/// A quote from a supplier with no national id.
pub fn quote(supplier_name: &str, amount: Pence, local: bool) -> Quote {
    Quote {
        supplier_name: supplier_name.to_owned(),
        supplier_id: None,
        amount,
        local,
        sme: false,
        vcse: false,
    }
}

/// Weightings in basis points.
pub fn weightings(price: u32, quality: u32, social_value: u32) -> Weightings {
    Weightings {
        price,
        quality,
        social_value,
    }
}

/// A call-off from `RM6174` lot 1.
pub fn call_off(framework_live: bool, open_to_tenant: bool) -> CallOff {
    CallOff {
        framework_reference: "RM6174".to_owned(),
        lot_number: 1,
        framework_live,
        open_to_tenant,
    }
}

/// The (rule id, severity) pairs of a decision, sorted: what fixtures compare.
pub fn findings_of(decision: &crate::Decision) -> Vec<(String, Severity)> {
    let mut v: Vec<_> = decision
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.severity))
        .collect();
    v.sort();
    v
}
