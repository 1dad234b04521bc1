//! The C ABI, called from Rust through the rlib exactly as C calls it: the shared test vectors
//! byte for byte, the no-loss contract of the batch call, and bad input of every kind.

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use flowlog::error::FlowlogStatus as St;
use flowlog::*;
use flowlog::{capture::*, format::*, meter::*};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../flowlog-core/tests/vectors")
}

fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("flowlog-core/tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no shared test vectors found");
    files
}

fn default_config() -> FlowlogConfig {
    let mut c = std::mem::MaybeUninit::<FlowlogConfig>::uninit();
    assert_eq!(unsafe { flowlog_config_default(c.as_mut_ptr()) }, St::Ok);
    unsafe { c.assume_init() }
}

fn config_from(v: &Value) -> FlowlogConfig {
    let mut c = default_config();
    c.window_secs = v["window_secs"].as_u64().unwrap();
    c.max_flows = v["max_flows"].as_u64().unwrap() as u32;
    c.max_fragments = v["max_fragments"].as_u64().unwrap() as u32;
    c.decap = match v["decap"].as_str().unwrap() {
        "all" => FlowlogDecap::All as u32,
        "none" => FlowlogDecap::None as u32,
        other => panic!("decap {other}"),
    };
    c.accounting = match v["accounting"].as_str().unwrap() {
        "ip" => FlowlogAccounting::Ip as u32,
        "l2" => FlowlogAccounting::L2 as u32,
        other => panic!("accounting {other}"),
    };
    c.icmp_in_ports = v["icmp_in_ports"].as_bool().unwrap();
    c.key_vlan = v["key_vlan"].as_bool().unwrap();
    c.key_tunnel = v["key_tunnel"].as_bool().unwrap();
    c
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

struct Batch {
    buf: Vec<u8>,
    packets: Vec<FlowlogPacket>,
}

fn batch_from(frames: &[Value]) -> Batch {
    let mut b = Batch { buf: Vec::new(), packets: Vec::new() };
    for f in frames {
        let data = hex(f["data"].as_str().unwrap());
        let (ts_ns, ts_kind) = match f["ts_ns"].as_str() {
            Some(s) => (s.parse::<u64>().unwrap(), FlowlogTsKind::Ns as u8),
            None => (0, FlowlogTsKind::Missing as u8),
        };
        b.packets.push(FlowlogPacket {
            offset: b.buf.len(),
            ts_ns,
            len: data.len() as u32,
            orig_len: f["orig_len"].as_u64().unwrap() as u32,
            link_type: f["link_type"].as_u64().unwrap() as u32,
            observation_point: f["observation_point"].as_u64().unwrap() as u32,
            ts_kind,
            direction: FlowlogDirection::Unknown as u8,
            action: FlowlogAction::Accept as u8,
            reserved: [0; 5],
        });
        b.buf.extend_from_slice(&data);
    }
    b
}

fn new_meter(c: &FlowlogConfig) -> *mut FlowlogMeter {
    let mut m = null_mut();
    let mut err = [0 as std::ffi::c_char; FLOWLOG_ERROR_MAX];
    let st = unsafe { flowlog_meter_new(c, &mut m, err.as_mut_ptr(), err.len()) };
    assert_eq!(st, St::Ok, "{:?}", unsafe { CStr::from_ptr(err.as_ptr()) });
    m
}

/// One `flowlog_meter_process_batch` call on the packets of `b` from `start`, with all of `out` as
/// room; asserts success and returns (`*packets_done`, `*records_len`).
fn process_batch_from(
    m: *mut FlowlogMeter,
    b: &Batch,
    start: usize,
    out: &mut [FlowlogRecord],
) -> (usize, usize) {
    let (mut done, mut len) = (0, 0);
    let st = unsafe {
        flowlog_meter_process_batch(
            m,
            b.buf.as_ptr(),
            b.buf.len(),
            b.packets[start..].as_ptr(),
            b.packets.len() - start,
            out.as_mut_ptr(),
            out.len(),
            &mut done,
            &mut len,
        )
    };
    assert_eq!(st, St::Ok);
    (done, len)
}

/// Meter a batch through `flowlog_meter_process_batch` with room for `out_cap` records per call,
/// then flush, keeping every record in order.
fn meter_batch(m: *mut FlowlogMeter, b: &Batch, out_cap: usize) -> Vec<FlowlogRecord> {
    let mut records = Vec::new();
    let mut out = vec![FlowlogRecord::from(&zero_record()); out_cap];
    let mut start = 0;
    while start < b.packets.len() {
        let (done, len) = process_batch_from(m, b, start, &mut out);
        assert!(done > 0 || len > 0, "every call makes progress");
        records.extend_from_slice(&out[..len]);
        start += done;
    }
    loop {
        let mut len = 0;
        assert_eq!(unsafe { flowlog_meter_flush(m, out.as_mut_ptr(), out_cap, &mut len) }, St::Ok);
        records.extend_from_slice(&out[..len]);
        if len < out_cap {
            break;
        }
    }
    assert_eq!(unsafe { flowlog_meter_pending(m) }, 0);
    records
}

fn zero_record() -> flowlog_core::Record {
    flowlog_core::Record {
        key: flowlog_core::FlowKey::ZERO,
        packets: 0,
        bytes: 0,
        start_ns: 0,
        end_ns: 0,
        tcp_flags: 0,
        tcp_syn_ack: false,
        has_icmp: false,
        icmp_type: 0,
        icmp_code: 0,
        window_start_secs: 0,
        window_secs: 0,
        end_reason: flowlog_core::EndReason::Flush,
        log_status: flowlog_core::LogStatus::Ok,
    }
}

/// Header and records in `format`, through the two-call pattern.
fn render(format: FlowlogFormat, recs: &[FlowlogRecord]) -> String {
    let mut need = 0;
    let st = unsafe { flowlog_format_header(format as u32, null_mut(), 0, &mut need) };
    let mut text = vec![0u8; need];
    if st == St::BufferTooSmall {
        let mut n = 0;
        assert_eq!(unsafe { flowlog_format_header(format as u32, text.as_mut_ptr(), need, &mut n) }, St::Ok);
        assert_eq!(n, need);
    } else {
        assert_eq!((st, need), (St::Ok, 0), "formats without a header need 0 bytes");
    }
    let mut need = 0;
    let st =
        unsafe { flowlog_format_records(format as u32, recs.as_ptr(), recs.len(), null_mut(), 0, &mut need) };
    assert_eq!(st, if recs.is_empty() { St::Ok } else { St::BufferTooSmall });
    let mut body = vec![0u8; need];
    let mut n = 0;
    let st = unsafe {
        flowlog_format_records(format as u32, recs.as_ptr(), recs.len(), body.as_mut_ptr(), need, &mut n)
    };
    assert_eq!((st, n), (St::Ok, need), "the size asked for is the size written");
    text.extend_from_slice(&body);
    String::from_utf8(text).unwrap()
}

fn counters(m: *const FlowlogMeter) -> FlowlogCounters {
    let mut c = FlowlogCounters::default();
    assert_eq!(unsafe { flowlog_meter_counters(m, &mut c) }, St::Ok);
    c
}

fn counter_by_name(c: &FlowlogCounters, name: &str) -> u64 {
    let i = flowlog_core::Counters::NAMES
        .iter()
        .position(|n| *n == name)
        .unwrap_or_else(|| panic!("unknown counter {name}"));
    c.values()[i]
}

#[test]
fn every_shared_vector_gives_the_expected_bytes_and_counters_through_the_c_abi() {
    for file in vector_files() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = v["name"].as_str().unwrap_or("?").to_string();
        let config = config_from(&v["config"]);
        let batch = batch_from(v["frames"].as_array().unwrap());
        // Any room for records gives the same records: 1 exercises the pending buffer hardest.
        for out_cap in [1, 2, 3, 1000] {
            let m = new_meter(&config);
            let records = meter_batch(m, &batch, out_cap);
            for (format, key) in [
                (FlowlogFormat::Jsonl, "jsonl"),
                (FlowlogFormat::Sls, "sls"),
                (FlowlogFormat::Aws, "aws"),
                (FlowlogFormat::Csv, "csv"),
            ] {
                assert_eq!(
                    render(format, &records),
                    v["expected"][key].as_str().unwrap(),
                    "{name}: {key} with out_cap {out_cap}"
                );
            }
            let c = counters(m);
            for (counter, value) in v["expected"]["counters"].as_object().unwrap() {
                assert_eq!(
                    counter_by_name(&c, counter),
                    value.as_u64().unwrap(),
                    "{name}: counter {counter}"
                );
            }
            unsafe { flowlog_meter_free(m) };
        }
    }
}

