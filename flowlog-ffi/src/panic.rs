//! The panic boundary around every exported function: a panic must never unwind into C (since Rust
//! 1.81 that aborts the process), so each body runs under `catch_unwind` and a caught panic turns
//! into `FLOWLOG_STATUS_PANIC`, or the documented default for functions that return no status.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::FlowlogStatus;

/// Run `f`; a panic becomes [`FlowlogStatus::Panic`].
#[inline]
pub(crate) fn boundary(f: impl FnOnce() -> FlowlogStatus) -> FlowlogStatus {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(FlowlogStatus::Panic)
}

/// Run `f`; a panic becomes `default`.
#[inline]
pub(crate) fn boundary_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}
