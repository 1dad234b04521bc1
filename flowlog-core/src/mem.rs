//! Memory hints for the hot paths: software prefetch, to overlap memory latency with work, and
//! huge pages for the session table, so that random accesses over megabytes of slots do not pay a
//! page-table walk each (a 4 KiB-page TLB covers a few MiB; 2 MiB pages cover the whole table).

/// Prefetch the cache line holding `*p` into all cache levels (x86-64 only; a no-op elsewhere).
#[inline(always)]
pub(crate) fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, and `p` is a valid reference anyway.
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Plain data for which all-zero bytes are a valid value.
///
/// # Safety
/// Implement only for types made of integers and arrays of them (no references, no enums with
/// invalid zero, no padding-sensitive invariants).
pub(crate) unsafe trait Zeroable {}

// SAFETY: integers.
unsafe impl Zeroable for u32 {}

/// `n` zeroed values, reserved now. The OS maps zero pages lazily, so a large table costs
/// resident memory only as it fills, yet nothing is allocated after construction. On Linux,
/// arrays of 2 MiB or more ask for transparent huge pages (`MADV_HUGEPAGE`; a hint the kernel
/// honours when THP is set to `madvise` or `always`).
pub(crate) fn zeroed<T: Zeroable>(n: usize) -> Box<[T]> {
    let b = Box::<[T]>::new_zeroed_slice(n);
    // SAFETY: all-zero bytes are a valid T (`Zeroable`), so the zeroed allocation is initialised.
    let b = unsafe { b.assume_init() };
    advise_huge_pages(&b);
    b
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(b: &[T]) {
    const HUGE: usize = 2 << 20;
    let start = b.as_ptr() as usize;
    let end = start + core::mem::size_of_val(b);
    // The whole 2 MiB pages inside the allocation (madvise needs page-aligned bounds).
    let (from, to) = (start.next_multiple_of(HUGE), end - end % HUGE);
    if from < to {
        // SAFETY: [from, to) lies inside an allocation this function's caller owns; the advice
        // changes how the kernel backs those pages, never their contents (still zero).
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_: &[T]) {}
