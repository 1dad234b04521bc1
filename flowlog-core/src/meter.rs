//! The meter: the only module that sees the whole pipeline (parse → key → table → window → record).

use crate::config::{Config, ConfigError};
use crate::counters::Counters;
use crate::frag::FragTable;
use crate::key::{Action, Direction, FlowKey};
use crate::parse::{dissect_into, Dissected, LinkType, Notes, Skip, TunnelFilter};
use crate::record::{EndReason, LogStatus, Record};
use crate::table::{FlowStats, FlowTable, Upsert, FLAG_HAS_ICMP, FLAG_SYN_ACK, TCP_FLAGS_MASK};
use crate::window::{Placement, Timestamp, WindowClock, NS_PER_SEC};

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

/// One captured packet and where it was seen.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of the capture interface.
    pub link: LinkType,
    /// Length on the wire (may exceed `data.len()` when the capture was cut at a snaplen).
    pub orig_len: u32,
    /// The captured bytes (`caplen` of them).
    pub data: &'a [u8],
    /// Interface index or ENI the packet was seen on.
    pub observation_point: u32,
    /// Direction relative to the ENI, when the collector knows it.
    pub direction: Direction,
    /// The verdict, when the collector knows it (default accept).
    pub action: Action,
}

impl<'a> Frame<'a> {
    /// No bytes, time 0: a placeholder for arrays of frames filled later (see
    /// [`CaptureReader::next_frames`](crate::capture::CaptureReader::next_frames)).
    pub const EMPTY: Frame<'static> = Frame {
        ts: Timestamp::Ns(0),
        link: LinkType(0),
        orig_len: 0,
        data: &[],
        observation_point: 0,
        direction: Direction::Unknown,
        action: Action::Accept,
    };

    /// A frame with its wire length equal to the captured length, observation point 0, direction
    /// unknown, action accept.
    pub fn new(ts_ns: u64, link: LinkType, data: &'a [u8]) -> Frame<'a> {
        Frame {
            ts: Timestamp::Ns(ts_ns),
            link,
            orig_len: data.len().min(u32::MAX as usize) as u32,
            data,
            observation_point: 0,
            direction: Direction::Unknown,
            action: Action::Accept,
        }
    }
}

/// Turns packets into flow-log records. All memory is reserved by [`Meter::new`]; `process` and
/// `flush` never allocate.
///
/// ```
/// use flowlog_core::{Config, Frame, LinkType, Meter, Record};
///
/// let mut meter = Meter::new(Config { window_secs: 60, ..Config::default() }).unwrap();
/// let mut records: Vec<Record> = Vec::new();
/// let mut sink = |r: &Record| records.push(*r);
/// // A 20-byte IPv4 header with no payload, protocol 253, on a raw-IP link.
/// let pkt = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
/// meter.process(&Frame::new(1_700_000_000_000_000_000, LinkType::RAW, &pkt), &mut sink).unwrap();
/// meter.flush(&mut sink);
/// assert_eq!(records.len(), 1);
/// assert_eq!((records[0].packets, records[0].bytes), (1, 20));
/// assert!(meter.counters().is_conserved());
/// ```
pub struct Meter {
    config: Config,
    /// `config.tunnel_ports` summarised once, for the parser.
    tunnels: TunnelFilter,
    table: FlowTable,
    frags: FragTable,
    clock: WindowClock,
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
            table: FlowTable::new(config.max_flows, seed),
            frags: FragTable::new(config.max_fragments),
            clock: WindowClock::new(config.window_secs),
            counters: Counters::default(),
            tunnels: TunnelFilter::new(&config.tunnel_ports),
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
    /// `window_secs`, closes it (SPEC §4): a collector can tell which packets will roll over.
    pub fn window_start_ns(&self) -> Option<u64> {
        self.clock.current_start_ns()
    }

