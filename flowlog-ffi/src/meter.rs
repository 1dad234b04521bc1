//! `flowlog_meter`: the core `Meter` behind an opaque handle, its batch call and its no-loss
//! record hand-off.
//!
//! Records a call finishes go straight into the caller's `out` array. Those that do not fit wait
//! in the handle, in a buffer reserved at construction for `max_flows + 1` records (one packet
//! finishes at most `max_flows` records: a window rollover drains the whole table, after which the
//! packet cannot evict), and come out first at the next `process_batch`, `drain` or `flush` call.
//! A packet is only metered when nothing is waiting, so the buffer never grows and no record is
//! ever lost or reordered.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use flowlog_core::{Config, Frame, FrameSource, Meter, Outcome, Record};

use crate::error::{copy_message, write_message, Failure, FlowlogStatus, LastError};
use crate::panic::{boundary, boundary_or};
use crate::ptr::{check, check_out, put, slice};
use crate::types::{FlowlogConfig, FlowlogCounters, FlowlogPacket, FlowlogRecord, FlowlogSkip};

/// A meter: packets in, flow-log records out. Create with `flowlog_meter_new`, free with
/// `flowlog_meter_free`. Not thread-safe: use one meter from one thread at a time (moving it
/// between threads, as Go does with goroutines, is fine).
pub struct FlowlogMeter {
    meter: Meter,
    /// Records finished but not yet handed out: `pending[pending_pos..]`.
    pending: Vec<Record>,
    pending_pos: usize,
    last_error: LastError,
}

/// The caller's `out` array: written with `ptr::write` (it may be uninitialised memory).
struct OutRecords {
    ptr: *mut FlowlogRecord,
    cap: usize,
    len: usize,
}

impl OutRecords {
    fn new(ptr: *mut FlowlogRecord, cap: usize) -> Result<OutRecords, Failure> {
        if cap > 0 {
            check(ptr.cast_const(), cap, "out")?;
        }
        Ok(OutRecords { ptr, cap, len: 0 })
    }

    /// Records that still fit.
    #[inline]
    fn room(&self) -> usize {
        self.cap - self.len
    }

    /// Write `r` if there is room.
    #[inline]
    fn push(&mut self, r: &Record) -> bool {
        if self.len < self.cap {
            // SAFETY: len < cap and `ptr` is valid for `cap` records (checked by `new`, promised
            // by the caller).
            unsafe { self.ptr.add(self.len).write(FlowlogRecord::from(r)) };
            self.len += 1;
            true
        } else {
            false
        }
    }
}

impl FlowlogMeter {
    fn pending_len(&self) -> usize {
        self.pending.len() - self.pending_pos
    }

    /// Move waiting records into `out`, oldest first.
    fn drain_into(&mut self, out: &mut OutRecords) {
        while self.pending_pos < self.pending.len() && out.push(&self.pending[self.pending_pos]) {
            self.pending_pos += 1;
        }
        if self.pending_pos == self.pending.len() {
            self.pending.clear();
            self.pending_pos = 0;
        }
    }

    /// The batch call's loop: `process_packets`' result (without the skip reason), reached
    /// faster. The core's bounded batch meters every packet whose records are sure to fit in
    /// `out` (it alone knows which packet rolls the window over); a packet it stops before for
    /// lack of room goes alone through `process_packets`, its records waiting in `pending`, so
    /// that every call with nothing waiting makes progress. An invalid packet stops the call.
    fn process_batch(
        &mut self,
        buf: &[u8],
        packets: &[FlowlogPacket],
        out: &mut OutRecords,
    ) -> (usize, Result<(), Failure>) {
        let mut done = 0;
        while done < packets.len() && self.pending.is_empty() {
            let rest = PacketsInBuf { buf, packets: &packets[done..] };
            // Every record fits in `out`; `pending` is there for the contract's sake.
            done +=
                self.meter.process_frames_bounded(&rest, out.room(), &mut handoff(out, &mut self.pending));
            if done < packets.len() {
                let (n, _, result) = self.process_packets(buf, &packets[done..done + 1], out);
                if let Err(Failure::InvalidAt(what, _)) = result {
                    return (done, Err(Failure::InvalidAt(what, done)));
                }
                done += n;
            }
        }
        (done, Ok(()))
    }

