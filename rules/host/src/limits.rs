//! The hard limits every plugin runs under. A plugin is a force's code, not ours: every resource it
//! can consume is bounded, and each bound has a default that leaves the well-behaved seed plugins
//! a wide margin (they use about 5,000 fuel units, 1-2 MiB of memory and a few microseconds).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Instruction budget (wasmtime fuel units) for one call into the plugin.
    pub fuel: u64,
    /// Wall-clock deadline for one call, enforced by epoch interruption; catches what fuel cannot
    /// (a host-side copy of a huge output, a slow page-fault storm).
    pub deadline: Duration,
    /// Linear memory a plugin instance may grow to, all its memories together.
    pub memory_bytes: usize,
    /// Core module instances, linear memories and tables one plugin may contain. The sandboxes'
    /// slots are shared by every tenant; without these one plugin could take many of them (a
    /// Rust plugin has one instance, one memory and one table).
    pub max_core_instances_per_plugin: u32,
    pub max_memories_per_plugin: u32,
    pub max_tables_per_plugin: u32,
    /// Size of an uploaded plugin (the component's bytes).
    pub max_plugin_bytes: usize,
    /// Size of one procurement as passed to the plugin (strings and lists, see `Procurement::wire_size`).
    pub max_input_bytes: usize,
    /// Size of one decision as returned by the plugin (its strings).
    pub max_output_bytes: usize,
    /// Findings in one decision.
    pub max_findings: usize,
    /// Fixtures one plugin may carry, and the wall-clock time all of them may take together at
    /// upload or activation; past the time, the rest are reported as not run (so not passed).
    pub max_fixtures: usize,
    pub fixtures_time: Duration,
    /// Plugin instances alive at once across the whole engine (the pooling allocator's slots).
    /// An evaluation that finds none free is refused as busy rather than queued without bound.
    pub max_concurrent_instances: u32,
    /// Plugins compiled at once, how long an upload (or a first evaluation after a restart)
    /// waits for its turn before a busy refusal, and how long it waits for the compiled result.
    /// Compiling cannot be interrupted: one past its deadline finishes on its own, holding its
    /// turn, so this many compilations at most ever run together.
    pub max_concurrent_compiles: u32,
    pub compile_queue_wait: Duration,
    pub compile_deadline: Duration,
}

impl Limits {
    /// Bytes wasmtime may copy out of a plugin's memory for one call's result (its "hostcall
    /// fuel", 128 MiB by default): room for a result at the output and findings limits, with the
    /// host's own representation of each list element, so a far larger one is refused before it
    /// is copied rather than measured after.
    pub fn copy_out_bytes(&self) -> usize {
        const PER_LIST_ELEMENT: usize = 1024;
        2 * self.max_output_bytes + self.max_findings * PER_LIST_ELEMENT
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 10_000_000,
            deadline: Duration::from_millis(200),
            memory_bytes: 32 << 20,
            max_core_instances_per_plugin: 16,
            max_memories_per_plugin: 2,
            max_tables_per_plugin: 4,
            max_plugin_bytes: 4 << 20,
            max_input_bytes: 256 << 10,
            max_output_bytes: 256 << 10,
            max_findings: 200,
            max_fixtures: 500,
            fixtures_time: Duration::from_secs(2),
            max_concurrent_instances: 64,
            max_concurrent_compiles: 2,
            compile_queue_wait: Duration::from_secs(5),
            compile_deadline: Duration::from_secs(10),
        }
    }
}
