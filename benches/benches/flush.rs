//! Flushing a full 1M-flow table: the end-of-input (and, equally, window-rollover) cost.
//!
//! Each iteration's setup fills the table with one packet per flow (not timed); the routine
//! flushes it into a no-op counting sink. Throughput in Melem/s = million records per second.
//!
//! `cargo bench -p flowlog-benches --bench flush`

use std::cell::RefCell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use flowlog_benches::{meter, run, START_NS, TRAFFIC_SECS};
use flowlog_core::Record;
use flowlog_testkit::{FrameSize, TrafficSpec};

const FLOWS: u32 = 1 << 20;

fn flush(c: &mut Criterion) {
    let frames = TrafficSpec {
        packets: FLOWS as u64,
        flows: FLOWS,
        seed: 0xf105,
        frame_size: FrameSize::Min64,
        start_ns: START_NS,
        duration_ns: TRAFFIC_SECS * 1_000_000_000,
        ..TrafficSpec::default()
    }
    .frame_buffer();
    let m = RefCell::new(meter(FLOWS));
    let records = RefCell::new(0u64);

    let mut group = c.benchmark_group("flush");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(FLOWS as u64));
    group.bench_function("1M", |b| {
        b.iter_batched(
            || {
                black_box(run(&mut m.borrow_mut(), &frames));
            },
            |()| {
                let mut n = records.borrow_mut();
                let mut sink = |_: &Record| *n += 1;
                m.borrow_mut().flush(&mut sink);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    black_box(records.into_inner());
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = flush
}
criterion_main!(benches);