    /// Heap bytes the meter holds (session table, index and fragment table).
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes() + self.frags.heap_bytes()
    }

    /// Meter one packet. Records that this packet finishes (a window rollover, an eviction) go to
    /// `sink` before it returns. Never allocates.
    ///
    /// # Errors
    /// The [`Skip`] reason when the packet was not metered (it is counted either way).
    #[inline]
    pub fn process<S: Sink + ?Sized>(&mut self, frame: &Frame<'_>, sink: &mut S) -> Result<(), Skip> {
        // The per-packet path keeps its state in locals: staging it in a `Prepared`, as the batch
        // does, costs a 150-byte copy per packet.
        let raw_ts = self.clock.resolve(frame.ts);
        let mut d = Dissected::EMPTY;
        let result = self.dissect(frame, raw_ts, &mut d);
        let (key, hash) = if result.is_ok() { self.key_of(frame, &d) } else { (FlowKey::ZERO, 0) };
        self.commit(frame, raw_ts, result, &d, &key, hash, None, sink)
    }

    #[inline(always)]
    fn key_of(&self, frame: &Frame<'_>, d: &Dissected) -> (FlowKey, u64) {
        let key = FlowKey::new(
            d,
            frame.observation_point,
            frame.direction,
            frame.action,
            self.config.key_vlan,
            self.config.key_tunnel,
        );
        let hash = self.table.hash(&key);
        (key, hash)
    }

    /// Meter a batch of packets: exactly the records (same order, same points in the sequence)
    /// and the counters that calling [`Meter::process`] on each frame in turn would give, but
    /// faster on large tables, because the table's memory for the next few packets is fetched
    /// while the current one is metered (software pipelining, look-ahead [`BATCH_LOOKAHEAD`]
    /// frames). Only the parsing, key hashing and cache prefetching run ahead; the table itself
    /// changes strictly in frame order. Never allocates.
    ///
    /// Returns how many frames were not metered (each counted under its [`Skip`] reason in
    /// [`Meter::counters`], as `process` would).
    pub fn process_batch<S: Sink + ?Sized>(&mut self, frames: &[Frame<'_>], sink: &mut S) -> usize {
        const RING: usize = BATCH_RING;
        let mut ring = [Prepared::EMPTY; RING];
        // The look-ahead clock: the running maximum of the timestamps of the frames prepared so
        // far, which is what the meter's clock will be when each is committed (SPEC §4).
        let mut clock_ns = self.clock.clock_ns();
        let n = frames.len();
        let mut skipped = 0usize;
        for (j, frame) in frames.iter().enumerate().take(BATCH_LOOKAHEAD) {
            self.prepare_ahead(frame, &mut clock_ns, &mut ring[j % RING]);
        }
        // While frames remain beyond the look-ahead, every stage runs: no per-frame tests of how
        // far the batch goes. The last BATCH_LOOKAHEAD frames then drain the pipeline.
        let split = n.saturating_sub(BATCH_LOOKAHEAD);
        let later = frames.get(BATCH_LOOKAHEAD..).unwrap_or(&[]);
        for (i, (frame, ahead)) in frames.iter().zip(later).enumerate() {
            let stages = Stages { ahead: Some(ahead), slot: true, links: true };
            skipped += self.batch_step(i, frame, stages, &mut ring, &mut clock_ns, sink) as usize;
        }
        for (i, frame) in frames.iter().enumerate().skip(split) {
            let stages = Stages { ahead: None, slot: i + SLOT_AHEAD < n, links: i + LINKS_AHEAD < n };
            skipped += self.batch_step(i, frame, stages, &mut ring, &mut clock_ns, sink) as usize;
        }
        skipped
    }

    /// One frame of [`Meter::process_batch`]: the look-ahead stages that `stages` says have a
    /// frame to work on, then the commit of frame `i`. Returns whether it was skipped.
    #[inline(always)]
    fn batch_step<S: Sink + ?Sized>(
        &mut self,
        i: usize,
        frame: &Frame<'_>,
        stages: Stages<'_, '_>,
        ring: &mut [Prepared; BATCH_RING],
        clock_ns: &mut u64,
        sink: &mut S,
    ) -> bool {
        const RING: usize = BATCH_RING;
        if let Some(ahead) = stages.ahead {
            self.prepare_ahead(ahead, clock_ns, &mut ring[(i + BATCH_LOOKAHEAD) % RING]);
        }
        if stages.slot {
            let p = &mut ring[(i + SLOT_AHEAD) % RING];
            if p.result.is_ok() {
                p.slot_hint = self.table.prefetch_slot(p.hash);
            }
        }
        if stages.links {
            let p = &ring[(i + LINKS_AHEAD) % RING];
            if let (Ok(()), Some(slot)) = (p.result, p.slot_hint) {
                self.table.prefetch_links(slot);
            }
        }
        let p = &ring[i % RING];
        self.commit(frame, p.raw_ts, p.result, &p.d, &p.key, p.hash, p.slot_hint, sink).is_err()
    }

    /// The look-ahead stage of [`Meter::process_batch`]: resolve the timestamp against the
    /// look-ahead clock, prepare, and start loading the frame's index bucket.
    #[inline(always)]
    fn prepare_ahead(&mut self, frame: &Frame<'_>, clock_ns: &mut u64, p: &mut Prepared) {
        let raw_ts = match frame.ts {
            Timestamp::Ns(ns) => ns,
            Timestamp::Missing | Timestamp::OutOfRange => *clock_ns,
        };
        *clock_ns = (*clock_ns).max(raw_ts);
        self.prepare(frame, raw_ts, p);
        if p.result.is_ok() {
            self.table.prefetch_index(p.hash);
        }
    }

    /// Everything about a packet that does not touch the session table, the window or the
    /// counters: dissection (which does update the fragment table, so packets are prepared in
    /// frame order), the flow key and its hash. `raw_ts` is the frame's resolved timestamp.
    #[inline(always)]
    fn prepare(&mut self, frame: &Frame<'_>, raw_ts: u64, p: &mut Prepared) {
        p.raw_ts = raw_ts;
        p.slot_hint = None;
        p.d = Dissected::EMPTY;
        p.result = self.dissect(frame, raw_ts, &mut p.d);
        if p.result.is_ok() {
            (p.key, p.hash) = self.key_of(frame, &p.d);
        }
    }

    /// Dissect `frame` (resolved timestamp `raw_ts`) into `d`, which must be
    /// [`Dissected::EMPTY`], with this meter's configuration and fragment table.
    #[inline(always)]
    fn dissect(&mut self, frame: &Frame<'_>, raw_ts: u64, d: &mut Dissected) -> Result<(), Skip> {
        dissect_into(
            frame.link,
            frame.data,
            frame.orig_len,
            raw_ts,
            &self.config,
            &self.tunnels,
            &mut self.frags,
            d,
        )
    }

    /// Meter a prepared packet: counters, clock and window (rollover), table, stats — the part of
    /// [`Meter::process`] that must run in frame order.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn commit<S: Sink + ?Sized>(
        &mut self,
        frame: &Frame<'_>,
        raw_ts: u64,
        result: Result<(), Skip>,
        d: &Dissected,
        key: &FlowKey,
        hash: u64,
        hint: Option<u32>,
        sink: &mut S,
    ) -> Result<(), Skip> {
        self.counters.packets_in += 1;
        if frame.ts == Timestamp::OutOfRange {
            self.counters.bad_timestamp += 1;
        }
        let previous_window = self.clock.current_start_ns();
        let (ts, late) = match self.clock.place(raw_ts) {
            Placement::Current(t) => (t, false),
            Placement::Late(t) => (t, true),
            Placement::Rollover { ts_ns, .. } => {
                self.counters.rollovers += 1;
                // previous_window is Some: a rollover needs a current window.
                self.emit_all(previous_window.unwrap_or(0), EndReason::Window, sink);
                (ts_ns, false)
            }
        };

        if let Err(skip) = result {
            self.counters.skipped[skip as usize] += 1;
            return Err(skip);
        }
        if d.notes != Notes::default() || late {
            self.count_notes(d.notes, late);
        }

        let window_start = self.clock.current_start_ns().unwrap_or(0);
        let s = match self.table.upsert_entry_hinted(key, hash, hint) {
            (Upsert::Existing(slot), s) if s.packets == u32::MAX => {
                self.split(slot, window_start, sink);
                self.table.stats_mut(slot)
            }
            (Upsert::Replaced(slot, old_key, old_stats), _) => {
                self.evicted(&old_key, &old_stats, window_start, sink);
                self.table.stats_mut(slot)
            }
            (_, s) => s,
        };
        if s.packets == 0 {
            s.first_ns = ts;
            s.last_ns = ts;
        } else {
            s.first_ns = s.first_ns.min(ts);
            s.last_ns = s.last_ns.max(ts);
        }
        if d.has_icmp && s.flags & FLAG_HAS_ICMP == 0 {
            s.flags |= FLAG_HAS_ICMP;
            s.icmp_type = d.icmp_type;
            s.icmp_code = d.icmp_code;
        }
        s.packets += 1;
        s.bytes += d.bytes;
        s.flags |= d.tcp_flags & TCP_FLAGS_MASK;
        if d.tcp_flags & SYN_ACK == SYN_ACK {
            s.flags |= FLAG_SYN_ACK;
        }
        self.counters.metered += 1;
        Ok(())
    }

    /// Emit every flow in the table (end of input). The meter stays usable. Never allocates.
    pub fn flush<S: Sink + ?Sized>(&mut self, sink: &mut S) {
        if let Some(start) = self.clock.current_start_ns() {
            self.emit_all(start, EndReason::Flush, sink);
        }
    }

    /// Split a flow before its packet count overflows; it continues in a new record.
    #[cold]
    #[inline(never)]
    fn split<S: Sink + ?Sized>(&mut self, slot: u32, window_start: u64, sink: &mut S) {
        let (k, s) = self.table.get(slot);
        let record = self.record(k, s, window_start, EndReason::PacketLimit);
        self.emit(&record, sink);
        *self.table.stats_mut(slot) = FlowStats::default();
    }

    /// Emit the flow the table evicted to make room.
    #[inline(never)]
    fn evicted<S: Sink + ?Sized>(
        &mut self,
        key: &FlowKey,
        stats: &FlowStats,
        window_start: u64,
        sink: &mut S,
    ) {
        self.counters.evictions += 1;
        let record = self.record(key, stats, window_start, EndReason::Evicted);
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
            let record = make_record(key, stats, window_start_ns, window_secs, reason);
            counters.records += 1;
            counters.record_packets += record.packets;
            sink.record(&record);
        });
    }

    #[inline]
    fn record(&self, key: &FlowKey, stats: &FlowStats, window_start_ns: u64, reason: EndReason) -> Record {
        make_record(key, stats, window_start_ns, self.config.window_secs, reason)
    }

    #[inline]
    fn emit<S: Sink + ?Sized>(&mut self, record: &Record, sink: &mut S) {
        self.counters.records += 1;
        self.counters.record_packets += record.packets;
        sink.record(record);
    }
}