    /// Meter `packets` over `buf` in order while no record waits; records go to `out` while it
    /// has room, then wait in `pending`. Stops at a packet that lies beyond `buf` or holds an
    /// invalid enum value (`Err` with its index). Returns how many were metered and the skip
    /// reason of the last one metered.
    ///
    /// The binding's only call of `Meter::process`, for the single-packet call (one packet) and
    /// the batch call alike: with one call site the compiler inlines the core's whole per-packet
    /// path into this loop, as it does for a Rust caller's loop.
    fn process_packets(
        &mut self,
        buf: &[u8],
        packets: &[FlowlogPacket],
        out: &mut OutRecords,
    ) -> (usize, FlowlogSkip, Result<(), Failure>) {
        let (meter, pending) = (&mut self.meter, &mut self.pending);
        let mut done = 0;
        let mut last = FlowlogSkip::None;
        while done < packets.len() && pending.is_empty() {
            let frame = match packets[done].frame(buf) {
                Ok(frame) => frame,
                Err(what) => return (done, last, Err(Failure::InvalidAt(what, done))),
            };
            last = match meter.process(&frame, &mut handoff(out, pending)) {
                Outcome::Metered => FlowlogSkip::None,
                Outcome::Skipped(skip) => skip.into(),
            };
            done += 1;
        }
        (done, last, Ok(()))
    }
}

/// The meter's sink for one call: records go to `out` while it has room, then wait in `pending`
/// (the no-loss hand-off of the module notes).
fn handoff<'a>(out: &'a mut OutRecords, pending: &'a mut Vec<Record>) -> impl FnMut(&Record) + 'a {
    move |r: &Record| {
        if !out.push(r) {
            pending.push(*r);
        }
    }
}

/// The batch call's packets as the core's bounded batch reads them: a packet that lies beyond
/// `buf` or holds an invalid enum value stops it.
struct PacketsInBuf<'a, 'p> {
    buf: &'a [u8],
    packets: &'p [FlowlogPacket],
}

impl<'a> FrameSource<'a> for PacketsInBuf<'a, '_> {
    #[inline]
    fn len(&self) -> usize {
        self.packets.len()
    }

    #[inline]
    fn frame(&self, i: usize) -> Option<Frame<'a>> {
        self.packets[i].frame(self.buf).ok()
    }
}

/// Run `f` on a meter handle: NULL check, last-error bookkeeping and the panic boundary.
fn with_meter(
    meter: *mut FlowlogMeter,
    f: impl FnOnce(&mut FlowlogMeter) -> Result<(), Failure>,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: a meter pointer comes from flowlog_meter_new (caller's contract).
        let Some(m) = (unsafe { meter.as_mut() }) else { return FlowlogStatus::NullArg };
        m.last_error.clear();
        let result = catch_unwind(AssertUnwindSafe(|| f(&mut *m))).unwrap_or(Err(Failure::Panic));
        match result {
            Ok(()) => FlowlogStatus::Ok,
            Err(e) => {
                m.last_error.set(&e);
                e.status()
            }
        }
    })
}

/// Fill `*config` with the defaults (600 s windows, 65536 flows, 4096 fragments, decap all, IP
/// accounting, default tunnel ports, random hash seed).
///
/// # Safety
/// `config` must be NULL or point to writable memory for a `flowlog_config`.
#[no_mangle]
pub unsafe extern "C" fn flowlog_config_default(config: *mut FlowlogConfig) -> FlowlogStatus {
    boundary(|| {
        if let Err(e) = check_out(config, "config") {
            return e.status();
        }
        // SAFETY: checked above; writable by the caller's contract.
        unsafe { put(config, FlowlogConfig::from(&Config::default())) };
        FlowlogStatus::Ok
    })
}

