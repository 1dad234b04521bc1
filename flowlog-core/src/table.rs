//! The session table (SPEC §3): fixed capacity, LRU eviction that emits, never loses.
//!
//! Layout: a dense array of `Slot`s (key + stats, 80 bytes), a parallel array of LRU links (8 bytes
//! per flow, plus one for the list's ends) and an open-addressing index of `u32` entries (linear
//! probing, 1.5 entries per flow) that point into the slots. Each index entry packs the slot number
//! with a few bits of the key's hash, so a probe that meets another key is usually rejected without
//! touching that key's slot. The links live apart from the slots because every update relinks the
//! flow's LRU neighbours: in a compact array of their own they stay in the CPU's cache (512 KiB for
//! 64K flows) instead of costing two more slot cache lines per packet. The list is a ring through a
//! sentinel entry after the last slot's, whose links are the list's ends: relinking a flow takes no
//! test (no end of the list is a special case), so the branch predictor has nothing to miss.
//!
//! Hand-rolled rather than `hashbrown::HashTable`: under eviction churn a full hashbrown table
//! accumulates tombstones and, once it holds more than half its capacity, rehashes into a new
//! allocation (`reserve_rehash`), so it must be reserved at twice the capacity (≈ 20 bytes of
//! index per flow) to stay allocation-free. Linear probing with backward-shift deletion leaves no
//! tombstones, so 6 bytes of index per flow suffice and no operation ever allocates.
//!
//! The index in use grows within its reservation. It starts at 1536 entries (`FIRST_BUCKETS`)
//! and grows (re-inserting every flow) whenever it is more than 2/3 full: it doubles up to
//! 196 608 entries (`LAST_DOUBLED`), then takes its whole reservation of 1.5 entries per flow of
//! capacity, and it never shrinks. So a table sized for a million flows that holds a few
//! thousand keeps its index in a few kilobytes: in the CPU's cache, and without making most of
//! its 6 MiB reservation resident. A growth is a pause of the packet that triggers it: at most
//! 8 growths in a table's life, the longest re-inserting 131 072 flows into the whole index.
//! Growth touches no heap and changes no record.

use crate::key::{FlowKey, HashKeys};
use crate::mem::{prefetch_at, Zeroable, ZeroedArray};

/// Counters of one flow within one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowStats {
    /// Earliest packet time, ns.
    pub first_ns: u64,
    /// Latest packet time, ns.
    pub last_ns: u64,
    /// Bytes.
    pub bytes: u64,
    /// Packets (a record is split before this overflows; see `EndReason::PacketLimit`).
    pub packets: u32,
    /// Bits 0–8: OR of TCP flags (with NS); bit 14: a packet had SYN+ACK; bit 15: ICMP type/code known.
    pub flags: u16,
    /// ICMP type of the first packet.
    pub icmp_type: u8,
    /// ICMP code of the first packet.
    pub icmp_code: u8,
}

impl FlowStats {
    /// A new flow's stats before its first packet: no packet, and the earliest and latest times
    /// set so that the first packet's time replaces both with no test of whether it is the first
    /// (`min` and `max` take it).
    pub const NEW: FlowStats = FlowStats {
        first_ns: u64::MAX,
        last_ns: 0,
        bytes: 0,
        packets: 0,
        flags: 0,
        icmp_type: 0,
        icmp_code: 0,
    };
}

/// Bit of [`FlowStats::flags`] that marks `icmp_type`/`icmp_code` as set.
pub const FLAG_HAS_ICMP: u16 = 1 << 15;
/// Bit of [`FlowStats::flags`] set when one packet carried SYN and ACK together.
pub const FLAG_SYN_ACK: u16 = 1 << 14;
/// Bits of [`FlowStats::flags`] that hold the TCP flags.
pub const TCP_FLAGS_MASK: u16 = 0x1ff;

