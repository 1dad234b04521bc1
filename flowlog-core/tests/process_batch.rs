//! `Meter::process_batch` meters exactly as `Meter::process` frame by frame: the same records in
//! the same order (rollovers and evictions at the same points) and the same counters, for traffic
//! with evictions, rollovers, late packets, missing and out-of-range timestamps, fragments and
//! garbage, at batch sizes around the look-ahead and far above it.

use flowlog_core::meter::LOOKAHEAD;
use flowlog_core::{Config, Counters, Frame, LinkType, Meter, Record, Timestamp};
use flowlog_testkit::{FrameSize, SplitMix64, TrafficSpec};
use proptest::prelude::*;

const S: u64 = 1_000_000_000;

/// One frame of the test traffic, owned.
struct Owned {
    ts: Timestamp,
    link: LinkType,
    orig_len: u32,
    data: Vec<u8>,
}

/// Generated VPC traffic (IPv4/IPv6, VLAN, VXLAN, fragments, a snaplen) over several 10 s windows,
/// then perturbed by `seed`: timestamps made missing, out of range, late (before the window) or
/// jumped ahead by hours; frames cut short or overwritten with random bytes; odd link types.
fn traffic(seed: u64, packets: u64, flows: u32) -> Vec<Owned> {
    let buffer = TrafficSpec {
        packets,
        flows,
        seed,
        ipv6_frac: 0.3,
        vlan_frac: 0.2,
        vxlan_frac: 0.1,
        fragment_frac: 0.3,
        frame_size: FrameSize::Imix,
        start_ns: 1_700_000_000 * S,
        duration_ns: 45 * S,
        snaplen: if seed.is_multiple_of(2) { 0 } else { 96 },
    }
    .frame_buffer();
    let mut rng = SplitMix64::new(seed ^ 0xba7c);
    let mut jump = 0u64;
    let mut out = Vec::new();
    for (ts_ns, orig_len, data) in buffer.iter() {
        let mut f = Owned {
            ts: Timestamp::Ns(ts_ns + jump),
            link: LinkType::ETHERNET,
            orig_len,
            data: data.to_vec(),
        };
        match rng.next_u64() % 100 {
            0..=2 => f.ts = Timestamp::Missing,
            3 => f.ts = Timestamp::OutOfRange,
            4..=6 => f.ts = Timestamp::Ns(ts_ns + jump - 30 * S), // late, or earlier in the window
            7 => jump += 3600 * S,                                // a gap: rollover
            8 => {
                let cut = (rng.next_u64() as usize) % (f.data.len() + 1);
                f.data.truncate(cut);
            }
            9 => {
                for b in f.data.iter_mut() {
                    *b = rng.next_u64() as u8;
                }
            }
            10 => f.link = LinkType::RAW,
            11 => f.link = LinkType(147),
            _ => {}
        }
        out.push(f);
    }
    out
}

fn frame(o: &Owned) -> Frame<'_> {
    let mut f = Frame::new(0, o.link, &o.data);
    f.ts = o.ts;
    f.orig_len = o.orig_len;
    f
}

fn config(max_flows: u32) -> Config {
    Config { max_flows, max_fragments: 64, window_secs: 10, hash_seed: Some(3), ..Config::default() }
}

/// Records and counters from `process`, frame by frame, then `flush`.
fn sequential(config: Config, traffic: &[Owned]) -> (Vec<Record>, Counters, usize) {
    let mut meter = Meter::new(config).unwrap();
    let mut records = Vec::new();
    let mut skipped = 0;
    for o in traffic {
        skipped += meter.process(&frame(o), &mut |r: &Record| records.push(*r)).skip().is_some() as usize;
    }
    meter.flush(&mut |r: &Record| records.push(*r));
    (records, *meter.counters(), skipped)
}

/// Records and counters from `process_batch` over chunks of `batch` frames, then `flush`.
fn batched(config: Config, traffic: &[Owned], batch: usize) -> (Vec<Record>, Counters, usize) {
    let mut meter = Meter::new(config).unwrap();
    let frames: Vec<Frame<'_>> = traffic.iter().map(frame).collect();
    let mut records = Vec::new();
    let mut skipped = 0;
    for chunk in frames.chunks(batch) {
        skipped += meter.process_batch(chunk, &mut |r: &Record| records.push(*r));
    }
    meter.flush(&mut |r: &Record| records.push(*r));
    (records, *meter.counters(), skipped)
}

fn assert_same(config: Config, traffic: &[Owned], batch: usize) {
    let (want_records, want_counters, want_skipped) = sequential(config, traffic);
    let (records, counters, skipped) = batched(config, traffic, batch);
    assert_eq!(counters, want_counters, "batch {batch}: counters differ");
    assert_eq!(skipped, want_skipped, "batch {batch}: skipped count differs");
    assert_eq!(records.len(), want_records.len(), "batch {batch}: record count differs");
    for (i, (got, want)) in records.iter().zip(&want_records).enumerate() {
        assert_eq!(got, want, "batch {batch}: record {i} differs");
    }
}

#[test]
fn batches_of_every_size_around_the_look_ahead_meter_exactly_as_packet_by_packet() {
    let traffic = traffic(11, 6000, 400);
    let config = config(64);
    // The traffic reaches the paths the equivalence is about.
    let (_, c, skipped) = sequential(config, &traffic);
    assert!(c.evictions > 100 && c.rollovers > 3, "{c:?}");
    assert!(c.late_packets > 10 && c.bad_timestamp > 10 && skipped > 10, "{c:?}");
    assert!(c.metered > 4000 && c.is_conserved(), "{c:?}");
    // Every size up to three look-aheads: each boundary of the pipeline's stages falls in it.
    for batch in (1..=3 * LOOKAHEAD).chain([1000, traffic.len()]) {
        assert_same(config, &traffic, batch);
    }
}

#[test]
fn an_empty_batch_meters_nothing() {
    let mut meter = Meter::new(config(8)).unwrap();
    assert_eq!(meter.process_batch(&[], &mut |_: &Record| panic!("no record expected")), 0);
    assert_eq!(*meter.counters(), Counters::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn process_batch_gives_the_records_and_counters_of_process(
        seed in any::<u64>(),
        packets in 1u64..1500,
        flows in 1u32..300,
        max_flows in 1u32..80,
        batch in 1usize..200,
    ) {
        let traffic = traffic(seed, packets, flows);
        assert_same(config(max_flows), &traffic, batch);
    }
}
