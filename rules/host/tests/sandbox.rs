//! The host against real plugins: the seed forces' plugins pass their own fixtures, and every
//! kind of hostile plugin is stopped with the cause named while the engine keeps serving.

use std::time::Duration;

use bluelight_rules::fixture::Expectation;
use bluelight_rules::{
    CategoryRef, ContractType, Fixture, Limits, Outcome, PluginError, Procurement, Route, RuleEngine, VatTreatment,
};
use bluelight_rules_bundled::{core_module, hostile, seed_plugins, west_yorkshire_fire, wrong_world};

fn engine() -> RuleEngine {
    RuleEngine::new(Limits::default()).expect("the engine starts")
}

fn procurement(reference: &str) -> Procurement {
    Procurement {
        tenant: "hostile-test-constabulary".into(),
        reference: reference.into(),
        title: "Kit bags".into(),
        value_pence: 450_000,
        vat: VatTreatment::Exclusive,
        contract_type: ContractType::Goods,
        category: CategoryRef {
            slug: "uniform-garments".into(),
            path: vec!["uniform-and-ppe".into(), "uniform-garments".into()],
        },
        route: Route::SingleQuote,
        quotes: vec![],
        weightings: None,
        social_value_relevant: false,
        call_off: None,
        published: false,
        market_engagement_evidence: None,
        evaluation_date: "2026-11-23".parse().unwrap(),
        authority_type: bluelight_rules::AuthorityType::SubCentral,
        light_touch: false,
        procedure: None,
        direct_award: None,
        notices: Vec::new(),
        conflicts_assessed: false,
        kpis_set: 0,
        approvals: Vec::new(),
        single_tender_justification: None,
    }
}

#[test]
fn every_seed_plugin_describes_itself_and_passes_its_own_fixtures() {
    let engine = engine();
    for seed in seed_plugins() {
        let plugin = engine
            .load(seed.wasm)
            .unwrap_or_else(|e| panic!("{}: {e}", seed.crate_name));
        assert_eq!(plugin.info().tenant, seed.tenant);
        assert!(!plugin.info().rules.is_empty(), "{} lists no rules", seed.crate_name);
        let report = plugin.run_fixtures();
        assert!(
            report.total >= 6,
            "{} has only {} fixtures",
            seed.crate_name,
            report.total
        );
        assert!(report.all_passed, "{}: {:#?}", seed.crate_name, report.results);
    }
}

#[test]
fn the_west_yorkshire_fire_example_plugin_passes_its_own_fixtures_in_the_sandbox() {
    let engine = engine();
    let plugin = engine
        .load(west_yorkshire_fire())
        .unwrap_or_else(|e| panic!("{e} ({})", e.code()));
    let info = plugin.info();
    assert_eq!(info.name, "west-yorkshire-fire-and-rescue-service");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.tenant, "west-yorkshire-fire-and-rescue-service");
    assert!(!info.rules.is_empty());
    let report = plugin.run_fixtures();
    assert!(report.total >= 10, "only {} fixtures", report.total);
    assert!(report.all_passed, "{:#?}", report.results);

    // Exactly £10,000.00 is not "under £10,000": one quote is not enough.
    let mut input = procurement("WYF-1");
    input.tenant = info.tenant.clone();
    input.value_pence = 1_000_000;
    let decision = plugin.evaluate(&input).unwrap().decision;
    assert_eq!(decision.outcome, Outcome::NonCompliant);
    assert_eq!(decision.required_route, Some(Route::MultipleQuotes));
}

#[test]
fn a_decision_depends_only_on_its_input() {
    let engine = engine();
    let bedfordshire = &seed_plugins()[0];
    let plugin = engine.load(bedfordshire.wasm).unwrap();
    let mut input = procurement("BED-1");
    input.tenant = bedfordshire.tenant.into();
    let first = plugin.evaluate(&input).unwrap();
    for _ in 0..20 {
        assert_eq!(plugin.evaluate(&input).unwrap().decision, first.decision);
    }
    let mut batch = plugin.batch();
    for _ in 0..20 {
        assert_eq!(batch.evaluate(&input).unwrap().decision, first.decision);
    }
    assert!(first.fuel_used > 0);
}

#[test]
fn loading_the_same_bytes_twice_reuses_the_compiled_plugin_once_kept() {
    let engine = engine();
    let wasm = seed_plugins()[1].wasm;
    let first = engine.load(wasm).unwrap();
    engine.keep(&first);
    let second = engine.load(wasm).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(first.sha256(), RuleEngine::content_hash(wasm));
}

