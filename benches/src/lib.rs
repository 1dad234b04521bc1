//! Shared inputs of the flowlog benchmarks (`benches/benches/*.rs`) and the memory report
//! (`src/bin/memory.rs`).
//!
//! Every input is generated in memory before measuring, by the testkit's seeded generator, so runs
//! are repeatable and nothing but the code under test is timed.

use flowlog_core::format::aws::AwsField;
use flowlog_core::format::{FormatKind, Formatter};
use flowlog_core::{
    Action, Config, Direction, Dissected, EndReason, FlowKey, Frame, LinkType, LogStatus, Meter, Record,
};
use flowlog_testkit::{tcp_flags, FrameBuffer, FrameSize, Pkt, SplitMix64, TrafficSpec};

/// The meter benchmarks' window: 600 s, the largest cloud window.
pub const WINDOW_SECS: u64 = 600;

/// Start of the generated traffic: 1 s into a window-aligned epoch second, so that every frame
/// of a [`TRAFFIC_SECS`]-long capture falls in one window.
pub const START_NS: u64 = (1_700_000_000 / WINDOW_SECS * WINDOW_SECS + 1) * 1_000_000_000;

/// How long the generated traffic lasts: well inside one window.
pub const TRAFFIC_SECS: u64 = 500;

/// Frames a meter benchmark processes per iteration for `flows` concurrent flows: enough that
/// every flow has a packet and small tables still see a long, heavy-tailed stream.
pub fn packets_for(flows: u32) -> u64 {
    (flows as u64).max(1 << 18)
}

/// Mixed VPC traffic (IPv4/IPv6, VLANs, a little VXLAN and fragmentation) over exactly `flows`
/// flows, all inside one window.
pub fn traffic(flows: u32, frame_size: FrameSize) -> FrameBuffer {
    TrafficSpec {
        packets: packets_for(flows),
        flows,
        seed: 0x5eed,
        frame_size,
        start_ns: START_NS,
        duration_ns: TRAFFIC_SECS * 1_000_000_000,
        ..TrafficSpec::default()
    }
    .frame_buffer()
}

/// `n` 64-byte (60 captured bytes) Ethernet/IPv4/TCP frames over `n` distinct flows.
pub fn ipv4_tcp_min_frames(n: usize) -> Vec<Vec<u8>> {
    let mut rng = SplitMix64::new(64);
    (0..n)
        .map(|i| {
            let h = (i as u32).to_be_bytes();
            let remote = (rng.next_u64() as u32 | 0x0100_0000).to_be_bytes();
            Pkt::eth([2, 0, 0, h[1], h[2], h[3]], [2, 0, 0, 0xff, 0xff, 1])
                .ipv4([10, h[1], h[2], h[3]], remote)
                .tcp(1024 + (i % 60_000) as u16, 443, tcp_flags::ACK)
                .payload(6)
                .bytes()
        })
        .collect()
}

/// A meter for `max_flows` flows, one window of [`WINDOW_SECS`], fixed hash seed.
pub fn meter(max_flows: u32) -> Meter {
    Meter::new(Config { max_flows, window_secs: WINDOW_SECS, hash_seed: Some(7), ..Config::default() })
        .expect("benchmark config is valid")
}

/// The frames of `buffer` as [`Frame`]s (Ethernet, as [`run`] builds them), for `Meter::process_batch`.
pub fn frames(buffer: &FrameBuffer) -> Vec<Frame<'_>> {
    buffer
        .iter()
        .map(|(ts_ns, orig_len, data)| {
            let mut frame = Frame::new(ts_ns, LinkType::ETHERNET, data);
            frame.orig_len = orig_len;
            frame
        })
        .collect()
}

/// Feed every frame of `frames` to `meter`; returns the records emitted (evictions, rollovers).
#[inline]
pub fn run(meter: &mut Meter, frames: &FrameBuffer) -> u64 {
    let mut records = 0u64;
    let mut sink = |_: &Record| records += 1;
    for (ts_ns, orig_len, data) in frames.iter() {
        let mut frame = Frame::new(ts_ns, LinkType::ETHERNET, data);
        frame.orig_len = orig_len;
        let _ = meter.process(&frame, &mut sink);
    }
    records
}

