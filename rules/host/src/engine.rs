//! The one wasmtime engine every plugin runs in: its configuration (component model, fuel, epoch
//! deadline, pooling allocator), the epoch ticker, and the cache of compiled plugins by hash.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::compiler::Compiler;
use crate::error::PluginError;
use crate::fixtures::Fixture;
use crate::interface::{InterfaceVersion, Pre};
use crate::limits::Limits;
use crate::plugin::Plugin;
use crate::sandbox::Sandbox;

/// How often the epoch advances; deadlines are whole ticks.
const EPOCH_TICK: Duration = Duration::from_millis(1);

/// Compiled plugins kept in memory. Tenants have a handful of versions each; past this many the
/// oldest compiled form is dropped and compiled again when next needed. A national service is
/// about 100 tenants with an active version and two older ones for replays and backtests, plus
/// the national layer's: 512 holds them all. Measured (`benches/src/bin/plugin_residency.rs`):
/// 300 versions of Bedfordshire's plugin resident take 114 MiB in all, about 0.36 MiB each.
const CACHE_CAPACITY: usize = 512;

/// The WebAssembly custom section in which a packaged plugin carries its fixtures.
pub const FIXTURES_SECTION: &str = "bluelight-rules-fixtures";

pub struct RuleEngine {
    engine: Engine,
    linker: Linker<Sandbox>,
    limits: Limits,
    deadline_ticks: u64,
    cache: Mutex<Cache>,
    compiler: Compiler,
    ticker_stop: Arc<AtomicBool>,
}

#[derive(Default)]
struct Cache {
    plugins: HashMap<String, Arc<Plugin>>,
    order: VecDeque<String>,
}

impl RuleEngine {
    pub fn new(limits: Limits) -> anyhow::Result<RuleEngine> {
        let mut pool = PoolingAllocationConfig::default();
        let slots = limits.max_concurrent_instances;
        pool.total_component_instances(slots)
            .total_core_instances(slots * 4)
            .total_memories(slots * 2)
            .total_tables(slots * 2)
            .max_memory_size(limits.memory_bytes)
            .max_core_instances_per_component(limits.max_core_instances_per_plugin)
            .max_memories_per_component(limits.max_memories_per_plugin)
            .max_tables_per_component(limits.max_tables_per_plugin)
            // Keeping a little of each slot's memory resident spares a fresh instance the page
            // faults of first touching its stack and data, most of the cost of a cold call.
            .linear_memory_keep_resident(1 << 20)
            .table_keep_resident(1 << 12)
            // Where the kernel has it (Linux 6.7+), reset only the pages an instance dirtied
            // instead of the whole resident megabyte: a fresh evaluation went from about 20.7 to
            // 18.7 us (benches/RESULTS.md). Elsewhere wasmtime falls back to the memset.
            .pagemap_scan(wasmtime::Enabled::Auto);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            // Deep enough to tell a stack overflow in linear memory from other bad accesses.
            .wasm_backtrace_max_frames(std::num::NonZeroUsize::new(crate::sandbox::BACKTRACE_FRAMES))
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("cannot start the plugin engine: {e:#}"))?;

