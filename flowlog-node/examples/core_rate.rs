//! The core's packets per second on traffic written by `bench/bench.mjs`, for the Node binding's
//! benchmark to compare with: the same frames, in memory, through `Meter::process` in a loop (what
//! `processBatch` does per packet, minus the binding).
//!
//! Usage: `cargo run --release -p flowlog-node --example core_rate -- TRAFFIC_FILE RUNS`, where the
//! file holds records of an 8-byte little-endian timestamp (ns), a 4-byte little-endian length
//! and the frame. Prints `core_mpps_cpu <median> <min> <max>` (packets per second of this thread's
//! CPU time, from Linux's `/proc/thread-self/schedstat`, which a loaded machine disturbs less) and
//! `core_mpps_wall <median> <min> <max>`.

use std::hint::black_box;
use std::time::Instant;

use flowlog_core::{Config, Frame, LinkType, Meter, Record};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: core_rate TRAFFIC_FILE [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    let bytes = std::fs::read(path)?;

    let mut frames: Vec<(u64, &[u8])> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let ts = u64::from_le_bytes(bytes.get(at..at + 8).ok_or("cut timestamp")?.try_into()?);
        let len = u32::from_le_bytes(bytes.get(at + 8..at + 12).ok_or("cut length")?.try_into()?) as usize;
        frames.push((ts, bytes.get(at + 12..at + 12 + len).ok_or("cut frame")?));
        at += 12 + len;
    }

    let mut cpu_rates = Vec::with_capacity(runs);
    let mut wall_rates = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut meter = Meter::new(Config { window_secs: 600, max_flows: 65_536, ..Config::default() })?;
        let mut finished = 0u64;
        let mut sink = |r: &Record| finished += black_box(r).packets;
        let cpu_start = thread_cpu_ns()?;
        let start = Instant::now();
        for &(ts, data) in &frames {
            let _ = meter.process(&Frame::new(ts, LinkType::ETHERNET, data), &mut sink);
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu_secs = (thread_cpu_ns()? - cpu_start) as f64 / 1e9;
        black_box(finished);
        assert_eq!(meter.counters().metered, frames.len() as u64, "every benchmark frame is metered");
        wall_rates.push(frames.len() as f64 / secs / 1e6);
        cpu_rates.push(frames.len() as f64 / cpu_secs / 1e6);
    }
    for (name, mut rates) in [("core_mpps_cpu", cpu_rates), ("core_mpps_wall", wall_rates)] {
        rates.sort_by(f64::total_cmp);
        println!("{name} {:.3} {:.3} {:.3}", rates[rates.len() / 2], rates[0], rates[rates.len() - 1]);
    }
    Ok(())
}

/// Nanoseconds this thread has run on a CPU (first field of `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Result<u64, Box<dyn std::error::Error>> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    Ok(s.split_whitespace().next().ok_or("empty schedstat")?.parse()?)
}
