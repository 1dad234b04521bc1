//! SPEC §2–§4 against the real-capture corpus: the records per capture window that a meter must
//! produce, as computed independently with tshark (`$FLOWLOG_CORPUS/expected-windows/`).

use std::collections::BTreeMap;
use std::path::Path;

use flowlog_core::capture::CaptureReader;
use flowlog_core::{Config, Decap, Meter, Record};
use flowlog_testkit::corpus_dir;
use serde_json::Value;

/// (srcaddr, dstaddr, protocol, srcport, dstport, window_start)
type WindowKey = (String, String, u64, u64, u64, u64);

#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    packets: u64,
    bytes: u64,
    start_ns: u64,
    end_ns: u64,
    tcp_flags: u64,
    icmp: Option<(u64, u64)>,
}

struct Run {
    records: BTreeMap<WindowKey, Totals>,
    late_packets: u64,
    rollovers: u64,
    bad_timestamp: u64,
}

/// Meter a capture; records are summed over directions and observation points, as the expected
/// files are.
fn run(path: &Path, decap: Decap, window_secs: u64) -> Result<Run, String> {
    let config = Config { window_secs, decap, max_flows: 1 << 16, hash_seed: Some(1), ..Config::default() };
    let mut meter = Meter::new(config).map_err(|e| e.to_string())?;
    let mut records: BTreeMap<WindowKey, Totals> = BTreeMap::new();
    let mut add = |r: &Record| {
        let k = r.key;
        let key = (
            k.src_addr().to_string(),
            k.dst_addr().to_string(),
            k.protocol as u64,
            k.src_port as u64,
            k.dst_port as u64,
            r.window_start_secs,
        );
        let t = records.entry(key).or_insert(Totals { start_ns: u64::MAX, ..Totals::default() });
        t.packets += r.packets;
        t.bytes += r.bytes;
        t.start_ns = t.start_ns.min(r.start_ns);
        t.end_ns = t.end_ns.max(r.end_ns);
        t.tcp_flags |= r.tcp_flags as u64;
        if r.has_icmp && t.icmp.is_none() {
            t.icmp = Some((r.icmp_type as u64, r.icmp_code as u64));
        }
    };
    let mut reader = CaptureReader::open(path).map_err(|e| e.to_string())?;
    loop {
        match reader.next_frame() {
            Ok(Some(frame)) => {
                let _ = meter.process(&frame.to_frame(), &mut add);
            }
            Ok(None) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    meter.flush(&mut add);
    let c = *meter.counters();
    assert!(c.is_conserved(), "{}: conservation law broken: {c:?}", path.display());
    assert_eq!(c.metered, c.record_packets, "{}: metered packets missing from records", path.display());
    Ok(Run { records, late_packets: c.late_packets, rollovers: c.rollovers, bad_timestamp: c.bad_timestamp })
}

fn expected_records(v: &Value) -> BTreeMap<WindowKey, Totals> {
    let mut out = BTreeMap::new();
    for r in v["records"].as_array().expect("records") {
        let n = |f: &str| r[f].as_u64().unwrap_or_else(|| panic!("field {f} in {r}"));
        let key = (
            r["srcaddr"].as_str().unwrap().to_string(),
            r["dstaddr"].as_str().unwrap().to_string(),
            n("protocol"),
            n("srcport"),
            n("dstport"),
            n("window_start"),
        );
        let icmp = r.get("icmp_type").map(|t| (t.as_u64().unwrap(), r["icmp_code"].as_u64().unwrap()));
        let t = Totals {
            packets: n("packets"),
            bytes: n("bytes"),
            start_ns: n("start_ns"),
            end_ns: n("end_ns"),
            tcp_flags: n("tcp_flags"),
            icmp,
        };
        assert!(out.insert(key, t).is_none(), "duplicate expected record");
    }
    out
}

/// Compare one file; returns a description of the differences, empty when equal.
fn compare(path: &Path, expected: &Value, decap: Decap, window_secs: u64) -> String {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    if let Some(err) = expected.get("error") {
        return match run(path, decap, window_secs) {
            Err(_) => String::new(),
            Ok(_) => format!("{name}: expected a read error ({err}), got records"),
        };
    }
    let got = match run(path, decap, window_secs) {
        Ok(r) => r,
        Err(e) => return format!("{name}: unexpected error {e}"),
    };
    let want = expected_records(expected);
    let mut diffs = Vec::new();
    for (k, w) in &want {
        match got.records.get(k) {
            None => diffs.push(format!("  missing {k:?} {w:?}")),
            Some(g) if g != w => diffs.push(format!("  differs {k:?}\n    want {w:?}\n    got  {g:?}")),
            _ => {}
        }
    }
    for (k, g) in &got.records {
        if !want.contains_key(k) {
            diffs.push(format!("  extra {k:?} {g:?}"));
        }
    }
    for (field, g) in [
        ("late_packets", got.late_packets),
        ("rollovers", got.rollovers),
        ("bad_timestamp", got.bad_timestamp),
    ] {
        let w = expected[field].as_u64().unwrap_or(0);
        if g != w {
            diffs.push(format!("  {field}: want {w}, got {g}"));
        }
    }
    if diffs.is_empty() {
        String::new()
    } else {
        diffs.truncate(12);
        format!("{name} (decap {}, window {window_secs}):\n{}", decap.as_str(), diffs.join("\n"))
    }
}

fn check_all(decap: Decap, window_secs: u64) {
    let Some(dir) = corpus_dir() else { return };
    let mode = if decap == Decap::All { "inner" } else { "outer" };
    let mut failures = Vec::new();
    let mut checked = 0;
    for sub in ["conformance", "realistic"] {
        let mut files: Vec<_> =
            std::fs::read_dir(dir.join(sub)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let exp = dir.join("expected-windows").join(format!("{name}.{mode}.w{window_secs}.json"));
            let Ok(text) = std::fs::read_to_string(&exp) else { continue };
            let expected: Value = serde_json::from_str(&text).unwrap();
            checked += 1;
            let d = compare(&path, &expected, decap, window_secs);
            if !d.is_empty() {
                failures.push(d);
            }
        }
    }
    assert!(checked > 50, "only {checked} expectation files found");
    assert!(failures.is_empty(), "{} of {checked} files differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn records_per_60s_window_match_the_corpus_with_decap_all() {
    check_all(Decap::All, 60);
}

#[test]
fn records_per_600s_window_match_the_corpus_with_decap_all() {
    check_all(Decap::All, 600);
}

#[test]
fn records_per_60s_window_match_the_corpus_with_decap_none() {
    check_all(Decap::None, 60);
}