#[test]
fn single_packet_calls_give_the_same_records_as_the_batch() {
    for file in vector_files() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let config = config_from(&v["config"]);
        let batch = batch_from(v["frames"].as_array().unwrap());
        let expected = {
            let m = new_meter(&config);
            let r = meter_batch(m, &batch, 1000);
            unsafe { flowlog_meter_free(m) };
            r
        };
        let m = new_meter(&config);
        let mut records = Vec::new();
        let mut out = vec![FlowlogRecord::from(&zero_record()); 1];
        let mut skipped = 0;
        for p in &batch.packets {
            let mut skip = FlowlogSkip::BadIpHeader;
            let data = &batch.buf[p.offset..p.offset + p.len as usize];
            let one = FlowlogPacket { offset: 0, ..*p };
            assert_eq!(
                unsafe { flowlog_meter_process(m, data.as_ptr(), data.len(), &one, &mut skip) },
                St::Ok
            );
            skipped += (skip != FlowlogSkip::None) as u64;
            // Drain one record at a time.
            loop {
                let mut len = 0;
                assert_eq!(unsafe { flowlog_meter_drain(m, out.as_mut_ptr(), 1, &mut len) }, St::Ok);
                if len == 0 {
                    break;
                }
                records.push(out[0]);
            }
        }
        loop {
            let mut len = 0;
            assert_eq!(unsafe { flowlog_meter_flush(m, out.as_mut_ptr(), 1, &mut len) }, St::Ok);
            if len == 0 {
                break;
            }
            records.push(out[0]);
        }
        assert_eq!(records, expected);
        let c = counters(m);
        assert_eq!(skipped, c.packets_in - c.metered, "the skip out-parameter agrees with the counters");
        unsafe { flowlog_meter_free(m) };
    }
}

