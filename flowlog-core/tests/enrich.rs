//! SPEC §7.6, enrichment lookups: the file formats, longest-prefix and smallest-range matching,
//! file order, errors that name file and line, the corpus files, a brute-force cross-check, and no
//! allocation per lookup.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use flowlog_core::enrich::{CidrBlocks, EnrichedAddr, Enrichment, Geo, ThreatIntel};
use flowlog_core::topology::Topology;
use flowlog_testkit::corpus_dir;
use ipnet::IpNet;
use proptest::prelude::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn blocks(text: &str) -> CidrBlocks {
    CidrBlocks::parse("blocks.csv", text.as_bytes()).unwrap()
}

fn threats(files: &[(&str, &str)]) -> ThreatIntel {
    ThreatIntel::parse(files.iter().map(|&(name, text)| (name, text.as_bytes()))).unwrap()
}

fn geo(text: &str) -> Geo {
    Geo::parse_csv("geo.csv", text.as_bytes()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// cidr_blocks

#[test]
fn blocks_longest_prefix_wins_over_shorter_ones() {
    let t = blocks("10.0.0.0/8,internal\n10.0.1.0/24,web\n10.0.1.128/25,web-b\n0.0.0.0/0,internet\n");
    assert_eq!(t.lookup(ip("10.0.1.5")), Some("web"));
    assert_eq!(t.lookup(ip("10.0.1.200")), Some("web-b"));
    assert_eq!(t.lookup(ip("10.0.2.1")), Some("internal"));
    assert_eq!(t.lookup(ip("10.255.255.255")), Some("internal"));
    assert_eq!(t.lookup(ip("11.0.0.0")), Some("internet"));
    // An IPv4 default does not cover IPv6.
    assert_eq!(t.lookup(ip("2001:db8::1")), None);
    assert_eq!(t.len(), 4);
}

#[test]
fn blocks_equal_prefixes_first_in_file_wins() {
    let t = blocks("10.0.0.0/16,first\n10.0.0.0/8,wide\n10.0.0.0/16,second\n");
    assert_eq!(t.lookup(ip("10.0.3.4")), Some("first"));
    assert_eq!(t.lookup(ip("10.1.0.0")), Some("wide"));
}

#[test]
fn blocks_host_bits_mean_the_network() {
    let t = blocks("10.0.1.77/24,web\n2001:db8:1::9/48,v6\n192.0.2.9,one\n");
    assert_eq!(t.lookup(ip("10.0.1.0")), Some("web"));
    assert_eq!(t.lookup(ip("10.0.1.255")), Some("web"));
    assert_eq!(t.lookup(ip("10.0.2.0")), None);
    assert_eq!(t.lookup(ip("2001:db8:1:ffff::1")), Some("v6"));
    assert_eq!(t.lookup(ip("192.0.2.9")), Some("one"));
    assert_eq!(t.lookup(ip("192.0.2.8")), None);
}

#[test]
fn blocks_ipv6_longest_prefix() {
    let t = blocks("2001:db8::/32,doc\n2001:db8:20::/56,prod\n::/0,any6\n");
    assert_eq!(t.lookup(ip("2001:db8:20:ff::1")), Some("prod"));
    assert_eq!(t.lookup(ip("2001:db8:20:100::1")), Some("doc"));
    assert_eq!(t.lookup(ip("2001:db9::1")), Some("any6"));
    assert_eq!(t.lookup(ip("10.0.0.1")), None);
}

#[test]
fn blocks_header_blank_and_comment_lines_are_skipped() {
    let t = blocks("# estate\n\ncidr,label\n10.0.0.0/8,internal\n# 10.1.0.0/16,commented\n\n");
    assert_eq!(t.len(), 1);
    assert_eq!(t.lookup(ip("10.1.0.1")), Some("internal"));
    // Only the first line may be a header: a later non-address is an error.
    let err = CidrBlocks::parse("b.csv", b"10.0.0.0/8,a\ncidr,label\n").unwrap_err();
    assert_eq!(err.to_string(), "b.csv:2: `cidr` is not an address or CIDR");
}

#[test]
fn blocks_bad_lines_name_file_and_line() {
    let cases: [(&str, &str); 5] = [
        ("10.0.0.0/8,a\n\n10.0.0.0/33,b\n", "b.csv:3: `10.0.0.0/33` is not a CIDR"),
        ("10.0.0.0/8\n", "b.csv:1: expected `cidr,label`, found 1 fields"),
        ("10.0.0.0/8,a,b\n", "b.csv:1: expected `cidr,label`, found 3 fields"),
        ("10.0.0.0/8,\n", "b.csv:1: empty label"),
        ("10.0.0.0/8,a\n300.0.0.0/8,b\n", "b.csv:2: `300.0.0.0/8` is not a CIDR"),
    ];
    for (text, message) in cases {
        let err = CidrBlocks::parse("b.csv", text.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), message, "{text:?}");
        assert_eq!(err.file, PathBuf::from("b.csv"));
    }
    let err = CidrBlocks::parse("b.csv", b"10.0.0.0/8,\xffbad\n").unwrap_err();
    assert_eq!((err.line, err.what.as_str()), (Some(1), "not valid UTF-8"));
}

#[test]
fn blocks_from_in_memory_entries() {
    let entries = [("10.0.0.0/8", "a"), ("10.0.0.5/16", "b")].map(|(n, l)| (n.parse::<IpNet>().unwrap(), l));
    let t = CidrBlocks::from_entries(entries).unwrap();
    assert_eq!(t.lookup(ip("10.0.200.1")), Some("b"));
    assert_eq!(t.lookup(ip("10.1.0.1")), Some("a"));
}

// ---------------------------------------------------------------------------------------------
// threat_intel

const DROP: &str = "; Spamhaus DROP List 2023/11/14 - (c) 2023 The Spamhaus Project\n\
                    ; Last-Modified: Tue, 14 Nov 2023 00:00:00 GMT\n\
                    1.10.16.0/20 ; SBL256894\n\
                    198.51.100.128/25 ; SBL123\n\
                    192.0.2.1\n";

const FIREHOL: &str = "#\n# firehol_level1\n#\n203.0.113.0/24\n203.0.113.66 botnet-c2\n2001:db8:bad::/48\n";

#[test]
fn threat_spamhaus_drop_labels_and_comments() {
    let t = threats(&[("drop.txt", DROP)]);
    assert_eq!(t.len(), 3);
    assert_eq!(t.lookup(ip("1.10.31.255")), Some("SBL256894"));
    assert_eq!(t.lookup(ip("1.10.32.0")), None);
    assert_eq!(t.lookup(ip("198.51.100.200")), Some("SBL123"));
    assert_eq!(t.lookup(ip("198.51.100.127")), None);
    assert_eq!(t.lookup(ip("192.0.2.1")), Some("listed"));
    assert_eq!(t.lookup(ip("192.0.2.2")), None);
}

#[test]
fn threat_firehol_netset_longest_entry_wins() {
    let t = threats(&[("level1.netset", FIREHOL)]);
    assert_eq!(t.lookup(ip("203.0.113.5")), Some("listed"));
    assert_eq!(t.lookup(ip("203.0.113.66")), Some("botnet-c2"));
    assert_eq!(t.lookup(ip("2001:db8:bad:1::1")), Some("listed"));
    assert_eq!(t.lookup(ip("2001:db8:bae::1")), None);
}

#[test]
fn threat_label_rules() {
    let t = threats(&[(
        "t.txt",
        "10.0.0.0/8 ; SBL1 ; more words\n\
         10.1.0.0/16 scanner trailing words\n\
         10.2.0.0/16 # a comment, no label\n\
         10.3.0.0/16;SBL3\n\
         10.4.0.0/16 tag#comment\n\
         \t  ; an indented comment\n",
    )]);
    assert_eq!(t.len(), 5);
    assert_eq!(t.lookup(ip("10.9.0.1")), Some("SBL1"));
    assert_eq!(t.lookup(ip("10.1.0.1")), Some("scanner"));
    assert_eq!(t.lookup(ip("10.2.0.1")), Some("listed"));
    assert_eq!(t.lookup(ip("10.3.0.1")), Some("SBL3"));
    assert_eq!(t.lookup(ip("10.4.0.1")), Some("tag"));
}

#[test]
fn threat_files_in_list_order_equal_prefix_first_list_wins() {
    let first = "198.51.100.0/24 first-list\n";
    let second = "198.51.100.0/24 second-list\n198.51.100.7 host\n";
    let t = threats(&[("a.txt", first), ("b.txt", second)]);
    assert_eq!(t.lookup(ip("198.51.100.1")), Some("first-list"));
    // A longer prefix in a later list still wins: order only breaks ties.
    assert_eq!(t.lookup(ip("198.51.100.7")), Some("host"));
    let t = threats(&[("b.txt", second), ("a.txt", first)]);
    assert_eq!(t.lookup(ip("198.51.100.1")), Some("second-list"));
}

#[test]
fn threat_host_bits_mean_the_network() {
    let t = threats(&[("t.txt", "198.51.100.77/24 net\n")]);
    assert_eq!(t.lookup(ip("198.51.100.0")), Some("net"));
}

#[test]
fn threat_bad_lines_name_file_and_line() {
    let files: [(&str, &[u8]); 2] =
        [("ok.txt", b"10.0.0.0/8\n"), ("bad.txt", b"# list\n10.0.0.0/8\nscanner 1.2.3.4\n")];
    let err = ThreatIntel::parse(files).unwrap_err();
    assert_eq!(err.to_string(), "bad.txt:3: `scanner` is not an address or CIDR");
    let err = ThreatIntel::parse([("t.txt", &b"1.2.3.4/40 ; SBL\n"[..])]).unwrap_err();
    assert_eq!(err.to_string(), "t.txt:1: `1.2.3.4/40` is not a CIDR");
}

// ---------------------------------------------------------------------------------------------
// geo

#[test]
fn geo_smallest_cidr_or_range_wins() {
    let g =
        geo("203.0.113.0/24,US\n203.0.113.64/26,DE\n203.0.113.100,203.0.113.103,FR\n198.51.100.0/24,NL\n");
    assert_eq!(g.lookup(ip("203.0.113.5")), Some("US"));
    assert_eq!(g.lookup(ip("203.0.113.66")), Some("DE"));
    assert_eq!(g.lookup(ip("203.0.113.101")), Some("FR"));
    assert_eq!(g.lookup(ip("203.0.113.127")), Some("DE"));
    assert_eq!(g.lookup(ip("203.0.113.128")), Some("US"));
    assert_eq!(g.lookup(ip("198.51.100.255")), Some("NL"));
    assert_eq!(g.lookup(ip("198.51.101.0")), None);
}

#[test]
fn geo_ranges_that_are_not_prefixes() {
    // 10.0.0.5..10.0.1.9 is no CIDR; wider than the /24 it overlaps, it loses to it there.
    let g = geo("first_ip,last_ip,country\n10.0.0.5,10.0.1.9,AA\n10.0.0.0/24,BB\n10.0.1.0,10.0.1.0,CC\n");
    assert_eq!(g.lookup(ip("10.0.0.4")), Some("BB"));
    assert_eq!(g.lookup(ip("10.0.0.5")), Some("BB"));
    assert_eq!(g.lookup(ip("10.0.1.0")), Some("CC"));
    assert_eq!(g.lookup(ip("10.0.1.1")), Some("AA"));
    assert_eq!(g.lookup(ip("10.0.1.9")), Some("AA"));
    assert_eq!(g.lookup(ip("10.0.1.10")), None);
}

#[test]
fn geo_equal_ranges_first_in_file_wins() {
    let g = geo("10.0.0.0,10.0.0.255,AA\n10.0.0.0/24,BB\n");
    assert_eq!(g.lookup(ip("10.0.0.9")), Some("AA"));
}

#[test]
fn geo_ipv6_cidrs_and_ranges() {
    let g = geo(
        "2001:db8:f000::/36,JP\n2001:db8:f0aa::,2001:db8:f0aa:ffff:ffff:ffff:ffff:ffff,BR\n2001:db8:f000::1/128,XX\n",
    );
    assert_eq!(g.lookup(ip("2001:db8:f000::7")), Some("JP"));
    assert_eq!(g.lookup(ip("2001:db8:f0aa:1::1")), Some("BR"));
    assert_eq!(g.lookup(ip("2001:db8:f000::1")), Some("XX"));
    assert_eq!(g.lookup(ip("2001:db8:e000::1")), None);
}

#[test]
fn geo_header_names_either_layout() {
    assert_eq!(geo("network,country_iso_code\n81.2.0.0/16,GB\n").lookup(ip("81.2.69.1")), Some("GB"));
    assert_eq!(geo("start,end,cc\n81.2.0.0,81.2.255.255,GB\n").lookup(ip("81.2.69.1")), Some("GB"));
}

#[test]
fn geo_bad_lines_name_file_and_line() {
    let cases: [(&str, &str); 6] = [
        ("10.0.0.0/8,DEU\n", "g.csv:1: `DEU` is not a two-letter country code"),
        ("10.0.0.0/8\n", "g.csv:1: expected `cidr,country` or `first_ip,last_ip,country`, found 1 fields"),
        ("10.0.0.0/8,DE\n10.0.0.9,10.0.0.1,DE\n", "g.csv:2: the first address is after the last"),
        ("10.0.0.1,::1,DE\n", "g.csv:1: the first and last addresses are of different families"),
        ("10.0.0.1,10.0.0.0/24,DE\n", "g.csv:1: `10.0.0.0/24` is not an address"),
        (
            "10.0.0.0/8,DE\n\n\n1,2,3,4\n",
            "g.csv:4: expected `cidr,country` or `first_ip,last_ip,country`, found 4 fields",
        ),
    ];
    for (text, message) in cases {
        let err = Geo::parse_csv("g.csv", text.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), message, "{text:?}");
    }
}

