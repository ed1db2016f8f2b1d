//! A test-only plugin that misbehaves on purpose, chosen by `input.reference`, so the host's
//! tests can prove each misbehaviour ends in a clear problem. Never bundled as a force's rules.
//!
//! | reference | behaviour |
//! |---|---|
//! | `hostile:loop` | loops for ever |
//! | `hostile:memory` | allocates 1 GiB and touches every page |
//! | `hostile:recursion` | recurses until the stack overflows |
//! | `hostile:wild-read` | reads past the end of its memory (out of bounds, not a stack overflow) |
//! | `hostile:panic` | panics (a trap: panics abort in the release build) |
//! | `hostile:huge-output` | one finding with a 4 MiB message |
//! | `hostile:many-findings` | 100,000 findings |
//! | `hostile:inconsistent` | `compliant` although a finding is a violation |
//! | anything else | `compliant`, one info finding |

use std::hint::black_box;

use bluelight_rules_sdk::{Decision, Outcome, PluginInfo, Procurement, RuleDef, RulePlugin, decide, plugin_info};

pub const TENANT: &str = "hostile-test-constabulary";

pub const HOSTILE_1: RuleDef = RuleDef {
    id: "HOSTILE-1",
    title: "Misbehaves on purpose for the host's tests",
    clause: "None: a test plugin",
};

pub const MEMORY_BYTES: usize = 1 << 30;
pub const HUGE_MESSAGE_BYTES: usize = 4 << 20;
pub const MANY_FINDINGS: usize = 100_000;

pub struct Hostile;

impl RulePlugin for Hostile {
    fn describe() -> PluginInfo {
        plugin_info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), TENANT, &[HOSTILE_1])
    }

    fn evaluate(input: &Procurement) -> Decision {
        evaluate(input)
    }
}

#[cfg(target_arch = "wasm32")]
bluelight_rules_sdk::export_rule_plugin!(Hostile);

pub fn evaluate(p: &Procurement) -> Decision {
    match p.reference.as_str() {
        "hostile:loop" => endless_loop(),
        "hostile:memory" => {
            let touched = memory_bomb(MEMORY_BYTES);
            benign(&format!("touched {touched} bytes"))
        }
        "hostile:recursion" => benign(&format!("recursed to {}", recurse(0))),
        "hostile:wild-read" => benign(&format!("read {}", wild_read())),
        "hostile:panic" => panic!("the hostile test plugin panics on purpose"),
        "hostile:huge-output" => decide(
            None,
            vec![HOSTILE_1.info("x".repeat(HUGE_MESSAGE_BYTES), "None: a test of the output size cap.")],
        ),
        "hostile:many-findings" => decide(
            None,
            (0..MANY_FINDINGS)
                .map(|i| HOSTILE_1.info(format!("finding {i}"), "None: a test of the findings cap."))
                .collect(),
        ),
        "hostile:inconsistent" => {
            let mut d = decide(
                None,
                vec![HOSTILE_1.violation(
                    "A violation in a compliant decision.",
                    "None: a test of the consistency check.",
                )],
            );
            d.outcome = Outcome::Compliant;
            d
        }
        _ => benign("nothing hostile asked for"),
    }
}

fn benign(what: &str) -> Decision {
    decide(
        None,
        vec![HOSTILE_1.info(format!("Benign evaluation: {what}."), "None.")],
    )
}

/// Never returns; `black_box` keeps the optimiser from proving the loop has no effect.
fn endless_loop() -> ! {
    let mut i: u64 = 0;
    loop {
        i = black_box(i.wrapping_add(1));
    }
}

/// Allocates `bytes` and writes to every 4 KiB of it: LLVM removes an allocation nobody touches.
pub fn memory_bomb(bytes: usize) -> usize {
    let mut v = black_box(vec![0u8; bytes]);
    let mut touched = 0;
    for i in (0..bytes).step_by(4096) {
        v[i] = black_box(1);
        touched += 4096;
    }
    black_box(&v);
    touched
}

/// Reads the last bytes of the 32-bit address space, far past the end of linear memory: in the
/// sandbox, an out-of-bounds trap that the host must not mistake for a stack overflow.
#[cfg(target_arch = "wasm32")]
fn wild_read() -> u8 {
    let address = black_box(usize::MAX - 15);
    // SAFETY: none, on purpose; the sandbox traps the access (the host's tests expect it).
    unsafe { std::ptr::read_volatile(address as *const u8) }
}

/// Natively there is no sandbox to trap the access; the unit tests never ask for it.
#[cfg(not(target_arch = "wasm32"))]
fn wild_read() -> u8 {
    unreachable!("hostile:wild-read only runs in the sandbox")
}

/// Recurses with a frame the optimiser cannot drop, until the stack overflows.
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 32]);
    if black_box(depth) == u64::MAX {
        return frame[0];
    }
    black_box(recurse(frame[1] + 1)) + frame[31]
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluelight_rules_sdk::testing::{check_describe, check_fixtures, procurement};
    use bluelight_rules_sdk::{RouteToMarket, Severity};

    fn run(reference: &str) -> Decision {
        let mut p = procurement(TENANT, 100, RouteToMarket::SingleQuote);
        p.reference = reference.to_owned();
        evaluate(&p)
    }

    #[test]
    fn describe_names_the_test_tenant() {
        check_describe::<Hostile>("hostile", env!("CARGO_PKG_VERSION"), TENANT);
    }

    #[test]
    fn the_benign_fixture_passes() {
        assert_eq!(
            check_fixtures::<Hostile>(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
            1
        );
    }

    #[test]
    fn output_misbehaviours_produce_what_they_say() {
        assert_eq!(run("hostile:huge-output").findings[0].message.len(), HUGE_MESSAGE_BYTES);
        assert_eq!(run("hostile:many-findings").findings.len(), MANY_FINDINGS);
        let d = run("hostile:inconsistent");
        assert_eq!(d.outcome, Outcome::Compliant);
        assert_eq!(d.findings[0].severity, Severity::Violation);
        assert_eq!(run("anything").outcome, Outcome::Compliant);
    }

    #[test]
    fn the_memory_bomb_touches_every_page() {
        // A small bomb natively; the plugin asks for 1 GiB.
        assert_eq!(memory_bomb(1 << 20), 1 << 20);
    }

    #[test]
    #[should_panic(expected = "panics on purpose")]
    fn panic_panics() {
        run("hostile:panic");
    }
}
