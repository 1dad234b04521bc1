//! A fixed amount of metering for instruction counts under callgrind, the figure that the design
//! gates of the meter are stated in (instructions per packet do not move with the host's load):
//!
//! ```text
//! cargo build --release -p flowlog-benches --bin instructions
//! valgrind --tool=callgrind --toggle-collect='*metered_passes*' target/release/instructions batch 65536 64
//! ```
//!
//! Instructions per packet = the reported `Ir` ÷ the packets this prints. Arguments: `batch` or
//! `process` (which `Meter` call), the flow count, and `64` or `imix` (the frame sizes). Traffic,
//! tables and warm-up are as in the `meter_batch` benchmark; only the passes are counted.

use flowlog_benches::{frames, meter, traffic};
use flowlog_core::{Frame, Meter, Record};
use flowlog_testkit::FrameSize;

/// Frames per `process_batch` call, as the bindings hand them.
const CHUNK: usize = 256;

/// Passes counted after the warm-up pass.
const PASSES: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: instructions batch|process FLOWS 64|imix";
    let [call, flows, size] = args.as_slice() else { panic!("{usage}") };
    let flows: u32 = flows.parse().expect(usage);
    let size = match size.as_str() {
        "64" => FrameSize::Min64,
        "imix" => FrameSize::Imix,
        _ => panic!("{usage}"),
    };
    let batch = match call.as_str() {
        "batch" => true,
        "process" => false,
        _ => panic!("{usage}"),
    };
    let buffer = traffic(flows, size);
    let frames = frames(&buffer);
    let mut m = meter(flows);
    // The warm-up pass (flows inserted, pages touched) is not counted: it runs outside
    // `metered_passes`.
    for chunk in frames.chunks(CHUNK) {
        m.process_batch(chunk, &mut |_: &Record| {});
    }
    let records = metered_passes(&mut m, &frames, batch, PASSES);
    println!("packets {} records {records}", frames.len() * PASSES);
}

/// `passes` runs over `frames` through one meter; the function callgrind counts.
#[inline(never)]
fn metered_passes(m: &mut Meter, frames: &[Frame<'_>], batch: bool, passes: usize) -> u64 {
    let mut records = 0u64;
    let mut sink = |_: &Record| records += 1;
    for _ in 0..passes {
        if batch {
            for chunk in frames.chunks(CHUNK) {
                m.process_batch(chunk, &mut sink);
            }
        } else {
            for frame in frames {
                let _ = m.process(frame, &mut sink);
            }
        }
    }
    records
}
