//! The core's packets per second on the frames `scripts/bench-python.sh` generates: the baseline
//! the Python batch path is compared with.
//!
//! Usage: `core_pps FRAMES_FILE FRAME_LEN RUNS`. The file holds equal-length Ethernet frames back
//! to back; packet `i` gets timestamp 1 700 000 000 s + i µs, exactly as the Python benchmark
//! gives them. Prints the best run's Mpps.

use std::time::Instant;

use flowlog_core::{Config, Frame, LinkType, Meter, Record};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(len), Some(runs)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: core_pps FRAMES_FILE FRAME_LEN RUNS");
        std::process::exit(2);
    };
    let len: usize = len.parse().expect("FRAME_LEN");
    let runs: usize = runs.parse().expect("RUNS");
    let data = std::fs::read(path).expect("read frames");
    let n = data.len() / len;
    let t0: u64 = 1_700_000_000_000_000_000;
    // Known at run time only, as in a collector (and in the binding): a constant would let the
    // compiler fold the link-type dispatch away and flatter the baseline.
    let link = std::hint::black_box(LinkType::ETHERNET);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let mut meter = Meter::new(std::hint::black_box(Config::default())).expect("config");
        let mut emitted = 0u64;
        let mut sink = |_: &Record| emitted += 1;
        let start = Instant::now();
        for (i, pkt) in data.chunks_exact(len).enumerate() {
            let frame = Frame::new(t0 + i as u64 * 1000, link, pkt);
            let _ = meter.process(std::hint::black_box(&frame), &mut sink);
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(meter.counters().metered, n as u64, "every frame must be metered");
        best = best.min(secs);
    }
    println!("{:.3}", n as f64 / best / 1e6);
}
