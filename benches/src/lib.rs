//! Shared inputs of the flowlog benchmarks (`benches/benches/*.rs`) and the memory report
//! (`src/bin/memory.rs`).
//!
//! Every input is generated in memory before measuring, by the testkit's seeded generator, so runs
//! are repeatable and nothing but the code under test is timed.

use flowlog_core::{Config, Frame, LinkType, Meter, Record};
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
