//! Checked conversions of C pointers: NULL and misalignment become errors, never UB.

use crate::error::Failure;

/// `&[T]` from a C array; `ptr` may be NULL only when `len` is 0.
///
/// # Safety
/// When non-NULL, `ptr` must point to `len` initialised `T`s that stay valid and unchanged for
/// `'a`.
#[inline]
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize, name: &'static str) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    check(ptr, len, name)?;
    // SAFETY: non-NULL, aligned, size within isize (checked); validity is the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `&mut [u8]` from a C output buffer; `ptr` may be NULL only when `len` is 0.
///
/// # Safety
/// When non-NULL, `ptr` must be valid for writes of `len` bytes for `'a`, and not aliased.
#[inline]
pub(crate) unsafe fn bytes_mut<'a>(
    ptr: *mut u8,
    len: usize,
    name: &'static str,
) -> Result<&'a mut [u8], Failure> {
    if len == 0 {
        return Ok(&mut []);
    }
    check(ptr, len, name)?;
    // SAFETY: as `slice`; u8 has no invalid bit patterns.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// NULL, alignment and size checks shared by the slice builders and [`OutRecords::new`].
#[inline]
pub(crate) fn check<T>(ptr: *const T, len: usize, name: &'static str) -> Result<(), Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    if !(ptr as usize).is_multiple_of(core::mem::align_of::<T>()) {
        return Err(Failure::Invalid("pointer is not aligned for its type"));
    }
    if !matches!(len.checked_mul(core::mem::size_of::<T>()), Some(b) if b <= isize::MAX as usize) {
        return Err(Failure::Invalid("array length is too large"));
    }
    Ok(())
}

/// Check a required out-parameter before any work is done, so that outputs are written only on
/// success; write it later with [`put`].
#[inline]
pub(crate) fn check_out<T>(ptr: *mut T, name: &'static str) -> Result<(), Failure> {
    check(ptr.cast_const(), 1, name)
}

/// Write an out-parameter checked by [`check_out`] (or skip it when NULL, for optional ones).
///
/// # Safety
/// When non-NULL, `ptr` must be valid for a write of `T`.
#[inline]
pub(crate) unsafe fn put<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        // SAFETY: non-NULL; validity (and alignment, checked by check_out) is the caller's contract.
        unsafe { ptr.write(value) };
    }
}
