//! The panic boundary around every exported function: a panic must never unwind into C (since Rust
//! 1.81 that aborts the process), so each body runs under `catch_unwind` and a caught panic turns
//! into the value its return type documents for it ([`PanicOrDefault`]: `FLOWLOG_STATUS_PANIC` for
//! a status), or a default the function names.
//!
//! The boundary knows no type of the binding: the status type implements [`PanicOrDefault`] where
//! it is defined, so the modules depend one way only (error on panic).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// A return type with a value meaning "the call panicked".
pub(crate) trait PanicOrDefault {
    /// The value an exported function returns when its body panicked.
    fn panic_value() -> Self;
}

/// Run `f`; a panic becomes `T`'s [`PanicOrDefault::panic_value`].
#[inline]
pub(crate) fn boundary<T: PanicOrDefault>(f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| T::panic_value())
}

/// Run `f`; a panic becomes `default`.
#[inline]
pub(crate) fn boundary_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}
