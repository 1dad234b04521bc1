//! SPEC §5 (records and formats) and the record times of §4: exact lines of every writer for
//! hand-built records, checked by hand against `reference/flowlog-formats.md` and AWS's example
//! records; buffer sizing; the AWS field-list parser; the TCP-flag rules; lossless JSON lines.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use flowlog_core::format::aws::{aws_tcp_flags, AwsField, AwsFields};
use flowlog_core::format::{FormatError, FormatKind, Formatter, RecordWriter};
use flowlog_core::{Action, ConfigField, Direction, Dissected, EndReason, FlowKey, LogStatus, Record};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

struct Flow {
    src: &'static str,
    dst: &'static str,
    sport: u16,
    dport: u16,
    proto: u8,
    dir: Direction,
    action: Action,
    obs: u32,
    vlan: u16,
    tunnel: u32,
}

impl Flow {
    fn tcp(src: &'static str, sport: u16, dst: &'static str, dport: u16) -> Flow {
        Flow {
            src,
            dst,
            sport,
            dport,
            proto: 6,
            dir: Direction::Unknown,
            action: Action::Accept,
            obs: 0,
            vlan: 0,
            tunnel: 0,
        }
    }

    fn key(&self) -> FlowKey {
        let mut d = Dissected::EMPTY;
        let (src, v6) = octets(self.src.parse().unwrap());
        let (dst, _) = octets(self.dst.parse().unwrap());
        d.ip_version = if v6 { 6 } else { 4 };
        d.src = src;
        d.dst = dst;
        d.src_port = self.sport;
        d.dst_port = self.dport;
        d.protocol = self.proto;
        d.vlan = self.vlan;
        d.tunnel_id = self.tunnel;
        FlowKey::new(&d, self.obs, self.dir, self.action, true, true)
    }
}

fn octets(a: IpAddr) -> ([u8; 16], bool) {
    match a {
        IpAddr::V4(a) => {
            let mut b = [0; 16];
            b[..4].copy_from_slice(&a.octets());
            (b, false)
        }
        IpAddr::V6(a) => (a.octets(), true),
    }
}

const NS: u64 = 1_000_000_000;

fn record(flow: Flow, packets: u64, bytes: u64, start_ns: u64, end_ns: u64, window_secs: u64) -> Record {
    Record {
        key: flow.key(),
        packets,
        bytes,
        start_ns,
        end_ns,
        tcp_flags: 0,
        has_icmp: false,
        tcp_syn_ack: false,
        icmp_type: 0,
        icmp_code: 0,
        window_start_secs: start_ns / NS / window_secs * window_secs,
        window_secs,
        end_reason: EndReason::Window,
        log_status: LogStatus::Ok,
    }
}

/// TCP over IPv4, sent by the ENI (`out`), SYN and SYN-ACK seen, still open.
fn tcp4() -> Record {
    let flow = Flow { dir: Direction::Out, obs: 1, ..Flow::tcp("10.0.0.1", 53870, "10.0.0.2", 80) };
    let mut r = record(flow, 3, 180, 1_700_000_000 * NS + 100_000_000, 1_700_000_002 * NS + 500_000_000, 600);
    r.tcp_flags = 0x12;
    r.tcp_syn_ack = true;
    r
}

/// UDP over IPv6 received by the ENI, VLAN-keyed, written at flush.
fn udp6() -> Record {
    let flow = Flow {
        proto: 17,
        dir: Direction::In,
        obs: 2,
        vlan: 100,
        ..Flow::tcp("2001:0db8:0000:0000:0000:0000:0000:0010", 40000, "2001:db8:0:0:1:0:0:1", 53)
    };
    let t = 1_700_000_100 * NS + 7;
    let mut r = record(flow, 1, 72, t, t, 600);
    r.end_reason = EndReason::Flush;
    r
}

/// An inbound ping: AWS's ICMP example `203.0.113.12 172.31.16.139 0 0 1 4 336 …`.
fn icmp() -> Record {
    let flow = Flow { proto: 1, dir: Direction::In, ..Flow::tcp("203.0.113.12", 0, "172.31.16.139", 0) };
    let mut r = record(flow, 4, 336, 1_432_917_027 * NS, 1_432_917_142 * NS + 999_999_999, 600);
    r.has_icmp = true;
    r.icmp_type = 8;
    r.icmp_code = 0;
    r
}

/// AWS's REJECT example (RDP) with unknown direction, tunnel-keyed, evicted from a full table.
fn reject() -> Record {
    let flow = Flow {
        action: Action::Reject,
        obs: 7,
        tunnel: 5000,
        ..Flow::tcp("172.31.9.69", 49761, "172.31.9.12", 3389)
    };
    let mut r = record(flow, 20, 4249, 1_418_530_010 * NS, 1_418_530_070 * NS, 600);
    r.tcp_flags = 0x02;
    r.end_reason = EndReason::Evicted;
    r
}

fn write(f: &Formatter, rec: &Record) -> String {
    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
    let n = f.write_record(rec, &mut buf).expect("MAX_RECORD_LEN suffices");
    String::from_utf8(buf[..n].to_vec()).expect("utf-8")
}

fn line(kind: FormatKind, rec: &Record) -> String {
    write(&Formatter::new(kind), rec)
}

fn header(f: &Formatter) -> String {
    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
    let n = f.write_header(&mut buf).expect("MAX_RECORD_LEN suffices");
    String::from_utf8(buf[..n].to_vec()).expect("utf-8")
}

fn aws_custom(spec: &str) -> Formatter {
    Formatter::aws_with_fields(spec).expect("valid field list")
}

// ---------------------------------------------------------------------------------------------
// Exact lines, per format