/// Traffic that reaches every case of the batch call: new flows into a full table (evictions),
/// three windows (rollovers), late packets, missing timestamps and frames that are not IP.
fn mixed_batch() -> Batch {
    let mut b = Batch { buf: Vec::new(), packets: Vec::new() };
    let t0 = 1_700_000_040_000_000_000u64;
    for i in 0..3_000u64 {
        let f = if i % 97 == 5 { vec![0xee; 20] } else { udp_frame(1_000 + (i * 7 % 300) as u16) };
        let mut p = packet(b.buf.len(), f.len(), t0 + i * 60_000_000);
        if i % 211 == 7 {
            p.ts_ns = t0; // late once the clock has moved on
        }
        if i % 153 == 3 {
            (p.ts_ns, p.ts_kind) = (0, FlowlogTsKind::Missing as u8);
        }
        b.packets.push(p);
        b.buf.extend_from_slice(&f);
    }
    b
}

#[test]
fn the_batch_call_gives_the_records_and_counters_of_single_calls_for_every_out_size() {
    let mut c = default_config();
    (c.window_secs, c.max_flows, c.use_hash_seed, c.hash_seed) = (60, 64, true, 3);
    let b = mixed_batch();
    // Reference: one packet per call, records drained after each; `finished[j]` is how many
    // records packet j finished.
    let mut finished = Vec::new();
    let (want, want_counters) = {
        let m = new_meter(&c);
        let mut records = Vec::new();
        let mut out = vec![FlowlogRecord::from(&zero_record()); 100];
        for p in &b.packets {
            let data = &b.buf[p.offset..p.offset + p.len as usize];
            let one = FlowlogPacket { offset: 0, ..*p };
            let st = unsafe { flowlog_meter_process(m, data.as_ptr(), data.len(), &one, null_mut()) };
            assert_eq!(st, St::Ok);
            let before = records.len();
            loop {
                let mut len = 0;
                assert_eq!(unsafe { flowlog_meter_drain(m, out.as_mut_ptr(), 100, &mut len) }, St::Ok);
                records.extend_from_slice(&out[..len]);
                if len == 0 {
                    break;
                }
            }
            finished.push(records.len() - before);
        }
        let mut len = 0;
        assert_eq!(unsafe { flowlog_meter_flush(m, out.as_mut_ptr(), 100, &mut len) }, St::Ok);
        records.extend_from_slice(&out[..len]);
        assert_eq!(unsafe { flowlog_meter_pending(m) }, 0);
        let counters = counters(m);
        unsafe { flowlog_meter_free(m) };
        (records, counters)
    };
    assert!(want_counters.evictions > 0 && want_counters.rollovers >= 2 && want_counters.late_packets > 0);
    assert!(want_counters.non_ip > 0);
    for out_cap in [1, 2, 7, 300, 5_000] {
        let m = new_meter(&c);
        assert_eq!(meter_batch(m, &b, out_cap), want, "out_cap {out_cap}");
        assert_eq!(counters(m), want_counters, "out_cap {out_cap}");
        unsafe { flowlog_meter_free(m) };

        // Each call stops where the contract says: waiting records first; then packets while
        // nothing waits, up to the packet whose records overflow `out`.
        let m = new_meter(&c);
        let mut out = vec![FlowlogRecord::from(&zero_record()); out_cap];
        let (mut start, mut waiting) = (0, 0);
        while start < b.packets.len() {
            let from_waiting = waiting.min(out_cap);
            waiting -= from_waiting;
            let (mut want_done, mut room) = (0, out_cap - from_waiting);
            while waiting == 0 && start + want_done < b.packets.len() {
                let n = finished[start + want_done];
                want_done += 1;
                waiting = n.saturating_sub(room);
                room -= n.min(room);
            }
            let (done, len) = process_batch_from(m, &b, start, &mut out);
            let at = format!("out_cap {out_cap}, call at packet {start}");
            assert_eq!((done, len), (want_done, out_cap - room), "{at}");
            assert_eq!(unsafe { flowlog_meter_pending(m) }, waiting, "{at}");
            start += done;
        }
        unsafe { flowlog_meter_free(m) };
    }
}