/// No slot (what [`FlowTable::prefetch_slot`] returns when it found none).
const NIL: u32 = u32::MAX;
/// Index entries in use when a table starts (when it has that many): 6 KiB, enough for 1024
/// flows before the first growth.
const FIRST_BUCKETS: usize = 1536;
/// The largest index in use that still doubles (768 KiB, 131 072 flows); past it the index grows
/// straight to its whole reservation. A growth re-inserts every flow at once, so this bounds the
/// longest pause, however large the table; below it, a table that holds 100 000 flows keeps
/// 6 MiB of a 1M-flow reservation out of memory.
const LAST_DOUBLED: usize = FIRST_BUCKETS << 7;
/// An index entry holds slot + 1, so an all-zero index is empty and can come from zeroed pages.
const EMPTY: u32 = 0;
/// Index buckets a slot hint reads ([`FlowTable::prefetch_slot`]): most keys sit within the first
/// few buckets of their run, and one further on is found by the upsert's full probe.
const HINT_PROBES: usize = 4;
/// Entries after the index's reservation, always EMPTY, so that a hint's buckets are in the index
/// wherever its run starts.
const HINT_TAIL: usize = HINT_PROBES - 1;

#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Slot {
    key: FlowKey,
    stats: FlowStats,
}

const _: () = assert!(core::mem::size_of::<Slot>() == 80);

/// A slot's place in the LRU order.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Links {
    /// Towards the least recently updated flow.
    prev: u32,
    /// Towards the most recently updated flow.
    next: u32,
}

/// What an upsert of the table did (found, added, or added in place of the evicted flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// The key was present, in this slot.
    Existing(u32),
    /// The key was added in a free slot, with the stats [`FlowStats::NEW`].
    New(u32),
    /// The table was full: the least recently updated flow (key and stats returned) was removed
    /// and its slot reused for the key, with the stats [`FlowStats::NEW`].
    Replaced(u32, FlowKey, FlowStats),
}

/// A fixed-capacity flow table with LRU order. Never allocates after [`FlowTable::new`].
pub struct FlowTable {
    slots: ZeroedArray<Slot>,
    /// `links[i]` is slot `i`'s place in the LRU order; `links[capacity]` is the sentinel
    /// ([`FlowTable::ends`]): its `next` is the least recently updated slot, its `prev` the most
    /// recently updated one, itself when no slot is in use.
    links: ZeroedArray<Links>,
    /// The reservation for the index, and [`HINT_TAIL`] entries more that a slot hint may read
    /// past its end; entries at and above `buckets` are always EMPTY.
    index: ZeroedArray<u32>,
    /// Index entries in use: the probe space is `index[..buckets]`.
    buckets: usize,
    /// Slots `0..len` are in use.
    len: u32,
    /// The bits of an index entry above the slot number: the entry's tag, a few bits of the
    /// key's hash.
    tag_mask: u32,
    /// The per-table hash seed, folded into the hash's constants.
    hash_keys: HashKeys,
}

impl FlowTable {
    /// A table for `max_flows` flows (1 ..= 2^28); reserves all its memory now.
    pub fn new(max_flows: u32, seed: u64) -> FlowTable {
        let max_flows = max_flows.clamp(1, crate::config::MAX_FLOWS_LIMIT);
        // 1.5 index entries per flow keeps linear probing short (load ≤ 2/3).
        let buckets = (max_flows as usize + max_flows as usize / 2).max(max_flows as usize + 1);
        let mut table = FlowTable {
            slots: ZeroedArray::new(max_flows as usize),
            links: ZeroedArray::new(max_flows as usize + 1),
            index: ZeroedArray::new(buckets + HINT_TAIL),
            buckets: buckets.min(FIRST_BUCKETS),
            len: 0,
            // Above the bits needed to write `max_flows` itself: an entry stores slot + 1
            // (1..=max_flows), so it is never 0 (EMPTY).
            tag_mask: !0u32 << (32 - max_flows.leading_zeros()),
            hash_keys: HashKeys::new(seed),
        };
        table.clear_lru();
        table
    }

    /// The sentinel of the LRU ring: the index in `links` after the last slot's.
    #[inline]
    fn ends(&self) -> u32 {
        self.capacity()
    }

    /// Empty the LRU ring: the sentinel alone.
    fn clear_lru(&mut self) {
        let ends = self.ends();
        self.links[ends as usize] = Links { prev: ends, next: ends };
    }

