//! `dissect` alone: 64-byte Ethernet/IPv4/TCP frames and IMIX mixed VPC traffic.
//!
//! `cargo bench -p flowlog-benches --bench parse`; throughput in Melem/s = million frames per
//! second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowlog_benches::{ipv4_tcp_min_frames, traffic};
use flowlog_core::parse::dissect;
use flowlog_core::parse::FragTable;
use flowlog_core::{Config, LinkType};
use flowlog_testkit::FrameSize;

fn parse(c: &mut Criterion) {
    let config = Config::default();
    let mut frags = FragTable::new(config.max_fragments);
    let mut group = c.benchmark_group("parse");

    let min = ipv4_tcp_min_frames(4096);
    group.throughput(Throughput::Elements(min.len() as u64));
    group.bench_function("eth_ipv4_tcp_64B", |b| {
        b.iter(|| {
            for f in &min {
                let d = dissect(LinkType::ETHERNET, black_box(f), f.len() as u32, 0, &config, &mut frags);
                black_box(&d);
            }
        })
    });

    let imix = traffic(4096, FrameSize::Imix);
    group.throughput(Throughput::Elements(imix.len() as u64));
    group.bench_function("imix_mixed", |b| {
        b.iter(|| {
            for (ts_ns, orig_len, data) in imix.iter() {
                let d = dissect(LinkType::ETHERNET, black_box(data), orig_len, ts_ns, &config, &mut frags);
                black_box(&d);
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = parse
}
criterion_main!(benches);
