//! The record writers: `Formatter::write_record` per format over a few thousand realistic
//! records (IPv4 and IPv6; TCP with flags, UDP, ICMP/ICMPv6; both directions; a few VLANs and
//! rejects). Throughput in Melem/s = million records per second.
//!
//! `cargo bench -p flowlog-benches --bench format`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowlog_benches::{formatters, records};

const RECORDS: usize = 4096;

fn write_record(c: &mut Criterion) {
    let recs = records(RECORDS);
    let mut buf = [0u8; flowlog_core::Formatter::MAX_RECORD_LEN];
    let mut group = c.benchmark_group("format");
    group.throughput(Throughput::Elements(RECORDS as u64));
    for (name, f) in formatters() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0usize;
                for rec in &recs {
                    total += f.write_record(black_box(rec), &mut buf).unwrap_or(0);
                    black_box(&buf);
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = write_record
}
criterion_main!(benches);
