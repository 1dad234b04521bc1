//! The C ABI of flowlog: `#include <flowlog.h>`, link `libflowlog.a` or `libflowlog.so`.
//!
//! A thin layer over `flowlog-core`: every function converts its arguments, calls the core and
//! converts the result; none holds logic of its own. The header `include/flowlog.h` is generated
//! from these items by cbindgen and committed (`tests/header.rs` fails when it drifts).
//!
//! # API conventions
//!
//! - Every name starts with `flowlog_`. Handles (`flowlog_meter`, `flowlog_capture`) are opaque;
//!   `flowlog_x_new`/`_open` create them, `flowlog_x_free` frees them (`free(NULL)` is a no-op).
//!   Never release flowlog memory with libc `free()`.
//! - Fallible functions return `flowlog_status`: 0 (`FLOWLOG_STATUS_OK`) is success, 1–6 are the
//!   core's error kinds with the same numbers, 100+ the binding's own (`NULL_ARG`, `PANIC`,
//!   `INVALID_ARG`, `RECORDS_PENDING`).
//! - Inputs come first, out-parameters last. A buffer is a pointer followed by its `size_t`
//!   length; the pointer may be NULL only when the length is 0. Outputs are written only on
//!   success, except the documented progress counts of the batch call and the size needed on
//!   `FLOWLOG_STATUS_BUFFER_TOO_SMALL` (two-call pattern).
//! - Every pointer is checked for NULL. Enum values from C are plain integers, checked before use.
//! - `const flowlog_x *` functions do not change the handle. A handle is used by one thread at a
//!   time; it may move between threads.
//! - A handle keeps the message of its last failed call (`flowlog_meter_last_error`), so a caller
//!   that migrates between OS threads (Go) reads the right one; constructors, which have no handle
//!   yet, take an optional `char *err, size_t err_len` buffer instead.
//! - Every function catches panics: a panic returns `FLOWLOG_STATUS_PANIC` (or NULL/0) and never
//!   unwinds into C.
//! - Nothing called per packet or per record allocates: the meter reserves all of its memory at
//!   construction.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod capture;
pub mod error;
pub mod format;
pub mod meter;
mod panic;
mod ptr;
pub mod types;

use std::ffi::c_char;

pub use capture::{FlowlogCapture, FlowlogFrame, FlowlogPcapRecords};
pub use error::{FlowlogStatus, FLOWLOG_ERROR_MAX};
pub use format::FLOWLOG_MAX_RECORD_LEN;
pub use meter::FlowlogMeter;
pub use types::{
    FlowlogAccounting, FlowlogAction, FlowlogConfig, FlowlogCounters, FlowlogDecap, FlowlogDirection,
    FlowlogEndReason, FlowlogFormat, FlowlogLogStatus, FlowlogPacket, FlowlogPortList, FlowlogRecord,
    FlowlogSkip, FlowlogTsKind, FlowlogTunnelPorts, FLOWLOG_MAX_PORTS,
};

/// The library version, `"MAJOR.MINOR.PATCH"` (compare with the header's `FLOWLOG_VERSION`).
/// A static string: never free it.
#[no_mangle]
pub extern "C" fn flowlog_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    panic::boundary_or(VERSION.as_ptr().cast(), || VERSION.as_ptr().cast())
}