/// Create a meter, reserving all of its memory (session table, fragment table, pending records).
///
/// On success `*out` is the new meter (free it with `flowlog_meter_free`). On failure `*out` is
/// untouched and, when `err` is not NULL, a NUL-terminated message is written into `err` (at most
/// `err_len` bytes; `FLOWLOG_ERROR_MAX` always suffice).
///
/// Returns `FLOWLOG_STATUS_INVALID_CONFIG` for a bad field (the message names it),
/// `FLOWLOG_STATUS_NULL_ARG` when `config` or `out` is NULL.
///
/// # Safety
/// `config` must be NULL or a valid `flowlog_config`; `out` NULL or writable; `err` NULL or
/// writable for `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_new(
    config: *const FlowlogConfig,
    out: *mut *mut FlowlogMeter,
    err: *mut c_char,
    err_len: usize,
) -> FlowlogStatus {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<*mut FlowlogMeter, Failure> {
        check_out(out, "out")?;
        // SAFETY: a valid config or NULL (caller's contract).
        let config = unsafe { config.as_ref() }.ok_or(Failure::Null("config"))?.core()?;
        let meter = Meter::new(config)?;
        let pending = Vec::with_capacity(config.max_flows as usize + 1);
        Ok(Box::into_raw(Box::new(FlowlogMeter {
            meter,
            pending,
            pending_pos: 0,
            last_error: LastError::new(),
        })))
    }))
    .unwrap_or(Err(Failure::Panic));
    match result {
        Ok(meter) => {
            // SAFETY: checked by check_out.
            unsafe { put(out, meter) };
            FlowlogStatus::Ok
        }
        Err(e) => {
            // SAFETY: caller's contract on err/err_len.
            unsafe { write_message(&e, err, err_len) };
            e.status()
        }
    }
}

/// Free a meter and everything it holds. `NULL` is a no-op. The pointer is invalid afterwards.
///
/// # Safety
/// `meter` must be NULL or a meter from `flowlog_meter_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_free(meter: *mut FlowlogMeter) {
    boundary_or((), || {
        if !meter.is_null() {
            // SAFETY: created by Box::into_raw in flowlog_meter_new, freed once (caller's contract).
            drop(unsafe { Box::from_raw(meter) });
        }
    })
}

/// Meter one packet: `packet` describes bytes inside `data` (`packet->offset`, `packet->len`).
///
/// `*skip` (optional, may be NULL) gets `FLOWLOG_SKIP_NONE` when the packet was metered, else why
/// not; a skipped packet is not an error (it is counted). Records this packet finishes (a window
/// rollover, an eviction) wait in the meter: `flowlog_meter_pending` tells how many and
/// `flowlog_meter_drain` hands them out. While any wait, this call refuses to meter another
/// packet and returns `FLOWLOG_STATUS_RECORDS_PENDING` (nothing else changes), so none is lost.
///
/// Errors: `NULL_ARG` (`data` NULL with `data_len` > 0, `packet` NULL), `INVALID_ARG` (the packet
/// lies beyond `data`, or an enum field holds no valid value), `RECORDS_PENDING`.
///
/// # Safety
/// `meter` from `flowlog_meter_new`; `data` valid for `data_len` bytes; `packet` a valid
/// `flowlog_packet`; `skip` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_process(
    meter: *mut FlowlogMeter,
    data: *const u8,
    data_len: usize,
    packet: *const FlowlogPacket,
    skip: *mut FlowlogSkip,
) -> FlowlogStatus {
    with_meter(meter, |m| {
        if !skip.is_null() {
            check_out(skip, "skip")?;
        }
        // SAFETY: caller's contract on data/data_len and packet.
        let data = unsafe { slice(data, data_len, "data") }?;
        let packet = unsafe { packet.as_ref() }.ok_or(Failure::Null("packet"))?;
        if m.pending_len() > 0 {
            return Err(Failure::Pending(m.pending_len()));
        }
        let mut none = OutRecords { ptr: core::ptr::null_mut(), cap: 0, len: 0 };
        let (_, s, result) = m.process_packets(data, core::slice::from_ref(packet), &mut none);
        if let Err(Failure::InvalidAt(what, _)) = result {
            return Err(Failure::Invalid(what));
        }
        result?;
        // SAFETY: checked above when non-NULL.
        unsafe { put(skip, s) };
        Ok(())
    })
}

