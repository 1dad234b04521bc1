//! `flowlog_capture`: the core's pcap/pcapng reader behind an opaque handle.

use std::ffi::{c_char, CStr};
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use flowlog_core::capture::CaptureReader;
use flowlog_core::Timestamp;

use crate::error::{copy_message, write_message, Failure, FlowlogStatus, LastError};
use crate::panic::{boundary, boundary_or};
use crate::ptr::{check_out, put};
use crate::types::FlowlogTsKind;

/// A capture file being read. Create with `flowlog_capture_open`, free with
/// `flowlog_capture_free`. One thread at a time.
pub struct FlowlogCapture {
    reader: CaptureReader<File>,
    last_error: LastError,
}

/// One frame read from a capture. `data` points into the capture handle and stays valid until the
/// next call on that handle (or its free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FlowlogFrame {
    /// The captured bytes.
    pub data: *const u8,
    /// How many captured bytes.
    pub len: usize,
    /// Capture time in ns since the epoch (when `ts_kind` is `FLOWLOG_TS_KIND_NS`, else 0).
    pub ts_ns: u64,
    /// A `flowlog_ts_kind` value.
    pub ts_kind: u32,
    /// Link type of the interface.
    pub link_type: u32,
    /// Length on the wire.
    pub orig_len: u32,
    /// Interface index over all sections of the file (0 for pcap): use it as observation point.
    pub interface: u32,
}

/// Open a pcap or pcapng file (recognised by its magic number) and read its header.
///
/// On success `*out` is the handle. On failure `*out` is untouched and, when `err` is not NULL, a
/// NUL-terminated message goes into `err`: `FLOWLOG_STATUS_IO` (cannot open or read),
/// `CAPTURE_UNSUPPORTED`, `CAPTURE_TRUNCATED`, `CAPTURE_MALFORMED`, `NULL_ARG`.
///
/// # Safety
/// `path` NULL or a NUL-terminated string; `out` NULL or writable; `err` NULL or writable for
/// `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flowlog_capture_open(
    path: *const c_char,
    out: *mut *mut FlowlogCapture,
    err: *mut c_char,
    err_len: usize,
) -> FlowlogStatus {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<*mut FlowlogCapture, Failure> {
        check_out(out, "out")?;
        if path.is_null() {
            return Err(Failure::Null("path"));
        }
        // SAFETY: NUL-terminated by the caller's contract.
        let bytes = unsafe { CStr::from_ptr(path) }.to_bytes();
        #[cfg(unix)]
        let path = {
            use std::os::unix::ffi::OsStrExt;
            Path::new(std::ffi::OsStr::from_bytes(bytes))
        };
        #[cfg(not(unix))]
        let path = Path::new(core::str::from_utf8(bytes).map_err(|_| Failure::Invalid("path is not UTF-8"))?);
        let reader = CaptureReader::open(path)?;
        Ok(Box::into_raw(Box::new(FlowlogCapture { reader, last_error: LastError::new() })))
    }))
    .unwrap_or(Err(Failure::Panic));
    match result {
        Ok(c) => {
            // SAFETY: checked by check_out.
            unsafe { put(out, c) };
            FlowlogStatus::Ok
        }
        Err(e) => {
            // SAFETY: caller's contract.
            unsafe { write_message(&e, err, err_len) };
            e.status()
        }
    }
}

/// Read the next frame into `*frame` and set `*has_frame` to true; at a clean end of file set
/// `*has_frame` to false (and leave `*frame` alone). Non-packet pcapng blocks are skipped. After
/// an error, every later call returns the same error; the message is in
/// `flowlog_capture_last_error`.
///
/// # Safety
/// `capture` from `flowlog_capture_open`; `frame` and `has_frame` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_capture_next(
    capture: *mut FlowlogCapture,
    frame: *mut FlowlogFrame,
    has_frame: *mut bool,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(c) = (unsafe { capture.as_mut() }) else { return FlowlogStatus::NullArg };
        c.last_error.clear();
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), Failure> {
            check_out(frame, "frame")?;
            check_out(has_frame, "has_frame")?;
            let next = c.reader.next_frame()?;
            // SAFETY: both checked above.
            unsafe {
                match next {
                    Some(f) => {
                        let (ts_ns, ts_kind) = match f.ts {
                            Timestamp::Ns(ns) => (ns, FlowlogTsKind::Ns),
                            Timestamp::Missing => (0, FlowlogTsKind::Missing),
                            Timestamp::OutOfRange => (0, FlowlogTsKind::OutOfRange),
                        };
                        put(
                            frame,
                            FlowlogFrame {
                                data: f.data.as_ptr(),
                                len: f.data.len(),
                                ts_ns,
                                ts_kind: ts_kind as u32,
                                link_type: f.link.0,
                                orig_len: f.orig_len,
                                interface: f.interface,
                            },
                        );
                        put(has_frame, true);
                    }
                    None => put(has_frame, false),
                }
            }
            Ok(())
        }))
        .unwrap_or(Err(Failure::Panic));
        match result {
            Ok(()) => FlowlogStatus::Ok,
            Err(e) => {
                c.last_error.set(&e);
                e.status()
            }
        }
    })
}

/// Bytes of the file consumed so far; 0 for NULL.
///
/// # Safety
/// `capture` NULL or from `flowlog_capture_open`.
#[no_mangle]
pub unsafe extern "C" fn flowlog_capture_offset(capture: *const FlowlogCapture) -> u64 {
    // SAFETY: caller's contract.
    boundary_or(0, || unsafe { capture.as_ref() }.map_or(0, |c| c.reader.offset()))
}

/// Close the file and free the handle. `NULL` is a no-op.
///
/// # Safety
/// `capture` NULL or from `flowlog_capture_open`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn flowlog_capture_free(capture: *mut FlowlogCapture) {
    boundary_or((), || {
        if !capture.is_null() {
            // SAFETY: created by Box::into_raw in flowlog_capture_open, freed once.
            drop(unsafe { Box::from_raw(capture) });
        }
    })
}

/// The message of the last failed call on this handle (see `flowlog_meter_last_error`).
///
/// # Safety
/// `capture` NULL or from `flowlog_capture_open`; `buf` writable for `len` bytes; `out_len` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_capture_last_error(
    capture: *const FlowlogCapture,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(c) = (unsafe { capture.as_ref() }) else { return FlowlogStatus::NullArg };
        if buf.is_null() && len > 0 {
            return FlowlogStatus::NullArg;
        }
        // SAFETY: caller's contract.
        unsafe { copy_message(c.last_error.as_bytes(), buf, len, out_len) };
        FlowlogStatus::Ok
    })
}
