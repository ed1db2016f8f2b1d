//! Compiling is bounded: a plugin that takes too long to compile is refused at the deadline
//! while its compilation finishes in the background still counting against the limit, and a
//! plugin that finds every compile slot taken is told the compiler is busy instead of queuing
//! without end.

use std::time::{Duration, Instant};

use bluelight_rules::{Limits, PluginError, RuleEngine};
use bluelight_rules_bundled::seed_plugins;

/// A component whose one core function is `additions` additions long: valid, quick to build, and
/// slow for the compiler (it is far longer than any real rule plugin's function).
fn slow_to_compile(additions: usize) -> Vec<u8> {
    let body = "i32.const 1 i32.add ".repeat(additions);
    let module = format!("(core module (func (export \"f\") (result i32) i32.const 0 {body}))");
    wat::parse_str(format!("(component {module})")).expect("valid WAT")
}

fn engine(limits: Limits) -> RuleEngine {
    RuleEngine::new(limits).expect("the engine starts")
}

#[test]
fn a_plugin_not_compiled_by_the_deadline_is_refused_and_its_compilation_keeps_its_slot() {
    let engine = engine(Limits {
        max_concurrent_compiles: 1,
        compile_queue_wait: Duration::ZERO,
        compile_deadline: Duration::from_millis(1),
        ..Limits::default()
    });
    let slow = slow_to_compile(200_000);
    assert!(slow.len() < Limits::default().max_plugin_bytes);

    let error = engine.load(&slow).err().expect("refused");
    assert_eq!(error, PluginError::CompileDeadlineExceeded { millis: 1 });
    assert_eq!(error.code(), "plugin_compile_deadline_exceeded");
    assert_eq!(error.kind(), bluelight_rules::FailureKind::Rejected);

    // Nobody waits for it any more, but it is still compiling and still holds the one slot: the
    // next plugin is told the compiler is busy, not compiled beside it.
    assert_eq!(engine.compilations_running(), 1);
    let seed = seed_plugins().iter().next().expect("a seed plugin");
    let busy = engine.load(seed.wasm).err().expect("refused while the slot is held");
    assert_eq!(busy, PluginError::CompilerBusy);
    assert_eq!(busy.code(), "plugin_compiler_busy");
    assert_eq!(busy.kind(), bluelight_rules::FailureKind::Busy);

    // When it finishes the slot is free again: the next compilation starts (and, under this
    // deadline, is refused for time, not for a busy compiler).
    let started = Instant::now();
    while engine.compilations_running() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the compilation never finished"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        engine.load(&slow).err(),
        Some(PluginError::CompileDeadlineExceeded { millis: 1 })
    );
}

#[test]
fn compilations_beyond_the_limit_wait_their_turn_within_the_queue_wait() {
    let engine = engine(Limits {
        max_concurrent_compiles: 1,
        compile_queue_wait: Duration::from_secs(120),
        ..Limits::default()
    });
    let seeds = seed_plugins();
    assert!(seeds.len() >= 3);
    // All at once through one slot: each waits for the one before and every one compiles.
    std::thread::scope(|scope| {
        let loads: Vec<_> = seeds
            .iter()
            .map(|seed| scope.spawn(|| engine.load(seed.wasm).map(|plugin| plugin.info().tenant.clone())))
            .collect();
        for (load, seed) in loads.into_iter().zip(seeds.iter()) {
            assert_eq!(load.join().expect("no panic"), Ok(seed.tenant.to_owned()));
        }
    });
    assert_eq!(engine.compilations_running(), 0);
}