#[test]
fn geo_from_in_memory_ranges() {
    let g = Geo::from_ranges([(ip("10.0.0.0"), ip("10.0.0.9"), *b"AA")]).unwrap();
    assert_eq!(g.lookup(ip("10.0.0.9")), Some("AA"));
    assert!(Geo::from_ranges([(ip("10.0.0.0"), ip("10.0.0.9"), *b"A1")]).is_err());
}

// ---------------------------------------------------------------------------------------------
// geo from a MaxMind DB: a small database written here, in the MaxMind DB format 2.0.

/// A minimal MaxMind DB writer: an IPv6 tree (IPv4 networks under `::/96`), 24-bit records.
mod mmdb {
    use std::net::IpAddr;

    #[derive(Clone, Copy)]
    enum Record {
        Empty,
        Node(usize),
        Data(usize),
    }

    fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
        assert!(size < 29, "only small sizes are written here");
        if kind <= 7 {
            out.push(kind << 5 | size as u8);
        } else {
            out.extend([size as u8, kind - 7]);
        }
    }

    pub fn string(out: &mut Vec<u8>, s: &str) {
        control(out, 2, s.len());
        out.extend(s.as_bytes());
    }

    /// An unsigned integer of type `kind` (5 uint16, 6 uint32, 9 uint64), big-endian, no leading zeros.
    fn uint(out: &mut Vec<u8>, kind: u8, value: u64) {
        let bytes = value.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        control(out, kind, 8 - skip);
        out.extend(&bytes[skip..]);
    }

    pub fn map(out: &mut Vec<u8>, pairs: usize) {
        control(out, 7, pairs);
    }

    /// The database holding `(network, prefix length, data)` entries (disjoint networks).
    pub fn write(entries: &[(IpAddr, u8, Vec<u8>)]) -> Vec<u8> {
        let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty; 2]];
        let mut data: Vec<u8> = Vec::new();
        for (addr, len, record) in entries {
            let (bits, len) = match addr {
                IpAddr::V4(a) => (u128::from(u32::from(*a)), usize::from(*len) + 96),
                IpAddr::V6(a) => (u128::from(*a), usize::from(*len)),
            };
            let offset = data.len();
            data.extend(record);
            let mut node = 0;
            for depth in 0..len {
                let bit = ((bits >> (127 - depth)) & 1) as usize;
                if depth + 1 == len {
                    nodes[node][bit] = Record::Data(offset);
                } else if let Record::Node(next) = nodes[node][bit] {
                    node = next;
                } else {
                    nodes.push([Record::Empty; 2]);
                    nodes[node][bit] = Record::Node(nodes.len() - 1);
                    node = nodes.len() - 1;
                }
            }
        }
        let count = nodes.len();
        let mut out = Vec::new();
        for record in nodes.iter().flatten() {
            let value = match *record {
                Record::Empty => count,
                Record::Node(i) => i,
                Record::Data(offset) => count + 16 + offset,
            };
            out.extend(&(value as u32).to_be_bytes()[1..]);
        }
        out.extend([0; 16]);
        out.extend(data);
        out.extend(b"\xab\xcd\xefMaxMind.com");
        map(&mut out, 9);
        string(&mut out, "binary_format_major_version");
        uint(&mut out, 5, 2);
        string(&mut out, "binary_format_minor_version");
        uint(&mut out, 5, 0);
        string(&mut out, "build_epoch");
        uint(&mut out, 9, 1_700_000_000);
        string(&mut out, "database_type");
        string(&mut out, "Test-Country");
        string(&mut out, "description");
        map(&mut out, 1);
        string(&mut out, "en");
        string(&mut out, "test");
        string(&mut out, "ip_version");
        uint(&mut out, 5, 6);
        string(&mut out, "languages");
        control(&mut out, 11, 1);
        string(&mut out, "en");
        string(&mut out, "node_count");
        uint(&mut out, 6, count as u64);
        string(&mut out, "record_size");
        uint(&mut out, 5, 24);
        out
    }

    /// A GeoIP2 Country record: `{"country": {"iso_code": code}}`.
    pub fn country(code: &str) -> Vec<u8> {
        let mut out = Vec::new();
        map(&mut out, 1);
        string(&mut out, "country");
        map(&mut out, 1);
        string(&mut out, "iso_code");
        string(&mut out, code);
        out
    }

    /// A record with a continent only (anycast and satellite networks look like this).
    pub fn continent_only() -> Vec<u8> {
        let mut out = Vec::new();
        map(&mut out, 1);
        string(&mut out, "continent");
        map(&mut out, 1);
        string(&mut out, "code");
        string(&mut out, "EU");
        out
    }
}

