//! What the rule-evaluation benchmarks share: the seed plugins loaded in the host and their crates
//! compiled natively, the set of procurements, Bedfordshire's rules in other engines, and the
//! check that every one of them decides every procurement the way the WebAssembly plugin does.
//!
//! Used by `benches/rules.rs` (criterion) and `src/bin/rules_latency.rs` (median and p99).

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use bluelight_rules::{Decision, Limits, Plugin, Procurement, RuleEngine, Severity};

pub mod corpus;
pub mod engines;
pub mod native;

pub const BEDFORDSHIRE: &str = "bedfordshire-police";

/// A seed plugin, loaded, with the procurement set addressed to its tenant; and the same plugin's
/// crate compiled natively, with the set already in the plugin's own types.
pub struct Seed {
    pub tenant: &'static str,
    pub plugin: Arc<Plugin>,
    pub procurements: Vec<Procurement>,
    pub native: native::Evaluate,
    pub guest_procurements: Vec<bluelight_rules_sdk::Procurement>,
}

/// Everything a run needs, prepared and checked.
pub struct Setup {
    /// Kept alive for the plugins (it owns the epoch ticker that enforces their deadlines).
    pub rule_engine: RuleEngine,
    pub seeds: Vec<Seed>,
    pub rego: engines::Rego,
    pub rego_vm: engines::RegoVm,
    pub rhai: engines::Rhai,
    pub cel: engines::Cel,
}

impl Setup {
    /// Loads the seed plugins with the default limits, prepares the other engines, and checks
    /// every engine against the plugins (panicking at the first difference).
    pub fn new() -> anyhow::Result<Setup> {
        let rule_engine = RuleEngine::new(Limits::default())?;
        let seeds = bluelight_rules_bundled::seed_plugins()
            .iter()
            .map(|bundled| {
                let plugin = rule_engine
                    .load(bundled.wasm)
                    .with_context(|| format!("loading {}", bundled.crate_name))?;
                let procurements = corpus::procurements(bundled.tenant);
                let guest_procurements = procurements
                    .iter()
                    .map(native::to_guest)
                    .collect::<anyhow::Result<Vec<_>>>()?;
                Ok(Seed {
                    tenant: bundled.tenant,
                    plugin,
                    native: native::evaluate_of(bundled.tenant)?,
                    procurements,
                    guest_procurements,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if !seeds.iter().any(|s| s.tenant == BEDFORDSHIRE) {
            bail!("the bundled seed plugins do not include {BEDFORDSHIRE}");
        }
        let mut setup = Setup {
            rule_engine,
            seeds,
            rego: engines::Rego::new()?,
            rego_vm: engines::RegoVm::new()?,
            rhai: engines::Rhai::new()?,
            cel: engines::Cel::new()?,
        };
        setup.check();
        Ok(setup)
    }

    pub fn bedfordshire(&self) -> &Seed {
        self.seeds
            .iter()
            .find(|s| s.tenant == BEDFORDSHIRE)
            .expect("checked in Setup::new")
    }

    /// Before anything is timed: each plugin decides every procurement the same in a fresh sandbox,
    /// in a batch and natively (word for word); and for Bedfordshire (the set plus the plugin's own
    /// fixtures), Rego (interpreted and on regorus's VM), Rhai and CEL give the plugin's outcome,
    /// required route and findings (rule and severity). Panics with the first difference.
    pub fn check(&mut self) {
        for seed in &self.seeds {
            let mut batch = seed.plugin.batch();
            for (p, guest) in seed.procurements.iter().zip(&seed.guest_procurements) {
                let fresh = seed
                    .plugin
                    .evaluate(p)
                    .unwrap_or_else(|e| panic!("{} on {}: {e}", seed.tenant, p.reference));
                let batched = batch
                    .evaluate(p)
                    .unwrap_or_else(|e| panic!("{} (batch) on {}: {e}", seed.tenant, p.reference));
                assert_eq!(
                    fresh.decision, batched.decision,
                    "{} decides {} differently in a batch",
                    seed.tenant, p.reference
                );
                let native = native::to_host((seed.native)(guest));
                assert_eq!(
                    fresh.decision, native,
                    "{} decides {} differently compiled natively",
                    seed.tenant, p.reference
                );
            }
        }

        let seed = self.bedfordshire();
        let plugin = seed.plugin.clone();
        let mut cases: Vec<Procurement> = seed.procurements.clone();
        cases.extend(plugin.fixtures().unwrap_or_default().iter().map(|f| f.input.clone()));
        for p in &cases {
            let wasm = plugin.evaluate(p).expect("checked above, or a fixture").decision;
            let others: [(&str, anyhow::Result<Decision>); 4] = [
                ("rego", self.rego.evaluate(p)),
                ("rego (RVM)", self.rego_vm.evaluate(p)),
                ("rhai", self.rhai.evaluate(p)),
                ("cel", self.cel.evaluate(p)),
            ];
            for (engine, decision) in others {
                let decision = decision.unwrap_or_else(|e| panic!("{engine} on {}: {e:#}", p.reference));
                if summary(&decision) != summary(&wasm) {
                    panic!(
                        "{engine} and the plugin differ on {}:\n  {engine}: {:?}\n  plugin: {:?}\n  input: {}",
                        p.reference,
                        summary(&decision),
                        summary(&wasm),
                        serde_json::to_string(p).unwrap_or_default()
                    );
                }
            }
        }
    }
}

/// What must agree between engines: outcome, required route, and the findings' rules and
/// severities (as a sorted list; Rego returns a set, in no particular order).
pub type Summary = (
    bluelight_rules::Outcome,
    Option<bluelight_rules::Route>,
    Vec<(String, Severity)>,
);

pub fn summary(d: &Decision) -> Summary {
    let mut findings: Vec<(String, Severity)> = d.findings.iter().map(|f| (f.rule_id.clone(), f.severity)).collect();
    findings.sort();
    (d.outcome, d.required_route, findings)
}

/// How varied the decisions on a set are: decisions per outcome, and findings per rule and severity.
pub fn coverage(decisions: &[Decision]) -> (BTreeMap<&'static str, usize>, BTreeMap<String, usize>) {
    let mut outcomes = BTreeMap::new();
    let mut findings = BTreeMap::new();
    for d in decisions {
        *outcomes.entry(d.outcome.as_str()).or_insert(0) += 1;
        for f in &d.findings {
            *findings
                .entry(format!("{} {}", f.rule_id, f.severity.as_str()))
                .or_insert(0) += 1;
        }
    }
    (outcomes, findings)
}