#[test]
fn the_window_start_is_known_from_the_first_packet_on() {
    let mut c = default_config();
    c.window_secs = 600;
    let m = new_meter(&c);
    let mut start = 7u64;
    assert!(!unsafe { flowlog_meter_window_start(null(), &mut start) });
    assert!(!unsafe { flowlog_meter_window_start(m, &mut start) }, "no window before a packet");
    assert_eq!(start, 7, "untouched");
    let f = udp_frame(1);
    // 1 700 000 123 s lies in the 600 s window from 1 699 999 800 s (2 833 333 × 600).
    let p = packet(0, f.len(), 1_700_000_123_000_000_000);
    assert_eq!(unsafe { flowlog_meter_process(m, f.as_ptr(), f.len(), &p, null_mut()) }, St::Ok);
    assert!(unsafe { flowlog_meter_window_start(m, &mut start) });
    assert_eq!(start, 1_699_999_800_000_000_000);
    assert!(!unsafe { flowlog_meter_window_start(m, null_mut()) });
    unsafe { flowlog_meter_free(m) };
}

/// A frame: Ethernet, IPv4, UDP, 8 bytes of payload.
fn udp_frame(src_port: u16) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0, 36, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(&src_port.to_be_bytes());
    f.extend_from_slice(&[0, 53, 0, 16, 0, 0]);
    f.extend_from_slice(&[0x61; 8]);
    f
}

fn packet(offset: usize, len: usize, ts_ns: u64) -> FlowlogPacket {
    FlowlogPacket {
        offset,
        ts_ns,
        len: len as u32,
        orig_len: len as u32,
        link_type: 1,
        observation_point: 0,
        ts_kind: 0,
        direction: 0,
        action: 0,
        reserved: [0; 5],
    }
}

fn last_error(m: *const FlowlogMeter) -> String {
    let mut buf = [0 as std::ffi::c_char; FLOWLOG_ERROR_MAX];
    let mut n = 0;
    assert_eq!(unsafe { flowlog_meter_last_error(m, buf.as_mut_ptr(), buf.len(), &mut n) }, St::Ok);
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap().to_string();
    assert_eq!(s.len(), n);
    s
}

