//! A structured sequence of (timestamp, frame) pairs through a small meter: no panic, and the
//! conservation law holds after every packet and after the flush.
#![no_main]

use flowlog_core::{Config, Frame, LinkType, Meter, Record, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let config = Config { window_secs: 1 + (input.first().copied().unwrap_or(0) % 120) as u64, max_flows: 4, max_fragments: 2, ..Config::default() };
    let mut meter = Meter::new(config).unwrap();
    let mut packets_out = 0u64;
    let mut sink = |r: &Record| packets_out += r.packets;
    // Each chunk: 1 byte link selector, 2 bytes time step (may go backwards), 1 byte length, frame.
    let mut rest = input.get(1..).unwrap_or(&[]);
    let mut ts: u64 = 1_700_000_000_000_000_000;
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
    }
    meter.flush(&mut sink);
    assert_eq!(packets_out, meter.counters().metered);
});
