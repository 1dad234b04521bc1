//! The whole meter (parse → key → table → window) at 1K, 64K and 1M concurrent flows, with
//! minimum-size and IMIX frames.
//!
//! The table is sized to the flow count (`max_flows` = flows, so "1M" is a 1M-entry table) and
//! warmed by a first pass that inserts every flow; the measured passes replay the same frames,
//! all in one 600 s window, so they are steady-state updates with no eviction or rollover.
//! Frames are generated in memory beforehand. Throughput in Melem/s = million packets per second.
//!
//! `cargo bench -p flowlog-benches --bench meter`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use flowlog_benches::{frames, meter, run, traffic};
use flowlog_core::Record;
use flowlog_testkit::FrameSize;

fn meter_steady_state(c: &mut Criterion) {
    let mut group = c.benchmark_group("meter");
    group.sampling_mode(SamplingMode::Flat);
    for (flows, label) in [(1 << 10, "1K"), (1 << 16, "64K"), (1 << 20, "1M")] {
        for (size, size_label) in [(FrameSize::Min64, "min64"), (FrameSize::Imix, "imix")] {
            let frames = traffic(flows, size);
            let mut m = meter(flows);
            // Warm: the first pass inserts every flow.
            black_box(run(&mut m, &frames));
            group.throughput(Throughput::Elements(frames.len() as u64));
            group.bench_function(BenchmarkId::new(size_label, label), |b| {
                b.iter(|| black_box(run(&mut m, &frames)));
            });
            // The table never overflowed: max_flows = the generator's distinct flows.
            assert_eq!(m.counters().evictions, 0, "{label} {size_label}: the table was sized to the flows");
        }
    }
    group.finish();
}

/// The same traffic and warm tables as [`meter_steady_state`], through `Meter::process_batch` over
/// the whole prepared frame list (same records and counters as `process` frame by frame).
fn meter_batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("meter_batch");
    group.sampling_mode(SamplingMode::Flat);
    for (flows, label) in [(1 << 10, "1K"), (1 << 16, "64K"), (1 << 20, "1M")] {
        for (size, size_label) in [(FrameSize::Min64, "min64"), (FrameSize::Imix, "imix")] {
            let buffer = traffic(flows, size);
            let frames = frames(&buffer);
            let mut m = meter(flows);
            let mut records = 0u64;
            // Warm: the first pass inserts every flow.
            m.process_batch(&frames, &mut |_: &Record| records += 1);
            group.throughput(Throughput::Elements(frames.len() as u64));
            group.bench_function(BenchmarkId::new(size_label, label), |b| {
                b.iter(|| black_box(m.process_batch(black_box(&frames), &mut |_: &Record| records += 1)));
            });
            assert_eq!(m.counters().evictions, 0, "{label} {size_label}: the table was sized to the flows");
            black_box(records);
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = meter_steady_state, meter_batch
}
criterion_main!(benches);
