//! Status codes and error messages: the ONE place where core errors become C statuses.
//!
//! `flowlog_status` numbers 1–6 are the core's [`ErrorKind`] numbers exactly; the binding's own
//! conditions (a NULL pointer, a caught panic, a bad argument) live in a separate block from 100.
//! Numbers are never reused.

use core::fmt::{self, Write as _};
use std::ffi::c_char;

use flowlog_core::{Error, ErrorKind};

use crate::panic::{boundary_or, PanicOrDefault};

/// The result of every fallible `flowlog_*` function. 0 is success.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogStatus {
    /// Success.
    Ok = 0,
    /// A configuration field was rejected (the message names the field). Core kind 1.
    InvalidConfig = 1,
    /// An output buffer is too small; the size out-parameter holds the bytes needed. Core kind 2.
    BufferTooSmall = 2,
    /// A capture file ends inside a header, block or packet. Core kind 3.
    CaptureTruncated = 3,
    /// A capture file has impossible contents. Core kind 4.
    CaptureMalformed = 4,
    /// A capture file is neither pcap nor pcapng, or of an unknown version. Core kind 5.
    CaptureUnsupported = 5,
    /// The operating system refused to open or read a file. Core kind 6.
    Io = 6,
    /// A required pointer argument was NULL (binding only).
    NullArg = 100,
    /// flowlog panicked; the call was abandoned (binding only). Please report it as a bug.
    Panic = 101,
    /// An argument is out of range: an unknown enum value, a packet beyond its buffer (binding only).
    InvalidArg = 102,
    /// `flowlog_meter_process` was called while records of an earlier call were still waiting in
    /// the meter: take them with `flowlog_meter_drain` first (binding only).
    RecordsPending = 103,
}

impl From<ErrorKind> for FlowlogStatus {
    fn from(kind: ErrorKind) -> FlowlogStatus {
        // No `_` arm: a new core kind must be mapped here before this compiles.
        match kind {
            ErrorKind::InvalidConfig => FlowlogStatus::InvalidConfig,
            ErrorKind::BufferTooSmall => FlowlogStatus::BufferTooSmall,
            ErrorKind::CaptureTruncated => FlowlogStatus::CaptureTruncated,
            ErrorKind::CaptureMalformed => FlowlogStatus::CaptureMalformed,
            ErrorKind::CaptureUnsupported => FlowlogStatus::CaptureUnsupported,
            ErrorKind::Io => FlowlogStatus::Io,
        }
    }
}

impl PanicOrDefault for FlowlogStatus {
    fn panic_value() -> FlowlogStatus {
        FlowlogStatus::Panic
    }
}

impl FlowlogStatus {
    /// The status with this number, if any.
    pub fn from_code(code: u32) -> Option<FlowlogStatus> {
        const ALL: [FlowlogStatus; 11] = [
            FlowlogStatus::Ok,
            FlowlogStatus::InvalidConfig,
            FlowlogStatus::BufferTooSmall,
            FlowlogStatus::CaptureTruncated,
            FlowlogStatus::CaptureMalformed,
            FlowlogStatus::CaptureUnsupported,
            FlowlogStatus::Io,
            FlowlogStatus::NullArg,
            FlowlogStatus::Panic,
            FlowlogStatus::InvalidArg,
            FlowlogStatus::RecordsPending,
        ];
        ALL.into_iter().find(|s| *s as u32 == code)
    }

    /// The name as a NUL-terminated string: the core kind's name for 1–6.
    fn c_name(self) -> &'static [u8] {
        match self {
            FlowlogStatus::Ok => b"ok\0",
            FlowlogStatus::InvalidConfig => b"invalid_config\0",
            FlowlogStatus::BufferTooSmall => b"buffer_too_small\0",
            FlowlogStatus::CaptureTruncated => b"capture_truncated\0",
            FlowlogStatus::CaptureMalformed => b"capture_malformed\0",
            FlowlogStatus::CaptureUnsupported => b"capture_unsupported\0",
            FlowlogStatus::Io => b"io\0",
            FlowlogStatus::NullArg => b"null_arg\0",
            FlowlogStatus::Panic => b"panic\0",
            FlowlogStatus::InvalidArg => b"invalid_arg\0",
            FlowlogStatus::RecordsPending => b"records_pending\0",
        }
    }
}

