//! SPEC §3: processing a packet performs no heap allocation or free, in any path.
//!
//! A counting global allocator (per thread, so the test harness's own threads do not interfere)
//! watches a warm meter while it processes traffic that reaches every branch: new flows, updates,
//! a full table churned by evictions, rollovers, late packets, bad timestamps, every skip reason,
//! and every packet of the real-capture corpus (tunnels, fragments, malformed headers); both
//! packet by packet (`process`) and in batches (`process_batch`).

use flowlog_core::capture::CaptureReader;
use flowlog_core::{Accounting, Config, Decap, Frame, LinkType, Meter, Record, Timestamp};
use flowlog_testkit::{CountingAllocator, Pkt};

#[global_allocator]
static HEAP: CountingAllocator = CountingAllocator;

/// Heap operations made by `f` on this thread.
fn heap_ops(f: impl FnOnce()) -> u64 {
    flowlog_testkit::heap_ops(f).1
}

/// One owned frame, read before the measurement starts.
struct Owned {
    ts: Timestamp,
    link: LinkType,
    orig_len: u32,
    data: Vec<u8>,
    interface: u32,
}

impl Owned {
    fn frame(&self) -> Frame<'_> {
        let mut f = Frame::new(0, self.link, &self.data);
        f.ts = self.ts;
        f.orig_len = self.orig_len;
        f.observation_point = self.interface;
        f
    }
}

fn raw(ts_ns: u64, pkt: Vec<u8>) -> Owned {
    Owned {
        ts: Timestamp::Ns(ts_ns),
        link: LinkType::RAW,
        orig_len: pkt.len() as u32,
        data: pkt,
        interface: 0,
    }
}

/// A raw IPv4 UDP datagram, no payload, from address `src`:`sport` to 10.0.0.1:53.
fn udp4(src: u32, sport: u16) -> Vec<u8> {
    Pkt::raw().ipv4(src.to_be_bytes(), [10, 0, 0, 1]).udp(sport, 53).bytes()
}

/// Synthetic traffic that reaches every meter path: 4 × capacity flows (eviction churn),
/// windows that roll over, a jump of years, late packets, missing and out-of-range timestamps,
/// and one packet for each skip reason.
fn synthetic(capacity: u32) -> Vec<Owned> {
    const S: u64 = 1_000_000_000;
    let t0 = 1_700_000_000 * S;
    let mut v = Vec::new();
    for round in 0..10u64 {
        for i in 0..capacity * 4 {
            v.push(raw(t0 + round * 20 * S + i as u64, udp4(0x0a00_0000 + i, (i % 5000) as u16)));
        }
    }
    v.push(raw(t0, udp4(1, 1))); // late
    v.push(raw(t0 + 3 * 365 * 86_400 * S, udp4(2, 2))); // jump of years
    let mut missing = raw(0, udp4(3, 3));
    missing.ts = Timestamp::Missing;
    v.push(missing);
    let mut out_of_range = raw(0, udp4(4, 4));
    out_of_range.ts = Timestamp::OutOfRange;
    v.push(out_of_range);
    let mut bad_version = udp4(5, 5);
    bad_version[0] = 0x75;
    v.push(raw(t0, bad_version)); // bad_ip_header
    v.push(Owned { link: LinkType(147), ..raw(t0, udp4(6, 6)) }); // unsupported_link
    v.push(Owned { link: LinkType::ETHERNET, ..raw(t0, vec![0; 10]) }); // truncated_l2
    let arp = Pkt::eth([0; 6], [0; 6]).arp_request([0; 6], [0; 4], [0; 4]).bytes();
    v.push(Owned { link: LinkType::ETHERNET, ..raw(t0, arp) }); // non_ip
    v
}

fn corpus_frames() -> Vec<Owned> {
    // Without a corpus (outside CI) only the synthetic traffic is checked.
    let Some(dir) = flowlog_testkit::corpus_dir() else { return Vec::new() };
    let mut out = Vec::new();
    for sub in ["conformance", "realistic"] {
        let sub = dir.join(sub);
        let entries = std::fs::read_dir(&sub).unwrap_or_else(|e| panic!("{}: {e}", sub.display()));
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files {
            let Ok(mut reader) = CaptureReader::open(&path) else { continue };
            while let Ok(Some(f)) = reader.next_frame() {
                out.push(Owned {
                    ts: f.ts,
                    link: f.link,
                    orig_len: f.orig_len,
                    data: f.data.to_vec(),
                    interface: f.interface,
                });
            }
        }
    }
    out
}

fn run_without_allocating(config: Config, traffic: &[Owned]) {
    let mut meter = Meter::new(config).unwrap();
    let mut records = 0u64;
    let mut sink = |r: &Record| records += r.packets;
    // Warm-up pass: lazily initialised statics (if any) are set up here, outside the count.
    for f in traffic.iter().take(100) {
        let _ = meter.process(&f.frame(), &mut sink);
    }
    let ops = heap_ops(|| {
        for f in traffic {
            let _ = meter.process(&f.frame(), &mut sink);
        }
        meter.flush(&mut sink);
    });
    assert_eq!(ops, 0, "the meter allocated or freed {ops} times");
    let c = meter.counters();
    assert!(c.is_conserved());
    assert_eq!(records, c.metered);
    run_batches_without_allocating(config, traffic);
}

