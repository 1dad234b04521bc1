//! A deterministic, seedable generator of synthetic VPC traffic, with the ground truth it knows.
//!
//! Flows are unidirectional 5-tuples between ENI-like local addresses (10.0.0.0/8, fd00::/8) and
//! remote addresses; each flow is IPv4 or IPv6, TCP, UDP or ICMP, possibly in a VLAN and possibly
//! carried in a VXLAN tunnel (its key is then the inner header's, as in decap mode `all`). Packets
//! per flow are heavy-tailed (Zipf, exponent 1, at least one each) and interleaved at random;
//! timestamps ascend evenly over `[start_ns, start_ns + duration_ns)`. Some UDP datagrams over
//! plain IPv4 are sent as two fragments, the second straight after the first.
//!
//! Flow keys are distinct by construction (each flow owns a (local address, local port) pair, or
//! for ICMP a local address), so the number of flows with a packet is the number of records a
//! meter emits for one window with no eviction.
//!
//! ```
//! use flowlog_testkit::{FrameSize, TrafficSpec};
//!
//! let spec = TrafficSpec { packets: 1_000, flows: 50, seed: 7, frame_size: FrameSize::Min64, ..TrafficSpec::default() };
//! let mut frames = spec.frames();
//! let n = frames.by_ref().count();
//! assert_eq!(n, 1_000);
//! assert_eq!(frames.truth().flows, 50);
//! ```

use std::io::{self, Write};

use crate::packet::{tcp_flags, Pkt};
use crate::pcap::{Endian, PcapWriter, TsPrecision};
use flowlog_core::LinkType;

/// A tiny PRNG (SplitMix64): fast, seedable, good enough for traffic shapes. Not cryptographic.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// SplitMix64's finaliser: a bijection on u64 that scrambles every bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Frame sizes. Sizes are Ethernet frame sizes on the wire *including* the 4-byte FCS, as RFC
/// 2544 and IMIX count them, so the captured frame (no FCS) is 4 bytes shorter: a 64-byte frame
/// is 60 captured bytes. A frame is never smaller than its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrameSize {
    /// The smallest frame: 64 bytes (60 captured), or just the headers when they need more.
    Min64,
    /// Simple IMIX: 64, 594 and 1518 bytes in the ratio 7:4:1 (IP packets of 46, 576 and 1500
    /// bytes on an untagged link); mean 353.8 bytes.
    #[default]
    Imix,
    /// Every frame this size.
    Fixed(u16),
}

/// What to generate. `Default` gives a small mixed capture starting at 2023-11-14T22:13:20Z.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrafficSpec {
    /// Frames to generate (a fragmented datagram is two frames).
    pub packets: u64,
    /// Distinct flows (each gets at least one packet, so at most `packets` are used).
    pub flows: u32,
    /// PRNG seed: the same spec gives the same bytes.
    pub seed: u64,
    /// Fraction of flows over IPv6.
    pub ipv6_frac: f64,
    /// Fraction of flows with an 802.1Q tag.
    pub vlan_frac: f64,
    /// Fraction of flows carried in VXLAN (outer IPv4/UDP 4789, inner Ethernet).
    pub vxlan_frac: f64,
    /// Fraction of UDP datagrams over plain IPv4 sent as two fragments.
    pub fragment_frac: f64,
    /// Frame sizes.
    pub frame_size: FrameSize,
    /// Timestamp of the first frame (ns since the Unix epoch).
    pub start_ns: u64,
    /// Timestamps spread over this many nanoseconds.
    pub duration_ns: u64,
    /// Captured bytes per frame at most (`orig_len` stays the wire length); 0 keeps whole frames.
    pub snaplen: u32,
}

impl Default for TrafficSpec {
    fn default() -> Self {
        TrafficSpec {
            packets: 10_000,
            flows: 500,
            seed: 1,
            ipv6_frac: 0.2,
            vlan_frac: 0.1,
            vxlan_frac: 0.05,
            fragment_frac: 0.02,
            frame_size: FrameSize::Imix,
            start_ns: 1_700_000_000_000_000_000,
            duration_ns: 60_000_000_000,
            snaplen: 0,
        }
    }
}