/// `n` records as a busy VPC interface's window would flush them: IPv4 and IPv6; TCP with flags,
/// UDP, ICMP/ICMPv6; both directions; a few VLANs and rejects (the format benchmarks' input).
pub fn records(n: usize) -> Vec<Record> {
    let mut rng = SplitMix64::new(0xf0f0);
    (0..n)
        .map(|_| {
            let r = rng.next_u64();
            let mut d = Dissected::EMPTY;
            let v6 = r.is_multiple_of(4);
            d.ip_version = if v6 { 6 } else { 4 };
            let (a, b) = (rng.next_u64(), rng.next_u64());
            if v6 {
                // 2001:db8:<a>::<b> and 2600:1f18:<a>:<b>:… : typical cloud prefixes.
                d.src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
                d.src[4..6].copy_from_slice(&(a as u16).to_be_bytes());
                d.src[14..].copy_from_slice(&((a >> 16) as u16).to_be_bytes());
                d.dst[..4].copy_from_slice(&[0x26, 0x00, 0x1f, 0x18]);
                d.dst[4..].copy_from_slice(&b.to_be_bytes()[..4].repeat(3));
            } else {
                d.src[..4].copy_from_slice(&[10, 0, (a >> 8) as u8, a as u8]);
                d.dst[..4].copy_from_slice(&(b as u32 | 0x0100_0000).to_be_bytes());
            }
            let proto_pick = (r >> 8) % 10;
            let (protocol, icmp) = match proto_pick {
                0..=5 => (6u8, false),
                6..=8 => (17, false),
                _ => (if v6 { 58 } else { 1 }, true),
            };
            d.protocol = protocol;
            if !icmp {
                d.src_port = if (r >> 16).is_multiple_of(2) { 443 } else { 1024 + (a >> 32) as u16 % 60_000 };
                d.dst_port = if (r >> 17).is_multiple_of(2) { 32768 + (b >> 40) as u16 % 28_000 } else { 53 };
            }
            d.vlan = if (r >> 20).is_multiple_of(16) { 100 + (r >> 24) as u16 % 50 } else { 0 };
            let dir = if (r >> 30).is_multiple_of(2) { Direction::In } else { Direction::Out };
            let action = if (r >> 31).is_multiple_of(20) { Action::Reject } else { Action::Accept };
            let key = FlowKey::new(&d, 1 + (r >> 32) as u32 % 4, dir, action, true, false);
            // Heavy-tailed packet counts: mostly small flows, some large ones.
            let packets = 1 + ((rng.next_u64() % 1000) >> ((r >> 36) % 8));
            let bytes = packets * (40 + (r >> 40) % 1460);
            let start_ns = START_NS + rng.next_u64() % (500 * 1_000_000_000);
            let end_ns = start_ns + rng.next_u64() % (60 * 1_000_000_000);
            let tcp_flags = if protocol == 6 {
                [0x02, 0x12, 0x1b, 0x10, 0x18, 0x11, 0x04][(r >> 44) as usize % 7]
            } else {
                0
            };
            Record {
                key,
                packets,
                bytes,
                start_ns,
                end_ns,
                tcp_flags,
                tcp_syn_ack: tcp_flags == 0x12 || tcp_flags == 0x1b,
                has_icmp: icmp,
                icmp_type: if icmp { [0, 8, 3, 128, 129][(r >> 48) as usize % 5] } else { 0 },
                icmp_code: if icmp && (r >> 52).is_multiple_of(4) { 3 } else { 0 },
                window_start_secs: START_NS / 1_000_000_000 - 1,
                window_secs: 600,
                end_reason: if (r >> 56).is_multiple_of(8) { EndReason::Flush } else { EndReason::Window },
                log_status: LogStatus::Ok,
            }
        })
        .collect()
}

/// The writers the format benchmarks measure, by name: every format, and AWS with every supported
/// field (`aws-v5-all`).
pub fn formatters() -> Vec<(&'static str, Formatter)> {
    let every_field = AwsField::ALL.map(|f| format!("${{{}}}", f.name())).join(" ");
    let mut all: Vec<(&str, Formatter)> =
        FormatKind::ALL.iter().map(|&k| (k.as_str(), Formatter::new(k))).collect();
    all.push(("aws-v5-all", Formatter::aws_with_fields(&every_field).expect("every supported field")));
    all
}
