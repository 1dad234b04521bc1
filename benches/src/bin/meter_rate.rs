//! The whole meter's rate pass by pass, each pass classed by whether the CPU core was the meter's
//! own while it ran.
//!
//! On a virtual machine the host may run another tenant's thread on the other hardware thread
//! (SMT) of the physical core that runs this one. The two threads then share the core's
//! execution units, and code that keeps them busy, as the meter does (2.5–3 instructions per
//! cycle), slows by a third. Criterion's figures mix both states. This report measures the same
//! cases as the `meter_batch` benchmark (same traffic, warm tables sized to the flows, one
//! `Meter::process_batch` call over all frames per pass), and around every pass it runs a probe
//! that tells the two states apart:
//!
//! - a chain of dependent adds runs at one add per cycle whatever the other hardware thread
//!   does (each add waits for the previous one, so it needs one execution unit at a time);
//! - four independent chains run at up to one add per cycle per integer unit (about 4 on an
//!   unshared core), and slow down when another thread takes units away.
//!
//! Their ratio is the probe's reading: the adds per cycle the core gives this thread, measured
//! without knowing the clock. A pass counts as on its own core when the readings before and after
//! it are both within 10 % of the run's reference (its 95th percentile, so the run must include
//! some unshared time: the report prints the reference; on an idle AMD Zen 3 core it is about
//! 3.9), and as shared when both are more than 20 % below it. The other passes are mixed.
//!
//! `cargo run --release -p flowlog-benches --bin meter_rate [PACKETS_PER_CASE]` (default 50 M).
//! On targets other than x86-64 there is no probe and every pass is reported unclassed.

use std::time::Instant;

use flowlog_benches::{frames, meter, traffic};
use flowlog_core::Record;
use flowlog_testkit::FrameSize;

/// Packets metered per case unless the command line says otherwise (≈ 2–5 s per case).
const DEFAULT_PACKETS_PER_CASE: u64 = 50_000_000;

fn main() {
    let packets_per_case = match std::env::args().nth(1) {
        None => DEFAULT_PACKETS_PER_CASE,
        Some(arg) => match arg.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("meter_rate: PACKETS_PER_CASE must be a whole number, not {arg:?}");
                std::process::exit(64);
            }
        },
    };
    println!(
        "{:>5} {:>6} {:>7} {:>9} | {:>6} {:>20} | {:>6} {:>20} | {:>5} {:>6}",
        "flows",
        "frames",
        "passes",
        "reference",
        "own",
        "Mpps p10/median/p90",
        "shared",
        "Mpps p10/median/p90",
        "mixed",
        "all"
    );
    for (flows, label) in [(1u32 << 10, "1K"), (1 << 16, "64K"), (1 << 20, "1M")] {
        for (size, size_label) in [(FrameSize::Min64, "min64"), (FrameSize::Imix, "imix")] {
            let buffer = traffic(flows, size);
            let frames = frames(&buffer);
            let passes = (packets_per_case / frames.len() as u64).max(20) as usize;
            let mut m = meter(flows);
            let mut sink = |_: &Record| {};
            // Warm: the first pass inserts every flow.
            m.process_batch(&frames, &mut sink);
            let mut runs = Vec::with_capacity(passes);
            let mut before = probe::reading();
            for _ in 0..passes {
                let start = Instant::now();
                std::hint::black_box(m.process_batch(std::hint::black_box(&frames), &mut sink));
                let mpps = frames.len() as f64 / start.elapsed().as_secs_f64() / 1e6;
                let after = probe::reading();
                runs.push(Pass { mpps, probes: (before, after) });
                before = after;
            }
            assert_eq!(m.counters().evictions, 0, "the table was sized to the flows");
            report(label, size_label, &runs);
        }
    }
}

/// One measured pass and the probe's readings just before and just after it.
struct Pass {
    mpps: f64,
    probes: (Option<f64>, Option<f64>),
}

