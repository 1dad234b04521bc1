//! The meter: the only module that sees the whole pipeline (parse → key → table → window → record).
//!
//! # How a packet is metered
//!
//! In two steps. **Prepare**: the timestamp resolved and placed in its window by the clock, the
//! packet parsed (`Parser::packet`: its flow key and what it adds to its flow), its bytes counted
//! by the configured accounting, its key hashed. **Commit**: a window rollover when the packet
//! opens a new window, the table's upsert, the flow's stats; the table changes strictly in frame
//! order. [`Meter::process`] does both at once. [`Meter::process_batch`] runs them as a pipeline,
//! so that memory for later frames loads while the current one commits:
//!
//! ```text
//!   frame i + LOOKAHEAD + FRAME_AHEAD   load the frame's first cache line
//!   frame i + LOOKAHEAD                 prepare it; start loading its index bucket
//!   frame i + SLOT_AHEAD                read its index bucket; start loading its slot (a hint)
//!   frame i                             commit it
//! ```
//!
//! Preparing reads and changes only the clock and the fragment table (in frame order too), never
//! the flow table or the counters, so preparing ahead cannot change a record: `process_batch` gives
//! exactly the records and counters that `process` gives frame by frame (`tests/process_batch.rs`
//! and the `meter_process` fuzz target hold them equal). The clock runs ahead of the commits in a
//! batch; [`Meter::window_start_ns`] is the window of the packets committed so far.
//!
//! Most packets need nothing at commit but the table: everything rarer (a skip, a window that
//! opens, a late packet, a bad timestamp, notes for the counters) is flagged at prepare time in a
//! `Rare` bit set and handled out of line.

use crate::config::{Config, ConfigError};
use crate::counters::Counters;
use crate::frame::Frame;
use crate::key::FlowKey;
use crate::mem::prefetch_at;
use crate::parse::{Notes, PacketStats, Parser, Skip};
use crate::protocol::tcp_flags;
use crate::record::{EndReason, LogStatus, Record};
use crate::table::{FlowStats, FlowTable, Upsert, FLAG_HAS_ICMP, FLAG_SYN_ACK, TCP_FLAGS_MASK};
use crate::window::{Timestamp, WindowClock};

pub mod batch;

/// Where finished records go. Called synchronously from [`Meter::process`] and [`Meter::flush`];
/// the record is borrowed for the call only.
pub trait Sink {
    /// Receive one finished record.
    fn record(&mut self, record: &Record);
}

impl<F: FnMut(&Record)> Sink for F {
    #[inline]
    fn record(&mut self, record: &Record) {
        self(record)
    }
}

/// What metering did with a packet: every packet is either metered or skipped for a reason, and
/// counted either way (a skip is not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The packet updated a flow.
    Metered,
    /// The packet was not metered, for this reason (counted under it).
    Skipped(Skip),
}

impl Outcome {
    /// Whether the packet updated a flow.
    #[inline]
    pub fn is_metered(self) -> bool {
        self == Outcome::Metered
    }

    /// The skip reason, if the packet was not metered.
    #[inline]
    pub fn skip(self) -> Option<Skip> {
        match self {
            Outcome::Metered => None,
            Outcome::Skipped(skip) => Some(skip),
        }
    }
}

/// Turns packets into flow-log records. All memory is reserved by [`Meter::new`]; `process` and
/// `flush` never allocate.
///
/// ```
/// use flowlog_core::{Config, Frame, LinkType, Meter, Outcome, Record};
///
/// let mut meter = Meter::new(Config { window_secs: 60, ..Config::default() }).unwrap();
/// let mut records: Vec<Record> = Vec::new();
/// let mut sink = |r: &Record| records.push(*r);
/// // A 20-byte IPv4 header with no payload, protocol 253, on a raw-IP link.
/// let pkt = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
/// let outcome = meter.process(&Frame::new(1_700_000_000_000_000_000, LinkType::RAW, &pkt), &mut sink);
/// assert_eq!(outcome, Outcome::Metered);
/// meter.flush(&mut sink);
/// assert_eq!(records.len(), 1);
/// assert_eq!((records[0].packets, records[0].bytes), (1, 20));
/// assert!(meter.counters().is_conserved());
/// ```
pub struct Meter {
    config: Config,
    /// The parser, with its fragment table.
    parser: Parser,
    table: FlowTable,
    /// Advanced as packets are prepared: in a batch, up to [`LOOKAHEAD`] packets ahead of the ones
    /// committed (SPEC §4: its only inputs are the timestamps, in frame order).
    clock: WindowClock,
    /// Start of the window of the packets committed so far, in ns. The clock's own start may be
    /// ahead of it within a batch.
    committed_window_start_ns: Option<u64>,
    counters: Counters,
}