fn hostile_run(engine: &RuleEngine, reference: &str) -> PluginError {
    let plugin = engine.load(hostile()).expect("the hostile plugin is a valid component");
    match plugin.evaluate(&procurement(reference)) {
        Ok(evaluation) => panic!("{reference} returned {:?}", evaluation.decision),
        Err(error) => error,
    }
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let error = hostile_run(&engine(), "hostile:loop");
    assert!(matches!(error, PluginError::FuelExhausted { .. }), "{error:?}");
    assert_eq!(error.code(), "plugin_fuel_exhausted");
}

#[test]
fn an_endless_loop_with_fuel_to_spare_meets_the_deadline() {
    let engine = RuleEngine::new(Limits {
        fuel: u64::MAX / 2,
        deadline: Duration::from_millis(50),
        ..Limits::default()
    })
    .unwrap();
    let error = hostile_run(&engine, "hostile:loop");
    assert!(
        matches!(error, PluginError::DeadlineExceeded { millis: 50 }),
        "{error:?}"
    );
}

#[test]
fn a_memory_bomb_is_stopped_at_the_memory_limit() {
    let error = hostile_run(&engine(), "hostile:memory");
    assert!(matches!(error, PluginError::MemoryExhausted { .. }), "{error:?}");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let error = hostile_run(&engine(), "hostile:recursion");
    assert!(matches!(error, PluginError::StackOverflow), "{error:?}");
}

#[test]
fn an_out_of_bounds_access_outside_a_recursion_is_a_trap_not_a_stack_overflow() {
    let error = hostile_run(&engine(), "hostile:wild-read");
    assert!(
        matches!(&error, PluginError::Trapped(message) if message.contains("out of bounds")),
        "{error:?}"
    );
}

#[test]
fn a_panic_traps_with_a_clear_message() {
    let error = hostile_run(&engine(), "hostile:panic");
    assert!(
        matches!(&error, PluginError::Trapped(message) if message.contains("panic")),
        "{error:?}"
    );
}

#[test]
fn output_far_over_the_limit_is_refused_before_it_is_copied() {
    // 4 MiB of text: wasmtime stops copying it out at the copy limit.
    let error = hostile_run(&engine(), "hostile:huge-output");
    assert_eq!(
        error,
        PluginError::OutputTooLargeToCopy {
            limit: Limits::default().copy_out_bytes()
        }
    );
    assert_eq!(error.code(), "plugin_output_too_large");
    // With room to copy it, the same output is measured and refused after the copy.
    let roomy = RuleEngine::new(Limits {
        max_findings: 10_000,
        ..Limits::default()
    })
    .unwrap();
    let error = hostile_run(&roomy, "hostile:huge-output");
    assert!(matches!(error, PluginError::OutputTooLarge { .. }), "{error:?}");
}

#[test]
fn too_many_findings_are_refused() {
    // With the default budget the fuel runs out first; with more fuel, the findings cap decides.
    let error = hostile_run(&engine(), "hostile:many-findings");
    assert!(matches!(error, PluginError::FuelExhausted { .. }), "{error:?}");
    let generous = RuleEngine::new(Limits {
        fuel: 2_000_000_000,
        deadline: Duration::from_secs(10),
        memory_bytes: 256 << 20,
        // Room to copy 100,000 findings out, so the findings cap is what refuses them.
        max_output_bytes: 64 << 20,
        ..Limits::default()
    })
    .unwrap();
    let error = hostile_run(&generous, "hostile:many-findings");
    assert!(
        matches!(error, PluginError::TooManyFindings { count: 100_000, .. }),
        "{error:?}"
    );
}

#[test]
fn a_decision_that_contradicts_its_findings_is_refused() {
    let error = hostile_run(&engine(), "hostile:inconsistent");
    assert!(matches!(error, PluginError::InconsistentDecision(_)), "{error:?}");
}

#[test]
fn the_engine_keeps_serving_after_every_hostile_run() {
    let engine = engine();
    let plugin = engine.load(hostile()).unwrap();
    for reference in [
        "hostile:loop",
        "hostile:memory",
        "hostile:recursion",
        "hostile:wild-read",
        "hostile:panic",
        "hostile:huge-output",
        "hostile:many-findings",
        "hostile:inconsistent",
    ] {
        assert!(plugin.evaluate(&procurement(reference)).is_err(), "{reference}");
        let benign = plugin
            .evaluate(&procurement("benign"))
            .expect("a benign evaluation after a hostile one");
        assert_eq!(benign.decision.outcome, Outcome::Compliant);
    }
    // A batch replaces its instance after a trap and carries on.
    let mut batch = plugin.batch();
    assert!(batch.evaluate(&procurement("hostile:panic")).is_err());
    assert!(batch.evaluate(&procurement("benign")).is_ok());
}