    /// Flows the table can hold.
    pub fn capacity(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Flows in the table now.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held by the table (slots + LRU links + index).
    pub fn heap_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.slots)
            + core::mem::size_of_val(&*self.links)
            + core::mem::size_of_val(&*self.index)
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        // Lemire's range reduction: maps the high 32 bits onto 0..buckets without a division.
        (((hash >> 32) * self.buckets as u64) >> 32) as usize
    }

    #[inline]
    fn next_bucket(&self, i: usize) -> usize {
        if i + 1 == self.buckets {
            0
        } else {
            i + 1
        }
    }

    /// The index entry for `slot`, tagged with the hash's bits in the tag's place: the low half of
    /// the hash, which [`FlowTable::home`] does not use, masked in place (no shift per packet).
    #[inline]
    fn entry(&self, slot: u32, hash: u64) -> u32 {
        self.tag(hash) | (slot + 1)
    }

    /// The tag of the entries of keys with this hash.
    #[inline]
    fn tag(&self, hash: u64) -> u32 {
        hash as u32 & self.tag_mask
    }

    #[inline]
    fn slot_of(&self, entry: u32) -> u32 {
        (entry & !self.tag_mask).wrapping_sub(1)
    }

    /// The hash of `key` for [`FlowTable::upsert_entry`] (seeded per table).
    #[inline]
    pub(crate) fn hash(&self, key: &FlowKey) -> u64 {
        self.hash_keys.hash(key)
    }

    /// Find `key` (as `Existing`) or add it, evicting the least recently updated flow when full,
    /// with its hash from [`FlowTable::hash`]; the slot becomes the most recently updated, and its
    /// stats come back with it. Never allocates. The hit path is inline and
    /// works on the arrays borrowed once (so that its LRU stores do not make the compiler reload
    /// the table's fields); the miss path ([`FlowTable::insert`]) is out of line.
    #[inline(always)]
    pub(crate) fn upsert_entry(&mut self, key: &FlowKey, hash: u64) -> (Upsert, &mut FlowStats) {
        let (tag_mask, want_tag) = (self.tag_mask, self.tag(hash));
        let mut i = self.home(hash);
        let found = loop {
            let e = self.index[i];
            if e == EMPTY {
                break None;
            }
            if e & tag_mask == want_tag {
                let slot = self.slot_of(e);
                if self.slots[slot as usize].key == *key {
                    break Some(slot);
                }
            }
            i = self.next_bucket(i);
        };
        match found {
            Some(slot) => {
                // The stats' address is taken before the LRU stores, so it is not reloaded.
                let FlowTable { slots, links, .. } = self;
                let s = &mut slots[slot as usize].stats;
                // SAFETY: the table's own ring, and `slot` is indexed, so in use and in the ring.
                unsafe { move_to_tail(links, slot) };
                (Upsert::Existing(slot), s)
            }
            None => {
                let upsert = self.insert(key, hash, i);
                let (Upsert::New(slot) | Upsert::Replaced(slot, ..) | Upsert::Existing(slot)) = upsert;
                (upsert, &mut self.slots[slot as usize].stats)
            }
        }
    }

    /// [`FlowTable::upsert_entry`] given a hint from [`FlowTable::prefetch_slot`]: when the
    /// hinted slot is in use and holds `key`, that is where `key` is (every slot below `len`
    /// holds a distinct indexed key), so the index probe is skipped. Otherwise the full upsert.
    #[inline(always)]
    pub(crate) fn upsert_entry_hinted(
        &mut self,
        key: &FlowKey,
        hash: u64,
        hint: u32,
    ) -> (Upsert, &mut FlowStats) {
        let slot = hint;
        // Any hint at or above `len` (such as u32::MAX for none) is no slot in use.
        // SAFETY: `slot` < `len` ≤ the slots' length (the table's invariant): no second check.
        if slot < self.len && unsafe { self.slots.get_unchecked(slot as usize) }.key == *key {
            // The stats' address is taken before the LRU stores, so it is not reloaded.
            let FlowTable { slots, links, .. } = self;
            let s = &mut slots[slot as usize].stats;
            // SAFETY: the table's own ring, and `slot` < `len` is in use, so in the ring.
            unsafe { move_to_tail(links, slot) };
            return (Upsert::Existing(slot), s);
        }
        self.upsert_entry(key, hash)
    }

    /// Ask the CPU to start loading the index bucket where the probe for `hash` begins, and
    /// return that bucket for [`FlowTable::prefetch_slot`]. A hint: no state changes, nothing
    /// happens on targets other than x86-64. (`home` is always a bucket, but the prefetch needs
    /// no bounds check either way.)
    #[inline]
    pub(crate) fn prefetch_index(&self, hash: u64) -> u32 {
        let home = self.home(hash);
        prefetch_at(&self.index, home, 0);
        // The index holds at most 1.5 × 2^28 entries.
        home as u32
    }

    /// Read the start of the probe run for `hash` from `home`, the bucket
    /// [`FlowTable::prefetch_index`] returned for it (and brought in), and, if an entry's tag
    /// matches, start loading that slot; returns the slot, or `u32::MAX`.
    /// A hint only: the table may change before the upsert, which probes again in full. (Had the
    /// index grown since, `home` is still a bucket, as the index never shrinks: the hint is
    /// merely worse.)
    ///
    #[inline(always)]
    pub(crate) fn prefetch_slot(&self, home: u32, hash: u64) -> u32 {
        let (tag_mask, want_tag) = (self.tag_mask, self.tag(hash));
        let home = home as usize;
        // The run's first buckets in one bounds check: past the index in use they are EMPTY,
        // and the reservation's `HINT_TAIL` keeps them in the index. A run that wraps to the
        // index's start gets no hint; the upsert probes it in full.
        let Some(run) = self.index.get(home..home + HINT_PROBES) else { return NIL };
        for &e in run {
            if e == EMPTY {
                return NIL;
            }
            if e & tag_mask == want_tag {
                let slot = self.slot_of(e);
                // A slot is 80 bytes: it always spans two cache lines; its last byte is in the
                // second.
                prefetch_at(&self.slots, slot as usize, 0);
                prefetch_at(&self.slots, slot as usize, core::mem::size_of::<Slot>() - 1);
                prefetch_at(&self.links, slot as usize, 0);
                return slot;
            }
        }
        NIL
    }

    /// The miss path of [`FlowTable::upsert_entry`], kept out of line so that the hit path
    /// (nearly every packet) stays small: add `key` (hash `hash`) at the empty bucket `i` ending
    /// its probe run, evicting the least recently updated flow when the table is full.
    #[inline(never)]
    fn insert(&mut self, key: &FlowKey, hash: u64, i: usize) -> Upsert {
        if self.len < self.capacity() {
            let slot = self.len;
            self.len += 1;
            self.index[i] = self.entry(slot, hash);
            let s = &mut self.slots[slot as usize];
            s.key = *key;
            s.stats = FlowStats::NEW;
            // SAFETY: the table's own ring, and the new slot (below `len` ≤ capacity) is not in it.
            unsafe { push_tail(&mut self.links, slot) };
            // More than 2/3 full: probe runs would grow long. (A full table's index is always
            // whole, so the eviction path below never needs this.)
            if self.len as usize * 3 > self.buckets * 2 && self.buckets < self.reserved_buckets() {
                self.grow_index();
            }
            return Upsert::New(slot);
        }
        let victim = self.links[self.ends() as usize].next;
        let old = self.slots[victim as usize];
        self.remove_index(victim, &old.key);
        // SAFETY: the table's own ring; the victim is the ring's oldest slot.
        unsafe { unlink(&mut self.links, victim) };
        // The removal may have shifted entries, so probe again for the free bucket.
        self.index_at_free_bucket(victim, hash);
        let s = &mut self.slots[victim as usize];
        s.key = *key;
        s.stats = FlowStats::NEW;
        // SAFETY: the table's own ring, which the victim left above.
        unsafe { push_tail(&mut self.links, victim) };
        Upsert::Replaced(victim, old.key, old.stats)
    }

    /// Grow the index in use (see the module notes) and re-insert every flow, in slot order.
    #[cold]
    #[inline(never)]
    fn grow_index(&mut self) {
        let old = self.buckets;
        self.index[..old].fill(EMPTY);
        let (doubled, whole) = (old * 2, self.reserved_buckets());
        self.buckets = if doubled <= LAST_DOUBLED { doubled.min(whole) } else { whole };
        for slot in 0..self.len {
            let hash = self.hash_keys.hash(&self.slots[slot as usize].key);
            self.index_at_free_bucket(slot, hash);
        }
    }

    /// The most index entries the table may use (1.5 per flow of capacity).
    fn reserved_buckets(&self) -> usize {
        self.index.len() - HINT_TAIL
    }

    /// Index `slot` (its key's hash `hash`) at the first empty bucket of its probe run; the key
    /// is not in the index.
    fn index_at_free_bucket(&mut self, slot: u32, hash: u64) {
        let mut i = self.home(hash);
        while self.index[i] != EMPTY {
            i = self.next_bucket(i);
        }
        self.index[i] = self.entry(slot, hash);
    }

    /// Index entries in use (see the module notes): grows with the flows, never shrinks.
    #[cfg(test)]
    fn buckets_in_use(&self) -> usize {
        self.buckets
    }

    /// The stats of a slot in use.
    #[inline]
    pub fn stats_mut(&mut self, slot: u32) -> &mut FlowStats {
        &mut self.slots[slot as usize].stats
    }

    /// The key and stats of a slot.
    #[inline]
    pub fn get(&self, slot: u32) -> (&FlowKey, &FlowStats) {
        let s = &self.slots[slot as usize];
        (&s.key, &s.stats)
    }

    /// Call `emit` for every flow, in slot order (creation order, deterministic for a given
    /// input), then empty the table. Never allocates.
    pub fn drain(&mut self, mut emit: impl FnMut(&FlowKey, &FlowStats)) {
        for s in &self.slots[..self.len as usize] {
            emit(&s.key, &s.stats);
        }
        self.clear();
    }

    /// Forget every flow without emitting; keeps the memory.
    pub fn clear(&mut self) {
        if self.len as usize > self.buckets / 16 {
            self.index[..self.buckets].fill(EMPTY);
        } else {
            // Few flows in a large table: zero just their entries, so that a small window does not
            // touch (and make resident) the whole index.
            for slot in 0..self.len {
                let mut i = self.home(self.hash_keys.hash(&self.slots[slot as usize].key));
                // Entries cleared earlier in this loop read as EMPTY; step over them.
                while self.index[i] == EMPTY || self.slot_of(self.index[i]) != slot {
                    i = self.next_bucket(i);
                }
                self.index[i] = EMPTY;
            }
        }
        self.len = 0;
        self.clear_lru();
    }

    /// Remove `slot`'s entry (key `key`) from the index with backward-shift deletion, which keeps
    /// every probe run contiguous and leaves no tombstone.
    fn remove_index(&mut self, slot: u32, key: &FlowKey) {
        let mut i = self.home(self.hash_keys.hash(key));
        // EMPTY decodes to slot u32::MAX, never a slot number, so the run's hole is not mistaken.
        while self.slot_of(self.index[i]) != slot {
            i = self.next_bucket(i);
        }
        // `i` is now a hole; pull later entries of the run back into it when their home allows.
        let mut hole = i;
        let mut j = self.next_bucket(i);
        loop {
            let e = self.index[j];
            if e == EMPTY {
                break;
            }
            let k = self.slots[self.slot_of(e) as usize].key;
            let home = self.home(self.hash_keys.hash(&k));
            // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
            let in_between = if hole <= j { hole < home && home <= j } else { hole < home || home <= j };
            if !in_between {
                self.index[hole] = e;
                hole = j;
            }
            j = self.next_bucket(j);
        }
        self.index[hole] = EMPTY;
    }
}

