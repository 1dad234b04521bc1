//! The lookup structure: address ranges flattened into sorted, disjoint segments.
//!
//! Every entry (a CIDR or a `first,last` range) is a closed interval of addresses. At load, the
//! intervals of one family are cut at every entry's start and end into disjoint segments, and
//! each segment keeps the entry that wins there: the smallest interval containing it, ties to the
//! earliest entry. For CIDRs the smallest containing interval is the longest matching prefix, so
//! one rule serves `cidr_blocks`, `threat_intel` and `geo` alike. A lookup is a binary search over
//! the segment starts: no allocation, `O(log n)`, two flat arrays.
//!
//! Why not a prefix-trie crate: geo files hold arbitrary ranges, which a trie cannot store without
//! splitting them into prefixes, and a trie's insert replaces an equal prefix where §7.6 keeps the
//! first one; the flat segments handle both with one short sweep at load.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::IpAddr;

use ipnet::IpNet;

/// Marks a segment that no entry covers.
const NONE: u32 = u32::MAX;

/// An address of one family as an integer.
pub(crate) trait Key: Copy + Ord {
    /// The next address, `None` after the last one.
    fn next(self) -> Option<Self>;
    /// The number of addresses in `first..=last`, minus one (the order of sizes is what matters).
    fn span(first: Self, last: Self) -> u128;
}

impl Key for u32 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn span(first: Self, last: Self) -> u128 {
        u128::from(last - first)
    }
}

impl Key for u128 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn span(first: Self, last: Self) -> u128 {
        last - first
    }
}

/// Disjoint segments of one family: `starts[i]..starts[i + 1]` maps to `values[i]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Segments<K> {
    starts: Vec<K>,
    values: Vec<u32>,
}

impl<K: Key> Segments<K> {
    /// Flattens `(first, last, value)` intervals (`first <= last`), given in file order.
    fn build(entries: &[(K, K, u32)]) -> Self {
        let mut cuts: Vec<K> = Vec::with_capacity(entries.len() * 2);
        for &(first, last, _) in entries {
            cuts.push(first);
            cuts.extend(last.next());
        }
        cuts.sort_unstable();
        cuts.dedup();

        // Entries by start; the heap holds those started so far, best (smallest, earliest) on top.
        let mut by_start: Vec<usize> = (0..entries.len()).collect();
        by_start.sort_by_key(|&i| entries[i].0);
        let mut active = BinaryHeap::new();
        let mut next_entry = 0;
        let mut segments = Segments { starts: Vec::new(), values: Vec::new() };
        let mut previous = NONE;
        for &cut in &cuts {
            while let Some(&i) = by_start.get(next_entry) {
                if entries[i].0 > cut {
                    break;
                }
                let (first, last, _) = entries[i];
                active.push(Reverse((K::span(first, last), i)));
                next_entry += 1;
            }
            // Entries that ended before this cut can no longer win; drop them lazily.
            while let Some(&Reverse((_, i))) = active.peek() {
                if entries[i].1 >= cut {
                    break;
                }
                active.pop();
            }
            let value = active.peek().map_or(NONE, |&Reverse((_, i))| entries[i].2);
            if value != previous {
                segments.starts.push(cut);
                segments.values.push(value);
                previous = value;
            }
        }
        segments.starts.shrink_to_fit();
        segments.values.shrink_to_fit();
        segments
    }

    /// The value of the segment holding `key`.
    fn get(&self, key: K) -> Option<u32> {
        let after = self.starts.partition_point(|&start| start <= key);
        let value = *self.values.get(after.checked_sub(1)?)?;
        (value != NONE).then_some(value)
    }
}

/// Values looked up by address: both families, each flattened into [`Segments`].
#[derive(Debug, Clone)]
pub(crate) struct RangeMap<V> {
    v4: Segments<u32>,
    v6: Segments<u128>,
    values: Vec<V>,
}

impl<V> Default for RangeMap<V> {
    fn default() -> Self {
        RangeMap { v4: Segments::default(), v6: Segments::default(), values: Vec::new() }
    }
}

impl<V> RangeMap<V> {
    /// The value of the smallest entry containing `addr` (the earliest of equal ones).
    pub(crate) fn get(&self, addr: IpAddr) -> Option<&V> {
        let index = match addr {
            IpAddr::V4(a) => self.v4.get(u32::from(a)),
            IpAddr::V6(a) => self.v6.get(u128::from(a)),
        }?;
        self.values.get(index as usize)
    }

    /// The number of entries loaded.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// Collects entries in file order, then builds a [`RangeMap`].
#[derive(Debug)]
pub(crate) struct RangeMapBuilder<V> {
    v4: Vec<(u32, u32, u32)>,
    v6: Vec<(u128, u128, u32)>,
    values: Vec<V>,
}

impl<V> Default for RangeMapBuilder<V> {
    fn default() -> Self {
        RangeMapBuilder { v4: Vec::new(), v6: Vec::new(), values: Vec::new() }
    }
}

/// Why a range cannot be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeError {
    /// The two ends are of different families.
    MixedFamilies,
    /// The first address is after the last.
    Reversed,
    /// More entries than the segments' `u32` indices can name.
    TooMany,
}

