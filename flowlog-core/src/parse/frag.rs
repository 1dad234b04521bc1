//! Fixed-capacity table of first fragments (SPEC §2, "Fragments").
//!
//! A ring of entries in insertion order (the next slot to write is always the oldest entry, so
//! "oldest replaced when full" costs nothing) plus a chained hash index over it: `heads[bucket]`
//! is the first entry of a bucket and each entry links to the next. Lookups and inserts are O(1)
//! expected; all memory is reserved in [`FragTable::new`].

use super::Dissected;

/// How long a first fragment is remembered, in nanoseconds of packet time.
pub const LIFETIME_NS: u64 = 30_000_000_000;

/// No entry (end of a chain, empty bucket).
const NIL: u32 = u32::MAX;

/// What identifies a datagram: addresses, protocol and IPv4 identification / IPv6 fragment id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragKey {
    /// Source address (IPv4 in the first 4 bytes).
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
    /// IPv4 identification (16 bits) or IPv6 fragment id.
    pub id: u32,
    /// IPv4 protocol, or the IPv6 fragment header's next header.
    pub protocol: u8,
    /// 4 or 6.
    pub ip_version: u8,
}

impl FragKey {
    /// The key of the datagram `d` (addresses and version) belongs to.
    #[inline]
    pub fn new(d: &Dissected, protocol: u8, id: u32) -> FragKey {
        FragKey { src: d.src, dst: d.dst, id, protocol, ip_version: d.ip_version }
    }

    #[inline]
    fn hash(&self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let word = |b: &[u8; 16], i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            u64::from_ne_bytes(w)
        };
        let mut h = u64::from(self.id) | u64::from(self.protocol) << 32 | u64::from(self.ip_version) << 40;
        for w in [word(&self.src, 0), word(&self.src, 8), word(&self.dst, 0), word(&self.dst, 8)] {
            let r = u128::from(h ^ w) * u128::from(K);
            h = (r as u64) ^ ((r >> 64) as u64);
        }
        h
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: FragKey,
    ts_ns: u64,
    ports: (u16, u16),
    /// Next entry in the same bucket, or NIL.
    next: u32,
    used: bool,
}

const EMPTY: Entry = Entry {
    key: FragKey { src: [0; 16], dst: [0; 16], id: 0, protocol: 0, ip_version: 0 },
    ts_ns: 0,
    ports: (0, 0),
    next: NIL,
    used: false,
};

/// First fragments seen in the last 30 s of packet time, so that later fragments of the same
/// datagram take their ports. Capacity fixed at construction; the oldest entry is replaced when full.
#[derive(Debug)]
pub struct FragTable {
    entries: Box<[Entry]>,
    heads: Box<[u32]>,
    /// The slot the next new datagram takes: the oldest one.
    cursor: u32,
}

impl FragTable {
    /// A table for `capacity` datagrams; all memory is reserved here. Capacity 0 remembers nothing.
    pub fn new(capacity: u32) -> FragTable {
        let buckets = (capacity.max(1) as usize).next_power_of_two();
        FragTable {
            entries: vec![EMPTY; capacity as usize].into_boxed_slice(),
            heads: vec![NIL; buckets].into_boxed_slice(),
            cursor: 0,
        }
    }