#[test]
fn jsonl_writes_one_object_per_line_with_alibaba_keys_numbers_and_canonical_addresses() {
    assert_eq!(
        line(FormatKind::Jsonl, &tcp4()),
        concat!(
            r#"{"version":1,"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":53870,"dstport":80,"protocol":6,"#,
            r#""packets":3,"bytes":180,"start":1700000000,"end":1700000002,"start-ns":1700000000100000000,"#,
            r#""end-ns":1700000002500000000,"direction":"out","action":"ACCEPT","log-status":"OK","tcp-flags":18,"tcp-syn-ack":1,"#,
            r#""ip-version":4,"window-start":1699999800,"window-secs":600,"end_reason":"window","#,
            r#""observation-point":1}"#,
            "\n"
        )
    );
    assert_eq!(
        line(FormatKind::Jsonl, &udp6()),
        concat!(
            r#"{"version":1,"srcaddr":"2001:db8::10","dstaddr":"2001:db8::1:0:0:1","srcport":40000,"dstport":53,"#,
            r#""protocol":17,"packets":1,"bytes":72,"start":1700000100,"end":1700000100,"#,
            r#""start-ns":1700000100000000007,"end-ns":1700000100000000007,"direction":"in","action":"ACCEPT","#,
            r#""log-status":"OK","ip-version":6,"window-start":1699999800,"window-secs":600,"end_reason":"flush","#,
            r#""observation-point":2,"vlan-id":100}"#,
            "\n"
        )
    );
    assert_eq!(
        line(FormatKind::Jsonl, &icmp()),
        concat!(
            r#"{"version":1,"srcaddr":"203.0.113.12","dstaddr":"172.31.16.139","srcport":0,"dstport":0,"#,
            r#""protocol":1,"packets":4,"bytes":336,"start":1432917027,"end":1432917142,"#,
            r#""start-ns":1432917027000000000,"end-ns":1432917142999999999,"direction":"in","action":"ACCEPT","#,
            r#""log-status":"OK","icmp-type":8,"icmp-code":0,"ip-version":4,"window-start":1432917000,"#,
            r#""window-secs":600,"end_reason":"window","observation-point":0}"#,
            "\n"
        )
    );
    assert_eq!(
        line(FormatKind::Jsonl, &reject()),
        concat!(
            r#"{"version":1,"srcaddr":"172.31.9.69","dstaddr":"172.31.9.12","srcport":49761,"dstport":3389,"#,
            r#""protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"#,
            r#""start-ns":1418530010000000000,"end-ns":1418530070000000000,"action":"REJECT","log-status":"OK","#,
            r#""tcp-flags":2,"ip-version":4,"window-start":1418529600,"window-secs":600,"end_reason":"evicted","#,
            r#""observation-point":7,"tunnel-id":5000}"#,
            "\n"
        )
    );
}

const SLS_META: &str = r#"{"__topic__":"flow_log","version":"1","account-id":"-","region":"-","vpc-id":"-","vswitch-id":"-","eni-id":"-","vm-id":"-","#;

#[test]
fn sls_writes_every_value_as_a_string_with_topic_version_1_and_dashes_for_unknown_fields() {
    assert_eq!(
        line(FormatKind::Sls, &tcp4()),
        [
            SLS_META,
            r#""srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":"53870","dstport":"80","protocol":"6","#,
            r#""packets":"3","bytes":"180","start":"1700000000","end":"1700000400","direction":"out","#,
            r#""action":"ACCEPT","log-status":"OK","tcp-flags":"18","traffic_path":"-","#,
            r#""start-ns":"1700000000100000000","end-ns":"1700000002500000000","ip-version":"4","#,
            r#""window-start":"1699999800","window-secs":"600","end_reason":"window","observation-point":"1"}"#,
            "\n",
        ]
        .concat()
    );
    assert_eq!(
        line(FormatKind::Sls, &udp6()),
        [
            SLS_META,
            r#""srcaddr":"2001:db8::10","dstaddr":"2001:db8::1:0:0:1","srcport":"40000","dstport":"53","#,
            r#""protocol":"17","packets":"1","bytes":"72","start":"1700000100","end":"1700000400","#,
            r#""direction":"in","action":"ACCEPT","log-status":"OK","tcp-flags":"-","traffic_path":"-","#,
            r#""start-ns":"1700000100000000007","end-ns":"1700000100000000007","ip-version":"6","#,
            r#""window-start":"1699999800","window-secs":"600","end_reason":"flush","observation-point":"2","#,
            r#""vlan-id":"100"}"#,
            "\n",
        ]
        .concat()
    );
    assert_eq!(
        line(FormatKind::Sls, &icmp()),
        [
            SLS_META,
            r#""srcaddr":"203.0.113.12","dstaddr":"172.31.16.139","srcport":"0","dstport":"0","protocol":"1","#,
            r#""packets":"4","bytes":"336","start":"1432917027","end":"1432917600","direction":"in","#,
            r#""action":"ACCEPT","log-status":"OK","tcp-flags":"-","traffic_path":"-","#,
            r#""start-ns":"1432917027000000000","end-ns":"1432917142999999999","icmp-type":"8","icmp-code":"0","#,
            r#""ip-version":"4","window-start":"1432917000","window-secs":"600","end_reason":"window","#,
            r#""observation-point":"0"}"#,
            "\n",
        ]
        .concat()
    );
    assert_eq!(
        line(FormatKind::Sls, &reject()),
        [
            SLS_META,
            r#""srcaddr":"172.31.9.69","dstaddr":"172.31.9.12","srcport":"49761","dstport":"3389","#,
            r#""protocol":"6","packets":"20","bytes":"4249","start":"1418530010","end":"1418530200","#,
            r#""direction":"-","action":"REJECT","log-status":"OK","tcp-flags":"2","traffic_path":"-","#,
            r#""start-ns":"1418530010000000000","end-ns":"1418530070000000000","ip-version":"4","#,
            r#""window-start":"1418529600","window-secs":"600","end_reason":"evicted","observation-point":"7","#,
            r#""tunnel-id":"5000"}"#,
            "\n",
        ]
        .concat()
    );
}

#[test]
fn aws_writes_the_default_version_2_fields_with_dashes_for_account_and_interface() {
    assert_eq!(
        line(FormatKind::Aws, &tcp4()),
        "2 - - 10.0.0.1 10.0.0.2 53870 80 6 3 180 1700000000 1700000002 ACCEPT OK\n"
    );
    assert_eq!(
        line(FormatKind::Aws, &udp6()),
        "2 - - 2001:db8::10 2001:db8::1:0:0:1 40000 53 17 1 72 1700000100 1700000100 ACCEPT OK\n"
    );
    assert_eq!(
        line(FormatKind::Aws, &icmp()),
        "2 - - 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n"
    );
    assert_eq!(
        line(FormatKind::Aws, &reject()),
        "2 - - 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n"
    );
}

/// AWS example lines (reference §2.5 and AWS's "Flow log record examples" page) with the fields
/// flowlog cannot know (account, ENI, VPC, subnet, instance, region, AZ, AWS service, traffic
/// path) replaced by `-`.
fn aws_example_without_metadata(example: &str, unknown_positions: &[usize]) -> String {
    let mut fields: Vec<&str> = example.split(' ').collect();
    for &i in unknown_positions {
        fields[i] = "-";
    }
    fields.join(" ") + "\n"
}

#[test]
fn aws_default_lines_match_the_aws_examples_for_the_fields_flowlog_knows() {
    let ssh = record(
        Flow::tcp("172.31.16.139", 20641, "172.31.16.21", 22),
        20,
        4249,
        1_418_530_010 * NS,
        1_418_530_070 * NS,
        600,
    );
    assert_eq!(
        line(FormatKind::Aws, &ssh),
        aws_example_without_metadata(
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
            &[1, 2]
        )
    );
    let ssh6 = record(
        Flow::tcp(
            "2001:db8:1234:a100:8d6e:3477:df66:f105",
            34892,
            "2001:db8:1234:a102:3304:8879:34cf:4071",
            22,
        ),
        54,
        8855,
        1_477_913_708 * NS,
        1_477_913_820 * NS,
        600,
    );
    assert_eq!(
        line(FormatKind::Aws, &ssh6),
        aws_example_without_metadata(
            "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
            &[1, 2]
        )
    );
}