        let ticker_stop = Arc::new(AtomicBool::new(false));
        let stop = ticker_stop.clone();
        let ticking = engine.clone();
        std::thread::Builder::new().name("rules-epoch".into()).spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                ticking.increment_epoch();
            }
        })?;

        let deadline_ticks = (limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        let mut linker = Linker::new(&engine);
        // The interface's types arrive as an import of type definitions only; defining the
        // (empty) instance satisfies it without granting anything callable.
        for version in InterfaceVersion::ALL {
            let name = version.types_interface();
            linker
                .instance(name)
                .map_err(|e| anyhow::anyhow!("cannot define {name}: {e:#}"))?;
        }
        Ok(RuleEngine {
            engine,
            linker,
            deadline_ticks,
            cache: Mutex::new(Cache::default()),
            compiler: Compiler::new(
                limits.max_concurrent_compiles,
                limits.compile_queue_wait,
                limits.compile_deadline,
            ),
            limits,
            ticker_stop,
        })
    }

    /// Compilations running now (see [`Compiler::running`]).
    pub fn compilations_running(&self) -> u32 {
        self.compiler.running()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// SHA-256 of a plugin's bytes, lower-case hex: the plugin's content address.
    pub fn content_hash(wasm: &[u8]) -> String {
        Sha256::digest(wasm).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Validates, compiles and describes a plugin, or returns the compiled one from the cache.
    /// Refuses anything that is not a component of our world importing nothing else. What is
    /// compiled here is not cached: only a plugin the service has stored is [`RuleEngine::keep`]t,
    /// so refused uploads (and anything else never stored) take no room in memory.
    pub fn load(&self, wasm: &[u8]) -> Result<Arc<Plugin>, PluginError> {
        if wasm.len() > self.limits.max_plugin_bytes {
            return Err(PluginError::TooLarge {
                size: wasm.len(),
                limit: self.limits.max_plugin_bytes,
            });
        }
        let sha256 = RuleEngine::content_hash(wasm);
        if let Some(plugin) = self.cached(&sha256) {
            return Ok(plugin);
        }
        check_is_component(wasm)?;
        let fixtures = read_fixtures(wasm)?;
        if let Some(fixtures) = &fixtures
            && fixtures.len() > self.limits.max_fixtures
        {
            return Err(PluginError::InvalidFixtures(format!(
                "it carries {} fixtures; a plugin may carry at most {}",
                fixtures.len(),
                self.limits.max_fixtures
            )));
        }
        let component = self.compiler.compile(&self.engine, wasm)?;
        let version = self.check_imports(&component)?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| PluginError::ForbiddenImport(format!("{e:#}")))?;
        let pre = Pre::new(version, instance_pre).map_err(|e| PluginError::WrongInterface(format!("{e:#}")))?;
        Ok(Arc::new(Plugin::new(
            sha256,
            pre,
            fixtures,
            self.limits.clone(),
            self.deadline_ticks,
        )?))
    }

    /// Keeps a stored plugin's compiled form for the next evaluations.
    pub fn keep(&self, plugin: &Arc<Plugin>) {
        self.remember(plugin.sha256().to_owned(), plugin.clone());
    }

    /// The compiled plugin with this content hash, if it is in memory.
    pub fn cached(&self, sha256: &str) -> Option<Arc<Plugin>> {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .plugins
            .get(sha256)
            .cloned()
    }

    fn remember(&self, sha256: String, plugin: Arc<Plugin>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.plugins.insert(sha256.clone(), plugin).is_none() {
            cache.order.push_back(sha256);
        }
        while cache.order.len() > CACHE_CAPACITY {
            if let Some(oldest) = cache.order.pop_front() {
                cache.plugins.remove(&oldest);
            }
        }
    }

    /// A plugin may import one interface version's type definitions and nothing else: no WASI,
    /// no host functions, so no clock, randomness, files, network or environment. Returns the
    /// version it imports (a component importing no types at all is taken as version 1, whose
    /// world it may still match; instantiation then decides).
    fn check_imports(&self, component: &Component) -> Result<InterfaceVersion, PluginError> {
        let mut found: Option<InterfaceVersion> = None;
        for (name, item) in component.component_type().imports(&self.engine) {
            if let Some(version) = name.strip_prefix("bluelight:rules/types@") {
                let Some(known) = InterfaceVersion::from_package_version(version) else {
                    return Err(PluginError::WrongInterface(format!(
                        "it is built for bluelight:rules@{version}; this service runs 1.0.0 and 2.0.0"
                    )));
                };
                if found.is_some_and(|f| f != known) {
                    return Err(PluginError::WrongInterface(
                        "it imports the types of two interface versions".into(),
                    ));
                }
                found = Some(known);
            }
            let types_only = match &item.ty {
                ComponentItem::ComponentInstance(instance) => instance
                    .exports(&self.engine)
                    .all(|(_, export)| matches!(export.ty, ComponentItem::Type(_) | ComponentItem::Resource(_))),
                ComponentItem::Type(_) => true,
                _ => false,
            };
            let ours = InterfaceVersion::ALL.iter().any(|v| v.types_interface() == name);
            if !ours || !types_only {
                return Err(PluginError::ForbiddenImport(format!("'{name}'")));
            }
        }
        Ok(found.unwrap_or(InterfaceVersion::V1))
    }
}

