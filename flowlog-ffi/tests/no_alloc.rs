//! The C ABI's per-packet and per-record calls never touch the heap: process, the batch call
//! (including records that overflow into the pending buffer), drain, flush, format, counters and
//! their error paths. The testkit's counting allocator, per thread, is this test binary's.

use std::hint::black_box;
use std::ptr::{null, null_mut};

use flowlog::error::FlowlogStatus as St;
use flowlog_testkit::{heap_ops, CountingAllocator};

use flowlog::{
    format::*, meter::*, FlowlogConfig, FlowlogCounters, FlowlogPacket, FlowlogRecord, FlowlogSkip,
};

#[global_allocator]
static HEAP: CountingAllocator = CountingAllocator;

#[test]
fn the_counter_sees_allocations() {
    assert!(heap_ops(|| black_box(Box::new(1u64))).1 >= 1);
}

fn udp_frame(src_port: u16) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0, 36, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(&src_port.to_be_bytes());
    f.extend_from_slice(&[0, 53, 0, 16, 0, 0]);
    f.extend_from_slice(&[0x61; 8]);
    f
}

#[test]
fn metering_and_formatting_through_the_c_abi_do_not_allocate() {
    let mut config = std::mem::MaybeUninit::<FlowlogConfig>::uninit();
    assert_eq!(unsafe { flowlog_config_default(config.as_mut_ptr()) }, St::Ok);
    let mut config = unsafe { config.assume_init() };
    config.window_secs = 60;
    config.max_flows = 16; // 64 flows through 16 slots: evictions
    let mut m = null_mut();
    assert_eq!(unsafe { flowlog_meter_new(&config, &mut m, null_mut(), 0) }, St::Ok);

    let mut buf = Vec::new();
    let mut packets = Vec::new();
    for i in 0..4000u64 {
        let f = udp_frame((i % 64) as u16);
        packets.push(FlowlogPacket {
            offset: buf.len(),
            // three windows: rollovers
            ts_ns: 1_700_000_040_000_000_000 + i * 50_000_000,
            len: f.len() as u32,
            orig_len: f.len() as u32,
            link_type: if i % 50 == 0 { 9999 } else { 1 },
            observation_point: 0,
            ts_kind: 0,
            direction: 0,
            action: 0,
            reserved: [0; 5],
        });
        buf.extend_from_slice(&f);
    }
    let bad = FlowlogPacket { offset: usize::MAX, ..packets[0] };
    let mut out = vec![unsafe { std::mem::zeroed::<FlowlogRecord>() }; 4];
    let mut text = vec![0u8; 4 * FLOWLOG_MAX_RECORD_LEN];
    let mut err = [0 as std::ffi::c_char; 256];
    let fields = c"${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${tcp-flags} ${flow-direction}";

    let (records, ops) = heap_ops(|| {
        let mut records = 0usize;
        let mut start = 0;
        while start < packets.len() {
            let (mut done, mut len) = (0, 0);
            let st = unsafe {
                flowlog_meter_process_batch(
                    m,
                    buf.as_ptr(),
                    buf.len(),
                    packets[start..].as_ptr(),
                    packets.len() - start,
                    out.as_mut_ptr(),
                    out.len(),
                    &mut done,
                    &mut len,
                )
            };
            assert_eq!(st, St::Ok);
            for format in 0..4 {
                let mut n = 0;
                let st = unsafe {
                    flowlog_format_records(format, out.as_ptr(), len, text.as_mut_ptr(), text.len(), &mut n)
                };
                assert_eq!(st, St::Ok);
                let st = unsafe { flowlog_format_records(format, out.as_ptr(), len, null_mut(), 0, &mut n) };
                assert!(st == St::Ok || st == St::BufferTooSmall);
                let st = unsafe { flowlog_format_header(format, text.as_mut_ptr(), text.len(), &mut n) };
                assert_eq!(st, St::Ok);
            }
            // A custom AWS field list, and a bad one with its message.
            let mut n = 0;
            let st = unsafe {
                flowlog_format_records_aws_fields(
                    fields.as_ptr(),
                    out.as_ptr(),
                    len,
                    text.as_mut_ptr(),
                    text.len(),
                    &mut n,
                    err.as_mut_ptr(),
                    err.len(),
                )
            };
            assert_eq!(st, St::Ok);
            let st = unsafe {
                flowlog_format_header_aws_fields(
                    fields.as_ptr(),
                    text.as_mut_ptr(),
                    text.len(),
                    &mut n,
                    null_mut(),
                    0,
                )
            };
            assert_eq!(st, St::Ok);
            let st = unsafe {
                flowlog_format_header_aws_fields(
                    c"${bogus}".as_ptr(),
                    null_mut(),
                    0,
                    &mut n,
                    err.as_mut_ptr(),
                    err.len(),
                )
            };
            assert_eq!(st, St::InvalidConfig);
            records += len;
            start += done;
        }
        // Error paths: a bad packet, a refused single process, messages.
        let (mut done, mut len) = (0, 0);
        let st = unsafe {
            flowlog_meter_process_batch(
                m,
                buf.as_ptr(),
                buf.len(),
                &bad,
                1,
                out.as_mut_ptr(),
                4,
                &mut done,
                &mut len,
            )
        };
        assert_eq!(st, St::InvalidArg);
        let mut skip = FlowlogSkip::None;
        let st = unsafe { flowlog_meter_process(m, buf.as_ptr(), buf.len(), &packets[1], &mut skip) };
        assert!(st == St::Ok || st == St::RecordsPending);
        let st = unsafe { flowlog_meter_process(m, null(), 5, &packets[1], &mut skip) };
        assert_eq!(st, St::NullArg);
        assert_eq!(unsafe { flowlog_meter_last_error(m, err.as_mut_ptr(), err.len(), null_mut()) }, St::Ok);
        let mut c = FlowlogCounters::default();
        assert_eq!(unsafe { flowlog_meter_counters(m, &mut c) }, St::Ok);
        loop {
            let mut len = 0;
            assert_eq!(unsafe { flowlog_meter_flush(m, out.as_mut_ptr(), out.len(), &mut len) }, St::Ok);
            records += len;
            if len < out.len() {
                break;
            }
        }
        records
    });
    assert_eq!(ops, 0, "the C ABI hot path performed {ops} heap operations");
    assert!(records > 64, "evictions and rollovers produced records ({records})");
    unsafe { flowlog_meter_free(m) };
}