/// One generated frame: Ethernet link type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFrame {
    /// Capture time, ns since the Unix epoch.
    pub ts_ns: u64,
    /// The captured bytes.
    pub data: Vec<u8>,
    /// The wire length (≥ `data.len()`).
    pub orig_len: u32,
}

/// What the generator knows about what it produced: the expected totals of a meter in decap mode
/// `all`, `ip` accounting, keys without VLAN or tunnel ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroundTruth {
    /// Frames produced.
    pub packets: u64,
    /// Distinct flow keys among them.
    pub flows: u32,
    /// Sum of the keyed (innermost) IP header's total length: the meter's `ip` bytes.
    pub bytes: u64,
    /// Sum of the wire lengths (`l2` accounting).
    pub wire_bytes: u64,
    /// Sum of the captured lengths.
    pub captured_bytes: u64,
    /// Frames whose keyed header is IPv6.
    pub ipv6_packets: u64,
    /// Frames with an 802.1Q tag.
    pub vlan_packets: u64,
    /// Frames carried in VXLAN.
    pub vxlan_packets: u64,
    /// Frames that are IPv4 fragments (first and non-first).
    pub fragment_packets: u64,
    /// TCP frames.
    pub tcp_packets: u64,
    /// UDP frames (fragments included).
    pub udp_packets: u64,
    /// ICMP and ICMPv6 frames.
    pub icmp_packets: u64,
}

impl TrafficSpec {
    /// An iterator over the frames, in timestamp order. It holds O(flows) state, never the frames.
    pub fn frames(&self) -> Generator {
        Generator::new(*self)
    }

    /// All frames in memory.
    pub fn generate(&self) -> Vec<GeneratedFrame> {
        self.frames().collect()
    }

    /// All frames in one contiguous buffer (what benchmarks iterate over).
    pub fn frame_buffer(&self) -> FrameBuffer {
        let mut g = self.frames();
        let mut buf = FrameBuffer::default();
        while let Some(f) = g.next_frame(&mut buf.data) {
            buf.frames.push(f);
        }
        buf.truth = g.truth();
        buf
    }

    /// The ground truth, by running the generator.
    pub fn truth(&self) -> GroundTruth {
        let mut g = self.frames();
        g.by_ref().for_each(drop);
        g.truth()
    }
}

/// Stream the frames of `spec` into a classic pcap file (little endian, µs, Ethernet, snaplen
/// `spec.snaplen` or 65535) without holding them in memory; returns the ground truth.
///
/// # Errors
/// Any error of `out`.
pub fn write_pcap<W: Write>(spec: &TrafficSpec, out: W) -> io::Result<GroundTruth> {
    let snaplen = if spec.snaplen == 0 { 65535 } else { spec.snaplen };
    let mut w = PcapWriter::new(
        io::BufWriter::new(out),
        LinkType::ETHERNET,
        snaplen,
        Endian::Little,
        TsPrecision::Micro,
    )?;
    let mut g = spec.frames();
    let mut data = Vec::with_capacity(2048);
    while let Some(f) = {
        data.clear();
        g.next_frame(&mut data)
    } {
        w.packet(f.ts_ns, f.orig_len, &data)?;
    }
    w.into_inner().flush()?;
    Ok(g.truth())
}

/// Where one frame of a [`FrameBuffer`] lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRef {
    /// Capture time, ns.
    pub ts_ns: u64,
    /// Offset of the captured bytes in the buffer.
    pub offset: usize,
    /// Captured length.
    pub caplen: u32,
    /// Wire length.
    pub orig_len: u32,
}

/// Frames stored back to back in one allocation.
#[derive(Debug, Clone, Default)]
pub struct FrameBuffer {
    data: Vec<u8>,
    frames: Vec<FrameRef>,
    truth: GroundTruth,
}