/// Why a call failed: a core error or one of the binding's own conditions. `Copy`, no heap; its
/// `Display` is the message the handle keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// The core said no.
    Core(Error),
    /// This parameter was NULL.
    Null(&'static str),
    /// This parameter (or field) is out of range.
    Invalid(&'static str),
    /// Element `index` of an array parameter is out of range, for this reason.
    InvalidAt(&'static str, usize),
    /// This many records still wait in the meter.
    Pending(usize),
    /// A panic was caught.
    Panic,
}

impl Failure {
    pub(crate) fn status(&self) -> FlowlogStatus {
        match self {
            Failure::Core(e) => e.kind().into(),
            Failure::Null(_) => FlowlogStatus::NullArg,
            Failure::Invalid(_) | Failure::InvalidAt(..) => FlowlogStatus::InvalidArg,
            Failure::Pending(_) => FlowlogStatus::RecordsPending,
            Failure::Panic => FlowlogStatus::Panic,
        }
    }
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::Core(e.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Core(e) => write!(f, "{e}"),
            Failure::Null(name) => write!(f, "argument '{name}' is NULL"),
            Failure::Invalid(what) => write!(f, "invalid argument: {what}"),
            Failure::InvalidAt(what, i) => write!(f, "invalid argument: element {i}: {what}"),
            Failure::Pending(n) => {
                write!(f, "{n} records from an earlier call are pending: call flowlog_meter_drain first")
            }
            Failure::Panic => {
                f.write_str("flowlog panicked (a bug: please report it); the call was abandoned")
            }
        }
    }
}

/// The longest message a handle keeps, NUL included; longer messages are cut at a character
/// boundary. A buffer of this size always receives a whole message.
pub const FLOWLOG_ERROR_MAX: usize = 256;

/// A handle's last error message, in a fixed buffer (no heap, even on the error path).
pub(crate) struct LastError {
    buf: [u8; FLOWLOG_ERROR_MAX],
    len: usize,
}

impl LastError {
    pub(crate) const fn new() -> LastError {
        LastError { buf: [0; FLOWLOG_ERROR_MAX], len: 0 }
    }

    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    pub(crate) fn set(&mut self, msg: &dyn fmt::Display) {
        let mut w = Truncating { buf: &mut self.buf[..FLOWLOG_ERROR_MAX - 1], len: 0 };
        let _ = write!(w, "{msg}");
        self.len = w.len;
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// A `fmt::Write` into a fixed slice that drops what does not fit, at a character boundary.
struct Truncating<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl fmt::Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Copy `msg` into a caller buffer as a NUL-terminated string, cut to fit (at a character
/// boundary); `*out_len` (if not NULL) gets the bytes written, NUL excluded. Nothing is written
/// when `buf` is NULL or `len` is 0.
///
/// # Safety
/// `buf` must be NULL or valid for `len` bytes; `out_len` NULL or valid.
pub(crate) unsafe fn copy_message(msg: &[u8], buf: *mut c_char, len: usize, out_len: *mut usize) {
    let mut n = 0;
    if !buf.is_null() && len > 0 {
        n = msg.len().min(len - 1);
        // Messages are built from Display output: valid UTF-8; keep the cut on a char boundary.
        if let Ok(s) = core::str::from_utf8(msg) {
            while !s.is_char_boundary(n) {
                n -= 1;
            }
        }
        // SAFETY: the caller guarantees `buf` holds `len` bytes and n < len.
        unsafe {
            core::ptr::copy_nonoverlapping(msg.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    }
    if !out_len.is_null() {
        // SAFETY: checked non-NULL; the caller guarantees it is valid.
        unsafe { *out_len = n };
    }
}

/// Write a message (a [`Failure`], ...) into an optional caller error buffer, cut to
/// `FLOWLOG_ERROR_MAX` like a handle's (handle-less calls: constructors, the custom AWS field list
/// calls).
///
/// # Safety
/// As [`copy_message`].
pub(crate) unsafe fn write_message(msg: &dyn fmt::Display, err: *mut c_char, err_len: usize) {
    if err.is_null() || err_len == 0 {
        return;
    }
    let mut last = LastError::new();
    last.set(msg);
    // SAFETY: forwarded from the caller.
    unsafe { copy_message(last.as_bytes(), err, err_len, core::ptr::null_mut()) };
}

/// The name of a status as a static NUL-terminated string (`"invalid_config"`, `"null_arg"`; the
/// names of 1–6 are the core's error-kind names); `"unknown"` for a number that is no status.
/// Never NULL; never free it.
#[no_mangle]
pub extern "C" fn flowlog_status_str(status: u32) -> *const c_char {
    boundary_or(c"unknown".as_ptr(), || match FlowlogStatus::from_code(status) {
        Some(s) => s.c_name().as_ptr().cast(),
        None => c"unknown".as_ptr(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_numbers_equal_the_core_error_kind_numbers() {
        for kind in ErrorKind::ALL {
            let status = FlowlogStatus::from(kind);
            assert_eq!(status as u32, kind.code());
            let name = status.c_name();
            assert_eq!(&name[..name.len() - 1], kind.as_str().as_bytes());
        }
    }

    #[test]
    fn a_long_message_is_cut_at_a_character_boundary() {
        let mut e = LastError::new();
        let long = "é".repeat(FLOWLOG_ERROR_MAX);
        e.set(&long);
        assert!(e.as_bytes().len() < FLOWLOG_ERROR_MAX);
        assert!(core::str::from_utf8(e.as_bytes()).is_ok());
    }
}
