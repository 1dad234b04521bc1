//! The meter's counters and the conservation law of SPEC §2.

use crate::parse::Skip;

/// What happened to every packet given to a meter.
///
/// Every packet is counted in `packets_in` and in exactly one of `metered` or `skipped[reason]`;
/// the notes (`truncated_l4`, ...) annotate metered packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Packets given to the meter.
    pub packets_in: u64,
    /// Packets that updated a flow.
    pub metered: u64,
    /// Packets not metered, indexed by `Skip as usize`.
    pub skipped: [u64; Skip::ALL.len()],
    /// Metered packets with fewer than 4 bytes of L4 header (ports 0).
    pub truncated_l4: u64,
    /// Metered IPv6 packets whose extension chain did not fit.
    pub bad_ipv6_chain: u64,
    /// Metered non-first fragments whose first fragment was not seen.
    pub orphan_fragments: u64,
    /// Metered packets whose IP length field was unusable.
    pub bad_length: u64,
    /// Metered packets older than the current window (clamped to its start).
    pub late_packets: u64,
    /// Packets whose timestamp did not fit (they took the meter's clock).
    pub bad_timestamp: u64,
    /// Flows emitted early because the table was full.
    pub evictions: u64,
    /// Window rollovers.
    pub rollovers: u64,
    /// Records emitted.
    pub records: u64,
    /// Packets in emitted records (equals `metered` after a flush).
    pub record_packets: u64,
}

impl Counters {
    /// The count for a skip reason.
    #[inline]
    pub fn skipped(&self, reason: Skip) -> u64 {
        self.skipped[reason as usize]
    }

    /// Sum over all skip reasons.
    pub fn not_metered(&self) -> u64 {
        self.skipped.iter().sum()
    }

    /// `packets_in = metered + sum(not-metered reasons)` (SPEC §2).
    pub fn is_conserved(&self) -> bool {
        self.packets_in == self.metered + self.not_metered()
    }

    /// Every counter as (name, value), in a stable order: the names every binding and `--stats` show.
    pub fn fields(&self) -> [(&'static str, u64); 16] {
        [
            ("packets_in", self.packets_in),
            ("metered", self.metered),
            (Skip::UnsupportedLink.as_str(), self.skipped(Skip::UnsupportedLink)),
            (Skip::TruncatedL2.as_str(), self.skipped(Skip::TruncatedL2)),
            (Skip::NonIp.as_str(), self.skipped(Skip::NonIp)),
            (Skip::BadIpHeader.as_str(), self.skipped(Skip::BadIpHeader)),
            ("truncated_l4", self.truncated_l4),
            ("bad_ipv6_chain", self.bad_ipv6_chain),
            ("orphan_fragments", self.orphan_fragments),
            ("bad_length", self.bad_length),
            ("late_packets", self.late_packets),
            ("bad_timestamp", self.bad_timestamp),
            ("evictions", self.evictions),
            ("rollovers", self.rollovers),
            ("records", self.records),
            ("record_packets", self.record_packets),
        ]
    }
}