/// Meter `n` packets, each a `flowlog_packet` describing bytes inside `buf` (no packet is
/// copied), and hand out the records they finish in `out` (room for `out_cap`), oldest first.
///
/// Records waiting from an earlier call come out first. Then packets are metered in order while
/// nothing waits; when `out` fills, the records that do not fit wait in the meter and the call
/// stops after the packet that finished them. On return `*packets_done` says how many of the `n`
/// packets were metered (call again with `packets + *packets_done`), `*records_len` how many
/// records were written to `out`. No record is ever lost: with `out_cap` >= 1 every call makes
/// progress, and `flowlog_meter_drain` or `flowlog_meter_flush` hand out what still waits.
///
/// A packet that lies beyond `buf` or holds an invalid enum value stops the call with
/// `FLOWLOG_STATUS_INVALID_ARG` (the last error names its index); the packets before it were
/// metered and `*packets_done`/`*records_len` are written in this case too. Never allocates.
///
/// # Safety
/// `meter` from `flowlog_meter_new`; `buf` valid for `buf_len` bytes; `packets` for `n` packets;
/// `out` writable for `out_cap` records; `packets_done` and `records_len` writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn flowlog_meter_process_batch(
    meter: *mut FlowlogMeter,
    buf: *const u8,
    buf_len: usize,
    packets: *const FlowlogPacket,
    n: usize,
    out: *mut FlowlogRecord,
    out_cap: usize,
    packets_done: *mut usize,
    records_len: *mut usize,
) -> FlowlogStatus {
    with_meter(meter, |m| {
        check_out(packets_done, "packets_done")?;
        check_out(records_len, "records_len")?;
        // SAFETY: caller's contract on every pointer/length pair.
        let buf = unsafe { slice(buf, buf_len, "buf") }?;
        let packets = unsafe { slice(packets, n, "packets") }?;
        let mut out = OutRecords::new(out, out_cap)?;
        m.drain_into(&mut out);
        let (done, result) = m.process_batch(buf, packets, &mut out);
        // SAFETY: checked above.
        unsafe {
            put(packets_done, done);
            put(records_len, out.len);
        }
        result
    })
}

/// Hand out records waiting in the meter (see `flowlog_meter_process`), oldest first, up to
/// `out_cap`; `*records_len` gets how many were written.
///
/// # Safety
/// `meter` from `flowlog_meter_new`; `out` writable for `out_cap` records; `records_len` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_drain(
    meter: *mut FlowlogMeter,
    out: *mut FlowlogRecord,
    out_cap: usize,
    records_len: *mut usize,
) -> FlowlogStatus {
    with_meter(meter, |m| {
        check_out(records_len, "records_len")?;
        let mut out = OutRecords::new(out, out_cap)?;
        m.drain_into(&mut out);
        // SAFETY: checked above.
        unsafe { put(records_len, out.len) };
        Ok(())
    })
}