impl RangeError {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RangeError::MixedFamilies => "the first and last addresses are of different families",
            RangeError::Reversed => "the first address is after the last",
            RangeError::TooMany => "too many entries",
        }
    }
}

impl<V> RangeMapBuilder<V> {
    /// Adds a CIDR (already truncated to its network).
    pub(crate) fn push_net(&mut self, net: IpNet, value: V) -> Result<(), RangeError> {
        self.push_range(net.network(), net.broadcast(), value)
    }

    /// Adds the closed range `first..=last`.
    pub(crate) fn push_range(&mut self, first: IpAddr, last: IpAddr, value: V) -> Result<(), RangeError> {
        let index = u32::try_from(self.values.len()).map_err(|_| RangeError::TooMany)?;
        if index == NONE {
            return Err(RangeError::TooMany);
        }
        match (first, last) {
            (IpAddr::V4(f), IpAddr::V4(l)) => {
                let (f, l) = (u32::from(f), u32::from(l));
                if f > l {
                    return Err(RangeError::Reversed);
                }
                self.v4.push((f, l, index));
            }
            (IpAddr::V6(f), IpAddr::V6(l)) => {
                let (f, l) = (u128::from(f), u128::from(l));
                if f > l {
                    return Err(RangeError::Reversed);
                }
                self.v6.push((f, l, index));
            }
            _ => return Err(RangeError::MixedFamilies),
        }
        self.values.push(value);
        Ok(())
    }

    /// The map of every entry pushed.
    pub(crate) fn build(self) -> RangeMap<V> {
        let mut values = self.values;
        values.shrink_to_fit();
        RangeMap { v4: Segments::build(&self.v4), v6: Segments::build(&self.v6), values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &'static str)]) -> RangeMap<&'static str> {
        let mut b = RangeMapBuilder::default();
        for &(net, v) in entries {
            b.push_net(net.parse::<IpNet>().unwrap().trunc(), v).unwrap();
        }
        b.build()
    }

    fn get(m: &RangeMap<&'static str>, a: &str) -> Option<&'static str> {
        m.get(a.parse().unwrap()).copied()
    }

    #[test]
    fn longest_prefix_wins_and_shorter_resumes_after_it() {
        let m = map(&[("10.0.0.0/8", "a"), ("10.1.0.0/16", "b"), ("10.1.2.0/24", "c")]);
        assert_eq!(get(&m, "9.255.255.255"), None);
        assert_eq!(get(&m, "10.0.0.0"), Some("a"));
        assert_eq!(get(&m, "10.1.0.0"), Some("b"));
        assert_eq!(get(&m, "10.1.2.255"), Some("c"));
        assert_eq!(get(&m, "10.1.3.0"), Some("b"));
        assert_eq!(get(&m, "10.2.0.0"), Some("a"));
        assert_eq!(get(&m, "11.0.0.0"), None);
    }

    #[test]
    fn equal_prefixes_first_wins() {
        let m = map(&[("10.0.0.0/8", "first"), ("10.0.0.0/8", "second")]);
        assert_eq!(get(&m, "10.9.9.9"), Some("first"));
    }

    #[test]
    fn whole_spaces_reach_the_last_address() {
        let m = map(&[("0.0.0.0/0", "v4"), ("::/0", "v6"), ("255.255.255.255/32", "top")]);
        assert_eq!(get(&m, "0.0.0.0"), Some("v4"));
        assert_eq!(get(&m, "255.255.255.254"), Some("v4"));
        assert_eq!(get(&m, "255.255.255.255"), Some("top"));
        assert_eq!(get(&m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), Some("v6"));
        assert_eq!(get(&m, "::"), Some("v6"));
    }

    #[test]
    fn smallest_overlapping_range_wins() {
        let mut b = RangeMapBuilder::default();
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        b.push_range(a("1.0.0.0"), a("1.0.0.99"), "wide").unwrap();
        b.push_range(a("1.0.0.50"), a("1.0.0.149"), "wide-too").unwrap();
        b.push_range(a("1.0.0.60"), a("1.0.0.69"), "narrow").unwrap();
        let m = b.build();
        assert_eq!(m.get(a("1.0.0.49")), Some(&"wide"));
        assert_eq!(m.get(a("1.0.0.55")), Some(&"wide"));
        assert_eq!(m.get(a("1.0.0.65")), Some(&"narrow"));
        assert_eq!(m.get(a("1.0.0.70")), Some(&"wide"));
        assert_eq!(m.get(a("1.0.0.100")), Some(&"wide-too"));
        assert_eq!(m.get(a("1.0.0.150")), None);
    }

    #[test]
    fn bad_ranges_are_refused() {
        let mut b = RangeMapBuilder::default();
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(b.push_range(a("1.0.0.2"), a("1.0.0.1"), ()), Err(RangeError::Reversed));
        assert_eq!(b.push_range(a("1.0.0.2"), a("::1"), ()), Err(RangeError::MixedFamilies));
        assert_eq!(b.build().len(), 0);
    }
}
