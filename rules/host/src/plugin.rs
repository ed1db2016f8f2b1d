//! A compiled, pre-instantiated plugin, and the two ways to run it: one evaluation in a fresh
//! sandbox (a buyer's request), or a batch through one sandbox (replays and backtests).

use std::time::{Duration, Instant};

use wasmtime::Store;

use crate::error::PluginError;
use crate::fixtures::{self, Fixture, FixtureReport};
use crate::interface::{Instance, InterfaceVersion, Pre};
use crate::limits::Limits;
use crate::sandbox::{self, Sandbox};
use crate::types::{Decision, PluginInfo, Procurement};

pub struct Plugin {
    sha256: String,
    pre: Pre,
    info: PluginInfo,
    fixtures: Option<Vec<Fixture>>,
    limits: Limits,
    deadline_ticks: u64,
}

/// A decision and what it cost.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub decision: Decision,
    pub fuel_used: u64,
    pub duration: Duration,
}

impl Plugin {
    /// Wraps a pre-instantiated component and asks it to describe itself, under the same limits
    /// as any evaluation: a plugin that misbehaves in `describe` is refused at upload.
    pub(crate) fn new(
        sha256: String,
        pre: Pre,
        fixtures: Option<Vec<Fixture>>,
        limits: Limits,
        deadline_ticks: u64,
    ) -> Result<Plugin, PluginError> {
        let mut store = sandbox::new_store(pre.engine(), &limits, deadline_ticks);
        let info = pre
            .instantiate(&mut store)
            .and_then(|instance| instance.describe(&mut store))
            .map_err(|e| sandbox::classify(e, &store, &limits))?;
        let size = info.text_size();
        if size > limits.max_output_bytes {
            return Err(PluginError::OutputTooLarge {
                size,
                limit: limits.max_output_bytes,
            });
        }
        Ok(Plugin {
            sha256,
            pre,
            info,
            fixtures,
            limits,
            deadline_ticks,
        })
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The interface version the plugin implements (`1.0.0` or `2.0.0`).
    pub fn interface_version(&self) -> &'static str {
        self.pre.version().as_str()
    }

    pub fn interface(&self) -> InterfaceVersion {
        self.pre.version()
    }

    pub fn fixtures(&self) -> Option<&[Fixture]> {
        self.fixtures.as_deref()
    }

    /// Runs the plugin's own fixtures, each in a fresh sandbox.
    pub fn run_fixtures(&self) -> FixtureReport {
        fixtures::run(
            self,
            self.fixtures.as_deref().unwrap_or_default(),
            self.limits.fixtures_time,
        )
    }

    /// One evaluation in a fresh, isolated instance: nothing survives from any earlier call.
    pub fn evaluate(&self, input: &Procurement) -> Result<Evaluation, PluginError> {
        self.check_input(input)?;
        let started = Instant::now();
        let mut store = sandbox::new_store(self.pre.engine(), &self.limits, self.deadline_ticks);
        let output = self
            .pre
            .instantiate(&mut store)
            .and_then(|instance| instance.evaluate(&mut store, input))
            .map_err(|e| sandbox::classify(e, &store, &self.limits))?;
        let fuel_used = sandbox::fuel_used(&store, &self.limits);
        let duration = started.elapsed();
        self.accept(output, fuel_used, duration)
    }

    /// A batch: one instance reused across many evaluations, for replays and backtests where
    /// instantiation would dominate. Each call still gets its own fuel and deadline.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            plugin: self,
            live: None,
        }
    }

    fn check_input(&self, input: &Procurement) -> Result<(), PluginError> {
        let size = input.wire_size();
        if size > self.limits.max_input_bytes {
            return Err(PluginError::InputTooLarge {
                size,
                limit: self.limits.max_input_bytes,
            });
        }
        Ok(())
    }

    /// Holds the plugin to the interface's promises before its decision is believed.
    fn accept(&self, decision: Decision, fuel_used: u64, duration: Duration) -> Result<Evaluation, PluginError> {
        let count = decision.findings.len();
        if count > self.limits.max_findings {
            return Err(PluginError::TooManyFindings {
                count,
                limit: self.limits.max_findings,
            });
        }
        let size = decision.text_size();
        if size > self.limits.max_output_bytes {
            return Err(PluginError::OutputTooLarge {
                size,
                limit: self.limits.max_output_bytes,
            });
        }
        let expected = Decision::outcome_from_findings(&decision.findings);
        if decision.outcome != expected {
            return Err(PluginError::InconsistentDecision(format!(
                "it says {} but its findings make it {}",
                decision.outcome.as_str(),
                expected.as_str()
            )));
        }
        Ok(Evaluation {
            decision,
            fuel_used,
            duration,
        })
    }
}

pub struct Batch<'a> {
    plugin: &'a Plugin,
    live: Option<(Store<Sandbox>, Instance)>,
}

impl Batch<'_> {
    pub fn evaluate(&mut self, input: &Procurement) -> Result<Evaluation, PluginError> {
        let plugin = self.plugin;
        plugin.check_input(input)?;
        let started = Instant::now();
        let (mut store, instance) = match self.live.take() {
            Some(live) => live,
            None => {
                let mut store = sandbox::new_store(plugin.pre.engine(), &plugin.limits, plugin.deadline_ticks);
                let instance = plugin
                    .pre
                    .instantiate(&mut store)
                    .map_err(|e| sandbox::classify(e, &store, &plugin.limits))?;
                (store, instance)
            }
        };
        sandbox::arm(&mut store, &plugin.limits, plugin.deadline_ticks);
        // After a trap the instance may be in any state, so it is dropped and the next
        // evaluation starts a new one.
        let output = instance
            .evaluate(&mut store, input)
            .map_err(|e| sandbox::classify(e, &store, &plugin.limits))?;
        let fuel_used = sandbox::fuel_used(&store, &plugin.limits);
        let duration = started.elapsed();
        self.live = Some((store, instance));
        plugin.accept(output, fuel_used, duration)
    }
}
