//! Memory hints for the hot paths: software prefetch, to overlap memory latency with work, and
//! huge pages for the session table, so that random accesses over megabytes of slots do not pay a
//! page-table walk each (a 4 KiB-page TLB covers a few MiB; 2 MiB pages cover the whole table).

/// Prefetch the cache line holding byte `byte` of element `i` of `items` (x86-64 only; a no-op
/// elsewhere). `i` need not be in bounds:
/// a prefetch is a hint at an address, so the table's look-ahead, whose indices come from its own
/// index and links and are in bounds whenever it is consistent, skips the bounds checks.
#[inline(always)]
pub(crate) fn prefetch_at<T>(items: &[T], i: usize, byte: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and is no memory access (any address may be given), and
    // `wrapping_add` computes the address without assuming it lies in `items`.
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = items.as_ptr().wrapping_add(i).cast::<i8>().wrapping_add(byte);
        _mm_prefetch::<_MM_HINT_T0>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, i, byte);
}

/// Plain data for which all-zero bytes are a valid value.
///
/// # Safety
/// Implement only for types made of integers and arrays of them (no references, no enums with
/// invalid zero, no padding-sensitive invariants).
pub(crate) unsafe trait Zeroable {}

// SAFETY: integers.
unsafe impl Zeroable for u32 {}

/// A fixed-length array of zeroed `T`, reserved at construction: the session table's memory.
///
/// On Linux it is an anonymous mapping of its own rather than a heap block. The allocator may
/// serve a large `calloc` from memory it already holds, which it must then clear by writing,
/// faulting in every 4 KiB page before any huge-page advice can act. A fresh mapping costs
/// resident memory only as it fills, is aligned to 2 MiB, and carries `MADV_HUGEPAGE`, so the
/// kernel backs it with 2 MiB pages when THP is `madvise` or `always`: random accesses over
/// megabytes of slots then hit the TLB instead of walking the page tables. Elsewhere it is a
/// zeroed `Box<[T]>`.
pub(crate) struct ZeroedArray<T: Zeroable> {
    #[cfg(target_os = "linux")]
    map: Mapping,
    #[cfg(target_os = "linux")]
    len: usize,
    #[cfg(target_os = "linux")]
    _owns: core::marker::PhantomData<T>,
    #[cfg(not(target_os = "linux"))]
    boxed: Box<[T]>,
}

impl<T: Zeroable> ZeroedArray<T> {
    /// `n` zeroed values.
    ///
    /// # Panics
    /// When the memory cannot be reserved, as `Box` does (an allocation failure aborts).
    #[cfg(target_os = "linux")]
    pub(crate) fn new(n: usize) -> ZeroedArray<T> {
        let bytes = n.checked_mul(core::mem::size_of::<T>()).expect("table size overflows usize");
        let map = Mapping::new(bytes, core::mem::align_of::<T>());
        ZeroedArray { map, len: n, _owns: core::marker::PhantomData }
    }

    /// `n` zeroed values.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn new(n: usize) -> ZeroedArray<T> {
        let b = Box::<[T]>::new_zeroed_slice(n);
        // SAFETY: all-zero bytes are a valid T (`Zeroable`), so the zeroed allocation is initialised.
        ZeroedArray { boxed: unsafe { b.assume_init() } }
    }
}

impl<T: Zeroable> core::ops::Deref for ZeroedArray<T> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        #[cfg(target_os = "linux")]
        // SAFETY: the mapping holds `len` values of T, zero-initialised by the kernel (a valid T
        // by `Zeroable`), aligned for T, and lives as long as `self`.
        unsafe {
            core::slice::from_raw_parts(self.map.ptr.cast::<T>(), self.len)
        }
        #[cfg(not(target_os = "linux"))]
        &self.boxed
    }
}

impl<T: Zeroable> core::ops::DerefMut for ZeroedArray<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        #[cfg(target_os = "linux")]
        // SAFETY: as in `deref`, and `&mut self` makes this the only reference.
        unsafe {
            core::slice::from_raw_parts_mut(self.map.ptr.cast::<T>(), self.len)
        }
        #[cfg(not(target_os = "linux"))]
        &mut self.boxed
    }
}

