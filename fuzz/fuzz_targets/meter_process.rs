//! A structured sequence of (timestamp, frame) pairs through a small meter: no panic, the
//! conservation law holds after every packet and after the flush, and `process_batch` over the
//! same frames (in runs of the input's choosing) gives the same records and counters.
#![no_main]

use flowlog_core::{Config, Frame, LinkType, Meter, Record, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let config = Config {
        window_secs: 1 + (input.first().copied().unwrap_or(0) % 120) as u64,
        max_flows: 4,
        max_fragments: 2,
        ..Config::default()
    };
    let mut meter = Meter::new(config.clone()).unwrap();
    let mut records: Vec<Record> = Vec::new();
    let mut sink = |r: &Record| records.push(*r);
    // Each chunk: 1 byte link selector, 2 bytes time step (may go backwards), 1 byte length, frame.
    let mut rest = input.get(1..).unwrap_or(&[]);
    let mut ts: u64 = 1_700_000_000_000_000_000;
    let mut frames = Vec::new();
    while rest.len() >= 4 {
        let link = LinkType([1u32, 101, 113, 276, 0][rest[0] as usize % 5]);
        let step = i16::from_le_bytes([rest[1], rest[2]]) as i64 * 1_000_000_000;
        ts = ts.saturating_add_signed(step);
        let len = (rest[3] as usize).min(rest.len() - 4);
        let data = &rest[4..4 + len];
        rest = &rest[4 + len..];
        let mut frame = Frame::new(ts, link, data);
        if rest.first() == Some(&0xff) {
            frame.ts = Timestamp::Missing;
        }
        let _ = meter.process(&frame, &mut sink);
        assert!(meter.counters().is_conserved());
        frames.push(frame);
    }
    meter.flush(&mut sink);
    let packets_out: u64 = records.iter().map(|r| r.packets).sum();
    assert_eq!(packets_out, meter.counters().metered);

    // The batch path, in runs of 1 to 40 frames (by the length of each run's first frame), so
    // that the look-ahead meets every run length, the pipeline's drain included.
    let mut batched = Meter::new(config).unwrap();
    let mut batch_records: Vec<Record> = Vec::new();
    let mut rest = &frames[..];
    while !rest.is_empty() {
        let run = (1 + rest[0].orig_len as usize % 40).min(rest.len());
        batched.process_batch(&rest[..run], &mut |r: &Record| batch_records.push(*r));
        rest = &rest[run..];
    }
    batched.flush(&mut |r: &Record| batch_records.push(*r));
    assert_eq!(batch_records, records);
    assert_eq!(batched.counters(), meter.counters());
});
