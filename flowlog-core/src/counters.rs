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

    /// How many counters there are.
    pub const LEN: usize = 16;

    /// Every counter's name, in the stable order of [`Counters::values`]: the one list of counters.
    /// The names every binding and `--stats` show; each binding's own copy (the C struct, Node's
    /// object, Go's struct) is checked against it by a test of that binding.
    pub const NAMES: [&'static str; Counters::LEN] = [
        "packets_in",
        "metered",
        "unsupported_link",
        "truncated_l2",
        "non_ip",
        "bad_ip_header",
        "truncated_l4",
        "bad_ipv6_chain",
        "orphan_fragments",
        "bad_length",
        "late_packets",
        "bad_timestamp",
        "evictions",
        "rollovers",
        "records",
        "record_packets",
    ];

    /// Every counter's value, in the order of [`Counters::NAMES`].
    pub fn values(&self) -> [u64; Counters::LEN] {
        [
            self.packets_in,
            self.metered,
            self.skipped(Skip::UnsupportedLink),
            self.skipped(Skip::TruncatedL2),
            self.skipped(Skip::NonIp),
            self.skipped(Skip::BadIpHeader),
            self.truncated_l4,
            self.bad_ipv6_chain,
            self.orphan_fragments,
            self.bad_length,
            self.late_packets,
            self.bad_timestamp,
            self.evictions,
            self.rollovers,
            self.records,
            self.record_packets,
        ]
    }

    /// The counters with `values` in the order of [`Counters::NAMES`], the inverse of
    /// [`Counters::values`] (a binding's test builds distinct values with it to check its copy).
    pub fn from_values(values: [u64; Counters::LEN]) -> Counters {
        let [packets_in, metered, unsupported_link, truncated_l2, non_ip, bad_ip_header, truncated_l4, bad_ipv6_chain, orphan_fragments, bad_length, late_packets, bad_timestamp, evictions, rollovers, records, record_packets] =
            values;
        let mut skipped = [0; Skip::ALL.len()];
        skipped[Skip::UnsupportedLink as usize] = unsupported_link;
        skipped[Skip::TruncatedL2 as usize] = truncated_l2;
        skipped[Skip::NonIp as usize] = non_ip;
        skipped[Skip::BadIpHeader as usize] = bad_ip_header;
        Counters {
            packets_in,
            metered,
            skipped,
            truncated_l4,
            bad_ipv6_chain,
            orphan_fragments,
            bad_length,
            late_packets,
            bad_timestamp,
            evictions,
            rollovers,
            records,
            record_packets,
        }
    }

    /// Every counter as (name, value), in the order of [`Counters::NAMES`].
    pub fn fields(&self) -> [(&'static str, u64); Counters::LEN] {
        let values = self.values();
        core::array::from_fn(|i| (Counters::NAMES[i], values[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skip_counters_carry_the_skip_reasons_names() {
        for skip in Skip::ALL {
            let mut c = Counters::default();
            c.skipped[skip as usize] = 1;
            let named: Vec<_> = c.fields().into_iter().filter(|f| f.1 == 1).map(|f| f.0).collect();
            assert_eq!(named, [skip.as_str()]);
        }
    }

    #[test]
    fn from_values_is_the_inverse_of_values() {
        let values: [u64; Counters::LEN] = core::array::from_fn(|i| i as u64 + 1);
        let c = Counters::from_values(values);
        assert_eq!(c.values(), values);
        assert_eq!((c.packets_in, c.record_packets, c.skipped(Skip::NonIp)), (1, 16, 5));
        let names: std::collections::HashSet<_> = Counters::NAMES.into_iter().collect();
        assert_eq!(names.len(), Counters::LEN);
    }
}
