//! The meter: the only module that sees the whole pipeline (parse → key → table → window → record).

use crate::config::{Config, ConfigError};
use crate::counters::Counters;
use crate::frag::FragTable;
use crate::frame::Frame;
use crate::key::{FlowKey, KeyMasks};
use crate::mem::prefetch_at;
use crate::parse::{
    dissect_into, ipv4_transport, ipv6_transport, one_vlan_tag, vxlan_inner, Dissected, LinkType, Notes,
    Skip, Transport, TunnelFilter,
};
use crate::record::{EndReason, LogStatus, Record};
use crate::table::{FlowStats, FlowTable, Upsert, FLAG_HAS_ICMP, FLAG_SYN_ACK, TCP_FLAGS_MASK};
use crate::window::{self, Timestamp, WindowClock, NS_PER_SEC};

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
    /// Advanced as packets are prepared: in a batch, up to [`BATCH_LOOKAHEAD`] packets ahead of
    /// the ones metered (SPEC §4: its only inputs are the timestamps, in frame order).
    clock: WindowClock,
    /// `config.key_vlan` and `config.key_tunnel` as the key's masks.
    key_masks: KeyMasks,
    /// Start of the window of the packets metered so far; the clock's, but for the packets
    /// prepared and not yet metered.
    window_start: Option<u64>,
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
            window_start: None,
            key_masks: KeyMasks::new(config.key_vlan, config.key_tunnel),
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
        self.window_start
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
        // The two steps of a batch (prepare, commit) at once. The state stays in locals: staging
        // it in a `Prepared`, as the batch does, costs a copy.
        let mut d = Dissected::EMPTY;
        let mut key = FlowKey::ZERO;
        let head = self.prepare(frame, &mut d, &mut key);
        self.counters.packets_in += 1;
        let result = self.commit(&head, NO_HINT, &key, &d, sink);
        if result.is_ok() {
            self.counters.metered += 1;
        }
        result
    }

    /// Meter a batch of packets: exactly the records (same order, same points in the sequence)
    /// and the counters that calling [`Meter::process`] on each frame in turn would give, but
    /// faster on large tables and on frames that lie apart in memory, because the table's memory
    /// and the frames for the next few packets are fetched while the current one is metered
    /// (software pipelining, look-ahead [`BATCH_LOOKAHEAD`] frames, and the frames' first cache
    /// line further ahead). Only the parsing, key hashing, window placement and cache prefetching
    /// run ahead; the table itself changes strictly in frame order. Never allocates.
    ///
    /// Returns how many frames were not metered (each counted under its [`Skip`] reason in
    /// [`Meter::counters`], as `process` would).
    pub fn process_batch<S: Sink + ?Sized>(&mut self, frames: &[Frame<'_>], sink: &mut S) -> usize {
        let mut ring = [Prepared::EMPTY; BATCH_RING];
        let n = frames.len();
        let mut skipped = 0usize;
        for (j, frame) in frames.iter().enumerate().take(BATCH_LOOKAHEAD) {
            self.prepare_ahead(frame, &mut ring[j % BATCH_RING]);
        }
        // While frames remain beyond the look-ahead and the frame loads ahead of it, every stage
        // runs: no per-frame tests of how far the batch goes.
        let later = frames.get(BATCH_LOOKAHEAD..).unwrap_or(&[]);
        let far = frames.get(BATCH_LOOKAHEAD + FRAME_AHEAD..).unwrap_or(&[]);
        for (i, (ahead, to_load)) in later.iter().zip(far).enumerate() {
            prefetch_at(to_load.data, 0, 0);
            let stages = Stages { ahead: Some(ahead), slot: true };
            skipped += self.batch_step(i, stages, &mut ring, sink) as usize;
        }
        skipped += self.batch_tail(frames, far.len(), &mut ring, sink);
        debug_assert_eq!(self.window_start, self.clock.current_start_ns());
        // Counted once here: the sink cannot see the counters while the batch runs.
        self.counters.packets_in += n as u64;
        self.counters.metered += (n - skipped) as u64;
        skipped
    }

    /// The last frames of [`Meter::process_batch`], from frame `from` on: the pipeline drains,
    /// each stage running while it has a frame. Out of line: a batch spends only its last
    /// `BATCH_LOOKAHEAD + FRAME_AHEAD` frames here, and its main loop stays free of the tests.
    #[inline(never)]
    fn batch_tail<S: Sink + ?Sized>(
        &mut self,
        frames: &[Frame<'_>],
        from: usize,
        ring: &mut [Prepared; BATCH_RING],
        sink: &mut S,
    ) -> usize {
        let n = frames.len();
        let mut skipped = 0usize;
        for i in from..n {
            let stages = Stages { ahead: frames.get(i + BATCH_LOOKAHEAD), slot: i + SLOT_AHEAD < n };
            skipped += self.batch_step(i, stages, ring, sink) as usize;
        }
        skipped
    }

    /// One frame of [`Meter::process_batch`]: the look-ahead stages that `stages` says have a
    /// frame to work on, then the commit of frame `i`. Returns whether it was skipped.
    #[inline(always)]
    fn batch_step<S: Sink + ?Sized>(
        &mut self,
        i: usize,
        stages: Stages<'_, '_>,
        ring: &mut [Prepared; BATCH_RING],
        sink: &mut S,
    ) -> bool {
        if let Some(ahead) = stages.ahead {
            self.prepare_ahead(ahead, &mut ring[(i + BATCH_LOOKAHEAD) % BATCH_RING]);
        }
        if stages.slot {
            let p = &mut ring[(i + SLOT_AHEAD) % BATCH_RING];
            if p.head.result.is_ok() {
                // SAFETY: `prepare_ahead` set `home` from `prefetch_index` for every frame
                // with an Ok result (and a ring entry not yet prepared holds 0).
                p.hint = unsafe { self.table.prefetch_slot(p.home, p.head.hash) };
            }
        }
        let p = &ring[i % BATCH_RING];
        self.commit(&p.head, p.hint, &p.key, &p.d, sink).is_err()
    }

    /// The look-ahead stage of [`Meter::process_batch`]: prepare into `p` and start loading the
    /// frame's index bucket.
    #[inline(always)]
    fn prepare_ahead(&mut self, frame: &Frame<'_>, p: &mut Prepared) {
        p.head = self.prepare(frame, &mut p.d, &mut p.key);
        p.hint = NO_HINT;
        if p.head.result.is_ok() {
            p.home = self.table.prefetch_index(p.head.hash);
        }
    }

    /// Everything about a packet that does not touch the session table or the counters: the
    /// timestamp resolved and placed by the meter's clock, dissection into `d` (dissection does
    /// update the fragment table, so packets are prepared in frame order), the flow key (into
    /// `key`, when the packet is metered) and its hash. Of `d`, only what [`Meter::commit`] reads
    /// is meaningful afterwards.
    #[inline(always)]
    fn prepare(&mut self, frame: &Frame<'_>, d: &mut Dissected, key: &mut FlowKey) -> Head {
        let (raw_ts, bad_ts) = match frame.ts {
            Timestamp::Ns(ns) => (ns, 0),
            other => self.unusual_ts(other),
        };
        let (ts, placed) = self.clock.place_marked(raw_ts);
        let special = placed | bad_ts;
        // The commonest packets, keyed and hashed from registers: untagged, then behind one tag.
        if let Some(head) = self.prepared_direct(frame.link, frame.data, 0, frame, ts, special, d, key) {
            return head;
        }
        if let Some((vlan, untagged)) = one_vlan_tag(frame.link, frame.data) {
            if let Some(head) =
                self.prepared_direct(LinkType::ETHERNET, untagged, vlan, frame, ts, special, d, key)
            {
                return head;
            }
        }
        *d = Dissected::EMPTY;
        let result = self.dissect(frame, raw_ts, d);
        if result.is_err() {
            return Head { ts, hash: 0, special: special | SKIPPED, result };
        }
        // The notes' own bits, above the others: no test needed to flag them.
        let special = special | d.notes.0 << NOTES_SHIFT;
        // Built and hashed in registers, then stored once.
        let k =
            FlowKey::with_masks(d, frame.observation_point, frame.direction, frame.action, self.key_masks);
        let hash = self.table.hash(&k);
        *key = k;
        Head { ts, hash, special, result }
    }

    /// A missing or out-of-range timestamp takes the clock (SPEC §4); the second is marked
    /// [`BAD_TS`]. Out of line, so that the common timestamp is one test and one load.
    #[cold]
    #[inline(never)]
    fn unusual_ts(&self, ts: Timestamp) -> (u64, u8) {
        let bad_ts = if ts == Timestamp::OutOfRange { BAD_TS } else { 0 };
        (self.clock.clock_ns(), bad_ts)
    }

    /// [`Meter::prepare`] by the direct paths, for the Ethernet frame `eth` (the frame's data, or
    /// what follows its VLAN tag, id `vlan`, as [`one_vlan_tag`] gives it): IPv4 or IPv6 TCP or
    /// UDP ([`ipv4_transport`], [`ipv6_transport`]), or such an untagged frame behind VXLAN
    /// ([`vxlan_inner`]). `None` when none takes it; `d` and `key` are then untouched.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn prepared_direct(
        &self,
        link: LinkType,
        eth: &[u8],
        vlan: u16,
        frame: &Frame<'_>,
        ts: u64,
        special: u8,
        d: &mut Dissected,
        key: &mut FlowKey,
    ) -> Option<Head> {
        let (orig_len, config, tunnels) = (frame.orig_len, &self.config, &self.tunnels);
        if let Some(t) = ipv4_transport(link, eth, orig_len, config, tunnels) {
            return Some(self.prepared_transport(&t, vlan, 0, frame, ts, special, d, key));
        }
        if let Some(t) = ipv6_transport(link, eth, orig_len, config, tunnels) {
            return Some(self.prepared_transport(&t, vlan, 0, frame, ts, special, d, key));
        }
        // The commonest overlay. An inner frame must be untagged: its tag would replace `vlan`.
        let (vni, inner) = vxlan_inner(link, eth, config, tunnels)?;
        if let Some(t) = ipv4_transport(LinkType::ETHERNET, inner, orig_len, config, tunnels) {
            return Some(self.prepared_transport(&t, vlan, vni, frame, ts, special, d, key));
        }
        if let Some(t) = ipv6_transport(LinkType::ETHERNET, inner, orig_len, config, tunnels) {
            return Some(self.prepared_transport(&t, vlan, vni, frame, ts, special, d, key));
        }
        None
    }

    /// The end of [`Meter::prepare`] for a packet that a direct path read as `t`, with the ids
    /// `vlan` and `tunnel_id` (as found: the key masks them): of `d`, only the fields that
    /// [`Meter::commit`] reads are written (the others are constants of `t`'s summary).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn prepared_transport<const A: usize>(
        &self,
        t: &Transport<A>,
        vlan: u16,
        tunnel_id: u32,
        frame: &Frame<'_>,
        ts: u64,
        special: u8,
        d: &mut Dissected,
        key: &mut FlowKey,
    ) -> Head {
        let (vlan, tunnel_id) = (self.key_masks.vlan(vlan), self.key_masks.tunnel_id(tunnel_id));
        let (op, direction, action) = (frame.observation_point, frame.direction, frame.action);
        let k = FlowKey::transport(t, vlan, tunnel_id, op, direction, action);
        let hash = self.table.hash(&k);
        *key = k;
        d.bytes = t.bytes;
        d.tcp_flags = t.tcp_flags;
        d.has_icmp = false;
        d.notes = Notes(0);
        Head { ts, hash, special, result: Ok(()) }
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

    /// Meter a prepared packet: window rollover, table, stats — the part of [`Meter::process`]
    /// that must run in frame order. `packets_in` and `metered` are the caller's to count.
    #[inline(always)]
    fn commit<S: Sink + ?Sized>(
        &mut self,
        head: &Head,
        hint: u32,
        key: &FlowKey,
        d: &Dissected,
        sink: &mut S,
    ) -> Result<(), Skip> {
        if head.special != 0 {
            self.commit_special(head.ts, head.special, head.result, d.notes, sink)?;
        }
        let s = match self.table.upsert_entry_hinted(key, head.hash, hint) {
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
        s.first_ns = s.first_ns.min(head.ts);
        s.last_ns = s.last_ns.max(head.ts);
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
        Ok(())
    }

    /// The rarer parts of [`Meter::commit`], for a packet with any `special` bit: a bad timestamp,
    /// a window that opens (the first packet, a rollover), a skip, notes, lateness. Out of line,
    /// so that the common packet's path stays short.
    #[inline(never)]
    fn commit_special<S: Sink + ?Sized>(
        &mut self,
        ts: u64,
        special: u8,
        result: Result<(), Skip>,
        notes: Notes,
        sink: &mut S,
    ) -> Result<(), Skip> {
        if special & BAD_TS != 0 {
            self.counters.bad_timestamp += 1;
        }
        if special & OPENS != 0 {
            if let Some(previous) = self.window_start {
                self.counters.rollovers += 1;
                self.emit_all(previous, EndReason::Window, sink);
            }
            // A window opens only with a packet in it, not late: `ts` is its own time.
            self.window_start = Some(self.clock.align(ts));
        }
        if let Err(skip) = result {
            self.counters.skipped[skip as usize] += 1;
            return Err(skip);
        }
        if special & (NOTES | LATE) != 0 {
            self.count_notes(notes, special & LATE != 0);
        }
        Ok(())
    }

    /// Emit every flow in the table (end of input). The meter stays usable. Never allocates.
    pub fn flush<S: Sink + ?Sized>(&mut self, sink: &mut S) {
        if let Some(start) = self.window_start {
            self.emit_all(start, EndReason::Flush, sink);
        }
    }

    /// Split a flow before its packet count overflows; it continues in a new record.
    #[cold]
    #[inline(never)]
    fn split<S: Sink + ?Sized>(&mut self, slot: u32, sink: &mut S) {
        let window_start = self.window_start();
        let (k, s) = self.table.get(slot);
        let record = self.record(k, s, window_start, EndReason::PacketLimit);
        self.emit(&record, sink);
        *self.table.stats_mut(slot) = FlowStats::NEW;
    }

    /// Emit the flow the table evicted to make room.
    #[inline(never)]
    fn evicted<S: Sink + ?Sized>(&mut self, key: &FlowKey, stats: &FlowStats, sink: &mut S) {
        let window_start = self.window_start();
        self.counters.evictions += 1;
        let record = self.record(key, stats, window_start, EndReason::Evicted);
        self.emit(&record, sink);
    }

    /// Start of the window the packets being committed are in (a packet is always in one).
    fn window_start(&self) -> u64 {
        self.window_start.unwrap_or(0)
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

/// How many frames ahead [`Meter::process_batch`] parses, places, hashes and prefetches the
/// index bucket.
pub const BATCH_LOOKAHEAD: usize = 12;
/// How many frames ahead it reads the (prefetched) index entry and prefetches the slot.
const SLOT_AHEAD: usize = 8;
/// How many frames beyond the look-ahead it starts loading a frame's first cache line. Frames
/// of mixed sizes lie apart in memory, where the CPU's own prefetcher does not follow them.
const FRAME_AHEAD: usize = 8;
/// Ring of prepared frames: a power of two above the look-ahead.
const BATCH_RING: usize = 16;
const _: () = assert!(BATCH_RING > BATCH_LOOKAHEAD && SLOT_AHEAD < BATCH_LOOKAHEAD);

/// Which look-ahead stages of [`Meter::process_batch`] have a frame to work on at a step.
#[derive(Clone, Copy)]
struct Stages<'f, 'a> {
    /// The frame to prepare, [`BATCH_LOOKAHEAD`] ahead.
    ahead: Option<&'f Frame<'a>>,
    /// Whether there is a frame [`SLOT_AHEAD`] ahead.
    slot: bool,
}

/// No slot hint (above any slot number, so [`FlowTable::upsert_entry_hinted`] ignores it).
const NO_HINT: u32 = u32::MAX;

/// Bits of [`Head::special`]: the reasons a packet takes [`Meter::commit_special`].
/// Not metered (`result` says why).
const SKIPPED: u8 = 1;
/// Opens a window: the first packet, or a rollover.
const OPENS: u8 = window::OPENS;
/// Before the current window.
const LATE: u8 = window::LATE;
/// Its timestamp was out of range.
const BAD_TS: u8 = 8;
/// Where a packet's notes (4 bits) sit in `special`.
const NOTES_SHIFT: u8 = 4;
/// Has notes.
const NOTES: u8 = 0xf << NOTES_SHIFT;
const _: () = assert!(Notes::BAD_LENGTH.0 == 8 && (SKIPPED | OPENS | LATE | BAD_TS) & NOTES == 0);

/// What [`Meter::prepare`] says about a packet besides its dissection and key.
#[derive(Clone, Copy)]
struct Head {
    /// The packet's time in its window (a late packet's is the window start).
    ts: u64,
    /// The key's hash (meaningful only when `result` is Ok).
    hash: u64,
    /// [`SKIPPED`], [`OPENS`], ...: 0 for nearly every packet.
    special: u8,
    /// The dissection's verdict.
    result: Result<(), Skip>,
}

/// A packet parsed, keyed and placed in its window, waiting for its turn at the table (see
/// [`Meter::process_batch`]).
#[derive(Clone, Copy)]
struct Prepared {
    head: Head,
    /// The slot the index pointed at when prefetched (a hint), or [`NO_HINT`].
    hint: u32,
    /// The index bucket where the key's probe began when prefetched.
    home: u32,
    /// Meaningful only when `head.result` is Ok, as `d`.
    key: FlowKey,
    d: Dissected,
}

impl Prepared {
    const EMPTY: Prepared = Prepared {
        head: Head { ts: 0, hash: 0, special: 0, result: Ok(()) },
        hint: NO_HINT,
        home: 0,
        key: FlowKey::ZERO,
        d: Dissected::EMPTY,
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
        window_start_secs: window_start_ns / NS_PER_SEC,
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

#[cfg(test)]
mod tests {
    use super::*;

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
        meter.process(&Frame::new(T0, LinkType::RAW, &pkt), &mut sink).unwrap();
        meter.table.stats_mut(0).packets = u32::MAX;
        meter.process(&Frame::new(T0 + 7, LinkType::RAW, &pkt), &mut sink).unwrap();
        meter.process(&Frame::new(T0 + 9, LinkType::RAW, &pkt), &mut sink).unwrap();
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
