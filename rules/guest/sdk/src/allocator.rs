//! The plugins' memory allocator in WebAssembly: talc, first over an arena in the module's own
//! zeroed data, then over pages it grows linear memory by, only past the arena.
//!
//! Why not Rust's default (dlmalloc): it grows linear memory on its first allocation, whatever
//! the module already has. The host runs most evaluations in a fresh instance, and a grown
//! memory costs the host two `mprotect` calls an evaluation (the new page made accessible, then
//! taken away again when the sandbox slot is reused), each a TLB shoot-down on every core the
//! service runs on. An evaluation allocates a few tens of kilobytes, which the arena holds; its
//! untouched pages cost nothing (the host maps zeroed data lazily). A plugin that needs more
//! still grows memory, within the host's memory limit, which names the cause when it is reached.

use core::alloc::Layout;
use core::mem::MaybeUninit;

use talc::base::Talc;
use talc::base::binning::Binning;
use talc::cell::TalcSyncCell;
use talc::wasm::WasmBinning;

/// Bytes of the arena: far more than a seed plugin's evaluation allocates.
const ARENA_BYTES: usize = 512 << 10;

const PAGE_BYTES: usize = 64 << 10;

static mut ARENA: [MaybeUninit<u8>; ARENA_BYTES] = [MaybeUninit::uninit(); ARENA_BYTES];

/// Where talc gets memory when it has none free: the arena once, then new pages.
#[derive(Debug)]
pub struct ArenaThenGrow {
    arena: Option<(*mut u8, usize)>,
}

// SAFETY: talc calls `acquire` only when it has no free memory for `layout`; the arena is handed
// over once and never touched elsewhere, and grown pages are new memory nobody else owns.
unsafe impl talc::source::Source for ArenaThenGrow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        if let Some((base, size)) = talc.source.arena.take() {
            // SAFETY: the arena is this allocator's alone (see `ARENA`'s only use below).
            if unsafe { talc.claim(base, size) }.is_some() {
                return Ok(());
            }
        }
        // Enough pages for the allocation with its alignment and talc's bookkeeping.
        let needed = layout.size() + layout.align() + 4 * talc::base::CHUNK_UNIT;
        let pages = needed.div_ceil(PAGE_BYTES);
        let previous = core::arch::wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return Err(());
        }
        // SAFETY: the pages were just added to linear memory and belong to no one yet.
        match unsafe { talc.claim((previous * PAGE_BYTES) as *mut u8, pages * PAGE_BYTES) } {
            Some(_) => Ok(()),
            None => Err(()),
        }
    }
}

#[global_allocator]
static ALLOCATOR: TalcSyncCell<ArenaThenGrow, WasmBinning> = TalcSyncCell::new_wasm(ArenaThenGrow {
    arena: Some(((&raw mut ARENA).cast::<u8>(), ARENA_BYTES)),
});