    /// Bytes of heap the table holds.
    pub fn heap_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.entries) + core::mem::size_of_val(&*self.heads)
    }

    /// How many datagrams the table holds at most.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    #[inline]
    fn bucket(&self, key: &FragKey) -> usize {
        // heads.len() is a power of two.
        (key.hash() as usize) & (self.heads.len() - 1)
    }

    #[inline]
    fn find(&self, key: &FragKey) -> Option<u32> {
        let mut i = *self.heads.get(self.bucket(key))?;
        while let Some(e) = self.entries.get(i as usize) {
            if e.used && e.key == *key {
                return Some(i);
            }
            i = e.next;
        }
        None
    }

    /// The ports of the first fragment of `key`'s datagram, if it was seen within the last 30 s of
    /// packet time (`ts_ns` is the current packet's).
    #[inline]
    pub fn ports(&self, key: &FragKey, ts_ns: u64) -> Option<(u16, u16)> {
        let e = self.entries.get(self.find(key)? as usize)?;
        (ts_ns.saturating_sub(e.ts_ns) <= LIFETIME_NS).then_some(e.ports)
    }

    /// Remember the ports of a first fragment seen at `ts_ns`. A datagram already present is
    /// refreshed; otherwise the oldest entry is replaced.
    #[inline]
    pub fn remember(&mut self, key: &FragKey, ports: (u16, u16), ts_ns: u64) {
        if let Some(i) = self.find(key) {
            if let Some(e) = self.entries.get_mut(i as usize) {
                e.ports = ports;
                e.ts_ns = ts_ns;
            }
            return;
        }
        let cap = self.entries.len() as u32;
        if cap == 0 {
            return;
        }
        let slot = self.cursor;
        self.cursor = if slot + 1 == cap { 0 } else { slot + 1 };
        if let Some(old) = self.entries.get(slot as usize).copied().filter(|e| e.used) {
            self.unlink(slot, &old.key);
        }
        let b = self.bucket(key);
        let head = self.heads.get(b).copied().unwrap_or(NIL);
        if let Some(e) = self.entries.get_mut(slot as usize) {
            *e = Entry { key: *key, ts_ns, ports, next: head, used: true };
        }
        if let Some(h) = self.heads.get_mut(b) {
            *h = slot;
        }
    }

    /// Remove entry `slot` (holding `key`) from its bucket's chain.
    fn unlink(&mut self, slot: u32, key: &FragKey) {
        let b = self.bucket(key);
        let after = self.entries.get(slot as usize).map_or(NIL, |e| e.next);
        let Some(&head) = self.heads.get(b) else { return };
        if head == slot {
            self.heads[b] = after;
            return;
        }
        let mut i = head;
        while let Some(e) = self.entries.get(i as usize) {
            if e.next == slot {
                self.entries[i as usize].next = after;
                return;
            }
            i = e.next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u32) -> FragKey {
        let mut src = [0; 16];
        src[..4].copy_from_slice(&[10, 0, 0, 1]);
        let mut dst = [0; 16];
        dst[..4].copy_from_slice(&[10, 0, 0, 2]);
        FragKey { src, dst, id, protocol: 17, ip_version: 4 }
    }

    const S: u64 = 1_000_000_000;

    #[test]
    fn a_non_first_fragment_takes_the_ports_of_its_first_fragment() {
        let mut t = FragTable::new(4);
        t.remember(&key(1), (53, 4000), 100 * S);
        assert_eq!(t.ports(&key(1), 101 * S), Some((53, 4000)));
        assert_eq!(t.ports(&key(2), 101 * S), None, "another datagram id is an orphan");
        let mut other = key(1);
        other.protocol = 6;
        assert_eq!(t.ports(&other, 101 * S), None, "protocol is part of the datagram key");
    }

    #[test]
    fn a_first_fragment_is_remembered_for_30_seconds_of_packet_time() {
        let mut t = FragTable::new(4);
        t.remember(&key(1), (1, 2), 100 * S);
        assert_eq!(t.ports(&key(1), 130 * S), Some((1, 2)));
        assert_eq!(t.ports(&key(1), 130 * S + 1), None);
    }

    #[test]
    fn when_full_the_oldest_entry_is_replaced() {
        let mut t = FragTable::new(3);
        for id in 0..3 {
            t.remember(&key(id), (id as u16, 0), S);
        }
        t.remember(&key(3), (3, 0), S);
        assert_eq!(t.ports(&key(0), S), None, "oldest gone");
        for id in 1..4 {
            assert_eq!(t.ports(&key(id), S), Some((id as u16, 0)));
        }
        // Keep churning: every chain stays consistent.
        for id in 4..1000 {
            t.remember(&key(id), (id as u16, 1), S);
            assert_eq!(t.ports(&key(id), S), Some((id as u16, 1)));
            assert_eq!(t.ports(&key(id - 3), S), None);
            let older = id - 2;
            assert_eq!(t.ports(&key(older), S), Some((older as u16, u16::from(older >= 4))));
        }
    }

    #[test]
    fn a_repeated_first_fragment_refreshes_its_entry() {
        let mut t = FragTable::new(2);
        t.remember(&key(1), (1, 1), S);
        t.remember(&key(1), (1, 1), 20 * S);
        assert_eq!(t.ports(&key(1), 45 * S), Some((1, 1)));
    }

    #[test]
    fn a_zero_capacity_table_remembers_nothing() {
        let mut t = FragTable::new(0);
        t.remember(&key(1), (1, 1), S);
        assert_eq!(t.ports(&key(1), S), None);
    }

    #[test]
    fn heap_bytes_counts_entries_and_index() {
        let t = FragTable::new(1000);
        assert_eq!(t.heap_bytes(), 1000 * core::mem::size_of::<Entry>() + 1024 * 4);
    }
}
