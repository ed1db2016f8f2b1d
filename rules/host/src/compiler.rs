//! Compiling plugins, bounded: at most a few compilations run at once, a caller waits a bounded
//! time for its turn, and stops waiting for its result at a deadline.
//!
//! Compiling is the one piece of plugin work no fuel or epoch can interrupt, and an upload is
//! chosen by a tenant: without a bound, a few large or pathological components could take every
//! core from the evaluations. Cranelift cannot be stopped part-way, so a compilation past its
//! deadline finishes on its own thread, still holding its slot: the bound on concurrent
//! compilations holds even for the ones nobody waits for any more.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::PluginError;

pub struct Compiler {
    slots: Arc<Slots>,
    queue_wait: Duration,
    deadline: Duration,
}

struct Slots {
    free: Mutex<u32>,
    freed: Condvar,
    total: u32,
}

/// A compilation's turn; given back when dropped (by the compiling thread, when it finishes).
struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

impl Slots {
    fn take(self: &Arc<Slots>, wait: Duration) -> Option<Slot> {
        let until = Instant::now() + wait;
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            let left = until.checked_duration_since(Instant::now())?;
            free = self.freed.wait_timeout(free, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        *free -= 1;
        Some(Slot(self.clone()))
    }
}

impl Compiler {
    pub fn new(concurrent: u32, queue_wait: Duration, deadline: Duration) -> Compiler {
        let total = concurrent.max(1);
        Compiler {
            slots: Arc::new(Slots {
                free: Mutex::new(total),
                freed: Condvar::new(),
                total,
            }),
            queue_wait,
            deadline,
        }
    }

    /// Compilations running now, including any whose caller stopped waiting at the deadline.
    pub fn running(&self) -> u32 {
        self.slots.total - *self.slots.free.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Compiles `wasm` on a thread of its own once a slot is free. `Busy` when no slot frees
    /// within the queue wait; `CompileDeadlineExceeded` when the result is not ready in time.
    pub fn compile(&self, engine: &Engine, wasm: &[u8]) -> Result<Component, PluginError> {
        let slot = self.slots.take(self.queue_wait).ok_or(PluginError::CompilerBusy)?;
        let (engine, wasm) = (engine.clone(), wasm.to_vec());
        let (done, result) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("rules-compile".into())
            .spawn(move || {
                let compiled = Component::new(&engine, &wasm);
                drop(slot);
                // The caller may have stopped waiting; then nobody needs the result.
                let _ = done.send(compiled);
            })
            .map_err(|_| PluginError::CompilerBusy)?;
        match result.recv_timeout(self.deadline) {
            Ok(compiled) => compiled.map_err(|e| {
                let message = format!("{e:#}");
                // The sandbox's per-plugin limits are checked as the component is compiled.
                if message.contains("pooling allocator") {
                    PluginError::OverSandboxLimits(message)
                } else {
                    PluginError::NotAComponent(format!("it does not validate: {message}"))
                }
            }),
            Err(RecvTimeoutError::Timeout) => Err(PluginError::CompileDeadlineExceeded {
                millis: self.deadline.as_millis(),
            }),
            // The compiler panicked: the bytes are not something it can compile.
            Err(RecvTimeoutError::Disconnected) => Err(PluginError::NotAComponent("the compiler stopped on it".into())),
        }
    }
}
