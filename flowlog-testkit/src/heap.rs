//! Counting heap operations, for the tests that prove a code path never touches the heap.
//!
//! A test binary installs the allocator once, then measures closures on its own thread:
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: flowlog_testkit::CountingAllocator = flowlog_testkit::CountingAllocator;
//!
//! let (_, ops) = flowlog_testkit::heap_ops(|| meter.process(&frame, &mut sink));
//! assert_eq!(ops, 0);
//! ```
//!
//! Counts are per thread, so the test harness's other threads cannot pollute a measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting every allocation, reallocation and free on the calling
/// thread.
pub struct CountingAllocator;

thread_local! {
    static HEAP_OPS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // try_with: thread-local storage may already be torn down while a thread exits.
    let _ = HEAP_OPS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only counts.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` came from `System` through this allocator; the caller's contract holds.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        // SAFETY: `ptr` came from `System` through this allocator, with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Run `f` and count the heap operations it made on this thread (meaningful only in a binary
/// whose global allocator is [`CountingAllocator`]).
pub fn heap_ops<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = HEAP_OPS.with(Cell::get);
    let r = f();
    (r, HEAP_OPS.with(Cell::get) - before)
}
