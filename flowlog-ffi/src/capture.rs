//! Capture files: `flowlog_read_pcap`, the records of a capture file metered through a meter
//! of their own (`read_pcap` of every binding), and `flowlog_capture`, the packets of a capture
//! file, not metered (the core's pcap/pcapng reader behind an opaque handle).

use std::collections::VecDeque;
use std::ffi::{c_char, CStr};
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use flowlog_core::capture::{CaptureError, CaptureReader, MeteredCapture, Part};
use flowlog_core::{Meter, Record, Timestamp};

use crate::error::{copy_message, write_message, Failure, FlowlogStatus, LastError};
use crate::panic::{boundary, boundary_or};
use crate::ptr::{check, check_out, put};
use crate::types::{FlowlogConfig, FlowlogCounters, FlowlogRecord, FlowlogTsKind};

/// Packets metered at a time when no record waits to be handed out.
const PCAP_RECORDS_CHUNK: usize = 4096;

/// The records of a capture file, metered through a meter of their own. Create with
/// `flowlog_read_pcap`, take the records with `flowlog_pcap_records_next`, free with
/// `flowlog_pcap_records_free`. One thread at a time.
pub struct FlowlogPcapRecords {
    /// `None` once the file has ended or failed (and the meter was flushed).
    capture: Option<MeteredCapture<File>>,
    meter: Meter,
    /// Records metered and not yet handed out.
    pending: VecDeque<Record>,
    /// The file's damage, reported once every record before it is handed out.
    damage: Option<CaptureError>,
    last_error: LastError,
}

impl FlowlogPcapRecords {
    /// Hand out up to `cap` records, the `i`-th through `write(i, record)`, metering more of the
    /// file as needed; how many. 0 only at the end, or on damage once every record before it is
    /// out.
    fn next(&mut self, cap: usize, mut write: impl FnMut(usize, FlowlogRecord)) -> Result<usize, Failure> {
        let mut n = 0;
        while n < cap {
            if let Some(r) = self.pending.pop_front() {
                write(n, FlowlogRecord::from(&r));
                n += 1;
                continue;
            }
            let Some(capture) = self.capture.as_mut() else { break };
            let pending = &mut self.pending;
            let mut sink = |r: &Record| pending.push_back(*r);
            // At the end or the damage the meter is flushed: the records of every packet before the
            // damage come out first (SPEC §6).
            if let Part::Ended(result) = capture.meter_part(&mut self.meter, &mut sink, PCAP_RECORDS_CHUNK) {
                self.damage = result.err();
                self.capture = None;
            }
        }
        match self.damage {
            Some(e) if n == 0 => Err(e.into()),
            _ => Ok(n),
        }
    }
}

/// The path argument of a capture function.
///
/// # Safety
/// `path` NULL or a NUL-terminated string that outlives the result.
unsafe fn path_arg<'a>(path: *const c_char) -> Result<&'a Path, Failure> {
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
    Ok(path)
}

/// Open a pcap or pcapng file (recognised by its magic number) to meter it through a meter of
/// its own, configured by `config`: `read_pcap` of every binding. Each interface of the file is
/// its own observation point. The file is read with `read()`, never memory-mapped, so a file
/// another process truncates while it is read gives `FLOWLOG_STATUS_CAPTURE_TRUNCATED` or a
/// clean end, never `SIGBUS`.
///
/// On success `*out` is the handle. On failure `*out` is untouched and, when `err` is not NULL, a
/// NUL-terminated message goes into `err`: `FLOWLOG_STATUS_INVALID_CONFIG`, `FLOWLOG_STATUS_IO`
/// (cannot open or read), `CAPTURE_UNSUPPORTED`, `CAPTURE_TRUNCATED`, `CAPTURE_MALFORMED`,
/// `NULL_ARG`.
///
/// # Safety
/// `path` NULL or a NUL-terminated string; `config` NULL or valid; `out` NULL or writable; `err`
/// NULL or writable for `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flowlog_read_pcap(
    path: *const c_char,
    config: *const FlowlogConfig,
    out: *mut *mut FlowlogPcapRecords,
    err: *mut c_char,
    err_len: usize,
) -> FlowlogStatus {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<*mut FlowlogPcapRecords, Failure> {
        check_out(out, "out")?;
        // SAFETY: a valid config or NULL (caller's contract).
        let config = unsafe { config.as_ref() }.ok_or(Failure::Null("config"))?.core()?;
        let meter = Meter::new(config)?;
        // SAFETY: caller's contract.
        let reader = CaptureReader::open(unsafe { path_arg(path) }?)?;
        Ok(Box::into_raw(Box::new(FlowlogPcapRecords {
            capture: Some(MeteredCapture::new(reader)),
            meter,
            pending: VecDeque::new(),
            damage: None,
            last_error: LastError::new(),
        })))
    }))
    .unwrap_or(Err(Failure::Panic));
    match result {
        Ok(r) => {
            // SAFETY: checked by check_out.
            unsafe { put(out, r) };
            FlowlogStatus::Ok
        }
        Err(e) => {
            // SAFETY: caller's contract.
            unsafe { write_message(&e, err, err_len) };
            e.status()
        }
    }
}