#[test]
fn aws_version_5_custom_line_matches_the_aws_example_for_the_fields_flowlog_knows() {
    // Reference §2.5, third line, with AWS's field list for it.
    let f = aws_custom(
        "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} \
         ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} \
         ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} \
         ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}",
    );
    let flow = Flow { dir: Direction::Out, ..Flow::tcp("10.0.0.71", 34210, "52.95.128.179", 80) };
    let mut r = record(flow, 7, 471, 1_616_729_292 * NS, 1_616_729_349 * NS, 600);
    r.tcp_flags = 0x03; // AWS shows 3 (SYN + FIN); see the tcp-flags tests for ACK.
    assert_eq!(
        write(&f, &r),
        aws_example_without_metadata(
            "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK",
            &[11, 12, 13, 14, 15, 16, 17, 25, 26]
        )
    );
}

#[test]
fn aws_custom_fields_write_type_flow_direction_and_packet_addresses() {
    let f =
        aws_custom("${version} ${srcaddr} ${tcp-flags} ${type} ${flow-direction} ${pkt-dstaddr} ${vpc-id}");
    assert_eq!(write(&f, &tcp4()), "5 10.0.0.1 18 IPv4 egress 10.0.0.2 -\n");
    assert_eq!(write(&f, &udp6()), "5 2001:db8::10 - IPv6 ingress 2001:db8::1:0:0:1 -\n");
    assert_eq!(write(&f, &reject()), "5 172.31.9.69 2 IPv4 - 172.31.9.12 -\n");
    let v3 = aws_custom("${srcport} ${version} ${instance-id}");
    assert_eq!(write(&v3, &tcp4()), "53870 3 -\n");
    let v4 = aws_custom("${az-id} ${version}");
    assert_eq!(write(&v4, &tcp4()), "- 4\n");
}

#[test]
fn aws_nodata_row_keeps_version_times_and_status_and_dashes_the_rest() {
    // AWS: `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA`.
    let mut r =
        record(Flow::tcp("0.0.0.0", 0, "0.0.0.0", 0), 0, 0, 1_431_280_876 * NS, 1_431_280_934 * NS, 60);
    r.key.protocol = 0;
    r.log_status = LogStatus::NoData;
    assert_eq!(
        line(FormatKind::Aws, &r),
        aws_example_without_metadata(
            "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
            &[1, 2]
        )
    );
    r.log_status = LogStatus::SkipData;
    assert_eq!(line(FormatKind::Aws, &r), "2 - - - - - - - - - 1431280876 1431280934 - SKIPDATA\n");
}

