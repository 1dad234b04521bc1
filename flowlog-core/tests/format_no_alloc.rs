//! The record writers never touch the heap (SPEC §5, STYLE "No allocation after construction"):
//! a per-thread counting global allocator, live in this test binary only.

use std::hint::black_box;

use flowlog_core::format::{FormatError, FormatKind, Formatter, RecordWriter};
use flowlog_core::{Action, Direction, Dissected, EndReason, FlowKey, LogStatus, Record};
use flowlog_testkit::{heap_ops, CountingAllocator};

#[global_allocator]
static HEAP: CountingAllocator = CountingAllocator;

fn records() -> [Record; 3] {
    let mut v4 = Dissected::EMPTY;
    v4.ip_version = 4;
    v4.src[..4].copy_from_slice(&[10, 0, 0, 1]);
    v4.dst[..4].copy_from_slice(&[10, 0, 0, 2]);
    v4.protocol = 6;
    v4.src_port = 53870;
    v4.dst_port = 80;
    let mut v6 = Dissected::EMPTY;
    v6.ip_version = 6;
    v6.src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    v6.dst = [0xff; 16];
    v6.protocol = 1;
    v6.vlan = 7;
    v6.tunnel_id = 9;
    let base = Record {
        key: FlowKey::new(&v4, 1, Direction::Out, Action::Accept, false, false),
        packets: 3,
        bytes: 180,
        start_ns: 1_700_000_000_100_000_000,
        end_ns: 1_700_000_002_500_000_000,
        tcp_flags: 0x1ff,
        has_icmp: false,
        tcp_syn_ack: false,
        icmp_type: 0,
        icmp_code: 0,
        window_start_secs: 1_699_999_800,
        window_secs: 600,
        end_reason: EndReason::Window,
        log_status: LogStatus::Ok,
    };
    let icmp6 = Record {
        key: FlowKey::new(&v6, 2, Direction::Unknown, Action::Reject, true, true),
        has_icmp: true,
        tcp_syn_ack: false,
        icmp_type: 128,
        tcp_flags: 0,
        packets: u64::MAX,
        end_reason: EndReason::Evicted,
        ..base
    };
    let nodata = Record { log_status: LogStatus::NoData, ..base };
    [base, icmp6, nodata]
}

#[test]
fn counter_is_live() {
    let (_, n) = heap_ops(|| black_box(Box::new(1u64)));
    assert!(n >= 1, "the counting allocator saw no allocation");
}

#[test]
fn every_writer_writes_1000_records_and_headers_without_allocating() {
    let every = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} \
                 ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} \
                 ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} \
                 ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} \
                 ${flow-direction} ${traffic-path}";
    let formatters = [
        Formatter::new(FormatKind::Jsonl),
        Formatter::new(FormatKind::Sls),
        Formatter::new(FormatKind::Aws),
        Formatter::new(FormatKind::Csv),
        Formatter::aws_with_fields(every).unwrap(),
    ];
    let recs = records();
    for f in formatters {
        let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
        let mut tiny = [0u8; 8];
        let (total, n) = heap_ops(|| {
            let mut total = 0usize;
            total += black_box(&f).write_header(black_box(&mut buf)).unwrap();
            for i in 0..1000 {
                let rec = black_box(&recs[i % recs.len()]);
                total += f.write_record(rec, black_box(&mut buf)).unwrap();
                // The error path too.
                match f.write_record(rec, black_box(&mut tiny)) {
                    Err(FormatError::BufferTooSmall { required }) => total += required,
                    Ok(_) => unreachable!("8 bytes hold no record"),
                }
            }
            total
        });
        assert!(total > 0);
        assert_eq!(n, 0, "{:?} performed {n} heap operations", f.kind());
    }
}

/// `io::Write` into a fixed ring of bytes, so only the writer itself could allocate.
struct Sink {
    buf: [u8; 4096],
    len: usize,
}

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let room = self.buf.len() - self.len;
        let n = b.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len = if self.len + n == self.buf.len() { 0 } else { self.len + n };
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn record_writer_streams_1000_records_without_allocating() {
    let recs = records();
    for kind in FormatKind::ALL {
        let (_, n) = heap_ops(|| {
            let mut w = RecordWriter::new(Formatter::new(kind), Sink { buf: [0; 4096], len: 0 }).unwrap();
            for i in 0..1000 {
                w.write(black_box(&recs[i % recs.len()])).unwrap();
            }
            black_box(w.into_inner().len)
        });
        assert_eq!(n, 0, "{kind:?} performed {n} heap operations");
    }
}
