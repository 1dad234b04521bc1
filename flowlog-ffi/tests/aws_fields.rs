//! The custom AWS field list calls (`flowlog_format_header_aws_fields`,
//! `flowlog_format_records_aws_fields`), called through the rlib exactly as C calls them. Expected
//! lines are written by hand from the field semantics documented in flowlog-core's
//! `format/aws.rs`: `version` is the highest version among the chosen fields, `tcp-flags` keeps
//! FIN/SYN/RST/PSH/URG and adds ACK only when one packet carried SYN and ACK together, `-` for a
//! non-TCP record; `flow-direction` is `ingress`/`egress`/`-`; `start`/`end` are floor seconds.

use std::ffi::{c_char, CStr};
use std::ptr::{null, null_mut};

use flowlog::error::FlowlogStatus as St;
use flowlog::format::*;
use flowlog::*;

const SPEC: &std::ffi::CStr = c"${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction}";

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&a);
    x
}

/// 10.0.0.1:40000 → 192.168.1.20:443 TCP, egress; flags FIN|SYN|PSH|ACK|ECE (0x5b) with a SYN-ACK
/// packet: AWS reports FIN 1 + SYN 2 + PSH 8 + ACK 16 = 27 (ECE never).
fn tcp_record() -> FlowlogRecord {
    FlowlogRecord {
        src_addr: v4([10, 0, 0, 1]),
        dst_addr: v4([192, 168, 1, 20]),
        packets: 7,
        bytes: 1234,
        start_ns: 1_700_000_000_999_999_999,
        end_ns: 1_700_000_059_000_000_001,
        window_start: 1_700_000_000,
        window_secs: 60,
        observation_point: 3,
        tunnel_id: 0,
        src_port: 40000,
        dst_port: 443,
        vlan: 0,
        tcp_flags: 0x5b,
        protocol: 6,
        ip_version: 4,
        direction: FlowlogDirection::Out as u8,
        action: FlowlogAction::Accept as u8,
        end_reason: FlowlogEndReason::Window as u8,
        log_status: FlowlogLogStatus::Ok as u8,
        icmp_type: 0,
        icmp_code: 0,
        tcp_syn_ack: true,
        has_icmp: false,
        reserved: [0; 6],
    }
}

/// 2001:db8::1 → 2001:db8::53 UDP, ingress, rejected: no TCP flags (`-`).
fn udp6_record() -> FlowlogRecord {
    let mut src = [0u8; 16];
    src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    let mut dst = src;
    src[15] = 1;
    dst[15] = 0x53;
    FlowlogRecord {
        src_addr: src,
        dst_addr: dst,
        src_port: 5353,
        dst_port: 53,
        protocol: 17,
        ip_version: 6,
        tcp_flags: 0,
        tcp_syn_ack: false,
        packets: 2,
        bytes: 150,
        direction: FlowlogDirection::In as u8,
        action: FlowlogAction::Reject as u8,
        ..tcp_record()
    }
}