impl Meter {
    /// Build a meter, reserving the session table and the fragment table.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first invalid field.
    pub fn new(config: Config) -> Result<Meter, ConfigError> {
        config.validate()?;
        let seed = config.hash_seed.unwrap_or_else(random_seed);
        Ok(Meter {
            parser: Parser::new(&config),
            table: FlowTable::new(config.max_flows, seed),
            clock: WindowClock::new(config.window_secs),
            committed_window_start_ns: None,
            counters: Counters::default(),
            config,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The counters so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Flows in the table now.
    pub fn active_flows(&self) -> u32 {
        self.table.len()
    }

    /// Start of the capture window being filled, in ns since the Unix epoch (a multiple of the
    /// window length); `None` before the first packet. A packet at or after its end, this plus
    /// `window_secs`, closes it (SPEC §4).
    pub fn window_start_ns(&self) -> Option<u64> {
        self.committed_window_start_ns
    }

    /// Heap bytes the meter holds (session table, index and fragment table).
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes() + self.parser.heap_bytes()
    }

    /// Meter one packet. Records that this packet finishes (a window rollover, an eviction) go to
    /// `sink` before it returns. Never allocates.
    #[inline]
    pub fn process<S: Sink + ?Sized>(&mut self, frame: &Frame<'_>, sink: &mut S) -> Outcome {
        // Prepare and commit at once.
        let mut p = Prepared::EMPTY;
        self.prepare(frame, &mut p);
        self.counters.packets_in += 1;
        let outcome = self.commit(&p, NO_SLOT_HINT, sink);
        self.counters.metered += outcome.is_metered() as u64;
        outcome
    }

    /// Meter a batch of packets: exactly the records (same order, same points in the sequence)
    /// and the counters that calling [`Meter::process`] on each frame in turn would give, but
    /// faster on large tables and on frames that lie apart in memory (the pipeline of the module's
    /// guide). Never allocates.
    ///
    /// Returns how many frames were not metered (each counted under its [`Skip`] reason in
    /// [`Meter::counters`], as `process` would).
    pub fn process_batch<S: Sink + ?Sized>(&mut self, frames: &[Frame<'_>], sink: &mut S) -> usize {
        let mut ring = [Prepared::EMPTY; RING];
        let n = frames.len();
        let mut skipped = 0usize;
        for (j, frame) in frames.iter().enumerate().take(LOOKAHEAD) {
            self.prepare_ahead(frame, &mut ring[j % RING]);
        }
        // While frames remain beyond the look-ahead and the frame loads ahead of it, every stage
        // runs: no per-frame tests of how far the batch goes.
        let later = frames.get(LOOKAHEAD..).unwrap_or(&[]);
        let far = frames.get(LOOKAHEAD + FRAME_AHEAD..).unwrap_or(&[]);
        for (i, (ahead, to_load)) in later.iter().zip(far).enumerate() {
            prefetch_at(to_load.data, 0, 0);
            let stages = Stages { prepare: Some(ahead), prefetch_slot: true };
            skipped += !self.pipeline_step(i, stages, &mut ring, sink).is_metered() as usize;
        }
        skipped += self.drain_pipeline(frames, far.len(), &mut ring, sink);
        debug_assert_eq!(self.committed_window_start_ns, self.clock.current_start_ns());
        // Counted once here: the sink cannot see the counters while the batch runs.
        self.counters.packets_in += n as u64;
        self.counters.metered += (n - skipped) as u64;
        skipped
    }

    /// The last frames of [`Meter::process_batch`], from frame `from` on: the pipeline drains,
    /// each stage running while it has a frame. Out of line: a batch spends only its last
    /// `LOOKAHEAD + FRAME_AHEAD` frames here, and its main loop stays free of the tests.
    #[inline(never)]
    fn drain_pipeline<S: Sink + ?Sized>(
        &mut self,
        frames: &[Frame<'_>],
        from: usize,
        ring: &mut [Prepared; RING],
        sink: &mut S,
    ) -> usize {
        let n = frames.len();
        let mut skipped = 0usize;
        for i in from..n {
            let stages = Stages { prepare: frames.get(i + LOOKAHEAD), prefetch_slot: i + SLOT_AHEAD < n };
            skipped += !self.pipeline_step(i, stages, ring, sink).is_metered() as usize;
        }
        skipped
    }

    /// One step of [`Meter::process_batch`]'s pipeline: the look-ahead stages that `stages` says
    /// have a frame to work on, then the commit of frame `i`.
    #[inline(always)]
    fn pipeline_step<S: Sink + ?Sized>(
        &mut self,
        i: usize,
        stages: Stages<'_, '_>,
        ring: &mut [Prepared; RING],
        sink: &mut S,
    ) -> Outcome {
        if let Some(frame) = stages.prepare {
            self.prepare_ahead(frame, &mut ring[(i + LOOKAHEAD) % RING]);
        }
        if stages.prefetch_slot {
            let p = &mut ring[(i + SLOT_AHEAD) % RING];
            if p.rare.0 & Rare::SKIPPED == 0 {
                p.slot_hint = self.table.prefetch_slot(p.index_bucket, p.hash);
            }
        }
        let p = &ring[i % RING];
        self.commit(p, p.slot_hint, sink)
    }

    /// The look-ahead stage of [`Meter::process_batch`]: prepare into `p` and start loading the
    /// frame's index bucket.
    #[inline(always)]
    fn prepare_ahead(&mut self, frame: &Frame<'_>, p: &mut Prepared) {
        self.prepare(frame, p);
        p.slot_hint = NO_SLOT_HINT;
        if p.rare.0 & Rare::SKIPPED == 0 {
            p.index_bucket = self.table.prefetch_index(p.hash);
        }
    }

    /// Everything about a packet that does not touch the flow table or the counters (see the
    /// module's guide), into `p`: its time placed by the clock, its key and hash, what it adds to
    /// its flow, and the [`Rare`] reasons it takes the slow path at commit.
    #[inline(always)]
    fn prepare(&mut self, frame: &Frame<'_>, p: &mut Prepared) {
        let (raw_ts, bad_ts) = match frame.ts {
            Timestamp::Ns(ns) => (ns, 0),
            other => self.time_from_clock(other),
        };
        let placed = self.clock.place(raw_ts);
        p.ts_ns = placed.ts_ns;
        let rare = bad_ts
            | match (placed.opens, placed.late) {
                (true, _) => Rare::OPENS,
                (_, true) => Rare::LATE,
                _ => 0,
            };
        let (table, accounting) = (&self.table, self.config.accounting);
        // Called where each parser tier has the packet's fields (see `Parser::packet`).
        let parsed = self.parser.packet(frame, raw_ts, |key, stats| {
            let notes = stats.notes.under(accounting);
            p.hash = table.hash(&key);
            p.key = key;
            p.stats = PacketStats { bytes: accounting.bytes(stats.bytes, frame.orig_len), notes, ..stats };
            notes.0 << Rare::NOTES_SHIFT
        });
        p.rare = Rare(
            rare | match parsed {
                Ok(notes) => notes,
                Err(skip) => {
                    p.skip = skip;
                    Rare::SKIPPED
                }
            },
        );
    }

    /// A missing or out-of-range timestamp takes the clock (SPEC §4); the second is flagged
    /// [`Rare::BAD_TIMESTAMP`]. Out of line, so that the common timestamp is one test and one load.
    #[cold]
    #[inline(never)]
    fn time_from_clock(&self, ts: Timestamp) -> (u64, u8) {
        let bad = if ts == Timestamp::OutOfRange { Rare::BAD_TIMESTAMP } else { 0 };
        (self.clock.resolve(ts), bad)
    }

    /// Meter a prepared packet (with `slot_hint` from the table, or [`NO_SLOT_HINT`]): window
    /// rollover, table, stats — the part that must run in frame order. `packets_in` and `metered` are the caller's to count.
    #[inline(always)]
    fn commit<S: Sink + ?Sized>(&mut self, p: &Prepared, slot_hint: u32, sink: &mut S) -> Outcome {
        if p.rare.0 != 0 {
            if let Outcome::Skipped(skip) = self.commit_rare(p, sink) {
                return Outcome::Skipped(skip);
            }
        }
        let s = match self.table.upsert_entry_hinted(&p.key, p.hash, slot_hint) {
            (Upsert::Existing(slot), s) if s.packets == u32::MAX => {
                self.split(slot, sink);
                self.table.stats_mut(slot)
            }
            (Upsert::Replaced(slot, old_key, old_stats), _) => {
                self.evicted(&old_key, &old_stats, sink);
                self.table.stats_mut(slot)
            }
            (_, s) => s,
        };
        // A new flow's stats are `FlowStats::NEW`: its first packet needs no test.
        s.first_ns = s.first_ns.min(p.ts_ns);
        s.last_ns = s.last_ns.max(p.ts_ns);
        if let Some((icmp_type, icmp_code)) = p.stats.icmp {
            if s.flags & FLAG_HAS_ICMP == 0 {
                s.flags |= FLAG_HAS_ICMP;
                s.icmp_type = icmp_type;
                s.icmp_code = icmp_code;
            }
        }
        s.packets += 1;
        s.bytes += p.stats.bytes;
        s.flags |= p.stats.tcp_flags & TCP_FLAGS_MASK;
        if p.stats.tcp_flags & SYN_ACK == SYN_ACK {
            s.flags |= FLAG_SYN_ACK;
        }
        Outcome::Metered
    }

    /// The rarer parts of [`Meter::commit`], for a packet with any [`Rare`] bit: a bad timestamp,
    /// a window that opens (the first packet, a rollover), a skip, notes, lateness. Out of line,
    /// so that the common packet's path stays short.
    #[inline(never)]
    fn commit_rare<S: Sink + ?Sized>(&mut self, p: &Prepared, sink: &mut S) -> Outcome {
        let rare = p.rare.0;
        if rare & Rare::BAD_TIMESTAMP != 0 {
            self.counters.bad_timestamp += 1;
        }
        if rare & Rare::OPENS != 0 {
            if let Some(previous) = self.committed_window_start_ns {
                self.counters.rollovers += 1;
                self.emit_all(previous, EndReason::Window, sink);
            }
            // A window opens only with a packet in it, not late: `ts_ns` is its own time.
            self.committed_window_start_ns = Some(self.clock.align(p.ts_ns));
        }
        if rare & Rare::SKIPPED != 0 {
            self.counters.skipped[p.skip as usize] += 1;
            return Outcome::Skipped(p.skip);
        }
        if rare & (Rare::NOTES | Rare::LATE) != 0 {
            self.count_notes(p.stats.notes, rare & Rare::LATE != 0);
        }
        Outcome::Metered
    }

    /// Emit every flow in the table (end of input). The meter stays usable. Never allocates.
    pub fn flush<S: Sink + ?Sized>(&mut self, sink: &mut S) {
        if let Some(start) = self.committed_window_start_ns {
            self.emit_all(start, EndReason::Flush, sink);
        }
    }

    /// Split a flow before its packet count overflows; it continues in a new record.
    #[cold]
    #[inline(never)]
    fn split<S: Sink + ?Sized>(&mut self, slot: u32, sink: &mut S) {
        let (k, s) = self.table.get(slot);
        let record = self.record(k, s, EndReason::PacketLimit);
        self.emit(&record, sink);
        *self.table.stats_mut(slot) = FlowStats::NEW;
    }

    /// Emit the flow the table evicted to make room.
    #[inline(never)]
    fn evicted<S: Sink + ?Sized>(&mut self, key: &FlowKey, stats: &FlowStats, sink: &mut S) {
        self.counters.evictions += 1;
        let record = self.record(key, stats, EndReason::Evicted);
        self.emit(&record, sink);
    }

    /// Count the notes of a metered packet (called only when there is one: most packets have none).
    #[inline(never)]
    fn count_notes(&mut self, notes: Notes, late: bool) {
        let c = &mut self.counters;
        c.truncated_l4 += notes.contains(Notes::TRUNCATED_L4) as u64;
        c.bad_ipv6_chain += notes.contains(Notes::BAD_IPV6_CHAIN) as u64;
        c.orphan_fragments += notes.contains(Notes::ORPHAN_FRAGMENT) as u64;
        c.bad_length += notes.contains(Notes::BAD_LENGTH) as u64;
        c.late_packets += late as u64;
    }

    fn emit_all<S: Sink + ?Sized>(&mut self, window_start_ns: u64, reason: EndReason, sink: &mut S) {
        let window_secs = self.config.window_secs;
        let counters = &mut self.counters;
        self.table.drain(|key, stats| {
            let record = Record::of_flow(key, stats, window_start_ns, window_secs, reason);
            counters.records += 1;
            counters.record_packets += record.packets;
            sink.record(&record);
        });
    }

    /// The record of a flow of the window the packets being committed are in (a packet being
    /// committed is always in one).
    #[inline]
    fn record(&self, key: &FlowKey, stats: &FlowStats, reason: EndReason) -> Record {
        let window_start_ns = self.committed_window_start_ns.unwrap_or(0);
        Record::of_flow(key, stats, window_start_ns, self.config.window_secs, reason)
    }

    #[inline]
    fn emit<S: Sink + ?Sized>(&mut self, record: &Record, sink: &mut S) {
        self.counters.records += 1;
        self.counters.record_packets += record.packets;
        sink.record(record);
    }
}

/// A packet that carried SYN and ACK together (AWS reports ACK only then).
const SYN_ACK: u16 = tcp_flags::SYN | tcp_flags::ACK;

/// How many frames ahead [`Meter::process_batch`] prepares a frame and starts loading its index
/// bucket: far enough that the bucket has arrived when the slot stage (`SLOT_AHEAD`) reads it.
pub const LOOKAHEAD: usize = 12;
/// How many frames ahead it reads the (prefetched) index bucket and starts loading the slot: far
/// enough that the slot has arrived at commit.
const SLOT_AHEAD: usize = 8;
/// How many frames beyond the look-ahead it starts loading a frame's first cache line. Frames
/// of mixed sizes lie apart in memory, where the CPU's own prefetcher does not follow them.
const FRAME_AHEAD: usize = 8;
/// Ring of prepared frames: a power of two above the look-ahead.
const RING: usize = 16;
const _: () = assert!(RING > LOOKAHEAD && SLOT_AHEAD < LOOKAHEAD && RING.is_power_of_two());

/// Which look-ahead stages of [`Meter::process_batch`] have a frame to work on at a step.
#[derive(Clone, Copy)]
struct Stages<'f, 'a> {
    /// The frame [`LOOKAHEAD`] ahead, to prepare.
    prepare: Option<&'f Frame<'a>>,
    /// Whether there is a frame [`SLOT_AHEAD`] ahead, whose slot to start loading.
    prefetch_slot: bool,
}

/// No slot hint (above any slot number, so [`FlowTable::upsert_entry_hinted`] ignores it).
const NO_SLOT_HINT: u32 = u32::MAX;

/// The reasons a packet takes [`Meter::commit_rare`], set at prepare time: 0 for nearly every
/// packet, so that its commit tests one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rare(u8);

impl Rare {
    /// Not metered (the reason is in [`Prepared::skip`]).
    const SKIPPED: u8 = 1;
    /// Opens a window: the first packet, or a rollover.
    const OPENS: u8 = 2;
    /// Earlier than the current window.
    const LATE: u8 = 4;
    /// Its timestamp was out of range.
    const BAD_TIMESTAMP: u8 = 8;
    /// Where the packet's [`Notes`] (4 bits) sit.
    const NOTES_SHIFT: u8 = 4;
    /// It has notes for the counters.
    const NOTES: u8 = 0xf << Rare::NOTES_SHIFT;
}

const _: () = assert!(
    Notes::BAD_LENGTH.0 == 8
        && (Rare::SKIPPED | Rare::OPENS | Rare::LATE | Rare::BAD_TIMESTAMP) & Rare::NOTES == 0
);

/// A packet prepared (parsed, keyed, placed in its window), waiting for its commit.
#[derive(Clone, Copy)]
struct Prepared {
    /// The packet's time in its window (a late packet's is the window start).
    ts_ns: u64,
    /// The key's hash.
    hash: u64,
    /// Why it takes the slow path at commit, if at all.
    rare: Rare,
    /// Why it was not metered, when [`Rare::SKIPPED`] is set.
    skip: Skip,
    /// The index bucket where the key's probe begins, once prefetched.
    index_bucket: u32,
    /// The slot the index pointed at when prefetched (a hint), or [`NO_SLOT_HINT`].
    slot_hint: u32,
    /// The flow key (meaningful unless skipped, as `stats`).
    key: FlowKey,
    /// What the packet adds to its flow, bytes counted by the accounting.
    stats: PacketStats,
}

impl Prepared {
    const EMPTY: Prepared = Prepared {
        ts_ns: 0,
        hash: 0,
        rare: Rare(0),
        // All zeros, which costs `process` the least to set up: its commit takes no hint from
        // here, and the batch's slot stage writes one for every frame it hints.
        skip: Skip::UnsupportedLink,
        index_bucket: 0,
        slot_hint: 0,
        key: FlowKey::ZERO,
        stats: PacketStats::NONE,
    };
}

impl Record {
    /// The record of a flow (`key`, `stats`) of the window starting at `window_start_ns`.
    #[inline]
    fn of_flow(
        key: &FlowKey,
        s: &FlowStats,
        window_start_ns: u64,
        window_secs: u64,
        reason: EndReason,
    ) -> Record {
        Record {
            key: *key,
            packets: s.packets as u64,
            bytes: s.bytes,
            start_ns: s.first_ns,
            end_ns: s.last_ns,
            tcp_flags: s.flags & TCP_FLAGS_MASK,
            tcp_syn_ack: s.flags & FLAG_SYN_ACK != 0,
            has_icmp: s.flags & FLAG_HAS_ICMP != 0,
            icmp_type: s.icmp_type,
            icmp_code: s.icmp_code,
            window_start_secs: window_start_ns / crate::window::NS_PER_SEC,
            window_secs,
            end_reason: reason,
            log_status: LogStatus::Ok,
        }
    }
}

/// Mixed into the per-meter random seed: "\0flowlog" in ASCII; any constant would do.
const SEED_SALT: u64 = u64::from_be_bytes(*b"\0flowlog");

/// A per-meter random seed without allocating: std's `RandomState` draws its keys from the OS.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(SEED_SALT);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::LinkType;
    use crate::window::NS_PER_SEC;

    /// A flow about to overflow its packet count is emitted with `end_reason = packet_limit` and
    /// continues in a new record that starts with the packet that split it. (Reaching 2^32
    /// packets for real takes hours, so the count is set in the table.)
    #[test]
    fn a_flow_at_the_packet_limit_is_split_and_continues_from_the_next_packet() {
        const T0: u64 = 1_700_000_000 * NS_PER_SEC;
        let mut meter =
            Meter::new(Config { window_secs: 600, hash_seed: Some(1), ..Config::default() }).unwrap();
        let pkt = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let mut records: Vec<Record> = Vec::new();
        let mut sink = |r: &Record| records.push(*r);
        assert!(meter.process(&Frame::new(T0, LinkType::RAW, &pkt), &mut sink).is_metered());
        meter.table.stats_mut(0).packets = u32::MAX;
        assert!(meter.process(&Frame::new(T0 + 7, LinkType::RAW, &pkt), &mut sink).is_metered());
        assert!(meter.process(&Frame::new(T0 + 9, LinkType::RAW, &pkt), &mut sink).is_metered());
        meter.flush(&mut sink);
        let got: Vec<_> =
            records.iter().map(|r| (r.end_reason, r.packets, r.bytes, r.start_ns, r.end_ns)).collect();
        assert_eq!(
            got,
            [
                (EndReason::PacketLimit, u64::from(u32::MAX), 20, T0, T0),
                (EndReason::Flush, 2, 40, T0 + 7, T0 + 9)
            ]
        );
        assert_eq!(meter.counters().records, 2);
    }
}