impl Drop for RuleEngine {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// A core module, or random bytes, gets a message that says which, before the compiler's.
fn check_is_component(wasm: &[u8]) -> Result<(), PluginError> {
    const MAGIC: &[u8] = b"\0asm";
    const CORE_MODULE: [u8; 4] = [1, 0, 0, 0];
    const COMPONENT_LAYER: [u8; 2] = [1, 0];
    if wasm.len() < 8 || &wasm[..4] != MAGIC {
        return Err(PluginError::NotAComponent(
            "the bytes are not WebAssembly (no \\0asm header)".into(),
        ));
    }
    if wasm[4..8] == CORE_MODULE {
        return Err(PluginError::NotAComponent(
            "it is a core WebAssembly module; package it as a component with `bluelight rules package`".into(),
        ));
    }
    if wasm[6..8] != COMPONENT_LAYER {
        return Err(PluginError::NotAComponent(
            "the WebAssembly header is neither a core module nor a component".into(),
        ));
    }
    Ok(())
}

fn read_fixtures(wasm: &[u8]) -> Result<Option<Vec<Fixture>>, PluginError> {
    let section = bluelight_rules_package::read_fixtures(wasm)
        .map_err(|e| PluginError::NotAComponent(format!("it cannot be read: {e:#}")))?;
    let Some(json) = section else {
        return Ok(None);
    };
    serde_json::from_slice(&json)
        .map(Some)
        .map_err(|e| PluginError::InvalidFixtures(format!("the {FIXTURES_SECTION} section: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox;

    fn engine() -> RuleEngine {
        RuleEngine::new(Limits::default()).expect("the engine starts")
    }

    /// A component of `count` instances of one core module (with `memory` pages of memory each,
    /// if any).
    fn component_of_instances(count: usize, memory: Option<u32>) -> Vec<u8> {
        let module = match memory {
            Some(pages) => format!("(core module $m (memory {pages}))"),
            None => "(core module $m)".to_owned(),
        };
        let instances: String = (0..count)
            .map(|i| format!("(core instance $i{i} (instantiate $m))"))
            .collect();
        wat::parse_str(format!("(component {module} {instances})")).expect("valid WAT")
    }

    #[test]
    fn a_plugin_may_not_take_more_than_its_share_of_the_sandbox_slots() {
        let engine = engine();
        let limits = Limits::default();
        for (wasm, what) in [
            (
                component_of_instances(limits.max_core_instances_per_plugin as usize + 1, None),
                "core module instances",
            ),
            (
                component_of_instances(limits.max_memories_per_plugin as usize + 1, Some(1)),
                "linear memories",
            ),
        ] {
            let error = engine.load(&wasm).err().expect("refused");
            assert!(
                matches!(&error, PluginError::OverSandboxLimits(message) if message.contains(what)),
                "{what}: {error:?}"
            );
            assert_eq!(error.code(), "plugin_over_sandbox_limits");
        }
        // At the limits, the same shapes compile (they then fail for not being rule plugins).
        let at_the_limit = component_of_instances(limits.max_memories_per_plugin as usize, Some(1));
        assert!(!matches!(
            engine.load(&at_the_limit),
            Err(PluginError::OverSandboxLimits(_))
        ));
    }

    #[test]
    fn only_a_plugin_the_service_keeps_is_cached() {
        let engine = engine();
        let wasm = bluelight_rules_bundled::hostile();
        let sha256 = RuleEngine::content_hash(wasm);
        let plugin = engine.load(wasm).expect("it loads");
        assert!(engine.cached(&sha256).is_none(), "compiled, not yet stored: not cached");
        engine.keep(&plugin);
        assert!(engine.cached(&sha256).is_some());
    }

    #[test]
    fn a_plugins_memories_share_one_memory_limit() {
        let engine = engine();
        // 20 MiB each: either fits the 32 MiB limit alone, not both together.
        let pages = (20 << 20) / 65_536;
        let instantiate = |count: usize| {
            let component = Component::new(&engine.engine, component_of_instances(count, Some(pages))).unwrap();
            let mut store = sandbox::new_store(&engine.engine, &engine.limits, engine.deadline_ticks);
            engine
                .linker
                .instantiate(&mut store, &component)
                .map(|_| ())
                .map_err(|e| sandbox::classify(e, &store, &engine.limits))
        };
        assert_eq!(instantiate(1), Ok(()));
        assert_eq!(
            instantiate(2),
            Err(PluginError::MemoryExhausted {
                limit: engine.limits.memory_bytes
            })
        );
    }
}