/// The same through `Meter::process_batch`, in batches shorter than, near and far above its
/// look-ahead (the frame list is built before the count starts).
fn run_batches_without_allocating(config: Config, traffic: &[Owned]) {
    let frames: Vec<Frame<'_>> = traffic.iter().map(Owned::frame).collect();
    for batch in [1, 7, 16, 4096] {
        let mut meter = Meter::new(config).unwrap();
        let mut records = 0u64;
        let mut sink = |r: &Record| records += r.packets;
        meter.process_batch(&frames[..frames.len().min(100)], &mut sink);
        let ops = heap_ops(|| {
            for chunk in frames.chunks(batch) {
                meter.process_batch(chunk, &mut sink);
            }
            meter.flush(&mut sink);
        });
        assert_eq!(ops, 0, "process_batch ({batch} a batch) allocated or freed {ops} times");
        let c = meter.counters();
        assert!(c.is_conserved());
        assert_eq!(records, c.metered);
    }
    run_frame_sources_without_allocating(config, &frames);
}

/// The same through the bindings' batch calls: `Meter::process_frames`, and
/// `Meter::process_frames_bounded` with room for a few records a call (a frame it refuses for
/// lack of room goes through `process`, as the C binding does).
fn run_frame_sources_without_allocating(config: Config, frames: &[Frame<'_>]) {
    for room in [None, Some(0), Some(3), Some(64)] {
        let mut meter = Meter::new(config).unwrap();
        let mut records = 0u64;
        let mut sink = |r: &Record| records += r.packets;
        meter.process_frames(&frames[..frames.len().min(100)], &mut sink);
        let ops = heap_ops(|| {
            let mut done = 0;
            while done < frames.len() {
                let rest = &frames[done..];
                done += match room {
                    None => meter.process_frames(rest, &mut sink),
                    Some(room) => match meter.process_frames_bounded(rest, room, &mut sink) {
                        0 => {
                            let _ = meter.process(&rest[0], &mut sink);
                            1
                        }
                        n => n,
                    },
                };
            }
            meter.flush(&mut sink);
        });
        assert_eq!(ops, 0, "the batch calls (room {room:?}) allocated or freed {ops} times");
        let c = meter.counters();
        assert!(c.is_conserved());
        assert_eq!(records, c.metered);
    }
}

#[test]
fn the_counting_allocator_sees_allocations() {
    let ops = heap_ops(|| {
        let v = std::hint::black_box(vec![1u8; 10]);
        drop(v);
    });
    assert_eq!(ops, 2);
}

#[test]
fn metering_synthetic_traffic_through_every_path_never_touches_the_heap() {
    // Past 1024 and 2048 flows the table's index grows (twice), under the count.
    let capacity = 3000;
    let traffic = synthetic(capacity);
    let config = Config { max_flows: capacity, window_secs: 60, ..Config::default() };
    run_without_allocating(config, &traffic);
    let mut meter = Meter::new(config).unwrap();
    let mut n = 0u64;
    for f in &traffic {
        let _ = meter.process(&f.frame(), &mut |_: &Record| n += 1);
    }
    let c = meter.counters();
    assert!(c.evictions > 0 && c.rollovers > 1 && c.late_packets > 0 && c.bad_timestamp > 0, "{c:?}");
    assert!(c.skipped.iter().all(|&n| n > 0), "every skip reason is reached: {c:?}");
}

/// Generated VPC traffic: Ethernet frames of every shape the meter has a direct path for (untagged
/// IPv4 and IPv6 TCP/UDP, VXLAN with a plain inner frame) and of the shapes it has none for
/// (VLAN tags, fragments), with more flows than the table holds.
#[test]
fn metering_generated_vpc_traffic_through_every_parse_path_never_touches_the_heap() {
    use flowlog_testkit::{FrameSize, TrafficSpec};
    let spec = TrafficSpec {
        packets: 20_000,
        flows: 2_000,
        ipv6_frac: 0.3,
        vlan_frac: 0.3,
        vxlan_frac: 0.2,
        fragment_frac: 0.1,
        frame_size: FrameSize::Imix,
        ..TrafficSpec::default()
    };
    let traffic: Vec<Owned> = spec
        .generate()
        .into_iter()
        .map(|f| Owned {
            ts: Timestamp::Ns(f.ts_ns),
            link: LinkType::ETHERNET,
            orig_len: f.orig_len,
            data: f.data,
            interface: 0,
        })
        .collect();
    for decap in [Decap::All, Decap::None] {
        for accounting in [Accounting::Ip, Accounting::L2] {
            let config = Config { max_flows: 1000, decap, accounting, ..Config::default() };
            run_without_allocating(config, &traffic);
        }
    }
}

#[test]
fn metering_every_corpus_packet_in_both_decap_modes_never_touches_the_heap() {
    let traffic = corpus_frames();
    for decap in [Decap::All, Decap::None] {
        for max_flows in [64, 1 << 16] {
            let config = Config { max_flows, window_secs: 60, decap, max_fragments: 16, ..Config::default() };
            run_without_allocating(config, &traffic);
        }
    }
}