const SYN_ACK: u16 = 0x12;

/// How many frames ahead [`Meter::process_batch`] parses, hashes and prefetches the index bucket.
pub const BATCH_LOOKAHEAD: usize = 12;
/// How many frames ahead it reads the (prefetched) index entry and prefetches the slot.
const SLOT_AHEAD: usize = 8;
/// How many frames ahead it reads the (prefetched) slot and prefetches its LRU neighbours.
const LINKS_AHEAD: usize = 4;
/// Ring of prepared frames: a power of two above the look-ahead.
const BATCH_RING: usize = 16;
const _: () =
    assert!(BATCH_RING > BATCH_LOOKAHEAD && SLOT_AHEAD < BATCH_LOOKAHEAD && LINKS_AHEAD < SLOT_AHEAD);

/// Which look-ahead stages of [`Meter::process_batch`] have a frame to work on at a step.
#[derive(Clone, Copy)]
struct Stages<'f, 'a> {
    /// The frame to prepare, [`BATCH_LOOKAHEAD`] ahead.
    ahead: Option<&'f Frame<'a>>,
    /// Whether there is a frame [`SLOT_AHEAD`] ahead.
    slot: bool,
    /// Whether there is a frame [`LINKS_AHEAD`] ahead.
    links: bool,
}

/// A packet parsed and keyed, waiting for its turn at the table (see [`Meter::process_batch`]).
#[derive(Clone, Copy)]
struct Prepared {
    /// The resolved timestamp (missing ones take the clock as it will be at this packet).
    raw_ts: u64,
    /// The dissection's verdict; `d`, `key` and `hash` are meaningful only when Ok.
    result: Result<(), Skip>,
    d: Dissected,
    key: FlowKey,
    hash: u64,
    /// The slot the index pointed at when prefetched (a hint).
    slot_hint: Option<u32>,
}

impl Prepared {
    const EMPTY: Prepared = Prepared {
        raw_ts: 0,
        result: Ok(()),
        d: Dissected::EMPTY,
        key: FlowKey::ZERO,
        hash: 0,
        slot_hint: None,
    };
}

#[inline]
fn make_record(
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
        window_start: window_start_ns / NS_PER_SEC,
        window_secs,
        end_reason: reason,
        log_status: LogStatus::Ok,
    }
}

/// A per-meter random seed without allocating: std's `RandomState` draws its keys from the OS.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x0066_6c6f_776c_6f67);
    h.finish()
}