/// An anonymous private read-write mapping, unmapped on drop.
#[cfg(target_os = "linux")]
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is owned memory like a `Box`'s; `ZeroedArray` hands out references to it
// only through `&self`/`&mut self`, so the usual borrow rules make sharing and sending sound.
#[cfg(target_os = "linux")]
unsafe impl Send for Mapping {}
// SAFETY: as above.
#[cfg(target_os = "linux")]
unsafe impl Sync for Mapping {}

#[cfg(target_os = "linux")]
impl Mapping {
    const HUGE: usize = 2 << 20;

    /// At least `bytes` zeroed bytes aligned to `align`; 2 MiB-aligned and advised for huge pages
    /// when `bytes` is 2 MiB or more.
    fn new(bytes: usize, align: usize) -> Mapping {
        assert!(align <= 4096, "page alignment covers every table type");
        if bytes < Self::HUGE {
            // A zero-length mapping is invalid: keep one page.
            return Mapping::map(bytes.max(1));
        }
        // Map one huge page more than needed, then return the unaligned head and the tail.
        let len = bytes.next_multiple_of(Self::HUGE);
        let raw = Mapping::map(len + Self::HUGE);
        let start = (raw.ptr as usize).next_multiple_of(Self::HUGE);
        let head = start - raw.ptr as usize;
        let tail = Self::HUGE - head;
        let aligned = Mapping { ptr: start as *mut u8, len };
        // SAFETY: [raw.ptr, raw.ptr + head) and [start + len, start + len + tail) are the two
        // ends of the mapping just made, outside `aligned`; nothing refers to them.
        unsafe {
            if head > 0 {
                libc::munmap(raw.ptr.cast(), head);
            }
            if tail > 0 {
                libc::munmap((start + len) as *mut libc::c_void, tail);
            }
            // A hint: the kernel keeps the mapping's contents (zero) whatever it does with it.
            libc::madvise(aligned.ptr.cast(), len, libc::MADV_HUGEPAGE);
        }
        core::mem::forget(raw);
        aligned
    }

    fn map(len: usize) -> Mapping {
        // SAFETY: a new anonymous mapping at an address of the kernel's choosing touches no
        // existing memory.
        let ptr = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            let layout = std::alloc::Layout::from_size_align(len, 1);
            std::alloc::handle_alloc_error(layout.unwrap_or(std::alloc::Layout::new::<u8>()));
        }
        Mapping { ptr: ptr.cast(), len }
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr..ptr + len` is a mapping this value owns; no reference to it outlives `self`.
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_start_zeroed_and_keep_what_is_written() {
        for n in [0usize, 1, 1000, (3 << 20) / 4 + 5] {
            let mut a = ZeroedArray::<u32>::new(n);
            assert_eq!(a.len(), n);
            assert!(a.iter().all(|&v| v == 0), "{n} values");
            if let Some(last) = a.last_mut() {
                *last = 7;
            }
            assert_eq!(a.iter().map(|&v| v as usize).sum::<usize>(), if n > 0 { 7 } else { 0 });
        }
    }

    /// The mapping of a large array starts on a 2 MiB boundary and carries the huge-page advice
    /// (`hg` in its smaps flags), whatever the allocator did before.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_arrays_are_aligned_and_advised_for_huge_pages() {
        // Churn the allocator first: a freed large block raises glibc's mmap threshold, after
        // which a heap `calloc` of the same size would come from (and be cleared on) the heap.
        drop(vec![1u8; 8 << 20]);
        let a = ZeroedArray::<u32>::new(5 << 20);
        let at = a.as_ptr() as usize;
        assert_eq!(at % (2 << 20), 0, "2 MiB aligned");
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            eprintln!("no transparent huge pages in this kernel: advice not checked");
            return;
        }
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps is readable");
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().and_then(|r| r.split_once('-'));
            let parsed = range.and_then(|(s, e)| {
                Some((usize::from_str_radix(s, 16).ok()?, usize::from_str_radix(e, 16).ok()?))
            });
            if let Some((start, end)) = parsed {
                inside = (start..end).contains(&at);
            } else if inside && line.starts_with("VmFlags:") {
                assert!(line.split_whitespace().any(|f| f == "hg"), "{line}");
                return;
            }
        }
        panic!("the array's mapping is not in /proc/self/smaps");
    }
}
