//! Any bytes as a capture file: the reader returns frames or an error, never panics or loops
//! forever, and every frame lies within the input.
#![no_main]

use flowlog_core::capture::CaptureReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Ok(mut reader) = CaptureReader::new(input) else { return };
    let mut frames = 0usize;
    while let Ok(Some(frame)) = reader.next_frame() {
        assert!(frame.data.len() <= input.len());
        frames += 1;
        assert!(frames <= input.len(), "more frames than input bytes");
    }
});