impl FrameBuffer {
    /// Number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frames as `(ts_ns, orig_len, captured bytes)`.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u64, u32, &[u8])> + '_ {
        self.frames
            .iter()
            .map(move |f| (f.ts_ns, f.orig_len, &self.data[f.offset..f.offset + f.caplen as usize]))
    }

    /// The ground truth of the frames.
    pub fn truth(&self) -> GroundTruth {
        self.truth
    }

    /// Heap bytes held (frames and index).
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity() + self.frames.capacity() * core::mem::size_of::<FrameRef>()
    }
}

/// A Fenwick tree over the packets each flow still has to send: draws a flow with probability
/// proportional to its remaining packets in O(log flows), so the interleaving is a uniform shuffle.
#[derive(Debug, Clone)]
struct Remaining {
    tree: Vec<u64>, // 1-based
    total: u64,
}

impl Remaining {
    fn new(counts: &[u64]) -> Remaining {
        let n = counts.len();
        let mut tree = vec![0u64; n + 1];
        for (i, &c) in counts.iter().enumerate() {
            tree[i + 1] += c;
            let parent = (i + 1) + ((i + 1) & (i + 1).wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i + 1];
            }
        }
        Remaining { tree, total: counts.iter().sum() }
    }

    /// The flow holding the `u`-th remaining packet (`u < total`).
    fn find(&self, mut u: u64) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= u {
                u -= self.tree[next];
                pos = next;
            }
            step >>= 1;
        }
        // pos is the last 1-based position whose prefix sum is <= u: the owner is pos + 1,
        // i.e. 0-based index pos.
        pos
    }

    fn take(&mut self, flow: usize, n: u64) {
        let mut i = flow + 1;
        while i < self.tree.len() {
            self.tree[i] -= n;
            i += i & i.wrapping_neg();
        }
        self.total -= n;
    }
}

/// The shape of one flow, derived from (seed, flow index) alone.
#[derive(Debug, Clone, Copy)]
struct Flow {
    v6: bool,
    vxlan: bool,
    vlan: Option<u16>,
    protocol: u8,
    src: [u8; 16],
    dst: [u8; 16],
    sport: u16,
    dport: u16,
    local_host: u32,
}

const SERVICE_PORTS: [u16; 7] = [443, 80, 53, 22, 3306, 6379, 8080];

/// The frame iterator of a [`TrafficSpec`]. Also yields frames into a caller's buffer with
/// [`Generator::next_frame`].
#[derive(Debug, Clone)]
pub struct Generator {
    spec: TrafficSpec,
    rng: SplitMix64,
    counts: Vec<u64>,
    sent: Vec<u64>,
    remaining: Remaining,
    hosts: u32,
    index: u64,
    pending: Option<(Vec<u8>, u32)>,
    truth: GroundTruth,
}

impl Generator {
    fn new(spec: TrafficSpec) -> Generator {
        let flows = (spec.flows as u64).min(spec.packets) as usize;
        // Zipf(1): flow r gets 1 + its share of the rest by weight 1/(r+1); the rounding
        // remainder goes to the heaviest flows, one each.
        let extra = spec.packets - flows as u64;
        let weights: Vec<f64> = (0..flows).map(|r| 1.0 / (r as f64 + 1.0)).collect();
        let total_w: f64 = weights.iter().sum();
        let mut counts: Vec<u64> =
            weights.iter().map(|w| 1 + (extra as f64 * w / total_w).floor() as u64).collect();
        let mut left = spec.packets - counts.iter().sum::<u64>().min(spec.packets);
        let mut r = 0;
        while left > 0 && flows > 0 {
            counts[r % flows] += 1;
            left -= 1;
            r += 1;
        }
        let hosts = (flows as u32).div_ceil(64_512).max(1024);
        Generator {
            rng: SplitMix64::new(spec.seed ^ 0x6765_6e65_7261_7465),
            remaining: Remaining::new(&counts),
            sent: vec![0; flows],
            counts,
            hosts,
            index: 0,
            pending: None,
            truth: GroundTruth { flows: flows as u32, ..GroundTruth::default() },
            spec,
        }
    }