/// Make `slot` (in the LRU ring `links`, whose last entry is the sentinel) the most recently
/// updated: unlink it and relink it before the sentinel. Free functions over the links, so
/// that a caller can hold a borrow of the slots across them. A slot that is already the most
/// recently updated is unlinked and relinked in place, without a test to spot it.
///
/// Every packet relinks its flow, so the accesses go unchecked (asserted in debug builds),
/// which saves their compare-and-branch pairs.
///
/// # Safety
/// `links` is one consistent ring through its last entry: every `prev`/`next` of an entry in
/// the ring is below `links.len()`, and `slot` is in it and is not the sentinel. A table's ring
/// keeps this invariant: it links exactly the slots below `len` and the sentinel.
#[inline]
unsafe fn move_to_tail(links: &mut [Links], slot: u32) {
    // SAFETY: the contract is the two functions' contracts; after the unlink, `slot` is out of
    // the ring, as `push_tail` requires.
    unsafe {
        unlink(links, slot);
        push_tail(links, slot);
    }
}

/// Take `slot` out of the LRU ring `links`.
///
/// # Safety
/// As for [`move_to_tail`]: a consistent ring through the last entry, `slot` in it and not the
/// sentinel.
#[inline]
unsafe fn unlink(links: &mut [Links], slot: u32) {
    let n = links.len();
    debug_assert!((slot as usize) < n - 1);
    // SAFETY: every access below is in bounds: by the contract, `slot` and every link are below
    // `links.len()`.
    unsafe {
        let Links { prev, next } = *links.get_unchecked(slot as usize);
        debug_assert!((prev as usize) < n && (next as usize) < n);
        links.get_unchecked_mut(prev as usize).next = next;
        links.get_unchecked_mut(next as usize).prev = prev;
    }
}