#[test]
fn csv_writes_the_jsonl_columns_with_empty_cells_for_unknown_or_not_applicable_values() {
    assert_eq!(
        line(FormatKind::Csv, &tcp4()),
        "1,10.0.0.1,10.0.0.2,53870,80,6,3,180,1700000000,1700000002,1700000000100000000,1700000002500000000,\
         out,ACCEPT,OK,18,,,4,1699999800,600,window,1,,\n"
    );
    assert_eq!(
        line(FormatKind::Csv, &udp6()),
        "1,2001:db8::10,2001:db8::1:0:0:1,40000,53,17,1,72,1700000100,1700000100,1700000100000000007,\
         1700000100000000007,in,ACCEPT,OK,,,,6,1699999800,600,flush,2,100,\n"
    );
    assert_eq!(
        line(FormatKind::Csv, &icmp()),
        "1,203.0.113.12,172.31.16.139,0,0,1,4,336,1432917027,1432917142,1432917027000000000,\
         1432917142999999999,in,ACCEPT,OK,,8,0,4,1432917000,600,window,0,,\n"
    );
    assert_eq!(
        line(FormatKind::Csv, &reject()),
        "1,172.31.9.69,172.31.9.12,49761,3389,6,20,4249,1418530010,1418530070,1418530010000000000,\
         1418530070000000000,,REJECT,OK,2,,,4,1418529600,600,evicted,7,,5000\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Headers

#[test]
fn aws_header_line_is_the_chosen_field_names_in_order() {
    assert_eq!(
        header(&Formatter::new(FormatKind::Aws)),
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action \
         log-status\n"
    );
    assert_eq!(
        header(&aws_custom("${tcp-flags}  ${srcaddr}\t${flow-direction}")),
        "tcp-flags srcaddr flow-direction\n"
    );
}

#[test]
fn csv_header_row_names_every_column_and_matches_the_row_width() {
    let h = header(&Formatter::new(FormatKind::Csv));
    assert_eq!(
        h,
        "version,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,start-ns,end-ns,direction,action,\
         log-status,tcp-flags,icmp-type,icmp-code,ip-version,window-start,window-secs,end_reason,observation-point,\
         vlan-id,tunnel-id\n"
    );
    for rec in [tcp4(), udp6(), icmp(), reject()] {
        assert_eq!(line(FormatKind::Csv, &rec).split(',').count(), h.split(',').count());
    }
}

#[test]
fn jsonl_and_sls_have_no_header() {
    for kind in [FormatKind::Jsonl, FormatKind::Sls] {
        let mut buf = [0u8; 0];
        assert_eq!(Formatter::new(kind).write_header(&mut buf), Ok(0));
    }
}

#[test]
fn record_writer_writes_the_header_then_one_line_per_record() {
    let mut w = RecordWriter::new(Formatter::new(FormatKind::Aws), Vec::new()).unwrap();
    w.write(&tcp4()).unwrap();
    w.write(&reject()).unwrap();
    let text = String::from_utf8(w.into_inner()).unwrap();
    assert_eq!(
        text,
        [
            header(&Formatter::new(FormatKind::Aws)),
            line(FormatKind::Aws, &tcp4()),
            line(FormatKind::Aws, &reject())
        ]
        .concat()
    );
    let mut w = RecordWriter::new(Formatter::new(FormatKind::Jsonl), Vec::new()).unwrap();
    w.write(&icmp()).unwrap();
    assert_eq!(String::from_utf8(w.into_inner()).unwrap(), line(FormatKind::Jsonl, &icmp()));
}

// ---------------------------------------------------------------------------------------------
// Record times (SPEC §4): the Alibaba end dialect

#[test]
fn alibaba_end_is_the_last_packet_time_of_a_tcp_connection_closed_in_the_window() {
    let sls_end = |rec: &Record| -> String {
        let v: serde_json::Value = serde_json::from_str(&line(FormatKind::Sls, rec)).unwrap();
        v["end"].as_str().unwrap().to_owned()
    };
    let mut fin = tcp4();
    fin.tcp_flags = 0x11; // FIN + ACK
    assert_eq!(sls_end(&fin), "1700000002");
    let mut rst = tcp4();
    rst.tcp_flags = 0x04;
    assert_eq!(sls_end(&rst), "1700000002");
    // Still open at the window end: the window end, 1699999800 + 600.
    assert_eq!(sls_end(&tcp4()), "1700000400");
    // Not TCP: never "closed", so the window end.
    assert_eq!(sls_end(&udp6()), "1700000400");
    // The other formats keep the AWS end (last packet time) either way.
    assert!(line(FormatKind::Aws, &tcp4()).contains(" 1700000000 1700000002 "));
    assert!(line(FormatKind::Jsonl, &tcp4()).contains(r#""end":1700000002,"#));
}

#[test]
fn seconds_are_the_floor_of_the_nanosecond_times() {
    let r = icmp(); // end_ns = 1432917142.999999999 s
    assert!(line(FormatKind::Aws, &r).contains(" 1432917027 1432917142 "));
    assert!(line(FormatKind::Csv, &r).contains(",1432917027,1432917142,"));
}

// ---------------------------------------------------------------------------------------------
// TCP flags

fn flags_line(kind: FormatKind, tcp_flags: u16) -> String {
    flags_line_with(kind, tcp_flags, tcp_flags & 0x12 == 0x12)
}

fn flags_line_with(kind: FormatKind, tcp_flags: u16, syn_ack: bool) -> String {
    let mut r = tcp4();
    r.tcp_flags = tcp_flags;
    r.tcp_syn_ack = syn_ack;
    match kind {
        FormatKind::Aws => write(&aws_custom("${tcp-flags}"), &r).trim_end().to_owned(),
        FormatKind::Jsonl | FormatKind::Sls => {
            let v: serde_json::Value = serde_json::from_str(&line(kind, &r)).unwrap();
            v["tcp-flags"].to_string().trim_matches('"').to_owned()
        }
        FormatKind::Csv => line(kind, &r).split(',').nth(15).unwrap().to_owned(),
    }
}

#[test]
fn aws_reports_ack_only_together_with_syn_and_never_ece_cwr_or_ns() {
    let cases = [
        (0x10, "0"),   // ACK only: 0, not 16
        (0x12, "18"),  // SYN-ACK
        (0x02, "2"),   // SYN
        (0x03, "3"),   // SYN + FIN
        (0x13, "19"),  // SYN-ACK + FIN
        (0x11, "1"),   // FIN-ACK: FIN only
        (0x19, "9"),   // FIN + PSH + ACK
        (0x14, "4"),   // RST-ACK: RST only
        (0x30, "32"),  // URG + ACK
        (0x1c0, "0"),  // ECE, CWR, NS
        (0x1ff, "63"), // everything: FIN SYN RST PSH ACK URG
        (0, "0"),
    ];
    for (flags, want) in cases {
        assert_eq!(flags_line(FormatKind::Aws, flags), want, "flags {flags:#x}");
        assert_eq!(aws_tcp_flags(flags, flags & 0x12 == 0x12).to_string(), want);
    }
}

#[test]
fn aws_reports_ack_only_when_one_packet_carried_syn_and_ack_together() {
    // Client side: SYN, then ACKs, then FIN-ACK: the OR is 0x13 but no packet had SYN+ACK.
    assert_eq!(flags_line_with(FormatKind::Aws, 0x13, false), "3");
    // Server side: SYN-ACK, ACKs, FIN-ACK.
    assert_eq!(flags_line_with(FormatKind::Aws, 0x13, true), "19");
    // The other formats keep the plain OR either way.
    assert_eq!(flags_line_with(FormatKind::Jsonl, 0x13, false), "19");
}

#[test]
fn sls_tcp_flags_are_the_plain_or_of_the_low_6_bits() {
    for (flags, want) in [(0x10, "16"), (0x12, "18"), (0x1ff, "63"), (0x1d2, "18"), (0x100, "0")] {
        assert_eq!(flags_line(FormatKind::Sls, flags), want, "flags {flags:#x}");
    }
}

#[test]
fn jsonl_and_csv_tcp_flags_are_the_full_9_bit_or_with_ns_as_256() {
    for (flags, want) in [(0x100, "256"), (0x1ff, "511"), (0x10, "16"), (0xc2, "194"), (0, "0")] {
        assert_eq!(flags_line(FormatKind::Jsonl, flags), want, "flags {flags:#x}");
        assert_eq!(flags_line(FormatKind::Csv, flags), want, "flags {flags:#x}");
    }
}

#[test]
fn tcp_flags_are_not_applicable_to_other_protocols() {
    let rec = udp6();
    assert!(!line(FormatKind::Jsonl, &rec).contains("tcp-flags"));
    assert!(line(FormatKind::Sls, &rec).contains(r#""tcp-flags":"-""#));
    assert_eq!(write(&aws_custom("${tcp-flags}"), &rec), "-\n");
    assert_eq!(line(FormatKind::Csv, &rec).split(',').nth(15), Some(""));
}

// ---------------------------------------------------------------------------------------------
// Buffer sizing

fn formatters() -> Vec<Formatter> {
    let mut all: Vec<Formatter> = FormatKind::ALL.iter().map(|k| Formatter::new(*k)).collect();
    let every = AwsField::ALL.iter().map(|f| format!("${{{}}}", f.name())).collect::<Vec<_>>().join(" ");
    all.push(aws_custom(&every));
    all
}

#[test]
fn a_buffer_one_byte_too_small_reports_the_exact_size_needed_in_every_format() {
    for f in formatters() {
        for rec in [tcp4(), udp6(), icmp(), reject()] {
            let want = write(&f, &rec);
            let n = want.len();
            let mut small = vec![0u8; n - 1];
            assert_eq!(
                f.write_record(&rec, &mut small),
                Err(FormatError::BufferTooSmall { required: n }),
                "{:?}",
                f.kind()
            );
            assert_eq!(f.write_record(&rec, &mut []), Err(FormatError::BufferTooSmall { required: n }));
            let mut exact = vec![0u8; n];
            assert_eq!(f.write_record(&rec, &mut exact), Ok(n));
            assert_eq!(exact, want.as_bytes());
        }
        let h = header(&f);
        if !h.is_empty() {
            let mut small = vec![0u8; h.len() - 1];
            assert_eq!(f.write_header(&mut small), Err(FormatError::BufferTooSmall { required: h.len() }));
        }
    }
}

/// Every value at its widest: IPv6 addresses with eight 4-digit groups, `u64::MAX` counters and
/// times, the longest names, every optional field present.
fn worst_case(v6: bool, status: LogStatus, proto: u8) -> Record {
    let addr = if v6 { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe" } else { "255.255.255.255" };
    let flow = Flow {
        src: addr,
        dst: addr,
        sport: u16::MAX,
        dport: u16::MAX,
        proto,
        dir: Direction::Out,
        action: Action::Reject,
        obs: u32::MAX,
        vlan: u16::MAX,
        tunnel: u32::MAX,
    };
    Record {
        key: flow.key(),
        packets: u64::MAX,
        bytes: u64::MAX,
        start_ns: u64::MAX,
        end_ns: u64::MAX,
        tcp_flags: 0x1ff,
        has_icmp: true,
        tcp_syn_ack: false,
        icmp_type: u8::MAX,
        icmp_code: u8::MAX,
        window_start_secs: u64::MAX,
        window_secs: u64::MAX,
        end_reason: EndReason::PacketLimit,
        log_status: status,
    }
}

#[test]
fn max_record_len_bounds_the_worst_case_record_and_header_in_every_format() {
    for f in formatters() {
        assert!(header(&f).len() <= Formatter::MAX_RECORD_LEN);
        for v6 in [false, true] {
            for status in [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData] {
                for proto in [6, 255] {
                    let rec = worst_case(v6, status, proto);
                    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
                    let n = f.write_record(&rec, &mut buf).expect("fits");
                    assert!(n <= Formatter::MAX_RECORD_LEN);
                }
            }
        }
    }
    // Not a loose bound: the widest jsonl/sls line comes within a few bytes of it.
    let sls = write(&Formatter::new(FormatKind::Sls), &worst_case(true, LogStatus::Ok, 255));
    assert!(sls.len() + 8 >= Formatter::MAX_RECORD_LEN, "{} vs {}", sls.len(), Formatter::MAX_RECORD_LEN);
}

// ---------------------------------------------------------------------------------------------
// The AWS field-list parser

/// Every AWS field of versions 2–5, from reference §2.1, with its version.
const AWS_FIELDS_V2_TO_V5: [(&str, u8); 29] = [
    ("version", 2),
    ("account-id", 2),
    ("interface-id", 2),
    ("srcaddr", 2),
    ("dstaddr", 2),
    ("srcport", 2),
    ("dstport", 2),
    ("protocol", 2),
    ("packets", 2),
    ("bytes", 2),
    ("start", 2),
    ("end", 2),
    ("action", 2),
    ("log-status", 2),
    ("vpc-id", 3),
    ("subnet-id", 3),
    ("instance-id", 3),
    ("tcp-flags", 3),
    ("type", 3),
    ("pkt-srcaddr", 3),
    ("pkt-dstaddr", 3),
    ("region", 4),
    ("az-id", 4),
    ("sublocation-type", 4),
    ("sublocation-id", 4),
    ("pkt-src-aws-service", 5),
    ("pkt-dst-aws-service", 5),
    ("flow-direction", 5),
    ("traffic-path", 5),
];

#[test]
fn aws_field_list_accepts_every_documented_field_and_writes_the_highest_version() {
    for (name, version) in AWS_FIELDS_V2_TO_V5 {
        // `${version}` last writes the list's version; listing `version` twice is an error.
        let (spec, head) = if name == "version" {
            ("${version}".to_owned(), "version\n".to_owned())
        } else {
            (format!("${{{name}}} ${{version}}"), format!("{name} version\n"))
        };
        let f = aws_custom(&spec);
        assert_eq!(f.kind(), FormatKind::Aws);
        let out = write(&f, &tcp4());
        assert!(out.ends_with(&format!("{version}\n")), "{name}: {out:?}");
        assert_eq!(out.split(' ').count(), f.aws_fields().as_slice().len());
        assert_eq!(header(&f), head);
    }
    let all = AWS_FIELDS_V2_TO_V5.iter().map(|(n, _)| format!("${{{n}}}")).collect::<Vec<_>>().join(" ");
    let f = AwsFields::parse(&all).unwrap();
    assert_eq!(f.as_slice().len(), 29);
    assert_eq!(f.version(), 5);
}

#[test]
fn aws_field_list_rejects_unknown_names_and_names_them() {
    let spec = "${srcaddr} ${dst-addr} ${bytes}";
    let e = Formatter::aws_with_fields(spec).unwrap_err();
    assert_eq!(e.field, ConfigField::Fields);
    assert!(e.to_string().contains("unknown AWS field name"), "{e}");
    let detail = AwsFields::parse(spec).unwrap_err();
    assert_eq!(detail.token(spec), "${dst-addr}");
    assert_eq!(
        detail.display(spec).to_string(),
        "config field 'fields': unknown AWS field name (fields of versions 2-5 are supported): ${dst-addr}"
    );
}

#[test]
fn aws_field_list_rejects_empty_lists_bad_tokens_later_versions_and_repeats() {
    let cases = [
        ("", "empty field list", ""),
        ("   ", "empty field list", ""),
        ("srcaddr dstaddr", "bad token", "srcaddr"),
        ("${srcaddr}${dstaddr}", "bad token", "${srcaddr}${dstaddr}"),
        ("${srcaddr} ${}", "bad token", "${}"),
        ("${srcaddr} {dstaddr}", "bad token", "{dstaddr}"),
        ("${srcaddr} ${dstaddr", "bad token", "${dstaddr"),
        ("${tgw-id}", "version 6 or later", "${tgw-id}"),
        ("${srcaddr} ${ecs-task-id}", "version 6 or later", "${ecs-task-id}"),
        ("${reject-reason}", "version 6 or later", "${reject-reason}"),
        ("${srcaddr} ${bytes} ${srcaddr}", "listed twice", "${srcaddr}"),
        ("${SRCADDR}", "unknown AWS field name", "${SRCADDR}"),
    ];
    for (spec, problem, token) in cases {
        let e = Formatter::aws_with_fields(spec).unwrap_err();
        assert_eq!(e.field, ConfigField::Fields, "{spec:?}");
        assert!(e.problem.contains(problem), "{spec:?}: {}", e.problem);
        assert!(e.to_string().starts_with("config field 'fields': "), "{e}");
        let detail = AwsFields::parse(spec).unwrap_err();
        assert_eq!(detail.token(spec), token, "{spec:?}");
    }
    // The repeat names the second occurrence.
    let spec = "${srcaddr} ${bytes} ${srcaddr}";
    assert_eq!(AwsFields::parse(spec).unwrap_err().start, 20);
}

#[test]
fn format_names_round_trip() {
    for kind in FormatKind::ALL {
        assert_eq!(FormatKind::from_name(kind.as_str()), Some(kind));
        assert_eq!(Formatter::new(kind).kind(), kind);
    }
    assert_eq!(FormatKind::ALL.map(FormatKind::as_str), ["jsonl", "sls", "aws", "csv"]);
    assert_eq!(FormatKind::from_name("json"), None);
}

// ---------------------------------------------------------------------------------------------
// Lossless JSON lines, checked with serde_json as the independent decoder

/// Rebuild a record from its JSON line, using only the documented keys and presence rules.
fn record_from_jsonl(text: &str) -> Record {
    let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let obj = v.as_object().expect("an object");
    let num = |k: &str| obj.get(k).map(|x| x.as_u64().expect(k));
    let s = |k: &str| obj.get(k).map(|x| x.as_str().expect(k).to_owned());
    assert_eq!(num("version"), Some(1));
    let ip_version = num("ip-version").unwrap() as u8;
    let addr = |k: &str| {
        let text = s(k).unwrap();
        let a: IpAddr = text.parse().expect("address");
        assert_eq!(a.is_ipv6(), ip_version == 6, "{k}");
        // The text is canonical: it is what std writes for the address.
        assert_eq!(a.to_string(), text);
        octets(a).0
    };
    let mut d = Dissected::EMPTY;
    d.ip_version = ip_version;
    d.src = addr("srcaddr");
    d.dst = addr("dstaddr");
    d.src_port = num("srcport").unwrap() as u16;
    d.dst_port = num("dstport").unwrap() as u16;
    d.protocol = num("protocol").unwrap() as u8;
    d.vlan = num("vlan-id").map_or(0, |x| x as u16);
    d.tunnel_id = num("tunnel-id").map_or(0, |x| x as u32);
    let dir = match s("direction").as_deref() {
        None => Direction::Unknown,
        Some("in") => Direction::In,
        Some("out") => Direction::Out,
        Some(other) => panic!("direction {other}"),
    };
    let action = match s("action").unwrap().as_str() {
        "ACCEPT" => Action::Accept,
        "REJECT" => Action::Reject,
        other => panic!("action {other}"),
    };
    let log_status = match s("log-status").unwrap().as_str() {
        "OK" => LogStatus::Ok,
        "NODATA" => LogStatus::NoData,
        "SKIPDATA" => LogStatus::SkipData,
        other => panic!("log-status {other}"),
    };
    let end_reason = match s("end_reason").unwrap().as_str() {
        "window" => EndReason::Window,
        "evicted" => EndReason::Evicted,
        "flush" => EndReason::Flush,
        "packet_limit" => EndReason::PacketLimit,
        other => panic!("end_reason {other}"),
    };
    let key = FlowKey::new(&d, num("observation-point").unwrap() as u32, dir, action, true, true);
    let start_ns = num("start-ns").unwrap();
    let end_ns = num("end-ns").unwrap();
    assert_eq!(num("start"), Some(start_ns / NS));
    assert_eq!(num("end"), Some(end_ns / NS));
    let has_icmp = obj.contains_key("icmp-type");
    assert_eq!(has_icmp, obj.contains_key("icmp-code"));
    let known = [
        "version",
        "srcaddr",
        "dstaddr",
        "srcport",
        "dstport",
        "protocol",
        "packets",
        "bytes",
        "start",
        "end",
        "start-ns",
        "end-ns",
        "direction",
        "action",
        "log-status",
        "tcp-flags",
        "tcp-syn-ack",
        "icmp-type",
        "icmp-code",
        "ip-version",
        "window-start",
        "window-secs",
        "end_reason",
        "observation-point",
        "vlan-id",
        "tunnel-id",
    ];
    for k in obj.keys() {
        assert!(known.contains(&k.as_str()), "unexpected key {k}");
    }
    Record {
        key,
        packets: num("packets").unwrap(),
        bytes: num("bytes").unwrap(),
        start_ns,
        end_ns,
        tcp_flags: num("tcp-flags").map_or(0, |x| x as u16),
        has_icmp,
        tcp_syn_ack: num("tcp-syn-ack") == Some(1),
        icmp_type: num("icmp-type").map_or(0, |x| x as u8),
        icmp_code: num("icmp-code").map_or(0, |x| x as u8),
        window_start_secs: num("window-start").unwrap(),
        window_secs: num("window-secs").unwrap(),
        end_reason,
        log_status,
    }
}

#[test]
fn jsonl_is_lossless_for_the_hand_built_records() {
    for rec in [
        tcp4(),
        udp6(),
        icmp(),
        reject(),
        worst_case(true, LogStatus::Ok, 6),
        worst_case(false, LogStatus::NoData, 1),
    ] {
        assert_eq!(record_from_jsonl(&line(FormatKind::Jsonl, &rec)), rec);
    }
}

/// Records as the engine makes them: TCP flags only on TCP, ICMP type/code only with `has_icmp`.
fn any_record() -> impl Strategy<Value = Record> {
    let addr = prop_oneof![
        any::<[u8; 4]>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        proptest::array::uniform8(prop_oneof![3 => Just(0u16), 1 => any::<u16>()])
            .prop_map(|g| IpAddr::V6(Ipv6Addr::from(g))),
    ];
    let dir = prop_oneof![Just(Direction::Unknown), Just(Direction::In), Just(Direction::Out)];
    let action = prop_oneof![Just(Action::Accept), Just(Action::Reject)];
    let reason = prop_oneof![
        Just(EndReason::Window),
        Just(EndReason::Evicted),
        Just(EndReason::Flush),
        Just(EndReason::PacketLimit)
    ];
    let status =
        prop_oneof![8 => Just(LogStatus::Ok), 1 => Just(LogStatus::NoData), 1 => Just(LogStatus::SkipData)];
    (
        (
            addr.clone(),
            addr,
            any::<u16>(),
            any::<u16>(),
            prop_oneof![Just(6u8), Just(17u8), Just(1u8), any::<u8>()],
        ),
        (
            dir,
            action,
            any::<u32>(),
            prop_oneof![Just(0u16), 1..4096u16],
            prop_oneof![Just(0u32), any::<u32>()],
        ),
        (any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>(), 0u16..512, any::<(bool, u8, u8)>()),
        (any::<u64>(), 1u64..=u64::MAX, reason, status),
    )
        .prop_map(|((src, dst, sport, dport, proto), (dir, action, obs, vlan, tunnel), c, w)| {
            let (packets, bytes, t0, t1, flags, (icmp, itype, icode)) = c;
            let (window_start, window_secs, end_reason, log_status) = w;
            let (s, v6) = octets(src);
            let d6 = octets(dst).0;
            let mut d = Dissected::EMPTY;
            d.ip_version = if v6 { 6 } else { 4 };
            d.src = s;
            d.dst = if v6 == dst.is_ipv6() { d6 } else { s };
            d.src_port = sport;
            d.dst_port = dport;
            d.protocol = proto;
            d.vlan = vlan;
            d.tunnel_id = tunnel;
            Record {
                key: FlowKey::new(&d, obs, dir, action, true, true),
                packets,
                bytes,
                start_ns: t0.min(t1),
                end_ns: t0.max(t1),
                tcp_flags: if proto == 6 { flags } else { 0 },
                has_icmp: icmp,
                tcp_syn_ack: false,
                icmp_type: if icmp { itype } else { 0 },
                icmp_code: if icmp { icode } else { 0 },
                window_start_secs: window_start,
                window_secs,
                end_reason,
                log_status,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn jsonl_lines_parse_back_to_the_same_record(rec in any_record()) {
        let text = line(FormatKind::Jsonl, &rec);
        prop_assert!(text.ends_with('\n') && !text[..text.len() - 1].contains('\n'));
        prop_assert_eq!(record_from_jsonl(&text), rec);
    }

    #[test]
    fn sls_lines_are_json_objects_of_strings_agreeing_with_jsonl(rec in any_record()) {
        let sls: serde_json::Value = serde_json::from_str(&line(FormatKind::Sls, &rec)).unwrap();
        let jsonl: serde_json::Value = serde_json::from_str(&line(FormatKind::Jsonl, &rec)).unwrap();
        let sls = sls.as_object().unwrap();
        for (k, v) in sls {
            prop_assert!(v.is_string(), "{} is not a string", k);
        }
        for k in ["__topic__", "version", "account-id", "region", "vpc-id", "vswitch-id", "eni-id", "vm-id",
                  "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end",
                  "direction", "action", "log-status", "tcp-flags", "traffic_path"] {
            prop_assert!(sls.contains_key(k), "missing Alibaba field {}", k);
        }
        let end = rec.alibaba_end_secs().to_string();
        prop_assert_eq!(sls["end"].as_str(), Some(end.as_str()));
        // Every key both have, other than the dialect's own (version, end, tcp-flags and the flow
        // fields of a NODATA row), holds the same value.
        let ok = rec.log_status == LogStatus::Ok;
        for (k, v) in jsonl.as_object().unwrap() {
            if matches!(k.as_str(), "version" | "end" | "tcp-flags") {
                continue;
            }
            if !ok && matches!(k.as_str(), "srcaddr" | "dstaddr" | "srcport" | "dstport" | "protocol" | "packets"
                | "bytes" | "direction" | "action") {
                prop_assert_eq!(sls[k].as_str(), Some("-"));
                continue;
            }
            let want = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            prop_assert_eq!(sls[k].as_str(), Some(want.as_str()), "key {}", k);
        }
    }

    #[test]
    fn every_line_fits_max_record_len_and_reports_exact_sizes(rec in any_record()) {
        for f in formatters() {
            let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
            let n = f.write_record(&rec, &mut buf).unwrap();
            let mut small = [0u8; Formatter::MAX_RECORD_LEN];
            prop_assert_eq!(
                f.write_record(&rec, &mut small[..n - 1]),
                Err(FormatError::BufferTooSmall { required: n })
            );
            prop_assert_eq!(buf[n - 1], b'\n');
            prop_assert!(!buf[..n - 1].contains(&b'\n'));
        }
    }

    #[test]
    fn aws_and_csv_rows_have_one_value_per_header_field(rec in any_record()) {
        for (f, sep) in [(formatters()[4], ' '), (Formatter::new(FormatKind::Csv), ',')] {
            let h = header(&f);
            let row = write(&f, &rec);
            prop_assert_eq!(row.split(sep).count(), h.split(sep).count());
            if sep == ' ' {
                prop_assert!(row.trim_end().split(' ').all(|v| !v.is_empty()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Each writer's bound. With a buffer of `Formatter::record_len_bound` bytes the writers append
// without checking the room left, so the bound must hold for every record the types allow, not
// only those the engine makes: the bindings format records they are given. Each line's size is
// counted first, with an empty buffer (nothing is written), and only then written.

/// The exact size of `rec`'s line, counted without writing a byte.
fn required_len(f: &Formatter, rec: &Record) -> usize {
    match f.write_record(rec, &mut []) {
        Err(FormatError::BufferTooSmall { required }) => required,
        other => panic!("an empty buffer holds no line: {other:?}"),
    }
}

/// Checks `rec` against `f`'s bound, then that the unchecked and the counting paths write the
/// same line.
fn assert_within_bound(f: &Formatter, rec: &Record) -> Result<(), TestCaseError> {
    let n = required_len(f, rec);
    prop_assert!(n <= f.record_len_bound(), "{:?}: {} > bound {}", f.kind(), n, f.record_len_bound());
    prop_assert!(f.record_len_bound() <= Formatter::MAX_RECORD_LEN);
    let mut fast = [0u8; Formatter::MAX_RECORD_LEN];
    prop_assert_eq!(f.write_record(rec, &mut fast), Ok(n));
    let mut exact = vec![0u8; n];
    prop_assert_eq!(f.write_record(rec, &mut exact), Ok(n));
    prop_assert_eq!(&fast[..n], &exact[..]);
    prop_assert!(exact.ends_with(b"\n") && !exact[..n - 1].contains(&b'\n'));
    Ok(())
}

#[test]
fn the_widest_records_fit_each_writers_own_bound() {
    for f in formatters() {
        for v6 in [false, true] {
            for status in [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData] {
                for proto in [6, 1, 58, 255] {
                    // A binding may hand over any `u16` of flags, wider than the 9 bits the
                    // engine sets.
                    for (tcp_flags, tcp_syn_ack) in [(0x1ff, true), (u16::MAX, true), (u16::MAX, false)] {
                        let rec = Record { tcp_flags, tcp_syn_ack, ..worst_case(v6, status, proto) };
                        assert_within_bound(&f, &rec).unwrap();
                    }
                }
            }
        }
    }
}

/// A value of `T`, half the time its maximum, the widest text.
fn widest_or_any<T: Arbitrary + Copy + std::fmt::Debug + 'static>(max: T) -> impl Strategy<Value = T> {
    prop_oneof![Just(max), any::<T>()]
}

/// Any record the types allow, the engine's own invariants aside (flags on any protocol and wider
/// than 9 bits, ICMP fields on any record, an end before the start, any IP version byte), with
/// each value often at its widest: IPv6 addresses of eight 4-digit groups, `u64::MAX` counters and
/// times, and every enum.
fn extreme_record() -> impl Strategy<Value = Record> {
    let addr = prop_oneof![Just([0xff; 16]), Just([0x10; 16]), any::<[u8; 16]>()];
    let ip_version = prop_oneof![Just(4u8), Just(6u8), any::<u8>()];
    let dir = prop_oneof![Just(Direction::Unknown), Just(Direction::In), Just(Direction::Out)];
    let action = prop_oneof![Just(Action::Accept), Just(Action::Reject)];
    let reason = prop_oneof![
        Just(EndReason::Window),
        Just(EndReason::Evicted),
        Just(EndReason::Flush),
        Just(EndReason::PacketLimit)
    ];
    let status = prop_oneof![Just(LogStatus::Ok), Just(LogStatus::NoData), Just(LogStatus::SkipData)];
    (
        (ip_version, addr.clone(), addr, widest_or_any(u16::MAX), widest_or_any(u16::MAX), any::<u8>()),
        (dir, action, widest_or_any(u32::MAX), widest_or_any(u16::MAX), widest_or_any(u32::MAX)),
        (widest_or_any(u64::MAX), widest_or_any(u64::MAX), widest_or_any(u64::MAX), widest_or_any(u64::MAX)),
        (
            widest_or_any(u16::MAX),
            any::<bool>(),
            any::<bool>(),
            widest_or_any(u8::MAX),
            widest_or_any(u8::MAX),
        ),
        (widest_or_any(u64::MAX), widest_or_any(u64::MAX), reason, status),
    )
        .prop_map(|(k, (dir, action, obs, vlan, tunnel), counts, flags, w)| {
            let (ip_version, src, dst, src_port, dst_port, protocol) = k;
            let d = Dissected {
                ip_version,
                src,
                dst,
                src_port,
                dst_port,
                protocol,
                vlan,
                tunnel_id: tunnel,
                ..Dissected::EMPTY
            };
            let (packets, bytes, start_ns, end_ns) = counts;
            let (tcp_flags, tcp_syn_ack, has_icmp, icmp_type, icmp_code) = flags;
            let (window_start_secs, window_secs, end_reason, log_status) = w;
            Record {
                key: FlowKey::new(&d, obs, dir, action, true, true),
                packets,
                bytes,
                start_ns,
                end_ns,
                tcp_flags,
                tcp_syn_ack,
                has_icmp,
                icmp_type,
                icmp_code,
                window_start_secs,
                window_secs,
                end_reason,
                log_status,
            }
        })
}

/// An AWS field list of any length and order.
fn any_aws_field_list() -> impl Strategy<Value = Formatter> {
    proptest::sample::subsequence(AwsField::ALL.to_vec(), 1..=AwsField::COUNT).prop_shuffle().prop_map(
        |fields| {
            aws_custom(&fields.iter().map(|f| format!("${{{}}}", f.name())).collect::<Vec<_>>().join(" "))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_writer_keeps_within_its_bound_for_extreme_records(rec in extreme_record(), aws in any_aws_field_list()) {
        for f in formatters().iter().chain([&aws]) {
            assert_within_bound(f, &rec)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus: records computed independently (tshark + SPEC rules) in `expected-windows/`

/// For every expected record of the corpus, build the `Record` from its numbers and check what
/// flowlog writes against the expectation's own text and arithmetic: canonical address text (as
/// tshark wrote it), floor seconds, the 9-bit TCP flags on TCP records only, ICMP type and code.
#[test]
fn jsonl_and_aws_lines_of_the_corpus_expected_records_agree_with_the_expectations() {
    let Some(corpus) = flowlog_testkit::corpus_dir() else { return };
    let dir = corpus.join("expected-windows");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let jsonl = Formatter::new(FormatKind::Jsonl);
    let aws = aws_custom("${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${tcp-flags} ${type}");
    let mut checked = 0usize;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let (Some(records), Some(window)) = (doc["records"].as_array(), doc["window"].as_u64()) else {
            continue; // a file tshark could not read
        };
        for e in records {
            let u = |k: &str| e[k].as_u64().unwrap_or_else(|| panic!("{}: {k}", path.display()));
            let text = |k: &str| e[k].as_str().unwrap().to_owned();
            let (src, v6) = octets(text("srcaddr").parse().unwrap());
            let (dst, _) = octets(text("dstaddr").parse().unwrap());
            let mut d = Dissected::EMPTY;
            d.ip_version = if v6 { 6 } else { 4 };
            d.src = src;
            d.dst = dst;
            d.protocol = u("protocol") as u8;
            d.src_port = u("srcport") as u16;
            d.dst_port = u("dstport") as u16;
            let has_icmp = e.get("icmp_type").is_some();
            let rec = Record {
                key: FlowKey::new(&d, 0, Direction::Unknown, Action::Accept, false, false),
                packets: u("packets"),
                bytes: u("bytes"),
                start_ns: u("start_ns"),
                end_ns: u("end_ns"),
                tcp_flags: u("tcp_flags") as u16,
                has_icmp,
                tcp_syn_ack: u("tcp_flags") & 0x12 == 0x12,
                icmp_type: if has_icmp { u("icmp_type") as u8 } else { 0 },
                icmp_code: if has_icmp { u("icmp_code") as u8 } else { 0 },
                window_start_secs: u("window_start"),
                window_secs: window,
                end_reason: EndReason::Window,
                log_status: LogStatus::Ok,
            };
            let line = write(&jsonl, &rec);
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            let ctx = format!("{}: {line}", path.display());
            for k in ["srcaddr", "dstaddr"] {
                assert_eq!(v[k].as_str(), Some(text(k).as_str()), "{ctx}");
            }
            assert_eq!(v["start"].as_u64(), Some(u("start")), "{ctx}");
            assert_eq!(v["end"].as_u64(), Some(u("end")), "{ctx}");
            assert_eq!(v["window-start"].as_u64(), Some(u("window_start")), "{ctx}");
            if u("protocol") == 6 {
                assert_eq!(v["tcp-flags"].as_u64(), Some(u("tcp_flags")), "{ctx}");
            } else {
                assert_eq!(u("tcp_flags"), 0, "{ctx}");
                assert!(v.get("tcp-flags").is_none(), "{ctx}");
            }
            if has_icmp {
                assert_eq!(v["icmp-type"].as_u64(), Some(u("icmp_type")), "{ctx}");
                assert_eq!(v["icmp-code"].as_u64(), Some(u("icmp_code")), "{ctx}");
            }
            let tcp = if u("protocol") == 6 {
                aws_tcp_flags(u("tcp_flags") as u16, u("tcp_flags") & 0x12 == 0x12).to_string()
            } else {
                "-".into()
            };
            let want = format!(
                "{} {} {} {} {} {} {} {} {} {tcp} {}\n",
                text("srcaddr"),
                text("dstaddr"),
                u("srcport"),
                u("dstport"),
                u("protocol"),
                u("packets"),
                u("bytes"),
                u("start"),
                u("end"),
                if v6 { "IPv6" } else { "IPv4" }
            );
            assert_eq!(write(&aws, &rec), want, "{}", path.display());
            checked += 1;
        }
    }
    println!("checked {checked} corpus records");
    assert!(checked > 0, "the corpus directory holds no records");
}
