//! One store's worth of sandbox: the state wasmtime keeps per plugin instance, the memory cap,
//! and how a failed call is turned into the cause a tenant can act on.

use wasmtime::{ResourceLimiter, Store, Trap, WasmBacktrace};

use crate::error::PluginError;
use crate::limits::Limits;

/// The per-store state. It grants the plugin nothing: its only job is to cap memory and to
/// remember that it did, so the failure can be named precisely.
pub struct Sandbox {
    memory_limit: usize,
    /// Bytes of linear memory the plugin's memories hold together: the limit is for the whole
    /// plugin, not for each of its memories.
    memory_in_use: usize,
    memory_denied: bool,
}

impl ResourceLimiter for Sandbox {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let in_use = self.memory_in_use - current.min(self.memory_in_use) + desired;
        if in_use > self.memory_limit {
            // An error, not `Ok(false)`: a refused `memory.grow` makes Rust's allocator abort
            // with a bare `unreachable`, which would hide the cause.
            self.memory_denied = true;
            return Err(wasmtime::Error::msg("memory limit reached"));
        }
        self.memory_in_use = in_use;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 10_000)
    }
}

pub fn new_store(engine: &wasmtime::Engine, limits: &Limits, deadline_ticks: u64) -> Store<Sandbox> {
    let mut store = Store::new(
        engine,
        Sandbox {
            memory_limit: limits.memory_bytes,
            memory_in_use: 0,
            memory_denied: false,
        },
    );
    store.limiter(|sandbox| sandbox);
    store.set_hostcall_fuel(limits.copy_out_bytes());
    arm(&mut store, limits, deadline_ticks);
    store
}

/// Gives the store a full instruction budget and a fresh deadline, before each call.
pub fn arm(store: &mut Store<Sandbox>, limits: &Limits, deadline_ticks: u64) {
    store
        .set_fuel(limits.fuel)
        .expect("fuel is enabled on every engine this crate builds");
    store.set_epoch_deadline(deadline_ticks);
}

pub fn fuel_used(store: &Store<Sandbox>, limits: &Limits) -> u64 {
    limits.fuel - store.get_fuel().unwrap_or(0)
}

/// Names the cause of a failed instantiation or call.
pub fn classify(error: wasmtime::Error, store: &Store<Sandbox>, limits: &Limits) -> PluginError {
    if store.data().memory_denied {
        return PluginError::MemoryExhausted {
            limit: limits.memory_bytes,
        };
    }
    if error.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some() {
        return PluginError::Busy;
    }
    // wasmtime's error type for it is private; its message is the contract.
    if format!("{error:#}").contains("fuel allocated for hostcalls has been exhausted") {
        return PluginError::OutputTooLargeToCopy {
            limit: limits.copy_out_bytes(),
        };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => PluginError::FuelExhausted { fuel: limits.fuel },
        Some(Trap::Interrupt) => PluginError::DeadlineExceeded {
            millis: limits.deadline.as_millis(),
        },
        Some(Trap::StackOverflow) => PluginError::StackOverflow,
        Some(Trap::MemoryOutOfBounds) if overflowed_its_shadow_stack(&error) => PluginError::StackOverflow,
        Some(Trap::UnreachableCodeReached) => {
            PluginError::Trapped("it executed `unreachable` (a Rust plugin does this when it panics)".into())
        }
        Some(trap) => PluginError::Trapped(trap.to_string()),
        None => PluginError::Trapped(format!("{error:#}")),
    }
}

/// How many times the function that made an out-of-bounds access must be on the stack for the
/// access to be taken for a stack overflow. Rust (and C) keep large locals on a stack inside
/// linear memory, below the data; recursing past its end moves the stack pointer under address
/// 0, and the first write there is an out-of-bounds access in the middle of a deep recursion
/// (wasmtime's own `StackOverflow` comes only when the engine's stack runs out first). No rule
/// legitimately calls into itself this deep.
const RECURSION_DEPTH: usize = 64;

/// Frames captured for a trap's backtrace: enough to see `RECURSION_DEPTH` even when the
/// recursion goes through a few functions.
pub const BACKTRACE_FRAMES: usize = 4 * RECURSION_DEPTH;

fn overflowed_its_shadow_stack(error: &wasmtime::Error) -> bool {
    let Some(frames) = error.downcast_ref::<WasmBacktrace>().map(WasmBacktrace::frames) else {
        return false;
    };
    let Some(innermost) = frames.first() else {
        return false;
    };
    let same_function = |frame: &&wasmtime::FrameInfo| {
        frame.func_index() == innermost.func_index() && frame.module().name() == innermost.module().name()
    };
    frames.iter().filter(same_function).count() >= RECURSION_DEPTH
}