/// Link `slot`, which is not in the ring, as the most recently updated: before the sentinel.
///
/// # Safety
/// `links` is a consistent ring through its last entry (as for [`move_to_tail`]) and `slot` is
/// below that last entry.
#[inline]
unsafe fn push_tail(links: &mut [Links], slot: u32) {
    let ends = links.len() - 1;
    debug_assert!((slot as usize) < ends);
    // SAFETY: every access below is in bounds: `slot` and `ends` are below `links.len()`, and so
    // is every link of the ring.
    unsafe {
        let last = links.get_unchecked(ends).prev;
        debug_assert!((last as usize) <= ends);
        *links.get_unchecked_mut(slot as usize) = Links { prev: last, next: ends as u32 };
        links.get_unchecked_mut(last as usize).next = slot;
        links.get_unchecked_mut(ends).prev = slot;
    }
}

// SAFETY: FlowKey and FlowStats are integers and byte arrays; Slot is repr(C) of the two.
unsafe impl Zeroable for Slot {}
// SAFETY: two u32.
unsafe impl Zeroable for Links {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Find or add `k` (the meter's upsert, without its stats).
    fn upsert(t: &mut FlowTable, k: &FlowKey) -> Upsert {
        let hash = t.hash(k);
        t.upsert_entry(k, hash).0
    }
    use std::collections::BTreeMap;

    fn key(n: u32) -> FlowKey {
        let mut k = FlowKey::ZERO;
        k.src[..4].copy_from_slice(&n.to_be_bytes());
        k.protocol = 17;
        k
    }

    #[test]
    fn new_then_existing() {
        let mut t = FlowTable::new(4, 1);
        assert_eq!(upsert(&mut t, &key(1)), Upsert::New(0));
        assert_eq!(*t.get(0).1, FlowStats::NEW);
        assert_eq!(upsert(&mut t, &key(2)), Upsert::New(1));
        assert_eq!(upsert(&mut t, &key(1)), Upsert::Existing(0));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn full_table_replaces_the_least_recently_updated_flow() {
        let mut t = FlowTable::new(3, 7);
        for n in 1..=3 {
            upsert(&mut t, &key(n));
        }
        upsert(&mut t, &key(1)); // 2 is now the least recently updated
        t.stats_mut(1).packets = 5;
        match upsert(&mut t, &key(4)) {
            Upsert::Replaced(slot, old, stats) => {
                assert_eq!(slot, 1);
                assert_eq!(old, key(2));
                assert_eq!(stats.packets, 5);
                assert_eq!(*t.get(slot).1, FlowStats::NEW, "the reused slot starts anew");
            }
            other => panic!("expected a replacement, got {other:?}"),
        }
        assert!(matches!(upsert(&mut t, &key(2)), Upsert::Replaced(_, k, _) if k == key(3)));
    }

    #[test]
    fn drain_emits_every_flow_once_and_empties() {
        let mut t = FlowTable::new(100, 3);
        for n in 0..50 {
            upsert(&mut t, &key(n));
        }
        let mut seen = Vec::new();
        t.drain(|k, _| seen.push(*k));
        assert_eq!(seen.len(), 50);
        assert!(t.is_empty());
        assert_eq!(upsert(&mut t, &key(0)), Upsert::New(0));
    }

    /// Random operations against a simple model: a map plus a recency list.
    #[test]
    fn agrees_with_a_reference_lru_under_churn() {
        // 2100 flows outgrow the first index twice (at 1024 and 2048 flows) on the way to full.
        for cap in [1u32, 2, 3, 7, 64, 2100] {
            let mut t = FlowTable::new(cap, 0);
            let mut model: BTreeMap<FlowKey, u64> = BTreeMap::new(); // key -> last use
            let mut clock = 0u64;
            let mut x = 12345u64;
            for _ in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let k = key((x % (cap as u64 * 3 + 1)) as u32);
                clock += 1;
                let got = upsert(&mut t, &k);
                if let Some(v) = model.get_mut(&k) {
                    *v = clock;
                    assert!(matches!(got, Upsert::Existing(_)));
                } else if model.len() < cap as usize {
                    model.insert(k, clock);
                    assert!(matches!(got, Upsert::New(_)));
                } else {
                    let (&lru, _) = model.iter().min_by_key(|(_, &v)| v).unwrap();
                    model.remove(&lru);
                    model.insert(k, clock);
                    assert!(matches!(got, Upsert::Replaced(_, old, _) if old == lru));
                }
                assert_eq!(t.len() as usize, model.len());
            }
            for k in model.keys() {
                assert!(matches!(upsert(&mut t, k), Upsert::Existing(_)));
            }
        }
    }

    #[test]
    fn the_index_in_use_grows_with_the_flows_up_to_its_reservation() {
        let cap = 100_000u32;
        let mut t = FlowTable::new(cap, 9);
        let whole = t.reserved_buckets();
        assert_eq!(whole, 150_000);
        assert_eq!(t.buckets_in_use(), FIRST_BUCKETS);
        let mut seen = vec![FIRST_BUCKETS];
        for n in 0..cap {
            assert_eq!(upsert(&mut t, &key(n)), Upsert::New(n));
            let b = t.buckets_in_use();
            // Load at most 2/3 after every insert; the index only ever doubles (or reaches the
            // whole reservation).
            assert!(3 * t.len() as usize <= 2 * b || b == whole, "{} flows in {b} buckets", t.len());
            if b != *seen.last().unwrap() {
                let last = *seen.last().unwrap();
                assert!(b == 2 * last && b <= LAST_DOUBLED || b == whole, "{last} -> {b}");
                // The pause a growth costs: re-inserting at most 2/3 of LAST_DOUBLED flows.
                assert!(t.len() as usize <= LAST_DOUBLED * 2 / 3 + 1, "grew at {} flows", t.len());
                seen.push(b);
            }
            // Nothing outside the index in use.
            if n % 9973 == 0 {
                assert!(t.index[b..].iter().all(|&e| e == EMPTY));
            }
        }
        assert_eq!(seen, [1536, 3072, 6144, 12288, 24576, 49152, 98304, whole]);
        // Every flow is still found in its own slot, and a full table evicts in LRU order.
        for n in 0..cap {
            assert_eq!(upsert(&mut t, &key(n)), Upsert::Existing(n));
        }
        assert!(matches!(upsert(&mut t, &key(cap)), Upsert::Replaced(0, old, _) if old == key(0)));
        // Cleared, it keeps the index it grew (no growth again) and finds flows anew.
        t.clear();
        assert_eq!(t.buckets_in_use(), whole);
        assert!(t.index.iter().all(|&e| e == EMPTY));
        for n in 0..10 {
            assert_eq!(upsert(&mut t, &key(n + 7)), Upsert::New(n));
        }
        assert_eq!(upsert(&mut t, &key(7)), Upsert::Existing(0));
    }

    #[test]
    fn a_table_that_holds_few_flows_touches_only_the_first_index() {
        let mut t = FlowTable::new(1 << 20, 3);
        for round in 0..50u32 {
            for n in 0..1000 {
                upsert(&mut t, &key(round * 1000 + n));
            }
            t.clear();
        }
        assert_eq!(t.buckets_in_use(), FIRST_BUCKETS);
    }

    impl PartialOrd for FlowKey {
        fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for FlowKey {
        fn cmp(&self, other: &Self) -> core::cmp::Ordering {
            self.words().cmp(&other.words())
        }
    }

    #[test]
    fn memory_per_flow_is_under_96_bytes() {
        let t = FlowTable::new(1 << 20, 0);
        let per_flow = t.heap_bytes() as f64 / t.capacity() as f64;
        assert!(per_flow <= 96.0, "{per_flow} bytes per flow");
    }
}