#[test]
fn a_rollover_that_finishes_more_records_than_fit_keeps_them_pending_in_order() {
    let mut c = default_config();
    c.window_secs = 60;
    c.max_flows = 8;
    let m = new_meter(&c);
    let mut buf = Vec::new();
    let mut packets = Vec::new();
    for port in 0..8u16 {
        let f = udp_frame(1000 + port);
        packets.push(packet(buf.len(), f.len(), 1_700_000_040_000_000_000 + port as u64));
        buf.extend_from_slice(&f);
    }
    // The next window: finishes all 8 flows at once.
    let f = udp_frame(9);
    packets.push(packet(buf.len(), f.len(), 1_700_000_100_000_000_000));
    packets.push(packet(buf.len(), f.len(), 1_700_000_100_000_000_001));
    buf.extend_from_slice(&f);

    let mut out = vec![FlowlogRecord::from(&zero_record()); 3];
    let (mut done, mut len) = (0, 0);
    let st = unsafe {
        flowlog_meter_process_batch(
            m,
            buf.as_ptr(),
            buf.len(),
            packets.as_ptr(),
            10,
            out.as_mut_ptr(),
            3,
            &mut done,
            &mut len,
        )
    };
    assert_eq!(st, St::Ok);
    assert_eq!((done, len), (9, 3), "stops after the rollover packet, out full");
    assert_eq!(unsafe { flowlog_meter_pending(m) }, 5);
    let mut ports: Vec<u16> = out[..len].iter().map(|r| r.src_port).collect();

    // Single-packet processing is refused while records wait.
    let mut skip = FlowlogSkip::None;
    let st = unsafe { flowlog_meter_process(m, buf.as_ptr(), buf.len(), &packets[9], &mut skip) };
    assert_eq!(st, St::RecordsPending);
    assert!(last_error(m).contains("5 records"), "{}", last_error(m));

    // The next batch call hands them out first, then meters the last packet.
    let (mut done2, mut len2) = (0, 0);
    let st = unsafe {
        flowlog_meter_process_batch(
            m,
            buf.as_ptr(),
            buf.len(),
            packets[9..].as_ptr(),
            1,
            out.as_mut_ptr(),
            3,
            &mut done2,
            &mut len2,
        )
    };
    assert_eq!((st, done2, len2), (St::Ok, 0, 3), "drains 3, cannot meter while 2 wait");
    ports.extend(out[..len2].iter().map(|r| r.src_port));
    let st = unsafe {
        flowlog_meter_process_batch(
            m,
            buf.as_ptr(),
            buf.len(),
            packets[9..].as_ptr(),
            1,
            out.as_mut_ptr(),
            3,
            &mut done2,
            &mut len2,
        )
    };
    assert_eq!((st, done2, len2), (St::Ok, 1, 2));
    ports.extend(out[..len2].iter().map(|r| r.src_port));
    ports.sort();
    assert_eq!(ports, (1000..1008).collect::<Vec<u16>>(), "all 8 records, none lost, none twice");
    assert!(out[..len2].iter().all(|r| r.end_reason == FlowlogEndReason::Window as u8));
    let c = counters(m);
    assert_eq!((c.packets_in, c.records), (10, 8));
    unsafe { flowlog_meter_free(m) };
}

#[test]
fn a_bad_config_is_an_invalid_config_error_naming_the_field() {
    for (field, edit) in [
        ("window_secs", (|c: &mut FlowlogConfig| c.window_secs = 0) as fn(&mut FlowlogConfig)),
        ("max_flows", |c| c.max_flows = 0),
        ("max_flows", |c| c.max_flows = u32::MAX),
        ("max_fragments", |c| c.max_fragments = 0),
        ("decap", |c| c.decap = 7),
        ("accounting", |c| c.accounting = 2),
        ("tunnel_ports", |c| c.tunnel_ports.vxlan.len = 9),
        ("tunnel_ports", |c| c.tunnel_ports.gre_udp.len = u32::MAX),
    ] {
        let mut c = default_config();
        edit(&mut c);
        let mut m = std::ptr::dangling_mut::<FlowlogMeter>();
        let mut err = [0 as std::ffi::c_char; FLOWLOG_ERROR_MAX];
        let st = unsafe { flowlog_meter_new(&c, &mut m, err.as_mut_ptr(), err.len()) };
        assert_eq!(st, St::InvalidConfig, "{field}");
        assert_eq!(m, std::ptr::dangling_mut::<FlowlogMeter>(), "out is untouched on failure");
        let msg = unsafe { CStr::from_ptr(err.as_ptr()) }.to_str().unwrap();
        assert!(msg.starts_with(&format!("config field '{field}'")), "{msg}");
    }
    // A tiny error buffer gets a cut, NUL-terminated message; NULL gets nothing.
    let mut c = default_config();
    c.window_secs = 0;
    let mut m = null_mut();
    let mut err = [1 as std::ffi::c_char; 8];
    assert_eq!(unsafe { flowlog_meter_new(&c, &mut m, err.as_mut_ptr(), err.len()) }, St::InvalidConfig);
    assert_eq!(unsafe { CStr::from_ptr(err.as_ptr()) }.to_bytes(), b"config ");
    assert_eq!(unsafe { flowlog_meter_new(&c, &mut m, null_mut(), 0) }, St::InvalidConfig);
}

