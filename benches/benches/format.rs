//! The record writers: `Formatter::write_record` per format over a few thousand realistic
//! records (IPv4 and IPv6; TCP with flags, UDP, ICMP/ICMPv6; both directions; a few VLANs and
//! rejects). Throughput in Melem/s = million records per second.
//!
//! `cargo bench -p flowlog-benches --bench format`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowlog_benches::START_NS;
use flowlog_core::format::{FormatKind, Formatter};
use flowlog_core::{Action, Direction, Dissected, EndReason, FlowKey, LogStatus, Record};
use flowlog_testkit::SplitMix64;

const RECORDS: usize = 4096;

/// `n` records as a busy VPC interface's window would flush them.
fn records(n: usize) -> Vec<Record> {
    let mut rng = SplitMix64::new(0xf0f0);
    (0..n)
        .map(|_| {
            let r = rng.next_u64();
            let mut d = Dissected::EMPTY;
            let v6 = r.is_multiple_of(4);
            d.ip_version = if v6 { 6 } else { 4 };
            let (a, b) = (rng.next_u64(), rng.next_u64());
            if v6 {
                // 2001:db8:<a>::<b> and 2600:1f18:<a>:<b>:… : typical cloud prefixes.
                d.src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
                d.src[4..6].copy_from_slice(&(a as u16).to_be_bytes());
                d.src[14..].copy_from_slice(&((a >> 16) as u16).to_be_bytes());
                d.dst[..4].copy_from_slice(&[0x26, 0x00, 0x1f, 0x18]);
                d.dst[4..].copy_from_slice(&b.to_be_bytes()[..4].repeat(3));
            } else {
                d.src[..4].copy_from_slice(&[10, 0, (a >> 8) as u8, a as u8]);
                d.dst[..4].copy_from_slice(&(b as u32 | 0x0100_0000).to_be_bytes());
            }
            let proto_pick = (r >> 8) % 10;
            let (protocol, icmp) = match proto_pick {
                0..=5 => (6u8, false),
                6..=8 => (17, false),
                _ => (if v6 { 58 } else { 1 }, true),
            };
            d.protocol = protocol;
            if !icmp {
                d.src_port = if (r >> 16).is_multiple_of(2) { 443 } else { 1024 + (a >> 32) as u16 % 60_000 };
                d.dst_port = if (r >> 17).is_multiple_of(2) { 32768 + (b >> 40) as u16 % 28_000 } else { 53 };
            }
            d.vlan = if (r >> 20).is_multiple_of(16) { 100 + (r >> 24) as u16 % 50 } else { 0 };
            let dir = if (r >> 30).is_multiple_of(2) { Direction::In } else { Direction::Out };
            let action = if (r >> 31).is_multiple_of(20) { Action::Reject } else { Action::Accept };
            let key = FlowKey::new(&d, 1 + (r >> 32) as u32 % 4, dir, action, true, false);
            // Heavy-tailed packet counts: mostly small flows, some large ones.
            let packets = 1 + ((rng.next_u64() % 1000) >> ((r >> 36) % 8));
            let bytes = packets * (40 + (r >> 40) % 1460);
            let start_ns = START_NS + rng.next_u64() % (500 * 1_000_000_000);
            let end_ns = start_ns + rng.next_u64() % (60 * 1_000_000_000);
            let tcp_flags = if protocol == 6 {
                [0x02, 0x12, 0x1b, 0x10, 0x18, 0x11, 0x04][(r >> 44) as usize % 7]
            } else {
                0
            };
            Record {
                key,
                packets,
                bytes,
                start_ns,
                end_ns,
                tcp_flags,
                tcp_syn_ack: tcp_flags == 0x12 || tcp_flags == 0x1b,
                has_icmp: icmp,
                icmp_type: if icmp { [0, 8, 3, 128, 129][(r >> 48) as usize % 5] } else { 0 },
                icmp_code: if icmp && (r >> 52).is_multiple_of(4) { 3 } else { 0 },
                window_start_secs: START_NS / 1_000_000_000 - 1,
                window_secs: 600,
                end_reason: if (r >> 56).is_multiple_of(8) { EndReason::Flush } else { EndReason::Window },
                log_status: LogStatus::Ok,
            }
        })
        .collect()
}

fn write_record(c: &mut Criterion) {
    let recs = records(RECORDS);
    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
    let mut group = c.benchmark_group("format");
    group.throughput(Throughput::Elements(RECORDS as u64));
    let all_aws = flowlog_core::format::aws::AwsField::ALL.map(|f| f.name());
    let all_aws = all_aws.iter().map(|n| format!("${{{n}}}")).collect::<Vec<_>>().join(" ");
    let mut formatters: Vec<(&str, Formatter)> =
        FormatKind::ALL.iter().map(|&k| (k.as_str(), Formatter::new(k))).collect();
    formatters.push(("aws-v5-all", Formatter::aws_with_fields(&all_aws).expect("valid list")));
    for (name, f) in formatters {
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
