//! The `flowlog` binary: exit statuses, messages, outputs. Captures are built with the testkit.
//!
//! Tests whose names end in `_records` check records computed by hand from the packets; they need
//! the packet parser (`flowlog_core::parse::dissect`) to key raw-IP IPv4/UDP packets.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use flowlog_core::LinkType;
use flowlog_testkit::{pcap_bytes, Endian, PcapngWriter, Pkt};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_flowlog");

/// A file under Cargo's per-target temporary directory, unique to the test.
fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("flowlog-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Each command line exits 64 with one line `flowlog: ...` on stderr and nothing on stdout.
fn assert_usage_errors(cases: &[&[&str]]) {
    for &args in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
        assert!(err.starts_with("flowlog: "), "{args:?}: {err:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Captures.

const S: u64 = 1_000_000_000;

/// A raw-IP (link type 101) IPv4/UDP packet with `payload` zero bytes; its IP total length is
/// 28 + payload.
fn udp4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: usize) -> Vec<u8> {
    Pkt::raw().ipv4(src, dst).udp(sport, dport).payload_bytes(&vec![0; payload]).bytes()
}

/// A little-endian microsecond pcap of raw-IP packets at the given times (ns).
fn pcap(packets: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let frames: Vec<(u64, &[u8])> = packets.iter().map(|(ts, data)| (*ts, &data[..])).collect();
    pcap_bytes(LinkType::RAW, &frames)
}

/// A little-endian pcapng with `interfaces` raw-IP interfaces (µs) and one enhanced packet block
/// per packet: (interface, time ns, data).
fn pcapng(interfaces: u32, packets: &[(u32, u64, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapngWriter::new(Vec::new(), Endian::Little).unwrap();
    for _ in 0..interfaces {
        w.interface(LinkType::RAW, 0, None).unwrap();
    }
    for (iface, ts, data) in packets {
        w.enhanced(*iface, *ts, data.len() as u32, data).unwrap();
    }
    w.into_inner()
}

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const T0: u64 = 1_700_000_000 * S;

/// Three packets of two flows in one 600-s window (1_699_999_800 + 600 s):
/// 10.0.0.1:1234 → 10.0.0.2:53, 2 packets, 32 + 40 = 72 bytes, from T0 + 0.5 s to T0 + 1.25 s;
/// 10.0.0.2:53 → 10.0.0.1:1234, 1 packet, 48 bytes, at T0 + 2 s.
fn three_packets() -> Vec<(u64, Vec<u8>)> {
    vec![
        (T0 + S / 2, udp4(A, B, 1234, 53, 4)),
        (T0 + S + S / 4, udp4(A, B, 1234, 53, 12)),
        (T0 + 2 * S, udp4(B, A, 53, 1234, 20)),
    ]
}

/// The JSON lines of an output, parsed.
fn json_lines(out: &[u8]) -> Vec<Value> {
    text(out).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// The `--stats` object: the one stderr line that is a JSON object.
fn stats(stderr: &[u8]) -> Value {
    let objects: Vec<Value> = text(stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 1, "one stats object in {:?}", text(stderr));
    objects.into_iter().next().unwrap_or_default()
}

fn find<'a>(records: &'a [Value], src: &str, sport: u64) -> &'a Value {
    records
        .iter()
        .find(|r| r["srcaddr"] == src && r["srcport"] == sport)
        .unwrap_or_else(|| panic!("no record from {src}:{sport} in {records:?}"))
}

fn check_three_packet_records(records: &[Value]) {
    assert_eq!(records.len(), 2, "{records:?}");
    let a = find(records, "10.0.0.1", 1234);
    assert_eq!(
        (&a["dstaddr"], &a["dstport"], &a["protocol"], &a["packets"], &a["bytes"]),
        (&Value::from("10.0.0.2"), &Value::from(53), &Value::from(17), &Value::from(2), &Value::from(72))
    );
    assert_eq!((&a["start"], &a["end"]), (&Value::from(1_700_000_000u64), &Value::from(1_700_000_001u64)));
    assert_eq!(a["start-ns"], Value::from(T0 + S / 2));
    assert_eq!(a["end-ns"], Value::from(T0 + S + S / 4));
    assert_eq!(a["window-start"], Value::from(1_699_999_800u64));
    let b = find(records, "10.0.0.2", 53);
    assert_eq!((&b["packets"], &b["bytes"]), (&Value::from(1), &Value::from(48)));
}

// ---------------------------------------------------------------------------------------------
// Usage errors.

#[test]
fn usage_errors_exit_64_with_a_one_line_message() {
    let file = temp("usage.pcap");
    std::fs::write(&file, pcap(&three_packets())).unwrap();
    let f = file.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["read"],
        &["read", "--window", "0", f],
        &["read", "--window", "ten", f],
        &["read", "--format", "xml", f],
        &["read", "--decap", "some", f],
        &["read", "--accounting", "l3", f],
        &["read", "--max-flows", "0", f],
        &["read", "--max-flows", "-5", f],
        &["read", "--bogus", f],
        &["read", "--aws-fields", "${no-such-field}", f],
        &["read", "--aws-fields", "", f],
        &["read", "--format", "csv", "--aws-fields", "${srcaddr}", f],
    ];
    assert_usage_errors(cases);
}

#[test]
fn help_explains_every_option_and_exits_0() {
    let out = run(&["read", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for option in [
        "--window",
        "--format",
        "--aws-fields",
        "--output",
        "--decap",
        "--accounting",
        "--max-flows",
        "--icmp-in-ports",
        "--key-vlan",
        "--key-tunnel",
        "--stats",
        "[default: 600]",
        "[default: 1000000]",
        "[default: all]",
        "[default: ip]",
    ] {
        assert!(help.contains(option), "read --help lacks {option}");
    }
    let top = run(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    assert!(text(&top.stdout).contains("read"));
}

// ---------------------------------------------------------------------------------------------
// Inputs.

#[test]
fn damaged_file_exits_2_after_the_packets_before_the_damage() {
    let mut bytes = pcap(&three_packets());
    let fourth_at = bytes.len();
    let fourth = pcap(&[(T0 + 3 * S, udp4(A, B, 1234, 53, 100))]);
    // The fourth record cut in the middle of its packet.
    bytes.extend_from_slice(&fourth[24..24 + 16 + 10]);
    let file = temp("damaged.pcap");
    std::fs::write(&file, &bytes).unwrap();
    let out = run(&["read", "--stats", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let expected = format!("flowlog: {}: at byte {fourth_at}: file is truncated", file.display());
    assert!(err.lines().any(|l| l == expected), "{err:?} lacks {expected:?}");
    let s = stats(&out.stderr);
    assert_eq!(s["packets_in"], 3, "the three whole packets, not the cut one");
    assert_eq!(s["files"], 1);
}

#[test]
fn damaged_file_exits_2_after_writing_the_records() {
    let mut bytes = pcap(&three_packets());
    let fourth = pcap(&[(T0 + 3 * S, udp4(A, B, 1234, 53, 100))]);
    bytes.extend_from_slice(&fourth[24..24 + 16 + 10]);
    let file = temp("damaged-records.pcap");
    std::fs::write(&file, &bytes).unwrap();
    let out = run(&["read", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    check_three_packet_records(&json_lines(&out.stdout));
}

#[test]
fn damaged_first_file_stops_before_the_next_file() {
    let damaged = temp("damaged-first.pcap");
    std::fs::write(&damaged, b"this is not a capture").unwrap();
    let good = temp("good-second.pcap");
    std::fs::write(&good, pcap(&three_packets())).unwrap();
    let out = run(&["read", "--stats", damaged.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let expected = format!(
        "flowlog: {}: at byte 0: not a pcap or pcapng file (unknown magic number)",
        damaged.display()
    );
    assert!(text(&out.stderr).lines().any(|l| l == expected), "{}", text(&out.stderr));
    assert_eq!(stats(&out.stderr)["packets_in"], 0);
}

#[test]
fn missing_file_exits_2_naming_it() {
    let missing = temp("does-not-exist.pcap");
    let out = run(&["read", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1);
    assert!(err.starts_with(&format!("flowlog: {}: ", missing.display())), "{err:?}");
}

#[test]
fn stats_is_one_json_object_whose_counters_are_conserved() {
    let file = temp("stats.pcap");
    let mut packets = three_packets();
    // Not IP at all: counted as skipped, never fatal.
    packets.push((T0 + 3 * S, vec![0x00, 0x01, 0x02]));
    std::fs::write(&file, pcap(&packets)).unwrap();
    let out = run(&["read", "--stats", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = stats(&out.stderr);
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("no counter {k} in {s}"));
    let skips = n("unsupported_link") + n("truncated_l2") + n("non_ip") + n("bad_ip_header");
    assert_eq!(n("packets_in"), 4);
    assert_eq!(n("packets_in"), n("metered") + skips);
    assert_eq!(n("metered"), n("record_packets"), "after the final flush");
    assert_eq!(n("records"), n("records_written"));
    assert_eq!(n("files"), 1);
    assert_eq!(n("capture_bytes"), std::fs::metadata(&file).unwrap().len());
}

#[test]
fn stats_counts_the_metered_packets_records() {
    let file = temp("stats-records.pcap");
    std::fs::write(&file, pcap(&three_packets())).unwrap();
    let out = run(&["read", "--stats", file.to_str().unwrap()]);
    let s = stats(&out.stderr);
    assert_eq!(
        (&s["metered"], &s["records"], &s["record_packets"]),
        (&Value::from(3), &Value::from(2), &Value::from(3))
    );
}

#[test]
fn empty_pcap_gives_no_records_and_exit_0() {
    let file = temp("empty.pcap");
    std::fs::write(&file, pcap(&[])).unwrap();
    let out = run(&["read", "--stats", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(stats(&out.stderr)["records"], 0);
}

#[test]
fn dash_reads_standard_input() {
    let out = run_stdin(&["read", "--stats", "-"], &pcap(&three_packets()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stats(&out.stderr)["packets_in"], 3);
}

#[test]
fn dash_reads_standard_input_records() {
    let out = run_stdin(&["read", "-"], &pcap(&three_packets()));
    check_three_packet_records(&json_lines(&out.stdout));
}

// ---------------------------------------------------------------------------------------------
// Outputs.

#[test]
fn every_format_writes_the_records() {
    let file = temp("formats.pcap");
    std::fs::write(&file, pcap(&three_packets())).unwrap();
    let f = file.to_str().unwrap();
    for format in ["jsonl", "sls", "aws", "csv"] {
        let out = run(&["read", "--format", format, f]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let body = text(&out.stdout);
        let lines: Vec<&str> = body.lines().collect();
        match format {
            "jsonl" | "sls" => {
                assert_eq!(lines.len(), 2, "{format}: {body}");
                let rows = json_lines(&out.stdout);
                let a = rows.iter().find(|r| r["srcaddr"] == "10.0.0.1").expect("flow from 10.0.0.1");
                let bytes = if format == "sls" { Value::from("72") } else { Value::from(72) };
                assert_eq!(a["bytes"], bytes, "{format}");
            }
            "aws" => {
                assert_eq!(lines.len(), 3, "header + 2 records: {body}");
                assert!(lines[0].starts_with("version account-id"), "{body}");
                assert!(
                    lines[1..].iter().any(|l| l.contains(" 10.0.0.1 10.0.0.2 1234 53 17 2 72 ")),
                    "{body}"
                );
            }
            _ => {
                assert_eq!(lines.len(), 3, "header + 2 records: {body}");
                assert!(
                    lines[1..].iter().any(|l| l.starts_with("1,10.0.0.1,10.0.0.2,1234,53,17,2,72,")),
                    "{body}"
                );
            }
        }
    }
}

#[test]
fn header_formats_write_their_header_even_without_records() {
    let file = temp("header-only.pcap");
    std::fs::write(&file, pcap(&[])).unwrap();
    for (format, first) in [("aws", "version account-id"), ("csv", "version,srcaddr")] {
        let out = run(&["read", "--format", format, file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        let body = text(&out.stdout);
        assert_eq!(body.lines().count(), 1, "{format}: {body}");
        assert!(body.starts_with(first), "{format}: {body}");
    }
    let out = run(&["read", "--aws-fields", "${srcaddr} ${dstaddr} ${packets}", file.to_str().unwrap()]);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "srcaddr dstaddr packets\n".to_owned()));
}

#[test]
fn output_option_writes_the_file_and_nothing_to_stdout() {
    let input = temp("to-file.pcap");
    std::fs::write(&input, pcap(&[])).unwrap();
    let output = temp("to-file.csv");
    let _ = std::fs::remove_file(&output);
    let out = run(&["read", "--format", "csv", "-o", output.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&output).unwrap().starts_with("version,srcaddr"));
}

#[test]
fn output_option_writes_the_file_records() {
    let input = temp("to-file-records.pcap");
    std::fs::write(&input, pcap(&three_packets())).unwrap();
    let output = temp("to-file-records.jsonl");
    let _ = std::fs::remove_file(&output);
    let out = run(&["read", "--output", output.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    check_three_packet_records(&json_lines(&std::fs::read(&output).unwrap()));
}

#[test]
fn output_that_cannot_be_created_exits_74() {
    let input = temp("unwritable.pcap");
    std::fs::write(&input, pcap(&[])).unwrap();
    let dir = temp("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&["read", "-o", dir.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(74));
    assert_eq!(text(&out.stderr).lines().count(), 1);
}

#[test]
fn output_that_fails_while_writing_exits_74_with_one_line() {
    // /dev/full accepts the open and fails every write (ENOSPC): the failure happens on the writer
    // thread, after records were handed over, and must still end the run with one line and 74.
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("no /dev/full: skipped");
        return;
    }
    let packets: Vec<(u64, Vec<u8>)> =
        (0..5_000u32).map(|i| (T0 + i as u64, udp4(A, B, (i % 60_000) as u16 + 1, 9, 0))).collect();
    let file = temp("full.pcap");
    std::fs::write(&file, pcap(&packets)).unwrap();
    let out = run(&["read", "-o", "/dev/full", "--stats", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(74));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "the --stats object, then one message: {err}");
    assert!(lines[1].starts_with("flowlog: ") && lines[1].contains("/dev/full"), "{err}");
}

#[test]
fn interfaces_of_later_files_are_numbered_after_earlier_files_records() {
    // File 1: a pcapng with two interfaces, a packet on interface 1. File 2: a pcap (one
    // interface), one packet. The pcap's interface is observation point 2.
    let first = temp("multi-1.pcapng");
    std::fs::write(&first, pcapng(2, &[(1, T0, udp4(A, B, 1, 2, 0))])).unwrap();
    let second = temp("multi-2.pcap");
    std::fs::write(&second, pcap(&[(T0 + S, udp4(A, B, 1, 2, 0))])).unwrap();
    let out = run(&["read", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut points: Vec<u64> =
        json_lines(&out.stdout).iter().map(|r| r["observation-point"].as_u64().unwrap()).collect();
    points.sort();
    assert_eq!(points, [1, 2]);
}

#[test]
fn records_stream_out_as_windows_close_records() {
    // Two packets of one flow 10 minutes apart with --window 60: two records, the first one
    // emitted at the rollover with end_reason "window", the second at the end with "flush".
    let file = temp("windows.pcap");
    std::fs::write(&file, pcap(&[(T0, udp4(A, B, 7, 8, 0)), (T0 + 600 * S, udp4(A, B, 7, 8, 0))])).unwrap();
    let out = run(&["read", "--window", "60", file.to_str().unwrap()]);
    let rows = json_lines(&out.stdout);
    let reasons: Vec<&Value> = rows.iter().map(|r| &r["end_reason"]).collect();
    assert_eq!(reasons, ["window", "flush"]);
    assert_eq!(rows[0]["window-start"], 1_699_999_980u64);
    assert_eq!(rows[1]["window-start"], 1_700_000_580u64);
}

#[test]
fn closed_stdout_pipe_exits_quietly() {
    // 20 000 one-packet flows: megabytes of records, far more than a pipe buffer.
    let packets: Vec<(u64, Vec<u8>)> =
        (0..20_000u32).map(|i| (T0 + i as u64, udp4(A, B, (i % 60_000) as u16 + 1, 9, 0))).collect();
    let file = temp("pipe.pcap");
    std::fs::write(&file, pcap(&packets)).unwrap();
    let mut child = Command::new(BIN)
        .args(["read", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    let _ = stdout.read(&mut first);
    drop(stdout);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert!(matches!(status.code(), Some(0) | Some(141)), "{status:?}: {err}");
    assert!(err.is_empty(), "quiet: {err:?}");
}

// ---------------------------------------------------------------------------------------------
// `flowlog demo`: the generator's capture through `read`.

#[test]
fn demo_writes_a_header_and_a_few_hundred_aws_records_by_default() {
    let out = run(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next().map(|h| h.split(' ').next()), Some(Some("version")), "the AWS header first");
    let records = lines.count();
    assert!((100..=500).contains(&records), "{records} records: a screenful or a few, not thousands");
}

#[test]
fn demo_records_hold_every_generated_packet_and_byte_records() {
    let spec = flowlog_testkit::TrafficSpec { packets: 3_000, flows: 120, seed: 9, ..Default::default() };
    let truth = spec.truth();
    let out =
        run(&["demo", "--packets", "3000", "--flows", "120", "--seed", "9", "--format", "jsonl", "--stats"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = json_lines(&out.stdout);
    let sum = |k: &str| rows.iter().map(|r| r[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("packets"), truth.packets);
    assert_eq!(sum("bytes"), truth.bytes, "ip accounting of the keyed (inner) headers");
    let flows: std::collections::HashSet<String> = rows
        .iter()
        .map(|r| {
            format!("{} {} {} {} {}", r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"], r["protocol"])
        })
        .collect();
    assert_eq!(flows.len(), truth.flows as usize);

    let s = stats(&out.stderr);
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("no counter {k} in {s}"));
    let skips = n("unsupported_link") + n("truncated_l2") + n("non_ip") + n("bad_ip_header");
    assert_eq!(n("packets_in"), truth.packets);
    assert_eq!(n("packets_in"), n("metered") + skips);
    assert_eq!(n("metered"), n("record_packets"), "after the final flush");
    assert_eq!(n("records_written"), rows.len() as u64);
}

#[test]
fn demo_output_is_the_same_for_a_seed_and_differs_across_seeds() {
    let first = run(&["demo", "--packets", "2000", "--seed", "3"]);
    let again = run(&["demo", "--packets", "2000", "--seed", "3"]);
    let other = run(&["demo", "--packets", "2000", "--seed", "4"]);
    for out in [&first, &again, &other] {
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    assert_eq!(text(&first.stdout), text(&again.stdout));
    assert_ne!(text(&first.stdout), text(&other.stdout));
}

#[test]
fn demo_write_pcap_keeps_the_capture_that_read_turns_into_the_same_records() {
    let capture = temp("demo.pcap");
    let records = temp("demo-records.csv");
    let c = capture.to_str().unwrap();
    let demo = run(&[
        "demo",
        "--window",
        "300",
        "--format",
        "csv",
        "--write-pcap",
        c,
        "-o",
        records.to_str().unwrap(),
    ]);
    assert_eq!(demo.status.code(), Some(0), "{}", text(&demo.stderr));
    assert!(demo.stdout.is_empty(), "records go to -o");
    let read = run(&["read", "--window", "300", "--format", "csv", c]);
    assert_eq!(read.status.code(), Some(0), "{}", text(&read.stderr));
    let written = std::fs::read(&records).unwrap();
    assert!(text(&written).lines().count() > 1);
    assert_eq!(text(&written), text(&read.stdout));
}

#[test]
fn demo_usage_errors_exit_64_with_a_one_line_message() {
    let cases: &[&[&str]] = &[
        &["demo", "--packets", "0"],
        &["demo", "--packets", "many"],
        &["demo", "--flows", "0"],
        &["demo", "--window", "0"],
        &["demo", "--format", "xml"],
        &["demo", "--bogus"],
    ];
    assert_usage_errors(cases);
}

#[test]
fn demo_write_pcap_that_cannot_be_created_exits_74() {
    let path = temp("no-such-dir").join("demo.pcap");
    let out = run(&["demo", "--write-pcap", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(74), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

// ---- flowlog topology ------------------------------------------------------------------------

const SMALL_TOPOLOGY: &str = r#"
[[vpc]]
id = "vpc-1"
cidrs = ["10.0.0.0/16"]
[[vswitch]]
id = "vsw-a"
vpc = "vpc-1"
cidrs = ["10.0.1.0/24"]
network_acl = "acl-a"
[[eni]]
id = "eni-1"
vswitch = "vsw-a"
ips = ["10.0.1.10"]
security_groups = ["sg-b", "sg-a"]
[[eni]]
id = "eni-2"
vswitch = "vsw-a"
ips = ["10.0.1.11"]
[[security_group]]
id = "sg-a"
rules = [ { direction = "in", policy = "accept", priority = 5, protocol = "tcp", ports = "22/22", peer = "10.0.0.0/8" },
          { direction = "in", policy = "accept", priority = 1, protocol = "tcp", ports = "80/80", peer = "0.0.0.0/0" } ]
[[security_group]]
id = "sg-b"
rules = [ { direction = "in", policy = "drop", priority = 1, protocol = "TCP", ports = "80/80", peer = "198.51.100.7/24" },
          { direction = "out", policy = "drop", priority = 2, protocol = "udp", ports = "53/53", peer = "sg-a" } ]
[[network_acl]]
id = "acl-a"
ingress = [ { policy = "drop", protocol = "icmp", peer = "192.0.2.0/24" } ]
[[flow_log]]
id = "fl-eni"
resource = "eni-1"
window = 60
"#;

/// Every line worked out by hand from `SMALL_TOPOLOGY` and SPEC §7.3 and §7.4: eni-1's inbound
/// group rules by priority, drop before accept at priority 1, file order (sg-a before sg-b, though
/// the ENI names sg-b first) otherwise; the ACL's empty egress list drops everything leaving;
/// eni-2 is in no instance; a peer with host bits set is its network.
#[test]
fn topology_prints_instances_windows_and_the_rules_in_the_order_a_packet_meets_them() {
    let path = temp("small-topology.toml");
    std::fs::write(&path, SMALL_TOPOLOGY).unwrap();
    let shown = path.display().to_string();
    let out = run(&["topology", &shown]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let acl_out = "  out 2. network ACL acl-a egress:\n     accept: the remote end is in the vSwitch or one of the cloud's service addresses\n     otherwise drop\n";
    let acl_in = "  in 1. network ACL acl-a ingress:\n     accept: the remote end is in the vSwitch or one of the cloud's service addresses\n     drop icmp -1/-1 192.0.2.0/24\n     otherwise drop\n";
    let want = [
        format!("{shown}: valid: 1 VPCs, 1 vSwitches, 2 ENIs, 2 security groups, 1 network ACLs, 0 route tables\n"),
        "instance fl-eni: eni eni-1, window 60 s, traffic all, ipv4, paths all; covers eni-1\n".into(),
        "eni eni-1 (vswitch vsw-a, vpc vpc-1, 10.0.1.10): window 60 s, instances fl-eni\n".into(),
        "  out 1. security groups sg-b sg-a (basic), out:\n".into(),
        "     accept: the connection's live connection-tracking entry\n".into(),
        "     accept: the remote end is another ENI of sg-b sg-a\n".into(),
        "     priority 2 drop udp 53/53 group sg-a (sg-b)\n".into(),
        "     otherwise accept\n".into(),
        acl_out.into(),
        acl_in.into(),
        "  in 2. security groups sg-b sg-a (basic), in:\n".into(),
        "     accept: the connection's live connection-tracking entry\n".into(),
        "     accept: the remote end is another ENI of sg-b sg-a\n".into(),
        "     priority 1 drop tcp 80/80 198.51.100.0/24 (sg-b)\n".into(),
        "     priority 1 accept tcp 80/80 0.0.0.0/0 (sg-a)\n".into(),
        "     priority 5 accept tcp 22/22 10.0.0.0/8 (sg-a)\n".into(),
        "     otherwise drop\n".into(),
        "eni eni-2 (vswitch vsw-a, vpc vpc-1, 10.0.1.11): covered by no instance (its packets count as not covered)\n"
            .into(),
        "  out 1. security groups: none, accept\n".into(),
        acl_out.into(),
        acl_in.into(),
        "  in 2. security groups: none, accept\n".into(),
    ]
    .concat();
    assert_eq!(text(&out.stdout), want);
}

#[test]
fn topology_without_flow_logs_has_a_default_instance_at_the_given_window() {
    let path = temp("no-flow-log-topology.toml");
    std::fs::write(&path, SMALL_TOPOLOGY.split("[[flow_log]]").next().unwrap()).unwrap();
    let out = run(&["topology", path.to_str().unwrap(), "--window", "300"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(
        "instance default: every ENI, window 300 s, traffic all, dual, paths all; covers eni-1 eni-2\n"
    ));
    assert!(
        stdout.contains("eni eni-2 (vswitch vsw-a, vpc vpc-1, 10.0.1.11): window 300 s, instances default\n")
    );
}

#[test]
fn a_bad_topology_exits_2_with_one_line_naming_the_entry_and_the_field() {
    let path = temp("bad-topology.toml");
    std::fs::write(
        &path,
        SMALL_TOPOLOGY.replace(
            "vswitch = \"vsw-a\"\nips = [\"10.0.1.11\"]",
            "vswitch = \"vsw-x\"\nips = [\"10.0.1.11\"]",
        ),
    )
    .unwrap();
    let out = run(&["topology", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("eni \"eni-2\": vswitch \"vsw-x\" is not defined"), "{stderr}");
    assert!(out.stdout.is_empty());
    let missing = run(&["topology", temp("no-such-topology.toml").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
}
