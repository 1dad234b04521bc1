//! Acceptance test of the parser (SPEC §2) on real captures: for every file of
//! `$FLOWLOG_CORPUS/conformance` and `/realistic`, in both decap modes, the per-5-tuple packet and
//! byte totals of `dissect` must equal `$FLOWLOG_CORPUS/expected/<file>.<inner|outer>.json`,
//! which were computed independently of flowlog (tshark plus a script applying SPEC §2; see the
//! corpus's `expected/README.md`). Files whose expectation holds an `"error"` must fail to read.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use flowlog_core::capture::CaptureReader;
use flowlog_core::parse::FragTable;
use flowlog_core::parse::{dissect, Dissected, Skip};
use flowlog_core::{Config, Decap, Timestamp};
use flowlog_testkit::corpus_dir;

/// Files skipped on purpose, with the reason: an expectation that contradicts SPEC §2.
const KNOWN_WRONG: &[(&str, &str)] = &[];

type FlowMap = BTreeMap<(String, String, u8, u16, u16), (u64, u64)>;

#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    flows: FlowMap,
    ip_frames: u64,
    non_ip_frames: u64,
    undecodable_frames: u64,
    unsupported_link_frames: u64,
}

fn addr(b: &[u8; 16], v: u8) -> String {
    if v == 6 {
        IpAddr::V6(Ipv6Addr::from(*b)).to_string()
    } else {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])).to_string()
    }
}

/// Meter a file with `dissect` alone.
fn meter(path: &Path, decap: Decap) -> Result<Totals, String> {
    let config = Config { decap, ..Config::default() };
    let mut frags = FragTable::new(config.max_fragments);
    let mut t = Totals::default();
    let mut reader = CaptureReader::open(path).map_err(|e| e.to_string())?;
    let mut clock = 0;
    while let Some(f) = reader.next_frame().map_err(|e| e.to_string())? {
        if let Timestamp::Ns(ns) = f.ts {
            clock = clock.max(ns);
        }
        let ts = clock;
        match dissect(f.link, f.data, f.orig_len, ts, &config, &mut frags) {
            Ok(d) => add(&mut t, &d),
            Err(Skip::NonIp) => t.non_ip_frames += 1,
            Err(Skip::UnsupportedLink) => t.unsupported_link_frames += 1,
            Err(Skip::TruncatedL2 | Skip::BadIpHeader) => t.undecodable_frames += 1,
        }
    }
    Ok(t)
}

fn add(t: &mut Totals, d: &Dissected) {
    t.ip_frames += 1;
    let k = (addr(&d.src, d.ip_version), addr(&d.dst, d.ip_version), d.protocol, d.src_port, d.dst_port);
    let e = t.flows.entry(k).or_default();
    e.0 += 1;
    e.1 += d.bytes;
}

enum Expected {
    Error(String),
    Totals(Totals),
}

fn expected(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    if let Some(e) = v.get("error") {
        return Expected::Error(e.to_string());
    }
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{}: no {k}", path.display()));
    let mut t = Totals {
        ip_frames: n("ip_frames"),
        non_ip_frames: n("non_ip_frames"),
        undecodable_frames: n("undecodable_frames"),
        unsupported_link_frames: n("unsupported_link_frames"),
        ..Totals::default()
    };
    for f in v["flows"].as_array().unwrap() {
        let s = |k: &str| f[k].as_str().unwrap().to_string();
        let u = |k: &str| f[k].as_u64().unwrap();
        let k = (s("srcaddr"), s("dstaddr"), u("protocol") as u8, u("srcport") as u16, u("dstport") as u16);
        let e = t.flows.entry(k).or_default();
        e.0 += u("packets");
        e.1 += u("bytes");
    }
    Expected::Totals(t)
}

/// A short, readable account of how `got` differs from `want`.
fn diff(want: &Totals, got: &Totals) -> String {
    let mut out = String::new();
    for (name, w, g) in [
        ("ip_frames", want.ip_frames, got.ip_frames),
        ("non_ip_frames", want.non_ip_frames, got.non_ip_frames),
        ("undecodable_frames", want.undecodable_frames, got.undecodable_frames),
        ("unsupported_link_frames", want.unsupported_link_frames, got.unsupported_link_frames),
    ] {
        if w != g {
            out += &format!("    {name}: want {w}, got {g}\n");
        }
    }
    let mut shown = 0;
    for (k, w) in &want.flows {
        let g = got.flows.get(k);
        if g != Some(w) && shown < 12 {
            out += &format!("    {k:?}: want {w:?}, got {g:?}\n");
            shown += 1;
        }
    }
    for (k, g) in &got.flows {
        if !want.flows.contains_key(k) && shown < 12 {
            out += &format!("    {k:?}: unexpected {g:?}\n");
            shown += 1;
        }
    }
    out
}

#[test]
fn per_five_tuple_totals_match_the_independent_expectations() {
    let Some(root) = corpus_dir() else { return };
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["conformance", "realistic"] {
        if let Ok(rd) = std::fs::read_dir(root.join(sub)) {
            files.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no capture files under {}", root.display());
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some((_, why)) = KNOWN_WRONG.iter().find(|(f, _)| *f == name) {
            println!("{name}: skipped ({why})");
            continue;
        }
        for (mode, decap) in [("inner", Decap::All), ("outer", Decap::None)] {
            let exp = root.join("expected").join(format!("{name}.{mode}.json"));
            if !exp.is_file() {
                failures.push(format!("{name} [{mode}]: no expectation file {}", exp.display()));
                continue;
            }
            checked += 1;
            match (expected(&exp), meter(path, decap)) {
                (Expected::Error(_), Err(_)) => {}
                (Expected::Error(e), Ok(_)) => {
                    failures.push(format!("{name} [{mode}]: read without error, expected one ({e})"))
                }
                (Expected::Totals(_), Err(e)) => failures.push(format!("{name} [{mode}]: read error: {e}")),
                (Expected::Totals(want), Ok(got)) => {
                    if want != got {
                        failures.push(format!("{name} [{mode}]:\n{}", diff(&want, &got)));
                    }
                }
            }
        }
    }
    println!("{checked} file/mode pairs checked");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}