/// Records through the two-call pattern: size query with buf NULL/0, then the exact size.
fn records(spec: &CStr, recs: &[FlowlogRecord]) -> String {
    let mut need = 0;
    let st = unsafe {
        flowlog_format_records_aws_fields(
            spec.as_ptr(),
            recs.as_ptr(),
            recs.len(),
            null_mut(),
            0,
            &mut need,
            null_mut(),
            0,
        )
    };
    assert_eq!(st, St::BufferTooSmall);
    let mut buf = vec![0u8; need];
    let mut n = 0;
    let st = unsafe {
        flowlog_format_records_aws_fields(
            spec.as_ptr(),
            recs.as_ptr(),
            recs.len(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
            null_mut(),
            0,
        )
    };
    assert_eq!((st, n), (St::Ok, need), "the size query gave the exact size");
    String::from_utf8(buf).unwrap()
}

fn header(spec: &CStr) -> String {
    let mut need = 0;
    let st =
        unsafe { flowlog_format_header_aws_fields(spec.as_ptr(), null_mut(), 0, &mut need, null_mut(), 0) };
    assert_eq!(st, St::BufferTooSmall);
    let mut buf = vec![0u8; need];
    let mut n = 0;
    let st = unsafe {
        flowlog_format_header_aws_fields(spec.as_ptr(), buf.as_mut_ptr(), buf.len(), &mut n, null_mut(), 0)
    };
    assert_eq!((st, n), (St::Ok, need));
    String::from_utf8(buf).unwrap()
}

#[test]
fn a_custom_list_writes_the_chosen_fields_in_order_with_the_highest_version() {
    assert_eq!(header(SPEC), "version srcaddr dstaddr tcp-flags flow-direction\n");
    // flow-direction is a version 5 field: version 5.
    assert_eq!(
        records(SPEC, &[tcp_record(), udp6_record()]),
        "5 10.0.0.1 192.168.1.20 27 egress\n5 2001:db8::1 2001:db8::53 - ingress\n"
    );
    // Without version 3+ fields the version is 2; times are floor seconds; ICMP-less UDP ports.
    let spec = c"${version} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action}";
    assert_eq!(
        records(spec, &[tcp_record(), udp6_record()]),
        "2 40000 443 6 7 1234 1700000000 1700000059 ACCEPT\n2 5353 53 17 2 150 1700000000 1700000059 REJECT\n"
    );
    // Separators are any ASCII whitespace; fields without VPC metadata are `-`; `type`.
    let spec = c"${type}\t${vpc-id}  ${log-status}";
    assert_eq!(header(spec), "type vpc-id log-status\n");
    assert_eq!(records(spec, &[tcp_record(), udp6_record()]), "IPv4 - OK\nIPv6 - OK\n");
}

#[test]
fn the_default_list_written_out_equals_the_aws_format() {
    let spec = c"${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} \
                 ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";
    let recs = [tcp_record(), udp6_record()];
    let mut buf = vec![0u8; 2 * FLOWLOG_MAX_RECORD_LEN];
    let mut n = 0;
    let st = unsafe {
        flowlog_format_records(
            FlowlogFormat::Aws as u32,
            recs.as_ptr(),
            2,
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
        )
    };
    assert_eq!(st, St::Ok);
    assert_eq!(records(spec, &recs).as_bytes(), &buf[..n]);
    let st = unsafe { flowlog_format_header(FlowlogFormat::Aws as u32, buf.as_mut_ptr(), buf.len(), &mut n) };
    assert_eq!(st, St::Ok);
    assert_eq!(header(spec).as_bytes(), &buf[..n]);
}

#[test]
fn a_buffer_one_byte_short_reports_the_size_for_all_records() {
    let recs = [tcp_record(), udp6_record(), tcp_record()];
    let whole = records(SPEC, &recs);
    let mut buf = vec![0u8; whole.len() - 1];
    let mut n = 0;
    let st = unsafe {
        flowlog_format_records_aws_fields(
            SPEC.as_ptr(),
            recs.as_ptr(),
            3,
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
            null_mut(),
            0,
        )
    };
    assert_eq!((st, n), (St::BufferTooSmall, whole.len()));
    // Zero records write nothing, and need no buffer.
    let st = unsafe {
        flowlog_format_records_aws_fields(SPEC.as_ptr(), null(), 0, null_mut(), 0, &mut n, null_mut(), 0)
    };
    assert_eq!((st, n), (St::Ok, 0));
}

/// Call the records function with `spec`; status, message, and whether `written` was touched.
fn bad(spec: &[u8]) -> (St, String, usize) {
    let spec = std::ffi::CString::new(spec).unwrap();
    let r = tcp_record();
    let mut buf = [0u8; 64];
    let mut n = 12345;
    let mut err = [1 as c_char; FLOWLOG_ERROR_MAX];
    let st = unsafe {
        flowlog_format_records_aws_fields(
            spec.as_ptr(),
            &r,
            1,
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    let msg = unsafe { CStr::from_ptr(err.as_ptr()) }.to_str().unwrap().to_owned();
    // The header call agrees, status and message.
    let mut err2 = [1 as c_char; FLOWLOG_ERROR_MAX];
    let mut n2 = 12345;
    let st2 = unsafe {
        flowlog_format_header_aws_fields(spec.as_ptr(), null_mut(), 0, &mut n2, err2.as_mut_ptr(), err2.len())
    };
    assert_eq!(st2, st);
    assert_eq!(unsafe { CStr::from_ptr(err2.as_ptr()) }.to_str().unwrap(), msg);
    assert_eq!(n2, 12345, "written is untouched on failure");
    (st, msg, n)
}

#[test]
fn a_bad_field_list_is_invalid_config_and_the_message_names_the_bad_token() {
    for (spec, token, problem) in [
        (&b"${version} ${srcaddr} ${bogus-field}"[..], "${bogus-field}", "unknown AWS field name"),
        (b"${srcaddr} ${tgw-id}", "${tgw-id}", "version 6 or later"),
        (b"${srcaddr} ${dstaddr} ${srcaddr}", "${srcaddr}", "listed twice"),
        (b"${srcaddr} dstaddr", "dstaddr", "bad token"),
        (b"${srcaddr},${dstaddr}", "${srcaddr},${dstaddr}", "bad token"),
        (b"${}", "${}", "bad token"),
    ] {
        let (st, msg, n) = bad(spec);
        assert_eq!(st, St::InvalidConfig, "{msg}");
        assert!(msg.starts_with("config field 'fields': "), "{msg}");
        assert!(msg.contains(problem), "{msg}");
        assert!(msg.ends_with(&format!(": {token}")), "{msg}");
        assert_eq!(n, 12345, "written is untouched on failure");
    }
    // An empty list has no token to show.
    for spec in [&b""[..], b"   "] {
        let (st, msg, _) = bad(spec);
        assert_eq!(st, St::InvalidConfig);
        assert!(msg.starts_with("config field 'fields': empty field list"), "{msg}");
    }
    // Not UTF-8: the argument itself is bad.
    let (st, msg, _) = bad(b"${srcaddr} \xff");
    assert_eq!(st, St::InvalidArg);
    assert!(msg.contains("not UTF-8"), "{msg}");
    // No error buffer, or a tiny one: same status, a cut NUL-terminated message.
    let spec = c"${nope}";
    let mut n = 0;
    let mut err = [1 as c_char; 8];
    let st = unsafe {
        flowlog_format_header_aws_fields(spec.as_ptr(), null_mut(), 0, &mut n, err.as_mut_ptr(), err.len())
    };
    assert_eq!(st, St::InvalidConfig);
    assert_eq!(unsafe { CStr::from_ptr(err.as_ptr()) }.to_bytes(), b"config ");
    let st = unsafe { flowlog_format_header_aws_fields(spec.as_ptr(), null_mut(), 0, &mut n, null_mut(), 0) };
    assert_eq!(st, St::InvalidConfig);
}

#[test]
fn null_pointers_and_bad_records_are_errors_never_a_crash() {
    let r = tcp_record();
    let mut buf = [0u8; 256];
    let mut n = 0;
    let mut err = [0 as c_char; FLOWLOG_ERROR_MAX];
    let msg = |e: &[c_char]| unsafe { CStr::from_ptr(e.as_ptr()) }.to_str().unwrap().to_owned();
    unsafe {
        let st = flowlog_format_header_aws_fields(
            null(),
            buf.as_mut_ptr(),
            256,
            &mut n,
            err.as_mut_ptr(),
            err.len(),
        );
        assert_eq!(st, St::NullArg);
        assert_eq!(msg(&err), "argument 'fields' is NULL");
        let st =
            flowlog_format_header_aws_fields(SPEC.as_ptr(), buf.as_mut_ptr(), 256, null_mut(), null_mut(), 0);
        assert_eq!(st, St::NullArg);
        let st = flowlog_format_header_aws_fields(
            SPEC.as_ptr(),
            null_mut(),
            10,
            &mut n,
            err.as_mut_ptr(),
            err.len(),
        );
        assert_eq!(st, St::NullArg);
        assert_eq!(msg(&err), "argument 'buf' is NULL");

        let st = flowlog_format_records_aws_fields(
            null(),
            &r,
            1,
            buf.as_mut_ptr(),
            256,
            &mut n,
            err.as_mut_ptr(),
            err.len(),
        );
        assert_eq!(st, St::NullArg);
        assert_eq!(msg(&err), "argument 'fields' is NULL");
        let st = flowlog_format_records_aws_fields(
            SPEC.as_ptr(),
            null(),
            1,
            buf.as_mut_ptr(),
            256,
            &mut n,
            err.as_mut_ptr(),
            err.len(),
        );
        assert_eq!(st, St::NullArg);
        assert_eq!(msg(&err), "argument 'recs' is NULL");
        let st =
            flowlog_format_records_aws_fields(SPEC.as_ptr(), &r, 1, null_mut(), 10, &mut n, null_mut(), 0);
        assert_eq!(st, St::NullArg);
        let st = flowlog_format_records_aws_fields(
            SPEC.as_ptr(),
            &r,
            1,
            buf.as_mut_ptr(),
            256,
            null_mut(),
            null_mut(),
            0,
        );
        assert_eq!(st, St::NullArg);

        for bad in [
            FlowlogRecord { ip_version: 5, ..r },
            FlowlogRecord { direction: 3, ..r },
            FlowlogRecord { action: 2, ..r },
            FlowlogRecord { log_status: 3, ..r },
        ] {
            let st = flowlog_format_records_aws_fields(
                SPEC.as_ptr(),
                &bad,
                1,
                buf.as_mut_ptr(),
                256,
                &mut n,
                err.as_mut_ptr(),
                err.len(),
            );
            assert_eq!(st, St::InvalidArg);
            assert!(msg(&err).starts_with("invalid argument: record "), "{}", msg(&err));
        }
    }
}