fn report(flows: &str, size: &str, runs: &[Pass]) {
    let readings = sorted(runs.iter().filter_map(|r| r.probes.1).collect());
    let reference = percentile(&readings, 95);
    let (mut own, mut shared, mut mixed, mut all) = (vec![], vec![], 0usize, vec![]);
    for run in runs {
        all.push(run.mpps);
        let (Some(reference), (Some(a), Some(b))) = (reference, run.probes) else { continue };
        if a.min(b) >= 0.9 * reference {
            own.push(run.mpps);
        } else if a.max(b) < 0.8 * reference {
            shared.push(run.mpps);
        } else {
            mixed += 1;
        }
    }
    let reference = reference.map_or("none".to_string(), |r| format!("{r:.2}"));
    println!(
        "{flows:>5} {size:>6} {:>7} {reference:>9} | {:>6} {:>20} | {:>6} {:>20} | {mixed:>5} {:>6.1}",
        runs.len(),
        own.len(),
        spread(&sorted(own)),
        shared.len(),
        spread(&sorted(shared)),
        percentile(&sorted(all), 50).unwrap_or(0.0),
    );
}

/// "p10 / median / p90" of the sorted `values`, or "-" when there are none.
fn spread(values: &[f64]) -> String {
    match (percentile(values, 10), percentile(values, 50), percentile(values, 90)) {
        (Some(lo), Some(mid), Some(hi)) => format!("{lo:.1} / {mid:.1} / {hi:.1}"),
        _ => "-".to_string(),
    }
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// The `p`th percentile of the sorted `values` (nearest rank below), `None` when there are none.
fn percentile(values: &[f64], p: usize) -> Option<f64> {
    values.get(values.len() * p / 100).copied()
}

#[cfg(target_arch = "x86_64")]
mod probe {
    use std::arch::asm;
    use std::time::Instant;

    /// Iterations of each loop: at 3 GHz, about 2.7 ms for the chain and 1.3 ms for the four.
    const ITERS: u64 = 1_000_000;

    /// Adds per cycle this thread gets from the core: four independent chains' adds per second
    /// over one dependent chain's (one add per cycle).
    pub fn reading() -> Option<f64> {
        Some(independent_adds_per_sec() / dependent_adds_per_sec())
    }

    fn dependent_adds_per_sec() -> f64 {
        let start = Instant::now();
        let mut x = 0u64;
        // SAFETY: register arithmetic and a counted loop; no memory is touched.
        unsafe {
            asm!(
                "2:",
                "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
                "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) x,
                one = in(reg) 1u64,
                n = inout(reg) ITERS => _,
                options(nomem, nostack),
            );
        }
        std::hint::black_box(x);
        (ITERS * 8) as f64 / start.elapsed().as_secs_f64()
    }

    fn independent_adds_per_sec() -> f64 {
        let start = Instant::now();
        let (mut a, mut b, mut c, mut d) = (0u64, 0u64, 0u64, 0u64);
        // SAFETY: as above.
        unsafe {
            asm!(
                "2:",
                "add {a}, {one}", "add {b}, {one}", "add {c}, {one}", "add {d}, {one}",
                "add {a}, {one}", "add {b}, {one}", "add {c}, {one}", "add {d}, {one}",
                "add {a}, {one}", "add {b}, {one}", "add {c}, {one}", "add {d}, {one}",
                "add {a}, {one}", "add {b}, {one}", "add {c}, {one}", "add {d}, {one}",
                "dec {n}",
                "jnz 2b",
                a = inout(reg) a,
                b = inout(reg) b,
                c = inout(reg) c,
                d = inout(reg) d,
                one = in(reg) 1u64,
                n = inout(reg) ITERS => _,
                options(nomem, nostack),
            );
        }
        std::hint::black_box((a, b, c, d));
        (ITERS * 16) as f64 / start.elapsed().as_secs_f64()
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod probe {
    /// No probe on this target: every pass is unclassed.
    pub fn reading() -> Option<f64> {
        None
    }
}
