//! How far each running import of this instance has got, so that a client polling the import
//! sees rows written before the transaction commits (other connections cannot see them yet).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct ImportProgress {
    running: Mutex<HashMap<String, Arc<AtomicI64>>>,
}

impl ImportProgress {
    /// A counter for a starting import, to be advanced as batches are written.
    pub fn start(&self, import_id: &str) -> Arc<AtomicI64> {
        let counter = Arc::new(AtomicI64::new(0));
        self.lock().insert(import_id.to_owned(), counter.clone());
        counter
    }

    pub fn finish(&self, import_id: &str) {
        self.lock().remove(import_id);
    }

    /// Rows written so far by a running import of this instance.
    pub fn rows_written(&self, import_id: &str) -> Option<i64> {
        self.lock().get(import_id).map(|c| c.load(Ordering::Relaxed))
    }

    /// Running imports of this instance, and the rows they have written together.
    pub fn totals(&self) -> (i64, i64) {
        let running = self.lock();
        let rows = running.values().map(|c| c.load(Ordering::Relaxed)).sum();
        (running.len() as i64, rows)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<AtomicI64>>> {
        // The map stays consistent even if a holder panicked: every operation is one call.
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}