fn test_mmdb() -> Vec<u8> {
    mmdb::write(&[
        (ip("198.51.100.0"), 24, mmdb::country("DE")),
        (ip("203.0.113.64"), 26, mmdb::country("US")),
        (ip("192.0.2.0"), 24, mmdb::continent_only()),
        (ip("2001:db8::"), 32, mmdb::country("JP")),
    ])
}

#[test]
fn geo_from_a_maxmind_db_ipv4_and_ipv6() {
    let g = Geo::from_mmdb("test.mmdb", &test_mmdb()).unwrap();
    assert_eq!(g.len(), 3);
    assert_eq!(g.lookup(ip("198.51.100.7")), Some("DE"));
    assert_eq!(g.lookup(ip("203.0.113.70")), Some("US"));
    assert_eq!(g.lookup(ip("203.0.113.5")), None);
    assert_eq!(g.lookup(ip("192.0.2.1")), None, "a network without a country gives none");
    assert_eq!(g.lookup(ip("2001:db8:ffff::1")), Some("JP"));
    assert_eq!(g.lookup(ip("2001:db9::1")), None);
}

#[test]
fn geo_file_ending_in_mmdb_is_read_as_a_maxmind_db() {
    let dir = std::env::temp_dir().join(format!("flowlog-enrich-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("countries.MMDB");
    std::fs::write(&path, test_mmdb()).unwrap();
    let spec = flowlog_core::topology::Enrichment {
        cidr_blocks: None,
        threat_intel: vec![],
        geo: Some(path.clone()),
    };
    let e = Enrichment::load(&spec).unwrap();
    assert_eq!(e.lookup(ip("198.51.100.7")).country, Some("DE"));
    // The same bytes under a CSV name are a CSV, and not a valid one.
    let csv = dir.join("countries.csv");
    std::fs::write(&csv, test_mmdb()).unwrap();
    let err = Geo::load(&csv).unwrap_err();
    assert_eq!(err.file, csv);
    assert!(err.line.is_some(), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupted_maxmind_db_loads_or_errs_never_panics() {
    let bytes = test_mmdb();
    let mut loaded = 0;
    for at in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut corrupt = bytes.clone();
            corrupt[at] ^= flip;
            if let Ok(g) = Geo::from_mmdb("bad.mmdb", &corrupt) {
                loaded += 1;
                let _ = g.lookup(ip("198.51.100.7"));
            }
        }
    }
    assert!(loaded < bytes.len() * 3, "some corruption must be detected");
}

#[test]
fn a_truncated_maxmind_db_is_an_error_naming_the_file() {
    let bytes = test_mmdb();
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 5] {
        let err = Geo::from_mmdb("cut.mmdb", &bytes[..cut]).unwrap_err();
        assert!(err.to_string().starts_with("cut.mmdb: MaxMind DB: "), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Enrichment

#[test]
fn enrichment_bundles_the_three_tables() {
    let e = Enrichment {
        blocks: Some(blocks("10.0.0.0/8,internal\n0.0.0.0/0,internet\n")),
        threats: Some(threats(&[("drop.txt", DROP)])),
        geo: Some(geo("198.51.100.0/24,NL\n")),
    };
    assert_eq!(
        e.lookup(ip("198.51.100.200")),
        EnrichedAddr { block: Some("internet"), threat: Some("SBL123"), country: Some("NL") }
    );
    assert_eq!(
        e.lookup(ip("10.1.1.1")),
        EnrichedAddr { block: Some("internal"), threat: None, country: None }
    );
    assert_eq!(e.lookup(ip("::1")), EnrichedAddr::default());
    assert!(Enrichment::default().is_empty());
    assert_eq!(Enrichment::default().lookup(ip("10.0.0.1")), EnrichedAddr::default());
}

#[test]
fn a_missing_file_is_named() {
    let spec = flowlog_core::topology::Enrichment {
        cidr_blocks: None,
        threat_intel: vec!["no/such/list.txt".into()],
        geo: None,
    };
    let err = Enrichment::load(&spec).unwrap_err();
    assert_eq!(err.file, PathBuf::from("no/such/list.txt"));
    assert!(err.to_string().starts_with("no/such/list.txt: cannot read: "), "{err}");
}

#[test]
fn corpus_case_enrichment_hand_computed() {
    let Some(root) = corpus_dir() else { return };
    let topology = Topology::load(root.join("vpc/enrichment_cidr_threat_geo.toml")).unwrap();
    let e = Enrichment::load(&topology.enrichment).unwrap();
    let at = |a: &str| {
        let r = e.lookup(ip(a));
        (r.block, r.threat, r.country)
    };
    assert_eq!(at("10.0.1.10"), (Some("web-tier"), None, None));
    assert_eq!(at("10.0.2.10"), (Some("internal"), None, None));
    assert_eq!(at("198.51.100.200"), (Some("partner"), Some("SBL123"), Some("NL")));
    assert_eq!(at("198.51.100.7"), (Some("partner"), None, Some("NL")));
    assert_eq!(at("203.0.113.5"), (Some("internet"), Some("listed"), Some("US")));
    assert_eq!(at("203.0.113.66"), (Some("internet"), Some("botnet-c2"), Some("DE")));
    assert_eq!(at("192.0.2.1"), (Some("internet"), Some("listed"), None));
    assert_eq!(at("2001:db8:1:1::10"), (Some("vpc-v6"), None, None));
    assert_eq!(at("2001:db8:f000::7"), (None, None, Some("JP")));
}

/// Every corpus topology with `[enrichment]` loads, and its expected records' enrichment fields are
/// what the lookups give for their addresses.
#[test]
fn corpus_enrichment_files_load_and_agree_with_expected_records() {
    let Some(root) = corpus_dir() else { return };
    let mut cases = 0;
    let mut compared = 0;
    for entry in std::fs::read_dir(root.join("vpc")).unwrap() {
        let path = entry.unwrap().path();
        let is_topology = matches!(path.extension().and_then(|e| e.to_str()), Some("toml" | "json"))
            && !path.to_string_lossy().ends_with(".expected.json");
        if !is_topology {
            continue;
        }
        let Ok(topology) = Topology::load(&path) else { continue };
        let spec = &topology.enrichment;
        if spec.cidr_blocks.is_none() && spec.threat_intel.is_empty() && spec.geo.is_none() {
            continue;
        }
        let e = Enrichment::load(spec).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert!(!e.is_empty());
        cases += 1;
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = root.join("vpc").join(format!("{name}.expected.json"));
        let Ok(text) = std::fs::read_to_string(&expected) else { continue };
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        for record in expected["records"].as_array().unwrap() {
            for (addr_key, keys) in [
                ("srcaddr", ["srctype", "src-threat", "src-country"]),
                ("dstaddr", ["dsttype", "dst-threat", "dst-country"]),
            ] {
                let Some(addr) = record[addr_key].as_str() else { continue };
                let got = e.lookup(ip(addr));
                let want = keys.map(|k| record[k].as_str());
                assert_eq!([got.block, got.threat, got.country], want, "{name}: {addr}");
                compared += 1;
            }
        }
    }
    assert!(cases >= 7, "only {cases} corpus topologies with enrichment");
    assert!(compared > 0);
}

// ---------------------------------------------------------------------------------------------
// The segments agree with a brute-force scan.

/// The label of the longest prefix containing `addr`, the first of equal ones, by a linear scan.
fn brute_lpm(entries: &[(IpNet, String)], addr: IpAddr) -> Option<&str> {
    let mut best: Option<&(IpNet, String)> = None;
    for entry in entries {
        if entry.0.contains(&addr) && best.is_none_or(|b| entry.0.prefix_len() > b.0.prefix_len()) {
            best = Some(entry);
        }
    }
    best.map(|(_, label)| label.as_str())
}

/// IPv4 prefixes clustered in 4 /6 blocks so that they nest and collide often.
fn v4_net() -> impl Strategy<Value = IpNet> {
    (0u32..4, any::<u32>(), 0u8..=32).prop_map(|(block, bits, len)| {
        let addr = (block << 26) | (bits >> 6);
        IpNet::new(IpAddr::V4(Ipv4Addr::from(addr)), len).unwrap().trunc()
    })
}

fn v6_net() -> impl Strategy<Value = IpNet> {
    (0u128..4, any::<u128>(), prop_oneof![0u8..=16, 100u8..=128, 0u8..=128]).prop_map(|(block, bits, len)| {
        let addr = (block << 124) | (bits >> 4);
        IpNet::new(IpAddr::V6(Ipv6Addr::from(addr)), len).unwrap().trunc()
    })
}

/// Probes: random addresses, and each entry's first, last and the addresses just outside it.
fn probes(entries: &[(IpNet, String)], random: &[IpAddr]) -> Vec<IpAddr> {
    let mut probes = random.to_vec();
    for (net, _) in entries {
        probes.extend([net.network(), net.broadcast()]);
        match (net.network(), net.broadcast()) {
            (IpAddr::V4(f), IpAddr::V4(l)) => {
                probes.extend(u32::from(f).checked_sub(1).map(|a| IpAddr::V4(a.into())));
                probes.extend(u32::from(l).checked_add(1).map(|a| IpAddr::V4(a.into())));
            }
            (IpAddr::V6(f), IpAddr::V6(l)) => {
                probes.extend(u128::from(f).checked_sub(1).map(|a| IpAddr::V6(a.into())));
                probes.extend(u128::from(l).checked_add(1).map(|a| IpAddr::V6(a.into())));
            }
            _ => unreachable!(),
        }
    }
    probes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lpm_agrees_with_a_linear_scan(
        nets in prop::collection::vec(prop_oneof![v4_net(), v6_net()], 0..60),
        random in prop::collection::vec(prop_oneof![
            (0u32..4, any::<u32>()).prop_map(|(b, x)| IpAddr::V4(((b << 26) | (x >> 6)).into())),
            (0u128..4, any::<u128>()).prop_map(|(b, x)| IpAddr::V6(((b << 124) | (x >> 4)).into())),
        ], 0..60),
    ) {
        let entries: Vec<(IpNet, String)> = nets.iter().enumerate().map(|(i, n)| (*n, format!("e{i}"))).collect();
        let table = CidrBlocks::from_entries(entries.iter().map(|(n, l)| (*n, l.as_str()))).unwrap();
        for addr in probes(&entries, &random) {
            prop_assert_eq!(table.lookup(addr), brute_lpm(&entries, addr), "{}", addr);
        }
    }

    #[test]
    fn smallest_range_agrees_with_a_linear_scan(
        ranges in prop::collection::vec((0u32..1000, 0u32..300), 0..40),
        probe in prop::collection::vec(0u32..1400, 0..80),
    ) {
        // Codes name entries: AA, AB, ... (40 entries fit in 26 * 26 codes).
        let code = |i: usize| [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
        let entries: Vec<(u32, u32)> = ranges.iter().map(|&(first, width)| (first, first + width)).collect();
        let v4 = |a: u32| IpAddr::V4(a.into());
        let g = Geo::from_ranges(entries.iter().enumerate().map(|(i, &(f, l))| (v4(f), v4(l), code(i)))).unwrap();
        for a in probe {
            let mut best: Option<(u32, usize)> = None;
            for (i, &(f, l)) in entries.iter().enumerate() {
                if f <= a && a <= l && best.is_none_or(|(size, _)| l - f < size) {
                    best = Some((l - f, i));
                }
            }
            let want = best.map(|(_, i)| code(i));
            let want = want.as_ref().map(|c| std::str::from_utf8(c).unwrap());
            prop_assert_eq!(g.lookup(v4(a)), want, "{}", a);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// No allocation per lookup (the testkit's counting allocator).

#[global_allocator]
static HEAP: flowlog_testkit::CountingAllocator = flowlog_testkit::CountingAllocator;

fn heap_ops(f: impl FnOnce()) -> u64 {
    flowlog_testkit::heap_ops(f).1
}

#[test]
fn lookups_do_not_allocate() {
    let e = Enrichment {
        blocks: Some(blocks("10.0.0.0/8,internal\n10.0.1.0/24,web\n2001:db8::/32,v6\n0.0.0.0/0,internet\n")),
        threats: Some(threats(&[("drop.txt", DROP), ("level1.netset", FIREHOL)])),
        geo: Some(geo("203.0.113.0/24,US\n203.0.113.64/26,DE\n2001:db8::,2001:db8::ffff,JP\n")),
    };
    let addrs: Vec<IpAddr> =
        ["10.0.1.5", "203.0.113.66", "192.0.2.1", "2001:db8::1", "2001:db8:bad::1", "::", "255.255.255.255"]
            .map(ip)
            .to_vec();
    let mut found = 0;
    let ops = heap_ops(|| {
        for _ in 0..1000 {
            for &addr in &addrs {
                let r = e.lookup(addr);
                found += usize::from(r.block.is_some())
                    + usize::from(r.threat.is_some())
                    + usize::from(r.country.is_some());
            }
        }
    });
    assert_eq!(ops, 0, "heap operations during lookups");
    assert_eq!(found, 1000 * 11);
}