    /// The ground truth of the frames produced so far (`flows`: flows of the whole spec).
    pub fn truth(&self) -> GroundTruth {
        self.truth
    }

    fn flow(&self, i: u32) -> Flow {
        let spec = &self.spec;
        let mut r = SplitMix64::new(mix64(spec.seed ^ ((i as u64) << 20) ^ 0x666c_6f77));
        let v6 = r.unit() < spec.ipv6_frac;
        let vxlan = r.unit() < spec.vxlan_frac;
        let vlan = (r.unit() < spec.vlan_frac).then(|| 1 + r.below(4094) as u16);
        let p = r.unit();
        let protocol = match (p < 0.7, p < 0.95, v6) {
            (true, _, _) => 6,
            (false, true, _) => 17,
            (false, false, false) => 1,
            (false, false, true) => 58,
        };
        let outbound = r.below(2) == 0;
        let service = match r.below(8) {
            k @ 0..=6 => SERVICE_PORTS[k as usize],
            _ => 1 + r.below(65535) as u16,
        };
        // Injective in i: a (local host, local port) pair per TCP/UDP flow, a local address per
        // ICMP flow (with the remote taking the high bits past 2^23 flows).
        let host = i % self.hosts;
        let lport = (1024 + i / self.hosts) as u16;
        let mut local = [0u8; 16];
        let mut remote = [0u8; 16];
        let icmp = protocol == 1 || protocol == 58;
        if v6 {
            local[0] = 0xfd;
            local[1] = icmp as u8;
            let id = if icmp { i } else { host };
            local[12..16].copy_from_slice(&id.to_be_bytes());
            remote[0..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            remote[4..12].copy_from_slice(&r.next_u64().to_be_bytes());
            remote[12..16].copy_from_slice(&(r.next_u64() as u32).to_be_bytes());
        } else if icmp {
            let l = 0x0a80_0000 | (i & 0x007f_ffff);
            local[0..4].copy_from_slice(&l.to_be_bytes());
            let rem = 0x6440_0000 | ((i >> 23) & 0x003f_ffff); // 100.64.0.0/10
            remote[0..4].copy_from_slice(&rem.to_be_bytes());
        } else {
            let l = 0x0a00_0000 | (host & 0x007f_ffff);
            local[0..4].copy_from_slice(&l.to_be_bytes());
            let mut first = 11 + r.below(213) as u8; // 11..=223
            if first == 127 || first == 100 {
                first += 1;
            }
            remote[0] = first;
            remote[1..4].copy_from_slice(&(r.next_u64() as u32).to_be_bytes()[1..4]);
        }
        let (sport, dport) = if icmp { (0, 0) } else { (lport, service) };
        // Outbound: the local side sends from its port to a remote service; inbound: the remote
        // service answers it. Either way the local (address, port) pair makes the key unique.
        let (src, dst) = if outbound { (local, remote) } else { (remote, local) };
        let (sport, dport) = if outbound { (sport, dport) } else { (dport, sport) };
        Flow { v6, vxlan, vlan, protocol, src, dst, sport, dport, local_host: host }
    }

    /// Wire size including FCS of the next frame.
    fn frame_size(&mut self) -> usize {
        match self.spec.frame_size {
            FrameSize::Min64 => 64,
            FrameSize::Fixed(n) => n as usize,
            FrameSize::Imix => match self.rng.below(12) {
                0..=6 => 64,
                7..=10 => 594,
                _ => 1518,
            },
        }
    }

    fn ts(&mut self, j: u64) -> u64 {
        let p = self.spec.packets.max(1) as u128;
        let d = self.spec.duration_ns as u128;
        let base = self.spec.start_ns as u128 + d * j as u128 / p;
        let slot = (d / p) as u64;
        (base as u64).saturating_add(self.rng.below(slot))
    }

    /// Append the next frame's captured bytes to `out` and return where they are (offset
    /// relative to `out`'s length before the call); `None` at the end.
    pub fn next_frame(&mut self, out: &mut Vec<u8>) -> Option<FrameRef> {
        let j = self.index;
        if j >= self.spec.packets || (self.remaining.total == 0 && self.pending.is_none()) {
            return None;
        }
        self.index += 1;
        let ts_ns = self.ts(j);
        if let Some((data, orig_len)) = self.pending.take() {
            return Some(self.emit(out, ts_ns, &data, orig_len));
        }
        let u = self.rng.below(self.remaining.total);
        let fi = self.remaining.find(u);
        let flow = self.flow(fi as u32);
        let k = self.sent[fi];
        let count = self.counts[fi];
        let size = self.frame_size();

        let fragment = flow.protocol == 17
            && !flow.v6
            && !flow.vxlan
            && count - k >= 2
            && self.rng.unit() < self.spec.fragment_frac;
        let (mut frames, keyed_bytes) = self.build(&flow, k, count, size, fragment, j as u16);
        let n = frames.len() as u64;
        self.remaining.take(fi, n);
        self.sent[fi] += n;

        let t = &mut self.truth;
        t.bytes += keyed_bytes[0];
        t.ipv6_packets += flow.v6 as u64 * n;
        t.vlan_packets += flow.vlan.is_some() as u64 * n;
        t.vxlan_packets += flow.vxlan as u64 * n;
        t.fragment_packets += if fragment { n } else { 0 };
        t.tcp_packets += (flow.protocol == 6) as u64 * n;
        t.udp_packets += (flow.protocol == 17) as u64 * n;
        t.icmp_packets += (flow.protocol == 1 || flow.protocol == 58) as u64 * n;
        if n == 2 {
            t.bytes += keyed_bytes[1];
            let second = frames.pop().unwrap_or_default();
            let len = second.len() as u32;
            self.pending = Some((second, len));
        }
        let first = frames.swap_remove(0);
        let len = first.len() as u32;
        Some(self.emit(out, ts_ns, &first, len))
    }

    fn emit(&mut self, out: &mut Vec<u8>, ts_ns: u64, frame: &[u8], orig_len: u32) -> FrameRef {
        let caplen =
            if self.spec.snaplen == 0 { frame.len() } else { frame.len().min(self.spec.snaplen as usize) };
        let offset = out.len();
        out.extend_from_slice(&frame[..caplen]);
        self.truth.packets += 1;
        self.truth.wire_bytes += orig_len as u64;
        self.truth.captured_bytes += caplen as u64;
        FrameRef { ts_ns, offset, caplen: caplen as u32, orig_len }
    }

    /// The frame(s) of packet `k` of `flow`: one, or two fragments. Also the keyed IP lengths.
    fn build(
        &self,
        flow: &Flow,
        k: u64,
        count: u64,
        size: usize,
        fragment: bool,
        ip_id: u16,
    ) -> (Vec<Vec<u8>>, [u64; 2]) {
        let h = flow.local_host.to_be_bytes();
        let local_mac = [2, 0, 0, h[1], h[2], h[3]];
        let gw_mac = [2, 0, 0, 0xff, 0xff, 1];
        let mut p = Pkt::eth(local_mac, gw_mac);
        if let Some(id) = flow.vlan {
            p = p.vlan(id);
        }
        let mut headers = 14 + if flow.vlan.is_some() { 4 } else { 0 };
        if flow.vxlan {
            let vtep_src = [192, 168, h[2], h[3]];
            let vtep_dst = [192, 168, 255, 1];
            let vni = 1000 + flow.local_host % 100;
            let entropy = crate::packet::VXLAN_SOURCE_PORT
                | (mix64(flow.src[3] as u64 ^ ((flow.sport as u64) << 8)) as u16 & 0x3fff);
            p = p
                .ipv4(vtep_src, vtep_dst)
                .udp(entropy, crate::packet::VXLAN_PORT)
                .vxlan_header(vni)
                .inner_eth(local_mac, gw_mac);
            headers += 20 + 8 + 8 + 14;
        }
        let ip_header = if flow.v6 { 40 } else { 20 };
        let l4_header = match flow.protocol {
            6 => 20,
            _ => 8,
        };
        headers += ip_header + l4_header;
        // `size` counts the FCS; the captured frame does not.
        let frame_len = size.saturating_sub(4).max(headers);
        let payload = frame_len - headers;
        let l4_total = l4_header + payload;

        if fragment {
            let (src, dst) = (v4(&flow.src), v4(&flow.dst));
            let first_len = ((l4_total / 2) & !7).max(8);
            if first_len < l4_total {
                let whole = Pkt::raw().ipv4(src, dst).udp(flow.sport, flow.dport).payload(payload).bytes();
                let body = &whole[20..];
                let f1 = p
                    .clone()
                    .ipv4(src, dst)
                    .ipv4_fragment(ip_id, 0, true)
                    .protocol(17)
                    .payload_bytes(&body[..first_len])
                    .pad_to(60)
                    .bytes();
                let f2 = p
                    .ipv4(src, dst)
                    .ipv4_fragment(ip_id, (first_len / 8) as u16, false)
                    .protocol(17)
                    .payload_bytes(&body[first_len..])
                    .pad_to(60)
                    .bytes();
                let b1 = (20 + first_len) as u64;
                let b2 = (20 + l4_total - first_len) as u64;
                return (vec![f1, f2], [b1, b2]);
            }
        }

        p = if flow.v6 { p.ipv6(flow.src, flow.dst) } else { p.ipv4(v4(&flow.src), v4(&flow.dst)) };
        p = match flow.protocol {
            6 => {
                let flags = if k == 0 {
                    tcp_flags::SYN
                } else if k + 1 == count && count > 2 {
                    tcp_flags::FIN | tcp_flags::ACK
                } else if payload > 0 {
                    tcp_flags::PSH | tcp_flags::ACK
                } else {
                    tcp_flags::ACK
                };
                p.tcp(flow.sport, flow.dport, flags)
            }
            17 => p.udp(flow.sport, flow.dport),
            1 => p.icmp(8, 0),
            _ => p.icmpv6(128, 0),
        };
        let bytes = p.payload(payload).bytes();
        ((vec![bytes]), [(ip_header + l4_total) as u64, 0])
    }
}

fn v4(a: &[u8; 16]) -> [u8; 4] {
    [a[0], a[1], a[2], a[3]]
}

impl Iterator for Generator {
    type Item = GeneratedFrame;

