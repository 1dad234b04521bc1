//! Any bytes as a capture file: the reader returns frames or an error, never panics or loops
//! forever, every frame lies within the input, and reading in batches gives the same frames and
//! the same end as reading one frame at a time.
#![no_main]

use flowlog_core::capture::{CaptureError, CaptureReader};
use flowlog_core::{Frame, LinkType, Timestamp};
use libfuzzer_sys::fuzz_target;

/// What a frame carries, owned.
type Seen = (Timestamp, LinkType, u32, Vec<u8>, u32);

fn one_at_a_time(input: &[u8]) -> (Vec<Seen>, Option<CaptureError>) {
    let mut seen = Vec::new();
    let mut reader = match CaptureReader::new(input) {
        Ok(r) => r,
        Err(e) => return (seen, Some(e)),
    };
    loop {
        match reader.next_frame() {
            Ok(Some(f)) => {
                assert!(f.data.len() <= input.len());
                seen.push((f.ts, f.link, f.orig_len, f.data.to_vec(), f.interface));
                assert!(seen.len() <= input.len(), "more frames than input bytes");
            }
            Ok(None) => return (seen, None),
            Err(e) => return (seen, Some(e)),
        }
    }
}

fn in_batches(input: &[u8], batch: usize) -> (Vec<Seen>, Option<CaptureError>) {
    let mut seen = Vec::new();
    let mut reader = match CaptureReader::new(input) {
        Ok(r) => r,
        Err(e) => return (seen, Some(e)),
    };
    loop {
        let mut frames = vec![Frame::EMPTY; batch];
        match reader.next_frames(&mut frames) {
            Ok(0) => return (seen, None),
            Ok(n) => seen.extend(
                frames[..n].iter().map(|f| (f.ts, f.link, f.orig_len, f.data.to_vec(), f.observation_point)),
            ),
            Err(e) => return (seen, Some(e)),
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let single = one_at_a_time(input);
    let batch = 1 + input.first().map_or(0, |b| *b as usize % 16);
    assert_eq!(in_batches(input, batch), single);
});