#[test]
fn input_over_the_limit_is_refused_before_the_plugin_runs() {
    let engine = RuleEngine::new(Limits {
        max_input_bytes: 1024,
        ..Limits::default()
    })
    .unwrap();
    let plugin = engine.load(hostile()).unwrap();
    let mut input = procurement("benign");
    input.title = "x".repeat(2000);
    let error = plugin.evaluate(&input).unwrap_err();
    assert!(matches!(error, PluginError::InputTooLarge { .. }), "{error:?}");
}

#[test]
fn what_is_not_a_component_of_our_world_is_refused_at_load() {
    let engine = engine();
    let refuse = |bytes: &[u8]| engine.load(bytes).err().expect("refused");

    assert!(matches!(
        refuse(b"not webassembly at all"),
        PluginError::NotAComponent(_)
    ));
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(matches!(refuse(&random), PluginError::NotAComponent(_)));
    let mut truncated = hostile().to_vec();
    truncated.truncate(truncated.len() / 2);
    assert!(matches!(refuse(&truncated), PluginError::NotAComponent(_)));
    assert!(matches!(refuse(core_module()), PluginError::NotAComponent(message) if message.contains("core")));
    assert!(matches!(
        refuse(wrong_world()),
        PluginError::WrongInterface(_) | PluginError::ForbiddenImport(_)
    ));
}

#[test]
fn a_component_that_imports_anything_is_refused() {
    let importing_a_clock = wat::parse_str(
        r#"(component
            (import "wasi:clocks/wall-clock@0.2.0" (instance (export "now" (func (result u64)))))
        )"#,
    )
    .unwrap();
    let error = engine().load(&importing_a_clock).err().expect("refused");
    assert!(
        matches!(&error, PluginError::ForbiddenImport(name) if name.contains("wall-clock")),
        "{error:?}"
    );
}

#[test]
fn a_plugin_over_the_size_limit_is_refused() {
    let engine = RuleEngine::new(Limits {
        max_plugin_bytes: 1000,
        ..Limits::default()
    })
    .unwrap();
    let error = engine.load(hostile()).err().expect("refused");
    assert!(matches!(error, PluginError::TooLarge { limit: 1000, .. }), "{error:?}");
}

/// The hostile plugin carrying `fixtures`, each running `reference` and expecting `compliant`.
fn hostile_with_fixtures(count: usize, reference: &str) -> Vec<u8> {
    let fixtures: Vec<Fixture> = (0..count)
        .map(|i| Fixture {
            name: format!("fixture-{i}"),
            description: None,
            input: procurement(reference),
            expect: Expectation {
                outcome: Outcome::Compliant,
                required_route: None,
                findings: vec![],
            },
        })
        .collect();
    bluelight_rules_package::replace_fixtures(hostile(), &fixtures).expect("re-packaged")
}

#[test]
fn a_plugin_carrying_too_many_fixtures_is_refused() {
    let limits = Limits::default();
    let error = engine()
        .load(&hostile_with_fixtures(limits.max_fixtures + 1, "benign"))
        .err()
        .expect("refused");
    assert!(
        matches!(&error, PluginError::InvalidFixtures(message) if message.contains("at most 500")),
        "{error:?}"
    );
    assert!(
        engine()
            .load(&hostile_with_fixtures(limits.max_fixtures, "benign"))
            .is_ok()
    );
}

#[test]
fn slow_fixtures_stop_at_the_time_for_all_of_them_and_count_as_failed() {
    // Each endless loop runs until its 200 ms deadline or its fuel; 20 of them would take
    // seconds, the budget is half a second.
    let engine = RuleEngine::new(Limits {
        fuel: u64::MAX / 2,
        fixtures_time: Duration::from_millis(500),
        ..Limits::default()
    })
    .unwrap();
    let plugin = engine.load(&hostile_with_fixtures(20, "hostile:loop")).unwrap();
    let report = plugin.run_fixtures();
    assert_eq!(report.total, 20);
    assert!(!report.all_passed);
    let not_run = report
        .results
        .iter()
        .filter(|r| r.failure.as_deref().is_some_and(|f| f.starts_with("not run")))
        .count();
    assert!(not_run > 0, "{report:#?}");
    assert!(not_run < 20, "the first ones ran: {report:#?}");
}