    fn next(&mut self) -> Option<GeneratedFrame> {
        let mut data = Vec::new();
        let f = self.next_frame(&mut data)?;
        Some(GeneratedFrame { ts_ns: f.ts_ns, data, orig_len: f.orig_len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenwick_draw_finds_the_flow_owning_each_packet() {
        let r = Remaining::new(&[2, 0, 3, 1]);
        let owners: Vec<usize> = (0..6).map(|u| r.find(u)).collect();
        assert_eq!(owners, [0, 0, 2, 2, 2, 3]);
    }

    #[test]
    fn same_seed_gives_same_bytes_and_another_seed_does_not() {
        let spec = TrafficSpec { packets: 300, flows: 40, ..TrafficSpec::default() };
        assert_eq!(spec.generate(), spec.generate());
        assert_ne!(spec.generate(), TrafficSpec { seed: 2, ..spec }.generate());
    }

    #[test]
    fn packets_per_flow_are_heavy_tailed_and_every_flow_has_one() {
        let g = Generator::new(TrafficSpec { packets: 10_000, flows: 1_000, ..TrafficSpec::default() });
        assert_eq!(g.counts.iter().sum::<u64>(), 10_000);
        assert!(g.counts.iter().all(|&c| c >= 1));
        // Zipf(1) over 1000 flows: the top flow holds about 9000 / H(1000) ≈ 1200 packets.
        assert!(g.counts[0] > 1_000 && g.counts[999] < 5, "{} {}", g.counts[0], g.counts[999]);
    }
}