#[test]
fn null_pointers_give_null_arg_never_a_crash() {
    let c = default_config();
    let mut m = null_mut();
    assert_eq!(unsafe { flowlog_config_default(null_mut()) }, St::NullArg);
    assert_eq!(unsafe { flowlog_meter_new(null(), &mut m, null_mut(), 0) }, St::NullArg);
    assert_eq!(unsafe { flowlog_meter_new(&c, null_mut(), null_mut(), 0) }, St::NullArg);
    let m = new_meter(&c);
    let p = packet(0, 4, 0);
    let (mut done, mut len) = (0, 0);
    let mut rec = FlowlogRecord::from(&zero_record());
    unsafe {
        assert_eq!(flowlog_meter_process(null_mut(), null(), 0, &p, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_process(m, null(), 4, &p, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_process(m, [0u8; 4].as_ptr(), 4, null(), null_mut()), St::NullArg);
        assert_eq!(
            flowlog_meter_process_batch(null_mut(), null(), 0, null(), 0, null_mut(), 0, &mut done, &mut len),
            St::NullArg
        );
        assert_eq!(
            flowlog_meter_process_batch(m, null(), 0, null(), 1, null_mut(), 0, &mut done, &mut len),
            St::NullArg
        );
        assert!(last_error(m).contains("'packets'"), "{}", last_error(m));
        assert_eq!(
            flowlog_meter_process_batch(m, null(), 0, null(), 0, null_mut(), 1, &mut done, &mut len),
            St::NullArg
        );
        assert_eq!(
            flowlog_meter_process_batch(m, null(), 0, null(), 0, &mut rec, 1, null_mut(), &mut len),
            St::NullArg
        );
        assert_eq!(
            flowlog_meter_process_batch(m, null(), 0, null(), 0, &mut rec, 1, &mut done, null_mut()),
            St::NullArg
        );
        assert_eq!(flowlog_meter_flush(null_mut(), &mut rec, 1, &mut len), St::NullArg);
        assert_eq!(flowlog_meter_flush(m, &mut rec, 1, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_drain(m, null_mut(), 1, &mut len), St::NullArg);
        assert_eq!(flowlog_meter_counters(null(), &mut FlowlogCounters::default()), St::NullArg);
        assert_eq!(flowlog_meter_counters(m, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_last_error(null(), null_mut(), 0, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_last_error(m, null_mut(), 5, null_mut()), St::NullArg);
        assert_eq!(flowlog_meter_pending(null()), 0);
        assert_eq!(flowlog_meter_active_flows(null()), 0);
        assert_eq!(flowlog_meter_heap_bytes(null()), 0);
        flowlog_meter_free(null_mut());
        assert_eq!(flowlog_format_records(0, null(), 1, null_mut(), 0, &mut len), St::NullArg);
        assert_eq!(flowlog_format_records(0, &rec, 1, null_mut(), 10, &mut len), St::NullArg);
        assert_eq!(flowlog_format_records(0, &rec, 1, null_mut(), 0, null_mut()), St::NullArg);
        assert_eq!(flowlog_format_header(0, null_mut(), 0, null_mut()), St::NullArg);
        let mut cap = null_mut();
        let mut frame = std::mem::zeroed::<FlowlogFrame>();
        let mut has = false;
        assert_eq!(flowlog_capture_open(null(), &mut cap, null_mut(), 0), St::NullArg);
        assert_eq!(flowlog_capture_open(c"x".as_ptr(), null_mut(), null_mut(), 0), St::NullArg);
        assert_eq!(flowlog_capture_next(null_mut(), &mut frame, &mut has), St::NullArg);
        assert_eq!(flowlog_capture_last_error(null(), null_mut(), 0, null_mut()), St::NullArg);
        assert_eq!(flowlog_capture_offset(null()), 0);
        flowlog_capture_free(null_mut());
        // The meter is still fine.
        assert_eq!(
            flowlog_meter_process_batch(m, null(), 0, null(), 0, null_mut(), 0, &mut done, &mut len),
            St::Ok
        );
        assert_eq!(last_error(m), "", "a successful call clears the message");
        flowlog_meter_free(m);
    }
}

#[test]
fn a_packet_beyond_its_buffer_or_with_a_bad_enum_stops_the_batch_at_its_index() {
    let m = new_meter(&default_config());
    let f = udp_frame(1);
    let good = packet(0, f.len(), 1_700_000_000_000_000_000);
    let bad_packets = [
        (FlowlogPacket { len: f.len() as u32 + 1, ..good }, "beyond the buffer"),
        (FlowlogPacket { offset: usize::MAX, ..good }, "beyond the buffer"),
        (FlowlogPacket { ts_kind: 3, ..good }, "ts_kind"),
        (FlowlogPacket { direction: 3, ..good }, "direction"),
        (FlowlogPacket { action: 2, ..good }, "action"),
    ];
    for (bad, what) in bad_packets {
        let packets = [good, good, bad, good];
        let (mut done, mut len) = (99, 99);
        let st = unsafe {
            flowlog_meter_process_batch(
                m,
                f.as_ptr(),
                f.len(),
                packets.as_ptr(),
                4,
                null_mut(),
                0,
                &mut done,
                &mut len,
            )
        };
        assert_eq!((st, done, len), (St::InvalidArg, 2, 0), "{what}");
        let msg = last_error(m);
        assert!(msg.contains("element 2") && msg.contains(what), "{msg}");
        let st = unsafe { flowlog_meter_process(m, f.as_ptr(), f.len(), &bad, null_mut()) };
        assert_eq!(st, St::InvalidArg, "{what}");
    }
    assert_eq!(counters(m).packets_in, 10, "only the good packets before each bad one were metered");
    unsafe { flowlog_meter_free(m) };
}

#[test]
fn garbage_bytes_and_extreme_timestamps_are_counted_not_errors() {
    let m = new_meter(&default_config());
    let mut buf = Vec::new();
    let mut packets = Vec::new();
    let mut x = 0x1234_5678u32;
    for i in 0..2000usize {
        let len = i % 97;
        let start = buf.len();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf.push(x as u8);
        }
        let ts = [0, u64::MAX, 1 << 63, 1_700_000_000_000_000_000][i % 4];
        let mut p = packet(start, len, ts);
        p.link_type = [1, 101, 0, 113, 276, 9, 12345][i % 7];
        p.orig_len = [0, len as u32, u32::MAX][i % 3];
        p.ts_kind = (i % 3) as u8;
        packets.push(p);
    }
    let mut out = vec![FlowlogRecord::from(&zero_record()); 64];
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
        start += done;
    }
    let c = counters(m);
    assert_eq!(c.packets_in, 2000);
    assert_eq!(c.packets_in, c.metered + c.unsupported_link + c.truncated_l2 + c.non_ip + c.bad_ip_header);
    unsafe { flowlog_meter_free(m) };
}

#[test]
fn formatting_reports_the_exact_size_and_rejects_bad_records() {
    let r = FlowlogRecord::from(&zero_record());
    let recs = [r, r, r];
    let mut need_one = 0;
    assert_eq!(unsafe { flowlog_format_records(0, &r, 1, null_mut(), 0, &mut need_one) }, St::BufferTooSmall);
    let mut need = 0;
    assert_eq!(
        unsafe { flowlog_format_records(0, recs.as_ptr(), 3, null_mut(), 0, &mut need) },
        St::BufferTooSmall
    );
    assert_eq!(need, 3 * need_one);
    // One byte short: still too small, same size reported.
    let mut buf = vec![0u8; need - 1];
    let mut n = 0;
    let st = unsafe { flowlog_format_records(0, recs.as_ptr(), 3, buf.as_mut_ptr(), buf.len(), &mut n) };
    assert_eq!((st, n), (St::BufferTooSmall, need));
    assert!(need_one <= FLOWLOG_MAX_RECORD_LEN);
    for bad in [
        FlowlogRecord { ip_version: 5, ..r },
        FlowlogRecord { direction: 3, ..r },
        FlowlogRecord { action: 2, ..r },
        FlowlogRecord { end_reason: 4, ..r },
        FlowlogRecord { log_status: 3, ..r },
    ] {
        let mut big = vec![0u8; 4096];
        let st = unsafe { flowlog_format_records(0, &bad, 1, big.as_mut_ptr(), big.len(), &mut n) };
        assert_eq!(st, St::InvalidArg);
    }
    let st = unsafe { flowlog_format_records(4, &r, 1, buf.as_mut_ptr(), buf.len(), &mut n) };
    assert_eq!(st, St::InvalidArg, "unknown format");
    let st = unsafe { flowlog_format_header(99, buf.as_mut_ptr(), buf.len(), &mut n) };
    assert_eq!(st, St::InvalidArg, "unknown format");
}

#[test]
fn status_names_follow_the_core_and_unknown_numbers_are_named_unknown() {
    let name = |s: u32| unsafe { CStr::from_ptr(flowlog::error::flowlog_status_str(s)) }.to_str().unwrap();
    for kind in flowlog_core::ErrorKind::ALL {
        assert_eq!(name(kind.code()), kind.as_str());
    }
    assert_eq!(name(0), "ok");
    assert_eq!(name(100), "null_arg");
    assert_eq!(name(7), "unknown");
    assert_eq!(name(u32::MAX), "unknown");
}

fn pcap(records: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let mut f = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    for (secs, usecs, data) in records {
        for v in [*secs, *usecs, data.len() as u32, data.len() as u32] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        f.extend_from_slice(data);
    }
    f
}

fn temp_file(name: &str, bytes: &[u8]) -> std::ffi::CString {
    let dir = std::env::temp_dir().join(format!("flowlog-ffi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    std::ffi::CString::new(path.to_str().unwrap()).unwrap()
}

#[test]
fn the_capture_handle_reads_frames_and_reports_damage_with_its_offset() {
    let f1 = udp_frame(1);
    let f2 = udp_frame(2);
    let mut file = pcap(&[(1_700_000_000, 5, &f1), (1_700_000_001, 6, &f2)]);
    let path = temp_file("two.pcap", &file);
    let mut cap = null_mut();
    assert_eq!(unsafe { flowlog_capture_open(path.as_ptr(), &mut cap, null_mut(), 0) }, St::Ok);
    let mut frame = unsafe { std::mem::zeroed::<FlowlogFrame>() };
    let mut has = false;
    let mut seen = Vec::new();
    loop {
        assert_eq!(unsafe { flowlog_capture_next(cap, &mut frame, &mut has) }, St::Ok);
        if !has {
            break;
        }
        let data = unsafe { std::slice::from_raw_parts(frame.data, frame.len) }.to_vec();
        seen.push((frame.ts_ns, frame.ts_kind, frame.link_type, frame.orig_len, data));
    }
    assert_eq!(
        seen,
        vec![
            (1_700_000_000_000_005_000, 0, 1, f1.len() as u32, f1.clone()),
            (1_700_000_001_000_006_000, 0, 1, f2.len() as u32, f2.clone())
        ]
    );
    unsafe { flowlog_capture_free(cap) };

    // Cut inside the second record: one frame, then CAPTURE_TRUNCATED with the record's offset.
    file.truncate(file.len() - 3);
    let path = temp_file("cut.pcap", &file);
    assert_eq!(unsafe { flowlog_capture_open(path.as_ptr(), &mut cap, null_mut(), 0) }, St::Ok);
    assert_eq!(unsafe { flowlog_capture_next(cap, &mut frame, &mut has) }, St::Ok);
    assert_eq!(unsafe { flowlog_capture_next(cap, &mut frame, &mut has) }, St::CaptureTruncated);
    let mut buf = [0 as std::ffi::c_char; FLOWLOG_ERROR_MAX];
    assert_eq!(unsafe { flowlog_capture_last_error(cap, buf.as_mut_ptr(), buf.len(), null_mut()) }, St::Ok);
    let msg = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap().to_string();
    let offset = 24 + 16 + f1.len();
    assert_eq!(msg, format!("at byte {offset}: file is truncated"));
    assert_eq!(unsafe { flowlog_capture_next(cap, &mut frame, &mut has) }, St::CaptureTruncated, "sticky");
    unsafe { flowlog_capture_free(cap) };

    // Not a capture, and no file at all.
    let mut err = [0 as std::ffi::c_char; FLOWLOG_ERROR_MAX];
    let path = temp_file("text.pcap", b"hello, world");
    let st = unsafe { flowlog_capture_open(path.as_ptr(), &mut cap, err.as_mut_ptr(), err.len()) };
    assert_eq!(st, St::CaptureUnsupported);
    let path = std::ffi::CString::new("/nonexistent/flowlog.pcap").unwrap();
    let st = unsafe { flowlog_capture_open(path.as_ptr(), &mut cap, err.as_mut_ptr(), err.len()) };
    assert_eq!(st, St::Io);
    let msg = unsafe { CStr::from_ptr(err.as_ptr()) }.to_str().unwrap();
    assert!(msg.contains("read error"), "{msg}");
}