/// End of input: hand out every flow still in the meter (end reason `FLOWLOG_END_REASON_FLUSH`),
/// after any records already waiting, up to `out_cap`; the rest wait in the meter. Call it until
/// `*records_len < out_cap` (then nothing waits). The meter stays usable.
///
/// # Safety
/// `meter` from `flowlog_meter_new`; `out` writable for `out_cap` records; `records_len` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_flush(
    meter: *mut FlowlogMeter,
    out: *mut FlowlogRecord,
    out_cap: usize,
    records_len: *mut usize,
) -> FlowlogStatus {
    with_meter(meter, |m| {
        check_out(records_len, "records_len")?;
        let mut out = OutRecords::new(out, out_cap)?;
        m.drain_into(&mut out);
        if m.pending_len() == 0 {
            m.meter.flush(&mut handoff(&mut out, &mut m.pending));
        }
        // SAFETY: checked above.
        unsafe { put(records_len, out.len) };
        Ok(())
    })
}

/// Records waiting in the meter; 0 for NULL.
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_pending(meter: *const FlowlogMeter) -> usize {
    // SAFETY: caller's contract.
    boundary_or(0, || unsafe { meter.as_ref() }.map_or(0, |m| m.pending_len()))
}

/// Flows in the session table now; 0 for NULL.
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_active_flows(meter: *const FlowlogMeter) -> u32 {
    // SAFETY: caller's contract.
    boundary_or(0, || unsafe { meter.as_ref() }.map_or(0, |m| m.meter.active_flows()))
}

/// Start of the capture window being filled, in ns since the Unix epoch (a multiple of the
/// window length), into `*start_ns`; returns true. Returns false, leaving `*start_ns` untouched,
/// before the first packet, or when `meter` or `start_ns` is NULL. A packet at or after the
/// window's end (start + `window_secs`) closes it.
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`; `start_ns` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_window_start(meter: *const FlowlogMeter, start_ns: *mut u64) -> bool {
    boundary_or(false, || {
        // SAFETY: caller's contract.
        let start = unsafe { meter.as_ref() }.and_then(|m| m.meter.window_start_ns());
        match start {
            Some(ns) if check_out(start_ns, "start_ns").is_ok() => {
                // SAFETY: checked non-NULL and aligned above; writable by the caller's contract.
                unsafe { put(start_ns, ns) };
                true
            }
            _ => false,
        }
    })
}

/// Heap bytes the meter holds (tables and the pending-record buffer); 0 for NULL.
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_heap_bytes(meter: *const FlowlogMeter) -> usize {
    boundary_or(0, || {
        // SAFETY: caller's contract.
        unsafe { meter.as_ref() }
            .map_or(0, |m| m.meter.heap_bytes() + m.pending.capacity() * core::mem::size_of::<Record>())
    })
}

/// Copy the meter's counters into `*out`.
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_counters(
    meter: *const FlowlogMeter,
    out: *mut FlowlogCounters,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(m) = (unsafe { meter.as_ref() }) else { return FlowlogStatus::NullArg };
        if let Err(e) = check_out(out, "out") {
            return e.status();
        }
        // SAFETY: checked above.
        unsafe { put(out, FlowlogCounters::from(m.meter.counters())) };
        FlowlogStatus::Ok
    })
}

/// The message of the last call on this meter that failed, as a NUL-terminated string in `buf`
/// (cut to `len` bytes; `FLOWLOG_ERROR_MAX` always suffice); empty when the last call succeeded.
/// `*out_len` (optional) gets its length without the NUL. Kept in the handle, not in the thread:
/// safe when the caller moves between threads (Go).
///
/// # Safety
/// `meter` NULL or from `flowlog_meter_new`; `buf` writable for `len` bytes; `out_len` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_meter_last_error(
    meter: *const FlowlogMeter,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        // SAFETY: caller's contract.
        let Some(m) = (unsafe { meter.as_ref() }) else { return FlowlogStatus::NullArg };
        if buf.is_null() && len > 0 {
            return FlowlogStatus::NullArg;
        }
        // SAFETY: caller's contract.
        unsafe { copy_message(m.last_error.as_bytes(), buf, len, out_len) };
        FlowlogStatus::Ok
    })
}