/// Write the next records of the file, oldest first, into `out` (room for `cap` records, `cap`
/// at least 1) and their number into `*written`; the file is metered as far as needed, and
/// flushed at its end. `*written` is 0 only at the end: every record has been handed out.
///
/// A damaged file (SPEC §6): first every record of the packets before the damage, then
/// `FLOWLOG_STATUS_CAPTURE_TRUNCATED` (or `_MALFORMED`, `_UNSUPPORTED`, `_IO`) with `*written` 0
/// and the message, naming the byte offset, in `flowlog_pcap_records_last_error`; every later
/// call returns the same status.
///
/// # Safety
/// `records` from `flowlog_read_pcap`; `out` writable for `cap` records; `written` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_pcap_records_next(
    records: *mut FlowlogPcapRecords,
    out: *mut FlowlogRecord,
    cap: usize,
    written: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(r) = (unsafe { records.as_mut() }) else { return FlowlogStatus::NullArg };
        r.last_error.clear();
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), Failure> {
            check_out(written, "written")?;
            if cap == 0 {
                return Err(Failure::Invalid("cap must be at least 1"));
            }
            check(out.cast_const(), cap, "out")?;
            // SAFETY: i < cap, and `out` is aligned (checked above) and writable for `cap` records
            // (the caller's contract); `write` because it may be uninitialised memory.
            let n = r.next(cap, |i, record| unsafe { out.add(i).write(record) })?;
            // SAFETY: checked above.
            unsafe { put(written, n) };
            Ok(())
        }))
        .unwrap_or(Err(Failure::Panic));
        match result {
            Ok(()) => FlowlogStatus::Ok,
            Err(e) => {
                if !written.is_null() {
                    // SAFETY: caller's contract (writable when not NULL).
                    unsafe { put(written, 0) };
                }
                r.last_error.set(&e);
                e.status()
            }
        }
    })
}

/// The counters of the meter the file goes through, so far.
///
/// # Safety
/// `records` from `flowlog_read_pcap`; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_pcap_records_counters(
    records: *const FlowlogPcapRecords,
    out: *mut FlowlogCounters,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(r) = (unsafe { records.as_ref() }) else { return FlowlogStatus::NullArg };
        if let Err(e) = check_out(out, "out") {
            return e.status();
        }
        // SAFETY: checked above.
        unsafe { put(out, FlowlogCounters::from(r.meter.counters())) };
        FlowlogStatus::Ok
    })
}

/// The message of the last failed call on this handle (see `flowlog_meter_last_error`).
///
/// # Safety
/// `records` NULL or from `flowlog_read_pcap`; `buf` writable for `len` bytes; `out_len` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_pcap_records_last_error(
    records: *const FlowlogPcapRecords,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(r) = (unsafe { records.as_ref() }) else { return FlowlogStatus::NullArg };
        if buf.is_null() && len > 0 {
            return FlowlogStatus::NullArg;
        }
        // SAFETY: caller's contract.
        unsafe { copy_message(r.last_error.as_bytes(), buf, len, out_len) };
        FlowlogStatus::Ok
    })
}

/// Close the file and free the handle and its meter. `NULL` is a no-op.
///
/// # Safety
/// `records` NULL or from `flowlog_read_pcap`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn flowlog_pcap_records_free(records: *mut FlowlogPcapRecords) {
    boundary_or((), || {
        if !records.is_null() {
            // SAFETY: created by Box::into_raw in flowlog_read_pcap, freed once.
            drop(unsafe { Box::from_raw(records) });
        }
    })
}

/// The packets of a capture file, not metered. Create with `flowlog_capture_open`, free with
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
        // SAFETY: caller's contract.
        let path = unsafe { path_arg(path) }?;
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
